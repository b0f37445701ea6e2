// TabletRpc end to end in one process: a CN-side TabletRpcService (with the
// disk cache) on 127.0.0.1, the FE-side client and RemoteTabletService.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>

#include "objstore/open_object_store.h"
#include "server/cn/cn_codec.h"
#include "server/cn/cn_test_util.h"
#include "server/cn/cn_volume_cache.h"
#include "server/cn/grpc_server.h"
#include "server/cn/remote_tablet_service.h"
#include "server/cn/tablet_rpc_client.h"
#include "server/cn/tablet_rpc_service.h"
#include "storage/tablet_meta.h"

namespace strata::server::cn {
namespace {

using storage::ColumnSchema;
using storage::ColumnVector;
using storage::DataType;

std::vector<ColumnSchema> Schema() {
  return {{"id", {DataType::kBigInt, 0, 0, false}},
          {"name", {DataType::kVarchar}},
          {"price", {DataType::kDecimal, 10, 2}},
          {"big", {DataType::kLargeInt}},
          {"score", {DataType::kDouble}}};
}

std::vector<ColumnVector> Rows(int64_t from, int64_t to) {
  std::vector<ColumnVector> cols;
  for (const ColumnSchema& c : Schema()) cols.emplace_back(c.type);
  for (int64_t i = from; i < to; ++i) {
    cols[0].AppendInt(i);
    if (i % 7 == 0) cols[1].AppendNull();
    else cols[1].AppendString("name-" + std::to_string(i));
    cols[2].AppendInt(i * 100 + 99);
    cols[3].AppendWide(static_cast<storage::int128>(i) << 70);
    cols[4].AppendDouble(static_cast<double>(i) / 3);
  }
  return cols;
}

class TabletRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-cn-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/volume");
    std::filesystem::create_directories(dir_ + "/cache");
    volume_.name = "v1";
    volume_.spec.location = dir_ + "/volume";
    auto store = objstore::OpenObjectStore(volume_.spec);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = *store;
    stores_ = std::make_shared<storage::VolumeStores>(NewVolumeCacheWrap(dir_ + "/cache", 64 << 20));
    backend_ = storage::NewLocalTabletService(stores_);
    service_ = std::make_unique<TabletRpcService>(backend_.get());
    auto server = GrpcServer::Start(GrpcServerOptions{.addresses = {"127.0.0.1:0"}}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    address_ = "127.0.0.1:" + std::to_string(server_->ports()[0]);
    client_ = std::make_unique<TabletRpcClient>(address_, NewChannel(address_), TabletRpcClientOptions{});
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  storage::WriteRowsetRequest Write(uint64_t tablet, const std::string& txn, uint32_t seq, int64_t from, int64_t to) {
    return storage::WriteRowsetRequest{.volume = volume_, .lineage = "lin", .tablet_id = tablet, .txn_id = txn,
                                       .seq = seq, .schema = Schema(), .columns = Rows(from, to)};
  }

  // Publishes a version of `tablet` holding `rowsets` (what the FE's commit would name).
  std::string Publish(uint64_t tablet, std::vector<storage::RowsetMeta> rowsets) {
    std::string txn = storage::NewTxnId();
    storage::TabletMeta meta =
        storage::NextTabletVersion(storage::TabletMeta{.tablet_id = tablet}, txn, Schema(), std::move(rowsets), {});
    std::string key = storage::TabletMetaKey("lin", tablet, meta.version, txn);
    EXPECT_TRUE(storage::PutTabletMeta(*store_, key, meta).ok());
    return key;
  }

  std::string dir_;
  storage::VolumeRef volume_;
  std::shared_ptr<objstore::ObjectStore> store_;
  std::shared_ptr<storage::VolumeStores> stores_;
  std::unique_ptr<storage::TabletService> backend_;
  std::unique_ptr<TabletRpcService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::string address_;
  std::unique_ptr<TabletRpcClient> client_;
};

TEST_F(TabletRpcTest, WriteThenScanReturnsTheSameRows) {
  std::string txn = storage::NewTxnId();
  CallInfo info;
  auto r1 = client_->WriteRowset(Write(7, txn, 0, 0, 3000), &info);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  auto r2 = client_->WriteRowset(Write(7, txn, 1, 3000, 3500), &info);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r1->rows, 3000u);
  EXPECT_EQ(r1->data_file, storage::DataFileKey("lin", 7, txn, 0));
  std::string key = Publish(7, {*r1, *r2});
  for (int pass = 0; pass < 2; ++pass) {  // the second pass reads through the warm cache
    std::vector<std::vector<ColumnVector>> batches;
    Status s = client_->ScanTablet(storage::ScanTabletRequest{.volume = volume_, .tablet_id = 7, .meta_key = key},
                                   [&](std::vector<ColumnVector>&& cols) {
                                     batches.push_back(std::move(cols));
                                     return Status::OK();
                                   },
                                   &info);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(batches.size(), 2u) << "one message per rowset";
    std::vector<ColumnVector> want1 = Rows(0, 3000), want2 = Rows(3000, 3500);
    for (size_t c = 0; c < Schema().size(); ++c) {
      EXPECT_TRUE(batches[0][c].Equals(want1[c])) << "column " << c;
      EXPECT_TRUE(batches[1][c].Equals(want2[c])) << "column " << c;
    }
  }
  // Projection.
  uint64_t rows = 0;
  Status s = client_->ScanTablet(
      storage::ScanTabletRequest{.volume = volume_, .tablet_id = 7, .meta_key = key, .options = {.columns = {"name"}}},
      [&](std::vector<ColumnVector>&& cols) {
        EXPECT_EQ(cols.size(), 1u);
        EXPECT_EQ(cols[0].type().type, DataType::kVarchar);
        rows += cols[0].size();
        return Status::OK();
      },
      &info);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(rows, 3500u);
  // The empty tablet scans to nothing.
  size_t calls = 0;
  s = client_->ScanTablet(storage::ScanTabletRequest{.volume = volume_, .tablet_id = 8},
                          [&](std::vector<ColumnVector>&&) { ++calls; return Status::OK(); }, &info);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(calls, 0u);
}

TEST_F(TabletRpcTest, BadRequestsGetClearErrorsAndAreNotTransportFailures) {
  std::string txn = storage::NewTxnId();
  CallInfo info;
  auto r = client_->WriteRowset(Write(3, txn, 0, 0, 10), &info);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string key = Publish(3, {*r});

  // Unknown column in the projection.
  Status s = client_->ScanTablet(
      storage::ScanTabletRequest{.volume = volume_, .tablet_id = 3, .meta_key = key, .options = {.columns = {"nope"}}},
      [](std::vector<ColumnVector>&&) { return Status::OK(); }, &info);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("nope"), std::string::npos) << s.ToString();
  EXPECT_FALSE(info.transport_failure);

  // A missing version.
  s = client_->ScanTablet(storage::ScanTabletRequest{.volume = volume_, .tablet_id = 3,
                                                     .meta_key = storage::TabletMetaKey("lin", 3, 9, txn)},
                          [](std::vector<ColumnVector>&&) { return Status::OK(); }, &info);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();

  // Raw requests: damaged batch bytes, a batch that disagrees with the schema,
  // an unknown type number. Nothing is written for any of them.
  auto stub = strata::cn::TabletRpc::NewStub(NewChannel(address_));
  strata::cn::WriteRowsetRequest good;
  VolumeToProto(volume_, good.mutable_volume());
  good.set_lineage("lin");
  good.set_tablet_id(4);
  good.set_txn_id(txn);
  SchemaToProto(Schema(), good.mutable_schema());
  std::vector<ColumnVector> rows = Rows(0, 100);
  ASSERT_TRUE(EncodeBatch(Schema(), rows, good.mutable_batch()).ok());
  auto send = [&](const strata::cn::WriteRowsetRequest& req) {
    grpc::ClientContext ctx;
    strata::cn::WriteRowsetResponse resp;
    grpc::Status st = stub->WriteRowset(&ctx, req, &resp);
    EXPECT_FALSE(IsTransportFailure(st));
    return FromGrpcStatus(st, "write");
  };
  strata::cn::WriteRowsetRequest corrupt = good;
  std::string* bytes = corrupt.mutable_batch()->mutable_data_file();
  (*bytes)[bytes->size() / 2] ^= 0x5a;
  EXPECT_EQ(send(corrupt).code(), StatusCode::kDataLoss);
  strata::cn::WriteRowsetRequest mismatched = good;
  mismatched.mutable_schema(1)->set_name("other");
  s = send(mismatched);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  strata::cn::WriteRowsetRequest bad_type = good;
  bad_type.mutable_schema(0)->set_type(200);
  s = send(bad_type);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("unknown type number 200"), std::string::npos) << s.ToString();
  auto listed = store_->List(objstore::ListOptions{.prefix = storage::TabletPrefix("lin", 4)});
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->objects.empty()) << "a rejected write left objects behind";
  // And the good one goes through.
  EXPECT_TRUE(send(good).ok());
}

TEST_F(TabletRpcTest, CompactOverRpc) {
  std::vector<storage::RowsetMeta> rowsets;
  std::string txn = storage::NewTxnId();
  CallInfo info;
  for (uint32_t i = 0; i < 3; ++i) {
    auto r = client_->WriteRowset(Write(5, txn, i, i * 10, i * 10 + 10), &info);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    rowsets.push_back(*r);
  }
  std::string key = Publish(5, rowsets);
  auto out = client_->Compact(storage::CompactRequest{.volume = volume_, .lineage = "lin", .tablet_id = 5,
                                                      .base_meta_key = key, .txn_id = storage::NewTxnId(),
                                                      .policy = {.min_rowsets = 2}},
                              &info);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->compacted);
  EXPECT_EQ(out->input_rowsets, 3u);
  EXPECT_EQ(out->new_meta.rowsets.size(), 1u);
  EXPECT_EQ(out->new_meta.num_rows(), 30u);
}

TEST_F(TabletRpcTest, RemoteServiceRoutesFailsOverAndFallsBack) {
  ComputeNodeRegistry registry(5000);
  RemoteTabletService remote(&registry, storage::NewLocalTabletService(std::make_shared<storage::VolumeStores>()));
  // No alive node: the in-process fallback does the work.
  std::string txn = storage::NewTxnId();
  auto local = remote.WriteRowset(Write(11, txn, 0, 0, 5));
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(remote.fallback_calls(), 1u);
  EXPECT_EQ(remote.remote_calls(), 0u);

  // Node 1 is unreachable (nothing listens), node 2 is the server. Pick a
  // tablet that node 1 owns: the call fails over to node 2.
  int dead_port = ClosedPort();
  NodeInfo dead{.id = 1, .host = "127.0.0.1", .heartbeat_port = 1, .rpc_port = static_cast<uint32_t>(dead_port),
                .http_port = 1};
  NodeInfo live{.id = 2, .host = "127.0.0.1", .heartbeat_port = 2,
                .rpc_port = static_cast<uint32_t>(server_->ports()[0]), .http_port = 2};
  ASSERT_TRUE(registry.Heartbeat(dead, 1).ok());
  ASSERT_TRUE(registry.Heartbeat(live, 1).ok());
  uint64_t tablet = 100;
  while (registry.OwnerOf(tablet)->id != 1) ++tablet;
  auto written = remote.WriteRowset(Write(tablet, txn, 0, 0, 50));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(remote.remote_calls(), 2u);
  EXPECT_TRUE(registry.Find(1)->suspect);
  EXPECT_EQ(registry.OwnerOf(tablet)->id, 2u);
  std::string key = Publish(tablet, {*written});
  uint64_t rows = 0;
  Status s = remote.ScanTablet(storage::ScanTabletRequest{.volume = volume_, .tablet_id = tablet, .meta_key = key},
                               [&](std::vector<ColumnVector>&& cols) {
                                 rows += cols[0].size();
                                 return Status::OK();
                               });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(rows, 50u);
  EXPECT_EQ(remote.remote_calls(), 3u);
  EXPECT_EQ(remote.fallback_calls(), 1u);
}

TEST_F(TabletRpcTest, ARestartedNodeIsReachedAgainAtOnce) {
  ComputeNodeRegistry registry(5000);
  RemoteTabletService remote(&registry, nullptr);
  int port = server_->ports()[0];
  NodeInfo node{.id = 2, .host = "127.0.0.1", .heartbeat_port = 2, .rpc_port = static_cast<uint32_t>(port),
                .http_port = 2};
  ASSERT_TRUE(registry.Heartbeat(node, /*started_ms=*/1).ok());
  std::string txn = storage::NewTxnId();
  ASSERT_TRUE(remote.WriteRowset(Write(1, txn, 0, 0, 5)).ok());
  server_->Stop();
  auto down = remote.WriteRowset(Write(1, txn, 1, 0, 5));
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  EXPECT_TRUE(registry.Find(2)->suspect);
  EXPECT_EQ(remote.WriteRowset(Write(1, txn, 1, 0, 5)).status().code(), StatusCode::kUnavailable)
      << "no alive node and no fallback";
  // The node restarts on the same port and heartbeats: the next call reaches it.
  auto again = GrpcServer::Start(GrpcServerOptions{.addresses = {"127.0.0.1:" + std::to_string(port)}},
                                 {service_.get()});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  server_ = std::move(again).value();
  ASSERT_TRUE(registry.Heartbeat(node, /*started_ms=*/2).ok());
  auto up = remote.WriteRowset(Write(1, txn, 1, 0, 5));
  EXPECT_TRUE(up.ok()) << up.status().ToString();
}

}  // namespace
}  // namespace strata::server::cn

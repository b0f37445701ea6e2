// FeRpc heartbeats in one process: a HeartbeatLoop against an FeRpcService
// over a fake catalog registers the node once, keeps it alive, and copes with
// a catalog that cannot commit and with FEs that do not answer.
#include <gtest/gtest.h>

#include <mutex>

#include "server/cn/cn_test_util.h"
#include "server/cn/fe_rpc_service.h"
#include "server/cn/grpc_server.h"
#include "server/cn/heartbeat_loop.h"

namespace strata::server::cn {
namespace {

class FakeCatalog final : public CnCatalog {
 public:
  std::vector<NodeInfo> ComputeNodes() const override {
    std::lock_guard lock(mu);
    return nodes;
  }
  Result<uint64_t> AddComputeNode(const NodeInfo& node) override {
    std::lock_guard lock(mu);
    ++adds;
    if (!fail_with.ok()) return fail_with;
    NodeInfo n = node;
    n.id = next_id++;
    nodes.push_back(n);
    if (race_once) {  // another FE registered it first
      race_once = false;
      return AlreadyExists("compute node exists");
    }
    return n.id;
  }
  std::pair<std::string, std::string> Leader() const override { return {"127.0.0.1:8030", leader_rpc}; }
  std::vector<std::string> FrontendRpcAddresses() const override { return {leader_rpc}; }

  mutable std::mutex mu;
  std::vector<NodeInfo> nodes;
  uint64_t next_id = 10;
  int adds = 0;
  bool race_once = false;
  Status fail_with;
  std::string leader_rpc;
};

class FeRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<FeRpcService>(&registry_, &catalog_);
    auto server = GrpcServer::Start(GrpcServerOptions{.addresses = {"127.0.0.1:0"}}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    address_ = "127.0.0.1:" + std::to_string(server_->ports()[0]);
    catalog_.leader_rpc = address_;
  }

  HeartbeatLoopOptions Options(uint32_t heartbeat_port) {
    return HeartbeatLoopOptions{
        .fe_addresses = {address_},
        .self = NodeInfo{.host = "127.0.0.1", .heartbeat_port = heartbeat_port, .rpc_port = 19060, .http_port = 18040},
        .started_ms = 4242,
        .interval_ms = 50,
        .timeout_ms = 2000};
  }

  ComputeNodeRegistry registry_{5000};
  FakeCatalog catalog_;
  std::unique_ptr<FeRpcService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::string address_;
};

TEST_F(FeRpcTest, FirstHeartbeatRegistersLaterOnesOnlyKeepAlive) {
  HeartbeatLoop loop(Options(19050));
  loop.RunOnce();
  HeartbeatState s = loop.State();
  EXPECT_EQ(s.node_id, 10u);
  EXPECT_EQ(s.leader, "127.0.0.1:8030");
  ASSERT_EQ(catalog_.nodes.size(), 1u);
  EXPECT_EQ(catalog_.nodes[0].rpc_port, 19060u);
  auto st = registry_.Find(10);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->alive);
  EXPECT_EQ(st->started_ms, 4242);
  EXPECT_EQ(st->info.RpcAddress(), "127.0.0.1:19060");
  loop.RunOnce();
  loop.RunOnce();
  EXPECT_EQ(catalog_.adds, 1) << "a registered node is not added again";
  EXPECT_EQ(loop.State().node_id, 10u);
  EXPECT_TRUE(loop.State().frontends.at(address_).ok);
}

TEST_F(FeRpcTest, ARaceWithAnotherFeStillFindsTheId) {
  catalog_.race_once = true;
  HeartbeatLoop loop(Options(19051));
  loop.RunOnce();
  EXPECT_EQ(loop.State().node_id, 10u);
  EXPECT_TRUE(registry_.Find(10)->alive);
}

TEST_F(FeRpcTest, UnregisteredWhileTheCatalogCannotCommit) {
  catalog_.fail_with = Unavailable("no leader known; retry");
  HeartbeatLoop loop(Options(19052));
  loop.RunOnce();
  HeartbeatState s = loop.State();
  EXPECT_EQ(s.node_id, 0u);
  EXPECT_TRUE(s.frontends.at(address_).ok) << "the FE answered";
  EXPECT_NE(s.frontends.at(address_).error.find("no leader"), std::string::npos);
  EXPECT_TRUE(registry_.AliveNodes().empty());
  catalog_.fail_with = Status::OK();
  loop.RunOnce();
  EXPECT_EQ(loop.State().node_id, 10u);
}

TEST_F(FeRpcTest, BadHeartbeatIsRejected) {
  auto stub = strata::cn::FeRpc::NewStub(NewChannel(address_));
  grpc::ClientContext ctx;
  strata::cn::HeartbeatRequest req;
  req.set_host("h");
  req.set_heartbeat_port(70000);
  req.set_rpc_port(1);
  req.set_http_port(1);
  strata::cn::HeartbeatResponse resp;
  grpc::Status st = stub->Heartbeat(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(catalog_.adds, 0);
}

TEST_F(FeRpcTest, AnUnreachableFeIsReportedAndTheOthersStillHear) {
  // A second "FE" that is gone: its port is closed.
  std::string gone_address = "127.0.0.1:" + std::to_string(ClosedPort());
  HeartbeatLoopOptions options = Options(19053);
  options.fe_addresses.push_back(gone_address);
  HeartbeatLoop loop(options);
  loop.Start();
  for (int i = 0; i < 200 && loop.State().rounds < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  loop.Stop();
  HeartbeatState s = loop.State();
  EXPECT_GE(s.rounds, 3u);
  EXPECT_EQ(s.node_id, 10u);
  EXPECT_FALSE(s.frontends.at(gone_address).ok);
  EXPECT_GE(s.frontends.at(gone_address).failures_in_a_row, 3u);
  EXPECT_TRUE(s.frontends.at(address_).ok);
}

}  // namespace
}  // namespace strata::server::cn

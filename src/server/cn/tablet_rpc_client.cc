#include "server/cn/tablet_rpc_client.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "server/cn/cn_codec.h"

namespace strata::server::cn {
namespace {

void SetDeadline(grpc::ClientContext* ctx, int64_t timeout_ms) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
}

}  // namespace

TabletRpcClient::TabletRpcClient(std::string address, std::shared_ptr<grpc::Channel> channel,
                                 TabletRpcClientOptions options)
    : address_(std::move(address)), stub_(strata::cn::TabletRpc::NewStub(channel)), options_(options) {}

Result<storage::RowsetMeta> TabletRpcClient::WriteRowset(const storage::WriteRowsetRequest& r, CallInfo* info) {
  strata::cn::WriteRowsetRequest request;
  VolumeToProto(r.volume, request.mutable_volume());
  request.set_lineage(r.lineage);
  request.set_tablet_id(r.tablet_id);
  request.set_txn_id(r.txn_id);
  request.set_seq(r.seq);
  SchemaToProto(r.schema, request.mutable_schema());
  if (!r.schema.empty()) STRATA_RETURN_IF_ERROR(EncodeBatch(r.schema, r.columns, request.mutable_batch()));
  grpc::ClientContext ctx;
  SetDeadline(&ctx, options_.write_timeout_ms);
  strata::cn::WriteRowsetResponse response;
  grpc::Status st = stub_->WriteRowset(&ctx, request, &response);
  std::string context = fmt::format("WriteRowset tablet {} on compute node {}", r.tablet_id, address_);
  if (!st.ok()) {
    info->transport_failure = IsTransportFailure(st);
    return FromGrpcStatus(st, context);
  }
  return RowsetFromProto(response.rowset());
}

Status TabletRpcClient::ScanTablet(const storage::ScanTabletRequest& r, const storage::RowsetSink& sink,
                                   CallInfo* info) {
  strata::cn::ScanTabletRequest request;
  VolumeToProto(r.volume, request.mutable_volume());
  request.set_tablet_id(r.tablet_id);
  request.set_meta_key(r.meta_key);
  for (const std::string& c : r.options.columns) request.add_columns(c);
  grpc::ClientContext ctx;
  SetDeadline(&ctx, options_.scan_timeout_ms);
  std::string context = fmt::format("ScanTablet tablet {} on compute node {}", r.tablet_id, address_);
  std::unique_ptr<grpc::ClientReader<strata::cn::ScanTabletResponse>> reader = stub_->ScanTablet(&ctx, request);
  strata::cn::ScanTabletResponse message;
  Status failed;  // a decode or sink error: the stream is cancelled
  for (uint64_t batch = 0; failed.ok() && reader->Read(&message); ++batch) {
    std::vector<storage::ColumnVector> columns;
    if (message.columns() > 0) {
      auto decoded = DecodeBatch(message.batch(), fmt::format("{}: batch {}", context, batch), nullptr);
      if (!decoded.ok()) {
        failed = decoded.status();
        break;
      }
      columns = std::move(decoded).value();
      if (columns.size() != message.columns()) {
        failed = DataLoss(fmt::format("{}: batch {} holds {} columns, the message says {}", context, batch,
                                      columns.size(), message.columns()));
        break;
      }
    }
    info->rows_delivered = true;
    failed = sink(std::move(columns));
  }
  if (!failed.ok()) {
    ctx.TryCancel();
    (void)reader->Finish();
    return failed;
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) {
    info->transport_failure = IsTransportFailure(st);
    return FromGrpcStatus(st, context);
  }
  return Status::OK();
}

Result<storage::CompactionOutput> TabletRpcClient::Compact(const storage::CompactRequest& r, CallInfo* info) {
  strata::cn::CompactRequest request;
  VolumeToProto(r.volume, request.mutable_volume());
  request.set_lineage(r.lineage);
  request.set_tablet_id(r.tablet_id);
  request.set_base_meta_key(r.base_meta_key);
  request.set_txn_id(r.txn_id);
  PolicyToProto(r.policy, request.mutable_policy());
  grpc::ClientContext ctx;
  SetDeadline(&ctx, options_.compact_timeout_ms);
  strata::cn::CompactResponse response;
  grpc::Status st = stub_->Compact(&ctx, request, &response);
  std::string context = fmt::format("Compact tablet {} on compute node {}", r.tablet_id, address_);
  if (!st.ok()) {
    info->transport_failure = IsTransportFailure(st);
    return FromGrpcStatus(st, context);
  }
  auto out = CompactionFromProto(response);
  if (!out.ok()) return out.status().WithContext(context);
  return out;
}

Status TabletRpcClient::RunFragment(const storage::FragmentRequest& r, const storage::FragmentSink& sink,
                                    CallInfo* info) {
  strata::cn::RunFragmentRequest request;
  VolumeToProto(r.volume, request.mutable_volume());
  for (const auto& t : r.tablets) {
    strata::cn::FragmentTablet* out = request.add_tablets();
    out->set_tablet_id(t.tablet_id);
    out->set_meta_key(t.meta_key);
  }
  request.set_fragment(r.fragment);
  request.set_memory_limit_bytes(r.memory_limit_bytes);
  grpc::ClientContext ctx;
  SetDeadline(&ctx, options_.scan_timeout_ms);
  std::string context = fmt::format("query fragment over {} tablets on compute node {}", r.tablets.size(), address_);
  // The node may work a long while before its first chunk (a partial
  // aggregate answers at the end): a watchdog cancels the call as soon as
  // the query ends (KILL, timeout).
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(kFragmentStopPollMs), [&] { return done; })) {
      if (r.should_stop && r.should_stop()) {
        ctx.TryCancel();
        return;
      }
    }
  });
  auto stop_watchdog = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    watchdog.join();
  };
  std::unique_ptr<grpc::ClientReader<strata::cn::RunFragmentResponse>> reader = stub_->RunFragment(&ctx, request);
  strata::cn::RunFragmentResponse message;
  Status failed;  // a sink error: the stream is cancelled
  while (failed.ok() && reader->Read(&message)) {
    info->rows_delivered = true;
    failed = sink(std::move(*message.mutable_chunk()));
  }
  if (!failed.ok()) {
    ctx.TryCancel();
    (void)reader->Finish();
    stop_watchdog();
    return failed;
  }
  grpc::Status st = reader->Finish();
  stop_watchdog();
  if (!st.ok()) {
    info->transport_failure = IsTransportFailure(st);
    return FromGrpcStatus(st, context);
  }
  return Status::OK();
}

}  // namespace strata::server::cn

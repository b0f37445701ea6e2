#include "server/cn/tablet_rpc_service.h"

#include "common/failpoint.h"

#include <fmt/format.h>

#include "common/metrics.h"
#include "server/cn/cn_codec.h"

namespace strata::server::cn {
namespace {

Result<storage::WriteRowsetRequest> DecodeWrite(const strata::cn::WriteRowsetRequest& in) {
  storage::WriteRowsetRequest r;
  r.volume = VolumeFromProto(in.volume());
  r.lineage = in.lineage();
  r.tablet_id = in.tablet_id();
  r.txn_id = in.txn_id();
  r.seq = in.seq();
  STRATA_ASSIGN_OR_RETURN(r.schema, SchemaFromProto(in.schema()));
  if (r.schema.empty()) return r;  // the storage layer rejects it with its own words
  if (!in.has_batch()) return InvalidArgument("WriteRowset: no column batch");
  std::string what = fmt::format("batch for tablet {} txn {} seq {}", r.tablet_id, r.txn_id, r.seq);
  STRATA_ASSIGN_OR_RETURN(r.columns, DecodeBatch(in.batch(), what, &r.schema));
  return r;
}

storage::ScanTabletRequest DecodeScan(const strata::cn::ScanTabletRequest& in) {
  storage::ScanTabletRequest r;
  r.volume = VolumeFromProto(in.volume());
  r.tablet_id = in.tablet_id();
  r.meta_key = in.meta_key();
  r.options.columns.assign(in.columns().begin(), in.columns().end());
  return r;
}

storage::CompactRequest DecodeCompact(const strata::cn::CompactRequest& in) {
  storage::CompactRequest r;
  r.volume = VolumeFromProto(in.volume());
  r.lineage = in.lineage();
  r.tablet_id = in.tablet_id();
  r.base_meta_key = in.base_meta_key();
  r.txn_id = in.txn_id();
  r.policy = PolicyFromProto(in.policy());
  return r;
}

// TabletRpc calls served by this compute node, and those that ended in an error.
Counter& Calls(const char* method) {
  return MetricsRegistry::Global().GetCounter("strata_cn_rpc_calls_total", fmt::format("method=\"{}\"", method));
}

Counter& Errors(const char* method) {
  return MetricsRegistry::Global().GetCounter("strata_cn_rpc_errors_total", fmt::format("method=\"{}\"", method));
}

grpc::Status Answer(const char* method, const Status& status) {
  if (!status.ok()) Errors(method).Add();
  return ToGrpcStatus(status);
}

}  // namespace

grpc::Status TabletRpcService::WriteRowset(grpc::ServerContext*, const strata::cn::WriteRowsetRequest* request,
                                           strata::cn::WriteRowsetResponse* response) {
  Calls("WriteRowset").Add();
  auto decoded = DecodeWrite(*request);
  if (!decoded.ok()) return Answer("WriteRowset", decoded.status());
  // Crash tests kill the CN before and after the data file is stored.
  if (Status fp = failpoint::Hit("cn_before_write_rowset"); !fp.ok()) return Answer("WriteRowset", fp);
  auto rowset = backend_->WriteRowset(*decoded);
  if (!rowset.ok()) return Answer("WriteRowset", rowset.status());
  if (Status fp = failpoint::Hit("cn_after_write_rowset"); !fp.ok()) return Answer("WriteRowset", fp);
  RowsetToProto(*rowset, response->mutable_rowset());
  return grpc::Status::OK;
}

grpc::Status TabletRpcService::ScanTablet(grpc::ServerContext* context, const strata::cn::ScanTabletRequest* request,
                                          grpc::ServerWriter<strata::cn::ScanTabletResponse>* writer) {
  Calls("ScanTablet").Add();
  storage::ScanTabletRequest scan = DecodeScan(*request);
  std::string what = fmt::format("scan of tablet {}", scan.tablet_id);
  Status status = backend_->ScanTablet(scan, [&](std::vector<storage::ColumnVector>&& columns) -> Status {
    if (context->IsCancelled()) return Cancelled(what + ": the caller went away");
    strata::cn::ScanTabletResponse message;
    message.set_columns(static_cast<uint32_t>(columns.size()));
    if (!columns.empty()) {
      STRATA_RETURN_IF_ERROR(EncodeBatch(PositionalSchema(columns), columns, message.mutable_batch()));
    }
    if (!writer->Write(message)) return Cancelled(what + ": the stream to the caller broke");
    return Status::OK();
  });
  return Answer("ScanTablet", status);
}

grpc::Status TabletRpcService::Compact(grpc::ServerContext*, const strata::cn::CompactRequest* request,
                                       strata::cn::CompactResponse* response) {
  Calls("Compact").Add();
  auto output = backend_->Compact(DecodeCompact(*request));
  if (!output.ok()) return Answer("Compact", output.status());
  CompactionToProto(*output, response);
  return grpc::Status::OK;
}

grpc::Status TabletRpcService::RunFragment(grpc::ServerContext* context, const strata::cn::RunFragmentRequest* request,
                                           grpc::ServerWriter<strata::cn::RunFragmentResponse>* writer) {
  Calls("RunFragment").Add();
  if (!fragments_) return Answer("RunFragment", Unimplemented("this compute node runs no query fragments"));
  storage::FragmentRequest r;
  r.volume = VolumeFromProto(request->volume());
  for (const auto& t : request->tablets()) {
    if (t.meta_key().empty()) {
      return Answer("RunFragment", InvalidArgument(fmt::format("RunFragment: tablet {} without a version", t.tablet_id())));
    }
    r.tablets.push_back(storage::FragmentRequest::Tablet{.tablet_id = t.tablet_id(), .meta_key = t.meta_key()});
  }
  r.fragment = request->fragment();
  r.memory_limit_bytes = request->memory_limit_bytes();
  r.should_stop = [context] { return context->IsCancelled(); };
  Status status = fragments_(r, [&](std::string&& chunk) -> Status {
    strata::cn::RunFragmentResponse message;
    message.set_chunk(std::move(chunk));
    if (!writer->Write(message)) return Cancelled("query fragment: the stream to the caller broke");
    return Status::OK();
  });
  return Answer("RunFragment", status);
}

}  // namespace strata::server::cn

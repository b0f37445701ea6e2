#include "server/cn/cn_codec.h"

#include <fmt/format.h>

#include "storage/data_file_reader.h"
#include "storage/data_file_writer.h"
#include "storage/tablet_meta.h"

namespace strata::server::cn {

void VolumeToProto(const storage::VolumeRef& in, strata::cn::VolumeRef* out) {
  out->set_name(in.name);
  out->set_location(in.spec.location);
  out->set_endpoint(in.spec.endpoint);
  out->set_region(in.spec.region);
  out->set_access_key(in.spec.access_key.Reveal());
  out->set_secret_key(in.spec.secret_key.Reveal());
  out->set_path_style(in.spec.path_style);
}

storage::VolumeRef VolumeFromProto(const strata::cn::VolumeRef& in) {
  storage::VolumeRef v;
  v.name = in.name();
  v.spec.location = in.location();
  v.spec.endpoint = in.endpoint();
  v.spec.region = in.region();
  v.spec.access_key = Secret(in.access_key());
  v.spec.secret_key = Secret(in.secret_key());
  v.spec.path_style = in.path_style();
  return v;
}

void SchemaToProto(const std::vector<storage::ColumnSchema>& in,
                   google::protobuf::RepeatedPtrField<strata::cn::ColumnSchema>* out) {
  out->Clear();
  for (const storage::ColumnSchema& c : in) {
    strata::cn::ColumnSchema* p = out->Add();
    p->set_name(c.name);
    p->set_type(static_cast<uint32_t>(c.type.type));
    p->set_precision(c.type.precision);
    p->set_scale(c.type.scale);
    p->set_nullable(c.type.nullable);
  }
}

Result<std::vector<storage::ColumnSchema>> SchemaFromProto(
    const google::protobuf::RepeatedPtrField<strata::cn::ColumnSchema>& in) {
  std::vector<storage::ColumnSchema> out;
  out.reserve(in.size());
  for (const strata::cn::ColumnSchema& p : in) {
    if (p.type() < 1 || p.type() > storage::kDataTypeMax) {
      return InvalidArgument(fmt::format("column '{}': unknown type number {}", p.name(), p.type()));
    }
    storage::ColumnSchema c;
    c.name = p.name();
    c.type.type = static_cast<storage::DataType>(p.type());
    c.type.precision = p.precision();
    c.type.scale = p.scale();
    c.type.nullable = p.nullable();
    STRATA_RETURN_IF_ERROR(storage::ValidateColumnSchema(c));
    out.push_back(std::move(c));
  }
  return out;
}

void RowsetToProto(const storage::RowsetMeta& in, strata::cn::Rowset* out) {
  out->set_data_file(in.data_file);
  out->set_rows(in.rows);
  out->set_size_bytes(in.size_bytes);
  out->set_version(in.version);
}

storage::RowsetMeta RowsetFromProto(const strata::cn::Rowset& in) {
  return storage::RowsetMeta{
      .data_file = in.data_file(), .rows = in.rows(), .size_bytes = in.size_bytes(), .version = in.version()};
}

std::vector<storage::ColumnSchema> PositionalSchema(std::span<const storage::ColumnVector> columns) {
  std::vector<storage::ColumnSchema> schema;
  schema.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    schema.push_back(storage::ColumnSchema{.name = fmt::format("c{}", i), .type = columns[i].type()});
  }
  return schema;
}

Status EncodeBatch(const std::vector<storage::ColumnSchema>& schema, std::span<const storage::ColumnVector> columns,
                   strata::cn::ColumnBatch* out) {
  STRATA_ASSIGN_OR_RETURN(auto writer, storage::DataFileWriter::Create(
                                           schema, storage::DataFileWriterOptions{
                                                       .compression = storage::Compression::kLz4}));
  STRATA_RETURN_IF_ERROR(writer->Append(columns));
  uint64_t rows = writer->num_rows();
  STRATA_ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
  if (bytes.size() > static_cast<size_t>(kRpcMessageBytesMax) - 4096) {
    return ResourceExhausted(fmt::format("a batch of {} rows encodes to {} bytes, more than one RPC message may "
                                         "carry ({}); split it",
                                         rows, bytes.size(), kRpcMessageBytesMax));
  }
  out->set_data_file(std::move(bytes));
  out->set_rows(rows);
  return Status::OK();
}

Result<std::vector<storage::ColumnVector>> DecodeBatch(const strata::cn::ColumnBatch& batch, std::string_view what,
                                                       const std::vector<storage::ColumnSchema>* expected) {
  auto reader = storage::DataFileReader::OpenBytes(batch.data_file(), std::string(what));
  if (!reader.ok()) return reader.status().WithContext(std::string(what));
  const storage::FileFooter& footer = (*reader)->footer();
  if (footer.num_rows != batch.rows()) {
    return DataLoss(fmt::format("{}: the batch says {} rows, its data file holds {}", what, batch.rows(),
                                footer.num_rows));
  }
  if (expected != nullptr && footer.schema != *expected) {
    return InvalidArgument(fmt::format("{}: the batch's {} columns do not match the request's schema of {} columns "
                                       "(names and types must agree)",
                                       what, footer.schema.size(), expected->size()));
  }
  auto read = (*reader)->Read(storage::ReadOptions{});
  if (!read.ok()) return read.status().WithContext(std::string(what));
  return std::move(read->columns);
}

void PolicyToProto(const storage::CompactionPolicy& in, strata::cn::CompactionPolicy* out) {
  out->set_min_rowsets(in.min_rowsets);
  out->set_input_rowsets_max(in.input_rowsets_max);
  out->set_input_bytes_max(in.input_bytes_max);
}

storage::CompactionPolicy PolicyFromProto(const strata::cn::CompactionPolicy& in) {
  return storage::CompactionPolicy{.min_rowsets = in.min_rowsets(),
                                   .input_rowsets_max = in.input_rowsets_max(),
                                   .input_bytes_max = in.input_bytes_max()};
}

void CompactionToProto(const storage::CompactionOutput& in, strata::cn::CompactResponse* out) {
  out->set_compacted(in.compacted);
  out->set_new_meta_key(in.new_meta_key);
  if (in.compacted) out->set_new_meta(storage::EncodeTabletMeta(in.new_meta));
  out->set_input_rowsets(in.input_rowsets);
  out->set_input_bytes(in.input_bytes);
  out->set_output_bytes(in.output_bytes);
}

Result<storage::CompactionOutput> CompactionFromProto(const strata::cn::CompactResponse& in) {
  storage::CompactionOutput out;
  out.compacted = in.compacted();
  out.new_meta_key = in.new_meta_key();
  if (out.compacted) {
    STRATA_ASSIGN_OR_RETURN(out.new_meta, storage::DecodeTabletMeta(in.new_meta(), in.new_meta_key()));
  }
  out.input_rowsets = in.input_rowsets();
  out.input_bytes = in.input_bytes();
  out.output_bytes = in.output_bytes();
  return out;
}

namespace {

// Strata's codes and gRPC's are both Abseil's canonical set; only the
// numbering differs.
grpc::StatusCode ToGrpcCode(StatusCode c) {
  switch (c) {
    case StatusCode::kOk: return grpc::StatusCode::OK;
    case StatusCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case StatusCode::kAlreadyExists: return grpc::StatusCode::ALREADY_EXISTS;
    case StatusCode::kFailedPrecondition: return grpc::StatusCode::FAILED_PRECONDITION;
    case StatusCode::kAborted: return grpc::StatusCode::ABORTED;
    case StatusCode::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kDeadlineExceeded: return grpc::StatusCode::DEADLINE_EXCEEDED;
    case StatusCode::kResourceExhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case StatusCode::kPermissionDenied: return grpc::StatusCode::PERMISSION_DENIED;
    case StatusCode::kUnauthenticated: return grpc::StatusCode::UNAUTHENTICATED;
    case StatusCode::kDataLoss: return grpc::StatusCode::DATA_LOSS;
    case StatusCode::kCancelled: return grpc::StatusCode::CANCELLED;
    case StatusCode::kUnimplemented: return grpc::StatusCode::UNIMPLEMENTED;
    case StatusCode::kInternal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::UNKNOWN;
}

StatusCode FromGrpcCode(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK: return StatusCode::kOk;
    case grpc::StatusCode::INVALID_ARGUMENT: return StatusCode::kInvalidArgument;
    case grpc::StatusCode::NOT_FOUND: return StatusCode::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS: return StatusCode::kAlreadyExists;
    case grpc::StatusCode::FAILED_PRECONDITION: return StatusCode::kFailedPrecondition;
    case grpc::StatusCode::ABORTED: return StatusCode::kAborted;
    case grpc::StatusCode::UNAVAILABLE: return StatusCode::kUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return StatusCode::kDeadlineExceeded;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return StatusCode::kResourceExhausted;
    case grpc::StatusCode::PERMISSION_DENIED: return StatusCode::kPermissionDenied;
    case grpc::StatusCode::UNAUTHENTICATED: return StatusCode::kUnauthenticated;
    case grpc::StatusCode::DATA_LOSS: return StatusCode::kDataLoss;
    case grpc::StatusCode::CANCELLED: return StatusCode::kCancelled;
    case grpc::StatusCode::UNIMPLEMENTED: return StatusCode::kUnimplemented;
    case grpc::StatusCode::OUT_OF_RANGE: return StatusCode::kInvalidArgument;
    default: return StatusCode::kInternal;  // UNKNOWN and anything newer
  }
}

bool IsApplicationError(const grpc::Status& status) {
  return status.error_details().rfind(kStrataErrorPrefix, 0) == 0;
}

}  // namespace

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcCode(status.code()), status.message(),
                      std::string(kStrataErrorPrefix) + std::string(StatusCodeName(status.code())));
}

bool IsTransportFailure(const grpc::Status& status) {
  return !status.ok() && !IsApplicationError(status) && status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

Status FromGrpcStatus(const grpc::Status& status, std::string_view context) {
  if (status.ok()) return Status::OK();
  if (IsApplicationError(status)) {
    return Status(FromGrpcCode(status.error_code()), status.error_message()).WithContext(std::string(context));
  }
  // Failed in gRPC itself: unreachable peer, deadline, message too large.
  StatusCode code = FromGrpcCode(status.error_code());
  return Status(code, fmt::format("{}: rpc failed: {}", context, status.error_message()));
}

}  // namespace strata::server::cn

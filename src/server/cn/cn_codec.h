// Conversions between Strata's storage types and the strata_cn.proto
// messages, and between Status and grpc::Status.
//
// Column batches are encoded as in-memory Strata data files (lz4): the
// receiver decodes them with DataFileReader::OpenBytes, which verifies every
// page's CRC-32C, so bytes damaged in transit are DataLoss, never wrong rows.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/result.h"
#include "server/cn/strata_cn.pb.h"
#include "storage/column_vector.h"
#include "storage/compaction.h"
#include "storage/tablet_service.h"

namespace strata::server::cn {

// The largest message either side sends or accepts (one batch, one rowset's
// scanned rows). A write bigger than this must be split by the caller.
inline constexpr int kRpcMessageBytesMax = 256 << 20;

// The gRPC error_details prefix marking an application error (the handler
// ran and failed) as opposed to a transport failure.
inline constexpr std::string_view kStrataErrorPrefix = "strata:";

void VolumeToProto(const storage::VolumeRef& in, strata::cn::VolumeRef* out);
storage::VolumeRef VolumeFromProto(const strata::cn::VolumeRef& in);

void SchemaToProto(const std::vector<storage::ColumnSchema>& in,
                   google::protobuf::RepeatedPtrField<strata::cn::ColumnSchema>* out);
// InvalidArgument for an unknown type number or a bad column (ValidateColumnSchema).
Result<std::vector<storage::ColumnSchema>> SchemaFromProto(
    const google::protobuf::RepeatedPtrField<strata::cn::ColumnSchema>& in);

void RowsetToProto(const storage::RowsetMeta& in, strata::cn::Rowset* out);
storage::RowsetMeta RowsetFromProto(const strata::cn::Rowset& in);

// Encodes `columns` (one per schema column, equal lengths) as a data file.
// InvalidArgument as DataFileWriter::Append (a NULL in a NOT NULL column, a
// type mismatch); ResourceExhausted when the encoded batch exceeds
// kRpcMessageBytesMax.
Status EncodeBatch(const std::vector<storage::ColumnSchema>& schema, std::span<const storage::ColumnVector> columns,
                   strata::cn::ColumnBatch* out);
// A schema for a batch of scanned columns: their types, named c0, c1, ...
std::vector<storage::ColumnSchema> PositionalSchema(std::span<const storage::ColumnVector> columns);

// Decodes a batch. DataLoss (naming `what`) for damaged bytes or a row count
// that disagrees with the footer; InvalidArgument if `expected` is given and
// the batch's columns differ from it (names, types, count).
Result<std::vector<storage::ColumnVector>> DecodeBatch(const strata::cn::ColumnBatch& batch, std::string_view what,
                                                       const std::vector<storage::ColumnSchema>* expected);

void PolicyToProto(const storage::CompactionPolicy& in, strata::cn::CompactionPolicy* out);
storage::CompactionPolicy PolicyFromProto(const strata::cn::CompactionPolicy& in);
void CompactionToProto(const storage::CompactionOutput& in, strata::cn::CompactResponse* out);
// DataLoss if the tablet metadata bytes are damaged.
Result<storage::CompactionOutput> CompactionFromProto(const strata::cn::CompactResponse& in);

// A handler's status as the gRPC status it returns (error_details marks it
// as an application error).
grpc::Status ToGrpcStatus(const Status& status);

// How a call ended, as a Strata status with `context`: an application error
// keeps the handler's code and message; a transport failure is Unavailable
// (the node may be down) or DeadlineExceeded (outcome unknown).
Status FromGrpcStatus(const grpc::Status& status, std::string_view context);
// True if the call failed before (or without) reaching a handler: the node is
// unreachable. Such a call may be retried on another node.
bool IsTransportFailure(const grpc::Status& status);

}  // namespace strata::server::cn

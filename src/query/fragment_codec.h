// Bytes for what a plan fragment needs on the wire between the FE and the
// compute nodes (docs/formats/query-fragment.md): the fragment itself (a
// plan over one scan, distribute.h) and the chunks of rows it returns.
//
//   std::string bytes = EncodeFragment(plan);          // FE
//   Result<PlanPtr> plan = DecodeFragment(bytes);      // CN
//   std::string out = EncodeChunk(chunk);              // CN, per result chunk
//   Result<Chunk> chunk = DecodeChunk(out);            // FE
//
// Both formats end in a CRC-32C of everything before it; damaged, truncated
// or unknown bytes decode to DataLoss (InvalidArgument for a well-formed
// fragment that refers to columns its input does not have), never to a
// plan or rows. A fragment holds only the node kinds a CN runs: scan,
// filter, project, aggregate, sort (top-N) and limit. The scan carries the
// table's schema, projection and pruning predicates, not its partitions:
// the tablets to read travel beside the fragment.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <string_view>

#include "common/result.h"
#include "query/plan.h"

namespace strata::query {

// InvalidArgument when `fragment` holds a node kind fragments cannot carry.
Result<std::string> EncodeFragment(const PlanNode& fragment);
Result<PlanPtr> DecodeFragment(std::string_view bytes);

std::string EncodeChunk(const Chunk& chunk);
Result<Chunk> DecodeChunk(std::string_view bytes);

// A MySQL error raised while running a fragment travels in the status
// message as "[mysql-error NNNN] message" so the FE raises the same error.
std::string SqlErrorMark(uint16_t code, const std::string& message);
// The code and message of the first mark in `message`, if any.
std::optional<std::pair<uint16_t, std::string>> FindSqlErrorMark(std::string_view message);

// The fragment's scan (the leaf its single-child chain ends in).
const PlanNode& FragmentScan(const PlanNode& fragment);
PlanNode& FragmentScan(PlanNode& fragment);

}  // namespace strata::query

// Parallel CSV loading: a stream-load CSV body cut into pieces at record
// boundaries, each piece read (CsvReader), typed (RowBatchBuilder) and routed
// (Router) on one of a few threads, and the pieces' per-tablet rows joined in
// body order.
//
// The result is the same as LoadCsv over the whole body followed by
// Router::Route: the same rows in the same order in every tablet, the
// same counts, and the same messages — the first error_messages_max messages
// of filtered rows in body order, then the first error_messages_max "no
// partition" messages in body order. Record and line numbers, and
// skip_header, count over the whole body.
//
//   STRATA_ASSIGN_OR_RETURN(load::Router router, load::Router::Make(table, schema, partitions));
//   STRATA_ASSIGN_OR_RETURN(load::RoutedLoad routed,
//                           load::LoadCsvRouted(schema, options, csv, body, router, {.threads = 2}));
//
// Thread-safety: LoadCsvRouted may be called concurrently; it starts and joins
// its own threads (at most ParallelOptions::threads) and only reads `body`
// and `router`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "load/csv_parser.h"
#include "load/router.h"
#include "load/row_batch_builder.h"
#include "load/schema.h"

namespace strata::load {

inline constexpr size_t kLoadThreadsMax = 64;
inline constexpr size_t kCsvPieceBytesDefault = 4u << 20;

struct ParallelOptions {
  size_t threads = 2;                          // 1..kLoadThreadsMax
  size_t piece_bytes = kCsvPieceBytesDefault;  // about this many bytes per piece (>= 1)
};

// Cuts `body` into pieces of about `piece_bytes` bytes, each but the last
// ending just after a row delimiter. The cut is exact only when a row
// delimiter byte always ends a record, so the body stays one piece unless: no
// enclose, no escape, the row delimiter is one byte, and the column separator
// does not contain that byte. The pieces, concatenated, are `body`.
std::vector<std::string_view> SplitCsvBody(std::string_view body, const CsvOptions& csv, size_t piece_bytes);

// A loaded body, routed to tablets.
struct RoutedLoad {
  std::vector<TabletRows> tablets;  // non-empty ones, by (partition_id, bucket_index); TabletRows::rows empty
  uint64_t rows_total = 0;          // records read (header and blank ones excluded)
  uint64_t rows_loaded = 0;         // rows in `tablets`
  uint64_t rows_filtered = 0;       // rows_total - rows_loaded: malformed, unparsable, in no partition
  std::vector<std::string> errors;  // as the file comment says
};

// Reads, types and routes a whole CSV body. InvalidArgument for bad CSV
// options or a bad mapping (as RowBatchBuilder::Make); `router` must be made
// for `schema`.
Result<RoutedLoad> LoadCsvRouted(const std::vector<TableColumn>& schema, const BuilderOptions& options,
                                 const CsvOptions& csv, std::string_view body, const Router& router,
                                 ParallelOptions parallel = {});

}  // namespace strata::load

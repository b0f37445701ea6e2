// SourceRow: one record of a load body (a CSV line, a JSON object) as text
// fields, before typing. The readers (csv_parser.h, json_parser.h) produce it;
// RowBatchBuilder (row_batch_builder.h) types it into column batches.
//
// Thread-safety: value type; the string_views point into the body or into the
// reader that produced the row, valid until that reader's next call.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::load {

struct SourceField {
  std::string_view text;
  bool is_null = false;
  // JSON only: the object has no such field. The builder then uses the
  // column's default value, or NULL when it has none.
  bool is_missing = false;
};

// Longest record the builder accepts by default (StarRocks' max row size is similar).
inline constexpr uint64_t kRowSizeMaxBytesDefault = 1ull << 20;

struct SourceRow {
  uint64_t record_number = 0;  // 1-based ordinal of the record in the body (CSV: header and blank lines count)
  uint64_t line_number = 0;    // 1-based line of the body ('\n'-separated) on which the record starts
  uint64_t size_bytes = 0;   // raw bytes of the record in the body
  std::vector<SourceField> fields;
  // Not OK when the record is malformed (unterminated quote, bad JSON ...): the
  // builder filters the row with this message; `fields` is then meaningless.
  Status error;
};

}  // namespace strata::load

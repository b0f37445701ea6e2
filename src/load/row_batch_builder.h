// RowBatchBuilder: types the records of a load body (SourceRow, from the CSV or
// JSON reader) into one ColumnVector per table column, filtering bad rows.
//
// Column mapping (the stream-load `columns` header): the i-th source field
// feeds the table column named by the i-th name (ASCII case-insensitive); a
// name that is no table column is read and skipped. Without a header the
// source fields are the table's columns in order. A table column that is not
// mapped gets its DEFAULT (CURRENT_TIMESTAMP: BuilderOptions::now_micros), or
// NULL when nullable; a NOT NULL column without a default must be mapped. A
// mapped column whose JSON member is absent (SourceField::is_missing) gets its
// DEFAULT too, or NULL.
//
// A row is filtered (counted, never appended, its message kept among the first
// error_messages_max) when: the reader marked it malformed, it is longer than
// row_size_max_bytes, its field count differs from the mapping, a value does
// not parse for its column, or a NOT NULL column would get NULL. Messages read
// "line 3: column 'k1': 'abc' is not a valid INT" ("row R (line L): ..." when
// the record number differs from the line). Whether the load then fails is the
// caller's call: see ExceedsFilterRatio.
//
//   STRATA_ASSIGN_OR_RETURN(LoadBatch batch, LoadCsv(schema, {.columns = cols}, csv_options, body));
//   if (ExceedsFilterRatio(batch, max_filter_ratio)) ... fail the load with batch.errors
//
// Thread-safety: a builder is used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "load/csv_parser.h"
#include "load/json_parser.h"
#include "load/schema.h"
#include "load/source_row.h"
#include "storage/column_vector.h"

namespace strata::load {

inline constexpr size_t kErrorMessagesMaxDefault = 20;
inline constexpr size_t kColumnsHeaderNamesMax = 10000;

struct BuilderOptions {
  std::vector<std::string> columns;  // the `columns` header (ParseColumnsHeader); empty: the table's columns
  uint64_t row_size_max_bytes = kRowSizeMaxBytesDefault;
  size_t error_messages_max = kErrorMessagesMaxDefault;
  int64_t now_micros = 0;  // the value of DEFAULT CURRENT_TIMESTAMP, microseconds since the epoch
};

struct LoadBatch {
  std::vector<storage::ColumnVector> columns;  // one per table column, in table order, rows_loaded rows each
  std::vector<uint64_t> line_numbers;          // per loaded row: the body line it came from
  uint64_t rows_total = 0;                     // records read (header and blank lines excluded)
  uint64_t rows_loaded = 0;
  uint64_t rows_filtered = 0;
  std::vector<std::string> errors;  // the first error_messages_max filtered-row messages, in body order
};

// Splits a `columns` header ("k1, k2,`v`") into names (backquotes and spaces
// removed). InvalidArgument for an empty name, an expression ("k=..."; not
// supported yet: Unimplemented) or more than kColumnsHeaderNamesMax names.
Result<std::vector<std::string>> ParseColumnsHeader(std::string_view header_value);

// True when rows_filtered / rows_total > max_filter_ratio (StarRocks' rule;
// an empty load never exceeds).
bool ExceedsFilterRatio(const LoadBatch& batch, double max_filter_ratio);

class RowBatchBuilder {
 public:
  // InvalidArgument when a table column is named twice in options.columns, a
  // NOT NULL column without default is not mapped, or a DEFAULT does not parse
  // for its column.
  static Result<RowBatchBuilder> Make(std::vector<TableColumn> schema, BuilderOptions options);

  // The source field names, in source order (what a JSON reader looks up).
  const std::vector<std::string>& source_fields() const { return source_fields_; }

  // Appends the row to the batch, or filters it (see the file comment).
  void Add(const SourceRow& row);

  // Room for `rows` more rows (an allocation hint).
  void Reserve(size_t rows);

  // The batch so far; the builder is left empty.
  LoadBatch Finish();

 private:
  RowBatchBuilder() = default;
  void Filter(const SourceRow& row, std::string_view reason);
  // Parses the row into staged_; false (and the reason) when it must be filtered.
  bool Stage(const SourceRow& row, std::string* reason);

  std::vector<TableColumn> schema_;
  BuilderOptions options_;
  std::vector<std::string> source_fields_;
  std::vector<std::optional<size_t>> mapping_;   // source field -> table column (nullopt: skipped)
  std::vector<bool> mapped_;                     // table column -> fed by a source field
  std::vector<std::optional<storage::Datum>> defaults_;  // table column -> DEFAULT value (nullopt: none)
  std::vector<storage::Datum> staged_;           // the row being typed, one per table column
  LoadBatch batch_;
};

// Reads a whole CSV body. InvalidArgument for bad options or mapping (as Make).
Result<LoadBatch> LoadCsv(const std::vector<TableColumn>& schema, BuilderOptions options, const CsvOptions& csv,
                          std::string_view body);

// Reads a whole JSON body (json.row_size_max_bytes is taken from options).
// InvalidArgument for bad options or mapping, or a body whose outer structure
// is broken (JsonReader::Next); then nothing may be loaded.
Result<LoadBatch> LoadJson(const std::vector<TableColumn>& schema, BuilderOptions options, JsonOptions json,
                           std::string_view body);

}  // namespace strata::load

// Source rows to typed column batches (row_batch_builder.h).
#include "load/row_batch_builder.h"

#include <utility>

#include "common/check.h"
#include "load/value_parse.h"

namespace strata::load {
namespace {

using storage::DataType;
using storage::Datum;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Location(const SourceRow& row) {
  if (row.record_number == row.line_number) return "line " + std::to_string(row.line_number);
  return "row " + std::to_string(row.record_number) + " (line " + std::to_string(row.line_number) + ")";
}

Result<std::optional<Datum>> DefaultOf(const TableColumn& c, int64_t now_micros) {
  if (!c.default_value) return std::optional<Datum>();
  if (c.type.type.type == DataType::kDateTime && *c.default_value == "CURRENT_TIMESTAMP") {
    return std::optional<Datum>(Datum(now_micros));
  }
  Result<Datum> v = ParseValue(c.type, *c.default_value);
  if (!v.ok()) return v.status().WithContext("column '" + c.name + "' DEFAULT");
  return std::optional<Datum>(std::move(v).value());
}

}  // namespace

Result<std::vector<std::string>> ParseColumnsHeader(std::string_view header_value) {
  std::vector<std::string> names;
  while (true) {  // bounded by kColumnsHeaderNamesMax
    size_t comma = header_value.find(',');
    std::string_view name = Trim(header_value.substr(0, comma));
    if (name.size() >= 2 && name.front() == '`' && name.back() == '`') name = name.substr(1, name.size() - 2);
    if (name.empty()) return InvalidArgument("columns has an empty column name");
    if (name.find('=') != std::string_view::npos) {
      return Unimplemented("columns expressions ('" + std::string(name) + "') are not supported yet");
    }
    names.emplace_back(name);
    if (names.size() > kColumnsHeaderNamesMax) return InvalidArgument("columns names too many columns");
    if (comma == std::string_view::npos) return names;
    header_value.remove_prefix(comma + 1);
  }
}

bool ExceedsFilterRatio(const LoadBatch& batch, double max_filter_ratio) {
  if (batch.rows_total == 0) return false;
  return static_cast<double>(batch.rows_filtered) > max_filter_ratio * static_cast<double>(batch.rows_total);
}

Result<RowBatchBuilder> RowBatchBuilder::Make(std::vector<TableColumn> schema, BuilderOptions options) {
  RowBatchBuilder b;
  b.mapped_.assign(schema.size(), false);
  b.source_fields_ = options.columns;
  if (b.source_fields_.empty()) {
    for (const TableColumn& c : schema) b.source_fields_.push_back(c.name);
  }
  for (const std::string& name : b.source_fields_) {
    std::optional<size_t> col = FindColumn(schema, name);
    if (col && b.mapped_[*col]) return InvalidArgument("column '" + name + "' is named twice in columns");
    if (col) b.mapped_[*col] = true;
    b.mapping_.push_back(col);
  }
  for (size_t i = 0; i < schema.size(); ++i) {
    const TableColumn& c = schema[i];
    STRATA_ASSIGN_OR_RETURN(std::optional<Datum> d, DefaultOf(c, options.now_micros));
    if (!b.mapped_[i] && !d && !c.type.type.nullable) {
      return InvalidArgument("column '" + c.name + "' is NOT NULL, has no default value and is not in columns");
    }
    b.defaults_.push_back(std::move(d));
    b.batch_.columns.emplace_back(c.type.type);
  }
  b.staged_.resize(schema.size());
  b.schema_ = std::move(schema);
  b.options_ = std::move(options);
  return b;
}

void RowBatchBuilder::Filter(const SourceRow& row, std::string_view reason) {
  ++batch_.rows_filtered;
  if (batch_.errors.size() < options_.error_messages_max) {
    batch_.errors.push_back(Location(row) + ": " + std::string(reason));
  }
}

bool RowBatchBuilder::Stage(const SourceRow& row, std::string* reason) {
  if (row.size_bytes > options_.row_size_max_bytes) {
    *reason = "row is " + std::to_string(row.size_bytes) + " bytes, more than the maximum " +
              std::to_string(options_.row_size_max_bytes);
    return false;
  }
  if (row.fields.size() != mapping_.size()) {
    *reason = "expected " + std::to_string(mapping_.size()) + " columns, got " + std::to_string(row.fields.size());
    return false;
  }
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (!mapped_[i]) staged_[i] = defaults_[i].value_or(Datum());
  }
  for (size_t f = 0; f < mapping_.size(); ++f) {
    if (!mapping_[f]) continue;
    const size_t i = *mapping_[f];
    const TableColumn& c = schema_[i];
    const SourceField& field = row.fields[f];
    if (field.is_missing) {
      staged_[i] = defaults_[i].value_or(Datum());
    } else if (field.is_null) {
      staged_[i] = Datum();
    } else {
      Result<Datum> v = ParseValue(c.type, field.text);
      if (!v.ok()) {
        *reason = "column '" + c.name + "': " + v.status().message();
        return false;
      }
      staged_[i] = std::move(v).value();
    }
    if (staged_[i].index() == 0 && !c.type.type.nullable) {
      *reason = "column '" + c.name + "': NULL in a NOT NULL column";
      return false;
    }
  }
  return true;
}

void RowBatchBuilder::Add(const SourceRow& row) {
  ++batch_.rows_total;
  if (!row.error.ok()) {
    Filter(row, row.error.message());
    return;
  }
  std::string reason;
  if (!Stage(row, &reason)) {
    Filter(row, reason);
    return;
  }
  for (size_t i = 0; i < schema_.size(); ++i) AppendDatum(batch_.columns[i], std::move(staged_[i]));
  batch_.line_numbers.push_back(row.line_number);
  ++batch_.rows_loaded;
}

void RowBatchBuilder::Reserve(size_t rows) {
  for (storage::ColumnVector& c : batch_.columns) c.Reserve(c.size() + rows);
  batch_.line_numbers.reserve(batch_.line_numbers.size() + rows);
}

LoadBatch RowBatchBuilder::Finish() {
  LoadBatch out = std::move(batch_);
  batch_ = LoadBatch();
  for (const TableColumn& c : schema_) batch_.columns.emplace_back(c.type.type);
  return out;
}

Result<LoadBatch> LoadCsv(const std::vector<TableColumn>& schema, BuilderOptions options, const CsvOptions& csv,
                          std::string_view body) {
  STRATA_RETURN_IF_ERROR(ValidateCsvOptions(csv));
  STRATA_ASSIGN_OR_RETURN(RowBatchBuilder builder, RowBatchBuilder::Make(schema, std::move(options)));
  CsvReader reader(body, csv);
  SourceRow row;
  while (reader.Next(&row)) builder.Add(row);  // bounded: the reader consumes the body
  return builder.Finish();
}

Result<LoadBatch> LoadJson(const std::vector<TableColumn>& schema, BuilderOptions options, JsonOptions json,
                           std::string_view body) {
  json.row_size_max_bytes = options.row_size_max_bytes;
  STRATA_ASSIGN_OR_RETURN(RowBatchBuilder builder, RowBatchBuilder::Make(schema, std::move(options)));
  STRATA_ASSIGN_OR_RETURN(auto reader, JsonReader::Make(body, std::move(json), builder.source_fields()));
  SourceRow row;
  while (true) {  // bounded: the reader consumes the body
    Result<bool> more = reader->Next(&row);
    if (!more.ok()) return more.status().WithContext("JSON body");
    if (!*more) break;
    builder.Add(row);
  }
  return builder.Finish();
}

}  // namespace strata::load

#include "storage/data_file_writer.h"

#include <cmath>
#include <optional>
#include <set>
#include <type_traits>

#include "common/check.h"
#include "storage/page.h"

namespace strata::storage {

namespace {

// The smallest and largest value of rows [begin, end) of one kind, first wins on ties.
template <typename T, typename Get>
void MinMax(const ColumnVector& col, size_t begin, size_t end, Get get, ColumnStats* s, bool* nan) {
  const T* mn = nullptr;
  const T* mx = nullptr;
  T min_v{}, max_v{};
  for (size_t i = begin; i < end; ++i) {
    if (col.IsNull(i)) {
      ++s->null_count;
      continue;
    }
    ++s->value_count;
    decltype(auto) v = get(i);
    if constexpr (std::is_same_v<T, double>) {
      if (std::isnan(v)) {
        *nan = true;
        continue;
      }
    }
    if (mn == nullptr || v < *mn) { min_v = v; mn = &min_v; }
    if (mx == nullptr || *mx < v) { max_v = v; mx = &max_v; }
  }
  if (mn != nullptr) s->min = Datum(std::move(min_v));
  if (mx != nullptr) s->max = Datum(std::move(max_v));
}

}  // namespace

ColumnStats PageStats(const ColumnVector& col, size_t begin, size_t end) {
  ColumnStats s;
  bool nan = false;
  switch (col.kind()) {
    case PhysicalKind::kInt64:
      MinMax<int64_t>(col, begin, end, [&](size_t i) { return col.GetInt(i); }, &s, &nan);
      break;
    case PhysicalKind::kInt128:
      MinMax<int128>(col, begin, end, [&](size_t i) { return col.GetWide(i); }, &s, &nan);
      break;
    case PhysicalKind::kDouble: {
      const bool as_float = col.type().type == DataType::kFloat;
      MinMax<double>(col, begin, end, [&](size_t i) {
        return as_float ? static_cast<double>(static_cast<float>(col.GetDouble(i))) : col.GetDouble(i);
      }, &s, &nan);
      break;
    }
    case PhysicalKind::kBytes: {  // by reference: no copy per value
      std::optional<std::string_view> mn, mx;
      for (size_t i = begin; i < end; ++i) {
        if (col.IsNull(i)) {
          ++s.null_count;
          continue;
        }
        ++s.value_count;
        const std::string_view v = col.GetString(i);
        if (!mn || v < *mn) mn = v;
        if (!mx || v > *mx) mx = v;
      }
      if (mn) s.min = std::string(mn->substr(0, kStatStringBytesMax));
      if (mx && mx->size() <= kStatStringBytesMax) s.max = std::string(*mx);
      break;
    }
  }
  if (nan) s.min = s.max = Datum();
  return s;
}

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Create(std::vector<ColumnSchema> schema,
                                                               DataFileWriterOptions options) {
  if (schema.empty() || schema.size() > kColumnsMax) return InvalidArgument("schema needs 1..10000 columns");
  std::set<std::string> names;
  for (const ColumnSchema& c : schema) {
    STRATA_RETURN_IF_ERROR(ValidateColumnSchema(c));
    if (!names.insert(c.name).second) return InvalidArgument("duplicate column " + c.name);
  }
  if (options.row_group_rows_max == 0 || options.page_rows_max == 0 || options.page_rows_max > kPageRowsMax ||
      static_cast<uint8_t>(options.compression) > kCompressionMax) {
    return InvalidArgument("bad data file writer options");
  }
  return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(schema), options));
}

DataFileWriter::DataFileWriter(std::vector<ColumnSchema> schema, DataFileWriterOptions options)
    : options_(options) {
  footer_.compression = options.compression;
  footer_.schema = std::move(schema);
  footer_.column_stats.resize(footer_.schema.size());
  for (const ColumnSchema& c : footer_.schema) pending_.emplace_back(c.type);
  out_.append(kDataFileMagic);
}

Status DataFileWriter::Append(std::span<const ColumnVector> batch) {
  if (finished_) return FailedPrecondition("Append after Finish");
  if (batch.size() != footer_.schema.size()) {
    return InvalidArgument("batch has " + std::to_string(batch.size()) + " columns, schema has " +
                           std::to_string(footer_.schema.size()));
  }
  size_t rows = batch.empty() ? 0 : batch[0].size();
  for (size_t i = 0; i < batch.size(); ++i) {
    const ColumnSchema& c = footer_.schema[i];
    if (!(batch[i].type() == c.type)) return InvalidArgument("column " + c.name + ": type mismatch");
    if (batch[i].size() != rows) return InvalidArgument("column " + c.name + ": length mismatch");
    STRATA_RETURN_IF_ERROR(batch[i].Validate().WithContext("column " + c.name));
  }
  size_t done = 0;
  while (done < rows) {  // bounded: each pass appends >= 1 row
    if (pending_rows_ == 0 && rows - done >= options_.row_group_rows_max) {
      // A whole row group straight from the batch: the same row group the
      // pending path would make, without copying the values.
      WriteRowGroup(batch, done, done + options_.row_group_rows_max);
      done += options_.row_group_rows_max;
      continue;
    }
    size_t take = std::min<uint64_t>(rows - done, options_.row_group_rows_max - pending_rows_);
    for (size_t i = 0; i < batch.size(); ++i) pending_[i].AppendRange(batch[i], done, done + take);
    pending_rows_ += take;
    done += take;
    uint64_t bytes = 0;
    for (const ColumnVector& c : pending_) bytes += c.ApproxBytes();
    if (pending_rows_ >= options_.row_group_rows_max || bytes >= options_.row_group_bytes_max) FlushRowGroup();
  }
  return Status::OK();
}

ColumnChunkInfo DataFileWriter::WriteChunk(const ColumnVector& col, size_t first, size_t last) {
  ColumnChunkInfo chunk;
  chunk.offset = out_.size();
  PageEncodeOptions po{.compression = options_.compression, .zstd_level = options_.zstd_level};
  if (options_.forced_encoding && EncodingApplies(col.type(), *options_.forced_encoding)) {
    po.forced_encoding = options_.forced_encoding;
  }
  size_t begin = first;
  while (begin < last) {  // bounded: each page takes >= 1 row
    size_t end = begin;
    uint64_t bytes = 0;
    while (end < last && end - begin < options_.page_rows_max && bytes < options_.page_bytes_max) {
      bytes += col.kind() == PhysicalKind::kBytes ? col.GetString(end).size() + 4 : 16;
      ++end;
    }
    PageInfo p;
    p.offset = out_.size();
    p.num_rows = static_cast<uint32_t>(end - begin);
    p.stats = PageStats(col, begin, end);
    out_ += EncodePage(col, begin, end, po, &p.encoding);
    p.size_bytes = out_.size() - p.offset;
    MergeStats(&chunk.stats, p.stats);
    chunk.pages.push_back(std::move(p));
    begin = end;
  }
  chunk.size_bytes = out_.size() - chunk.offset;
  return chunk;
}

void DataFileWriter::WriteRowGroup(std::span<const ColumnVector> columns, size_t begin, size_t end) {
  RowGroupInfo rg;
  rg.num_rows = end - begin;
  for (size_t i = 0; i < columns.size(); ++i) {
    rg.columns.push_back(WriteChunk(columns[i], begin, end));
    MergeStats(&footer_.column_stats[i], rg.columns.back().stats);
  }
  footer_.num_rows += end - begin;
  footer_.row_groups.push_back(std::move(rg));
}

void DataFileWriter::FlushRowGroup() {
  if (pending_rows_ == 0) return;
  WriteRowGroup(pending_, 0, pending_rows_);
  for (size_t i = 0; i < pending_.size(); ++i) pending_[i] = ColumnVector(footer_.schema[i].type);
  pending_rows_ = 0;
}

Result<std::string> DataFileWriter::Finish() {
  if (finished_) return FailedPrecondition("Finish called twice");
  finished_ = true;
  FlushRowGroup();
  std::string footer = EncodeFooter(footer_);
  STRATA_CHECK(footer.size() <= kFooterBytesMax, "footer over kFooterBytesMax");
  // Checksum before writing, verify after: decode what we are about to store.
  FileFooter check;
  Status s = DecodeFooter(footer, out_.size(), &check);
  STRATA_CHECK(s.ok(), "writer produced an undecodable footer: " + s.ToString());
  out_ += footer;
  out_ += EncodeTail(footer);
  return std::move(out_);
}

Status PutDataFile(objstore::ObjectStore& store, std::string_view key, std::string_view bytes) {
  Status s = store.PutIfAbsent(key, bytes);
  if (s.code() != StatusCode::kAlreadyExists) return s.WithContext("put data file " + std::string(key));
  auto existing = store.Get(key);
  if (existing.ok() && *existing == bytes) return Status::OK();
  return AlreadyExists("data file " + std::string(key) + " already exists with other content");
}

}  // namespace strata::storage

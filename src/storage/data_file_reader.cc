#include "storage/data_file_reader.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "common/check.h"
#include "storage/page.h"

namespace strata::storage {

bool StatsCanMatch(const ColumnStats& s, CompareOp op, const Datum& v) {
  if (s.value_count == 0) return false;  // all NULL: a comparison is never true
  if (const double* d = std::get_if<double>(&v); d && std::isnan(*d)) return true;  // conservative
  bool has_min = s.min.index() != 0, has_max = s.max.index() != 0;
  switch (op) {
    case CompareOp::kEq:
      return (!has_min || CompareDatum(s.min, v) <= 0) && (!has_max || CompareDatum(s.max, v) >= 0);
    case CompareOp::kLt: return !has_min || CompareDatum(s.min, v) < 0;
    case CompareOp::kLe: return !has_min || CompareDatum(s.min, v) <= 0;
    case CompareOp::kGt: return !has_max || CompareDatum(s.max, v) > 0;
    case CompareOp::kGe: return !has_max || CompareDatum(s.max, v) >= 0;
  }
  return true;
}

Result<std::unique_ptr<DataFileReader>> DataFileReader::Open(objstore::ObjectStore& store, std::string key,
                                                             std::optional<uint64_t> size_bytes,
                                                             uint64_t speculative_bytes) {
  std::unique_ptr<DataFileReader> r(new DataFileReader());
  r->store_ = &store;
  r->key_ = std::move(key);
  if (size_bytes) {
    r->size_ = *size_bytes;
  } else {
    auto meta = store.Head(r->key_);
    if (!meta.ok()) return meta.status().WithContext("data file " + r->key_);
    r->size_ = meta->size_bytes;
  }
  if (auto cached = FindFooter(r->key_, r->size_)) {  // its chunks are still read (and checked) from the store
    r->footer_ = std::move(cached);
    return r;
  }
  Result<uint64_t> encoded = r->LoadFooter(speculative_bytes);
  if (!encoded.ok()) return encoded.status().WithContext("data file " + r->key_);
  // Decoded, a footer takes a few times its encoded bytes (pages and statistics as structs).
  AddFooter(r->key_, r->size_, r->footer_, 4 * *encoded + sizeof(FileFooter));
  return r;
}

Result<std::unique_ptr<DataFileReader>> DataFileReader::OpenBytes(std::string bytes, std::string name) {
  std::unique_ptr<DataFileReader> r(new DataFileReader());
  r->key_ = std::move(name);
  r->bytes_ = std::move(bytes);
  r->size_ = r->bytes_.size();
  STRATA_RETURN_IF_ERROR(r->LoadFooter(kSpeculativeTailBytes).status().WithContext("data file " + r->key_));
  return r;
}

Result<std::string> DataFileReader::ReadRange(uint64_t offset, uint64_t length) const {
  STRATA_CHECK(offset <= size_ && length <= size_ - offset, "ReadRange outside the file");
  if (store_ == nullptr) return bytes_.substr(offset, length);
  auto got = store_->GetRange(key_, offset, length);
  if (!got.ok()) {
    // A range past the end means the object is shorter than its recorded size.
    if (got.status().code() == StatusCode::kInvalidArgument) return DataLoss("object shorter than expected: " + got.status().message());
    return got.status();
  }
  if (got->size() != length) {
    return DataLoss("short read at " + std::to_string(offset) + ": got " + std::to_string(got->size()) +
                    " of " + std::to_string(length) + " bytes (truncated object?)");
  }
  return got;
}

Result<uint64_t> DataFileReader::LoadFooter(uint64_t speculative_bytes) {
  if (size_ < kHeaderBytes + kTailBytes) return DataLoss("file of " + std::to_string(size_) + " bytes is too short");
  uint64_t first_len = std::min(size_, std::max(speculative_bytes, kTailBytes));
  STRATA_ASSIGN_OR_RETURN(std::string last, ReadRange(size_ - first_len, first_len));
  Tail tail;
  STRATA_RETURN_IF_ERROR(DecodeTail(std::string_view(last).substr(first_len - kTailBytes), &tail));
  uint64_t footer_size = tail.footer_size;
  if (footer_size > size_ - kTailBytes - kHeaderBytes) return DataLoss("footer size " + std::to_string(footer_size) + " exceeds the file");
  std::string footer;
  if (footer_size + kTailBytes <= first_len) {
    footer = last.substr(first_len - kTailBytes - footer_size, footer_size);
  } else {
    STRATA_ASSIGN_OR_RETURN(footer, ReadRange(size_ - kTailBytes - footer_size, footer_size));
  }
  if (first_len == size_ && std::string_view(last).substr(0, kHeaderBytes) != kDataFileMagic) {
    return DataLoss("bad leading magic");
  }
  STRATA_RETURN_IF_ERROR(VerifyFooter(footer, tail));
  auto decoded = std::make_shared<FileFooter>();
  STRATA_RETURN_IF_ERROR(DecodeFooter(footer, size_ - kTailBytes - footer_size, decoded.get()));
  footer_ = std::move(decoded);
  if (store_ != nullptr) {  // small files: every chunk is in here already
    tail_offset_ = size_ - first_len;
    tail_ = std::move(last);
  }
  return uint64_t{footer.size()};
}

std::optional<std::string_view> DataFileReader::HeldBytes(uint64_t offset, uint64_t length) const {
  if (offset > size_ || length > size_ - offset) return std::nullopt;
  if (store_ == nullptr) return std::string_view(bytes_).substr(offset, length);
  if (offset < tail_offset_ || offset + length > tail_offset_ + tail_.size()) return std::nullopt;
  return std::string_view(tail_).substr(offset - tail_offset_, length);
}

Result<size_t> DataFileReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < footer().schema.size(); ++i) {
    if (footer().schema[i].name == name) return i;
  }
  return InvalidArgument("data file " + key_ + " has no column " + std::string(name));
}

std::string DataFileReader::ChunkContext(size_t row_group, size_t column) const {
  return "data file " + key_ + ": column " + footer().schema[column].name + ": row group " + std::to_string(row_group);
}

static size_t DatumIndexOf(PhysicalKind k) {
  switch (k) {
    case PhysicalKind::kInt64: return 1;
    case PhysicalKind::kInt128: return 2;
    case PhysicalKind::kDouble: return 3;
    case PhysicalKind::kBytes: return 4;
  }
  return 0;
}

Result<std::vector<size_t>> DataFileReader::SelectRowGroups(std::span<const Predicate> predicates) const {
  std::vector<size_t> cols;
  for (const Predicate& p : predicates) {
    STRATA_ASSIGN_OR_RETURN(size_t c, ColumnIndex(p.column));
    if (p.value.index() != DatumIndexOf(KindOf(footer().schema[c].type))) {
      return InvalidArgument("predicate on " + p.column + ": constant of the wrong kind");
    }
    cols.push_back(c);
  }
  std::vector<size_t> out;
  for (size_t rg = 0; rg < footer().row_groups.size(); ++rg) {
    bool keep = true;
    for (size_t i = 0; i < predicates.size() && keep; ++i) {
      keep = StatsCanMatch(footer().row_groups[rg].columns[cols[i]].stats, predicates[i].op, predicates[i].value);
    }
    if (keep) out.push_back(rg);
  }
  return out;
}

Result<ColumnVector> DataFileReader::ReadColumnChunk(size_t row_group, size_t column) const {
  STRATA_CHECK(row_group < footer().row_groups.size() && column < footer().schema.size(), "chunk index");
  const ColumnChunkInfo& chunk = footer().row_groups[row_group].columns[column];
  auto bytes = ReadRange(chunk.offset, chunk.size_bytes);
  if (!bytes.ok()) {
    return bytes.status().WithContext("data file " + key_ + ": column " + footer().schema[column].name +
                                      ": row group " + std::to_string(row_group));
  }
  return DecodeColumnChunk(row_group, column, *bytes);
}

std::vector<uint64_t> ScanBatchEnds(const RowGroupInfo& rg, std::span<const size_t> columns, uint64_t target_rows) {
  std::vector<uint64_t> common;  // page ends every column has (so far)
  for (size_t k = 0; k < columns.size(); ++k) {
    if (columns[k] >= rg.columns.size()) return {rg.num_rows};
    std::vector<uint64_t> ends;
    uint64_t rows = 0;
    for (const PageInfo& page : rg.columns[columns[k]].pages) {
      if (page.num_rows == 0) continue;
      rows += page.num_rows;
      ends.push_back(rows);
    }
    if (rows != rg.num_rows) return {rg.num_rows};
    if (k == 0) {
      common = std::move(ends);
      continue;
    }
    std::vector<uint64_t> both;
    std::set_intersection(common.begin(), common.end(), ends.begin(), ends.end(), std::back_inserter(both));
    common = std::move(both);
  }
  if (common.empty() || common.back() != rg.num_rows) return {rg.num_rows};
  std::vector<uint64_t> out;
  uint64_t start = 0;
  for (size_t i = 0; i < common.size();) {  // bounded: each pass moves i past at least one end
    size_t j = i;  // the last end within target_rows of start, or the first end past it
    while (j + 1 < common.size() && common[j + 1] - start <= target_rows) ++j;
    out.push_back(common[j]);
    start = common[j];
    i = j + 1;
  }
  return out;
}

Result<ColumnVector> DataFileReader::DecodeColumnChunk(size_t row_group, size_t column,
                                                       std::string_view chunk_bytes) const {
  STRATA_CHECK(row_group < footer().row_groups.size() && column < footer().schema.size(), "chunk index");
  return DecodeColumnPages(row_group, column, chunk_bytes, 0, footer().row_groups[row_group].columns[column].pages.size());
}

Result<const ColumnChunkInfo*> DataFileReader::CheckedChunk(size_t row_group, size_t column,
                                                           std::string_view chunk_bytes, size_t first_page,
                                                           size_t end_page) const {
  STRATA_CHECK(row_group < footer().row_groups.size() && column < footer().schema.size(), "chunk index");
  const ColumnChunkInfo& chunk = footer().row_groups[row_group].columns[column];
  STRATA_CHECK(first_page <= end_page && end_page <= chunk.pages.size(), "page range");
  if (chunk_bytes.size() != chunk.size_bytes) {
    return DataLoss("column chunk of " + std::to_string(chunk.size_bytes) + " bytes, given " +
                    std::to_string(chunk_bytes.size())).WithContext(ChunkContext(row_group, column));
  }
  return &chunk;
}

Status DataFileReader::VerifyChunkChecksums(size_t row_group, size_t column, std::string_view chunk_bytes) const {
  STRATA_CHECK(row_group < footer().row_groups.size() && column < footer().schema.size(), "chunk index");
  const size_t pages = footer().row_groups[row_group].columns[column].pages.size();
  STRATA_ASSIGN_OR_RETURN(const ColumnChunkInfo* found, CheckedChunk(row_group, column, chunk_bytes, 0, pages));
  for (size_t p = 0; p < pages; ++p) {
    const PageInfo& page = found->pages[p];
    Status s = VerifyPageChecksum(chunk_bytes.substr(page.offset - found->offset, page.size_bytes));
    if (!s.ok()) return s.WithContext(ChunkContext(row_group, column) + ": page " + std::to_string(p));
  }
  return Status::OK();
}

Result<ColumnVector> DataFileReader::DecodeColumnPages(size_t row_group, size_t column, std::string_view chunk_bytes,
                                                       size_t first_page, size_t end_page,
                                                       PageScratch* scratch, PageChecksum checksum) const {
  STRATA_ASSIGN_OR_RETURN(const ColumnChunkInfo* found, CheckedChunk(row_group, column, chunk_bytes, first_page, end_page));
  const ColumnChunkInfo& chunk = *found;
  ColumnVector out(footer().schema[column].type);
  uint64_t rows = 0;
  for (size_t p = first_page; p < end_page; ++p) rows += chunk.pages[p].num_rows;
  out.Reserve(rows);
  PageScratch own;  // one decompression buffer for the pages, unless the caller has one
  if (scratch == nullptr) scratch = &own;
  for (size_t p = first_page; p < end_page; ++p) {
    const PageInfo& page = chunk.pages[p];
    std::string_view pb = chunk_bytes.substr(page.offset - chunk.offset, page.size_bytes);
    Status s = DecodePage(pb, page, &out, scratch, checksum);
    if (!s.ok()) return s.WithContext(ChunkContext(row_group, column) + ": page " + std::to_string(p));
  }
  return out;
}

Result<ColumnVector> DataFileReader::DecodeColumnPagesAt(size_t row_group, size_t column,
                                                         std::string_view chunk_bytes, size_t first_page,
                                                         size_t end_page, std::span<const uint32_t> rows,
                                                         PageScratch* scratch, PageChecksum checksum) const {
  STRATA_ASSIGN_OR_RETURN(const ColumnChunkInfo* found, CheckedChunk(row_group, column, chunk_bytes, first_page, end_page));
  const ColumnChunkInfo& chunk = *found;
  ColumnVector out(footer().schema[column].type);
  out.Reserve(rows.size());
  PageScratch own;  // one decompression buffer for the pages, unless the caller has one
  if (scratch == nullptr) scratch = &own;
  // `rows` is split into the pages' shares, each checked to be ascending and
  // inside its page by DecodePageAt (a row of an earlier page, made relative
  // to a later one, wraps around past its rows), and every row must be
  // taken: so `rows` as a whole is checked without a pass of its own.
  std::vector<uint32_t> in_page;  // a later page's selected rows, made relative to it
  size_t next = 0;                // rows[next] is the first not yet decoded
  uint64_t page_first_row = 0;
  for (size_t p = first_page; p < end_page && next < rows.size(); ++p) {
    const PageInfo& page = chunk.pages[p];
    const uint64_t page_end_row = page_first_row + page.num_rows;
    size_t end = rows.size();  // the usual case: the rest are in this page (a batch is one page)
    if (rows.back() >= page_end_row) {
      end = std::partition_point(rows.begin() + next, rows.end(), [&](uint32_t r) { return r < page_end_row; }) -
            rows.begin();
    }
    if (end > next) {  // a page holding no selected row is not even read
      std::span<const uint32_t> selected = rows.subspan(next, end - next);
      if (page_first_row > 0) {
        in_page.resize(selected.size());
        for (size_t i = 0; i < selected.size(); ++i) {  // an earlier page's row: past any page's rows
          in_page[i] = static_cast<uint32_t>(std::min<uint64_t>(selected[i] - page_first_row, UINT32_MAX));
        }
        selected = in_page;
      }
      std::string_view pb = chunk_bytes.substr(page.offset - chunk.offset, page.size_bytes);
      Status s = DecodePageAt(pb, page, selected, &out, scratch, checksum);
      if (!s.ok()) return s.WithContext(ChunkContext(row_group, column) + ": page " + std::to_string(p));
    }
    next = end;
    page_first_row = page_end_row;
  }
  STRATA_CHECK(next == rows.size(), "DecodeColumnPagesAt: rows not ascending or past the pages' rows");
  return out;
}

Result<ReadResult> DataFileReader::Read(const ReadOptions& options) const {
  std::vector<size_t> cols;
  if (options.columns.empty()) {
    for (size_t i = 0; i < footer().schema.size(); ++i) cols.push_back(i);
  }
  for (const std::string& name : options.columns) {
    STRATA_ASSIGN_OR_RETURN(size_t c, ColumnIndex(name));
    cols.push_back(c);
  }
  ReadResult r;
  STRATA_ASSIGN_OR_RETURN(r.row_groups, SelectRowGroups(options.predicates));
  for (size_t c : cols) r.columns.emplace_back(footer().schema[c].type);
  for (size_t rg : r.row_groups) {
    for (size_t i = 0; i < cols.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(ColumnVector chunk, ReadColumnChunk(rg, cols[i]));
      r.columns[i].AppendMoved(chunk);
    }
  }
  return r;
}

}  // namespace strata::storage

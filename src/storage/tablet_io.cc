#include "storage/tablet_io.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>

#include "common/check.h"
#include "storage/chunk_cache.h"
#include "storage/data_file_format.h"
#include "storage/data_file_reader.h"
#include "storage/io_executor.h"
#include "storage/page.h"
#include "storage/range_prefetch.h"

namespace strata::storage {
namespace {

int SchemaIndex(const std::vector<ColumnSchema>& schema, std::string_view name) {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool Compare(DeleteOp op, int c) {
  switch (op) {
    case DeleteOp::kEq: return c == 0;
    case DeleteOp::kNe: return c != 0;
    case DeleteOp::kLt: return c < 0;
    case DeleteOp::kLe: return c <= 0;
    case DeleteOp::kGt: return c > 0;
    case DeleteOp::kGe: return c >= 0;
    default: return false;
  }
}

bool ConditionMatches(const DeleteCondition& cond, const ColumnVector& col, size_t row) {
  if (cond.op == DeleteOp::kIsNull) return col.IsNull(row);
  if (cond.op == DeleteOp::kIsNotNull) return !col.IsNull(row);
  if (col.IsNull(row)) return false;
  Datum v = ValueAt(col, row);
  if (cond.op == DeleteOp::kIn || cond.op == DeleteOp::kNotIn) {
    bool found = std::any_of(cond.values.begin(), cond.values.end(),
                             [&](const Datum& x) { return CompareDatum(v, x) == 0; });
    return cond.op == DeleteOp::kIn ? found : !found;
  }
  return Compare(cond.op, CompareDatum(v, cond.values[0]));
}

// Marks keep[i] = 0 for rows removed by any applicable predicate. `cols` is
// indexed like `names`.
void ApplyDeletes(std::span<const DeletePredicate> deletes, uint64_t rowset_version,
                  const std::vector<std::string>& names, const std::vector<ColumnVector>& cols,
                  std::vector<uint8_t>* keep) {
  for (const auto& p : deletes) {
    if (p.version <= rowset_version) continue;
    std::vector<const ColumnVector*> by_cond;
    for (const auto& c : p.conditions) {
      auto it = std::find(names.begin(), names.end(), c.column);
      by_cond.push_back(&cols[it - names.begin()]);
    }
    for (size_t row = 0; row < keep->size(); ++row) {
      if (!(*keep)[row]) continue;
      bool all = true;
      for (size_t i = 0; all && i < p.conditions.size(); ++i) all = ConditionMatches(p.conditions[i], *by_cond[i], row);
      if (all) (*keep)[row] = 0;
    }
  }
}

// The column indices of `names` in the file, in that order.
Result<std::vector<size_t>> FileColumns(const DataFileReader& reader, const std::string& key,
                                        const std::vector<std::string>& names) {
  std::vector<size_t> out;
  for (const auto& name : names) {
    int idx = -1;
    for (size_t i = 0; i < reader.footer().schema.size(); ++i) {
      if (reader.footer().schema[i].name == name) idx = static_cast<int>(i);
    }
    if (idx < 0) return DataLoss("data file " + key + " has no column " + name);
    out.push_back(static_cast<size_t>(idx));
  }
  return out;
}

// One rowset being scanned: its reader, the row groups and columns read, and
// the prefetcher already fetching their chunks.
struct RowsetScan {
  const RowsetMeta* rowset = nullptr;
  bool keep_in_memory = false;  // chunks read from the store go into the chunk cache
  std::unique_ptr<DataFileReader> reader;
  std::vector<std::string> names;  // the projected columns, then those the delete predicates need
  std::vector<size_t> selected;    // row groups
  std::vector<size_t> columns;     // file column of each name
  std::vector<std::optional<std::string_view>> held;  // per read: bytes the reader or the chunk cache holds already
  std::vector<std::shared_ptr<const std::string>> cached;  // per read: the chunk cache's bytes (verified), or null
  std::unique_ptr<RangePrefetcher> fetch;
};

// Opens `rowset` (one GET for its footer) and starts fetching every chunk the
// scan will read, in the order it decodes them: large GETs ahead of the
// decoding (range_prefetch.h). Chunks inside the footer read's bytes (a small
// file) or in the chunk cache (chunk_cache.h) need no GET.
Result<std::unique_ptr<RowsetScan>> StartRowsetScan(objstore::ObjectStore& store, const RowsetMeta& rowset,
                                                    std::span<const DeletePredicate> deletes,
                                                    const std::vector<std::string>& projected,
                                                    const TabletScanOptions& options) {
  const std::span<const Predicate> predicates = options.predicates;
  const bool cache_on = ChunkCacheOn();
  auto scan = std::make_unique<RowsetScan>();
  scan->rowset = &rowset;
  scan->keep_in_memory = cache_on && options.keep_in_memory;
  scan->names = projected;
  for (const auto& p : deletes) {
    if (p.version <= rowset.version) continue;
    for (const auto& c : p.conditions) {
      if (std::find(scan->names.begin(), scan->names.end(), c.column) == scan->names.end()) {
        scan->names.push_back(c.column);
      }
    }
  }
  STRATA_ASSIGN_OR_RETURN(scan->reader, DataFileReader::Open(store, rowset.data_file, rowset.size_bytes));
  const DataFileReader& reader = *scan->reader;
  if (reader.footer().num_rows != rowset.rows) {
    return DataLoss("data file " + rowset.data_file + " has " + std::to_string(reader.footer().num_rows) +
                    " rows; tablet metadata says " + std::to_string(rowset.rows));
  }
  const auto& groups = reader.footer().row_groups;
  if (predicates.empty()) {
    for (size_t g = 0; g < groups.size(); ++g) scan->selected.push_back(g);
  } else {
    STRATA_ASSIGN_OR_RETURN(scan->selected, reader.SelectRowGroups(predicates));
  }
  STRATA_ASSIGN_OR_RETURN(scan->columns, FileColumns(reader, rowset.data_file, scan->names));
  std::vector<ByteRange> reads;
  reads.reserve(scan->selected.size() * scan->columns.size());
  scan->held.reserve(reads.capacity());
  scan->cached.reserve(reads.capacity());
  for (size_t g : scan->selected) {
    for (size_t c : scan->columns) {
      const ColumnChunkInfo& chunk = groups[g].columns[c];
      scan->held.push_back(reader.HeldBytes(chunk.offset, chunk.size_bytes));
      scan->cached.emplace_back();
      if (!scan->held.back() && cache_on) {
        scan->cached.back() = FindChunk(rowset.data_file, reader.size_bytes(), chunk.offset, chunk.size_bytes);
        if (scan->cached.back()) scan->held.back() = std::string_view(*scan->cached.back());
      }
      reads.push_back(scan->held.back() ? ByteRange{} : ByteRange{chunk.offset, chunk.size_bytes});
    }
  }
  const PrefetchOptions prefetch = ScanPrefetchOptions(store);
  scan->fetch = std::make_unique<RangePrefetcher>(
      store, rowset.data_file,
      PlanPrefetch(std::move(reads), reader.size_bytes(), prefetch,
                   reader.size_bytes() - std::min(reader.size_bytes(), DataFileReader::kSpeculativeTailBytes)),
      prefetch, IoExecutor::Shared());
  return scan;
}

// Rows per batch a scan hands on (about: batches end where every column's
// pages do): one page of each column at the writer's default page size, so a
// batch's decoded columns stay in a core's cache while the query reads them.
constexpr uint64_t kScanBatchRows = 8 * 1024;

// One batch of a row group, decoded on demand: pages [first[k], end[k]) of
// each read column's chunk (bytes[k], whose page CRCs are still to be
// checked unless checksum[k] says otherwise), all valid during the sink's call.
class PagesBatch final : public ScanBatch {
 public:
  PagesBatch(const DataFileReader& reader, size_t group, const RowsetScan& scan, std::span<const std::string_view> bytes,
             std::span<const PageChecksum> checksum, std::span<const size_t> first, std::span<const size_t> end,
             uint64_t rows, size_t columns, PageScratch* scratch)
      : reader_(reader), group_(group), scan_(scan), bytes_(bytes), checksum_(checksum), first_(first), end_(end),
        rows_(rows), columns_(columns), scratch_(scratch), taken_(columns, false) {}
  size_t rows() const override { return rows_; }
  size_t columns() const override { return columns_; }
  Result<ColumnVector> Column(size_t k) override {
    Take(k);
    return reader_.DecodeColumnPages(group_, scan_.columns[k], bytes_[k], first_[k], end_[k], scratch_, checksum_[k]);
  }
  Result<ColumnVector> ColumnAt(size_t k, std::span<const uint32_t> rows) override {
    Take(k);
    return reader_.DecodeColumnPagesAt(group_, scan_.columns[k], bytes_[k], first_[k], end_[k], rows, scratch_,
                                       checksum_[k]);
  }

 private:
  void Take(size_t k) {
    STRATA_CHECK(k < columns_ && !taken_[k], "a batch column is taken once");
    taken_[k] = true;
  }
  const DataFileReader& reader_;
  const size_t group_;
  const RowsetScan& scan_;
  std::span<const std::string_view> bytes_;
  std::span<const PageChecksum> checksum_;
  std::span<const size_t> first_, end_;
  const uint64_t rows_;
  const size_t columns_;
  PageScratch* scratch_;
  std::vector<bool> taken_;
};

// Decodes the rowset's row groups into `sink`, each in batches of about
// kScanBatchRows rows (ScanBatchEnds). `between` runs after each row group
// (the caller starts the next rowset there). A batch that delete predicates
// apply to is decoded whole first (they look at its rows).
Status FinishRowsetScan(RowsetScan& scan, std::span<const DeletePredicate> deletes, size_t projected_columns,
                        const BatchSink& sink, const std::function<void()>& between) {
  const RowsetMeta& rowset = *scan.rowset;
  const DataFileReader& reader = *scan.reader;
  // Most scans have no delete newer than the rowset: then no row is looked at here.
  const bool any_delete_applies = std::any_of(deletes.begin(), deletes.end(),
                                              [&](const DeletePredicate& p) { return p.version > rowset.version; });
  size_t next = 0;
  const size_t ncols = scan.columns.size();
  std::vector<std::string_view> bytes;  // the row group's column chunks, all valid until the next ReadSpan
  std::vector<PageChecksum> checksum(ncols);
  std::vector<size_t> first(ncols), end_page(ncols);
  PageScratch scratch;  // compressed pages' bodies, reused
  for (size_t g : scan.selected) {
    const RowGroupInfo& group = reader.footer().row_groups[g];
    if (ncols > 0) {
      Status s = scan.fetch->ReadSpan(next, ncols, &bytes);
      if (!s.ok()) return s.WithContext("data file " + rowset.data_file + ": row group " + std::to_string(g));
    }
    for (size_t k = 0; k < ncols; ++k) {
      checksum[k] = PageChecksum::kCheck;
      if (scan.cached[next + k]) checksum[k] = PageChecksum::kVerifiedBefore;
      if (scan.held[next + k]) {
        bytes[k] = *scan.held[next + k];
        continue;
      }
      if (!scan.keep_in_memory) continue;
      // Read from the store: every page checked once, then kept for the next scans.
      STRATA_RETURN_IF_ERROR(reader.VerifyChunkChecksums(g, scan.columns[k], bytes[k]));
      const uint64_t offset = group.columns[scan.columns[k]].offset;
      AddChunk(rowset.data_file, reader.size_bytes(), offset, std::make_shared<const std::string>(bytes[k]));
      checksum[k] = PageChecksum::kVerifiedBefore;
    }
    std::fill(end_page.begin(), end_page.end(), 0);
    uint64_t start = 0;
    for (uint64_t end : ScanBatchEnds(group, scan.columns, kScanBatchRows)) {
      for (size_t k = 0; k < ncols; ++k) {  // each column's pages of rows [start, end)
        const std::vector<PageInfo>& pages = group.columns[scan.columns[k]].pages;
        first[k] = end_page[k];
        size_t last = first[k];
        for (uint64_t rows = 0; last < pages.size() && rows < end - start; ++last) rows += pages[last].num_rows;
        if (end == group.num_rows) last = pages.size();
        end_page[k] = last;
      }
      PagesBatch batch(reader, g, scan, bytes, checksum, first, end_page, end - start, ncols, &scratch);
      if (!any_delete_applies) {
        STRATA_RETURN_IF_ERROR(sink(batch));
        start = end;
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(std::vector<ColumnVector> cols, batch.TakeAll());
      std::vector<uint8_t> keep(end - start, 1);
      ApplyDeletes(deletes, rowset.version, scan.names, cols, &keep);
      cols.resize(projected_columns);
      if (std::find(keep.begin(), keep.end(), 0) != keep.end()) cols = FilterRows(cols, keep);
      DecodedBatch decoded(std::move(cols));
      STRATA_RETURN_IF_ERROR(sink(decoded));
      start = end;
    }
    for (size_t k = 0; k < ncols; ++k) scan.cached[next + k].reset();  // the cache may let them go now
    next += ncols;
    between();
  }
  return Status::OK();
}

// ScanRowsets with a BatchSink.
Status ScanRowsetBatches(objstore::ObjectStore& store, const TabletMeta& meta, size_t first, size_t last,
                         std::span<const DeletePredicate> deletes, const TabletScanOptions& options,
                         const BatchSink& sink) {
  std::vector<std::string> projected = options.columns;
  if (projected.empty()) {
    for (const auto& c : meta.schema) projected.push_back(c.name);
  }
  for (const auto& name : projected) {
    if (SchemaIndex(meta.schema, name) < 0) return InvalidArgument("unknown column " + name);
  }
  // The next rowset is opened (its footer read, its first chunks fetched)
  // once the current one has started fetching its last chunks, so that the
  // object store is not idle between two rowsets. Its error, if any, is
  // returned only when the scan reaches it.
  last = std::min(last, meta.rowsets.size());
  std::unique_ptr<RowsetScan> next;
  Status next_error;
  for (size_t i = first; i < last; ++i) {
    std::unique_ptr<RowsetScan> scan = std::move(next);
    if (!next_error.ok()) return next_error;
    if (!scan) {
      STRATA_ASSIGN_OR_RETURN(scan, StartRowsetScan(store, meta.rowsets[i], deletes, projected, options));
    }
    auto start_next = [&] {
      if (i + 1 >= last || next || !next_error.ok() || !scan->fetch->AllStarted()) return;
      auto started = StartRowsetScan(store, meta.rowsets[i + 1], deletes, projected, options);
      if (started.ok()) {
        next = std::move(started).value();
      } else {
        next_error = started.status();
      }
    };
    start_next();
    STRATA_RETURN_IF_ERROR(FinishRowsetScan(*scan, deletes, projected.size(), sink, start_next));
  }
  return Status::OK();
}

}  // namespace

Result<RowsetMeta> WriteRowset(objstore::ObjectStore& store, std::string_view lineage, uint64_t tablet_id,
                               std::string_view txn_id, uint32_t seq, const std::vector<ColumnSchema>& schema,
                               std::span<const ColumnVector> batch, const DataFileWriterOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto writer, DataFileWriter::Create(schema, options));
  STRATA_RETURN_IF_ERROR(writer->Append(batch));
  uint64_t rows = writer->num_rows();
  STRATA_ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
  std::string key = DataFileKey(lineage, tablet_id, txn_id, seq);
  STRATA_RETURN_IF_ERROR(PutDataFile(store, key, bytes));
  return RowsetMeta{.data_file = key, .rows = rows, .size_bytes = bytes.size()};
}

Status ValidateDeleteConditions(const std::vector<ColumnSchema>& schema, std::span<const DeleteCondition> conds) {
  if (conds.empty() || conds.size() > kConditionsPerDeleteMax) {
    return InvalidArgument("a delete needs 1.." + std::to_string(kConditionsPerDeleteMax) + " conditions");
  }
  for (const auto& c : conds) {
    int idx = SchemaIndex(schema, c.column);
    if (idx < 0) return InvalidArgument("unknown column " + c.column + " in delete condition");
    size_t want_min = 1, want_max = 1;
    if (c.op == DeleteOp::kIsNull || c.op == DeleteOp::kIsNotNull) want_min = want_max = 0;
    if (c.op == DeleteOp::kIn || c.op == DeleteOp::kNotIn) want_max = kInListMax;
    if (c.values.size() < want_min || c.values.size() > want_max) {
      return InvalidArgument("delete condition on " + c.column + " has a wrong number of values");
    }
    const size_t kind_index = static_cast<size_t>(KindOf(schema[idx].type)) + 1;  // Datum alternative
    for (const auto& v : c.values) {
      if (v.index() != kind_index) return InvalidArgument("delete condition value of the wrong type for " + c.column);
    }
  }
  return Status::OK();
}

Status ScanTablet(objstore::ObjectStore& store, const TabletMeta& meta, const TabletScanOptions& options,
                  const RowsetSink& sink) {
  return ScanRowsetBatches(store, meta, 0, meta.rowsets.size(), meta.deletes, options, AllColumns(sink));
}

Status ScanTabletBatches(objstore::ObjectStore& store, const TabletMeta& meta, const TabletScanOptions& options,
                         const BatchSink& sink) {
  return ScanRowsetBatches(store, meta, 0, meta.rowsets.size(), meta.deletes, options, sink);
}

Status ScanRowsets(objstore::ObjectStore& store, const TabletMeta& meta, size_t first, size_t last,
                   std::span<const DeletePredicate> deletes, const TabletScanOptions& options,
                   const RowsetSink& sink) {
  return ScanRowsetBatches(store, meta, first, last, deletes, options, AllColumns(sink));
}

BatchSink AllColumns(const RowsetSink& sink) {
  return [sink](ScanBatch& batch) -> Status {
    STRATA_ASSIGN_OR_RETURN(std::vector<ColumnVector> columns, batch.TakeAll());
    return sink(std::move(columns));
  };
}

RowsetSink AsDecodedBatches(const BatchSink& sink) {
  return [&sink](std::vector<ColumnVector>&& columns) -> Status {
    DecodedBatch batch(std::move(columns));
    return sink(batch);
  };
}

std::vector<ColumnVector> FilterRows(const std::vector<ColumnVector>& columns, const std::vector<uint8_t>& keep) {
  std::vector<ColumnVector> out;
  out.reserve(columns.size());
  for (const auto& c : columns) {
    ColumnVector f(c.type());
    size_t i = 0;
    while (i < keep.size()) {
      if (!keep[i]) { ++i; continue; }
      size_t j = i;
      while (j < keep.size() && keep[j]) ++j;
      f.AppendRange(c, i, j);
      i = j;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace strata::storage

// Reading and writing the rows of tablet versions (tablet_meta.h): a load
// writes each tablet's rows as a rowset (one data file); a scan reads every
// rowset of a version and drops the rows its delete predicates remove.
//
// Errors: the store's (with the key as context), DataLoss for damaged files
// (a damaged file is an error, never wrong rows), InvalidArgument for bad
// schemas, columns or delete conditions.
// Thread-safety: free functions; safe to call concurrently.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "storage/column_vector.h"
#include "storage/data_file_reader.h"  // Predicate
#include "storage/data_file_writer.h"
#include "storage/scan_batch.h"
#include "storage/tablet_meta.h"

namespace strata::storage {

// Writes `batch` (one vector per schema column) as data file `seq` of
// transaction `txn_id` in the tablet. The returned rowset's version is 0
// until NextTabletVersion stamps it.
Result<RowsetMeta> WriteRowset(objstore::ObjectStore& store, std::string_view lineage, uint64_t tablet_id,
                               std::string_view txn_id, uint32_t seq, const std::vector<ColumnSchema>& schema,
                               std::span<const ColumnVector> batch, const DataFileWriterOptions& options = {});

// InvalidArgument unless every condition names a schema column and carries
// values of its kind in the right number for its op.
Status ValidateDeleteConditions(const std::vector<ColumnSchema>& schema, std::span<const DeleteCondition> conds);

struct TabletScanOptions {
  std::vector<std::string> columns;  // empty: all, in schema order
  // AND of min/max conditions: row groups whose statistics cannot match are
  // skipped (rows of the groups read are not filtered). Empty: read all.
  std::vector<Predicate> predicates;
  // Whether chunks read from the store are kept in the in-memory chunk cache
  // (chunk_cache.h) for the next scans. Compaction, whose inputs are about to
  // be replaced, does not keep them (it still reads the chunks the cache has).
  bool keep_in_memory = true;
};

// Receives visible rows of one rowset (projected columns), a batch at a time:
// about 8192 rows, whole pages of every column (a row group whose columns'
// pages share no end comes whole); may be called zero or more times. A non-OK
// status stops the scan and is returned.
using RowsetSink = std::function<Status(std::vector<ColumnVector>&& columns)>;

// Reads every rowset of `meta` in version order, applies the delete
// predicates that are newer than each rowset, and hands the rows to `sink`.
// I/O: each data file's footer with one GET, then the chunks the scan needs in
// a few large ranged GETs fetched ahead of the decoding on the shared
// IoExecutor (range_prefetch.h: at most 3 GETs and 48 MiB ahead per rowset,
// 512 MiB for all scans of the process, the next rowset of the tablet started
// while the last GETs of the current one run). `store` must outlive the call; `sink` runs in the calling thread.
Status ScanTablet(objstore::ObjectStore& store, const TabletMeta& meta, const TabletScanOptions& options,
                  const RowsetSink& sink);
// The same batches with their columns decoded on demand (scan_batch.h): in a
// batch no delete predicate applies to, a column is decoded only when asked
// for, and at the rows asked for only (ColumnAt).
Status ScanTabletBatches(objstore::ObjectStore& store, const TabletMeta& meta, const TabletScanOptions& options,
                         const BatchSink& sink);
// A RowsetSink as a BatchSink: takes every column of each batch.
BatchSink AllColumns(const RowsetSink& sink);
// A BatchSink as a RowsetSink: rows that arrive decoded (from a compute node,
// or from a service that only scans decoded) handed on as a DecodedBatch;
// `sink` is referred to, and must outlive the function returned.
RowsetSink AsDecodedBatches(const BatchSink& sink);

// The rows of rowsets [first, last) of `meta` with `deletes` applied (those
// newer than each rowset), all columns: what compaction merges.
Status ScanRowsets(objstore::ObjectStore& store, const TabletMeta& meta, size_t first, size_t last,
                   std::span<const DeletePredicate> deletes, const TabletScanOptions& options,
                   const RowsetSink& sink);

// The rows of `columns` for which keep[i] != 0.
std::vector<ColumnVector> FilterRows(const std::vector<ColumnVector>& columns, const std::vector<uint8_t>& keep);

}  // namespace strata::storage

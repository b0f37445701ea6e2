// TableSource: how the query engine sees tables — their schema, partitions
// and tablets (Resolve), and the rows of one tablet version (ScanTablet, with
// projection and min/max predicates for row-group pruning). server/
// implements it over the catalog and the tablet service (in-process or on
// the CN owning the tablet); tests implement it over an in-memory store.
//
// Errors: NotFound (unknown database or table), the storage's errors for
// scans (Unavailable, DataLoss, ...). Predicates only prune: a scan may
// return rows that do not satisfy them (the engine filters again).
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/column_vector.h"
#include "storage/tablet_io.h"

namespace strata::query {

struct Chunk;
struct PlanNode;

struct TabletRef {
  uint64_t tablet_id = 0;
  std::string meta_key;  // "" = never written (empty)
};

struct TablePartition {
  std::string name;
  std::vector<std::string> lower;  // inclusive; empty = MINVALUE (one text per partition column)
  std::vector<std::string> upper;  // exclusive; empty = MAXVALUE
  std::vector<TabletRef> tablets;
};

struct TableInfo {
  std::string db;
  std::string name;
  std::vector<storage::ColumnSchema> columns;  // table order
  std::vector<std::string> partition_columns;  // empty: unpartitioned
  // The first key column (DUPLICATE sort key / PRIMARY key), by index; join
  // ordering takes it as what identifies a row (a guess for DUPLICATE KEY).
  std::optional<size_t> leading_key;
  // DISTRIBUTED BY HASH(...) columns, by index: within a partition every row
  // with the same values is in the same tablet (load/router.h). Empty:
  // unknown or random.
  std::vector<size_t> distribution_columns;
  std::vector<TablePartition> partitions;
  std::shared_ptr<const void> source_state;  // the implementation's own (what it needs to scan)
};

// What a fragment needs to run remotely (TableSource::RunFragment).
struct FragmentCall {
  const TableInfo& table;
  const std::vector<TabletRef>& tablets;  // those with data
  const PlanNode& fragment;
  uint64_t memory_limit_bytes = 0;        // the query's exec_mem_limit
  std::function<bool()> should_stop;      // polled while waiting: true ends the remote work
};

class TableSource {
 public:
  virtual ~TableSource() = default;
  virtual Result<TableInfo> Resolve(const std::string& db, const std::string& table) = 0;
  // The visible rows of one tablet version; `options.columns` names the
  // projected columns (in that order), `options.predicates` may skip row groups.
  virtual Status ScanTablet(const TableInfo& table, const TabletRef& tablet,
                            const storage::TabletScanOptions& options, const storage::RowsetSink& sink) = 0;
  // The same batches with their columns decoded on demand (storage/scan_batch.h):
  // what the engine's scans call. The default hands on ScanTablet's decoded rows.
  virtual Status ScanTabletBatches(const TableInfo& table, const TabletRef& tablet,
                                   const storage::TabletScanOptions& options, const storage::BatchSink& sink) {
    return ScanTablet(table, tablet, options, storage::AsDecodedBatches(sink));
  }
  // The exact number of visible rows of one tablet version when the source
  // knows it without scanning (its metadata, no delete predicates to apply);
  // nullopt otherwise (the engine then scans). Never a guess.
  virtual std::optional<uint64_t> TabletRowCount(const TableInfo& table, const TabletRef& tablet) {
    (void)table;
    (void)tablet;
    return std::nullopt;
  }
  // Runs `call.fragment` (distribute.h: a plan over one scan of
  // `call.table`) over `call.tablets` on the compute nodes that own them,
  // handing every result chunk to `sink` (possibly from several threads at
  // once; false: no more rows wanted). Unimplemented when this source runs
  // nothing remotely (the engine then runs the fragment in this process).
  // A MySQL error the fragment raised comes back marked (SqlErrorMark).
  virtual Status RunFragment(const FragmentCall& call, const std::function<bool(Chunk&&)>& sink) {
    (void)call, (void)sink;
    return Unimplemented("this table source runs no fragments");
  }
};

}  // namespace strata::query

// LoadCoordinator: the FE's transaction coordinator for table data. A load
// (INSERT, stream load) or DELETE runs as one transaction:
//
//   1. route the typed rows to tablets (load/router.h); reject the whole load
//      if too many rows are filtered — nothing is written;
//   2. write each tablet's rows as a rowset through the TabletService (on the
//      tablet's CN, or in-process);
//   3. for each touched tablet, write its next version metadata on the base
//      the catalog names now;
//   4. commit CommitTxn (label, txn id, every tablet's base -> new version) to
//      the metadata log: the load becomes visible whole, at once.
//
// A conflicting commit (another load moved a tablet) is Aborted by the
// catalog; the coordinator re-reads the bases and retries step 3–4 (the data
// files stay). A crash anywhere before 4 leaves only invisible objects for
// vacuum; after 4 the load is committed even if the client never hears it —
// a retry with the same label answers "Label Already Exists" and loads
// nothing twice. An ambiguous commit error is resolved by reading the label
// back from the catalog.
//
// Failpoints (crash tests): load_after_data_files, load_after_tablet_meta,
// load_after_commit.
//
// Thread-safety: thread-safe; loads run concurrently.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "load/parallel_load.h"
#include "load/router.h"
#include "server/fe_bootstrap.h"  // kBuiltinVolumeName
#include "load/row_batch_builder.h"
#include "load/schema.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"
#include "meta/service/meta_service.h"
#include "storage/tablet_meta.h"
#include "storage/tablet_service.h"

namespace strata::server {

struct LoadOutcome {
  std::string label;
  std::string txn_id;
  uint64_t rows_total = 0;
  uint64_t rows_loaded = 0;
  uint64_t rows_filtered = 0;
  uint64_t commit_version = 0;  // log version of the commit
  uint64_t data_bytes = 0;      // bytes of data files written
  uint32_t commit_attempts = 0;
  std::vector<std::string> errors;  // messages of filtered rows (first few)
};

struct DataTarget {  // what a load resolved from the catalog
  meta::Table table;
  std::string db;
  uint64_t db_id = 0;
  std::vector<meta::Partition> partitions;
  std::vector<load::TableColumn> schema;
  storage::VolumeRef volume;
};

class LoadCoordinator {
 public:
  using Submit = std::function<Result<meta::CommitResult>(meta::Change)>;
  using CatalogReadFn = std::function<void(const std::function<void(const meta::CatalogState&)>&)>;

  struct Options {
    std::string lineage;  // this cluster's id: where new objects are written
    storage::VolumeRef builtin_volume;  // this FE's storage_root (fe.conf), for tables without a volume name
    uint32_t commit_attempts_max = 32;  // with jittered back-off between conflicts
    uint64_t rows_per_data_file_max = 2'000'000;
    size_t parallel_writes_max = 8;
    // Tablet versions read and written at once when a load commits (1: one at a time).
    size_t version_writes_parallel = 16;
    // Threads that read, type and route one CSV body (RouteCsv); 0: one per core.
    size_t load_threads = 0;
    // Called with each tablet version object this coordinator wrote (key,
    // contents, encoded size), before its commit is submitted; the version may
    // never commit. Null: nothing. Must be thread-safe and cheap.
    std::function<void(const std::string& key, const storage::TabletMeta& meta, uint64_t meta_bytes)>
        version_written;
  };

  LoadCoordinator(Options options, Submit submit, CatalogReadFn read, storage::TabletService& tablets,
                  std::shared_ptr<storage::VolumeStores> stores);

  // The table (NotFound: unknown database or table; FailedPrecondition: a
  // schema this build cannot load).
  Result<DataTarget> Resolve(std::string_view db, std::string_view table) const;

  // Loads `batch` (typed by load/) into the target. `label` "" gets a generated
  // one. InvalidArgument (nothing written) when filtered/total exceeds
  // max_filter_ratio; AlreadyExists when the label was used; Aborted when
  // conflicts persist; the store's / service's errors otherwise.
  Result<LoadOutcome> Load(const DataTarget& target, load::LoadBatch batch, std::string label, std::string kind,
                           double max_filter_ratio);

  // AlreadyExists when `label` was already used in the target's database
  // (a cheap check before reading a body; Load and LoadRouted check again).
  Status CheckLabelUnused(const DataTarget& target, const std::string& label) const;

  // Reads, types and routes a CSV body on this coordinator's load threads
  // (load/parallel_load.h). Errors as load::LoadCsvRouted, and the router's.
  Result<load::RoutedLoad> RouteCsv(const DataTarget& target, const load::BuilderOptions& options,
                                    const load::CsvOptions& csv, std::string_view body) const;

  // Routes a typed batch (from LoadJson, INSERT) to tablets. The router's errors.
  Result<load::RoutedLoad> RouteBatch(const DataTarget& target, load::LoadBatch batch) const;

  // As Load, for rows already routed (RouteCsv, RouteBatch).
  Result<LoadOutcome> LoadRouted(const DataTarget& target, load::RoutedLoad routed, std::string label,
                                 std::string kind, double max_filter_ratio);

  // DELETE FROM target [PARTITION ...] WHERE conditions (AND). Every tablet of
  // the named partitions (all if empty) gets a version with the predicate.
  Result<LoadOutcome> Delete(const DataTarget& target, const std::vector<std::string>& partitions,
                             std::vector<storage::DeleteCondition> conditions, std::string label);

  // Every visible row of the table, per tablet, all columns in table order.
  Status Scan(const DataTarget& target, const storage::RowsetSink& sink);
  // One tablet through the tablet service (on the compute node that owns it,
  // falling back to this process): the query engine's scans.
  Status ScanTablet(const storage::ScanTabletRequest& request, const storage::RowsetSink& sink) {
    return tablets_.ScanTablet(request, sink);
  }
  Status ScanTabletBatches(const storage::ScanTabletRequest& request, const storage::BatchSink& sink) {
    return tablets_.ScanTabletBatches(request, sink);
  }
  // A query fragment on the compute nodes owning its tablets (tablet_service.h).
  Status RunFragment(const storage::FragmentRequest& request, const storage::FragmentSink& sink) {
    return tablets_.RunFragment(request, sink);
  }

  // Makes a compaction's output the tablet's current version, if `base_meta`
  // still is (Aborted otherwise: a load or another compaction won).
  Status CommitCompaction(uint64_t table_id, uint64_t tablet_id, const std::string& base_meta,
                          const std::string& new_meta, const std::string& txn_id);

  // Every storage volume of the catalog (and the builtin one before the
  // catalog has it), ready to open.
  std::vector<storage::VolumeRef> Volumes() const;

  // A consistent read of the catalog.
  void ReadCatalog(const std::function<void(const meta::CatalogState&)>& fn) const { read_(fn); }

  // The object store of a volume (FE-side reads of tablet metadata).
  Result<std::shared_ptr<objstore::ObjectStore>> Store(const storage::VolumeRef& volume) const;

 private:
  struct Written {
    uint64_t tablet_id = 0;
    std::vector<storage::RowsetMeta> rowsets;
  };
  Result<std::vector<Written>> WriteRowsets(const DataTarget& target, const std::string& txn_id,
                                            std::vector<load::TabletRows> tablets, uint64_t* bytes);
  // Steps 3–4 with retries. `deletes` is applied to every tablet in `written`.
  Result<meta::CommitResult> CommitVersions(const DataTarget& target, const std::string& txn_id,
                                            const std::string& label, const std::string& kind, uint64_t rows,
                                            const std::vector<Written>& written,
                                            const std::vector<storage::DeleteCondition>& deletes,
                                            uint32_t* attempts);
  // After an ambiguous commit error: did `label` commit with `txn_id`?
  std::optional<uint64_t> CommittedVersion(uint64_t db_id, const std::string& label, const std::string& txn_id) const;

  // Serialises steps 3–4 per table in this FE: concurrent loads into the same
  // tablets would otherwise keep invalidating each other's bases (appends
  // commute, but each commit names the base it built on). Conflicts with other
  // FEs' loads remain and are retried.
  std::mutex& TableCommitMutex(uint64_t table_id);

  Options options_;
  std::mutex table_mu_;
  std::map<uint64_t, std::unique_ptr<std::mutex>> table_commit_mu_;
  Submit submit_;
  CatalogReadFn read_;
  storage::TabletService& tablets_;
  std::shared_ptr<storage::VolumeStores> stores_;
};

}  // namespace strata::server

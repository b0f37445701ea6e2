// DR drill (issue 10): proves, on the live volume and without touching the
// running cluster, that its newest snapshot restores and serves the same data.
//
// RunDrill:
//   1. picks the newest complete snapshot of the cluster's current lineage;
//   2. restores it in-process with RunRestore (restore.h) in clone mode into a
//      scratch cluster name "<cluster>-drill-<ms>" on the same volume: a new
//      lineage, its first image, a clone pin per volume — the source keeps
//      running and is never fenced; the elapsed time is the recovery time;
//   3. verifies the snapshot (snapshot::VerifySnapshot, as `strata snapshot
//      verify` does);
//   4. canaries: for every table, the row count and an order-independent
//      checksum of all its rows, read through the tablet versions the
//      *clone's* restored catalog names (opened with the clone's volume
//      definitions), compared with the same over the *source's* catalog at the
//      snapshot's version (the snapshot image, read independently);
//   5. removes the clone: its lineage's objects (`<clone id>/`), the scratch
//      cluster's pointer and restore records (`clusters/<scratch>/`), and its
//      pins. Clean-up runs whatever the earlier steps answered.
// A drill that cannot read the volume returns the error; one that read it
// reports its findings (ok() false with problems) instead.
//
// Thread-safety: RunDrill may run concurrently with the cluster's FEs (it
// writes only under its own scratch names); two drills of one cluster at once
// use different scratch names.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "objstore/open_object_store.h"
#include "restore/restore.h"

namespace strata::restore {

struct DrillOptions {
  std::shared_ptr<objstore::ObjectStore> meta_store;  // the cluster's metadata volume (fe.conf)
  objstore::VolumeSpec meta_volume;                   // its spec
  std::string cluster_name;                           // fe.conf cluster_name
  StoreOpener open;                                   // opens volumes named in catalogs
  std::string scratch_name;                           // "": "<cluster_name>-drill-<now ms>"
  bool keep_clone = false;                            // skip step 5 (for inspection)
  uint32_t verify_parallel = 8;
  std::function<int64_t()> now_ms;                    // null: the wall clock
};

struct TableCanary {
  std::string table;        // "db.table"
  uint64_t source_rows = 0;
  uint64_t clone_rows = 0;
  uint64_t source_checksum = 0;
  uint64_t clone_checksum = 0;
  bool ok() const { return source_rows == clone_rows && source_checksum == clone_checksum; }
};

struct DrillReport {
  std::string cluster_name;
  std::string source_cluster_id;
  std::string snapshot_name;
  uint64_t snapshot_version = 0;
  std::string scratch_name;
  std::string clone_cluster_id;
  int64_t started_ms = 0;
  int64_t restore_ms = 0;   // recovery time: RunRestore until the clone's lineage is committed
  int64_t verify_ms = 0;
  int64_t canary_ms = 0;
  int64_t cleanup_ms = 0;
  int64_t total_ms = 0;
  uint64_t tablet_versions = 0;  // checked by the restore
  bool verify_ok = false;
  std::vector<std::string> verify_problems;
  std::vector<TableCanary> canaries;
  bool cleaned_up = false;
  uint64_t objects_removed = 0;
  std::vector<std::string> problems;  // every failed step, in words
  bool ok() const { return problems.empty(); }
};

// Errors: NotFound when the cluster has no lineage or no complete snapshot;
// the store's errors when it cannot be read at all. Everything else is in the
// report.
Result<DrillReport> RunDrill(const DrillOptions& options);

// Row count and checksum of every table in `state`, by "db.table", reading
// tablet versions through the volumes the catalog defines (`open`). The
// checksum is the sum over rows of a 64-bit hash of the row's values (so it
// ignores row order and counts duplicates).
struct TableSums {
  uint64_t rows = 0;
  uint64_t checksum = 0;
};
Result<std::vector<std::pair<std::string, TableSums>>> SumTables(const meta::CatalogState& state,
                                                                 const StoreOpener& open);

// Removes what a clone restore wrote under `scratch_name` / `clone_cluster_id`
// on `meta_store` and its pins on every volume of `state` (the clone's
// catalog; may be null). Returns how many objects were deleted. Idempotent.
Result<uint64_t> RemoveClone(objstore::ObjectStore& meta_store, const std::string& scratch_name,
                             const std::string& clone_cluster_id, const meta::CatalogState* state,
                             const StoreOpener& open);

}  // namespace strata::restore

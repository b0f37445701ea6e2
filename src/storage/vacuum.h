// Vacuum: deletes the tablet versions and data files that no retained point
// needs (DESIGN invariant 4). Retained points come from the FE
// (RetainedVersions): the current catalog's tablet versions now; snapshots
// and clone pins later. Everything a retained version lists is kept, and so
// is anything written by a transaction younger than the grace period (a load
// or compaction that may still commit). Only objects under the vacuuming
// lineage's own prefix are ever deleted: a cluster never deletes what it did
// not write. Design notes: docs/design/compaction-vacuum.md.
//
// An object under `<lineage>/data/tablets/` is deleted only if all hold:
//   - it is not a retained version and no retained version lists it;
//   - its name is exactly one TabletMetaKey / DataFileKey makes for this
//     lineage (anything else is kept and counted in kept_unknown);
//   - both its transaction's time (from the name) and its last-modified time
//     (the store's clock) are older than now_ms - grace_ms. The second guards
//     against a writer whose clock runs behind.
// Versions are deleted before data files, so a crash mid-pass never leaves a
// version listing files that are gone (only unlisted files, deleted next pass).
//
// The retained set must be taken from the catalog at most grace_ms before the
// pass: a version committed after it is only protected by the grace period.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::storage {

struct RetainedVersions {
  // Tablet version keys (any lineage) that must stay readable.
  std::set<std::string> meta_keys;
};

struct VacuumOptions {
  int64_t now_ms = 0;              // wall clock; must be > 0
  int64_t grace_ms = 3600 * 1000;  // keep anything younger (must exceed the txn timeout); >= 0
  size_t deletes_max = 100'000;    // bound on one pass; the rest waits for the next pass
  size_t listed_max = 10'000'000;  // bound on the listing; more is ResourceExhausted, nothing deleted
  bool dry_run = false;            // decide, report, delete nothing
  // Asked before every delete batch; an error stops the pass there (e.g. the
  // lineage was fenced by a restore, or this FE stopped leading). May be null.
  std::function<Status()> may_delete;
};

// listed == kept_referenced + kept_young + kept_unknown + deleted + deferred.
struct VacuumReport {
  uint64_t listed = 0;
  uint64_t retained_meta = 0;     // retained versions read (any lineage)
  uint64_t referenced_files = 0;  // distinct data files they list (any lineage)
  uint64_t kept_referenced = 0;   // listed objects that are retained versions or listed by one
  uint64_t deleted = 0;           // with dry_run: would have been deleted
  uint64_t deferred = 0;          // deletable, but over deletes_max
  uint64_t kept_young = 0;
  uint64_t kept_unknown = 0;  // names vacuum does not recognise are never deleted
  std::vector<std::string> deleted_keys;  // filled when dry_run
};

// Vacuums everything under `<lineage>/data/tablets/`. Reads every retained
// version first; if one cannot be read (NotFound, DataLoss, Unavailable...)
// that error is returned and nothing is deleted. InvalidArgument for an empty
// lineage, bad options, or a retained key that is not a tablet version key.
// A failed DeleteBatch is returned as is (some of its keys may be gone; a
// rerun finishes the job). Failpoint "vacuum_after_delete_batch" is hit after
// each DeleteBatch.
Result<VacuumReport> VacuumLineage(objstore::ObjectStore& store, std::string_view lineage,
                                   const RetainedVersions& retained, const VacuumOptions& options);

// The checker the crash tests use: reads every retained version and HEADs
// every file it lists. DataLoss naming the first missing object (versions in
// key order, files in rowset order), or a file whose size differs from the
// version's record; DataLoss for a damaged version; the store's other errors.
Status CheckRetainedReadable(objstore::ObjectStore& store, const RetainedVersions& retained);

}  // namespace strata::storage

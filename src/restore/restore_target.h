// Point-in-time restore (issue 10): the catalog of a lineage as of any log
// version its retained log still covers — a base (a complete snapshot, a
// checkpoint image, or the empty catalog at 0) at or below the target plus
// the log entries after it, replayed exactly as the FEs applied them.
//
// Thread-safety: free functions, as thread-safe as the store.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "meta/catalog/catalog.h"
#include "objstore/object_store.h"
#include "snapshot/snapshot_store.h"

namespace strata::restore {

struct RestoreBase {
  snapshot::Manifest manifest;  // a snapshot base; name "" for a checkpoint image or the empty catalog
  uint64_t version = 0;
};

// The newest version committed at or before `time_ms` (by the entries'
// commit times). FailedPrecondition naming the log's bounds when the time is
// before its oldest entry.
Result<uint64_t> VersionAtTime(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& cluster_id,
                               int64_t time_ms);

// The newest base at or below `target` from which every entry up to `target`
// is still in the log. `snapshot_name` (when not "") restricts the choice to
// that snapshot. FailedPrecondition naming the restorable range when there is
// none (the target is outside the point-in-time window).
Result<RestoreBase> ChooseBase(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& cluster_id,
                               const std::string& snapshot_name, uint64_t target);

// The base's catalog with entries base+1..target applied. DataLoss for a
// damaged or missing entry.
Result<meta::Catalog> CatalogAt(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& cluster_id,
                                const RestoreBase& base, uint64_t target);

}  // namespace strata::restore

#include "restore/restore_target.h"

#include <fmt/format.h>

#include "meta/catalog/change.h"
#include "meta/log/image_store.h"
#include "meta/log/meta_log.h"

namespace strata::restore {
namespace {

struct LogBounds {
  uint64_t oldest = 0;  // 0: empty log
  uint64_t last = 0;
};

Result<LogBounds> Bounds(meta::MetaLog& log) {
  LogBounds b;
  STRATA_ASSIGN_OR_RETURN(b.oldest, log.OldestVersion());
  if (b.oldest == 0) return b;
  STRATA_ASSIGN_OR_RETURN(b.last, log.LastVersion(b.oldest));
  return b;
}

Result<int64_t> CommitTime(meta::MetaLog& log, uint64_t version) {
  STRATA_ASSIGN_OR_RETURN(std::string payload, log.Read(version));
  STRATA_ASSIGN_OR_RETURN(meta::Batch batch, meta::DecodeBatch(payload));
  return batch.commit_time_ms;
}

}  // namespace

Result<uint64_t> VersionAtTime(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& cluster_id,
                               int64_t time_ms) {
  meta::MetaLog log(store, cluster_id);
  STRATA_ASSIGN_OR_RETURN(LogBounds b, Bounds(log));
  if (b.oldest == 0) return FailedPrecondition("lineage " + cluster_id + " has no retained log to restore a time from");
  STRATA_ASSIGN_OR_RETURN(int64_t first, CommitTime(log, b.oldest));
  if (first > time_ms) {
    return FailedPrecondition(fmt::format(
        "target_time {} ms is before the point-in-time window of lineage {}: its oldest retained entry (version {}) "
        "was committed at {} ms",
        time_ms, cluster_id, b.oldest, first));
  }
  uint64_t lo = b.oldest, hi = b.last;  // invariant: time(lo) <= time_ms
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    STRATA_ASSIGN_OR_RETURN(int64_t t, CommitTime(log, mid));
    if (t <= time_ms) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

Result<RestoreBase> ChooseBase(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& cluster_id,
                               const std::string& snapshot_name, uint64_t target) {
  meta::MetaLog log(store, cluster_id);
  STRATA_ASSIGN_OR_RETURN(LogBounds b, Bounds(log));
  // A base at version v needs entries v+1..target, i.e. v + 1 >= oldest (or v == target).
  auto usable = [&](uint64_t v) {
    return v <= target && (v == target || (b.oldest != 0 && v + 1 >= b.oldest && target <= b.last));
  };
  RestoreBase best;
  bool found = false;
  STRATA_ASSIGN_OR_RETURN(std::vector<snapshot::Manifest> snaps, snapshot::ListSnapshots(*store, cluster_id));
  for (const auto& m : snaps) {
    if (!snapshot_name.empty() && m.name != snapshot_name) continue;
    if (usable(m.version) && (!found || m.version > best.version)) best = {m, m.version}, found = true;
  }
  if (snapshot_name.empty()) {
    meta::ImageStore images(store, cluster_id);
    STRATA_ASSIGN_OR_RETURN(std::vector<uint64_t> versions, images.List());
    for (uint64_t v : versions) {
      if (usable(v) && (!found || v > best.version)) best = {snapshot::Manifest{}, v}, found = true;
    }
    if (!found && b.oldest == 1 && usable(0)) best = {snapshot::Manifest{}, 0}, found = true;
  }
  if (!found) {
    return FailedPrecondition(fmt::format(
        "target version {} is outside the point-in-time window of lineage {}: its retained log holds versions "
        "[{}, {}]{} (turn point_in_time_retention_seconds on to keep more)",
        target, cluster_id, b.oldest, b.last,
        snapshot_name.empty() ? "" : " and snapshot " + snapshot_name + " is not at or below the target"));
  }
  return best;
}

Result<meta::Catalog> CatalogAt(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& cluster_id,
                                const RestoreBase& base, uint64_t target) {
  meta::Catalog catalog;
  if (!base.manifest.name.empty()) {
    STRATA_ASSIGN_OR_RETURN(catalog, snapshot::ReadSnapshotCatalog(*store, base.manifest));
  } else if (base.version > 0) {
    meta::ImageStore images(store, cluster_id);
    STRATA_ASSIGN_OR_RETURN(std::string payload, images.Read(base.version));
    STRATA_ASSIGN_OR_RETURN(catalog, meta::Catalog::DecodeImage(payload));
  }
  meta::MetaLog log(store, cluster_id);
  for (uint64_t v = base.version + 1; v <= target; ++v) {
    Result<std::string> payload = log.Read(v);
    if (payload.status().code() == StatusCode::kNotFound) {
      return DataLoss(fmt::format("log entry {} of lineage {} is missing (needed to reach version {})", v,
                                  cluster_id, target));
    }
    if (!payload.ok()) return payload.status();
    STRATA_ASSIGN_OR_RETURN(meta::Batch batch, meta::DecodeBatch(*payload));
    for (const auto& change : batch.changes) (void)catalog.Apply(change, v, batch.commit_time_ms);
    catalog.SetVersion(v);
  }
  return catalog;
}

}  // namespace strata::restore

// SnapshotRunner: the leader FE's cluster snapshot jobs (DESIGN §5).
//
// Each tick (leader only):
//   - a job in SNAPSHOTING/UPLOADING (or an automated one in INITIALIZING)
//     that this runner is not running was cut off by an FE restart or a
//     leader change: it becomes ERROR, saying so; its debris is removed later;
//   - a manual job in INITIALIZING (CREATE CLUSTER SNAPSHOT) is run;
//   - an automated job starts when automated snapshots are on and the
//     interval has passed since the last start;
//   - retention: the newest `retention_count` FINISHED automated snapshots
//     are kept; older ones become EXPIRED (only ever after a newer one
//     FINISHED), and every EXPIRED snapshot (also manual ones dropped with
//     DROP CLUSTER SNAPSHOT, and automated ones when automated snapshots are
//     turned OFF) is deleted from storage — manifest first — and marked
//     DELETED; job history beyond max_historical_automated_cluster_snapshot_jobs
//     is forgotten.
// A job: INITIALIZING → SNAPSHOTING (the cut: the catalog at the version that
// holds this transition) → UPLOADING (image, then the manifest, written last)
// → FINISHED. Any failure → ERROR with the reason; a failed job pins nothing.
// UPLOADING also writes the snapshot's object index (object_index.h): tablet
// versions already indexed by an earlier snapshot are not read again, so a
// snapshot reads only the versions committed since the previous one.
//
// Pins(): every tablet version named by a FINISHED snapshot whose manifest
// exists — what vacuum must keep (by version, not by time).
//
// Failpoints: snapshot.job.after_snapshoting, snapshot.job.after_uploading,
// plus those of snapshot_store.h.
// Thread-safety: Start/Stop from one thread; the rest is thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/result.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"
#include "meta/service/meta_service.h"
#include "snapshot/object_index.h"
#include "snapshot/snapshot_store.h"
#include "storage/tablet_service.h"

namespace strata::snapshot {

struct SnapshotRunnerOptions {
  std::string cluster_id;
  std::string cluster_name;
  int64_t tick_ms = 500;
  size_t retention_count = 6;           // automated snapshots kept (one hour at the default 10 min)
  size_t history_max = 100;             // max_historical_automated_cluster_snapshot_jobs
  int64_t debris_age_ms = 600'000;      // an incomplete snapshot directory older than this is removed
  std::function<bool()> is_leader;
  std::function<int64_t()> now_ms;      // null: system clock
  storage::VolumeRef builtin_volume;    // builtin_storage_volume before the catalog has it
  // Tablet versions known without reading them: the FE's load path notes the
  // versions it writes here. Null: the runner keeps its own.
  std::shared_ptr<ObjectIndexCache> index_cache;
};

struct SnapshotRunnerStatus {
  int64_t last_success_ms = 0;
  uint64_t consecutive_failures = 0;
  uint64_t finished = 0;
  uint64_t failed = 0;
  uint64_t deleted = 0;
  std::string last_error;
};

class SnapshotRunner {
 public:
  using Submit = std::function<Result<meta::CommitResult>(meta::Change)>;
  using ReadCatalog = std::function<meta::Catalog()>;  // a copy at the applied version

  SnapshotRunner(SnapshotRunnerOptions options, Submit submit, ReadCatalog read,
                 std::shared_ptr<storage::VolumeStores> stores);
  ~SnapshotRunner();

  void Start();
  void Stop();
  // One tick (tests and the thread).
  Status Tick();
  // Tablet versions pinned by complete, retained snapshots.
  Result<VersionsByVolume> Pins();
  SnapshotRunnerStatus status() const;

 private:
  Status RunJob(meta::SnapshotJob job, const meta::Catalog& at_start);
  Result<ObjectIndex> BuildIndex(const meta::Catalog& cut, objstore::ObjectStore& snapshot_store);
  Status FailJob(meta::SnapshotJob job, const std::string& error);
  Status Upsert(meta::SnapshotJob& job);
  Status ApplyRetention(const meta::CatalogState& s);
  Result<std::shared_ptr<objstore::ObjectStore>> StoreFor(const meta::CatalogState& s, const std::string& volume);
  int64_t Now() const;
  void Loop();
  // The lineage whose meta/image/ holds the job's snapshot (job.cluster_id, or this one).
  std::string HomeOf(const meta::SnapshotJob& job) const;
  // Whether this lineage may delete that snapshot: it is its own or an adopted
  // lineage's (a takeover's source), never a clone's source.
  bool MayDelete(const meta::CatalogState& s, const meta::SnapshotJob& job) const;

  SnapshotRunnerOptions options_;
  Submit submit_;
  ReadCatalog read_;
  std::shared_ptr<storage::VolumeStores> stores_;

  mutable std::mutex mu_;
  SnapshotRunnerStatus status_;
  static constexpr uint32_t kIndexReadParallel = 32;
  std::shared_ptr<ObjectIndexCache> index_cache_;  // options_.index_cache or its own
  std::map<std::string, VersionsByVolume> pins_cache_;  // "<cluster_id>/<name>" -> versions
  std::set<uint64_t> running_;  // job ids this runner runs
  int64_t last_automated_start_ms_ = 0;
  bool seen_enabled_ = false;  // Tick only
  bool stop_ = false;
  std::condition_variable cv_;
  std::thread thread_;
  std::mutex tick_mu_;
};

// The effective automated interval: the ON/ALTER interval, else the FE config
// automated_cluster_snapshot_interval_seconds, else 600.
int64_t AutomatedIntervalMs(const meta::CatalogState& s);

}  // namespace strata::snapshot

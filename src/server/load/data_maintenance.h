// DataMaintenance: the leader FE's background compaction and vacuum of table
// data (DESIGN invariant 4), on its own thread.
//
// Compaction: each round reads (a bounded number of) tablets' current
// versions, asks the TabletService (the owning CN, or in-process) to compact
// the ones PlanCompaction finds worth it, and commits each result with
// CommitTxn{kind = "compaction"} conditioned on the base still being current
// — a load that committed meanwhile wins, and the output is garbage for
// vacuum.
//
// Vacuum: retained points are (1) every tablet version current in the
// catalog now, (2) every version this FE saw current within the last
// vacuum_grace_ms (a query or compaction may still be reading it; after an FE
// start, vacuum waits a full grace period before its first pass), and (3)
// whatever RetainedPointsProvider adds (snapshots and clone pins: the snapshot
// issue). Everything else under this lineage's own prefix that is older than
// the grace period is deleted.
//
// Thread-safety: Start/Stop from one thread; RunOnce and Check are
// thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "server/load/load_coordinator.h"
#include "storage/compaction.h"
#include "storage/vacuum.h"

namespace strata::server {

// Extra tablet versions that must stay readable (snapshots, clone pins).
// Keyed by storage volume name.
using RetainedPointsProvider = std::function<Result<std::map<std::string, std::set<std::string>>>()>;

struct DataMaintenanceOptions {
  std::string lineage;
  int64_t interval_ms = 5000;        // compaction round period
  int64_t vacuum_interval_ms = 60'000;
  int64_t vacuum_grace_ms = 3600'000;
  size_t tablets_per_round_max = 10'000;
  size_t compactions_per_round_max = 64;
  storage::CompactionPolicy policy;
  std::function<bool()> is_leader;   // only the leader maintains
  RetainedPointsProvider extra_retained;  // may be null
  // Earlier lineages whose data this lineage's vacuum owns (a takeover
  // restore adopts its fenced source; CatalogState::lineage). May be null.
  std::function<std::vector<std::string>()> adopted_lineages;
};

struct MaintenanceReport {
  uint64_t tablets_checked = 0;
  uint64_t compactions_committed = 0;
  uint64_t compactions_conflicted = 0;
  uint64_t vacuum_passes = 0;
  uint64_t vacuum_deleted = 0;
  std::string last_error;
};

class DataMaintenance {
 public:
  DataMaintenance(DataMaintenanceOptions options, LoadCoordinator& coordinator, storage::TabletService& tablets);
  ~DataMaintenance();

  void Start();
  void Stop();

  // One compaction round (and a vacuum pass when `vacuum` and one is due).
  Status RunOnce(bool vacuum);
  // Reads every retained version and HEADs every file it lists (the checker
  // the crash tests use). DataLoss naming the first missing object.
  Status Check();
  MaintenanceReport report() const;

 private:
  struct TabletRef {
    uint64_t table_id = 0;
    uint64_t tablet_id = 0;
    std::string meta_key;
    storage::VolumeRef volume;
  };
  std::vector<TabletRef> CurrentTablets() const;
  Status Compact(const std::vector<TabletRef>& tablets);
  Status Vacuum(const std::vector<TabletRef>& tablets);
  void Observe(const std::vector<TabletRef>& tablets, int64_t now_ms);
  // Sets strata_snapshot_pinned_bytes: bytes only `pinned` versions keep.
  void UpdatePinnedBytes(const std::vector<TabletRef>& tablets,
                         const std::map<std::string, std::set<std::string>>& pinned);
  void Loop();

  DataMaintenanceOptions options_;
  LoadCoordinator& coordinator_;
  storage::TabletService& tablets_;
  const int64_t started_ms_;

  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, std::pair<std::string, int64_t>> seen_ms_;  // version key -> (volume, last seen current)
  std::map<std::string, size_t> rowset_counts_;        // version key -> rowsets (keys are immutable)
  std::map<std::string, std::map<std::string, uint64_t>> version_files_;  // version key -> its data files, sizes
  MaintenanceReport report_;
  int64_t last_vacuum_ms_ = 0;
  bool stop_ = false;
  std::condition_variable cv_;
  std::thread thread_;
  std::mutex run_mu_;  // one round at a time
};

}  // namespace strata::server

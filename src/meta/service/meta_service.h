// MetaService: one FE's view of the metadata log — leader or follower — as
// described in docs/design/meta.md. It loads the newest image and replays the
// log at start, tails the log, group-commits submitted changes when leader,
// takes over when the leader's lease goes stale (or was released), writes
// checkpoints and cleans up behind them.
//
// Lease hand-over. Leadership itself lives in the log: an FE leads from the
// version where its LeaderChange{fe, term} was appended (put-if-absent at
// applied + 1) until another FE appends the next one. The lease object
// (<cluster_id>/meta/leader) only tells followers whether the leader is alive:
//   "<fe_name> term=<t> renewal=<n>"   rewritten every lease_ms / 3 while leading;
//   "<fe_name> term=<t> released"      written once by a leader that stopped cleanly.
// A follower takes over when the lease has not changed for lease_ms, or at
// once when it reads a release naming the leader and term of its own catalog.
// The release is safe because it grants nothing: the follower still becomes
// leader only by appending its LeaderChange at the next version with
// put-if-absent, and the releasing FE has stopped appending before it writes
// the release (Stop). A release by an FE that is no longer the leader —
// another FE's entry is at its next version, or the follower's catalog
// names a newer term — is either not written or ignored; at worst it
// overwrites a newer leader's lease until that leader's next renewal, which
// followers see as one more change of the lease (so they wait longer, never
// shorter). So two FEs can never commit at the same version, released or not.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "meta/catalog/catalog.h"
#include "meta/log/image_store.h"
#include "meta/log/meta_log.h"
#include "objstore/object_store.h"

namespace strata::meta {

struct MetaServiceOptions {
  std::shared_ptr<objstore::ObjectStore> store;  // the volume holding the metadata
  std::string cluster_name = "strata";           // names the lineage pointer (log/lineage.h)
  std::string fe_name;                           // "host:http_port": how other FEs reach this one
  std::string cache_dir;                         // meta_dir: a cache only; "" disables it
  int64_t lease_ms = 3000;                       // leader presumed dead after this long without renewal
  int64_t poll_ms = 100;                         // how often followers read the next log version
  int batch_max = 1024;                          // changes per log entry
  int64_t checkpoint_entries = 1000;             // the leader writes an image every this many entries
  // ... and at least this often while entries arrive, so that a cold start
  // never replays more than a bounded tail even on a slow store (0: off).
  int64_t checkpoint_interval_ms = 60000;
  int images_kept = 2;
  bool may_lead = true;                          // false: never take leadership (read-only follower)
  RetentionHook* retention = nullptr;            // snapshots / PITR (later issues); may be null
  // Point-in-time window (0 = off): clean-up keeps every log entry committed
  // within it (and the image below them). Until this FE has applied entries
  // covering the whole window since it started, it keeps everything.
  int64_t pitr_window_ms = 0;
};

struct CommitResult {
  uint64_t version = 0;  // the log version that holds the change
  uint64_t id = 0;       // the id the change allocated, 0 if none
};

class MetaService {
 public:
  // Resolves the lineage (creating it on an empty volume), validates and loads
  // the cache, loads the newest image, replays the log to its end, and starts
  // the background thread. DataLoss when an image or entry is damaged: the FE
  // must refuse to start rather than serve a wrong catalog.
  static Result<std::unique_ptr<MetaService>> Start(MetaServiceOptions options);
  ~MetaService();  // Stop()s

  // Commits `change` through this FE if it is the leader: returns once the
  // entry holding it is durable and applied here, with the change's own result
  // (an invalid change returns its error; it took a log position but changed
  // nothing). On a follower: FailedPrecondition("not the leader; leader is X")
  // — the FE forwards to Leader() instead. Unavailable: not committed (lost
  // leadership, or the store failed) — safe to retry; a message saying
  // "outcome unknown" means it may have committed.
  Result<CommitResult> Submit(Change change);

  // Blocks until this FE has applied `version` or `timeout_ms` passes
  // (DeadlineExceeded).
  Status WaitApplied(uint64_t version, int64_t timeout_ms);

  // Runs `reader` on the catalog under a shared lock.
  template <typename F>
  auto Read(F&& reader) const {
    std::shared_lock lock(catalog_mu_);
    return reader(catalog_);
  }

  bool IsLeader() const { return is_leader_.load(); }
  std::string Leader() const;         // "" if unknown
  uint64_t AppliedVersion() const { return applied_.load(); }
  const std::string& ClusterId() const { return cluster_id_; }
  // Ready: caught up with the log as of the last poll and not stopped.
  bool Ready() const { return ready_.load(); }

  // The lineage that superseded this one, "" while this one is current
  // (DESIGN invariant 6): a FenceLineage entry in this log (a takeover
  // restore), or a newer lineage pointer for the cluster name (checked every
  // lease_ms). Once set, Submit fails with FailedPrecondition, this FE never
  // leads again and reports unready; the FE restarts into the successor.
  std::string SupersededBy() const;

  // Writes an image at the applied version now and cleans up behind it (leader only).
  Result<uint64_t> Checkpoint();

  // The smallest version whose state is inside the point-in-time window (the
  // last entry committed before the window began), or 1 while this FE cannot
  // tell (it has not seen the whole window yet); nullopt when the window is off.
  std::optional<uint64_t> OldestVersionInWindow() const;

  // A clean stop, in this order: new submissions are refused (Unavailable);
  // the background thread finishes the append it is making and exits; an
  // append whose outcome was unknown is read back (acknowledged if it landed,
  // else failed "not committed"; after kStopInDoubtAttemptsMax unanswered
  // reads, failed "outcome unknown"); submissions still queued fail with
  // Unavailable ("not committed"). Last, if this FE still leads, it releases
  // its lease (see the top of this file) so that a follower takes over at
  // once instead of after lease_ms. The release is best effort: when it is
  // not written (another FE already appended at our next version, the store
  // failed, or the outcome of our last append is unknown) followers take
  // over after the lease expires, as after a crash. Idempotent.
  void Stop();

  // Prometheus text for this service (log version, leader, commit latency, lag,
  // take-overs by reason: "released", "expired", "vacant").
  std::string MetricsText() const;

 private:
  struct Pending;
  struct InDoubt;
  explicit MetaService(MetaServiceOptions options);

  // Start-up (meta_service_recovery.cc).
  Status Recover();
  Status LoadNewestImage();
  Status ReplayAll();
  void ValidateCache();
  void CacheImage(uint64_t version, const std::string& payload);

  // The background loop (meta_service.cc).
  void Loop();
  Status ReplayAvailable();
  // Applies one log entry; fills `results` with each change's outcome.
  Status ApplyEntry(uint64_t version, const std::string& payload, std::vector<Result<uint64_t>>* results);
  void CommitPending();
  void ResolveInDoubt();
  void Acknowledge(std::vector<std::shared_ptr<Pending>>& batch, uint64_t version,
                   std::vector<Result<uint64_t>>& results);
  void FailAll(std::vector<std::shared_ptr<Pending>>& batch, const Status& why);
  void WatchLeader();
  // A follower that fell behind the log's clean-up would find "no next entry"
  // forever (and, worse, could take over at a deleted version): when an image
  // newer than what it applied exists, it reloads from that image.
  Status CatchUpFromNewerImage();
  void FailQueued(const std::string& why);
  // Appends LeaderChange{this FE, term + 1} at the next version. `won` (one of
  // the takeovers_* counters) counts the take-over before this FE reports
  // itself leader, so whoever sees IsLeader() also sees the count.
  Status TryTakeOver(std::atomic<uint64_t>* won);
  void RenewLease();
  void MaybeCheckpoint();
  void StepDown(const std::string& why);
  // Stop's last step (loop thread joined, nothing in doubt): writes the
  // release if this FE still leads and nothing follows its last entry.
  // FailedPrecondition when it is not (or no longer) the leader; the store's
  // error when it cannot tell or the write failed. Never appends to the log.
  Status ReleaseLease();
  // Sets superseded_by_ from the catalog's fence or the lineage pointer; true if superseded.
  bool CheckSuperseded();
  int64_t NowMs() const;

  MetaServiceOptions options_;
  std::string cluster_id_;
  std::string lease_key_;
  std::unique_ptr<MetaLog> log_;
  std::unique_ptr<ImageStore> images_;

  mutable std::shared_mutex catalog_mu_;  // guards catalog_
  Catalog catalog_;
  std::atomic<uint64_t> applied_{0};
  std::atomic<bool> is_leader_{false};
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  uint64_t my_term_ = 0;  // the term this FE won; leader iff catalog term == my_term_ and leader == me

  mutable std::mutex mu_;  // guards queue_, the wait conditions and leader_hint_
  std::condition_variable work_cv_;
  std::condition_variable applied_cv_;
  std::deque<std::shared_ptr<Pending>> queue_;
  std::string leader_hint_;
  std::string superseded_by_;
  // (version, commit_time_ms) of applied entries, oldest first, trimmed to the
  // window plus the last entry before it (guarded by mu_).
  std::deque<std::pair<uint64_t, int64_t>> commit_times_;
  int64_t started_ms_ = 0;
  class WindowRetention;
  std::unique_ptr<RetentionHook> window_retention_;

  // Loop-thread state (no lock: only the loop thread touches it after Start).
  std::unique_ptr<InDoubt> in_doubt_;
  std::string last_lease_seen_;
  int64_t lease_changed_at_ms_ = 0;
  uint64_t watched_term_ = 0;  // the term whose leader the lease clock is timing
  int64_t lease_renewed_at_ms_ = 0;
  uint64_t lease_counter_ = 0;
  // Take-overs this FE won, by what it saw before trying (MetricsText).
  std::atomic<uint64_t> takeovers_released_{0};
  std::atomic<uint64_t> takeovers_expired_{0};
  std::atomic<uint64_t> takeovers_vacant_{0};
  std::atomic<uint64_t> last_image_version_{0};
  int64_t last_checkpoint_at_ms_ = 0;  // loop thread only
  std::atomic<int64_t> caught_up_at_ms_{0};  // when a poll last found no newer entry (lag metric)
  std::mutex checkpoint_mu_;  // one checkpoint at a time (loop or on demand)
  uint64_t nonce_counter_ = 0;
  int64_t last_replay_at_ms_ = 0;
  int64_t last_image_check_at_ms_ = 0;
  int64_t last_pointer_check_at_ms_ = 0;  // loop thread only

  std::thread thread_;
  std::thread checkpoint_thread_;  // the periodic checkpoint, off the commit path
  std::atomic<bool> checkpoint_running_{false};
};

}  // namespace strata::meta

#include "meta/service/meta_service.h"

#include "meta/log/lineage.h"

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "meta/log/lineage.h"
#include "meta/service/meta_service_internal.h"

namespace strata::meta {
namespace {

int64_t MonotonicUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MetricsRegistry& Metrics() { return MetricsRegistry::Global(); }

}  // namespace

// Clean-up keeps the point-in-time window as well as what the configured hook keeps.
class MetaService::WindowRetention : public RetentionHook {
 public:
  WindowRetention(const MetaService* service, RetentionHook* inner) : service_(service), inner_(inner) {}
  std::optional<uint64_t> OldestRetainedVersion() override {
    std::optional<uint64_t> a = inner_ ? inner_->OldestRetainedVersion() : std::nullopt;
    std::optional<uint64_t> b = service_->OldestVersionInWindow();
    if (a && b) return std::min(*a, *b);
    return a ? a : b;
  }

 private:
  const MetaService* service_;
  RetentionHook* inner_;
};

std::optional<uint64_t> MetaService::OldestVersionInWindow() const {
  if (options_.pitr_window_ms <= 0) return std::nullopt;
  const int64_t cutoff = WallMs() - options_.pitr_window_ms;
  std::lock_guard lock(mu_);
  if (commit_times_.empty()) return started_ms_ < cutoff ? std::max<uint64_t>(1, applied_.load()) : 1;
  if (commit_times_.front().second < cutoff) return commit_times_.front().first;
  if (started_ms_ < cutoff) return std::max<uint64_t>(1, commit_times_.front().first - 1);
  return 1;  // not yet known: keep everything
}

MetaService::MetaService(MetaServiceOptions options) : options_(std::move(options)) {
  started_ms_ = WallMs();
  if (options_.pitr_window_ms > 0) {
    window_retention_ = std::make_unique<WindowRetention>(this, options_.retention);
    options_.retention = window_retention_.get();
  }
  STRATA_CHECK(options_.store != nullptr, "MetaService needs a store");
  STRATA_CHECK(!options_.fe_name.empty(), "MetaService needs an fe_name");
  STRATA_CHECK_GT(options_.batch_max, 0);
  STRATA_CHECK_GT(options_.poll_ms, 0);
  std::random_device rd;
  nonce_counter_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

MetaService::~MetaService() { Stop(); }

int64_t MetaService::NowMs() const { return MonotonicUs() / 1000; }

std::string MetaService::Leader() const {
  std::lock_guard lock(mu_);
  return leader_hint_;
}

Result<CommitResult> MetaService::Submit(Change change) {
  if (stopping_.load()) return Unavailable("the metadata service is stopping");
  if (std::string successor = SupersededBy(); !successor.empty()) {
    return FailedPrecondition("this cluster's lineage " + cluster_id_ + " was superseded by lineage " + successor +
                              " (a restore); this FE is restarting into it; retry");
  }
  if (!is_leader_.load()) {
    std::string leader = Leader();
    return FailedPrecondition("not the leader; leader is " + (leader.empty() ? std::string("unknown") : leader));
  }
  auto pending = std::make_shared<Pending>();
  pending->change = std::move(change);
  pending->submitted_at_us = MonotonicUs();
  std::future<Result<CommitResult>> done = pending->done.get_future();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(pending);
  }
  work_cv_.notify_one();
  return done.get();
}

Status MetaService::WaitApplied(uint64_t version, int64_t timeout_ms) {
  std::unique_lock lock(mu_);
  bool reached = applied_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                      [&] { return applied_.load() >= version || stopping_.load(); });
  if (applied_.load() >= version) return Status::OK();
  if (!reached) {
    return DeadlineExceeded(fmt::format("version {} not applied within {} ms (at {})", version, timeout_ms,
                                        applied_.load()));
  }
  return Unavailable("the metadata service is stopping");
}

void MetaService::Stop() {
  if (stopping_.exchange(true)) {
    if (thread_.joinable()) thread_.join();
    return;
  }
  work_cv_.notify_all();
  applied_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  ready_.store(false);
  // The loop has exited: nothing appends any more. Settle an unknown outcome
  // before anything else, so that its submitters get a definite answer when
  // the store can give one.
  bool outcome_unknown = false;
  for (int i = 0; in_doubt_ && i < kStopInDoubtAttemptsMax; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
    ResolveInDoubt();
  }
  if (in_doubt_) {
    FailAll(in_doubt_->batch, Unavailable("the metadata service stopped; outcome unknown"));
    in_doubt_.reset();
    outcome_unknown = true;
  }
  // Whatever is still queued (including a batch the read-back found missing) was never appended.
  FailQueued("the metadata service stopped; not committed");
  if (is_leader_.load() && !outcome_unknown) {
    Status released = ReleaseLease();
    if (released.ok()) {
      STRATA_LOG(kInfo, "{}: released the lease (term {}, version {}); a follower may take over now",
                 options_.fe_name, my_term_, applied_.load());
    } else {
      STRATA_LOG(kWarn, "{}: lease not released ({}); followers take over when it expires", options_.fe_name,
                 released.ToString());
    }
  } else if (is_leader_.load()) {
    STRATA_LOG(kWarn, "{}: lease not released: the outcome of the last append is unknown", options_.fe_name);
  }
  is_leader_.store(false);
  my_term_ = 0;
}

void MetaService::Loop() {
  while (!stopping_.load()) {
    // An append with an unknown outcome is settled before anything else moves.
    if (in_doubt_) ResolveInDoubt();
    // A leader's own appends keep it current (a foreign entry makes its next
    // append fail), so it polls the log only every poll_ms, not per commit.
    bool poll_due = !is_leader_.load() || NowMs() - last_replay_at_ms_ >= options_.poll_ms;
    if (!in_doubt_ && poll_due) last_replay_at_ms_ = NowMs();
    if (!in_doubt_) {
      Status s = poll_due ? ReplayAvailable() : Status::OK();
      if (!s.ok()) {
        // A damaged entry: stop serving rather than diverge (the FE reports unready).
        STRATA_LOG(kError, "metadata replay failed at version {}: {}", applied_.load() + 1, s.ToString());
        ready_.store(false);
        StepDown("replay failed");
      } else if (CheckSuperseded()) {
        ready_.store(false);
        if (is_leader_.load()) StepDown("the lineage was superseded");
        FailQueued("not committed: this cluster's lineage was superseded by a restore; retry");
      } else {
        ready_.store(true);
        if (is_leader_.load()) {
          CommitPending();
          RenewLease();
          MaybeCheckpoint();
        } else {
          FailQueued("not committed: this FE is no longer the leader; retry");
          if (NowMs() - last_image_check_at_ms_ >= options_.lease_ms) {
            last_image_check_at_ms_ = NowMs();
            Status caught = CatchUpFromNewerImage();
            if (!caught.ok()) STRATA_LOG(kWarn, "catch-up from a newer image: {}", caught.ToString());
          }
          WatchLeader();
        }
      }
    }
    std::unique_lock lock(mu_);
    work_cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] {
      return stopping_.load() || (!queue_.empty() && is_leader_.load() && !in_doubt_);
    });
  }
}

std::string MetaService::SupersededBy() const {
  std::lock_guard lock(mu_);
  return superseded_by_;
}

bool MetaService::CheckSuperseded() {
  std::string successor;
  {
    std::shared_lock lock(catalog_mu_);
    successor = catalog_.state().lineage.fenced_by;
  }
  if (successor.empty() && NowMs() - last_pointer_check_at_ms_ >= options_.lease_ms) {
    last_pointer_check_at_ms_ = NowMs();
    Result<LineagePointer> current = CurrentLineage(*options_.store, options_.cluster_name);
    if (current.ok() && current->cluster_id != cluster_id_) successor = current->cluster_id;
  }
  std::lock_guard lock(mu_);
  if (!successor.empty() && superseded_by_.empty()) {
    superseded_by_ = successor;
    STRATA_LOG(kWarn, "{}: lineage {} of cluster {} was superseded by lineage {}", options_.fe_name, cluster_id_,
               options_.cluster_name, successor);
  }
  return !superseded_by_.empty();
}

Status MetaService::ReplayAvailable() {
  // Bounded per call so a long catch-up still lets the loop renew the lease.
  constexpr int kEntriesPerCallMax = 10000;
  for (int i = 0; i < kEntriesPerCallMax && !stopping_.load(); ++i) {
    uint64_t next = applied_.load() + 1;
    Result<std::string> payload = log_->Read(next);
    if (payload.status().code() == StatusCode::kNotFound) {
      caught_up_at_ms_.store(NowMs());
      return Status::OK();
    }
    if (!payload.ok()) {
      if (payload.status().retryable()) return Status::OK();  // try again next poll
      return payload.status();
    }
    std::vector<Result<uint64_t>> ignored;
    STRATA_RETURN_IF_ERROR(ApplyEntry(next, *payload, &ignored));
  }
  return Status::OK();
}

Status MetaService::ApplyEntry(uint64_t version, const std::string& payload, std::vector<Result<uint64_t>>* results) {
  Result<Batch> batch = DecodeBatch(payload);
  if (!batch.ok()) return batch.status().WithContext(fmt::format("log entry {}", version));
  STRATA_FAILPOINT("meta.service.before_apply");
  {
    std::unique_lock lock(catalog_mu_);
    for (const Change& change : batch->changes) {
      results->push_back(catalog_.Apply(change, version, batch->commit_time_ms));
    }
    catalog_.SetVersion(version);
    bool leading = my_term_ != 0 && catalog_.term() == my_term_ && catalog_.leader() == options_.fe_name;
    bool was_leading = is_leader_.load();
    is_leader_.store(leading);
    {
      std::lock_guard mlock(mu_);
      leader_hint_ = catalog_.leader();
      applied_.store(version);
      if (options_.pitr_window_ms > 0) {
        commit_times_.emplace_back(version, batch->commit_time_ms);
        const int64_t cutoff = WallMs() - options_.pitr_window_ms;
        while (commit_times_.size() >= 2 && commit_times_[1].second < cutoff) commit_times_.pop_front();
      }
    }
    if (was_leading && !leading) {
      STRATA_LOG(kWarn, "{} lost leadership at version {} to {} (term {})", options_.fe_name, version,
                 catalog_.leader(), catalog_.term());
    }
  }
  Metrics().GetCounter("strata_meta_entries_applied_total").Add();
  applied_cv_.notify_all();
  return Status::OK();
}

void MetaService::FailAll(std::vector<std::shared_ptr<Pending>>& batch, const Status& why) {
  for (auto& p : batch) p->done.set_value(why);
  batch.clear();
}

void MetaService::Acknowledge(std::vector<std::shared_ptr<Pending>>& batch, uint64_t version,
                              std::vector<Result<uint64_t>>& results) {
  STRATA_CHECK_EQ(batch.size(), results.size());
  int64_t now_us = MonotonicUs();
  auto& latency = Metrics().GetHistogram("strata_meta_commit_seconds");
  for (size_t i = 0; i < batch.size(); ++i) {
    latency.Observe(static_cast<uint64_t>(now_us - batch[i]->submitted_at_us));
    if (results[i].ok()) {
      batch[i]->done.set_value(CommitResult{version, *results[i]});
    } else {
      // The change took log position `version` but changed nothing; its own
      // error goes back unchanged (the SQL layer maps it to a MySQL code).
      batch[i]->done.set_value(results[i].status());
    }
  }
  Metrics().GetCounter("strata_meta_commits_total").Add(batch.size());
  batch.clear();
}

void MetaService::CommitPending() {
  std::vector<std::shared_ptr<Pending>> batch;
  {
    std::lock_guard lock(mu_);
    while (!queue_.empty() && batch.size() < static_cast<size_t>(options_.batch_max)) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  if (batch.empty()) return;
  Batch entry{.writer_fe = options_.fe_name, .writer_term = my_term_, .nonce = ++nonce_counter_,
              .commit_time_ms = WallMs()};
  for (auto& p : batch) entry.changes.push_back(p->change);
  std::string payload = EncodeBatch(entry);
  uint64_t version = applied_.load() + 1;
  Status s = log_->Append(version, payload);
  if (s.ok()) {
    std::vector<Result<uint64_t>> results;
    Status applied = ApplyEntry(version, payload, &results);
    if (!applied.ok()) {
      FailAll(batch, applied.WithContext("committed but not applied here"));
      return;
    }
    Acknowledge(batch, version, results);
    return;
  }
  if (s.code() == StatusCode::kAlreadyExists) {
    // Someone else holds this version: catch up, then retry if still leader.
    Status r = ReplayAvailable();
    if (is_leader_.load() && r.ok()) {
      std::lock_guard lock(mu_);
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      return;
    }
    FailAll(batch, Unavailable("not committed: leadership lost to " + Leader() + "; retry"));
    return;
  }
  if (s.retryable() || s.code() == StatusCode::kUnavailable) {
    in_doubt_ = std::make_unique<InDoubt>(InDoubt{version, std::move(payload), std::move(batch), 0});
    return;
  }
  FailAll(batch, s.WithContext("not committed"));
}

void MetaService::ResolveInDoubt() {
  InDoubt& d = *in_doubt_;
  Result<std::string> stored = log_->Read(d.version);
  if (stored.ok()) {
    if (*stored == d.payload) {  // ours: the nonce makes the bytes unique
      std::vector<Result<uint64_t>> results;
      Status applied = ApplyEntry(d.version, d.payload, &results);
      if (applied.ok()) {
        Acknowledge(d.batch, d.version, results);
      } else {
        FailAll(d.batch, applied.WithContext("committed but not applied here"));
      }
    } else {
      FailAll(d.batch, Unavailable("not committed: another writer took version " + std::to_string(d.version) +
                                   "; retry"));
    }
    in_doubt_.reset();
    return;
  }
  if (stored.status().code() == StatusCode::kNotFound) {
    // Nothing landed: commit the batch again (new nonce, same position).
    std::lock_guard lock(mu_);
    for (auto it = d.batch.rbegin(); it != d.batch.rend(); ++it) queue_.push_front(std::move(*it));
    d.batch.clear();
    in_doubt_.reset();
    return;
  }
  if (++d.attempts >= kInDoubtAttemptsMax) {
    FailAll(d.batch, Unavailable("outcome unknown: the metadata store did not answer (" +
                                 stored.status().ToString() + ")"));
    in_doubt_.reset();
    StepDown("the metadata store is unreachable");
  }
}

void MetaService::FailQueued(const std::string& why) {
  std::deque<std::shared_ptr<Pending>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& p : left) p->done.set_value(Unavailable(why));
}

void MetaService::StepDown(const std::string& why) {
  if (!is_leader_.exchange(false)) return;
  STRATA_LOG(kWarn, "{} steps down: {}", options_.fe_name, why);
  my_term_ = 0;
  std::deque<std::shared_ptr<Pending>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& p : left) p->done.set_value(Unavailable("not committed: " + why + "; retry"));
}

}  // namespace strata::meta

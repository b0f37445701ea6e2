// Leadership: lease renewal, take-over, checkpoints (docs/design/meta.md).
#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "meta/service/meta_service.h"
#include "meta/service/meta_service_internal.h"

namespace strata::meta {
namespace {

// The release text (meta_service.h): "<fe_name> term=<t> released".
std::string ReleaseText(const std::string& fe_name, uint64_t term) {
  return fmt::format("{} term={} released", fe_name, term);
}

}  // namespace

void MetaService::WatchLeader() {
  if (!options_.may_lead) return;
  std::string leader;
  uint64_t term;
  {
    std::shared_lock lock(catalog_mu_);
    leader = catalog_.leader();
    term = catalog_.term();
  }
  int64_t now = NowMs();
  if (term != watched_term_) {
    // A new leader gets a full lease from the moment we learn of it, whatever
    // the lease object still says about its predecessor.
    watched_term_ = term;
    lease_changed_at_ms_ = now;
  }
  // No leader yet, or the recorded leader is this FE from an earlier life: no
  // one is renewing on its behalf, so there is nothing to wait for.
  bool take_now = leader.empty() || leader == options_.fe_name;
  std::atomic<uint64_t>* reason = &takeovers_vacant_;
  if (!take_now) {
    Result<std::string> lease = options_.store->Get(lease_key_);
    std::string seen = lease.ok() ? *lease : std::string("<") + std::string(StatusCodeName(lease.status().code())) + ">";
    if (!lease.ok() && lease.status().retryable()) return;  // cannot judge liveness now
    if (lease.ok() && *lease == ReleaseText(leader, term)) {
      // The leader our catalog names released this very term: it appends no
      // more, so there is nothing to wait for (a release of an older term, or
      // by another FE, is just one more change of the lease below).
      STRATA_LOG(kInfo, "{}: leader {} released its lease (term {}); taking over without waiting for it to expire",
                 options_.fe_name, leader, term);
      reason = &takeovers_released_;
    } else {
      if (seen != last_lease_seen_ || lease_changed_at_ms_ == 0) {
        last_lease_seen_ = seen;
        lease_changed_at_ms_ = now;
        return;
      }
      if (now - lease_changed_at_ms_ < options_.lease_ms) return;
      STRATA_LOG(kWarn, "{}: leader {} has not renewed its lease for {} ms; taking over", options_.fe_name, leader,
                 now - lease_changed_at_ms_);
      reason = &takeovers_expired_;
    }
  }
  // Never append at a version the clean-up may have deleted.
  Status caught = CatchUpFromNewerImage();
  if (!caught.ok()) {
    STRATA_LOG(kWarn, "{}: not taking over: {}", options_.fe_name, caught.ToString());
    return;
  }
  Status s = TryTakeOver(reason);
  if (s.ok()) {
    const char* after = reason == &takeovers_released_ ? "a released lease"
                        : reason == &takeovers_expired_ ? "an expired lease"
                                                        : "no live leader";
    STRATA_LOG(kInfo, "{} is the leader (term {}, version {}), taken over after {}", options_.fe_name, my_term_,
               applied_.load(), after);
  } else if (s.code() != StatusCode::kAlreadyExists) {
    STRATA_LOG(kWarn, "{}: take-over failed: {}", options_.fe_name, s.ToString());
  }
  lease_changed_at_ms_ = now;  // whoever won, give them a full lease before trying again
}

Status MetaService::TryTakeOver(std::atomic<uint64_t>* won) {
  uint64_t term;
  {
    std::shared_lock lock(catalog_mu_);
    term = catalog_.term() + 1;
  }
  Batch entry{.writer_fe = options_.fe_name, .writer_term = term, .nonce = ++nonce_counter_,
              .commit_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()};
  entry.changes.push_back(Change{.body = LeaderChange{.fe_name = options_.fe_name, .term = term}});
  std::string payload = EncodeBatch(entry);
  uint64_t version = applied_.load() + 1;
  my_term_ = term;  // so that applying our own LeaderChange makes us leader
  Status s = log_->Append(version, payload);
  if (s.code() == StatusCode::kUnavailable) {
    // Unknown outcome: read back; our nonce makes our bytes unique.
    Result<std::string> stored = log_->Read(version);
    s = stored.ok() ? (*stored == payload ? Status::OK() : AlreadyExists("version taken")) : stored.status();
  }
  if (!s.ok()) {
    my_term_ = 0;
    return s;
  }
  won->fetch_add(1);  // before ApplyEntry makes IsLeader() true
  std::vector<Result<uint64_t>> results;
  Status applied = ApplyEntry(version, payload, &results);
  if (!applied.ok() || !is_leader_.load()) {
    // Our own entry, at the version after everything we applied, with the
    // next term: only a damaged store or a bug gets here.
    won->fetch_sub(1);
    my_term_ = 0;
    if (!applied.ok()) return applied;
    return FailedPrecondition("the take-over entry was rejected: " + results[0].status().ToString());
  }
  lease_renewed_at_ms_ = 0;
  RenewLease();
  return Status::OK();
}

void MetaService::RenewLease() {
  int64_t now = NowMs();
  if (lease_renewed_at_ms_ != 0 && now - lease_renewed_at_ms_ < options_.lease_ms / 3) return;
  std::string lease = fmt::format("{} term={} renewal={}", options_.fe_name, my_term_, ++lease_counter_);
  Status s = options_.store->Put(lease_key_, lease);
  if (s.ok()) {
    lease_renewed_at_ms_ = now;
  } else {
    STRATA_LOG(kWarn, "{}: lease renewal failed: {}", options_.fe_name, s.ToString());
  }
}

Status MetaService::ReleaseLease() {
  if (!is_leader_.load() || my_term_ == 0) return FailedPrecondition("not the leader");
  // Appends only ever go to applied + 1, so an entry there was written by
  // another FE: it took over (or is taking over) and the lease is no longer ours.
  const uint64_t next = applied_.load() + 1;
  Result<std::string> taken = log_->Read(next);
  if (taken.ok()) {
    return FailedPrecondition(fmt::format("version {} was appended by another FE: leadership has passed", next));
  }
  if (taken.status().code() != StatusCode::kNotFound) {
    return taken.status().WithContext(fmt::format("read version {} before releasing", next));
  }
  STRATA_FAILPOINT("meta.service.before_lease_release");
  STRATA_RETURN_IF_ERROR(options_.store->Put(lease_key_, ReleaseText(options_.fe_name, my_term_)));
  return Status::OK();
}

Result<uint64_t> MetaService::Checkpoint() {
  std::lock_guard checkpoint_lock(checkpoint_mu_);
  uint64_t version;
  std::string image;
  {
    std::shared_lock lock(catalog_mu_);
    version = catalog_.version();
    image = catalog_.EncodeImage();
  }
  if (version == 0) return FailedPrecondition("nothing to checkpoint: the log is empty");
  STRATA_RETURN_IF_ERROR(images_->Write(version, image));
  last_image_version_.store(version);
  CacheImage(version, image);
  STRATA_FAILPOINT("meta.checkpoint.after_image_before_cleanup");
  Result<size_t> removed = CleanUpMeta(*log_, *images_, options_.images_kept, options_.retention);
  if (!removed.ok()) {
    STRATA_LOG(kWarn, "clean-up behind image {} failed: {}", version, removed.status().ToString());
  }
  MetricsRegistry::Global().GetCounter("strata_meta_checkpoints_total").Add();
  return version;
}

void MetaService::MaybeCheckpoint() {
  if (options_.checkpoint_entries <= 0) return;
  uint64_t since_image = applied_.load() - std::min(applied_.load(), last_image_version_.load());
  if (last_checkpoint_at_ms_ == 0) last_checkpoint_at_ms_ = NowMs();
  bool by_count = since_image >= static_cast<uint64_t>(options_.checkpoint_entries);
  bool by_time = options_.checkpoint_interval_ms > 0 && since_image > 0 &&
                 NowMs() - last_checkpoint_at_ms_ >= options_.checkpoint_interval_ms;
  if (!by_count && !by_time) return;
  // Off the commit path: writing the image and deleting a thousand old entries
  // would otherwise stall every writer for up to a second (bench/meta).
  if (checkpoint_running_.exchange(true)) return;
  last_checkpoint_at_ms_ = NowMs();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();  // the previous one has finished
  checkpoint_thread_ = std::thread([this] {
    Result<uint64_t> v = Checkpoint();
    if (!v.ok()) STRATA_LOG(kWarn, "checkpoint failed: {}", v.status().ToString());
    checkpoint_running_.store(false);
  });
}

std::string MetaService::MetricsText() const {
  // Lag: how long since this FE last saw that it had applied the whole log
  // (0 on the leader, whose own appends keep it current).
  int64_t caught_up = caught_up_at_ms_.load();
  double lag_seconds = is_leader_.load() || caught_up == 0 ? 0.0 : (NowMs() - caught_up) / 1000.0;
  uint64_t term;
  {
    std::shared_lock lock(catalog_mu_);
    term = catalog_.term();
  }
  return fmt::format(
      "# TYPE strata_meta_applied_version gauge\nstrata_meta_applied_version {}\n"
      "# TYPE strata_meta_is_leader gauge\nstrata_meta_is_leader {}\n"
      "# TYPE strata_meta_term gauge\nstrata_meta_term {}\n"
      "# TYPE strata_meta_ready gauge\nstrata_meta_ready {}\n"
      "# TYPE strata_meta_image_version gauge\nstrata_meta_image_version {}\n"
      "# TYPE strata_meta_lag_seconds gauge\nstrata_meta_lag_seconds {:.3f}\n"
      "# TYPE strata_meta_takeovers_total counter\n"
      "strata_meta_takeovers_total{{reason=\"released\"}} {}\n"
      "strata_meta_takeovers_total{{reason=\"expired\"}} {}\n"
      "strata_meta_takeovers_total{{reason=\"vacant\"}} {}\n",
      applied_.load(), is_leader_.load() ? 1 : 0, term, ready_.load() ? 1 : 0, last_image_version_.load(),
      lag_seconds, takeovers_released_.load(), takeovers_expired_.load(), takeovers_vacant_.load());
}

}  // namespace strata::meta

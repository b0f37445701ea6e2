#include "snapshot/snapshot_jobs.h"

#include <algorithm>
#include <chrono>

#include "common/failpoint.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "snapshot/volume_spec.h"

namespace strata::snapshot {
namespace {

bool Running(const std::string& state) {
  return state == "INITIALIZING" || state == "SNAPSHOTING" || state == "UPLOADING";
}

Counter& Metric(std::string_view name) { return MetricsRegistry::Global().GetCounter(name); }
Gauge& GaugeOf(std::string_view name) { return MetricsRegistry::Global().GetGauge(name); }

}  // namespace

int64_t AutomatedIntervalMs(const meta::CatalogState& s) {
  if (s.automated_snapshot.interval_seconds > 0) return static_cast<int64_t>(s.automated_snapshot.interval_seconds) * 1000;
  auto it = s.fe_config.find("automated_cluster_snapshot_interval_seconds");
  if (it != s.fe_config.end()) {
    char* end = nullptr;
    long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && v > 0) return v * 1000;
  }
  return 600'000;
}

SnapshotRunner::SnapshotRunner(SnapshotRunnerOptions options, Submit submit, ReadCatalog read,
                               std::shared_ptr<storage::VolumeStores> stores)
    : options_(std::move(options)), submit_(std::move(submit)), read_(std::move(read)), stores_(std::move(stores)),
      index_cache_(options_.index_cache ? options_.index_cache : std::make_shared<ObjectIndexCache>()) {}

SnapshotRunner::~SnapshotRunner() { Stop(); }

int64_t SnapshotRunner::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

void SnapshotRunner::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void SnapshotRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SnapshotRunnerStatus SnapshotRunner::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void SnapshotRunner::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Status s = Status::OK();
    if (!options_.is_leader || options_.is_leader()) s = Tick();
    lock.lock();
    if (!s.ok()) STRATA_LOG(kWarn, "snapshot runner: {}", s.ToString());
  }
}

Status SnapshotRunner::Upsert(meta::SnapshotJob& job) {
  auto r = submit_(meta::Change{.body = meta::UpsertSnapshotJob{.job = job}});
  if (!r.ok()) return r.status().WithContext("snapshot job " + job.name + " -> " + job.state);
  if (job.job_id == 0) job.job_id = r->id;
  return Status::OK();
}

Status SnapshotRunner::FailJob(meta::SnapshotJob job, const std::string& error) {
  job.state = "ERROR";
  job.error = error;
  job.finished_ms = Now();
  {
    std::lock_guard lock(mu_);
    ++status_.failed;
    ++status_.consecutive_failures;
    status_.last_error = error;
  }
  Metric("strata_snapshot_failed_total").Add();
  GaugeOf("strata_snapshot_consecutive_failures").Set(static_cast<int64_t>(status().consecutive_failures));
  STRATA_LOG(kWarn, "snapshot {} failed: {}", job.name, error);
  return Upsert(job);
}

Result<std::shared_ptr<objstore::ObjectStore>> SnapshotRunner::StoreFor(const meta::CatalogState& s,
                                                                       const std::string& volume) {
  auto v = s.storage_volumes.find(volume);
  if (v == s.storage_volumes.end() && volume == options_.builtin_volume.name && !volume.empty()) {
    return stores_->Get(options_.builtin_volume);
  }
  if (v == s.storage_volumes.end()) return NotFound("storage volume " + volume + " does not exist");
  return stores_->Get(storage::VolumeRef{.name = v->second.name, .spec = VolumeSpecOf(v->second)});
}

Result<ObjectIndex> SnapshotRunner::BuildIndex(const meta::Catalog& cut, objstore::ObjectStore& snapshot_store) {
  if (!index_cache_->seeded()) {
    // After a start or leader change: the newest snapshot's index saves reading every tablet version again.
    auto snapshots = ListSnapshots(snapshot_store, options_.cluster_id);
    if (snapshots.ok()) {
      for (auto m = snapshots->rbegin(); m != snapshots->rend(); ++m) {
        if (m->objects_bytes == 0) continue;
        auto previous = ReadObjectIndex(snapshot_store, *m);
        if (previous.ok()) index_cache_->Seed(*previous);
        if (previous.ok()) break;
        STRATA_LOG(kWarn, "snapshot {}: its object index cannot seed the next one: {}", m->name,
                   previous.status().ToString());
      }
    }
    if (!index_cache_->seeded()) index_cache_->Seed(ObjectIndex{});
  }
  const uint64_t reads_before = index_cache_->reads();
  auto index = index_cache_->Build(
      PinnedVersionsByVolume(cut.state()),
      [&](const std::string& volume) { return StoreFor(cut.state(), volume); }, kIndexReadParallel);
  if (index.ok()) Metric("strata_snapshot_index_versions_read_total").Add(index_cache_->reads() - reads_before);
  return index;
}

Status SnapshotRunner::RunJob(meta::SnapshotJob job, const meta::Catalog& at_start) {
  {
    std::lock_guard lock(mu_);
    running_.insert(job.job_id);
  }
  auto done = [&] {
    std::lock_guard lock(mu_);
    running_.erase(job.job_id);
  };
  job.state = "SNAPSHOTING";
  Status s = Upsert(job);
  if (s.ok()) s = failpoint::Hit("snapshot.job.after_snapshoting");
  meta::Catalog cut = s.ok() ? read_() : at_start;  // holds the SNAPSHOTING transition
  Result<std::shared_ptr<objstore::ObjectStore>> store = s.ok() ? StoreFor(cut.state(), job.storage_volume)
                                                                : Result<std::shared_ptr<objstore::ObjectStore>>(s);
  if (s.ok()) s = store.status();
  if (s.ok()) {
    job.state = "UPLOADING";
    job.snapshot_version = cut.version();
    s = Upsert(job);
  }
  if (s.ok()) s = failpoint::Hit("snapshot.job.after_uploading");
  if (s.ok()) {
    Manifest m{.name = job.name, .type = job.type == meta::SnapshotType::kManual ? "MANUAL" : "AUTOMATED",
               .cluster_id = options_.cluster_id, .cluster_name = options_.cluster_name,
               .created_ms = job.created_ms, .completed_ms = Now(), .storage_volume = job.storage_volume};
    auto index = BuildIndex(cut, **store);
    auto written = index.ok() ? WriteSnapshot(**store, cut, m, &*index) : Result<Manifest>(index.status());
    s = written.status();
    if (s.ok()) job.detail = "version " + std::to_string(written->version) + ", " +
                              std::to_string(written->tablet_versions) + " tablet versions";
  }
  if (!s.ok()) {
    // WriteSnapshot may have failed after the manifest was written (or its reply was lost): a snapshot exists
    // exactly when its job is FINISHED, and nothing pins a failed job's files. If the delete fails, the job
    // stays UPLOADING and the next tick cuts it off (deleting it again) instead.
    if (job.state == "UPLOADING" && store.ok()) {
      Status deleted = DeleteSnapshot(**store, options_.cluster_id, job.name);
      if (!deleted.ok()) {
        done();
        return deleted.WithContext("remove failed snapshot " + job.name);
      }
    }
    done();
    return FailJob(job, s.ToString());
  }
  job.state = "FINISHED";
  job.finished_ms = Now();
  s = Upsert(job);
  done();
  if (!s.ok()) return s;  // the manifest exists: a later tick sees the job cut off (ERROR), debris-free
  std::lock_guard lock(mu_);
  status_.last_success_ms = job.finished_ms;
  status_.consecutive_failures = 0;
  ++status_.finished;
  Metric("strata_snapshot_finished_total").Add();
  GaugeOf("strata_snapshot_last_success_timestamp_seconds").Set(job.finished_ms / 1000);
  GaugeOf("strata_snapshot_consecutive_failures").Set(0);
  STRATA_LOG(kInfo, "snapshot {} finished at version {}", job.name, job.snapshot_version);
  return Status::OK();
}

Status SnapshotRunner::Tick() {
  std::lock_guard tick(tick_mu_);
  meta::Catalog cat = read_();
  const meta::CatalogState& s = cat.state();
  const int64_t now = Now();
  // Jobs cut off by a restart or leader change; manual requests to run.
  std::vector<meta::SnapshotJob> to_run;
  for (const auto& [id, job] : s.snapshot_jobs) {
    if (!Running(job.state)) continue;
    bool mine = false;
    {
      std::lock_guard lock(mu_);
      mine = running_.contains(id);
    }
    if (mine) continue;
    if (job.state == "INITIALIZING" && job.type == meta::SnapshotType::kManual) {
      to_run.push_back(job);
      continue;
    }
    // It may have written its manifest before it was cut off: such a snapshot is
    // complete in storage but pinned by no FINISHED job, so vacuum would not keep
    // its files. Remove it (manifest first) before reporting the job as failed.
    if (auto store = StoreFor(s, job.storage_volume); store.ok() && MayDelete(s, job)) {
      STRATA_RETURN_IF_ERROR(DeleteSnapshot(**store, HomeOf(job), job.name));
    }
    STRATA_RETURN_IF_ERROR(FailJob(job, "the job was cut off by an FE restart or a leader change"));
  }
  for (auto& job : to_run) STRATA_RETURN_IF_ERROR(RunJob(job, cat));
  // Automated.
  if (!s.automated_snapshot.enabled) seen_enabled_ = false;
  if (s.automated_snapshot.enabled) {
    int64_t last = last_automated_start_ms_;
    for (const auto& [id, job] : s.snapshot_jobs) {
      if (job.type == meta::SnapshotType::kAutomated) last = std::max(last, job.created_ms);
    }
    if (!seen_enabled_) {
      // Turned on (or first seen on): the first snapshot comes one interval later, as in StarRocks.
      seen_enabled_ = true;
      if (last == 0) last = last_automated_start_ms_ = now;
    }
    if (now - last >= AutomatedIntervalMs(s)) {
      last_automated_start_ms_ = now;
      meta::SnapshotJob job{.name = "automated_cluster_snapshot_" + std::to_string(now),
                            .type = meta::SnapshotType::kAutomated, .state = "INITIALIZING", .created_ms = now,
                            .storage_volume = s.automated_snapshot.storage_volume};
      STRATA_RETURN_IF_ERROR(Upsert(job));
      STRATA_RETURN_IF_ERROR(RunJob(job, cat));
    }
  }
  {
    std::lock_guard lock(mu_);
    if (status_.last_success_ms > 0) {
      GaugeOf("strata_snapshot_last_success_age_seconds").Set((now - status_.last_success_ms) / 1000);
    }
  }
  meta::Catalog after = read_();
  STRATA_RETURN_IF_ERROR(ApplyRetention(after.state()));
  // Debris of cut-off jobs, in every volume that holds snapshots.
  std::set<std::string> volumes;
  for (const auto& [id, job] : after.state().snapshot_jobs) volumes.insert(job.storage_volume);
  for (const auto& v : volumes) {
    auto store = StoreFor(after.state(), v);
    if (!store.ok()) continue;  // the volume was dropped
    STRATA_RETURN_IF_ERROR(CleanUpDebris(**store, options_.cluster_id, now - options_.debris_age_ms).status());
  }
  return Status::OK();
}

std::string SnapshotRunner::HomeOf(const meta::SnapshotJob& job) const {
  return job.cluster_id.empty() ? options_.cluster_id : job.cluster_id;
}

bool SnapshotRunner::MayDelete(const meta::CatalogState& s, const meta::SnapshotJob& job) const {
  const std::string home = HomeOf(job);
  if (home == options_.cluster_id) return true;
  const auto& adopted = s.lineage.adopted_lineages;
  return std::find(adopted.begin(), adopted.end(), home) != adopted.end();
}

Status SnapshotRunner::ApplyRetention(const meta::CatalogState& s) {
  std::vector<meta::SnapshotJob> automated;
  for (const auto& [id, job] : s.snapshot_jobs) {
    if (job.type == meta::SnapshotType::kAutomated && job.state == "FINISHED") automated.push_back(job);
  }
  std::sort(automated.begin(), automated.end(),
            [](const auto& a, const auto& b) { return a.created_ms < b.created_ms; });
  size_t keep = s.automated_snapshot.enabled ? options_.retention_count : 0;
  for (size_t i = 0; i + keep < automated.size(); ++i) {
    meta::SnapshotJob job = automated[i];
    job.state = "EXPIRED";
    STRATA_RETURN_IF_ERROR(Upsert(job));
  }
  // Delete EXPIRED snapshots from storage, manifest first.
  meta::Catalog now_cat = read_();
  for (const auto& [id, job] : now_cat.state().snapshot_jobs) {
    if (job.state != "EXPIRED") continue;
    // A snapshot in a lineage this one does not own (a clone's source) is
    // only forgotten here: the clone never deletes what it did not write.
    auto store = StoreFor(now_cat.state(), job.storage_volume);
    if (store.ok() && MayDelete(now_cat.state(), job)) {
      STRATA_RETURN_IF_ERROR(DeleteSnapshot(**store, HomeOf(job), job.name));
    }
    meta::SnapshotJob deleted = job;
    deleted.state = "DELETED";
    STRATA_RETURN_IF_ERROR(Upsert(deleted));
    std::lock_guard lock(mu_);
    pins_cache_.erase(HomeOf(job) + "/" + job.name);
    ++status_.deleted;
  }
  // History bound: forget the oldest DELETED / ERROR automated jobs.
  std::vector<std::pair<int64_t, uint64_t>> history;
  for (const auto& [id, job] : now_cat.state().snapshot_jobs) {
    if (job.type == meta::SnapshotType::kAutomated) history.emplace_back(job.created_ms, id);
  }
  std::sort(history.begin(), history.end());
  for (size_t i = 0; i + options_.history_max < history.size(); ++i) {
    const auto& job = now_cat.state().snapshot_jobs.at(history[i].second);
    if (job.state != "DELETED" && job.state != "ERROR") continue;
    auto r = submit_(meta::Change{.body = meta::DeleteSnapshotJob{.job_id = job.job_id, .if_exists = true}});
    if (!r.ok()) return r.status();
  }
  return Status::OK();
}

Result<VersionsByVolume> SnapshotRunner::Pins() {
  meta::Catalog cat = read_();
  VersionsByVolume pins;
  auto merge = [&pins](const VersionsByVolume& from) {
    for (const auto& [volume, keys] : from) pins[volume].insert(keys.begin(), keys.end());
  };
  int64_t oldest_ms = 0;
  for (const auto& [id, job] : cat.state().snapshot_jobs) {
    if (job.state != "FINISHED") continue;
    if (oldest_ms == 0 || job.created_ms < oldest_ms) oldest_ms = job.created_ms;
    const std::string cache_key = HomeOf(job) + "/" + job.name;
    {
      std::lock_guard lock(mu_);
      if (auto it = pins_cache_.find(cache_key); it != pins_cache_.end()) {
        merge(it->second);
        continue;
      }
    }
    STRATA_ASSIGN_OR_RETURN(auto store, StoreFor(cat.state(), job.storage_volume));
    auto manifest = ReadManifest(*store, HomeOf(job), job.name);
    if (manifest.status().code() == StatusCode::kNotFound) continue;  // never completed: pins nothing
    if (!manifest.ok()) return manifest.status();
    STRATA_ASSIGN_OR_RETURN(meta::Catalog snap, ReadSnapshotCatalog(*store, *manifest));
    VersionsByVolume versions = PinnedVersionsByVolume(snap.state());
    merge(versions);
    std::lock_guard lock(mu_);
    pins_cache_[cache_key] = std::move(versions);
  }
  size_t count = 0;
  for (const auto& [volume, keys] : pins) count += keys.size();
  GaugeOf("strata_snapshot_pinned_tablet_versions").Set(static_cast<int64_t>(count));
  GaugeOf("strata_snapshot_oldest_pin_age_seconds").Set(oldest_ms == 0 ? 0 : (Now() - oldest_ms) / 1000);
  return pins;
}

}  // namespace strata::snapshot

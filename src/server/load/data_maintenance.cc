#include "server/load/data_maintenance.h"

#include "snapshot/clone_pins.h"

#include <chrono>
#include <optional>

#include "common/logging.h"
#include "common/metrics.h"

namespace strata::server {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

Counter& Metric(std::string_view name) { return MetricsRegistry::Global().GetCounter(name); }

constexpr size_t kVersionFilesCacheMax = 200'000;

// "<lineage>/data/tablets/<tablet_id>/meta/..." -> tablet_id.
std::optional<uint64_t> TabletIdOfKey(std::string_view key) {
  size_t a = key.find("/data/tablets/");
  if (a == std::string_view::npos) return std::nullopt;
  std::string_view rest = key.substr(a + 14);
  size_t b = rest.find('/');
  if (b == std::string_view::npos || b == 0) return std::nullopt;
  uint64_t id = 0;
  for (char c : rest.substr(0, b)) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  return id;
}

}  // namespace

DataMaintenance::DataMaintenance(DataMaintenanceOptions options, LoadCoordinator& coordinator,
                                 storage::TabletService& tablets)
    : options_(std::move(options)), coordinator_(coordinator), tablets_(tablets), started_ms_(NowMs()) {}

DataMaintenance::~DataMaintenance() { Stop(); }

void DataMaintenance::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void DataMaintenance::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

MaintenanceReport DataMaintenance::report() const {
  std::lock_guard lock(mu_);
  return report_;
}

void DataMaintenance::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Status s = Status::OK();
    if (!options_.is_leader || options_.is_leader()) s = RunOnce(true);
    lock.lock();
    if (!s.ok()) {
      report_.last_error = s.ToString();
      STRATA_LOG(kWarn, "data maintenance: {}", s.ToString());
    }
  }
}

std::vector<DataMaintenance::TabletRef> DataMaintenance::CurrentTablets() const {
  std::vector<TabletRef> out;
  std::vector<std::pair<std::string, std::string>> tables;  // (db, table)
  coordinator_.ReadCatalog([&](const meta::CatalogState& s) {
    for (const auto& [id, t] : s.tables) tables.emplace_back(s.databases.at(t.db_id).name, t.name);
  });
  for (const auto& [db, name] : tables) {
    auto target = coordinator_.Resolve(db, name);
    if (!target.ok()) continue;  // dropped meanwhile, or a schema this build cannot read
    for (const auto& p : target->partitions) {
      for (size_t b = 0; b < p.tablet_ids.size(); ++b) {
        if (p.tablet_meta[b].empty()) continue;
        out.push_back(TabletRef{.table_id = target->table.id, .tablet_id = p.tablet_ids[b],
                                .meta_key = p.tablet_meta[b], .volume = target->volume});
      }
    }
  }
  return out;
}

void DataMaintenance::Observe(const std::vector<TabletRef>& tablets, int64_t now_ms) {
  std::lock_guard lock(mu_);
  for (const auto& t : tablets) seen_ms_[t.meta_key] = {t.volume.name, now_ms};
  for (auto it = seen_ms_.begin(); it != seen_ms_.end();) {
    if (now_ms - it->second.second > options_.vacuum_grace_ms) {
      rowset_counts_.erase(it->first);
      it = seen_ms_.erase(it);
    } else {
      ++it;
    }
  }
}

Status DataMaintenance::RunOnce(bool vacuum) {
  std::lock_guard run(run_mu_);
  std::vector<TabletRef> tablets = CurrentTablets();
  const int64_t now = NowMs();
  Observe(tablets, now);
  Status s = Compact(tablets);
  bool due = false;
  {
    std::lock_guard lock(mu_);
    due = vacuum && now - started_ms_ >= options_.vacuum_grace_ms && now - last_vacuum_ms_ >= options_.vacuum_interval_ms;
    if (due) last_vacuum_ms_ = now;
  }
  if (due) {
    Status v = Vacuum(CurrentTablets());
    if (s.ok()) s = v;
  }
  return s;
}

Status DataMaintenance::Compact(const std::vector<TabletRef>& tablets) {
  size_t checked = 0, started = 0;
  for (const auto& t : tablets) {
    if (checked >= options_.tablets_per_round_max || started >= options_.compactions_per_round_max) break;
    ++checked;
    std::optional<size_t> rowsets;
    {
      std::lock_guard lock(mu_);
      if (auto it = rowset_counts_.find(t.meta_key); it != rowset_counts_.end()) rowsets = it->second;
    }
    STRATA_ASSIGN_OR_RETURN(auto store, coordinator_.Store(t.volume));
    storage::TabletMeta meta;
    if (!rowsets || *rowsets >= options_.policy.min_rowsets) {
      STRATA_ASSIGN_OR_RETURN(meta, storage::ReadTabletMeta(*store, t.meta_key, t.tablet_id));
      std::lock_guard lock(mu_);
      rowset_counts_[t.meta_key] = meta.rowsets.size();
    } else {
      continue;
    }
    if (!storage::PlanCompaction(meta, options_.policy).worth_it) continue;
    ++started;
    std::string txn = storage::NewTxnId();
    auto out = tablets_.Compact(storage::CompactRequest{.volume = t.volume, .lineage = options_.lineage,
                                                       .tablet_id = t.tablet_id, .base_meta_key = t.meta_key,
                                                       .txn_id = txn, .policy = options_.policy});
    if (!out.ok()) return out.status().WithContext("compact tablet " + std::to_string(t.tablet_id));
    if (!out->compacted) continue;
    Status c = coordinator_.CommitCompaction(t.table_id, t.tablet_id, t.meta_key, out->new_meta_key, txn);
    std::lock_guard lock(mu_);
    if (c.ok()) {
      ++report_.compactions_committed;
      Metric("strata_compaction_committed_total").Add();
    } else if (c.code() == StatusCode::kAborted || c.code() == StatusCode::kNotFound) {  // lost to a load or a DROP
      ++report_.compactions_conflicted;
      Metric("strata_compaction_conflicts_total").Add();
    } else {
      return c;
    }
  }
  std::lock_guard lock(mu_);
  report_.tablets_checked += checked;
  return Status::OK();
}

void DataMaintenance::UpdatePinnedBytes(const std::vector<TabletRef>& tablets,
                                        const std::map<std::string, std::set<std::string>>& pinned) {
  // Bytes of the data files that only snapshots (or other extra retained points)
  // keep: listed by a pinned version and by no current one. Version contents
  // never change, so what a version lists is cached by its key.
  std::map<std::string, storage::VolumeRef> volumes;
  for (const auto& v : coordinator_.Volumes()) volumes[v.name] = v;
  std::set<std::string> current_keys;
  for (const auto& t : tablets) current_keys.insert(t.meta_key);
  auto files_of = [&](const std::string& volume, const std::string& key) -> const std::map<std::string, uint64_t>* {
    {
      std::lock_guard lock(mu_);
      if (auto it = version_files_.find(key); it != version_files_.end()) return &it->second;
    }
    auto v = volumes.find(volume);
    if (v == volumes.end()) return nullptr;
    auto store = coordinator_.Store(v->second);
    if (!store.ok()) return nullptr;
    auto tablet_id = TabletIdOfKey(key);
    if (!tablet_id) return nullptr;
    auto meta = storage::ReadTabletMeta(**store, key, *tablet_id);
    if (!meta.ok()) return nullptr;
    std::map<std::string, uint64_t> files;
    for (const auto& r : meta->rowsets) files[r.data_file] = r.size_bytes;
    std::lock_guard lock(mu_);
    if (version_files_.size() >= kVersionFilesCacheMax) version_files_.clear();
    return &(version_files_[key] = std::move(files));
  };
  std::map<std::string, uint64_t> current_files, pinned_files;
  for (const auto& t : tablets) {
    if (const auto* f = files_of(t.volume.name, t.meta_key)) current_files.insert(f->begin(), f->end());
  }
  for (const auto& [volume, keys] : pinned) {
    for (const auto& key : keys) {
      if (current_keys.contains(key)) continue;
      if (const auto* f = files_of(volume, key)) pinned_files.insert(f->begin(), f->end());
    }
  }
  uint64_t bytes = 0;
  for (const auto& [file, size] : pinned_files) {
    if (!current_files.contains(file)) bytes += size;
  }
  MetricsRegistry::Global().GetGauge("strata_snapshot_pinned_bytes").Set(static_cast<int64_t>(bytes));
}

Status DataMaintenance::Vacuum(const std::vector<TabletRef>& tablets) {
  // Retained versions by the volume they live in: a volume's pass reads (and
  // must find) exactly the versions stored in it.
  std::map<std::string, std::set<std::string>> retained;
  for (const auto& t : tablets) retained[t.volume.name].insert(t.meta_key);
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, seen] : seen_ms_) retained[seen.first].insert(key);
  }
  if (options_.extra_retained) {
    STRATA_ASSIGN_OR_RETURN(auto extra, options_.extra_retained());
    UpdatePinnedBytes(tablets, extra);
    for (auto& [volume, keys] : extra) retained[volume].insert(keys.begin(), keys.end());
  }
  // Every volume of the catalog is swept, also one whose tables are all empty
  // or dropped; only this lineage's own prefix and those of the lineages it
  // adopted (a takeover restore's fenced source) are ever touched. Clone pins
  // on the volume (snapshot/clone_pins.h) are retained points too.
  // A volume that fails (unreachable, bad credentials) does not stop the others.
  std::vector<std::string> lineages{options_.lineage};
  if (options_.adopted_lineages) {
    for (auto& l : options_.adopted_lineages()) {
      if (l != options_.lineage) lineages.push_back(std::move(l));
    }
  }
  Status first_error = Status::OK();
  for (const storage::VolumeRef& volume : coordinator_.Volumes()) {
    auto store = coordinator_.Store(volume);
    storage::RetainedVersions keep{.meta_keys = retained[volume.name]};
    Result<std::vector<snapshot::ClonePin>> pins =
        store.ok() ? snapshot::ReadClonePins(**store) : Result<std::vector<snapshot::ClonePin>>(store.status());
    if (!pins.ok()) {  // an unreadable pin may protect anything: skip the volume
      if (first_error.ok()) first_error = pins.status().WithContext("vacuum volume " + volume.name);
      continue;
    }
    for (const auto& pin : *pins) keep.meta_keys.insert(pin.tablet_versions.begin(), pin.tablet_versions.end());
    for (const std::string& lineage : lineages) {
      storage::VacuumOptions options{.now_ms = NowMs(), .grace_ms = options_.vacuum_grace_ms,
                                     .may_delete = [this] {
                                       // A restore fences this lineage (the leader steps down at once):
                                       // a pass decided before that deletes nothing more.
                                       return options_.is_leader && !options_.is_leader()
                                                  ? FailedPrecondition("this FE no longer leads the lineage")
                                                  : Status::OK();
                                     }};
      auto report = storage::VacuumLineage(**store, lineage, keep, options);
      if (!report.ok()) {
        if (first_error.ok()) first_error = report.status().WithContext("vacuum volume " + volume.name);
        continue;
      }
      std::lock_guard lock(mu_);
      ++report_.vacuum_passes;
      report_.vacuum_deleted += report->deleted;
      Metric("strata_vacuum_deleted_objects_total").Add(report->deleted);
      if (report->deleted > 0) {
        STRATA_LOG(kInfo, "vacuum {} (lineage {}): deleted {} of {} objects", volume.name, lineage, report->deleted,
                   report->listed);
      }
    }
  }
  return first_error;
}

Status DataMaintenance::Check() {
  std::vector<TabletRef> tablets = CurrentTablets();
  std::map<std::string, std::pair<storage::VolumeRef, storage::RetainedVersions>> by_volume;
  for (const auto& t : tablets) {
    auto& entry = by_volume[t.volume.name + "\n" + t.volume.spec.location];
    entry.first = t.volume;
    entry.second.meta_keys.insert(t.meta_key);
  }
  for (auto& [id, entry] : by_volume) {
    STRATA_ASSIGN_OR_RETURN(auto store, coordinator_.Store(entry.first));
    STRATA_RETURN_IF_ERROR(storage::CheckRetainedReadable(*store, entry.second));
  }
  return Status::OK();
}

}  // namespace strata::server

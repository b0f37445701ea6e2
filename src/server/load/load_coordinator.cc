#include "server/load/load_coordinator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>

#include "common/failpoint.h"
#include "common/logging.h"
#include "load/router.h"
#include "snapshot/volume_spec.h"

namespace strata::server {
namespace {

std::string Join(const std::vector<std::string>& v, size_t max) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out += (i ? "; " : "") + v[i];
  return out;
}

}  // namespace

LoadCoordinator::LoadCoordinator(Options options, Submit submit, CatalogReadFn read, storage::TabletService& tablets,
                                 std::shared_ptr<storage::VolumeStores> stores)
    : options_(std::move(options)), submit_(std::move(submit)), read_(std::move(read)), tablets_(tablets),
      stores_(std::move(stores)) {}

Result<std::shared_ptr<objstore::ObjectStore>> LoadCoordinator::Store(const storage::VolumeRef& volume) const {
  return stores_->Get(volume);
}

Result<DataTarget> LoadCoordinator::Resolve(std::string_view db, std::string_view table) const {
  Status status = Status::OK();
  DataTarget t;
  read_([&](const meta::CatalogState& s) {
    auto db_it = s.database_ids.find(std::string(db));
    if (db_it == s.database_ids.end()) {
      status = NotFound("Unknown database '" + std::string(db) + "'");
      return;
    }
    const meta::Database& d = s.databases.at(db_it->second);
    auto t_it = d.table_ids.find(std::string(table));
    if (t_it == d.table_ids.end()) {
      status = NotFound("Table '" + std::string(db) + "." + std::string(table) + "' doesn't exist");
      return;
    }
    t.table = s.tables.at(t_it->second);
    t.db = d.name;
    t.db_id = d.id;
    for (const auto& [name, id] : t.table.partition_ids) t.partitions.push_back(s.partitions.at(id));
    // A table created before the FE registered its builtin volume (a brand-new
    // cluster) has no volume name: it lives in the builtin volume, whatever the
    // default becomes later.
    std::string volume = t.table.storage_volume.empty() ? std::string(kBuiltinVolumeName) : t.table.storage_volume;
    auto v = s.storage_volumes.find(volume);
    if (v != s.storage_volumes.end()) {
      t.volume = storage::VolumeRef{.name = v->second.name, .spec = snapshot::VolumeSpecOf(v->second)};
    } else if (volume == kBuiltinVolumeName && !options_.builtin_volume.spec.location.empty()) {
      t.volume = options_.builtin_volume;
    } else {
      status = FailedPrecondition("storage volume '" + volume + "' of table " + t.table.name + " does not exist");
    }
  });
  STRATA_RETURN_IF_ERROR(status);
  STRATA_ASSIGN_OR_RETURN(t.schema, load::TableSchema(t.table));
  return t;
}

Result<LoadOutcome> LoadCoordinator::Load(const DataTarget& target, load::LoadBatch batch, std::string label,
                                          std::string kind, double max_filter_ratio) {
  STRATA_RETURN_IF_ERROR(CheckLabelUnused(target, label));
  STRATA_ASSIGN_OR_RETURN(load::RoutedLoad routed, RouteBatch(target, std::move(batch)));
  return LoadRouted(target, std::move(routed), std::move(label), std::move(kind), max_filter_ratio);
}

Result<load::RoutedLoad> LoadCoordinator::RouteBatch(const DataTarget& target, load::LoadBatch batch) const {
  STRATA_ASSIGN_OR_RETURN(load::Router router, load::Router::Make(target.table, target.schema, target.partitions));
  load::RoutedBatch routed = router.Route(batch.columns, batch.line_numbers);
  load::RoutedLoad r{.tablets = std::move(routed.tablets), .rows_total = batch.rows_total,
                     .rows_loaded = batch.rows_loaded - routed.rows_filtered,
                     .rows_filtered = batch.rows_filtered + routed.rows_filtered, .errors = std::move(batch.errors)};
  r.errors.insert(r.errors.end(), routed.errors.begin(), routed.errors.end());
  return r;
}

Status LoadCoordinator::CheckLabelUnused(const DataTarget& target, const std::string& label) const {
  if (!label.empty() && CommittedVersion(target.db_id, label, "").has_value()) {
    return AlreadyExists("Label [" + label + "] has already been used");
  }
  return Status::OK();
}

Result<load::RoutedLoad> LoadCoordinator::RouteCsv(const DataTarget& target, const load::BuilderOptions& options,
                                                   const load::CsvOptions& csv, std::string_view body) const {
  STRATA_ASSIGN_OR_RETURN(load::Router router, load::Router::Make(target.table, target.schema, target.partitions));
  size_t threads = options_.load_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, load::kLoadThreadsMax);
  return load::LoadCsvRouted(target.schema, options, csv, body, router, {.threads = threads});
}

Result<LoadOutcome> LoadCoordinator::LoadRouted(const DataTarget& target, load::RoutedLoad routed, std::string label,
                                                std::string kind, double max_filter_ratio) {
  const std::string txn_id = storage::NewTxnId();
  if (label.empty()) label = kind + "_" + txn_id;
  STRATA_RETURN_IF_ERROR(CheckLabelUnused(target, label));
  LoadOutcome out{.label = label, .txn_id = txn_id, .rows_total = routed.rows_total,
                  .rows_loaded = routed.rows_loaded, .rows_filtered = routed.rows_filtered,
                  .errors = std::move(routed.errors)};
  if (out.rows_total > 0 && static_cast<double>(out.rows_filtered) / static_cast<double>(out.rows_total) >
                                max_filter_ratio) {
    return InvalidArgument("too many filtered rows (" + std::to_string(out.rows_filtered) + " of " +
                           std::to_string(out.rows_total) + ", max_filter_ratio " + std::to_string(max_filter_ratio) +
                           "): " + Join(out.errors, 5));
  }
  if (routed.tablets.empty()) return out;  // nothing to load
  STRATA_ASSIGN_OR_RETURN(auto written, WriteRowsets(target, txn_id, std::move(routed.tablets), &out.data_bytes));
  STRATA_FAILPOINT("load_after_data_files");
  STRATA_ASSIGN_OR_RETURN(meta::CommitResult commit,
                          CommitVersions(target, txn_id, label, kind, out.rows_loaded, written, {},
                                         &out.commit_attempts));
  out.commit_version = commit.version;
  STRATA_FAILPOINT("load_after_commit");
  return out;
}

Result<std::vector<LoadCoordinator::Written>> LoadCoordinator::WriteRowsets(const DataTarget& target,
                                                                           const std::string& txn_id,
                                                                           std::vector<load::TabletRows> tablets,
                                                                           uint64_t* bytes) {
  const auto schema = load::StorageSchema(target.schema);
  struct Job {
    size_t tablet = 0;
    uint32_t seq = 0;
    std::vector<storage::ColumnVector> columns;
  };
  std::vector<Job> jobs;
  std::vector<Written> written(tablets.size());
  for (size_t i = 0; i < tablets.size(); ++i) {
    written[i].tablet_id = tablets[i].tablet_id;
    const size_t rows = tablets[i].columns.empty() ? 0 : tablets[i].columns[0].size();
    const size_t step = options_.rows_per_data_file_max;
    if (rows <= step) {
      jobs.push_back(Job{.tablet = i, .seq = 0, .columns = std::move(tablets[i].columns)});
      continue;
    }
    uint32_t seq = 0;
    for (size_t begin = 0; begin < rows; begin += step) {
      Job job{.tablet = i, .seq = seq++};
      for (const auto& c : tablets[i].columns) {
        storage::ColumnVector part(c.type());
        part.AppendRange(c, begin, std::min(rows, begin + step));
        job.columns.push_back(std::move(part));
      }
      jobs.push_back(std::move(job));
    }
  }
  std::vector<Result<storage::RowsetMeta>> results(jobs.size(), Status(StatusCode::kInternal, "not run"));
  for (size_t base = 0; base < jobs.size(); base += options_.parallel_writes_max) {
    std::vector<std::future<void>> running;
    for (size_t j = base; j < jobs.size() && j < base + options_.parallel_writes_max; ++j) {
      running.push_back(std::async(std::launch::async, [&, j] {
        results[j] = tablets_.WriteRowset(storage::WriteRowsetRequest{
            .volume = target.volume, .lineage = options_.lineage, .tablet_id = written[jobs[j].tablet].tablet_id,
            .txn_id = txn_id, .seq = jobs[j].seq, .schema = schema, .columns = std::move(jobs[j].columns)});
      }));
    }
    for (auto& f : running) f.get();
  }
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (!results[j].ok()) return results[j].status().WithContext("write rowset of load " + txn_id);
    *bytes += results[j]->size_bytes;
    written[jobs[j].tablet].rowsets.push_back(std::move(*results[j]));
  }
  return written;
}

std::optional<uint64_t> LoadCoordinator::CommittedVersion(uint64_t db_id, const std::string& label,
                                                          const std::string& txn_id) const {
  std::optional<uint64_t> version;
  read_([&](const meta::CatalogState& s) {
    auto it = s.load_labels.find(meta::LoadLabelKey(db_id, label));
    if (it != s.load_labels.end() && (txn_id.empty() || it->second.txn_id == txn_id)) version = it->second.version;
  });
  return version;
}

std::mutex& LoadCoordinator::TableCommitMutex(uint64_t table_id) {
  std::lock_guard lock(table_mu_);
  auto& slot = table_commit_mu_[table_id];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

Result<meta::CommitResult> LoadCoordinator::CommitVersions(const DataTarget& target, const std::string& txn_id,
                                                           const std::string& label, const std::string& kind,
                                                           uint64_t rows, const std::vector<Written>& written,
                                                           const std::vector<storage::DeleteCondition>& deletes,
                                                           uint32_t* attempts) {
  STRATA_ASSIGN_OR_RETURN(auto store, Store(target.volume));
  const auto schema = load::StorageSchema(target.schema);
  std::lock_guard commit_lock(TableCommitMutex(target.table.id));
  thread_local std::mt19937 jitter(std::random_device{}());
  Status last = Status::OK();
  for (*attempts = 1; *attempts <= options_.commit_attempts_max; ++*attempts) {
    if (*attempts > 1) {  // back off (5..50 ms): another FE's commit is landing
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + jitter() % 46));
    }
    // The bases the catalog names now.
    std::map<uint64_t, std::string> bases;
    Status missing = Status::OK();
    read_([&](const meta::CatalogState& s) {
      for (const auto& w : written) {
        auto t = s.tablets.find(w.tablet_id);
        if (t == s.tablets.end()) {
          missing = Aborted("tablet " + std::to_string(w.tablet_id) + " was dropped or truncated during the load");
          return;
        }
        bases[w.tablet_id] = s.partitions.at(t->second.partition_id).tablet_meta[t->second.bucket_index];
      }
    });
    STRATA_RETURN_IF_ERROR(missing);
    meta::CommitTxn commit{.table_id = target.table.id, .label = label, .txn_id = txn_id, .kind = kind, .rows = rows};
    // Each tablet's next version: read its base, write the new object — on up to
    // version_writes_parallel threads (a load into 100k tablets is 200k requests).
    std::vector<Result<std::string>> keys(written.size(), Status(StatusCode::kInternal, "not run"));
    std::atomic<size_t> next_index{0};
    auto write_versions = [&] {
      for (size_t i = next_index.fetch_add(1); i < written.size(); i = next_index.fetch_add(1)) {
        const Written& w = written[i];
        auto base = storage::ReadTabletMeta(*store, bases.at(w.tablet_id), w.tablet_id);
        if (!base.ok()) {
          keys[i] = base.status();
          continue;
        }
        std::vector<std::vector<storage::DeleteCondition>> del;
        if (!deletes.empty()) del.push_back(deletes);
        storage::TabletMeta next = storage::NextTabletVersion(*base, txn_id, schema, w.rowsets, std::move(del));
        std::string key = storage::TabletMetaKey(options_.lineage, w.tablet_id, next.version, txn_id);
        Status put = storage::PutTabletMeta(*store, key, next);
        if (!put.ok()) {
          keys[i] = put;
          continue;
        }
        if (options_.version_written) options_.version_written(key, next, storage::EncodeTabletMeta(next).size());
        keys[i] = std::move(key);
      }
    };
    const size_t threads_n = std::min(written.size(), std::max<size_t>(options_.version_writes_parallel, 1));
    std::vector<std::thread> threads;
    threads.reserve(threads_n);
    for (size_t t = 1; t < threads_n; ++t) threads.emplace_back(write_versions);
    write_versions();
    for (auto& t : threads) t.join();
    for (size_t i = 0; i < written.size(); ++i) {
      if (!keys[i].ok()) return keys[i].status();
      commit.tablets.push_back(meta::TabletMetaUpdate{.tablet_id = written[i].tablet_id,
                                                      .base_meta = bases.at(written[i].tablet_id),
                                                      .new_meta = std::move(*keys[i])});
    }
    STRATA_FAILPOINT("load_after_tablet_meta");
    auto r = submit_(meta::Change{.body = commit});
    if (r.ok()) return r;
    last = r.status();
    if (auto v = CommittedVersion(target.db_id, label, txn_id)) {
      return meta::CommitResult{.version = *v};  // an earlier, ambiguous attempt committed
    }
    if (last.code() == StatusCode::kAlreadyExists) return last;
    if (last.code() != StatusCode::kAborted && last.code() != StatusCode::kUnavailable) return last;
    STRATA_LOG(kInfo, "load {} commit attempt {} failed, retrying: {}", txn_id, *attempts, last.ToString());
  }
  return last.WithContext("load " + txn_id + ": giving up after " + std::to_string(options_.commit_attempts_max) +
                          " commit attempts");
}

Result<LoadOutcome> LoadCoordinator::Delete(const DataTarget& target, const std::vector<std::string>& partitions,
                                            std::vector<storage::DeleteCondition> conditions, std::string label) {
  STRATA_RETURN_IF_ERROR(storage::ValidateDeleteConditions(load::StorageSchema(target.schema), conditions));
  const std::string txn_id = storage::NewTxnId();
  if (label.empty()) label = "delete_" + txn_id;
  LoadOutcome out{.label = label, .txn_id = txn_id};
  std::vector<Written> written;
  for (const auto& p : target.partitions) {
    if (!partitions.empty() && std::find(partitions.begin(), partitions.end(), p.name) == partitions.end()) continue;
    for (size_t b = 0; b < p.tablet_ids.size(); ++b) {
      if (!p.tablet_meta[b].empty()) written.push_back(Written{.tablet_id = p.tablet_ids[b]});
    }
  }
  for (const auto& name : partitions) {
    bool known = std::any_of(target.partitions.begin(), target.partitions.end(),
                             [&](const meta::Partition& p) { return p.name == name; });
    if (!known) return NotFound("partition " + name + " does not exist in table " + target.table.name);
  }
  if (written.empty()) return out;  // no data: nothing to delete
  STRATA_ASSIGN_OR_RETURN(meta::CommitResult commit, CommitVersions(target, txn_id, label, "delete", 0, written,
                                                                    conditions, &out.commit_attempts));
  out.commit_version = commit.version;
  return out;
}

std::vector<storage::VolumeRef> LoadCoordinator::Volumes() const {
  std::vector<storage::VolumeRef> out;
  bool has_builtin = false;
  read_([&](const meta::CatalogState& s) {
    for (const auto& [name, v] : s.storage_volumes) {
      out.push_back(storage::VolumeRef{.name = name, .spec = snapshot::VolumeSpecOf(v)});
      has_builtin |= name == kBuiltinVolumeName;
    }
  });
  if (!has_builtin && !options_.builtin_volume.spec.location.empty()) out.push_back(options_.builtin_volume);
  return out;
}

Status LoadCoordinator::CommitCompaction(uint64_t table_id, uint64_t tablet_id, const std::string& base_meta,
                                         const std::string& new_meta, const std::string& txn_id) {
  meta::CommitTxn commit{.table_id = table_id, .txn_id = txn_id, .kind = "compaction",
                         .tablets = {{.tablet_id = tablet_id, .base_meta = base_meta, .new_meta = new_meta}}};
  auto r = submit_(meta::Change{.body = std::move(commit)});
  if (r.ok()) return Status::OK();
  // An ambiguous failure: did it land?
  bool landed = false;
  read_([&](const meta::CatalogState& s) {
    auto t = s.tablets.find(tablet_id);
    landed = t != s.tablets.end() &&
             s.partitions.at(t->second.partition_id).tablet_meta[t->second.bucket_index] == new_meta;
  });
  return landed ? Status::OK() : r.status();
}

Status LoadCoordinator::Scan(const DataTarget& target, const storage::RowsetSink& sink) {
  for (const auto& p : target.partitions) {
    for (size_t b = 0; b < p.tablet_ids.size(); ++b) {
      if (p.tablet_meta[b].empty()) continue;
      STRATA_RETURN_IF_ERROR(tablets_.ScanTablet(
          storage::ScanTabletRequest{.volume = target.volume, .tablet_id = p.tablet_ids[b],
                                     .meta_key = p.tablet_meta[b], .options = {}},
          sink));
    }
  }
  return Status::OK();
}

}  // namespace strata::server

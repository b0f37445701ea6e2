// DR drill (drill.h): clone-restore the newest snapshot into a scratch
// lineage, verify, compare canaries with the source, remove the clone.
#include "restore/drill.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <tuple>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/check.h"
#include "common/logging.h"
#include "meta/catalog/catalog.h"
#include "meta/log/image_store.h"
#include "meta/log/lineage.h"
#include "restore/restore_record.h"
#include "snapshot/clone_pins.h"
#include "snapshot/snapshot_store.h"
#include "snapshot/snapshot_tool.h"
#include "snapshot/volume_spec.h"
#include "storage/tablet_io.h"
#include "storage/tablet_meta.h"

namespace strata::restore {
namespace {

constexpr std::string_view kBuiltinVolume = "builtin_storage_volume";
constexpr std::string_view kDrillGeneration = "drill";
constexpr size_t kCloneObjectsMax = 1'000'000;  // a clone's lineage holds one image and a few records

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// FNV-1a over bytes, continued from `h`.
uint64_t Fnv(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

// A final mix so that the sum over rows does not cancel structured hashes.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t RowHash(const std::vector<storage::ColumnVector>& columns, size_t row) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& c : columns) {
    const unsigned char tag = c.IsNull(row) ? 0 : 1;
    h = Fnv(h, &tag, 1);
    if (c.IsNull(row)) continue;
    switch (c.kind()) {
      case storage::PhysicalKind::kInt64: {
        const int64_t v = c.GetInt(row);
        h = Fnv(h, &v, sizeof v);
        break;
      }
      case storage::PhysicalKind::kInt128: {
        const storage::int128 v = c.GetWide(row);
        h = Fnv(h, &v, sizeof v);
        break;
      }
      case storage::PhysicalKind::kDouble: {
        const double v = c.GetDouble(row);
        uint64_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        h = Fnv(h, &bits, sizeof bits);
        break;
      }
      case storage::PhysicalKind::kBytes: {
        const std::string_view s = c.GetString(row);
        const uint64_t n = s.size();
        h = Fnv(h, &n, sizeof n);
        h = Fnv(h, s.data(), s.size());
        break;
      }
    }
  }
  return Mix(h);
}

// Opens each volume of a catalog once.
class VolumeCache {
 public:
  VolumeCache(const meta::CatalogState& state, const StoreOpener& open) : state_(state), open_(open) {}
  Result<std::shared_ptr<objstore::ObjectStore>> Get(const std::string& name) {
    if (auto it = opened_.find(name); it != opened_.end()) return it->second;
    auto def = state_.storage_volumes.find(name);
    if (def == state_.storage_volumes.end()) return DataLoss("storage volume " + name + " is not in the catalog");
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> store, open_(snapshot::VolumeSpecOf(def->second)));
    opened_[name] = store;
    return store;
  }

 private:
  const meta::CatalogState& state_;
  const StoreOpener& open_;
  std::map<std::string, std::shared_ptr<objstore::ObjectStore>> opened_;
};

Result<TableSums> SumTable(const meta::CatalogState& state, const meta::Table& t, VolumeCache& volumes) {
  std::string volume = t.storage_volume.empty() ? state.default_storage_volume : t.storage_volume;
  if (volume.empty()) volume = kBuiltinVolume;
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> store, volumes.Get(volume));
  TableSums sums;
  for (const auto& [p_name, p_id] : t.partition_ids) {
    const meta::Partition& p = state.partitions.at(p_id);
    for (size_t i = 0; i < p.tablet_ids.size() && i < p.tablet_meta.size(); ++i) {
      if (p.tablet_meta[i].empty()) continue;
      STRATA_ASSIGN_OR_RETURN(storage::TabletMeta meta, storage::ReadTabletMeta(*store, p.tablet_meta[i], p.tablet_ids[i]));
      STRATA_RETURN_IF_ERROR(storage::ScanTablet(*store, meta, {}, [&](std::vector<storage::ColumnVector>&& cols) {
        const size_t rows = cols.empty() ? 0 : cols.front().size();
        for (size_t r = 0; r < rows; ++r) sums.checksum += RowHash(cols, r);
        sums.rows += rows;
        return Status::OK();
      }).WithContext(fmt::format("scan tablet {} of {}", p.tablet_ids[i], t.name)));
    }
  }
  return sums;
}

Status DeleteAll(objstore::ObjectStore& store, const std::string& prefix, uint64_t* deleted) {
  STRATA_ASSIGN_OR_RETURN(std::vector<objstore::ObjectMeta> objects, objstore::ListAll(store, prefix, kCloneObjectsMax));
  constexpr size_t kBatch = 1000;
  for (size_t i = 0; i < objects.size(); i += kBatch) {
    std::vector<std::string> keys;
    for (size_t j = i; j < objects.size() && j < i + kBatch; ++j) keys.push_back(objects[j].key);
    STRATA_RETURN_IF_ERROR(store.DeleteBatch(keys));
    *deleted += keys.size();
  }
  return Status::OK();
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void CompareCanaries(const std::vector<std::pair<std::string, TableSums>>& source,
                     const std::vector<std::pair<std::string, TableSums>>& clone, DrillReport* r) {
  std::map<std::string, TableCanary> by_name;
  for (const auto& [name, s] : source) {
    by_name[name].table = name;
    by_name[name].source_rows = s.rows;
    by_name[name].source_checksum = s.checksum;
  }
  std::set<std::string> in_clone;
  for (const auto& [name, s] : clone) {
    in_clone.insert(name);
    by_name[name].table = name;
    by_name[name].clone_rows = s.rows;
    by_name[name].clone_checksum = s.checksum;
  }
  for (auto& [name, c] : by_name) {
    const bool in_source = std::any_of(source.begin(), source.end(), [&](auto& e) { return e.first == name; });
    if (!in_source) r->problems.push_back("table " + name + " is in the clone but not in the source's snapshot");
    if (!in_clone.contains(name)) r->problems.push_back("table " + name + " is missing from the clone");
    if (in_source && in_clone.contains(name) && !c.ok()) {
      r->problems.push_back(fmt::format("table {}: the clone has {} rows (checksum {:016x}), the source {} ({:016x})",
                                        name, c.clone_rows, c.clone_checksum, c.source_rows, c.source_checksum));
    }
    r->canaries.push_back(c);
  }
}

}  // namespace

Result<std::vector<std::pair<std::string, TableSums>>> SumTables(const meta::CatalogState& state,
                                                                 const StoreOpener& open) {
  VolumeCache volumes(state, open);
  std::vector<std::pair<std::string, TableSums>> out;
  for (const auto& [db_name, db_id] : state.database_ids) {
    for (const auto& [table_name, table_id] : state.databases.at(db_id).table_ids) {
      STRATA_ASSIGN_OR_RETURN(TableSums sums, SumTable(state, state.tables.at(table_id), volumes));
      out.emplace_back(db_name + "." + table_name, sums);
    }
  }
  return out;
}

Result<uint64_t> RemoveClone(objstore::ObjectStore& meta_store, const std::string& scratch_name,
                             const std::string& clone_cluster_id, const meta::CatalogState* state,
                             const StoreOpener& open) {
  STRATA_CHECK(!scratch_name.empty() && scratch_name.find('/') == std::string::npos, "bad scratch cluster name");
  uint64_t deleted = 0;
  if (!clone_cluster_id.empty()) {
    STRATA_CHECK(clone_cluster_id.find('/') == std::string::npos, "bad clone cluster id");
    if (state != nullptr) {
      VolumeCache volumes(*state, open);
      for (const auto& [volume, keys] : snapshot::PinnedVersionsByVolume(*state)) {
        STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> vs, volumes.Get(volume));
        STRATA_RETURN_IF_ERROR(snapshot::DeleteClonePin(*vs, clone_cluster_id).WithContext("unpin on " + volume));
      }
    }
    STRATA_RETURN_IF_ERROR(snapshot::DeleteClonePin(meta_store, clone_cluster_id));
    STRATA_RETURN_IF_ERROR(DeleteAll(meta_store, clone_cluster_id + "/", &deleted));
  }
  STRATA_RETURN_IF_ERROR(DeleteAll(meta_store, "clusters/" + scratch_name + "/", &deleted));
  return deleted;
}

Result<DrillReport> RunDrill(const DrillOptions& options) {
  auto now = [&] { return options.now_ms ? options.now_ms() : WallMs(); };
  DrillReport r{.cluster_name = options.cluster_name, .started_ms = now()};
  STRATA_ASSIGN_OR_RETURN(meta::LineagePointer current, meta::CurrentLineage(*options.meta_store, options.cluster_name));
  r.source_cluster_id = current.cluster_id;
  STRATA_ASSIGN_OR_RETURN(std::vector<snapshot::Manifest> snaps,
                          snapshot::ListSnapshots(*options.meta_store, current.cluster_id));
  if (snaps.empty()) return NotFound("cluster " + options.cluster_name + " (lineage " + current.cluster_id +
                                     ") has no complete snapshot to drill");
  const snapshot::Manifest* newest = &snaps.front();
  for (const auto& m : snaps) {
    if (std::tie(m.version, m.completed_ms) > std::tie(newest->version, newest->completed_ms)) newest = &m;
  }
  const snapshot::Manifest manifest = *newest;
  r.snapshot_name = manifest.name;
  r.snapshot_version = manifest.version;
  r.scratch_name = options.scratch_name.empty() ? fmt::format("{}-drill-{}", options.cluster_name, r.started_ms)
                                                : options.scratch_name;
  const std::string location = TrimSlash(options.meta_volume.location);
  const std::string yaml = fmt::format(
      "cluster_snapshot:\n  cluster_snapshot_path: {}/{}/meta/image/{}\n  storage_volume_name: {}\n"
      "  restore_mode: clone\n",
      location, current.cluster_id, manifest.name, kBuiltinVolume);

  // 2. Restore (clone) and time it.
  int64_t t = now();
  Result<RestoreOutcome> restored = RunRestore(RestoreOptions{
      .meta_store = options.meta_store, .meta_volume = options.meta_volume, .cluster_name = r.scratch_name,
      .yaml_text = yaml, .generation = std::string(kDrillGeneration), .fe_name = "drill:" + r.scratch_name,
      .open = options.open, .verify_parallel = options.verify_parallel, .now_ms = options.now_ms});
  r.restore_ms = now() - t;
  std::optional<meta::Catalog> clone_catalog;
  if (restored.ok()) {
    r.clone_cluster_id = restored->cluster_id;
    r.tablet_versions = restored->tablet_versions;
    auto payload = meta::ImageStore(options.meta_store, r.clone_cluster_id).Read(restored->snapshot_version);
    auto decoded = payload.ok() ? meta::Catalog::DecodeImage(*payload) : Result<meta::Catalog>(payload.status());
    if (decoded.ok()) {
      clone_catalog = std::move(*decoded);
    } else {
      r.problems.push_back("read the clone's catalog: " + decoded.status().ToString());
    }
  } else {
    r.problems.push_back("restore: " + restored.status().ToString());
    // It may have got as far as choosing a lineage: clean that up too.
    auto intent = ReadIntent(*options.meta_store, r.scratch_name, RestoreKey(yaml, kDrillGeneration));
    if (intent.ok()) r.clone_cluster_id = intent->cluster_id;
  }

  // 3. Verify the snapshot, as `strata snapshot verify` does.
  t = now();
  snapshot::SnapshotVerdict verdict = snapshot::VerifySnapshot(
      *options.meta_store, current.cluster_id, manifest.name,
      snapshot::VerifyOptions{.volume_location = location, .parallel = options.verify_parallel}, options.open);
  r.verify_ms = now() - t;
  r.verify_ok = verdict.ok();
  r.verify_problems = verdict.problems;
  if (!verdict.ok()) r.problems.push_back(fmt::format("verify: {} problem(s)", verdict.problems.size()));

  // 4. Canaries: the clone against the source at the snapshot's version.
  t = now();
  if (clone_catalog) {
    auto source_catalog = snapshot::ReadSnapshotCatalog(*options.meta_store, manifest);
    auto source = source_catalog.ok() ? SumTables(source_catalog->state(), options.open)
                                      : Result<std::vector<std::pair<std::string, TableSums>>>(source_catalog.status());
    auto clone = SumTables(clone_catalog->state(), options.open);
    if (!source.ok()) r.problems.push_back("canaries on the source: " + source.status().ToString());
    if (!clone.ok()) r.problems.push_back("canaries on the clone: " + clone.status().ToString());
    if (source.ok() && clone.ok()) CompareCanaries(*source, *clone, &r);
  }
  r.canary_ms = now() - t;

  // 5. Remove the clone.
  t = now();
  if (!options.keep_clone) {
    auto removed = RemoveClone(*options.meta_store, r.scratch_name, r.clone_cluster_id,
                               clone_catalog ? &clone_catalog->state() : nullptr, options.open);
    if (removed.ok()) {
      r.cleaned_up = true;
      r.objects_removed = *removed;
    } else {
      r.problems.push_back("remove the clone: " + removed.status().ToString());
    }
  }
  r.cleanup_ms = now() - t;
  r.total_ms = now() - r.started_ms;
  STRATA_LOG(kInfo, "drill of {}: snapshot {} (version {}) -> clone {}: {} in {} ms (restore {} ms)",
             options.cluster_name, r.snapshot_name, r.snapshot_version, r.clone_cluster_id,
             r.ok() ? "OK" : "FAILED", r.total_ms, r.restore_ms);
  return r;
}

}  // namespace strata::restore

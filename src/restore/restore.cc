#include "restore/restore.h"

#include <chrono>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"
#include "meta/log/image_store.h"
#include "meta/log/lineage.h"
#include "meta/log/meta_log.h"
#include "objstore/s3/sigv4.h"
#include "restore/restore_record.h"
#include "restore/restored_catalog.h"
#include "restore/restore_target.h"
#include "storage/vacuum.h"
#include "snapshot/clone_pins.h"
#include "snapshot/snapshot_store.h"
#include "snapshot/snapshot_tool.h"
#include "snapshot/volume_spec.h"

namespace strata::restore {
namespace {

constexpr std::string_view kBuiltinVolume = "builtin_storage_volume";

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The volume the snapshot is read through: the yaml's volume of that name,
// else (for the builtin volume) the FE's own.
Result<objstore::VolumeSpec> SnapshotVolume(const ClusterSnapshotConfig& config, const RestoreOptions& options) {
  for (const auto& v : config.storage_volumes) {
    if (v.name == config.storage_volume_name) return snapshot::VolumeSpecOf(v);
  }
  if (config.storage_volume_name == kBuiltinVolume) return options.meta_volume;
  return InvalidArgument("cluster_snapshot.yaml: storage_volume_name " + config.storage_volume_name +
                         " is not listed in storage_volumes");
}

struct SnapshotPath {
  std::string cluster_id;
  std::string name;  // "" = the newest complete snapshot
};

// "<volume location>/<cluster id>/meta[/image/<name>]".
Result<SnapshotPath> ParseSnapshotPath(const std::string& path, const std::string& location) {
  const std::string p = snapshot::NormalizeLocation(path);
  const std::string root = snapshot::NormalizeLocation(location);
  auto bad = [&](const std::string& why) {
    return InvalidArgument("cluster_snapshot.yaml: cluster_snapshot_path " + path + " " + why +
                           " (expected <volume location>/<cluster id>/meta/image/<snapshot>, or .../<cluster id>/meta"
                           " for the newest complete snapshot; the volume's location is " + location + ")");
  };
  if (p.rfind(root + "/", 0) != 0) return bad("is not under the storage volume");
  std::vector<std::string> parts;
  std::string rest = p.substr(root.size() + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t slash = rest.find('/', start);
    if (slash == std::string::npos) slash = rest.size();
    parts.push_back(rest.substr(start, slash - start));
    start = slash + 1;
  }
  for (const auto& part : parts) {
    if (part.empty()) return bad("has an empty path segment");
  }
  if (parts.size() == 2 && parts[1] == "meta") return SnapshotPath{parts[0], ""};
  if (parts.size() == 3 && parts[1] == "meta" && parts[2] == "image") return SnapshotPath{parts[0], ""};
  if (parts.size() == 4 && parts[1] == "meta" && parts[2] == "image") {
    STRATA_RETURN_IF_ERROR(snapshot::ValidateSnapshotName(parts[3]));
    return SnapshotPath{parts[0], parts[3]};
  }
  return bad("does not name a snapshot");
}

Result<snapshot::Manifest> ResolveSnapshot(objstore::ObjectStore& store, const SnapshotPath& path,
                                           const std::string& shown_path) {
  if (!path.name.empty()) {
    Result<snapshot::Manifest> m = snapshot::ReadManifest(store, path.cluster_id, path.name);
    if (m.status().code() == StatusCode::kNotFound) {
      return NotFound("no complete snapshot at " + shown_path + " (its snapshot_meta.json manifest is missing: the"
                      " snapshot never finished, or was deleted)");
    }
    return m;
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<snapshot::Manifest> all, snapshot::ListSnapshots(store, path.cluster_id));
  if (all.empty()) return NotFound("no complete snapshot under " + shown_path);
  const snapshot::Manifest* newest = &all.front();
  for (const auto& m : all) {
    if (std::tie(m.version, m.completed_ms) > std::tie(newest->version, newest->completed_ms)) newest = &m;
  }
  return *newest;
}

// Opens a volume named in the snapshot's image, through the yaml's definition
// when the yaml replaces it.
StoreOpener ReplacingOpener(const meta::CatalogState& image, const ClusterSnapshotConfig& config,
                            const StoreOpener& open) {
  std::map<std::string, objstore::VolumeSpec> by_location;
  for (const auto& v : config.storage_volumes) {
    auto it = image.storage_volumes.find(v.name);
    if (it == image.storage_volumes.end()) continue;
    by_location[snapshot::NormalizeLocation(snapshot::VolumeSpecOf(it->second).location)] = snapshot::VolumeSpecOf(v);
  }
  return [by_location, open](const objstore::VolumeSpec& spec) {
    auto it = by_location.find(snapshot::NormalizeLocation(spec.location));
    return open(it == by_location.end() ? spec : it->second);
  };
}

// Appends a FenceLineage entry at the source log's next free version.
Status FenceSource(const std::shared_ptr<objstore::ObjectStore>& store, const std::string& source,
                   const std::string& successor, uint64_t from_version, const std::string& writer) {
  meta::MetaLog log(store, source);
  if (from_version == 0) {
    STRATA_ASSIGN_OR_RETURN(from_version, log.OldestVersion());
  }
  STRATA_ASSIGN_OR_RETURN(uint64_t last, log.LastVersion(from_version));
  if (last == 0) {
    STRATA_LOG(kWarn, "restore: the source lineage {} has no log on this volume; nothing to fence", source);
    return Status::OK();
  }
  meta::Batch batch{.writer_fe = writer, .writer_term = 0, .nonce = static_cast<uint64_t>(WallMs()),
                    .commit_time_ms = WallMs(),
                    .changes = {meta::Change{meta::FenceLineage{.successor_cluster_id = successor,
                                                                .reason = "restored into " + successor}}}};
  const std::string payload = meta::EncodeBatch(batch);
  for (uint64_t v = last + 1, tries = 0; tries < 1000; ++v, ++tries) {
    Status s = log.Append(v, payload);
    if (s.ok()) return Status::OK();
    if (s.code() != StatusCode::kAlreadyExists) {
      // An unknown outcome: read back.
      Result<std::string> stored = log.Read(v);
      if (stored.ok() && *stored == payload) return Status::OK();
      if (stored.status().code() == StatusCode::kNotFound) return s.WithContext("fence the source lineage");
      if (!stored.ok()) return stored.status().WithContext("fence the source lineage");
    }
    // Someone (the source's leader) took v: try the next one.
  }
  return Unavailable("could not fence the source lineage " + source + ": its log keeps moving; retry");
}

}  // namespace

std::string RestoreKey(std::string_view yaml_text, std::string_view generation) {
  if (!generation.empty()) {
    std::string safe;
    for (char c : generation) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    if (safe.size() > 64) safe.resize(64);
    return "gen-" + safe;
  }
  return "yaml-" + objstore::s3::Sha256Hex(yaml_text).substr(0, 32);
}

Result<RestoreOutcome> RunRestore(const RestoreOptions& options) {
  auto now = [&] { return options.now_ms ? options.now_ms() : WallMs(); };
  const int64_t started = now();
  objstore::ObjectStore& meta = *options.meta_store;
  RestoreOutcome out;
  out.key = RestoreKey(options.yaml_text, options.generation);

  // 1. Done already?
  Result<RestoreDone> done = ReadDone(meta, options.cluster_name, out.key);
  if (done.ok()) {
    out.already_done = true;
    out.cluster_id = done->cluster_id;
    return out;
  }
  if (done.status().code() != StatusCode::kNotFound) return done.status().WithContext("read the restore record");

  STRATA_ASSIGN_OR_RETURN(ClusterSnapshotConfig config, ParseClusterSnapshotYaml(options.yaml_text));
  STRATA_ASSIGN_OR_RETURN(objstore::VolumeSpec snap_volume, SnapshotVolume(config, options));
  STRATA_ASSIGN_OR_RETURN(SnapshotPath path, ParseSnapshotPath(config.snapshot_path, snap_volume.location));
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> snap_store, options.open(snap_volume));

  // 2. The intent fixes the choices once.
  RestoreIntent intent;
  Result<RestoreIntent> stored_intent = ReadIntent(meta, options.cluster_name, out.key);
  if (stored_intent.ok()) {
    intent = *stored_intent;
    STRATA_LOG(kInfo, "restore {}: resuming (lineage {}, snapshot {})", out.key, intent.cluster_id,
               intent.snapshot_name);
  } else if (stored_intent.status().code() == StatusCode::kNotFound) {
    // Point-in-time: a target version (or time) within the source's retained log.
    uint64_t target = config.target_version;
    if (config.target_time_ms != 0) {
      STRATA_ASSIGN_OR_RETURN(target, VersionAtTime(snap_store, path.cluster_id, config.target_time_ms));
    }
    snapshot::Manifest chosen;
    uint64_t base_version = 0;
    if (target != 0) {
      STRATA_ASSIGN_OR_RETURN(RestoreBase base, ChooseBase(snap_store, path.cluster_id, path.name, target));
      chosen = base.manifest;
      chosen.cluster_id = path.cluster_id;
      base_version = base.version;
    } else {
      STRATA_ASSIGN_OR_RETURN(chosen, ResolveSnapshot(*snap_store, path, config.snapshot_path));
      base_version = chosen.version;
    }
    Result<meta::LineagePointer> current = meta::CurrentLineage(meta, options.cluster_name);
    if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
    std::string replaced;
    if (config.mode == RestoreMode::kClone) {
      if (current.ok() && current->cluster_id == chosen.cluster_id) {
        return FailedPrecondition("a clone restore needs its own cluster_name: cluster " + options.cluster_name +
                                  " is the source itself (set cluster_name in fe.conf, or restore_mode: takeover)");
      }
    } else if (current.ok() && current->cluster_id != chosen.cluster_id) {
      replaced = current->cluster_id;
    }
    RestoreIntent fresh{.key = out.key, .generation = options.generation, .cluster_id = meta::NewClusterId(),
                        .source_cluster_id = chosen.cluster_id, .snapshot_name = chosen.name,
                        .snapshot_version = base_version, .mode = std::string(RestoreModeName(config.mode)),
                        .started_ms = now(), .replaced_cluster_id = replaced, .target_version = target};
    STRATA_ASSIGN_OR_RETURN(intent, WriteIntent(meta, options.cluster_name, fresh));
    STRATA_LOG(kInfo, "restore {}: {} snapshot {} of lineage {} (version {}) into new lineage {}", out.key,
               intent.mode, intent.snapshot_name, intent.source_cluster_id, intent.snapshot_version,
               intent.cluster_id);
  } else {
    return stored_intent.status().WithContext("read the restore record");
  }
  STRATA_FAILPOINT("restore.after_intent");
  out.cluster_id = intent.cluster_id;
  out.source_cluster_id = intent.source_cluster_id;
  out.snapshot_name = intent.snapshot_name;
  out.snapshot_version = intent.target_version != 0 ? intent.target_version : intent.snapshot_version;
  out.mode = intent.mode == "clone" ? RestoreMode::kClone : RestoreMode::kTakeover;

  // 3. The restored catalog: the snapshot's, or (point-in-time) a base plus the log up to the target.
  snapshot::Manifest manifest;
  meta::Catalog image;
  if (intent.target_version != 0) {
    RestoreBase base{.version = intent.snapshot_version};
    if (!intent.snapshot_name.empty()) {
      STRATA_ASSIGN_OR_RETURN(base.manifest,
                              snapshot::ReadManifest(*snap_store, intent.source_cluster_id, intent.snapshot_name));
    }
    manifest = base.manifest;
    STRATA_ASSIGN_OR_RETURN(image, CatalogAt(snap_store, intent.source_cluster_id, base, intent.target_version));
  } else {
    STRATA_ASSIGN_OR_RETURN(manifest,
                            snapshot::ReadManifest(*snap_store, intent.source_cluster_id, intent.snapshot_name));
    if (manifest.version != intent.snapshot_version) {
      return DataLoss(fmt::format("snapshot {} is at version {}, the restore record says {}", intent.snapshot_name,
                                  manifest.version, intent.snapshot_version));
    }
    STRATA_ASSIGN_OR_RETURN(image, snapshot::ReadSnapshotCatalog(*snap_store, manifest));
  }
  STRATA_ASSIGN_OR_RETURN(
      meta::Catalog restored,
      BuildRestoredCatalog(image.state(), config,
                           RestoredFrom{.source_cluster_id = intent.source_cluster_id, .manifest = manifest,
                                        .key = out.key, .mode = out.mode, .restored_ms = intent.started_ms,
                                        .replaced_cluster_id = intent.replaced_cluster_id}));

  STRATA_LOG(kInfo, "restore {}: catalog at version {} read ({} partitions)", out.key, restored.version(),
             restored.state().partitions.size());

  // 4. Everything the catalog needs is reachable where the yaml says.
  if (intent.target_version == 0) {
    StoreOpener opener = ReplacingOpener(image.state(), config, options.open);
    snapshot::SnapshotVerdict verdict = snapshot::VerifySnapshotCatalog(
        *snap_store, manifest, image,
        snapshot::VerifyOptions{.volume_location = snap_volume.location, .problems_max = 20,
                                .parallel = options.verify_parallel},
        [&opener](const objstore::VolumeSpec& spec) { return opener(spec); });
    if (!verdict.ok()) {
      std::string problems;
      for (const auto& p : verdict.problems) problems += "\n  " + p;
      return DataLoss(fmt::format("snapshot {} cannot be restored from {}: {} problem(s):{}", intent.snapshot_name,
                                  config.snapshot_path, verdict.problems.size() + verdict.problems_not_listed,
                                  problems));
    }
    out.tablet_versions = verdict.tablet_versions_checked;
    STRATA_LOG(kInfo, "restore {}: verified {} tablet versions ({}; {} objects, {} lists)", out.key,
               verdict.tablet_versions_checked, verdict.method, verdict.objects_checked, verdict.lists);
  } else {
    // Versions the base snapshot indexed are checked by listing; those committed after it are read.
    std::optional<snapshot::ObjectIndex> base_index;
    if (manifest.objects_bytes > 0) {
      auto read = snapshot::ReadObjectIndex(*snap_store, manifest);
      if (read.ok()) base_index = std::move(*read);
    }
    for (const auto& [volume, keys] : snapshot::PinnedVersionsByVolume(restored.state())) {
      auto def = restored.state().storage_volumes.find(volume);
      if (def == restored.state().storage_volumes.end()) {
        return DataLoss("storage volume " + volume + " is not defined in the restored catalog");
      }
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> vs,
                              options.open(snapshot::VolumeSpecOf(def->second)));
      uint64_t listed = 0;
      Status readable = snapshot::CheckVersionsRestorable(*vs, keys, base_index ? &*base_index : nullptr,
                                                          options.verify_parallel, 20, &listed);
      STRATA_LOG(kInfo, "restore {}: volume {}: {} tablet versions checked, {} through the base snapshot's index",
                 out.key, volume, keys.size(), listed);
      if (!readable.ok()) {
        return DataLoss(fmt::format("version {} of lineage {} cannot be restored: {}", intent.target_version,
                                    intent.source_cluster_id, readable.ToString()));
      }
      out.tablet_versions += keys.size();
    }
  }
  STRATA_FAILPOINT("restore.after_verify");

  // 5. Clone: pin what is borrowed, on each volume it lives in.
  if (out.mode == RestoreMode::kClone) {
    for (const auto& [volume, keys] : snapshot::PinnedVersionsByVolume(restored.state())) {
      auto def = restored.state().storage_volumes.find(volume);
      if (def == restored.state().storage_volumes.end()) continue;
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> vs, options.open(snapshot::VolumeSpecOf(def->second)));
      STRATA_RETURN_IF_ERROR(snapshot::WriteClonePin(
          *vs, snapshot::ClonePin{.clone_cluster_id = intent.cluster_id, .source_cluster_id = intent.source_cluster_id,
                                  .snapshot_name = intent.snapshot_name, .created_ms = intent.started_ms,
                                  .tablet_versions = keys}).WithContext("pin the borrowed data on volume " + volume));
    }
  }

  // 6. The new lineage's first image.
  meta::ImageStore images(options.meta_store, intent.cluster_id);
  STRATA_RETURN_IF_ERROR(images.Write(restored.version(), restored.EncodeImage()).WithContext("write the restored image"));
  STRATA_FAILPOINT("restore.after_image");

  // 7. The cluster follows the new lineage.
  Result<meta::LineagePointer> current = meta::CurrentLineage(meta, options.cluster_name);
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
  if (!current.ok() || current->cluster_id != intent.cluster_id) {
    Status appended = meta::AppendLineage(meta, options.cluster_name, current.ok() ? current->seq : 0,
                                          intent.cluster_id);
    if (!appended.ok()) return appended.WithContext("point cluster " + options.cluster_name + " at the new lineage; retry");
  }
  STRATA_FAILPOINT("restore.after_lineage");

  // 8. Takeover: the source commits and deletes nothing more.
  if (out.mode == RestoreMode::kTakeover) {
    STRATA_RETURN_IF_ERROR(FenceSource(snap_store, intent.source_cluster_id, intent.cluster_id, intent.snapshot_version,
                                       "restore:" + options.fe_name));
    if (!intent.replaced_cluster_id.empty()) {
      STRATA_RETURN_IF_ERROR(FenceSource(options.meta_store, intent.replaced_cluster_id, intent.cluster_id, 0,
                                         "restore:" + options.fe_name));
    }
  }
  STRATA_FAILPOINT("restore.after_fence");

  // 9. Done.
  STRATA_RETURN_IF_ERROR(WriteDone(meta, options.cluster_name,
                                   RestoreDone{.key = out.key, .cluster_id = intent.cluster_id, .finished_ms = now(),
                                               .tablet_versions = out.tablet_versions}));
  out.elapsed_ms = now() - started;
  return out;
}

}  // namespace strata::restore

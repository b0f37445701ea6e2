// Apply for storage volumes, frontends, compute nodes, FE config and cluster
// snapshot settings and jobs. Validate first, then mutate.
#include <algorithm>
#include <string>

#include "meta/catalog/internal.h"

namespace strata::meta::internal {
namespace {

constexpr uint32_t kMaxPort = 65535;
constexpr size_t kMaxLocations = 64;

Status CheckPort(std::string_view what, uint32_t port, bool required) {
  if (port > kMaxPort || (required && port == 0)) {
    return InvalidArgument(std::string(what) + " " + std::to_string(port) + " is not a port in [1, 65535]");
  }
  return Status::OK();
}

Status NoVolume(const std::string& name) { return NotFound("storage volume " + name + " does not exist"); }

Status CheckLocations(const CreateStorageVolume& c) {
  if (c.locations.empty()) return InvalidArgument("storage volume " + c.name + " has no locations");
  if (c.locations.size() > kMaxLocations) return InvalidArgument("storage volume " + c.name + " has too many locations");
  for (const auto& loc : c.locations) {
    if (c.volume_type == VolumeType::kS3 && (loc.rfind("s3://", 0) != 0 || loc.size() <= 5)) {
      return InvalidArgument("S3 storage volume location '" + loc + "' does not start with s3://<bucket>");
    }
    if (c.volume_type == VolumeType::kLocal && loc.empty()) return InvalidArgument("LOCAL storage volume location is empty");
  }
  return Status::OK();
}

// The table that keeps `volume` in use, if any ("" if none).
std::string TableUsingVolume(const CatalogState& s, const std::string& volume) {
  for (const auto& [id, t] : s.tables) {
    if (t.storage_volume != volume) continue;
    auto db = s.databases.find(t.db_id);
    return (db == s.databases.end() ? std::string("?") : db->second.name) + "." + t.name;
  }
  return "";
}

Status CheckJob(const SnapshotJob& job) {
  STRATA_RETURN_IF_ERROR(CheckName("snapshot", job.name));
  if (std::find(kSnapshotJobStates.begin(), kSnapshotJobStates.end(), job.state) == kSnapshotJobStates.end()) {
    return InvalidArgument("unknown snapshot job state '" + job.state + "'");
  }
  if (static_cast<size_t>(job.type) >= kSnapshotTypeNames.size()) return InvalidArgument("unknown snapshot type");
  return Status::OK();
}

bool IsLive(const SnapshotJob& job) { return job.state != "ERROR" && job.state != "DELETED"; }

}  // namespace

Result<uint64_t> Apply(CatalogState& s, const CreateStorageVolume& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckName("storage volume", c.name));
  if (s.storage_volumes.contains(c.name)) {
    if (c.if_not_exists) return uint64_t{0};
    return AlreadyExists("storage volume " + c.name + " already exists");
  }
  if (static_cast<size_t>(c.volume_type) >= kVolumeTypeNames.size()) return InvalidArgument("unknown storage volume type");
  STRATA_RETURN_IF_ERROR(CheckLocations(c));
  StorageVolume v{.name = c.name, .type = c.volume_type, .locations = c.locations, .comment = c.comment,
                  .credentials = c.credentials};
  for (const auto& [k, value] : c.properties) {
    if (k.empty()) return InvalidArgument("storage volume " + c.name + " has a property with an empty key");
    if (IsCredentialKey(k)) {
      v.credentials[k] = Secret(value);
    } else {
      v.properties[k] = value;
    }
  }
  for (const auto& [k, value] : v.credentials) {
    if (k.empty()) return InvalidArgument("storage volume " + c.name + " has a credential with an empty key");
  }
  s.storage_volumes[c.name] = std::move(v);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const DropStorageVolume& c, const ApplyContext&) {
  if (!s.storage_volumes.contains(c.name)) {
    if (c.if_exists) return uint64_t{0};
    return NoVolume(c.name);
  }
  if (s.default_storage_volume == c.name) {
    return FailedPrecondition("storage volume " + c.name + " is the default storage volume");
  }
  if (s.automated_snapshot.enabled && s.automated_snapshot.storage_volume == c.name) {
    return FailedPrecondition("storage volume " + c.name + " holds the automated cluster snapshots");
  }
  if (std::string t = TableUsingVolume(s, c.name); !t.empty()) {
    return FailedPrecondition("storage volume " + c.name + " is used by table " + t);
  }
  s.storage_volumes.erase(c.name);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const SetDefaultStorageVolume& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckName("storage volume", c.name));
  if (!s.storage_volumes.contains(c.name)) return NoVolume(c.name);
  s.default_storage_volume = c.name;
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const AddFrontend& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckName("frontend", c.name));
  STRATA_RETURN_IF_ERROR(CheckName("frontend host", c.host));
  STRATA_RETURN_IF_ERROR(CheckPort("edit_log_port", c.edit_log_port, true));
  STRATA_RETURN_IF_ERROR(CheckPort("http_port", c.http_port, false));
  STRATA_RETURN_IF_ERROR(CheckPort("query_port", c.query_port, false));
  STRATA_RETURN_IF_ERROR(CheckPort("rpc_port", c.rpc_port, false));
  if (static_cast<size_t>(c.role) >= kFrontendRoleNames.size()) return InvalidArgument("unknown frontend role");
  if (s.frontends.contains(c.name)) return AlreadyExists("frontend " + c.name + " already exists");
  for (const auto& [name, fe] : s.frontends) {
    // An FE is reached at host:http_port (Strata has no edit log port).
    if (fe.host == c.host && fe.http_port == c.http_port) {
      return AlreadyExists("frontend " + c.host + ":" + std::to_string(c.http_port) + " already exists as " + name);
    }
  }
  s.frontends[c.name] = Frontend{.name = c.name, .host = c.host, .edit_log_port = c.edit_log_port,
                                 .http_port = c.http_port, .query_port = c.query_port, .rpc_port = c.rpc_port,
                                 .role = c.role};
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const DropFrontend& c, const ApplyContext&) {
  if (!s.frontends.contains(c.name)) return NotFound("frontend " + c.name + " does not exist");
  if (s.leader == c.name) return FailedPrecondition("frontend " + c.name + " is the leader");
  s.frontends.erase(c.name);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const AddComputeNode& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckName("compute node host", c.host));
  STRATA_RETURN_IF_ERROR(CheckPort("heartbeat_port", c.heartbeat_port, true));
  STRATA_RETURN_IF_ERROR(CheckPort("rpc_port", c.rpc_port, false));
  STRATA_RETURN_IF_ERROR(CheckPort("http_port", c.http_port, false));
  for (const auto& [id, cn] : s.compute_nodes) {
    if (cn.host == c.host && cn.heartbeat_port == c.heartbeat_port) {
      return AlreadyExists("compute node " + c.host + ":" + std::to_string(c.heartbeat_port) + " already exists");
    }
  }
  STRATA_RETURN_IF_ERROR(CheckIdsAvailable(s, 1));
  uint64_t id = AllocateId(s);
  s.compute_nodes[id] = ComputeNode{.id = id, .host = c.host, .heartbeat_port = c.heartbeat_port,
                                    .rpc_port = c.rpc_port, .http_port = c.http_port};
  return id;
}

Result<uint64_t> Apply(CatalogState& s, const DropComputeNode& c, const ApplyContext&) {
  for (const auto& [id, cn] : s.compute_nodes) {
    if (cn.host == c.host && cn.heartbeat_port == c.heartbeat_port) {
      s.compute_nodes.erase(id);
      return uint64_t{0};
    }
  }
  return NotFound("compute node " + c.host + ":" + std::to_string(c.heartbeat_port) + " does not exist");
}

Result<uint64_t> Apply(CatalogState& s, const SetFrontendConfig& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckName("config key", c.key));
  if (c.value.empty()) {
    s.fe_config.erase(c.key);
  } else {
    s.fe_config[c.key] = c.value;
  }
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const SetAutomatedSnapshot& c, const ApplyContext&) {
  AutomatedSnapshotSettings& a = s.automated_snapshot;
  switch (c.action) {
    case SnapshotAction::kOn: {
      if (a.enabled) return FailedPrecondition("automated cluster snapshot is already on");
      std::string volume = c.storage_volume.empty() ? s.default_storage_volume : c.storage_volume;
      if (volume.empty()) return FailedPrecondition("no storage volume given and no default storage volume");
      if (!s.storage_volumes.contains(volume)) return NotFound("unknown storage volume: " + volume);
      a.enabled = true;
      a.storage_volume = volume;
      if (c.interval_seconds > 0) a.interval_seconds = c.interval_seconds;
      return uint64_t{0};
    }
    case SnapshotAction::kOff:
      if (!a.enabled) return FailedPrecondition("automated cluster snapshot is not on");
      a.enabled = false;
      a.storage_volume.clear();
      return uint64_t{0};
    case SnapshotAction::kSetInterval:
      if (c.interval_seconds == 0) return InvalidArgument("snapshot interval must be at least 1 second");
      a.interval_seconds = c.interval_seconds;
      return uint64_t{0};
  }
  return InvalidArgument("unknown automated snapshot action");
}

Result<uint64_t> Apply(CatalogState& s, const UpsertSnapshotJob& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckJob(c.job));
  if (c.job.job_id != 0) {
    auto it = s.snapshot_jobs.find(c.job.job_id);
    if (it == s.snapshot_jobs.end()) return NotFound("snapshot job " + std::to_string(c.job.job_id) + " does not exist");
    if (it->second.name != c.job.name) {
      return InvalidArgument("snapshot job " + std::to_string(c.job.job_id) + " is named " + it->second.name +
                             ", not " + c.job.name);
    }
    it->second = c.job;
    return c.job.job_id;
  }
  for (const auto& [id, job] : s.snapshot_jobs) {
    if (job.name == c.job.name && IsLive(job)) return AlreadyExists("snapshot " + c.job.name + " already exists");
  }
  STRATA_RETURN_IF_ERROR(CheckIdsAvailable(s, 1));
  SnapshotJob job = c.job;
  job.job_id = AllocateId(s);
  s.snapshot_jobs[job.job_id] = job;
  return job.job_id;
}

Result<uint64_t> Apply(CatalogState& s, const FenceLineage& c, const ApplyContext&) {
  if (c.successor_cluster_id.empty() || c.successor_cluster_id.size() > 128 ||
      c.successor_cluster_id.find('/') != std::string::npos) {
    return InvalidArgument("fence_lineage: bad successor cluster id '" + c.successor_cluster_id + "'");
  }
  if (s.lineage.fenced_by.empty()) s.lineage.fenced_by = c.successor_cluster_id;
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const DeleteSnapshotJob& c, const ApplyContext&) {
  if (s.snapshot_jobs.erase(c.job_id) == 0 && !c.if_exists) {
    return NotFound("snapshot job " + std::to_string(c.job_id) + " does not exist");
  }
  return uint64_t{0};
}

}  // namespace strata::meta::internal

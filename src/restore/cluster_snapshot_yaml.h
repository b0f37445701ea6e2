// conf/cluster_snapshot.yaml: what a restore reads (StarRocks' schema, so the
// guide's file works unchanged; docs/operations/restore.md).
//
//   cluster_snapshot:                     # required for a restore
//     cluster_snapshot_path: s3://b/data/<cluster id>/meta/image/<snapshot>
//                                         # or .../<cluster id>/meta: the newest complete snapshot
//     storage_volume_name: builtin_storage_volume
//     restore_mode: takeover | clone      # Strata; default takeover
//     target_version: 1234                # Strata, point-in-time: restore the catalog as of this log version
//     target_time: "2026-11-29 03:00:00"  # ... or as of this UTC time (or epoch milliseconds); not both
//   frontends: [{host, edit_log_port, type: follower|observer}]   # replaces the image's
//   compute_nodes: [{host, heartbeat_service_port}]               # replaces the image's
//   storage_volumes:                                              # replace same-named volumes
//     - {name, type: S3|local, location, comment, properties: [{key, value}]}
//
// Every error names the field and the line; nothing is defaulted silently
// except what StarRocks defaults (type follower, comment "").
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "meta/catalog/model.h"

namespace strata::restore {

enum class RestoreMode { kTakeover, kClone };
std::string_view RestoreModeName(RestoreMode mode);  // "takeover" | "clone"

struct YamlFrontend {
  std::string host;
  uint32_t edit_log_port = 0;
  meta::FrontendRole role = meta::FrontendRole::kFollower;
};

struct YamlComputeNode {
  std::string host;
  uint32_t heartbeat_service_port = 0;
};

struct ClusterSnapshotConfig {
  std::string snapshot_path;        // cluster_snapshot.cluster_snapshot_path
  std::string storage_volume_name;  // cluster_snapshot.storage_volume_name
  RestoreMode mode = RestoreMode::kTakeover;
  uint64_t target_version = 0;  // 0: the snapshot itself
  int64_t target_time_ms = 0;   // 0: none
  std::vector<YamlFrontend> frontends;
  std::vector<YamlComputeNode> compute_nodes;
  std::vector<meta::StorageVolume> storage_volumes;  // credentials split out (IsCredentialKey)
};

// InvalidArgument naming the field (and line) for anything malformed or
// missing: a path that is not s3:// or a local path, an empty key/value, an
// unknown volume type, duplicate volume names, a port out of range.
Result<ClusterSnapshotConfig> ParseClusterSnapshotYaml(std::string_view text);

}  // namespace strata::restore

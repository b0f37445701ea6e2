#include "restore/cluster_snapshot_yaml.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <ctime>
#include <limits>
#include <set>

namespace strata::restore {
namespace {

std::string Where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return "";
  return " (line " + std::to_string(mark.line + 1) + ")";
}

Status Bad(const std::string& field, const YAML::Node& node, const std::string& what) {
  return InvalidArgument("cluster_snapshot.yaml: " + field + Where(node) + ": " + what);
}

// A scalar field: required or optional ("" when absent).
Result<std::string> Scalar(const YAML::Node& parent, const char* key, const std::string& path, bool required) {
  const YAML::Node node = parent[key];
  if (!node || node.IsNull()) {
    if (required) return Bad(path + "." + key, parent, "is required");
    return std::string();
  }
  if (!node.IsScalar()) return Bad(path + "." + key, node, "must be a single value");
  return node.Scalar();
}

Result<uint32_t> Port(const YAML::Node& parent, const char* key, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::string text, Scalar(parent, key, path, true));
  uint64_t value = 0;
  if (text.empty() || text.size() > 5) return Bad(path + "." + key, parent[key], "'" + text + "' is not a port");
  for (char c : text) {
    if (c < '0' || c > '9') return Bad(path + "." + key, parent[key], "'" + text + "' is not a port");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value == 0 || value > 65535) return Bad(path + "." + key, parent[key], "port " + text + " is out of range");
  return static_cast<uint32_t>(value);
}

// A list that may be absent or null ("frontends: []" or left out).
Result<YAML::Node> OptionalList(const YAML::Node& root, const char* key) {
  YAML::Node node = root[key];
  if (!node || node.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
  if (!node.IsSequence()) return Bad(key, node, "must be a list");
  return node;
}

bool IsLocalPath(std::string_view location) {
  return location.rfind("file://", 0) == 0 || location.rfind('/', 0) == 0;
}

Result<meta::StorageVolume> ParseVolume(const YAML::Node& node, size_t index) {
  const std::string path = "storage_volumes[" + std::to_string(index) + "]";
  if (!node.IsMap()) return Bad(path, node, "must be a mapping");
  meta::StorageVolume v;
  STRATA_ASSIGN_OR_RETURN(v.name, Scalar(node, "name", path, true));
  if (v.name.empty()) return Bad(path + ".name", node, "is empty");
  STRATA_ASSIGN_OR_RETURN(std::string type, Scalar(node, "type", path, true));
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (type == "S3") {
    v.type = meta::VolumeType::kS3;
  } else if (type == "LOCAL") {
    v.type = meta::VolumeType::kLocal;
  } else {
    return Bad(path + ".type", node["type"], "'" + type + "' is not S3 or LOCAL");
  }
  STRATA_ASSIGN_OR_RETURN(std::string location, Scalar(node, "location", path, true));
  if (v.type == meta::VolumeType::kS3 && (location.rfind("s3://", 0) != 0 || location.size() <= 5)) {
    return Bad(path + ".location", node["location"], "'" + location + "' does not start with s3://<bucket>");
  }
  if (v.type == meta::VolumeType::kLocal && !IsLocalPath(location)) {
    return Bad(path + ".location", node["location"], "'" + location + "' is not an absolute path or file:// URI");
  }
  v.locations.push_back(location);
  STRATA_ASSIGN_OR_RETURN(v.comment, Scalar(node, "comment", path, false));
  const YAML::Node props = node["properties"];
  if (props && !props.IsNull()) {
    if (!props.IsSequence()) return Bad(path + ".properties", props, "must be a list of {key, value}");
    for (size_t i = 0; i < props.size(); ++i) {
      const std::string ppath = path + ".properties[" + std::to_string(i) + "]";
      if (!props[i].IsMap()) return Bad(ppath, props[i], "must be a mapping with key and value");
      STRATA_ASSIGN_OR_RETURN(std::string key, Scalar(props[i], "key", ppath, true));
      STRATA_ASSIGN_OR_RETURN(std::string value, Scalar(props[i], "value", ppath, true));
      if (key.empty()) return Bad(ppath + ".key", props[i], "is empty");
      if (value.empty()) return Bad(ppath + ".value", props[i], "is empty (for key " + key + ")");
      if (v.properties.contains(key) || v.credentials.contains(key)) {
        return Bad(ppath + ".key", props[i], "'" + key + "' is given twice");
      }
      if (meta::IsCredentialKey(key)) {
        v.credentials.emplace(key, Secret(value));
      } else {
        v.properties.emplace(key, value);
      }
    }
  }
  return v;
}

Result<uint64_t> ParseUnsigned(const std::string& text) {
  uint64_t v = 0;
  if (text.empty() || text.size() > 19) return InvalidArgument("'" + text + "' is not a number");
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidArgument("'" + text + "' is not a number");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// "YYYY-MM-DD HH:MM:SS" (UTC) or epoch milliseconds.
Result<int64_t> ParseTargetTime(const std::string& text) {
  if (text.find('-') == std::string::npos) {
    auto v = ParseUnsigned(text);
    if (!v.ok() || *v == 0) return InvalidArgument("'" + text + "' is not \"YYYY-MM-DD HH:MM:SS\" (UTC) or epoch ms");
    return static_cast<int64_t>(*v);
  }
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*[ T]%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &tail) != 6 || mo < 1 ||
      mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) {
    return InvalidArgument("'" + text + "' is not \"YYYY-MM-DD HH:MM:SS\" (UTC) or epoch ms");
  }
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

Result<ClusterSnapshotConfig> Parse(const YAML::Node& root) {
  if (!root.IsMap()) return InvalidArgument("cluster_snapshot.yaml: the document must be a mapping");
  static const std::set<std::string> kTopKeys = {"cluster_snapshot", "frontends", "compute_nodes", "storage_volumes"};
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (!kTopKeys.contains(key)) return Bad(key, kv.first, "unknown key");
  }
  ClusterSnapshotConfig out;
  const YAML::Node snap = root["cluster_snapshot"];
  if (!snap || snap.IsNull()) return InvalidArgument("cluster_snapshot.yaml: cluster_snapshot is required for a restore");
  if (!snap.IsMap()) return Bad("cluster_snapshot", snap, "must be a mapping");
  for (const auto& kv : snap) {
    const std::string key = kv.first.as<std::string>();
    if (key != "cluster_snapshot_path" && key != "storage_volume_name" && key != "restore_mode" &&
        key != "target_version" && key != "target_time") {
      return Bad("cluster_snapshot." + key, kv.first, "unknown key");
    }
  }
  STRATA_ASSIGN_OR_RETURN(out.snapshot_path, Scalar(snap, "cluster_snapshot_path", "cluster_snapshot", true));
  if (out.snapshot_path.empty()) return Bad("cluster_snapshot.cluster_snapshot_path", snap, "is empty");
  STRATA_ASSIGN_OR_RETURN(out.storage_volume_name, Scalar(snap, "storage_volume_name", "cluster_snapshot", true));
  if (out.storage_volume_name.empty()) return Bad("cluster_snapshot.storage_volume_name", snap, "is empty");
  STRATA_ASSIGN_OR_RETURN(std::string mode, Scalar(snap, "restore_mode", "cluster_snapshot", false));
  if (mode.empty() || mode == "takeover") {
    out.mode = RestoreMode::kTakeover;
  } else if (mode == "clone") {
    out.mode = RestoreMode::kClone;
  } else {
    return Bad("cluster_snapshot.restore_mode", snap["restore_mode"], "'" + mode + "' is not takeover or clone");
  }

  STRATA_ASSIGN_OR_RETURN(std::string target_version, Scalar(snap, "target_version", "cluster_snapshot", false));
  if (!target_version.empty()) {
    STRATA_ASSIGN_OR_RETURN(out.target_version, ParseUnsigned(target_version));
    if (out.target_version == 0) return Bad("cluster_snapshot.target_version", snap, "must be a log version >= 1");
  }
  STRATA_ASSIGN_OR_RETURN(std::string target_time, Scalar(snap, "target_time", "cluster_snapshot", false));
  if (!target_time.empty()) {
    Result<int64_t> ms = ParseTargetTime(target_time);
    if (!ms.ok()) return Bad("cluster_snapshot.target_time", snap["target_time"], ms.status().message());
    out.target_time_ms = *ms;
  }
  if (out.target_version != 0 && out.target_time_ms != 0) {
    return Bad("cluster_snapshot", snap, "target_version and target_time exclude each other");
  }
  STRATA_ASSIGN_OR_RETURN(YAML::Node fes, OptionalList(root, "frontends"));
  for (size_t i = 0; i < fes.size(); ++i) {
    const std::string path = "frontends[" + std::to_string(i) + "]";
    if (!fes[i].IsMap()) return Bad(path, fes[i], "must be a mapping");
    YamlFrontend fe;
    STRATA_ASSIGN_OR_RETURN(fe.host, Scalar(fes[i], "host", path, true));
    if (fe.host.empty()) return Bad(path + ".host", fes[i], "is empty");
    STRATA_ASSIGN_OR_RETURN(fe.edit_log_port, Port(fes[i], "edit_log_port", path));
    STRATA_ASSIGN_OR_RETURN(std::string type, Scalar(fes[i], "type", path, false));
    if (type.empty() || type == "follower" || type == "FOLLOWER") {
      fe.role = meta::FrontendRole::kFollower;
    } else if (type == "observer" || type == "OBSERVER") {
      fe.role = meta::FrontendRole::kObserver;
    } else {
      return Bad(path + ".type", fes[i]["type"], "'" + type + "' is not follower or observer");
    }
    out.frontends.push_back(std::move(fe));
  }
  STRATA_ASSIGN_OR_RETURN(YAML::Node cns, OptionalList(root, "compute_nodes"));
  for (size_t i = 0; i < cns.size(); ++i) {
    const std::string path = "compute_nodes[" + std::to_string(i) + "]";
    if (!cns[i].IsMap()) return Bad(path, cns[i], "must be a mapping");
    YamlComputeNode cn;
    STRATA_ASSIGN_OR_RETURN(cn.host, Scalar(cns[i], "host", path, true));
    if (cn.host.empty()) return Bad(path + ".host", cns[i], "is empty");
    STRATA_ASSIGN_OR_RETURN(cn.heartbeat_service_port, Port(cns[i], "heartbeat_service_port", path));
    out.compute_nodes.push_back(std::move(cn));
  }
  STRATA_ASSIGN_OR_RETURN(YAML::Node vols, OptionalList(root, "storage_volumes"));
  std::set<std::string> names;
  for (size_t i = 0; i < vols.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(meta::StorageVolume v, ParseVolume(vols[i], i));
    if (!names.insert(v.name).second) return Bad("storage_volumes[" + std::to_string(i) + "].name", vols[i], "volume " + v.name + " is listed twice");
    out.storage_volumes.push_back(std::move(v));
  }
  return out;
}

}  // namespace

std::string_view RestoreModeName(RestoreMode mode) { return mode == RestoreMode::kClone ? "clone" : "takeover"; }

Result<ClusterSnapshotConfig> ParseClusterSnapshotYaml(std::string_view text) {
  try {
    return Parse(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("cluster_snapshot.yaml: not valid YAML: ") + e.what());
  }
}

}  // namespace strata::restore

// Executing storage volume, ALTER SYSTEM and ADMIN statements, and their SHOWs
// (storage volumes, frontends, compute nodes, frontend config, automated
// cluster snapshot). Credentials are never shown: they print as "***".
#include <algorithm>
#include <map>

#include <chrono>
#include <thread>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"

namespace strata::sql {
namespace {

constexpr std::string_view kIntervalKey = "automated_cluster_snapshot_interval_seconds";
constexpr uint64_t kDefaultIntervalSeconds = 600;

// The FE configs that may change at run time (ADMIN SET FRONTEND CONFIG), with
// their defaults: ADMIN SHOW FRONTEND CONFIG always lists them, IsMutable true.
// Every other key ADMIN SHOW lists (EngineOptions::list_fe_config) is a fe.conf
// setting; ADMIN SET takes it only if EngineOptions::set_fe_config accepts it.
const std::map<std::string, std::string, std::less<>>& MutableFeConfigs() {
  static const std::map<std::string, std::string, std::less<>> kMutable = {
      {std::string(kIntervalKey), std::to_string(kDefaultIntervalSeconds)},
      {"max_historical_automated_cluster_snapshot_jobs", "100"}};
  return kMutable;
}

// Every key ADMIN SHOW FRONTEND CONFIG lists apart from the catalog's
// overrides, with its value.
std::map<std::string, std::string> KnownFeConfigs(const EngineOptions& options) {
  std::map<std::string, std::string> config(MutableFeConfigs().begin(), MutableFeConfigs().end());
  if (options.list_fe_config) {
    for (auto& [k, v] : options.list_fe_config()) config[k] = v;
  }
  return config;
}

// "host:port" -> (host, port); ER_WRONG_ARGUMENTS when malformed.
std::pair<std::string, uint32_t> SplitHostPort(const std::string& hp) {
  size_t colon = hp.rfind(':');
  std::string port = colon == std::string::npos ? "" : hp.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit);
  if (colon == 0 || !digits || std::stoul(port) == 0 || std::stoul(port) > 65535) {
    Fail(ER_WRONG_ARGUMENTS, "Incorrect host:port '" + hp + "'");
  }
  return {hp.substr(0, colon), static_cast<uint32_t>(std::stoul(port))};
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string VolumeParams(const meta::StorageVolume& v) {
  std::map<std::string, std::string> all(v.properties.begin(), v.properties.end());
  for (const auto& [k, secret] : v.credentials) all[k] = "***";
  std::string out = "{";
  for (const auto& [k, value] : all) {
    out += (out.size() > 1 ? "," : "") + std::string("\"") + JsonEscape(k) + "\":\"" + JsonEscape(value) + "\"";
  }
  return out + "}";
}

uint64_t IntervalSeconds(const meta::CatalogState& st) {
  if (st.automated_snapshot.interval_seconds > 0) return st.automated_snapshot.interval_seconds;
  if (auto it = st.fe_config.find(std::string(kIntervalKey)); it != st.fe_config.end()) {
    try {
      return std::stoull(it->second);
    } catch (const std::exception&) {
    }
  }
  return kDefaultIntervalSeconds;
}

}  // namespace

ExecResult SessionImpl::Run(const CreateStorageVolumeStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("CREATE_STORAGE_VOLUME");
  meta::CreateStorageVolume c{.name = s.name, .locations = s.locations, .comment = s.comment,
                              .if_not_exists = s.if_not_exists};
  if (s.type == "S3") {
    c.volume_type = meta::VolumeType::kS3;
  } else if (s.type == "LOCAL") {
    c.volume_type = meta::VolumeType::kLocal;
  } else {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support storage volume type '" + s.type + "'");
  }
  for (const auto& [k, v] : s.properties) c.properties[k] = v;
  if (st.storage_volumes.contains(s.name) && s.if_not_exists) {
    AddNote(ER_UNKNOWN_ERROR, "Storage volume '" + s.name + "' already exists");
    return Ok();
  }
  Submit(std::move(c), [&](const Status& e) {
    if (e.code() == StatusCode::kAlreadyExists) Fail(ER_UNKNOWN_ERROR, "Storage volume '" + s.name + "' already exists");
  });
  return Ok();
}

ExecResult SessionImpl::Run(const DropStorageVolumeStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireVolume("DROP", s.name);
  if (!st.storage_volumes.contains(s.name)) {
    if (!s.if_exists) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + s.name);
    AddNote(ER_UNKNOWN_ERROR, "Unknown storage volume: " + s.name);
    return Ok();
  }
  Submit(meta::DropStorageVolume{.name = s.name, .if_exists = s.if_exists}, [&](const Status& e) {
    if (e.code() == StatusCode::kNotFound) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + s.name);
  });
  return Ok();
}

ExecResult SessionImpl::Run(const SetDefaultStorageVolumeStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireVolume("USAGE", s.name);
  Submit(meta::SetDefaultStorageVolume{.name = s.name}, [&](const Status& e) {
    if (e.code() == StatusCode::kNotFound) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + s.name);
  });
  return Ok();
}

// Validates every node first so that a failing statement changes nothing.
ExecResult SessionImpl::Run(const AlterSystemStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("NODE");
  std::vector<std::pair<std::string, uint32_t>> nodes;
  for (const auto& hp : s.host_ports) {
    auto node = SplitHostPort(hp);
    bool exists = std::any_of(st.compute_nodes.begin(), st.compute_nodes.end(), [&](const auto& kv) {
      return kv.second.host == node.first && kv.second.heartbeat_port == node.second;
    });
    if (s.add && exists) Fail(ER_UNKNOWN_ERROR, "Compute node already exists: " + hp);
    if (!s.add && !exists) Fail(ER_UNKNOWN_ERROR, "Compute node does not exist: " + hp);
    nodes.push_back(std::move(node));
  }
  for (const auto& [host, port] : nodes) {
    if (s.add) {
      Submit(meta::AddComputeNode{.host = host, .heartbeat_port = port}, nullptr);
    } else {
      Submit(meta::DropComputeNode{.host = host, .heartbeat_port = port}, nullptr);
    }
  }
  return Ok();
}

ExecResult SessionImpl::Run(const AdminSetConfigStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("OPERATE");
  std::map<std::string, std::string> known = KnownFeConfigs(engine_->options());
  for (const auto& [k, v] : s.pairs) {
    if (!known.contains(k)) Fail(ER_UNKNOWN_ERROR, "Config '" + k + "' does not exist");
    if (!engine_->options().set_fe_config && !MutableFeConfigs().contains(k)) {
      Fail(ER_UNKNOWN_ERROR, "Config '" + k + "' is not mutable");
    }
    if (MutableFeConfigs().contains(k)) {
      bool ok = !v.empty() && v.size() <= 12 && std::all_of(v.begin(), v.end(), ::isdigit) && std::stoull(v) > 0;
      if (!ok) Fail(ER_WRONG_ARGUMENTS, "Config '" + k + "' must be a positive integer");
    }
    if (engine_->options().set_fe_config) {
      Status status = engine_->options().set_fe_config(k, v);
      if (!status.ok()) Fail(ER_UNKNOWN_ERROR, "Config '" + k + "': " + status.message());
    }
  }
  for (const auto& [k, v] : s.pairs) Submit(meta::SetFrontendConfig{.key = k, .value = v}, nullptr);
  return Ok();
}

ExecResult SessionImpl::Run(const AdminSnapshotStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("OPERATE");
  meta::SetAutomatedSnapshot c{.interval_seconds = s.interval_seconds, .storage_volume = s.storage_volume};
  using A = AdminSnapshotStmt::Action;
  c.action = s.action == A::kOn ? meta::SnapshotAction::kOn
             : s.action == A::kOff ? meta::SnapshotAction::kOff
                                   : meta::SnapshotAction::kSetInterval;
  if (!s.storage_volume.empty()) Checker(st).RequireVolume("USAGE", s.storage_volume);
  Submit(c, [&](const Status& e) {
    if (e.code() == StatusCode::kNotFound) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + s.storage_volume);
    if (e.code() == StatusCode::kFailedPrecondition && s.action == A::kOn && st.automated_snapshot.enabled) {
      Fail(ER_UNKNOWN_ERROR, "Automated snapshot has been turn on");
    }
    if (e.code() == StatusCode::kFailedPrecondition && s.action == A::kOff) {
      Fail(ER_UNKNOWN_ERROR, "Automated snapshot has not been turn on");
    }
  });
  return Ok();
}

ExecResult SessionImpl::Run(const ClusterSnapshotStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("OPERATE");
  bool name_ok = !s.name.empty() && s.name.size() <= 128 && !s.name.starts_with("image.") &&
                 std::all_of(s.name.begin(), s.name.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                 });
  if (!name_ok) Fail(ER_WRONG_ARGUMENTS, "Invalid cluster snapshot name '" + s.name + "' (letters, digits, '_', '-')");
  const meta::SnapshotJob* live = nullptr;
  for (const auto& [id, job] : st.snapshot_jobs) {
    if (job.name == s.name && job.state != "ERROR" && job.state != "DELETED") live = &job;
  }
  if (s.drop) {
    if (live == nullptr) {
      if (s.if_exists) return Ok();
      Fail(ER_UNKNOWN_ERROR, "Unknown cluster snapshot '" + s.name + "'");
    }
    if (live->state != "FINISHED" && live->state != "EXPIRED") {
      Fail(ER_UNKNOWN_ERROR, "Cluster snapshot '" + s.name + "' is " + live->state + "; drop it when it has finished");
    }
    meta::SnapshotJob job = *live;
    job.state = "EXPIRED";  // the snapshot runner deletes it from storage, then marks it DELETED
    Submit(meta::UpsertSnapshotJob{.job = job}, nullptr);
    return Ok();
  }
  if (live != nullptr) Fail(ER_UNKNOWN_ERROR, "Cluster snapshot '" + s.name + "' already exists");
  std::string volume = st.automated_snapshot.storage_volume.empty() ? st.default_storage_volume
                                                                     : st.automated_snapshot.storage_volume;
  if (volume.empty()) volume = "builtin_storage_volume";  // a brand-new cluster, before the FE registered it
  meta::SnapshotJob job{.name = s.name, .type = meta::SnapshotType::kManual, .state = "INITIALIZING",
                        .created_ms = engine_->NowMs(), .storage_volume = volume};
  uint64_t id = Submit(meta::UpsertSnapshotJob{.job = job}, [&](const Status& e) {
    if (e.code() == StatusCode::kAlreadyExists) Fail(ER_UNKNOWN_ERROR, "Cluster snapshot '" + s.name + "' already exists");
  }).id;
  const int64_t wait_ms = engine_->options().snapshot_wait_ms;
  constexpr int64_t kPollMs = 20;
  for (int64_t waited = 0; waited < wait_ms; waited += kPollMs) {
    meta::CatalogState now = engine_->State();
    auto it = now.snapshot_jobs.find(id);
    if (it == now.snapshot_jobs.end()) break;
    if (it->second.state == "FINISHED") return Ok();
    if (it->second.state == "ERROR") Fail(ER_UNKNOWN_ERROR, "Cluster snapshot '" + s.name + "' failed: " + it->second.error);
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  if (wait_ms > 0) Fail(ER_UNKNOWN_ERROR, "Cluster snapshot '" + s.name + "' did not finish within " +
                                              std::to_string(wait_ms / 1000) + " s; see information_schema.cluster_snapshot_jobs");
  return Ok();
}

ResultSet SessionImpl::ShowCluster(const ShowStmt& s, const meta::CatalogState& st) {
  using W = ShowStmt::What;
  PrivilegeChecker checker = Checker(st);
  ResultSet rs;
  if (s.what == W::kStorageVolumes) {
    rs = MakeResultSet({"Storage Volume"});
    for (const auto& [name, v] : st.storage_volumes) {
      if (checker.HasAnyOnVolume(name)) rs.rows.push_back({name});
    }
    FilterRows(rs, s.like, s.where.get(), *this);
  } else if (s.what == W::kDescStorageVolume) {
    if (!checker.HasAnyOnVolume(s.name)) checker.RequireVolume("USAGE", s.name);
    auto it = st.storage_volumes.find(s.name);
    if (it == st.storage_volumes.end()) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + s.name);
    const meta::StorageVolume& v = it->second;
    rs = MakeResultSet({"Name", "Type", "IsDefault", "Location", "Params", "Enabled", "Comment"});
    std::string locations;
    for (const auto& l : v.locations) locations += (locations.empty() ? "" : ", ") + l;
    rs.rows.push_back({v.name, std::string(meta::EnumName(v.type)), st.default_storage_volume == v.name ? "true" : "false",
                       locations, VolumeParams(v), "true", v.comment});
  } else if (s.what == W::kFrontends) {
    checker.RequireSystemAnyOf({"NODE", "OPERATE"});
    rs = MakeResultSet({"Name", "IP", "EditLogPort", "HttpPort", "QueryPort", "RpcPort", "Role", "IsLeader",
                        "ReplayedJournalId"});
    for (const auto& [name, fe] : st.frontends) {
      bool leader = st.leader == name;
      rs.rows.push_back({name, fe.host, std::to_string(fe.edit_log_port), std::to_string(fe.http_port),
                         std::to_string(fe.query_port), std::to_string(fe.rpc_port),
                         leader ? "LEADER" : std::string(meta::EnumName(fe.role)), leader ? "true" : "false",
                         std::to_string(st.version)});
    }
  } else if (s.what == W::kComputeNodes) {
    checker.RequireSystemAnyOf({"NODE", "OPERATE"});
    rs = MakeResultSet({"ComputeNodeId", "IP", "HeartbeatPort", "BePort", "HttpPort"});
    for (const auto& [id, cn] : st.compute_nodes) {
      rs.rows.push_back({std::to_string(id), cn.host, std::to_string(cn.heartbeat_port), std::to_string(cn.rpc_port),
                         std::to_string(cn.http_port)});
    }
  } else if (s.what == W::kFrontendConfig) {
    checker.RequireSystem("OPERATE");
    std::map<std::string, std::string> config = KnownFeConfigs(engine_->options());
    for (const auto& [k, v] : st.fe_config) config[k] = v;
    rs = MakeResultSet({"Key", "AliasNames", "Value", "Type", "IsMutable", "Comment"});
    for (const auto& [k, v] : config) {
      rs.rows.push_back({k, "[]", v, "String", MutableFeConfigs().contains(k) ? "true" : "false", ""});
    }
    FilterRows(rs, s.like, nullptr, *this);
  } else {  // kAutomatedSnapshot
    checker.RequireSystem("OPERATE");
    const auto& a = st.automated_snapshot;
    int64_t last_ms = 0;
    for (const auto& [id, job] : st.snapshot_jobs) {
      if (job.type == meta::SnapshotType::kAutomated && job.state == "FINISHED") last_ms = std::max(last_ms, job.finished_ms);
    }
    uint64_t interval = IntervalSeconds(st);
    rs = MakeResultSet({"Enabled", "Interval", "StorageVolume", "LastSnapshotTime", "NextSnapshotTime"});
    Row row{a.enabled ? "true" : "false", std::to_string(interval) + "s",
            a.enabled ? std::optional<std::string>(a.storage_volume) : std::nullopt, std::nullopt, std::nullopt};
    if (last_ms > 0) row[3] = FormatTimeMs(last_ms);
    if (last_ms > 0 && a.enabled) row[4] = FormatTimeMs(last_ms + static_cast<int64_t>(interval) * 1000);
    rs.rows.push_back(std::move(row));
  }
  return rs;
}

}  // namespace strata::sql

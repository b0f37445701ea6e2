#include "server/fe_config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace strata::server {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<int> GetPort(const Config& config, std::string_view key, int fallback) {
  STRATA_ASSIGN_OR_RETURN(int64_t v, config.GetInt(key, fallback));
  if (v < 1 || v > 65535) return InvalidArgument(fmt::format("{}: port {} out of range 1..65535", key, v));
  return static_cast<int>(v);
}

Result<int64_t> GetPositive(const Config& config, std::string_view key, int64_t fallback) {
  STRATA_ASSIGN_OR_RETURN(int64_t v, config.GetInt(key, fallback));
  if (v <= 0) return InvalidArgument(fmt::format("{}: must be positive, got {}", key, v));
  return v;
}

Status ReadPorts(const Config& c, FeConfig& fe) {
  STRATA_ASSIGN_OR_RETURN(fe.http_port, GetPort(c, "http_port", fe.http_port));
  STRATA_ASSIGN_OR_RETURN(fe.rpc_port, GetPort(c, "rpc_port", fe.rpc_port));
  STRATA_ASSIGN_OR_RETURN(fe.query_port, GetPort(c, "query_port", fe.query_port));
  STRATA_ASSIGN_OR_RETURN(fe.edit_log_port, GetPort(c, "edit_log_port", fe.edit_log_port));
  STRATA_ASSIGN_OR_RETURN(fe.cloud_native_meta_port, GetPort(c, "cloud_native_meta_port", fe.cloud_native_meta_port));
  return Status::OK();
}

Status ReadMetaSettings(const Config& c, FeConfig& fe) {
  STRATA_ASSIGN_OR_RETURN(fe.meta_lease_ms, GetPositive(c, "meta_lease_ms", fe.meta_lease_ms));
  STRATA_ASSIGN_OR_RETURN(fe.meta_poll_ms, GetPositive(c, "meta_poll_ms", fe.meta_poll_ms));
  STRATA_ASSIGN_OR_RETURN(fe.meta_checkpoint_entries,
                          GetPositive(c, "meta_checkpoint_entries", fe.meta_checkpoint_entries));
  STRATA_ASSIGN_OR_RETURN(fe.meta_checkpoint_interval_ms,
                          GetPositive(c, "meta_checkpoint_interval_ms", fe.meta_checkpoint_interval_ms));
  STRATA_ASSIGN_OR_RETURN(fe.automated_cluster_snapshot_interval_seconds,
                          GetPositive(c, "automated_cluster_snapshot_interval_seconds",
                                      fe.automated_cluster_snapshot_interval_seconds));
  if (fe.meta_poll_ms >= fe.meta_lease_ms) {
    return InvalidArgument(fmt::format("meta_poll_ms ({}) must be less than meta_lease_ms ({})", fe.meta_poll_ms,
                                       fe.meta_lease_ms));
  }
  return Status::OK();
}

// The MySQL listener on query_port (server/mysql/mysql_server.h).
Status ReadQuerySettings(const Config& c, FeConfig& fe) {
  STRATA_ASSIGN_OR_RETURN(int64_t max, GetPositive(c, "qe_max_connection", fe.qe_max_connection));
  if (max > 65536) return InvalidArgument(fmt::format("qe_max_connection: {} is above 65536", max));
  fe.qe_max_connection = static_cast<int>(max);
  STRATA_ASSIGN_OR_RETURN(fe.mysql_wait_timeout_seconds,
                          GetPositive(c, "mysql_wait_timeout_seconds", fe.mysql_wait_timeout_seconds));
  STRATA_ASSIGN_OR_RETURN(fe.data_maintenance_interval_ms,
                          GetPositive(c, "data_maintenance_interval_ms", fe.data_maintenance_interval_ms));
  STRATA_ASSIGN_OR_RETURN(fe.compaction_min_rowsets,
                          GetPositive(c, "compaction_min_rowsets", fe.compaction_min_rowsets));
  STRATA_ASSIGN_OR_RETURN(fe.vacuum_interval_ms, GetPositive(c, "vacuum_interval_ms", fe.vacuum_interval_ms));
  STRATA_ASSIGN_OR_RETURN(fe.vacuum_grace_ms, GetPositive(c, "vacuum_grace_ms", fe.vacuum_grace_ms));
  STRATA_ASSIGN_OR_RETURN(fe.point_in_time_retention_seconds,
                          c.GetInt("point_in_time_retention_seconds", fe.point_in_time_retention_seconds));
  if (fe.point_in_time_retention_seconds < 0 || fe.point_in_time_retention_seconds > 366LL * 86400) {
    return InvalidArgument(fmt::format("point_in_time_retention_seconds: {} is outside 0..31622400 (0 = off)",
                                       fe.point_in_time_retention_seconds));
  }
  STRATA_ASSIGN_OR_RETURN(fe.drill_interval_seconds, c.GetInt("drill_interval_seconds", fe.drill_interval_seconds));
  if (fe.drill_interval_seconds < 0 || fe.drill_interval_seconds > 366LL * 86400) {
    return InvalidArgument(fmt::format("drill_interval_seconds: {} is outside 0..31622400 (0 = off)",
                                       fe.drill_interval_seconds));
  }
  STRATA_ASSIGN_OR_RETURN(fe.automated_cluster_snapshot_retention_count,
                          GetPositive(c, "automated_cluster_snapshot_retention_count",
                                      fe.automated_cluster_snapshot_retention_count));
  STRATA_ASSIGN_OR_RETURN(fe.streaming_load_max_mb,
                          GetPositive(c, "streaming_load_max_mb", fe.streaming_load_max_mb));
  STRATA_ASSIGN_OR_RETURN(fe.cn_liveness_timeout_ms,
                          GetPositive(c, "cn_liveness_timeout_ms", fe.cn_liveness_timeout_ms));
  STRATA_ASSIGN_OR_RETURN(fe.chunk_cache_memory_bytes,
                          c.GetInt("chunk_cache_memory_bytes", fe.chunk_cache_memory_bytes));
  if (fe.chunk_cache_memory_bytes < 0) {
    return InvalidArgument(fmt::format("chunk_cache_memory_bytes: must be >= 0 (0 = off), got {}",
                                       fe.chunk_cache_memory_bytes));
  }
  return Status::OK();
}

// cloud_native_storage_type = S3: the volume is s3://<aws_s3_path>.
Status ReadS3Volume(const Config& c, FeConfig& fe) {
  STRATA_ASSIGN_OR_RETURN(bool instance_profile, c.GetBool("aws_s3_use_instance_profile", false));
  if (instance_profile) {
    return InvalidArgument("aws_s3_use_instance_profile = true is not supported yet; set aws_s3_access_key and "
                           "aws_s3_secret_key");
  }
  std::string path = c.GetString("aws_s3_path", "");
  if (path.rfind("s3://", 0) == 0) path = path.substr(5);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty()) return InvalidArgument("aws_s3_path: required with cloud_native_storage_type = S3 (bucket[/prefix])");
  std::string endpoint = c.GetString("aws_s3_endpoint", "");
  if (endpoint.empty()) return InvalidArgument("aws_s3_endpoint: required with cloud_native_storage_type = S3");
  if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
  fe.volume.location = "s3://" + path;
  fe.volume.endpoint = endpoint;
  fe.volume.region = c.GetString("aws_s3_region", "us-east-1");
  fe.volume.access_key = Secret(c.GetString("aws_s3_access_key", ""));
  fe.volume.secret_key = Secret(c.GetString("aws_s3_secret_key", ""));
  if (fe.volume.access_key.empty() || fe.volume.secret_key.empty()) {
    return InvalidArgument("aws_s3_access_key and aws_s3_secret_key: required with cloud_native_storage_type = S3");
  }
  return Status::OK();
}

Status ReadVolume(const Config& c, FeConfig& fe) {
  STRATA_ASSIGN_OR_RETURN(fe.enable_load_volume_from_conf, c.GetBool("enable_load_volume_from_conf", true));
  fe.storage_type = c.GetString("cloud_native_storage_type", "");
  std::string type = Lower(fe.storage_type);
  if (type == "s3") return ReadS3Volume(c, fe);
  if (!type.empty() && type != "local") {
    return InvalidArgument(fmt::format("cloud_native_storage_type: '{}' is not supported (S3, or unset for the "
                                       "local-directory volume at storage_root)", fe.storage_type));
  }
  fe.storage_root = c.GetString("storage_root", fe.storage_root);
  if (fe.storage_root.empty()) return InvalidArgument("storage_root: must not be empty");
  fe.volume.location = fe.storage_root;
  return Status::OK();
}

Status ReadGeneral(const Config& c, FeConfig& fe) {
  fe.run_mode = c.GetString("run_mode", fe.run_mode);
  if (fe.run_mode != "shared_data") {
    return InvalidArgument(fmt::format("run_mode: '{}' is not supported; Strata runs shared_data only", fe.run_mode));
  }
  fe.meta_dir = c.GetString("meta_dir", fe.meta_dir);
  fe.priority_networks = c.GetString("priority_networks", "");
  fe.log_dir = c.GetString("LOG_DIR", "");
  fe.sys_log_level = c.GetString("sys_log_level", fe.sys_log_level);
  static const std::set<std::string> kLevels = {"debug", "info", "warn", "warning", "error", "fatal"};
  if (kLevels.count(Lower(fe.sys_log_level)) == 0) {
    return InvalidArgument(fmt::format("sys_log_level: '{}' (want DEBUG, INFO, WARN, ERROR or FATAL)",
                                       fe.sys_log_level));
  }
  fe.cluster_name = c.GetString("cluster_name", fe.cluster_name);
  if (fe.cluster_name.empty()) return InvalidArgument("cluster_name: must not be empty");
  fe.host_set = c.Has("host");
  fe.host = c.GetString("host", fe.host);
  if (fe.host.empty()) return InvalidArgument("host: must not be empty");
  if (c.Has("bind_address")) {
    fe.bind_address = c.GetString("bind_address", "");
    in_addr parsed{};
    if (inet_pton(AF_INET, fe.bind_address.c_str(), &parsed) != 1) {
      return InvalidArgument(fmt::format("bind_address: '{}' is not an IPv4 address (0.0.0.0 binds every "
                                         "interface; leave it unset to bind host)", fe.bind_address));
    }
  }
  return Status::OK();
}

}  // namespace

const std::set<std::string, std::less<>>& FeConfigKeys() {
  static const std::set<std::string, std::less<>> kKeys = {
      // StarRocks (shared-data deployment and cluster snapshot guides).
      "http_port", "rpc_port", "query_port", "edit_log_port", "run_mode", "cloud_native_meta_port",
      "enable_load_volume_from_conf", "cloud_native_storage_type", "aws_s3_path", "aws_s3_region",
      "aws_s3_endpoint", "aws_s3_access_key", "aws_s3_secret_key", "aws_s3_use_instance_profile",
      "automated_cluster_snapshot_interval_seconds", "meta_dir", "priority_networks", "LOG_DIR", "sys_log_level",
      "JAVA_OPTS",  // accepted and ignored (there is no JVM)
      "qe_max_connection",
      // Strata.
      "cluster_name", "storage_root", "meta_lease_ms", "meta_poll_ms", "meta_checkpoint_entries", "meta_checkpoint_interval_ms", "host",
      "bind_address",
      "mysql_wait_timeout_seconds", "cn_liveness_timeout_ms", "streaming_load_max_mb", "data_maintenance_interval_ms",
      "compaction_min_rowsets", "vacuum_interval_ms", "vacuum_grace_ms",
      "automated_cluster_snapshot_retention_count", "point_in_time_retention_seconds", "drill_interval_seconds",
      "chunk_cache_memory_bytes"};
  return kKeys;
}

Result<FeConfig> FeConfigFromConfig(const Config& config) {
  FeConfig fe;
  STRATA_RETURN_IF_ERROR(ReadPorts(config, fe));
  STRATA_RETURN_IF_ERROR(ReadQuerySettings(config, fe));
  STRATA_RETURN_IF_ERROR(ReadMetaSettings(config, fe));
  STRATA_RETURN_IF_ERROR(ReadGeneral(config, fe));
  STRATA_RETURN_IF_ERROR(ReadVolume(config, fe));
  return fe;
}

Result<FeConfig> LoadFeConfig(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(Config config, Config::Load(path, FeConfigKeys()));
  auto fe = FeConfigFromConfig(config);
  if (!fe.ok()) return fe.status().WithContext(path);
  return fe;
}

namespace {

struct Cidr {
  uint32_t net = 0;   // host byte order
  uint32_t mask = 0;
};

Result<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  std::string addr(text.substr(0, slash));
  int bits = 32;
  if (slash != std::string_view::npos) {
    std::string b(text.substr(slash + 1));
    if (b.empty() || b.size() > 2 || !std::all_of(b.begin(), b.end(), ::isdigit) || std::stoi(b) > 32) {
      return InvalidArgument(fmt::format("priority_networks: malformed prefix length in '{}'", text));
    }
    bits = std::stoi(b);
  }
  in_addr a{};
  if (inet_pton(AF_INET, addr.c_str(), &a) != 1) {
    return InvalidArgument(fmt::format("priority_networks: '{}' is not an IPv4 CIDR", text));
  }
  Cidr c;
  c.mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  c.net = ntohl(a.s_addr) & c.mask;
  return c;
}

}  // namespace

Result<std::string> PickPriorityAddress(const std::string& priority_networks) {
  std::vector<Cidr> cidrs;
  size_t start = 0;
  while (start <= priority_networks.size()) {
    size_t end = priority_networks.find(';', start);
    if (end == std::string::npos) end = priority_networks.size();
    std::string_view part(priority_networks.data() + start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) {
      STRATA_ASSIGN_OR_RETURN(Cidr c, ParseCidr(part));
      cidrs.push_back(c);
    }
    start = end + 1;
  }
  if (cidrs.empty()) return InvalidArgument("priority_networks: no CIDR given");
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Unavailable("priority_networks: getifaddrs failed");
  std::string found;
  for (const Cidr& c : cidrs) {
    for (ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      uint32_t ip = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
      if ((ip & c.mask) != c.net) continue;
      char buf[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof(buf));
      found = buf;
    }
    if (!found.empty()) break;
  }
  freeifaddrs(list);
  if (found.empty()) return NotFound(fmt::format("priority_networks: no local address in '{}'", priority_networks));
  return found;
}

}  // namespace strata::server

namespace strata::server {

std::vector<std::pair<std::string, std::string>> FeConfigEntries(const FeConfig& fe) {
  std::vector<std::pair<std::string, std::string>> out = {
      {"http_port", std::to_string(fe.http_port)},
      {"rpc_port", std::to_string(fe.rpc_port)},
      {"query_port", std::to_string(fe.query_port)},
      {"edit_log_port", std::to_string(fe.edit_log_port)},
      {"cloud_native_meta_port", std::to_string(fe.cloud_native_meta_port)},
      {"run_mode", fe.run_mode},
      {"enable_load_volume_from_conf", fe.enable_load_volume_from_conf ? "true" : "false"},
      {"cloud_native_storage_type", fe.storage_type.empty() ? "local" : fe.storage_type},
      {"automated_cluster_snapshot_interval_seconds", std::to_string(fe.automated_cluster_snapshot_interval_seconds)},
      {"meta_dir", fe.meta_dir},
      {"priority_networks", fe.priority_networks},
      {"sys_log_level", fe.sys_log_level},
      {"cluster_name", fe.cluster_name},
      {"host", fe.host},
      {"bind_address", fe.BindAddress()},
      {"meta_lease_ms", std::to_string(fe.meta_lease_ms)},
      {"meta_poll_ms", std::to_string(fe.meta_poll_ms)},
      {"meta_checkpoint_entries", std::to_string(fe.meta_checkpoint_entries)},
      {"meta_checkpoint_interval_ms", std::to_string(fe.meta_checkpoint_interval_ms)},
      {"qe_max_connection", std::to_string(fe.qe_max_connection)},
      {"mysql_wait_timeout_seconds", std::to_string(fe.mysql_wait_timeout_seconds)},
      {"cn_liveness_timeout_ms", std::to_string(fe.cn_liveness_timeout_ms)},
      {"streaming_load_max_mb", std::to_string(fe.streaming_load_max_mb)},
      {"data_maintenance_interval_ms", std::to_string(fe.data_maintenance_interval_ms)},
      {"compaction_min_rowsets", std::to_string(fe.compaction_min_rowsets)},
      {"vacuum_interval_ms", std::to_string(fe.vacuum_interval_ms)},
      {"vacuum_grace_ms", std::to_string(fe.vacuum_grace_ms)},
      {"automated_cluster_snapshot_retention_count", std::to_string(fe.automated_cluster_snapshot_retention_count)},
      {"point_in_time_retention_seconds", std::to_string(fe.point_in_time_retention_seconds)},
      {"drill_interval_seconds", std::to_string(fe.drill_interval_seconds)},
      {"chunk_cache_memory_bytes", std::to_string(fe.chunk_cache_memory_bytes)},
  };
  if (fe.volume.location.starts_with("s3://")) {
    out.emplace_back("aws_s3_path", fe.volume.location.substr(5));
    out.emplace_back("aws_s3_endpoint", fe.volume.endpoint);
    out.emplace_back("aws_s3_region", fe.volume.region);
  } else {
    out.emplace_back("storage_root", fe.volume.location);
  }
  return out;
}

Status CheckRuntimeFeConfig(const std::string& key, const std::string& value) {
  static const std::set<std::string, std::less<>> kMutable = {"automated_cluster_snapshot_interval_seconds",
                                                              "max_historical_automated_cluster_snapshot_jobs"};
  if (kMutable.contains(key)) {
    bool positive = !value.empty() && value.size() <= 12 &&
                    std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }) &&
                    std::stoull(value) > 0;
    if (!positive) return InvalidArgument(fmt::format("'{}' wants a positive integer, got '{}'", key, value));
    return Status::OK();
  }
  if (FeConfigKeys().contains(key)) {
    return FailedPrecondition(fmt::format("'{}' is not mutable: set it in fe.conf and restart the FE", key));
  }
  return InvalidArgument(fmt::format("unknown config '{}'", key));
}

}  // namespace strata::server

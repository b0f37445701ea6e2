#include "server/cn/cn_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "server/cn/heartbeat_loop.h"

namespace strata::server::cn {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

Result<int> GetPort(const Config& c, std::string_view key, int fallback) {
  STRATA_ASSIGN_OR_RETURN(int64_t v, c.GetInt(key, fallback));
  if (v < 1 || v > 65535) return InvalidArgument(fmt::format("{}: port {} out of range 1..65535", key, v));
  return static_cast<int>(v);
}

Result<int64_t> GetPositive(const Config& c, std::string_view key, int64_t fallback) {
  STRATA_ASSIGN_OR_RETURN(int64_t v, c.GetInt(key, fallback));
  if (v <= 0) return InvalidArgument(fmt::format("{}: must be positive, got {}", key, v));
  return v;
}

Status ReadPorts(const Config& c, CnConfig& cn) {
  STRATA_ASSIGN_OR_RETURN(cn.heartbeat_service_port, GetPort(c, "heartbeat_service_port", cn.heartbeat_service_port));
  STRATA_ASSIGN_OR_RETURN(cn.rpc_port, GetPort(c, "be_port", cn.rpc_port));
  if (c.Has("rpc_port")) {
    STRATA_ASSIGN_OR_RETURN(int rpc, GetPort(c, "rpc_port", cn.rpc_port));
    if (c.Has("be_port") && rpc != cn.rpc_port) {
      return InvalidArgument(fmt::format("rpc_port ({}) and be_port ({}) name the same port; set one", rpc,
                                         cn.rpc_port));
    }
    cn.rpc_port = rpc;
  }
  STRATA_ASSIGN_OR_RETURN(cn.http_port, GetPort(c, "be_http_port", cn.http_port));
  STRATA_ASSIGN_OR_RETURN(cn.brpc_port, GetPort(c, "brpc_port", cn.brpc_port));
  std::set<int> distinct = {cn.heartbeat_service_port, cn.rpc_port, cn.http_port};
  if (distinct.size() != 3) {
    return InvalidArgument(fmt::format("heartbeat_service_port ({}), be_port ({}) and be_http_port ({}) must differ",
                                       cn.heartbeat_service_port, cn.rpc_port, cn.http_port));
  }
  return Status::OK();
}

Status ReadFeAddresses(const Config& c, CnConfig& cn) {
  std::string list = c.GetString("fe_address", "");
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = std::min(list.find(',', start), list.size());
    std::string a = Trim(std::string_view(list).substr(start, end - start));
    if (!a.empty()) {
      STRATA_RETURN_IF_ERROR(ValidateHostPort(a, "fe_address"));
      if (std::find(cn.fe_addresses.begin(), cn.fe_addresses.end(), a) == cn.fe_addresses.end()) {
        cn.fe_addresses.push_back(a);
      }
    }
    start = end + 1;
  }
  if (cn.fe_addresses.empty()) return InvalidArgument("fe_address: required (host:rpc_port of an FE, comma-separated)");
  if (cn.fe_addresses.size() > kFrontendsMax) {
    return InvalidArgument(fmt::format("fe_address: at most {} FEs", kFrontendsMax));
  }
  return Status::OK();
}

Status ReadStorage(const Config& c, CnConfig& cn) {
  // StarRocks: "/data1,medium:HDD;/data2" — the first path, without its medium.
  std::string roots = c.GetString("storage_root_path", cn.storage_root_path);
  std::string first = Trim(roots.substr(0, std::min(roots.find(';'), roots.size())));
  first = Trim(first.substr(0, std::min(first.find(','), first.size())));
  if (first.empty()) return InvalidArgument("storage_root_path: must name a directory");
  cn.storage_root_path = first;
  cn.cache_dir = c.GetString("cache_dir", "");
  STRATA_ASSIGN_OR_RETURN(int64_t capacity, c.GetInt("cache_capacity_bytes", static_cast<int64_t>(cn.cache_capacity_bytes)));
  if (capacity < 0) return InvalidArgument(fmt::format("cache_capacity_bytes: must be >= 0, got {}", capacity));
  cn.cache_capacity_bytes = static_cast<uint64_t>(capacity);
  STRATA_ASSIGN_OR_RETURN(int64_t memory,
                          c.GetInt("chunk_cache_memory_bytes", static_cast<int64_t>(cn.chunk_cache_memory_bytes)));
  if (memory < 0) return InvalidArgument(fmt::format("chunk_cache_memory_bytes: must be >= 0 (0 = off), got {}", memory));
  cn.chunk_cache_memory_bytes = static_cast<uint64_t>(memory);
  return Status::OK();
}

Status ReadGeneral(const Config& c, CnConfig& cn) {
  cn.host_set = c.Has("host");
  cn.host = c.GetString("host", cn.host);
  if (cn.host.empty()) return InvalidArgument("host: must not be empty");
  if (c.Has("bind_address")) {
    cn.bind_address = c.GetString("bind_address", "");
    in_addr parsed{};
    if (inet_pton(AF_INET, cn.bind_address.c_str(), &parsed) != 1) {
      return InvalidArgument(fmt::format("bind_address: '{}' is not an IPv4 address (0.0.0.0 binds every "
                                         "interface; leave it unset to bind host)", cn.bind_address));
    }
  }
  cn.priority_networks = c.GetString("priority_networks", "");
  STRATA_ASSIGN_OR_RETURN(cn.heartbeat_interval_ms, GetPositive(c, "heartbeat_interval_ms", cn.heartbeat_interval_ms));
  STRATA_ASSIGN_OR_RETURN(cn.heartbeat_timeout_ms, GetPositive(c, "heartbeat_timeout_ms", cn.heartbeat_timeout_ms));
  cn.sys_log_level = c.GetString("sys_log_level", cn.sys_log_level);
  std::string level = cn.sys_log_level;
  std::transform(level.begin(), level.end(), level.begin(), [](unsigned char ch) { return std::tolower(ch); });
  static const std::set<std::string> kLevels = {"debug", "info", "warn", "warning", "error", "fatal"};
  if (!kLevels.contains(level)) {
    return InvalidArgument(fmt::format("sys_log_level: '{}' (want DEBUG, INFO, WARN, ERROR or FATAL)", cn.sys_log_level));
  }
  cn.log_dir = c.GetString("LOG_DIR", "");
  return Status::OK();
}

}  // namespace

std::string CnConfig::CacheDir() const { return cache_dir.empty() ? storage_root_path + "/cache" : cache_dir; }

const std::set<std::string, std::less<>>& CnConfigKeys() {
  static const std::set<std::string, std::less<>> kKeys = {
      // StarRocks cn.conf.
      "heartbeat_service_port", "be_port", "be_http_port", "brpc_port", "priority_networks", "storage_root_path",
      "sys_log_level", "LOG_DIR", "JAVA_OPTS",
      // Strata.
      "host", "bind_address", "rpc_port", "fe_address", "cache_dir", "cache_capacity_bytes", "heartbeat_interval_ms",
      "heartbeat_timeout_ms", "chunk_cache_memory_bytes"};
  return kKeys;
}

Status ValidateHostPort(std::string_view address, std::string_view key) {
  size_t colon = address.rfind(':');
  std::string_view port = colon == std::string_view::npos ? std::string_view() : address.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](unsigned char ch) { return std::isdigit(ch); });
  if (colon == 0 || !digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
    return InvalidArgument(fmt::format("{}: '{}' is not host:port", key, address));
  }
  return Status::OK();
}

Result<CnConfig> CnConfigFromConfig(const Config& config) {
  CnConfig cn;
  STRATA_RETURN_IF_ERROR(ReadPorts(config, cn));
  STRATA_RETURN_IF_ERROR(ReadFeAddresses(config, cn));
  STRATA_RETURN_IF_ERROR(ReadStorage(config, cn));
  STRATA_RETURN_IF_ERROR(ReadGeneral(config, cn));
  return cn;
}

Result<CnConfig> LoadCnConfig(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(Config config, Config::Load(path, CnConfigKeys()));
  auto cn = CnConfigFromConfig(config);
  if (!cn.ok()) return cn.status().WithContext(path);
  return cn;
}

}  // namespace strata::server::cn

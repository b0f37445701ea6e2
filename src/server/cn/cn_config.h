// CnConfig: the compute node's settings, read from a StarRocks-style cn.conf
// (common/config.h). StarRocks' cn.conf names are used where they exist; an
// unknown key is an error. docs/operations/cn.md lists every key.
//
//   heartbeat_service_port  9050   with the host, the node's identity (ALTER SYSTEM
//                                  ADD COMPUTE NODE "host:9050"); bound too, so two
//                                  CNs on one host cannot claim one identity
//   be_port (alias rpc_port) 9060  the gRPC port serving TabletRpc
//   be_http_port            8040   HTTP: /api/health, /metrics, /api/status
//   brpc_port               8060   accepted; not used (no CN-to-CN exchange yet)
//   priority_networks / host       the address to advertise (127.0.0.1), bound too
//                                  unless bind_address is set
//   bind_address                   the IPv4 address every listener binds (gRPC
//                                  be_port and heartbeat_service_port, HTTP);
//                                  0.0.0.0 = every interface; unset = host
//   fe_address                     host:rpc_port of FEs, comma-separated (required)
//   storage_root_path              StarRocks' "path[,medium];path..." — the first
//                                  path holds the disk cache unless cache_dir is set
//   cache_dir, cache_capacity_bytes the disk cache (capacity 0 disables it)
//   chunk_cache_memory_bytes       column chunks kept in memory between scans
//                                  (storage/chunk_cache.h; 0 disables it)
//   heartbeat_interval_ms, heartbeat_timeout_ms, sys_log_level, LOG_DIR
//
// Thread-safety: value types and reentrant functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/result.h"

namespace strata::server::cn {

struct CnConfig {
  int heartbeat_service_port = 9050;
  int rpc_port = 9060;  // be_port
  int http_port = 8040;  // be_http_port
  int brpc_port = 8060;
  std::string host = "127.0.0.1";  // advertised: the CN's identity is host:heartbeat_service_port
  bool host_set = false;
  std::string bind_address;        // "" = bind host
  std::string priority_networks;
  std::vector<std::string> fe_addresses;  // host:port, validated
  std::string storage_root_path = "storage";
  std::string cache_dir;  // "" = <first storage_root_path>/cache
  uint64_t cache_capacity_bytes = 10ull << 30;
  uint64_t chunk_cache_memory_bytes = 512ull << 20;
  int64_t heartbeat_interval_ms = 1000;
  int64_t heartbeat_timeout_ms = 2000;
  std::string sys_log_level = "INFO";
  std::string log_dir;

  // The directory the disk cache lives in.
  std::string CacheDir() const;
  // The address the listeners bind: bind_address if set, else host.
  const std::string& BindAddress() const { return bind_address.empty() ? host : bind_address; }
};

const std::set<std::string, std::less<>>& CnConfigKeys();

// InvalidArgument naming the key for a bad value (a port out of range, no
// fe_address, a malformed address, conflicting be_port and rpc_port, a
// bind_address that is not an IPv4 address).
Result<CnConfig> CnConfigFromConfig(const Config& config);

// Config::Load + CnConfigFromConfig. NotFound if the file is missing.
Result<CnConfig> LoadCnConfig(const std::string& path);

// "host:port" with a port in 1..65535 and a non-empty host.
Status ValidateHostPort(std::string_view address, std::string_view key);

}  // namespace strata::server::cn

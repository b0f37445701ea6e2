// FeConfig: the FE's settings, read from a StarRocks-style fe.conf
// (common/config.h). It accepts exactly the StarRocks keys the shared-data
// and cluster-snapshot guides use, plus Strata's own keys; any other key is an
// error, so a typo never silently falls back to a default.
// docs/operations/fe.md lists every key and which ones are accepted but not
// (yet) acted upon.
//
// Thread-safety: value types and reentrant functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "common/result.h"
#include "objstore/open_object_store.h"

namespace strata::server {

struct FeConfig {
  // StarRocks keys.
  int http_port = 8030;
  int rpc_port = 9020;                // gRPC FeRpc: compute node heartbeats (server/cn/)
  int query_port = 9030;              // the MySQL protocol (server/mysql/)
  int qe_max_connection = 1024;       // MySQL connections at once; more get ER_CON_COUNT_ERROR (1040)
  int edit_log_port = 9010;           // accepted; Strata has no BDB-JE journal
  int cloud_native_meta_port = 6090;  // accepted; Strata has no StarManager
  std::string run_mode = "shared_data";
  bool enable_load_volume_from_conf = true;
  std::string storage_type;  // cloud_native_storage_type: "S3", or "" for the local-directory volume
  int64_t automated_cluster_snapshot_interval_seconds = 600;
  std::string meta_dir = "meta";
  std::string priority_networks;  // "10.0.0.0/8;192.168.1.0/24": choose the address to bind and advertise
  std::string log_dir;            // LOG_DIR: accepted; logs go to stderr
  std::string sys_log_level = "INFO";

  // Strata keys.
  std::string cluster_name = "strata";
  std::string storage_root = "storage";  // the local-directory volume unless storage_type is S3
  std::string host = "127.0.0.1";        // the address this FE advertises (and binds unless bind_address is set)
  bool host_set = false;                 // host came from the file (priority_networks does not override it)
  // The IPv4 address every listener (MySQL, HTTP, gRPC) binds: "0.0.0.0" for
  // every interface; "" (unset) binds host, as before the key existed.
  std::string bind_address;
  int64_t meta_lease_ms = 3000;
  int64_t meta_poll_ms = 100;
  int64_t meta_checkpoint_entries = 1000;
  int64_t meta_checkpoint_interval_ms = 60000;  // also checkpoint this often while entries arrive
  int64_t mysql_wait_timeout_seconds = 28800;  // an idle MySQL connection is closed after this long
  int64_t data_maintenance_interval_ms = 5000;  // compaction round period (leader only)
  int64_t compaction_min_rowsets = 5;           // compact a tablet once it has this many rowsets
  int64_t vacuum_interval_ms = 60'000;
  int64_t vacuum_grace_ms = 3'600'000;          // never delete what is younger or was current this recently
  // Point-in-time recovery window (0 = off): the metadata log and every tablet
  // version current at any moment of the last this-many seconds are kept, so a
  // restore can target any committed version inside it (docs/operations/restore.md).
  int64_t point_in_time_retention_seconds = 0;
  // Scheduled DR drills (0 = off): the leader runs `strata drill` every this
  // many seconds and publishes strata_drill_* metrics (server/fe_drill_scheduler.h).
  int64_t drill_interval_seconds = 0;
  int64_t automated_cluster_snapshot_retention_count = 6;  // automated snapshots kept (1 h at 10 min)
  int64_t streaming_load_max_mb = 10240;       // largest stream load body (StarRocks' BE key)
  int64_t cn_liveness_timeout_ms = 5000;       // a compute node unheard of this long is dead
  // Column chunks kept in memory between scans (storage/chunk_cache.h; 0 = off).
  int64_t chunk_cache_memory_bytes = 512ll << 20;

  // The volume holding the cluster's state (from the aws_s3_* keys or
  // storage_root). Credentials are Secrets.
  objstore::VolumeSpec volume;

  // The address the listeners bind: bind_address if set, else host.
  const std::string& BindAddress() const { return bind_address.empty() ? host : bind_address; }
};

// Every key fe.conf may contain.
const std::set<std::string, std::less<>>& FeConfigKeys();

// Interprets a parsed fe.conf. InvalidArgument naming the key for a bad
// value (a port out of range, run_mode other than shared_data, S3 settings
// missing, an unsupported storage type, a bind_address that is not an IPv4
// address).
Result<FeConfig> FeConfigFromConfig(const Config& config);

// Config::Load + FeConfigFromConfig. NotFound if the file is missing;
// InvalidArgument "<path>:<line>: unknown key 'x'" for an unknown key.
Result<FeConfig> LoadFeConfig(const std::string& path);

// The first local IPv4 address inside one of the `;`-separated CIDRs.
// InvalidArgument for a malformed CIDR, NotFound if no interface matches.
Result<std::string> PickPriorityAddress(const std::string& priority_networks);

}  // namespace strata::server

namespace strata::server {

// ADMIN SHOW FRONTEND CONFIG: this FE's effective settings as (key, value),
// credentials left out (DESIGN invariant 7).
std::vector<std::pair<std::string, std::string>> FeConfigEntries(const FeConfig& fe);

// ADMIN SET FRONTEND CONFIG: OK for a key that may change at run time with a
// valid value (the catalog then holds the cluster-wide override);
// FailedPrecondition for a fe.conf key that needs a restart; InvalidArgument
// for an unknown key or a bad value.
Status CheckRuntimeFeConfig(const std::string& key, const std::string& value);

}  // namespace strata::server

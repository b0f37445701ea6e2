// The compute node process: `strata cn --conf cn.conf` reads the config,
// opens the disk cache, serves TabletRpc over gRPC (be_port, and the identity
// port heartbeat_service_port), HTTP on be_http_port (/api/health, /metrics,
// /api/status), and heartbeats to the FEs until SIGTERM or SIGINT.
// docs/operations/cn.md is the operator's guide.
//
// Exit codes as the FE (server/fe_main.h): 0 clean shutdown; 1 could not
// start (a port in use, the cache directory unusable); 2 bad usage or a bad
// cn.conf.
//
// Thread-safety: RunCn is called once per process, from the main thread
// before any other thread exists (it blocks SIGTERM/SIGINT for all threads).
#pragma once

#include <string>

namespace strata::server::cn {

struct CnRunOptions {
  std::string conf_path = "conf/cn.conf";
};

int RunCn(const CnRunOptions& options);

}  // namespace strata::server::cn

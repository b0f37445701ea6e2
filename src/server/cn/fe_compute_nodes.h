// FeComputeNodes: everything the FE process needs for compute nodes, in one
// object that fe_main.cc owns:
//   - registry():       which CNs are alive (heartbeats), tablet ownership;
//   - tablet_service(): a RemoteTabletService that sends tablet work to the
//                       owning CN, or runs it in-process while no CN is alive;
//   - the FeRpc gRPC server on the FE's rpc_port (Start), where CNs heartbeat
//     and are registered in the catalog;
//   - NodesJson():      the body of GET /api/cn.
//
// Lifecycle: construct before the HTTP server (registry and tablet service
// are usable at once); Start once the metadata service and the catalog writer
// exist; Stop before they are destroyed.
//
// Thread-safety: every method may be called from any thread, except that
// Start and Stop are called from the controlling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "meta/service/meta_service.h"
#include "server/cn/compute_node_registry.h"
#include "server/cn/fe_rpc_service.h"
#include "server/cn/grpc_server.h"
#include "server/cn/remote_tablet_service.h"
#include "sql/engine.h"

namespace strata::server::cn {

struct FeComputeNodesOptions {
  std::string bind_host = "127.0.0.1";
  int rpc_port = 9020;                 // FeRpc; 0 picks a free port (tests)
  int64_t liveness_timeout_ms = 5000;  // fe.conf cn_liveness_timeout_ms
  TabletRpcClientOptions client;
};

class FeComputeNodes {
 public:
  explicit FeComputeNodes(FeComputeNodesOptions options);
  ~FeComputeNodes();  // Stop()s

  // Starts FeRpc. `service` and `writer` must stay valid until Stop returns.
  // Unavailable when rpc_port cannot be bound.
  Status Start(const meta::MetaService* service, sql::CatalogWriter* writer);
  // Stops FeRpc (heartbeats in flight finish first). Idempotent. The tablet
  // service keeps working on what the registry last knew.
  void Stop();

  storage::TabletService& tablet_service() { return *tablet_service_; }
  ComputeNodeRegistry& registry() { return registry_; }
  // The bound FeRpc port (after Start).
  int rpc_port() const { return rpc_port_; }

  // GET /api/cn: {"liveness_timeout_ms", "now_ms", "alive", "nodes": [{"id",
  // "host", "heartbeat_port", "rpc_port", "http_port", "alive", "suspect",
  // "last_heartbeat_ms", "last_heartbeat_age_ms", "started_ms"}], "tablet_service":
  // {"remote_calls", "fallback_calls"}}.
  std::string NodesJson();

 private:
  const FeComputeNodesOptions options_;
  ComputeNodeRegistry registry_;
  std::unique_ptr<RemoteTabletService> tablet_service_;
  mutable std::mutex mu_;                // guards catalog_ against Stop
  std::unique_ptr<CnCatalog> catalog_;   // set by Start
  std::unique_ptr<FeRpcService> fe_rpc_;
  std::unique_ptr<GrpcServer> server_;
  int rpc_port_ = 0;
};

}  // namespace strata::server::cn

// FeRpcService: the FE's side of FeRpc (strata_cn.proto). A CN's heartbeat
//   1. finds the node in the catalog by (host, heartbeat_port) and, if it is
//      not there, registers it (AddComputeNode through the catalog writer,
//      which a follower FE forwards to the leader);
//   2. records the heartbeat in the FE's ComputeNodeRegistry;
//   3. answers with the node's id, the nodes this FE considers alive, the
//      leader and every FE's rpc address (so that the CN heartbeats them all).
// When the node cannot be registered (no leader reachable) the answer has
// node_id 0 and says why; the CN tries again at its next heartbeat.
//
// Thread-safety: thread-safe if the CnCatalog is.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "server/cn/compute_node_registry.h"
#include "server/cn/strata_cn.grpc.pb.h"

namespace strata::server::cn {

// What FeRpc needs from the catalog (a seam for tests; the FE implements it
// over meta::MetaService and its CatalogWriter in fe_compute_nodes.cc).
class CnCatalog {
 public:
  virtual ~CnCatalog() = default;
  // The catalog's compute nodes (ports as registered).
  virtual std::vector<NodeInfo> ComputeNodes() const = 0;
  // Commits AddComputeNode and returns the new id. AlreadyExists if another
  // heartbeat won; Unavailable without a reachable leader; as CatalogWriter.
  virtual Result<uint64_t> AddComputeNode(const NodeInfo& node) = 0;
  // The leader's name (host:http_port) and rpc address ("" when unknown).
  virtual std::pair<std::string, std::string> Leader() const = 0;
  // Every FE's host:rpc_port.
  virtual std::vector<std::string> FrontendRpcAddresses() const = 0;
};

class FeRpcService final : public strata::cn::FeRpc::Service {
 public:
  // Both must outlive the service.
  FeRpcService(ComputeNodeRegistry* registry, CnCatalog* catalog) : registry_(registry), catalog_(catalog) {}

  grpc::Status Heartbeat(grpc::ServerContext* context, const strata::cn::HeartbeatRequest* request,
                         strata::cn::HeartbeatResponse* response) override;

 private:
  // The node's catalog id, registering it if needed.
  Result<uint64_t> NodeId(const NodeInfo& node);

  ComputeNodeRegistry* registry_;
  CnCatalog* catalog_;
};

}  // namespace strata::server::cn

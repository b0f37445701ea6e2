#include "server/cn/fe_rpc_service.h"

#include <fmt/format.h>

#include "common/logging.h"
#include "server/cn/cn_codec.h"

namespace strata::server::cn {
namespace {

constexpr size_t kHostBytesMax = 255;

Status ValidateHeartbeat(const strata::cn::HeartbeatRequest& r) {
  if (r.host().empty() || r.host().size() > kHostBytesMax) {
    return InvalidArgument(fmt::format("heartbeat: host must be 1..{} bytes", kHostBytesMax));
  }
  for (auto [name, port] : {std::pair{"heartbeat_port", r.heartbeat_port()}, std::pair{"rpc_port", r.rpc_port()},
                            std::pair{"http_port", r.http_port()}}) {
    if (port < 1 || port > 65535) return InvalidArgument(fmt::format("heartbeat: {} {} out of range", name, port));
  }
  return Status::OK();
}

std::optional<uint64_t> FindId(const std::vector<NodeInfo>& nodes, const NodeInfo& node) {
  for (const NodeInfo& n : nodes) {
    if (n.host == node.host && n.heartbeat_port == node.heartbeat_port) return n.id;
  }
  return std::nullopt;
}

void FillNode(const NodeInfo& n, strata::cn::ComputeNodeInfo* out) {
  out->set_id(n.id);
  out->set_host(n.host);
  out->set_heartbeat_port(n.heartbeat_port);
  out->set_rpc_port(n.rpc_port);
  out->set_http_port(n.http_port);
}

}  // namespace

Result<uint64_t> FeRpcService::NodeId(const NodeInfo& node) {
  std::vector<NodeInfo> catalog_nodes = catalog_->ComputeNodes();
  registry_->SyncCatalog(catalog_nodes);
  if (auto id = FindId(catalog_nodes, node)) return *id;
  auto added = catalog_->AddComputeNode(node);
  if (added.ok()) {
    STRATA_LOG(kInfo, "compute node {} registered as id {} (rpc {}, http port {})", node.Name(), *added,
               node.RpcAddress(), node.http_port);
    registry_->SyncCatalog(catalog_->ComputeNodes());
    return *added;
  }
  if (added.status().code() != StatusCode::kAlreadyExists) return added.status();
  // Another FE registered it meanwhile; the writer waited for that version.
  if (auto id = FindId(catalog_->ComputeNodes(), node)) return *id;
  return Unavailable("compute node " + node.Name() + " exists on the leader but not yet here; retry");
}

grpc::Status FeRpcService::Heartbeat(grpc::ServerContext*, const strata::cn::HeartbeatRequest* request,
                                     strata::cn::HeartbeatResponse* response) {
  Status valid = ValidateHeartbeat(*request);
  if (!valid.ok()) return ToGrpcStatus(valid);
  NodeInfo node{.host = request->host(), .heartbeat_port = request->heartbeat_port(),
                .rpc_port = request->rpc_port(), .http_port = request->http_port()};
  auto id = NodeId(node);
  if (id.ok()) {
    node.id = *id;
    Status recorded = registry_->Heartbeat(node, request->started_ms());
    if (!recorded.ok()) return ToGrpcStatus(recorded);
    response->set_node_id(node.id);
  } else {
    response->set_error(id.status().ToString());
  }
  for (const NodeInfo& n : registry_->AliveNodes()) FillNode(n, response->add_alive());
  auto [leader, leader_rpc] = catalog_->Leader();
  response->set_leader(leader);
  response->set_leader_rpc_address(leader_rpc);
  for (const std::string& a : catalog_->FrontendRpcAddresses()) response->add_frontend_rpc_addresses(a);
  return grpc::Status::OK;
}

}  // namespace strata::server::cn

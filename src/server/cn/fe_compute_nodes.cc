#include "server/cn/fe_compute_nodes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"

namespace strata::server::cn {
namespace {

// CnCatalog over the FE's metadata service; writes through the forwarding
// catalog writer, so a follower FE registers nodes through the leader.
class ServiceCnCatalog final : public CnCatalog {
 public:
  ServiceCnCatalog(const meta::MetaService* service, sql::CatalogWriter* writer) : service_(service), writer_(writer) {}

  std::vector<NodeInfo> ComputeNodes() const override {
    return service_->Read([](const meta::Catalog& c) {
      std::vector<NodeInfo> out;
      for (const auto& [id, n] : c.state().compute_nodes) {
        out.push_back(NodeInfo{.id = id, .host = n.host, .heartbeat_port = n.heartbeat_port, .rpc_port = n.rpc_port,
                               .http_port = n.http_port});
      }
      return out;
    });
  }

  Result<uint64_t> AddComputeNode(const NodeInfo& node) override {
    meta::AddComputeNode add{.host = node.host, .heartbeat_port = node.heartbeat_port, .rpc_port = node.rpc_port,
                             .http_port = node.http_port};
    STRATA_ASSIGN_OR_RETURN(meta::CommitResult r, writer_->Submit(meta::Change{.body = std::move(add)}));
    if (r.id == 0) return Internal("AddComputeNode committed without an id");
    return r.id;
  }

  std::pair<std::string, std::string> Leader() const override {
    std::string leader = service_->Leader();
    std::string rpc = service_->Read([&](const meta::Catalog& c) -> std::string {
      auto it = c.state().frontends.find(leader);
      if (it == c.state().frontends.end() || it->second.rpc_port == 0) return "";
      return it->second.host + ":" + std::to_string(it->second.rpc_port);
    });
    return {leader, rpc};
  }

  std::vector<std::string> FrontendRpcAddresses() const override {
    return service_->Read([](const meta::Catalog& c) {
      std::vector<std::string> out;
      for (const auto& [name, fe] : c.state().frontends) {
        if (fe.rpc_port != 0) out.push_back(fe.host + ":" + std::to_string(fe.rpc_port));
      }
      return out;
    });
  }

 private:
  const meta::MetaService* service_;
  sql::CatalogWriter* writer_;
};

}  // namespace

FeComputeNodes::FeComputeNodes(FeComputeNodesOptions options)
    : options_(std::move(options)), registry_(options_.liveness_timeout_ms) {
  auto fallback = storage::NewLocalTabletService(std::make_shared<storage::VolumeStores>());
  tablet_service_ = std::make_unique<RemoteTabletService>(&registry_, std::move(fallback), options_.client);
}

FeComputeNodes::~FeComputeNodes() { Stop(); }

Status FeComputeNodes::Start(const meta::MetaService* service, sql::CatalogWriter* writer) {
  STRATA_CHECK(server_ == nullptr, "FeComputeNodes::Start called twice");
  {
    std::lock_guard lock(mu_);
    catalog_ = std::make_unique<ServiceCnCatalog>(service, writer);
  }
  fe_rpc_ = std::make_unique<FeRpcService>(&registry_, catalog_.get());
  GrpcServerOptions grpc_options;
  grpc_options.addresses = {options_.bind_host + ":" + std::to_string(options_.rpc_port)};
  grpc_options.threads_max = 16;  // heartbeats only
  grpc_options.message_bytes_max = 4 << 20;
  auto server = GrpcServer::Start(grpc_options, {fe_rpc_.get()});
  if (!server.ok()) {
    std::lock_guard lock(mu_);
    catalog_.reset();
    return server.status().WithContext("FE rpc_port (compute node heartbeats)");
  }
  server_ = std::move(server).value();
  rpc_port_ = server_->ports()[0];
  STRATA_LOG(kInfo, "fe: compute node heartbeats on {}:{} (liveness timeout {} ms)", options_.bind_host, rpc_port_,
             options_.liveness_timeout_ms);
  return Status::OK();
}

void FeComputeNodes::Stop() {
  if (server_ != nullptr) server_->Stop();  // no heartbeat handler runs past this
  server_.reset();
  std::lock_guard lock(mu_);
  fe_rpc_.reset();
  catalog_.reset();
}

std::string FeComputeNodes::NodesJson() {
  {
    std::lock_guard lock(mu_);
    if (catalog_ != nullptr) registry_.SyncCatalog(catalog_->ComputeNodes());
  }
  int64_t now = registry_.NowMs();
  nlohmann::json nodes = nlohmann::json::array();
  size_t alive = 0;
  for (const NodeStatus& s : registry_.Snapshot()) {
    alive += s.alive ? 1 : 0;
    nodes.push_back({{"id", s.info.id}, {"host", s.info.host}, {"heartbeat_port", s.info.heartbeat_port},
                     {"rpc_port", s.info.rpc_port}, {"http_port", s.info.http_port}, {"alive", s.alive},
                     {"suspect", s.suspect}, {"last_heartbeat_ms", s.last_heartbeat_ms},
                     {"last_heartbeat_age_ms", s.last_heartbeat_ms == 0 ? -1 : now - s.last_heartbeat_ms},
                     {"started_ms", s.started_ms}});
  }
  nlohmann::json body{{"liveness_timeout_ms", registry_.liveness_timeout_ms()},
                      {"now_ms", now},
                      {"alive", alive},
                      {"nodes", std::move(nodes)},
                      {"tablet_service",
                       {{"remote_calls", tablet_service_->remote_calls()},
                        {"fallback_calls", tablet_service_->fallback_calls()}}}};
  return body.dump();
}

}  // namespace strata::server::cn

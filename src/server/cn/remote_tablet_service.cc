#include "server/cn/remote_tablet_service.h"

#include <fmt/format.h>

#include "common/logging.h"
#include "server/cn/grpc_server.h"

namespace strata::server::cn {

RemoteTabletService::RemoteTabletService(ComputeNodeRegistry* registry,
                                         std::unique_ptr<storage::TabletService> fallback,
                                         TabletRpcClientOptions options)
    : registry_(registry), fallback_(std::move(fallback)), options_(options) {}

std::shared_ptr<TabletRpcClient> RemoteTabletService::ClientFor(const NodeInfo& node) {
  std::string address = node.RpcAddress();
  std::optional<NodeStatus> status = registry_->Find(node.id);
  int64_t started_ms = status ? status->started_ms : 0;
  std::lock_guard lock(mu_);
  auto it = clients_.find(address);
  if (it != clients_.end() && it->second.started_ms == started_ms) return it->second.client;
  // Addresses of nodes long gone pile up only if nodes keep changing ports;
  // starting over is cheap (channels connect lazily).
  if (it == clients_.end() && clients_.size() >= kClientsMax) clients_.clear();
  auto client = std::make_shared<TabletRpcClient>(address, NewChannel(address), options_);
  clients_[address] = CachedClient{.started_ms = started_ms, .client = client};
  return client;
}

void RemoteTabletService::NoteFallback(bool using_fallback) {
  int now = using_fallback ? 1 : 0;
  if (mode_.exchange(now) == now) return;
  if (using_fallback) {
    STRATA_LOG(kWarn, "tablet service: no alive compute node; running tablet work in this FE process until one "
                      "heartbeats");
  } else {
    STRATA_LOG(kInfo, "tablet service: routing tablet work to the compute nodes");
  }
}

template <typename R, typename Remote, typename Local>
R RemoteTabletService::Route(uint64_t tablet_id, const char* what, Remote&& remote, Local&& local) {
  std::vector<NodeInfo> owners = registry_->RankedOwners(tablet_id, kTabletCallAttemptsMax);
  if (owners.empty()) {
    NoteFallback(true);
    if (fallback_ == nullptr) {
      return Unavailable(fmt::format("{} tablet {}: no alive compute node", what, tablet_id));
    }
    fallback_calls_.fetch_add(1);
    return local();
  }
  NoteFallback(false);
  std::optional<R> last;
  for (const NodeInfo& node : owners) {
    remote_calls_.fetch_add(1);
    CallInfo info;
    R result = remote(*ClientFor(node), &info);
    if (result.ok() || !info.transport_failure) return result;
    STRATA_LOG(kWarn, "{} tablet {}: compute node {} (id {}) unreachable; marking it suspect", what, tablet_id,
               node.RpcAddress(), node.id);
    registry_->MarkSuspect(node.id);
    if (info.rows_delivered) return result;  // a retry would hand the same rows again
    last.emplace(std::move(result));
  }
  return std::move(*last);
}

Result<storage::RowsetMeta> RemoteTabletService::WriteRowset(const storage::WriteRowsetRequest& request) {
  using R = Result<storage::RowsetMeta>;
  return Route<R>(
      request.tablet_id, "WriteRowset",
      [&](TabletRpcClient& c, CallInfo* info) { return c.WriteRowset(request, info); },
      [&] { return fallback_->WriteRowset(request); });
}

Status RemoteTabletService::ScanTablet(const storage::ScanTabletRequest& request, const storage::RowsetSink& sink) {
  return Route<Status>(
      request.tablet_id, "ScanTablet",
      [&](TabletRpcClient& c, CallInfo* info) { return c.ScanTablet(request, sink, info); },
      [&] { return fallback_->ScanTablet(request, sink); });
}

Result<storage::CompactionOutput> RemoteTabletService::Compact(const storage::CompactRequest& request) {
  using R = Result<storage::CompactionOutput>;
  return Route<R>(
      request.tablet_id, "Compact", [&](TabletRpcClient& c, CallInfo* info) { return c.Compact(request, info); },
      [&] { return fallback_->Compact(request); });
}

}  // namespace strata::server::cn

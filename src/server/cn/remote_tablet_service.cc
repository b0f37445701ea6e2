#include "server/cn/remote_tablet_service.h"

#include <fmt/format.h>

#include <map>
#include <thread>
#include <utility>

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

Status RemoteTabletService::ScanTabletBatches(const storage::ScanTabletRequest& request,
                                              const storage::BatchSink& sink) {
  const storage::RowsetSink decoded = storage::AsDecodedBatches(sink);  // rows from a compute node
  return Route<Status>(
      request.tablet_id, "ScanTablet",
      [&](TabletRpcClient& c, CallInfo* info) { return c.ScanTablet(request, decoded, info); },
      [&] { return fallback_->ScanTabletBatches(request, sink); });
}

Result<storage::CompactionOutput> RemoteTabletService::Compact(const storage::CompactRequest& request) {
  using R = Result<storage::CompactionOutput>;
  return Route<R>(
      request.tablet_id, "Compact", [&](TabletRpcClient& c, CallInfo* info) { return c.Compact(request, info); },
      [&] { return fallback_->Compact(request); });
}

Status RemoteTabletService::RunFragment(const storage::FragmentRequest& request, const storage::FragmentSink& sink) {
  std::vector<storage::FragmentRequest::Tablet> pending = request.tablets;
  for (size_t attempt = 0; attempt < kTabletCallAttemptsMax && !pending.empty(); ++attempt) {
    // The tablets of each owning node, in one call per node.
    std::map<uint64_t, std::pair<NodeInfo, storage::FragmentRequest>> calls;
    for (const auto& t : pending) {
      std::vector<NodeInfo> owners = registry_->RankedOwners(t.tablet_id, 1);
      if (owners.empty()) {
        if (attempt > 0) return Unavailable("query fragment: no alive compute node left for tablet " + std::to_string(t.tablet_id));
        NoteFallback(true);
        return Unimplemented("no alive compute node: the fragment runs in this FE");
      }
      auto [it, added] = calls.try_emplace(owners[0].id, owners[0], storage::FragmentRequest{});
      if (added) {
        storage::FragmentRequest& r = it->second.second;
        r.volume = request.volume;
        r.fragment = request.fragment;
        r.memory_limit_bytes = request.memory_limit_bytes;
        r.should_stop = request.should_stop;
      }
      it->second.second.tablets.push_back(t);
    }
    NoteFallback(false);
    struct Outcome {
      Status status;
      CallInfo info;
    };
    std::vector<Outcome> outcomes(calls.size());
    std::vector<std::thread> threads;
    size_t i = 0;
    for (auto& [id, call] : calls) {
      Outcome* out = &outcomes[i++];
      threads.emplace_back([this, &call, &sink, out] {
        remote_calls_.fetch_add(1);
        out->status = ClientFor(call.first)->RunFragment(call.second, sink, &out->info);
      });
    }
    for (auto& th : threads) th.join();
    pending.clear();
    i = 0;
    for (auto& [id, call] : calls) {
      const Outcome& out = outcomes[i++];
      if (out.status.ok()) continue;
      if (!out.info.transport_failure || out.info.rows_delivered) return out.status;
      STRATA_LOG(kWarn, "query fragment: compute node {} (id {}) unreachable; marking it suspect", call.first.RpcAddress(),
                 id);
      registry_->MarkSuspect(id);
      pending.insert(pending.end(), call.second.tablets.begin(), call.second.tablets.end());
    }
  }
  if (!pending.empty()) return Unavailable("query fragment: compute nodes unreachable (retry later)");
  return Status::OK();
}

}  // namespace strata::server::cn

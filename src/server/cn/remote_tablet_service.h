// RemoteTabletService: the FE's storage::TabletService. Each request goes to
// the compute node that owns its tablet (ComputeNodeRegistry::OwnerOf, a
// rendezvous hash over the alive nodes) through a cached gRPC client.
//
// Failover: a call that fails in transport marks the node suspect (not alive
// until its next heartbeat) and is retried once on the tablet's next owner —
// except a scan that already handed rows to its sink (a retry would repeat
// them; it returns Unavailable for the caller to retry). Every call is
// idempotent on the storage side (writes are put-if-absent with
// deterministic bytes), so a retry after a lost reply is safe.
//
// RunFragment sends one call per owning node with all the tablets it owns,
// the calls in parallel; a node that fails in transport before sending a
// chunk is marked suspect and its tablets go, once, to their next owners.
//
// With no alive compute node the request runs in-process on `fallback` (a
// LocalTabletService), so a lone FE still loads and scans; switching to and
// from the fallback is logged once per switch.
//
// Errors: as tablet_service.h; Unavailable when the owners could not be
// reached (retry later: the registry will have moved on).
// Thread-safety: thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/cn/compute_node_registry.h"
#include "server/cn/tablet_rpc_client.h"
#include "storage/tablet_service.h"

namespace strata::server::cn {

inline constexpr size_t kTabletCallAttemptsMax = 2;  // the owner, then the next owner
inline constexpr size_t kClientsMax = kComputeNodesMax;

class RemoteTabletService final : public storage::TabletService {
 public:
  // `registry` must outlive the service; `fallback` may be null (then no
  // alive node is Unavailable).
  RemoteTabletService(ComputeNodeRegistry* registry, std::unique_ptr<storage::TabletService> fallback,
                      TabletRpcClientOptions options = {});

  Result<storage::RowsetMeta> WriteRowset(const storage::WriteRowsetRequest& request) override;
  Status ScanTablet(const storage::ScanTabletRequest& request, const storage::RowsetSink& sink) override;
  // Read here when it falls back to this process (columns on demand), else decoded by the node.
  Status ScanTabletBatches(const storage::ScanTabletRequest& request, const storage::BatchSink& sink) override;
  Result<storage::CompactionOutput> Compact(const storage::CompactRequest& request) override;
  // Unimplemented with no alive node (the query engine then runs the fragment itself).
  Status RunFragment(const storage::FragmentRequest& request, const storage::FragmentSink& sink) override;

  // Counts since start, for tests and /api/cn.
  uint64_t remote_calls() const { return remote_calls_.load(); }
  uint64_t fallback_calls() const { return fallback_calls_.load(); }

 private:
  // Runs `remote(client, info)` on the tablet's owners in rendezvous order,
  // or `local()` when no node is alive.
  template <typename R, typename Remote, typename Local>
  R Route(uint64_t tablet_id, const char* what, Remote&& remote, Local&& local);
  // The cached client for the node's address, replaced when the node has
  // restarted since it was made: gRPC keeps a channel that saw its peer die in
  // reconnect back-off for a while, failing calls fast even after the node is
  // back, so a restart (a new started_ms in the heartbeat) gets a new channel.
  std::shared_ptr<TabletRpcClient> ClientFor(const NodeInfo& node);
  void NoteFallback(bool using_fallback);

  ComputeNodeRegistry* registry_;
  std::unique_ptr<storage::TabletService> fallback_;
  const TabletRpcClientOptions options_;
  std::mutex mu_;
  struct CachedClient {
    int64_t started_ms = 0;  // the node's process start the client was made for
    std::shared_ptr<TabletRpcClient> client;
  };
  std::map<std::string, CachedClient> clients_;  // by host:rpc_port
  std::atomic<int> mode_{-1};  // -1 unknown, 0 remote, 1 fallback (for the switch log)
  std::atomic<uint64_t> remote_calls_{0};
  std::atomic<uint64_t> fallback_calls_{0};
};

}  // namespace strata::server::cn

// ComputeNodeRegistry: the FE's in-memory view of which compute nodes are
// alive, and which node owns which tablet.
//
// Liveness is soft state, never in the catalog: a node is alive while its
// last heartbeat is at most liveness_timeout_ms old and no call to it has
// failed in transport since (MarkSuspect; the next heartbeat clears it).
// Every FE keeps its own registry; CNs heartbeat to every FE they know.
//
// Tablet ownership is rendezvous (highest-random-weight) hashing of
// (tablet_id, node id) over the alive nodes: deterministic (every FE that
// sees the same alive set picks the same owner), balanced, and minimal —
// when a node dies only its tablets move, when one joins it takes only the
// tablets it now wins. Node ids are catalog ids (stable across restarts).
//
// Bounded: at most kComputeNodesMax nodes are tracked.
// Thread-safety: every method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace strata::server::cn {

inline constexpr size_t kComputeNodesMax = 4096;

// A compute node as its heartbeat and the catalog describe it.
struct NodeInfo {
  uint64_t id = 0;  // catalog id (meta::ComputeNode::id); never 0 for a registered node
  std::string host;
  uint32_t heartbeat_port = 0;  // with host, the identity
  uint32_t rpc_port = 0;        // TabletRpc
  uint32_t http_port = 0;
  std::string RpcAddress() const { return host + ":" + std::to_string(rpc_port); }
  std::string Name() const { return host + ":" + std::to_string(heartbeat_port); }
  bool operator==(const NodeInfo&) const = default;
};

struct NodeStatus {
  NodeInfo info;
  bool alive = false;
  bool suspect = false;
  int64_t last_heartbeat_ms = 0;  // wall clock ms; 0 = never heard from (known from the catalog)
  int64_t started_ms = 0;         // the node's process start, from its last heartbeat
};

// The weight of `node_id` for `tablet_id`; the owner is the alive node with
// the highest weight (ties: the lower id). A pure, process-independent hash.
uint64_t RendezvousWeight(uint64_t tablet_id, uint64_t node_id);
// The ids of `nodes` ranked by weight for `tablet_id`, the first `n` of them.
std::vector<uint64_t> RankNodes(uint64_t tablet_id, std::span<const uint64_t> nodes, size_t n);

class ComputeNodeRegistry {
 public:
  using Clock = std::function<int64_t()>;  // ms since the epoch
  // `now_ms` defaults to the system clock (tests pass a fake).
  explicit ComputeNodeRegistry(int64_t liveness_timeout_ms, Clock now_ms = nullptr);

  // Records a heartbeat from `node` (id != 0, else InvalidArgument). A node
  // already tracked under the same host:heartbeat_port with another id (it
  // was dropped and registered again) is replaced. ResourceExhausted beyond
  // kComputeNodesMax nodes.
  Status Heartbeat(const NodeInfo& node, int64_t started_ms);
  // The catalog's nodes: ids no longer listed are forgotten, listed ones not
  // yet heard from are tracked as dead (so that /api/cn shows them).
  void SyncCatalog(const std::vector<NodeInfo>& catalog_nodes);
  // A call to `id` failed in transport: not alive until its next heartbeat.
  void MarkSuspect(uint64_t id);

  std::vector<NodeInfo> AliveNodes() const;
  std::vector<NodeStatus> Snapshot() const;  // every tracked node, by id
  // nullopt if the node is unknown.
  std::optional<NodeStatus> Find(uint64_t id) const;

  // The alive owner of `tablet_id`; nullopt when no node is alive.
  std::optional<NodeInfo> OwnerOf(uint64_t tablet_id) const;
  // The first `n` alive nodes in rendezvous order for `tablet_id`: the owner,
  // then who takes over if it fails.
  std::vector<NodeInfo> RankedOwners(uint64_t tablet_id, size_t n) const;

  int64_t liveness_timeout_ms() const { return liveness_timeout_ms_; }
  int64_t NowMs() const { return now_ms_(); }

 private:
  struct Entry {
    NodeInfo info;
    int64_t last_heartbeat_ms = 0;
    int64_t started_ms = 0;
    bool suspect = false;
  };
  bool AliveLocked(const Entry& e, int64_t now) const;

  const int64_t liveness_timeout_ms_;
  const Clock now_ms_;
  mutable std::mutex mu_;
  std::map<uint64_t, Entry> nodes_;  // by id
};

}  // namespace strata::server::cn

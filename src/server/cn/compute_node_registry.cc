#include "server/cn/compute_node_registry.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "common/check.h"

namespace strata::server::cn {
namespace {

// SplitMix64's finalizer: a bijective 64-bit mix with full avalanche.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

uint64_t RendezvousWeight(uint64_t tablet_id, uint64_t node_id) {
  // Mixing each input before combining keeps nearby ids (1, 2, 3 ...) from
  // giving correlated weights.
  return Mix(Mix(tablet_id) ^ (Mix(node_id ^ 0x5bd1e9955bd1e995ull) * 0x2127599bf4325c37ull));
}

std::vector<uint64_t> RankNodes(uint64_t tablet_id, std::span<const uint64_t> nodes, size_t n) {
  std::vector<std::pair<uint64_t, uint64_t>> weighted;  // (weight, id)
  weighted.reserve(nodes.size());
  for (uint64_t id : nodes) weighted.emplace_back(RendezvousWeight(tablet_id, id), id);
  size_t k = std::min(n, weighted.size());
  auto better = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
  std::partial_sort(weighted.begin(), weighted.begin() + static_cast<ptrdiff_t>(k), weighted.end(), better);
  std::vector<uint64_t> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) out.push_back(weighted[i].second);
  return out;
}

ComputeNodeRegistry::ComputeNodeRegistry(int64_t liveness_timeout_ms, Clock now_ms)
    : liveness_timeout_ms_(liveness_timeout_ms), now_ms_(now_ms ? std::move(now_ms) : Clock(SystemNowMs)) {
  STRATA_CHECK(liveness_timeout_ms_ > 0, "liveness timeout must be positive");
}

bool ComputeNodeRegistry::AliveLocked(const Entry& e, int64_t now) const {
  return e.last_heartbeat_ms > 0 && !e.suspect && now - e.last_heartbeat_ms <= liveness_timeout_ms_;
}

Status ComputeNodeRegistry::Heartbeat(const NodeInfo& node, int64_t started_ms) {
  if (node.id == 0) return InvalidArgument("heartbeat from " + node.Name() + " without a node id");
  int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    bool same_identity = it->second.info.host == node.host && it->second.info.heartbeat_port == node.heartbeat_port;
    it = same_identity && it->first != node.id ? nodes_.erase(it) : std::next(it);
  }
  if (!nodes_.contains(node.id) && nodes_.size() >= kComputeNodesMax) {
    return ResourceExhausted(fmt::format("already tracking {} compute nodes", kComputeNodesMax));
  }
  Entry& e = nodes_[node.id];
  e.info = node;
  e.last_heartbeat_ms = std::max<int64_t>(now, 1);
  e.started_ms = started_ms;
  e.suspect = false;
  return Status::OK();
}

void ComputeNodeRegistry::SyncCatalog(const std::vector<NodeInfo>& catalog_nodes) {
  std::set<uint64_t> listed;
  std::lock_guard lock(mu_);
  for (const NodeInfo& n : catalog_nodes) {
    listed.insert(n.id);
    if (nodes_.contains(n.id) || nodes_.size() >= kComputeNodesMax) continue;
    nodes_[n.id].info = n;  // never heard from: dead until it heartbeats
  }
  std::erase_if(nodes_, [&](const auto& kv) { return !listed.contains(kv.first); });
}

void ComputeNodeRegistry::MarkSuspect(uint64_t id) {
  std::lock_guard lock(mu_);
  if (auto it = nodes_.find(id); it != nodes_.end()) it->second.suspect = true;
}

std::vector<NodeInfo> ComputeNodeRegistry::AliveNodes() const {
  int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  std::vector<NodeInfo> out;
  for (const auto& [id, e] : nodes_) {
    if (AliveLocked(e, now)) out.push_back(e.info);
  }
  return out;
}

std::vector<NodeStatus> ComputeNodeRegistry::Snapshot() const {
  int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  std::vector<NodeStatus> out;
  out.reserve(nodes_.size());
  for (const auto& [id, e] : nodes_) {
    out.push_back(NodeStatus{.info = e.info, .alive = AliveLocked(e, now), .suspect = e.suspect,
                             .last_heartbeat_ms = e.last_heartbeat_ms, .started_ms = e.started_ms});
  }
  return out;
}

std::optional<NodeStatus> ComputeNodeRegistry::Find(uint64_t id) const {
  int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return std::nullopt;
  const Entry& e = it->second;
  return NodeStatus{.info = e.info, .alive = AliveLocked(e, now), .suspect = e.suspect,
                    .last_heartbeat_ms = e.last_heartbeat_ms, .started_ms = e.started_ms};
}

std::vector<NodeInfo> ComputeNodeRegistry::RankedOwners(uint64_t tablet_id, size_t n) const {
  std::vector<NodeInfo> alive = AliveNodes();
  std::vector<uint64_t> ids;
  ids.reserve(alive.size());
  for (const NodeInfo& a : alive) ids.push_back(a.id);
  std::vector<NodeInfo> out;
  for (uint64_t id : RankNodes(tablet_id, ids, n)) {
    out.push_back(*std::find_if(alive.begin(), alive.end(), [id](const NodeInfo& a) { return a.id == id; }));
  }
  return out;
}

std::optional<NodeInfo> ComputeNodeRegistry::OwnerOf(uint64_t tablet_id) const {
  std::vector<NodeInfo> ranked = RankedOwners(tablet_id, 1);
  if (ranked.empty()) return std::nullopt;
  return ranked.front();
}

}  // namespace strata::server::cn

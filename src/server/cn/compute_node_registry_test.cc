// ComputeNodeRegistry: rendezvous ownership (deterministic, minimal movement,
// balance) and heartbeat liveness on a fake clock.
#include "server/cn/compute_node_registry.h"

#include <gtest/gtest.h>

#include <map>

namespace strata::server::cn {
namespace {

constexpr int64_t kTimeoutMs = 5000;
constexpr uint64_t kTablets = 20000;

NodeInfo Node(uint64_t id) {
  return NodeInfo{.id = id, .host = "10.0.0." + std::to_string(id), .heartbeat_port = 9050, .rpc_port = 9060,
                  .http_port = 8040};
}

struct FakeClock {
  int64_t now_ms = 1'000'000;
  ComputeNodeRegistry::Clock clock() {
    return [this] { return now_ms; };
  }
};

std::map<uint64_t, uint64_t> Owners(const ComputeNodeRegistry& r) {
  std::map<uint64_t, uint64_t> owners;
  for (uint64_t t = 1; t <= kTablets; ++t) {
    auto o = r.OwnerOf(t);
    EXPECT_TRUE(o.has_value());
    if (o) owners[t] = o->id;
  }
  return owners;
}

TEST(RendezvousTest, DeterministicAndIndependentOfOrder) {
  std::vector<uint64_t> a = {3, 1, 7, 42, 9};
  std::vector<uint64_t> b = {42, 9, 7, 3, 1};
  for (uint64_t t = 0; t < 1000; ++t) {
    EXPECT_EQ(RankNodes(t, a, 5), RankNodes(t, b, 5)) << "tablet " << t;
  }
  // A pure function of its inputs: pinned so that a change to the hash (which
  // would move every tablet on upgrade) is deliberate.
  EXPECT_EQ(RendezvousWeight(1, 1), RendezvousWeight(1, 1));
  EXPECT_NE(RendezvousWeight(1, 2), RendezvousWeight(2, 1));
  EXPECT_EQ(RankNodes(12345, a, 2).size(), 2u);
  EXPECT_TRUE(RankNodes(12345, {}, 2).empty());
}

TEST(RendezvousTest, BalancedAcrossNodes) {
  FakeClock clock;
  ComputeNodeRegistry r(kTimeoutMs, clock.clock());
  constexpr uint64_t kNodes = 5;
  for (uint64_t id = 1; id <= kNodes; ++id) ASSERT_TRUE(r.Heartbeat(Node(id), 1).ok());
  std::map<uint64_t, uint64_t> per_node;
  for (const auto& [t, owner] : Owners(r)) ++per_node[owner];
  ASSERT_EQ(per_node.size(), kNodes);
  double fair = static_cast<double>(kTablets) / kNodes;
  for (const auto& [id, n] : per_node) {
    EXPECT_NEAR(static_cast<double>(n), fair, fair * 0.08) << "node " << id;
  }
}

TEST(RendezvousTest, OnlyTheDeadNodesTabletsMove) {
  FakeClock clock;
  ComputeNodeRegistry r(kTimeoutMs, clock.clock());
  for (uint64_t id = 1; id <= 5; ++id) ASSERT_TRUE(r.Heartbeat(Node(id), 1).ok());
  std::map<uint64_t, uint64_t> before = Owners(r);
  // Node 3 stops heartbeating; the others keep going.
  clock.now_ms += kTimeoutMs + 1;
  for (uint64_t id : {1, 2, 4, 5}) ASSERT_TRUE(r.Heartbeat(Node(id), 1).ok());
  std::map<uint64_t, uint64_t> after = Owners(r);
  std::map<uint64_t, uint64_t> moved_to;
  for (uint64_t t = 1; t <= kTablets; ++t) {
    if (before[t] == 3) {
      EXPECT_NE(after[t], 3u);
      ++moved_to[after[t]];
      // The new owner is the one that ranked second before.
      EXPECT_EQ(after[t], RankNodes(t, std::vector<uint64_t>{1, 2, 3, 4, 5}, 2)[1]);
    } else {
      EXPECT_EQ(after[t], before[t]) << "tablet " << t << " moved although its owner is alive";
    }
  }
  EXPECT_EQ(moved_to.size(), 4u) << "the dead node's tablets spread over every survivor";
  // It comes back: exactly its tablets return.
  ASSERT_TRUE(r.Heartbeat(Node(3), 2).ok());
  EXPECT_EQ(Owners(r), before);
}

TEST(RendezvousTest, AJoiningNodeTakesOnlyTabletsItWins) {
  FakeClock clock;
  ComputeNodeRegistry r(kTimeoutMs, clock.clock());
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(r.Heartbeat(Node(id), 1).ok());
  std::map<uint64_t, uint64_t> before = Owners(r);
  ASSERT_TRUE(r.Heartbeat(Node(9), 1).ok());
  size_t moved = 0;
  for (const auto& [t, owner] : Owners(r)) {
    if (owner != before[t]) {
      EXPECT_EQ(owner, 9u);
      ++moved;
    }
  }
  EXPECT_NEAR(static_cast<double>(moved), kTablets / 5.0, kTablets / 5.0 * 0.1);
}

TEST(RegistryTest, LivenessFollowsHeartbeatsOnTheClock) {
  FakeClock clock;
  ComputeNodeRegistry r(kTimeoutMs, clock.clock());
  EXPECT_FALSE(r.OwnerOf(1).has_value()) << "no node: no owner";
  ASSERT_TRUE(r.Heartbeat(Node(1), 111).ok());
  EXPECT_EQ(r.AliveNodes().size(), 1u);
  clock.now_ms += kTimeoutMs;
  EXPECT_TRUE(r.Find(1)->alive) << "alive at exactly the timeout";
  clock.now_ms += 1;
  EXPECT_FALSE(r.Find(1)->alive);
  EXPECT_TRUE(r.AliveNodes().empty());
  EXPECT_FALSE(r.OwnerOf(1).has_value());
  ASSERT_TRUE(r.Heartbeat(Node(1), 222).ok());
  EXPECT_TRUE(r.Find(1)->alive);
  EXPECT_EQ(r.Find(1)->started_ms, 222);
  EXPECT_EQ(r.Find(1)->last_heartbeat_ms, clock.now_ms);
}

TEST(RegistryTest, SuspectUntilTheNextHeartbeat) {
  FakeClock clock;
  ComputeNodeRegistry r(kTimeoutMs, clock.clock());
  ASSERT_TRUE(r.Heartbeat(Node(1), 1).ok());
  ASSERT_TRUE(r.Heartbeat(Node(2), 1).ok());
  r.MarkSuspect(1);
  EXPECT_TRUE(r.Find(1)->suspect);
  EXPECT_FALSE(r.Find(1)->alive);
  for (uint64_t t = 0; t < 100; ++t) EXPECT_EQ(r.OwnerOf(t)->id, 2u);
  r.MarkSuspect(77);  // unknown: ignored
  ASSERT_TRUE(r.Heartbeat(Node(1), 1).ok());
  EXPECT_TRUE(r.Find(1)->alive);
  EXPECT_FALSE(r.Find(1)->suspect);
}

TEST(RegistryTest, CatalogSyncAndReRegistration) {
  FakeClock clock;
  ComputeNodeRegistry r(kTimeoutMs, clock.clock());
  EXPECT_EQ(r.Heartbeat(NodeInfo{.host = "h", .heartbeat_port = 1}, 0).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(r.Heartbeat(Node(1), 1).ok());
  // The catalog also lists node 2 (never heard from) and no longer node 1.
  r.SyncCatalog({Node(2)});
  EXPECT_FALSE(r.Find(1).has_value());
  ASSERT_TRUE(r.Find(2).has_value());
  EXPECT_FALSE(r.Find(2)->alive);
  EXPECT_EQ(r.Find(2)->last_heartbeat_ms, 0);
  // Node 2's host:port re-registered under id 5 (dropped and added again).
  NodeInfo again = Node(2);
  again.id = 5;
  ASSERT_TRUE(r.Heartbeat(again, 1).ok());
  EXPECT_FALSE(r.Find(2).has_value());
  EXPECT_TRUE(r.Find(5)->alive);
  EXPECT_EQ(r.Snapshot().size(), 1u);
}

}  // namespace
}  // namespace strata::server::cn

// TabletRpc.RunFragment end to end in one process: two CN-side services on
// 127.0.0.1 (with a recording runner in place of the query engine), the
// FE-side client and RemoteTabletService: one call per owning node with
// exactly its tablets, fail-over of an unreachable node's tablets, the
// caller's stop cancelling a node still at work, and the FE running the
// fragment itself when no node is alive.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "server/cn/cn_test_util.h"
#include "server/cn/grpc_server.h"
#include "server/cn/remote_tablet_service.h"
#include "server/cn/tablet_rpc_client.h"
#include "server/cn/tablet_rpc_service.h"

namespace strata::server::cn {
namespace {

// A node whose runner answers one chunk "<node>:<tablet>:<fragment>" per
// tablet, or (slow) waits until the caller stops it.
struct FakeNode {
  std::string name;
  std::atomic<bool> slow{false};
  std::atomic<int> calls{0};
  std::atomic<int> stopped{0};
  std::atomic<uint64_t> memory_limit{0};
  std::unique_ptr<TabletRpcService> service;
  std::unique_ptr<GrpcServer> server;

  explicit FakeNode(std::string n) : name(std::move(n)) {
    service = std::make_unique<TabletRpcService>(
        nullptr, [this](const storage::FragmentRequest& r, const storage::FragmentSink& sink) -> Status {
          ++calls;
          memory_limit = r.memory_limit_bytes;
          if (slow) {
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (!r.should_stop() && std::chrono::steady_clock::now() < deadline) {
              std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            ++stopped;
            return Cancelled("the caller went away");
          }
          for (const auto& t : r.tablets) {
            STRATA_RETURN_IF_ERROR(sink(name + ":" + std::to_string(t.tablet_id) + ":" + r.fragment));
          }
          return Status::OK();
        });
    auto started = GrpcServer::Start(GrpcServerOptions{.addresses = {"127.0.0.1:0"}}, {service.get()});
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    server = std::move(started).value();
  }
  uint32_t port() const { return static_cast<uint32_t>(server->ports()[0]); }
};

NodeInfo Node(uint64_t id, uint32_t rpc_port) {
  return NodeInfo{.id = id, .host = "127.0.0.1", .heartbeat_port = static_cast<uint32_t>(id), .rpc_port = rpc_port,
                  .http_port = static_cast<uint32_t>(id)};
}

storage::FragmentRequest Request(uint64_t first, uint64_t count) {
  storage::FragmentRequest r;
  r.volume.name = "v1";
  r.fragment = "frag";
  r.memory_limit_bytes = 12345;
  for (uint64_t t = first; t < first + count; ++t) {
    r.tablets.push_back(storage::FragmentRequest::Tablet{.tablet_id = t, .meta_key = "k" + std::to_string(t)});
  }
  return r;
}

// The chunks a RunFragment delivered, by text.
struct Delivered {
  std::mutex mu;
  std::multiset<std::string> chunks;
  storage::FragmentSink Sink() {
    return [this](std::string&& c) {
      std::lock_guard<std::mutex> lock(mu);
      chunks.insert(std::move(c));
      return Status::OK();
    };
  }
};

TEST(FragmentRpcTest, EachNodeGetsOneCallWithExactlyTheTabletsItOwns) {
  FakeNode a("a"), b("b");
  ComputeNodeRegistry registry(5000);
  ASSERT_TRUE(registry.Heartbeat(Node(1, a.port()), 1).ok());
  ASSERT_TRUE(registry.Heartbeat(Node(2, b.port()), 1).ok());
  RemoteTabletService remote(&registry, nullptr);
  Delivered got;
  Status s = remote.RunFragment(Request(100, 40), got.Sink());
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::multiset<std::string> want;
  for (uint64_t t = 100; t < 140; ++t) {
    want.insert((registry.OwnerOf(t)->id == 1 ? "a:" : "b:") + std::to_string(t) + ":frag");
  }
  EXPECT_EQ(got.chunks, want);
  EXPECT_EQ(a.calls.load(), 1);
  EXPECT_EQ(b.calls.load(), 1);
  EXPECT_EQ(remote.remote_calls(), 2u);
  EXPECT_EQ(a.memory_limit.load(), 12345u);  // the query's exec_mem_limit travels
}

TEST(FragmentRpcTest, AnUnreachableNodesTabletsGoToTheirNextOwnerOnce) {
  FakeNode live("live");
  ComputeNodeRegistry registry(5000);
  ASSERT_TRUE(registry.Heartbeat(Node(1, static_cast<uint32_t>(ClosedPort())), 1).ok());
  ASSERT_TRUE(registry.Heartbeat(Node(2, live.port()), 1).ok());
  RemoteTabletService remote(&registry, nullptr);
  Delivered got;
  Status s = remote.RunFragment(Request(200, 30), got.Sink());
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::multiset<std::string> want;
  for (uint64_t t = 200; t < 230; ++t) want.insert("live:" + std::to_string(t) + ":frag");
  EXPECT_EQ(got.chunks, want);  // every tablet once, all on the live node
  EXPECT_TRUE(registry.Find(1)->suspect);
  EXPECT_EQ(live.calls.load(), 2);  // its own tablets, then the dead node's
}

TEST(FragmentRpcTest, TheCallersStopCancelsANodeStillAtWork) {
  FakeNode node("n");
  node.slow = true;
  TabletRpcClient client("127.0.0.1:" + std::to_string(node.port()),
                         NewChannel("127.0.0.1:" + std::to_string(node.port())), TabletRpcClientOptions{});
  storage::FragmentRequest r = Request(1, 3);
  auto start = std::chrono::steady_clock::now();
  r.should_stop = [&] { return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(200); };
  Delivered got;
  CallInfo info;
  Status s = client.RunFragment(r, got.Sink(), &info);
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_FALSE(info.transport_failure);
  EXPECT_TRUE(got.chunks.empty());
  // The node saw the cancellation (not its own 20 s deadline).
  for (int i = 0; i < 400 && node.stopped.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(node.stopped.load(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(FragmentRpcTest, NoAliveNodeLeavesTheFragmentToTheFe) {
  ComputeNodeRegistry registry(5000);
  RemoteTabletService remote(&registry, nullptr);
  Delivered got;
  EXPECT_EQ(remote.RunFragment(Request(1, 2), got.Sink()).code(), StatusCode::kUnimplemented);
  // A node without a runner refuses clearly.
  TabletRpcService bare(nullptr);
  auto server = GrpcServer::Start(GrpcServerOptions{.addresses = {"127.0.0.1:0"}}, {&bare});
  ASSERT_TRUE(server.ok());
  std::string address = "127.0.0.1:" + std::to_string((*server)->ports()[0]);
  TabletRpcClient client(address, NewChannel(address), TabletRpcClientOptions{});
  CallInfo info;
  Status s = client.RunFragment(Request(1, 1), got.Sink(), &info);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s.ToString();
  EXPECT_FALSE(info.transport_failure);
}

}  // namespace
}  // namespace strata::server::cn

// HeartbeatLoop: the CN's heartbeats to the FEs. Every interval_ms it calls
// FeRpc.Heartbeat on every FE it knows — the configured fe_address list plus
// the FEs the answers name — concurrently, each call bounded by timeout_ms.
// Every FE keeps its own liveness view, so every FE must hear from every CN.
// The first answer with a node id means the node is registered; that, a
// change of id, and FEs becoming unreachable or reachable again are logged
// (transitions only, not every beat).
//
// Bounded: at most kFrontendsMax FEs are heartbeated.
// Thread-safety: Start/Stop from one thread; State() from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/cn/compute_node_registry.h"
#include "server/cn/strata_cn.grpc.pb.h"

namespace strata::server::cn {

inline constexpr size_t kFrontendsMax = 16;

struct HeartbeatLoopOptions {
  std::vector<std::string> fe_addresses;  // host:rpc_port, at least one
  NodeInfo self;                          // id ignored
  int64_t started_ms = 0;
  int64_t interval_ms = 1000;
  int64_t timeout_ms = 2000;              // one call
};

struct FeContact {
  bool ok = false;
  int64_t last_ok_ms = 0;
  uint64_t failures_in_a_row = 0;
  std::string error;  // the last failure
};

struct HeartbeatState {
  uint64_t node_id = 0;  // 0: not registered yet
  std::string leader;
  std::map<std::string, FeContact> frontends;  // by host:rpc_port
  uint64_t rounds = 0;
};

class HeartbeatLoop {
 public:
  explicit HeartbeatLoop(HeartbeatLoopOptions options);
  ~HeartbeatLoop();  // Stop()s

  void Start();  // the background thread; at most once
  void Stop();   // idempotent; waits for the round in flight
  // One round now, on the caller's thread (tests; Start not called).
  void RunOnce();
  HeartbeatState State() const;

 private:
  struct Call;
  std::vector<std::string> Targets() const;
  strata::cn::FeRpc::Stub& StubFor(const std::string& address);
  void Absorb(const std::string& address, const Call& call, std::set<std::string>* learned);

  const HeartbeatLoopOptions options_;
  std::map<std::string, std::unique_ptr<strata::cn::FeRpc::Stub>> stubs_;  // loop thread only
  std::set<std::string> learned_;                                          // loop thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  HeartbeatState state_;
  std::thread thread_;
};

}  // namespace strata::server::cn

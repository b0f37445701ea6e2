#include "server/cn/heartbeat_loop.h"

#include <chrono>

#include <fmt/format.h>

#include "common/check.h"
#include "common/logging.h"
#include "server/cn/cn_codec.h"
#include "server/cn/grpc_server.h"

namespace strata::server::cn {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr uint64_t kRepeatFailureLogEvery = 60;  // beats: one reminder a minute at the default interval

}  // namespace

// One heartbeat in flight; gRPC calls `done` exactly once, after the deadline at the latest.
struct HeartbeatLoop::Call {
  grpc::ClientContext ctx;
  strata::cn::HeartbeatRequest request;
  strata::cn::HeartbeatResponse response;
  grpc::Status status;
  bool done = false;
};

HeartbeatLoop::HeartbeatLoop(HeartbeatLoopOptions options) : options_(std::move(options)) {
  STRATA_CHECK(!options_.fe_addresses.empty(), "a heartbeat loop needs an FE address");
  STRATA_CHECK(options_.interval_ms > 0 && options_.timeout_ms > 0, "heartbeat interval and timeout must be > 0");
}

HeartbeatLoop::~HeartbeatLoop() { Stop(); }

void HeartbeatLoop::Start() {
  STRATA_CHECK(!thread_.joinable(), "HeartbeatLoop::Start called twice");
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto began = std::chrono::steady_clock::now();
      RunOnce();
      lock.lock();
      cv_.wait_until(lock, began + std::chrono::milliseconds(options_.interval_ms), [this] { return stop_; });
    }
  });
}

void HeartbeatLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

HeartbeatState HeartbeatLoop::State() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::vector<std::string> HeartbeatLoop::Targets() const {
  std::set<std::string> all(options_.fe_addresses.begin(), options_.fe_addresses.end());
  for (const std::string& a : learned_) {
    if (all.size() >= kFrontendsMax) break;
    all.insert(a);
  }
  return {all.begin(), all.end()};
}

strata::cn::FeRpc::Stub& HeartbeatLoop::StubFor(const std::string& address) {
  auto& stub = stubs_[address];
  if (stub == nullptr) stub = strata::cn::FeRpc::NewStub(NewChannel(address, 4 << 20));
  return *stub;
}

void HeartbeatLoop::RunOnce() {
  std::vector<std::string> targets = Targets();
  std::vector<std::unique_ptr<Call>> calls;
  std::mutex done_mu;
  std::condition_variable done_cv;
  for (const std::string& address : targets) {
    auto call = std::make_unique<Call>();
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.timeout_ms));
    call->request.set_host(options_.self.host);
    call->request.set_heartbeat_port(options_.self.heartbeat_port);
    call->request.set_rpc_port(options_.self.rpc_port);
    call->request.set_http_port(options_.self.http_port);
    call->request.set_started_ms(options_.started_ms);
    Call* c = call.get();
    StubFor(address).async()->Heartbeat(&c->ctx, &c->request, &c->response, [c, &done_mu, &done_cv](grpc::Status s) {
      std::lock_guard lock(done_mu);
      c->status = std::move(s);
      c->done = true;
      done_cv.notify_all();
    });
    calls.push_back(std::move(call));
  }
  {
    std::unique_lock lock(done_mu);
    done_cv.wait(lock, [&] {
      for (const auto& c : calls) {
        if (!c->done) return false;
      }
      return true;
    });
  }
  std::set<std::string> learned;
  for (size_t i = 0; i < targets.size(); ++i) Absorb(targets[i], *calls[i], &learned);
  learned_ = std::move(learned);
  std::lock_guard lock(mu_);
  ++state_.rounds;
  std::erase_if(state_.frontends, [&](const auto& kv) {
    return std::find(targets.begin(), targets.end(), kv.first) == targets.end();
  });
}

// Folds one answer into the state and logs transitions.
void HeartbeatLoop::Absorb(const std::string& address, const Call& call, std::set<std::string>* learned) {
  std::lock_guard lock(mu_);
  FeContact& fe = state_.frontends[address];
  if (!call.status.ok()) {
    fe.error = FromGrpcStatus(call.status, "heartbeat to FE " + address).ToString();
    if (fe.ok || fe.failures_in_a_row % kRepeatFailureLogEvery == 0) STRATA_LOG(kWarn, "cn: {}", fe.error);
    fe.ok = false;
    ++fe.failures_in_a_row;
    return;
  }
  if (!fe.ok && fe.failures_in_a_row > 0) STRATA_LOG(kInfo, "cn: FE {} answers heartbeats again", address);
  fe.ok = true;
  fe.failures_in_a_row = 0;
  fe.last_ok_ms = NowMs();
  fe.error = call.response.error();
  for (const std::string& a : call.response.frontend_rpc_addresses()) learned->insert(a);
  if (!call.response.leader().empty()) state_.leader = call.response.leader();
  uint64_t id = call.response.node_id();
  if (id == 0) {
    if (!fe.error.empty()) STRATA_LOG(kDebug, "cn: FE {} has not registered this node: {}", address, fe.error);
    return;
  }
  if (id != state_.node_id) {
    STRATA_LOG(kInfo, "cn: registered as compute node id {} ({} via FE {}, leader '{}')", id, options_.self.Name(),
               address, call.response.leader());
    state_.node_id = id;
  }
}

}  // namespace strata::server::cn

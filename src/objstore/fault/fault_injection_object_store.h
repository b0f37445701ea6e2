// FaultInjectionObjectStore: wraps another ObjectStore and makes chosen calls
// fail, to prove that the code above survives every failure the network and
// object stores produce (CONVENTIONS: "fail the N-th I/O for N = 1, 2, …").
//
// Every call through the wrapper — including MultipartUpload::UploadPart,
// Complete and Abort — counts as one call, numbered from 1. A fault is one of:
//   kFailBefore  the call fails with Unavailable and the base store is not touched;
//   kLoseReply   the call reaches the base store (and may succeed there), but the
//                caller gets Unavailable, as when a response is lost in the network.
// Faults are chosen by call number (FailNthCall) and/or by probability
// (FailWithProbability, seeded, reproducible). A fixed latency may be added
// to every call.
//
// Thread-safety: safe for concurrent use; with several threads the numbering
// follows the order in which calls enter the wrapper.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "objstore/object_store.h"

namespace strata::objstore {

enum class FaultKind { kFailBefore, kLoseReply };

class FaultInjectionObjectStore : public ObjectStore {
 public:
  explicit FaultInjectionObjectStore(std::shared_ptr<ObjectStore> base);

  // Call number `n` (1-based, counted from construction or Reset) fails.
  void FailNthCall(int64_t n, FaultKind kind);
  // Every call fails with probability `p` in [0, 1].
  void FailWithProbability(double p, uint64_t seed, FaultKind kind);
  void SetLatencyMs(int64_t latency_ms) { latency_ms_.store(latency_ms); }
  // Removes every fault and restarts the call numbering.
  void Reset();

  int64_t calls() const { return calls_.load(); }
  int64_t faults_injected() const { return faults_.load(); }

  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return base_->BackendName(); }

  // Decides the fate of the next call: nullopt to pass, else the fault. Used
  // by the wrapper's own multipart upload too.
  std::optional<FaultKind> NextCall(std::string_view op);

 private:
  // Runs `call` under the fault decision for one call named `op`.
  template <typename R, typename F>
  R Intercept(std::string_view op, F&& call);

  std::shared_ptr<ObjectStore> base_;
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> faults_{0};
  std::atomic<int64_t> latency_ms_{0};
  std::mutex mu_;
  std::map<int64_t, FaultKind> nth_;
  double probability_ = 0;
  FaultKind probability_kind_ = FaultKind::kFailBefore;
  std::mt19937_64 rng_;
};

}  // namespace strata::objstore

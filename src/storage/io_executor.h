// IoExecutor: a small fixed pool of threads that run object-store reads for
// scans (RangePrefetcher, range_prefetch.h), so that a scan's next bytes are
// fetched while it decodes the current ones.
//
// It also keeps the memory budget that every RangePrefetcher using it shares:
// the bytes fetched ahead of all scans together stay within `held_bytes_max`
// (each scan may always hold one unit, so that every scan makes progress).
//
// Tasks must not wait for other tasks of the pool (they are leaf reads), so
// the pool cannot deadlock. The queue is bounded: TrySubmit refuses a task
// when `queue_max` tasks are waiting, and the caller then does the work
// itself (a prefetcher fetches on demand in the scan thread).
//
// Thread-safety: every method may be called from any thread, including from
// inside a task. The destructor runs the tasks still queued, then joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::storage {

inline constexpr size_t kIoThreadsMax = 64;
inline constexpr size_t kIoQueueMax = 1 << 16;

class IoExecutor {
 public:
  // 1 <= threads <= kIoThreadsMax, 1 <= queue_max <= kIoQueueMax.
  IoExecutor(size_t threads, size_t queue_max, uint64_t held_bytes_max = UINT64_MAX);
  ~IoExecutor();
  IoExecutor(const IoExecutor&) = delete;
  IoExecutor& operator=(const IoExecutor&) = delete;

  // Queues `task`; false (task dropped, not run) when the queue is full or
  // the executor is shutting down.
  [[nodiscard]] bool TrySubmit(std::function<void()> task);

  // Read-ahead memory: takes `bytes` of the budget if the total stays within
  // held_bytes_max, or anyway when `always`; false (nothing taken) otherwise.
  bool TryHold(uint64_t bytes, bool always);
  // Gives back bytes taken by TryHold.
  void Unhold(uint64_t bytes);
  uint64_t held_bytes() const;

  // The process-wide executor for scans: kSharedIoThreads threads, started
  // on first use and never destroyed (no task runs once every scan has
  // ended, so nothing is left to join at exit). Its first use also calls
  // KeepScanBuffersMapped().
  static IoExecutor& Shared();
  static constexpr size_t kSharedIoThreads = 8;
  static constexpr size_t kSharedQueueMax = 1024;
  static constexpr uint64_t kSharedHeldBytesMax = 512ull << 20;

 private:
  void Loop();

  const size_t queue_max_;
  const uint64_t held_bytes_max_;
  std::atomic<uint64_t> held_bytes_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_; at most queue_max_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

// Makes malloc keep the memory of freed scan buffers for the next ones: blocks
// up to kScanBufferMmapThresholdBytes come from the heap (not a mapping of
// their own) and a heap gives memory back to the kernel only past
// kScanHeapTrimBytes free at its top. Why: a scan allocates and frees buffers
// of 0.1-8 MiB at a high rate (GET bodies, cache reads, decoded columns), and
// glibc's default, a mapping threshold that follows the largest block freed
// so far, returned them to the kernel and page-faulted fresh zeroed pages for
// the next ones: page faults were a fifth of a CN's CPU in a cold TPC-H Q6
// and half of it warm once GETs fetched only the bytes needed (small bodies
// no longer raised the threshold). Process-wide (it belongs with the main;
// here so that every process that scans gets it); idempotent; thread-safe;
// nothing outside glibc.
void KeepScanBuffersMapped();
inline constexpr size_t kScanBufferMmapThresholdBytes = size_t{32} << 20;  // glibc's largest allowed
inline constexpr size_t kScanHeapTrimBytes = size_t{64} << 20;

}  // namespace strata::storage

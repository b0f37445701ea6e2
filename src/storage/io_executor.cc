// IoExecutor (io_executor.h).
#include "storage/io_executor.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/check.h"

namespace strata::storage {

IoExecutor::IoExecutor(size_t threads, size_t queue_max, uint64_t held_bytes_max)
    : queue_max_(queue_max), held_bytes_max_(held_bytes_max) {
  STRATA_CHECK(threads >= 1 && threads <= kIoThreadsMax, "IoExecutor thread count");
  STRATA_CHECK(queue_max >= 1 && queue_max <= kIoQueueMax, "IoExecutor queue bound");
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

IoExecutor::~IoExecutor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool IoExecutor::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= queue_max_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void IoExecutor::Loop() {
  for (;;) {  // until stopping with an empty queue
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued task has run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

bool IoExecutor::TryHold(uint64_t bytes, bool always) {
  uint64_t held = held_bytes_.load(std::memory_order_relaxed);
  for (;;) {  // retries only when another thread changed the total meanwhile
    if (!always && (bytes > held_bytes_max_ || held > held_bytes_max_ - bytes)) return false;
    if (held_bytes_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed)) return true;
  }
}

void IoExecutor::Unhold(uint64_t bytes) {
  const uint64_t before = held_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  STRATA_CHECK_GE(before, bytes);
}

uint64_t IoExecutor::held_bytes() const { return held_bytes_.load(std::memory_order_relaxed); }

IoExecutor& IoExecutor::Shared() {
  // Leaked on purpose: joining at exit would race with static destructors.
  static IoExecutor* shared = [] {
    KeepScanBuffersMapped();
    return new IoExecutor(kSharedIoThreads, kSharedQueueMax, kSharedHeldBytesMax);
  }();
  return *shared;
}

void KeepScanBuffersMapped() {
#if defined(__GLIBC__)
  // mallopt fails (returns 0) only for values out of its range: these are in it.
  STRATA_CHECK(::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kScanBufferMmapThresholdBytes)) == 1, "mallopt");
  STRATA_CHECK(::mallopt(M_TRIM_THRESHOLD, static_cast<int>(kScanHeapTrimBytes)) == 1, "mallopt");
#endif
}

}  // namespace strata::storage

#include "common/retry_policy.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <thread>

namespace strata {

int64_t RetryPolicy::BackoffMs(int retry) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int shift = std::clamp(retry, 0, 30);
  // base << shift saturates at the cap instead of overflowing.
  int64_t ceiling = base_delay_ms > (max_delay_ms >> shift) ? max_delay_ms : base_delay_ms << shift;
  if (ceiling <= 0) return 0;
  return std::uniform_int_distribution<int64_t>(0, ceiling)(rng);
}

Status RetryPolicy::Run(const std::function<Status()>& op) const {
  Status last;
  const int attempts = std::max(1, attempts_max);  // at least one try: never report OK without calling op
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(BackoffMs(attempt - 1)));
    last = op();
    if (last.ok() || !last.retryable()) return last;
  }
  return last.WithContext("after " + std::to_string(attempts) + " attempts");
}

}  // namespace strata

// RetryPolicy: bounded retries with capped, jittered exponential back-off
// ("full jitter": each delay is uniform in [0, min(cap, base * 2^attempt)]).
//
//   RetryPolicy policy;                       // 5 attempts, 50 ms base, 2 s cap
//   Status s = policy.Run([&] { return DoCall(); });
//
// Only retryable Statuses (Status::retryable()) are retried; anything else is
// returned at once. Every loop has a maximum: attempts_max.
//
// Thread-safety: a RetryPolicy is immutable; Run may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"

namespace strata {

struct RetryPolicy {
  int attempts_max = 5;         // total tries, including the first
  int64_t base_delay_ms = 50;
  int64_t max_delay_ms = 2000;

  // The delay before retry number `retry` (0 = the first retry).
  int64_t BackoffMs(int retry) const;

  // Calls `op` until it returns OK, a non-retryable error, or attempts run out.
  // The last error gets context "after N attempts" when retries were exhausted.
  Status Run(const std::function<Status()>& op) const;
};

}  // namespace strata

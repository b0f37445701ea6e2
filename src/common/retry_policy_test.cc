#include "common/retry_policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

namespace strata {
namespace {

RetryPolicy Fast(int attempts) {
  RetryPolicy p;
  p.attempts_max = attempts;
  p.base_delay_ms = 1;
  p.max_delay_ms = 2;
  return p;
}

TEST(RetryPolicyTest, Defaults) {
  RetryPolicy p;
  EXPECT_EQ(p.attempts_max, 5);
  EXPECT_EQ(p.base_delay_ms, 50);
  EXPECT_EQ(p.max_delay_ms, 2000);
}

TEST(RetryPolicyTest, SuccessAtOnceCallsOnce) {
  int calls = 0;
  Status s = Fast(5).Run([&] {
    ++calls;
    return Status::OK();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 1);
}

TEST(RetryPolicyTest, RetriesRetryableCodesUntilSuccess) {
  for (Status transient : {Unavailable("x"), ResourceExhausted("x"), DeadlineExceeded("x")}) {
    SCOPED_TRACE(transient.ToString());
    int calls = 0;
    Status s = Fast(5).Run([&] {
      ++calls;
      return calls < 3 ? transient : Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(calls, 3);
  }
}

TEST(RetryPolicyTest, NonRetryableCodesReturnAtOnceUnchanged) {
  for (Status fatal : {InvalidArgument("x"), NotFound("x"), AlreadyExists("x"), FailedPrecondition("x"),
                       Aborted("x"), PermissionDenied("x"), Unauthenticated("x"), DataLoss("x"),
                       Cancelled("x"), Unimplemented("x"), Internal("x")}) {
    SCOPED_TRACE(fatal.ToString());
    int calls = 0;
    Status s = Fast(5).Run([&] {
      ++calls;
      return fatal;
    });
    EXPECT_EQ(s, fatal);  // no "after N attempts" context either
    EXPECT_EQ(calls, 1);
  }
}

TEST(RetryPolicyTest, StopsAtAttemptsMaxWithContext) {
  int calls = 0;
  Status s = Fast(4).Run([&] {
    ++calls;
    return Unavailable("503 slow down");
  });
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "after 4 attempts: 503 slow down");
}

TEST(RetryPolicyTest, RetryableThenFatalStopsAtTheFatal) {
  int calls = 0;
  Status s = Fast(10).Run([&] {
    ++calls;
    return calls == 1 ? Unavailable("blip") : NotFound("gone");
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(s, NotFound("gone"));
}

TEST(RetryPolicyTest, OneAttemptMeansNoRetry) {
  int calls = 0;
  Status s = Fast(1).Run([&] {
    ++calls;
    return Unavailable("x");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.message(), "after 1 attempts: x");
}

TEST(RetryPolicyTest, NonPositiveAttemptsMaxStillTriesOnce) {
  // A misconfigured policy must never report success without calling op.
  for (int attempts : {0, -3}) {
    SCOPED_TRACE(attempts);
    int calls = 0;
    Status s = Fast(attempts).Run([&] {
      ++calls;
      return Unavailable("x");
    });
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(s.ok());
  }
}

TEST(RetryPolicyTest, BackoffStaysWithinFullJitterBounds) {
  RetryPolicy p;  // 50 ms base, 2 s cap
  for (int retry = 0; retry < 40; ++retry) {
    int64_t ceiling = std::min<int64_t>(2000, retry >= 6 ? 2000 : int64_t{50} << retry);
    int64_t seen_max = 0;
    for (int i = 0; i < 200; ++i) {
      int64_t d = p.BackoffMs(retry);
      ASSERT_GE(d, 0) << "retry " << retry;
      ASSERT_LE(d, ceiling) << "retry " << retry;
      seen_max = std::max(seen_max, d);
    }
    // Uniform over [0, ceiling]: 200 draws all below half the ceiling is ~1e-60.
    EXPECT_GT(seen_max, ceiling / 2) << "retry " << retry;
  }
}

TEST(RetryPolicyTest, BackoffGrowsThenCaps) {
  RetryPolicy p;
  p.base_delay_ms = 10;
  p.max_delay_ms = 100;
  auto max_of = [&](int retry) {
    int64_t m = 0;
    for (int i = 0; i < 500; ++i) m = std::max(m, p.BackoffMs(retry));
    return m;
  };
  EXPECT_LE(max_of(0), 10);
  EXPECT_LE(max_of(1), 20);
  EXPECT_GT(max_of(2), 20);  // the ceiling doubled to 40
  EXPECT_LE(max_of(2), 40);
  EXPECT_GT(max_of(5), 50);  // 10 << 5 = 320, capped at 100
  EXPECT_LE(max_of(5), 100);
}

TEST(RetryPolicyTest, BackoffDoesNotOverflowForHugeBase) {
  RetryPolicy p;
  p.base_delay_ms = std::numeric_limits<int64_t>::max() / 4;
  p.max_delay_ms = 1000;
  int64_t seen_max = 0;
  for (int i = 0; i < 200; ++i) {
    int64_t d = p.BackoffMs(20);
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 1000);
    seen_max = std::max(seen_max, d);
  }
  EXPECT_GT(seen_max, 500);  // capped at 1000, not wrapped to zero
}

TEST(RetryPolicyTest, ZeroDelaysAreZero) {
  RetryPolicy p;
  p.base_delay_ms = 0;
  for (int retry = 0; retry < 5; ++retry) EXPECT_EQ(p.BackoffMs(retry), 0);
}

TEST(RetryPolicyTest, RunSleepsBetweenAttemptsWithinBounds) {
  RetryPolicy p;
  p.attempts_max = 3;
  p.base_delay_ms = 20;
  p.max_delay_ms = 20;  // each of the 2 sleeps is uniform in [0, 20] ms
  std::vector<std::chrono::steady_clock::time_point> at;
  Status s = p.Run([&] {
    at.push_back(std::chrono::steady_clock::now());
    return Unavailable("x");
  });
  ASSERT_EQ(at.size(), 3u);
  EXPECT_FALSE(s.ok());
  // Generous upper bound for a loaded shared machine; the point is that it is bounded.
  EXPECT_LT(at.back() - at.front(), std::chrono::milliseconds(40 + 500));
}

}  // namespace
}  // namespace strata

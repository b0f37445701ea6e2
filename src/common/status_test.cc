#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace strata {
namespace {

struct CodeCase {
  Status status;
  StatusCode code;
  const char* name;
  bool retryable;
};

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(Status::OK(), s);
  EXPECT_FALSE(s.retryable());
}

TEST(StatusTest, ShorthandsSetCodeNameAndRetryable) {
  const std::vector<CodeCase> cases = {
      {InvalidArgument("m"), StatusCode::kInvalidArgument, "InvalidArgument", false},
      {NotFound("m"), StatusCode::kNotFound, "NotFound", false},
      {AlreadyExists("m"), StatusCode::kAlreadyExists, "AlreadyExists", false},
      {FailedPrecondition("m"), StatusCode::kFailedPrecondition, "FailedPrecondition", false},
      {Aborted("m"), StatusCode::kAborted, "Aborted", false},
      {Unavailable("m"), StatusCode::kUnavailable, "Unavailable", true},
      {DeadlineExceeded("m"), StatusCode::kDeadlineExceeded, "DeadlineExceeded", true},
      {ResourceExhausted("m"), StatusCode::kResourceExhausted, "ResourceExhausted", true},
      {PermissionDenied("m"), StatusCode::kPermissionDenied, "PermissionDenied", false},
      {Unauthenticated("m"), StatusCode::kUnauthenticated, "Unauthenticated", false},
      {DataLoss("m"), StatusCode::kDataLoss, "DataLoss", false},
      {Cancelled("m"), StatusCode::kCancelled, "Cancelled", false},
      {Unimplemented("m"), StatusCode::kUnimplemented, "Unimplemented", false},
      {Internal("m"), StatusCode::kInternal, "Internal", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
    EXPECT_EQ(StatusCodeName(c.code), c.name);
    EXPECT_EQ(c.status.retryable(), c.retryable);
    EXPECT_EQ(c.status.ToString(), std::string(c.name) + ": m");
  }
}

TEST(StatusTest, UnknownCodeHasAName) {
  EXPECT_EQ(StatusCodeName(static_cast<StatusCode>(9999)), "Unknown");
}

TEST(StatusTest, WithContextPrefixesAndKeepsCode) {
  Status s = NotFound("no such object").WithContext("get a/b").WithContext("open tablet 42");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "open tablet 42: get a/b: no such object");
  EXPECT_EQ(s.ToString(), "NotFound: open tablet 42: get a/b: no such object");
}

TEST(StatusTest, WithContextLeavesOriginalUntouched) {
  Status base = Unavailable("slow down");
  Status ctx = base.WithContext("put x");
  EXPECT_EQ(base.message(), "slow down");
  EXPECT_EQ(ctx.message(), "put x: slow down");
  EXPECT_TRUE(ctx.retryable());
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = Status::OK().WithContext("whatever");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, Equality) {
  EXPECT_EQ(NotFound("a"), NotFound("a"));
  EXPECT_NE(NotFound("a"), NotFound("b"));
  EXPECT_NE(NotFound("a"), Internal("a"));
}

Status ReturnIfError(const Status& inner, bool* reached_end) {
  STRATA_RETURN_IF_ERROR(inner);
  *reached_end = true;
  return Status::OK();
}

TEST(StatusTest, ReturnIfErrorMacro) {
  bool reached = false;
  EXPECT_EQ(ReturnIfError(Aborted("conflict"), &reached), Aborted("conflict"));
  EXPECT_FALSE(reached);
  EXPECT_TRUE(ReturnIfError(Status::OK(), &reached).ok());
  EXPECT_TRUE(reached);
}

// --- Result<T> ---

TEST(ResultTest, HoldsValue) {
  Result<int> r = 7;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 7);
  EXPECT_EQ(*r, 7);
  *r = 8;
  EXPECT_EQ(r.value(), 8);
}

TEST(ResultTest, HoldsError) {
  Result<std::string> r = NotFound("gone");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status(), NotFound("gone"));
}

TEST(ResultTest, ArrowAndMoveOut) {
  Result<std::string> r = std::string("hello");
  EXPECT_EQ(r->size(), 5u);
  std::string moved = std::move(r).value();
  EXPECT_EQ(moved, "hello");
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(3);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 3);
}

Result<int> ParsePositive(int x) {
  if (x <= 0) return InvalidArgument("not positive: " + std::to_string(x));
  return x;
}

Result<int> SumOfTwo(int a, int b, int* steps) {
  STRATA_ASSIGN_OR_RETURN(int x, ParsePositive(a));
  ++*steps;
  STRATA_ASSIGN_OR_RETURN(int y, ParsePositive(b));
  ++*steps;
  return x + y;
}

Status AssignToExisting(int a, std::string* out) {
  std::unique_ptr<int> p;
  STRATA_ASSIGN_OR_RETURN(p, Result<std::unique_ptr<int>>(std::make_unique<int>(a)));
  STRATA_ASSIGN_OR_RETURN(int checked, ParsePositive(*p));
  *out = std::to_string(checked);
  return Status::OK();
}

TEST(ResultTest, AssignOrReturnMacro) {
  int steps = 0;
  Result<int> ok = SumOfTwo(2, 3, &steps);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  EXPECT_EQ(steps, 2);

  steps = 0;
  Result<int> first_bad = SumOfTwo(-1, 3, &steps);
  EXPECT_EQ(first_bad.status(), InvalidArgument("not positive: -1"));
  EXPECT_EQ(steps, 0);

  steps = 0;
  Result<int> second_bad = SumOfTwo(1, 0, &steps);
  EXPECT_EQ(second_bad.status(), InvalidArgument("not positive: 0"));
  EXPECT_EQ(steps, 1);

  std::string out;
  EXPECT_TRUE(AssignToExisting(4, &out).ok());
  EXPECT_EQ(out, "4");
  EXPECT_EQ(AssignToExisting(-4, &out).code(), StatusCode::kInvalidArgument);
}

TEST(ResultDeathTest, OkStatusWithoutValueIsFatal) {
  EXPECT_DEATH({ Result<int> r(Status::OK()); (void)r; }, "OK Status without a value");
}

TEST(ResultDeathTest, ValueOfFailedResultIsFatal) {
  EXPECT_DEATH(
      {
        Result<int> r = DataLoss("torn page");
        (void)r.value();
      },
      "value\\(\\) of a failed Result: DataLoss: torn page");
}

}  // namespace
}  // namespace strata

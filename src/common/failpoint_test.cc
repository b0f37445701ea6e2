#include "common/failpoint.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace strata {
namespace {

namespace fp = failpoint;

class FailpointTest : public ::testing::Test {
 protected:
  void SetUp() override { fp::DisarmAll(); }
  void TearDown() override { fp::DisarmAll(); }
};

Status UsesMacro(const char* name, bool* reached_end) {
  STRATA_FAILPOINT(name);
  *reached_end = true;
  return Status::OK();
}

TEST_F(FailpointTest, UnarmedHitIsOkAndNotCounted) {
  EXPECT_TRUE(fp::Hit("fp.test.unarmed").ok());
  EXPECT_EQ(fp::HitCount("fp.test.unarmed"), 0);
}

TEST_F(FailpointTest, ErrorActionReturnsUnavailableEveryHit) {
  fp::Arm("fp.test.error", {.action = fp::Action::kError});
  for (int i = 1; i <= 3; ++i) {
    Status s = fp::Hit("fp.test.error");
    EXPECT_EQ(s, Unavailable("failpoint fp.test.error"));
    EXPECT_TRUE(s.retryable());
    EXPECT_EQ(fp::HitCount("fp.test.error"), i);
  }
  // Other names are unaffected.
  EXPECT_TRUE(fp::Hit("fp.test.other").ok());
}

TEST_F(FailpointTest, MacroReturnsFromEnclosingFunction) {
  bool reached = false;
  EXPECT_TRUE(UsesMacro("fp.test.macro", &reached).ok());
  EXPECT_TRUE(reached);
  fp::Arm("fp.test.macro", {});
  reached = false;
  EXPECT_EQ(UsesMacro("fp.test.macro", &reached).code(), StatusCode::kUnavailable);
  EXPECT_FALSE(reached);
}

TEST_F(FailpointTest, NthHitFiresOnlyOnce) {
  fp::Arm("fp.test.nth", {.action = fp::Action::kError, .nth_hit = 3});
  EXPECT_TRUE(fp::Hit("fp.test.nth").ok());
  EXPECT_TRUE(fp::Hit("fp.test.nth").ok());
  EXPECT_FALSE(fp::Hit("fp.test.nth").ok());
  EXPECT_TRUE(fp::Hit("fp.test.nth").ok());
  EXPECT_TRUE(fp::Hit("fp.test.nth").ok());
  EXPECT_EQ(fp::HitCount("fp.test.nth"), 5);
}

TEST_F(FailpointTest, RearmingResetsTheHitCount) {
  fp::Arm("fp.test.rearm", {.action = fp::Action::kError, .nth_hit = 2});
  EXPECT_TRUE(fp::Hit("fp.test.rearm").ok());
  EXPECT_EQ(fp::HitCount("fp.test.rearm"), 1);
  fp::Arm("fp.test.rearm", {.action = fp::Action::kError, .nth_hit = 2});
  EXPECT_EQ(fp::HitCount("fp.test.rearm"), 0);
  EXPECT_TRUE(fp::Hit("fp.test.rearm").ok());
  EXPECT_FALSE(fp::Hit("fp.test.rearm").ok());
}

TEST_F(FailpointTest, SleepActionSleepsThenReturnsOk) {
  fp::Arm("fp.test.sleep", {.action = fp::Action::kSleep, .sleep_ms = 60});
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(fp::Hit("fp.test.sleep").ok());
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, std::chrono::milliseconds(60));
  EXPECT_EQ(fp::HitCount("fp.test.sleep"), 1);
}

TEST_F(FailpointTest, DisarmOneAndAll) {
  fp::Arm("fp.test.a", {});
  fp::Arm("fp.test.b", {});
  fp::Disarm("fp.test.a");
  EXPECT_TRUE(fp::Hit("fp.test.a").ok());
  EXPECT_EQ(fp::HitCount("fp.test.a"), 0);
  EXPECT_FALSE(fp::Hit("fp.test.b").ok());
  fp::Disarm("fp.test.never-armed");  // harmless
  EXPECT_FALSE(fp::Hit("fp.test.b").ok());
  fp::DisarmAll();
  EXPECT_TRUE(fp::Hit("fp.test.b").ok());
  EXPECT_EQ(fp::HitCount("fp.test.b"), 0);
}

TEST_F(FailpointTest, ArmFromStringGoodSpecs) {
  ASSERT_TRUE(fp::ArmFromString("fp.s.err=error;fp.s.nth=error@2;;fp.s.sleep=sleep:1;fp.s.sleepnth=sleep:1@3").ok());
  EXPECT_FALSE(fp::Hit("fp.s.err").ok());
  EXPECT_TRUE(fp::Hit("fp.s.nth").ok());
  EXPECT_FALSE(fp::Hit("fp.s.nth").ok());
  EXPECT_TRUE(fp::Hit("fp.s.sleep").ok());
  EXPECT_EQ(fp::HitCount("fp.s.sleep"), 1);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(fp::Hit("fp.s.sleepnth").ok());
  EXPECT_EQ(fp::HitCount("fp.s.sleepnth"), 4);
  EXPECT_TRUE(fp::ArmFromString("").ok());
  EXPECT_TRUE(fp::ArmFromString(";;").ok());
}

TEST_F(FailpointTest, ArmFromStringBadSpecsArmNothing) {
  struct Bad {
    const char* spec;
    const char* want_in_message;
  };
  const Bad cases[] = {
      {"fp.bad.a=error;fp.bad.b", "failpoint spec 'fp.bad.b': want name=action[@n]"},
      {"fp.bad.a=error;=error", "failpoint spec '=error'"},
      {"fp.bad.a=error;fp.bad.b=explode", "unknown action 'explode'"},
      {"fp.bad.a=error;fp.bad.b=error@0", "bad hit number '0'"},
      {"fp.bad.a=error;fp.bad.b=error@-1", "bad hit number '-1'"},
      {"fp.bad.a=error;fp.bad.b=error@x", "bad hit number 'x'"},
      {"fp.bad.a=error;fp.bad.b=error@", "bad hit number ''"},
      {"fp.bad.a=error;fp.bad.b=sleep:", "bad sleep duration ''"},
      {"fp.bad.a=error;fp.bad.b=sleep:-5", "bad sleep duration '-5'"},
      {"fp.bad.a=error;fp.bad.b=sleep:10ms", "bad sleep duration '10ms'"},
      {"fp.bad.a=error;fp.bad.b=sleep", "unknown action 'sleep'"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.spec);
    Status s = fp::ArmFromString(c.spec);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(c.want_in_message), std::string::npos) << s.message();
    // Nothing was armed, not even the good first item.
    EXPECT_TRUE(fp::Hit("fp.bad.a").ok());
    EXPECT_TRUE(fp::Hit("fp.bad.b").ok());
  }
}

TEST_F(FailpointTest, ArmFromStringRejectsTooManyItems) {
  std::string specs;
  for (int i = 0; i < 1001; ++i) specs += "fp.many." + std::to_string(i) + "=error;";
  Status s = fp::ArmFromString(specs);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fp::Hit("fp.many.0").ok());
  specs.clear();
  for (int i = 0; i < 1000; ++i) specs += "fp.many." + std::to_string(i) + "=error;";
  EXPECT_TRUE(fp::ArmFromString(specs).ok());
  EXPECT_FALSE(fp::Hit("fp.many.999").ok());
}

TEST_F(FailpointTest, NthHitFiresExactlyOnceAcrossThreads) {
  fp::Arm("fp.test.threads", {.action = fp::Action::kError, .nth_hit = 150});
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!fp::Hit("fp.test.threads").ok()) errors.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 1);
  EXPECT_EQ(fp::HitCount("fp.test.threads"), 400);
}

// --- crash: the process dies by SIGKILL, with no clean-up ---

TEST(FailpointDeathTest, CrashKillsTheProcessWithSigkill) {
  EXPECT_EXIT(
      {
        fp::Arm("fp.test.crash", {.action = fp::Action::kCrash});
        (void)fp::Hit("fp.test.crash");
        _exit(0);  // not reached
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

TEST(FailpointDeathTest, CrashOnNthHit) {
  EXPECT_EXIT(
      {
        fp::Arm("fp.test.crash2", {.action = fp::Action::kCrash, .nth_hit = 2});
        if (!fp::Hit("fp.test.crash2").ok()) _exit(3);  // first hit must pass
        (void)fp::Hit("fp.test.crash2");
        _exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

// The environment variable is read once per process, at the first use of any
// failpoint function; "threadsafe" death tests re-execute the binary, so the
// child starts with it unread.
class FailpointEnvDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  void TearDown() override { GTEST_FLAG_SET(death_test_style, "fast"); }
};

TEST_F(FailpointEnvDeathTest, EnvironmentSpecsAreArmedAtFirstHit) {
  EXPECT_EXIT(
      {
        setenv("STRATA_FAILPOINTS", "fp.env.err=error;fp.env.crash=crash@2", 1);
        if (fp::Hit("fp.env.err") != Unavailable("failpoint fp.env.err")) _exit(3);
        if (!fp::Hit("fp.env.crash").ok()) _exit(4);
        (void)fp::Hit("fp.env.crash");
        _exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

TEST_F(FailpointEnvDeathTest, EnvironmentSpecsAreArmedBeforeAnExplicitArm) {
  EXPECT_EXIT(
      {
        setenv("STRATA_FAILPOINTS", "fp.env.x=crash", 1);
        fp::Arm("fp.env.y", {});  // the first use reads the environment, too
        if (fp::Hit("fp.env.y").ok()) _exit(3);
        (void)fp::Hit("fp.env.x");
        _exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

TEST_F(FailpointEnvDeathTest, DisarmAllAlsoDisarmsTheEnvironmentSpecs) {
  EXPECT_EXIT(
      {
        setenv("STRATA_FAILPOINTS", "fp.env.z=crash", 1);
        fp::DisarmAll();
        _exit(fp::Hit("fp.env.z").ok() ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(FailpointEnvDeathTest, BadEnvironmentSpecIsFatal) {
  EXPECT_DEATH(
      {
        setenv("STRATA_FAILPOINTS", "fp.env.bad=explode", 1);
        (void)fp::Hit("fp.env.bad");
      },
      "bad STRATA_FAILPOINTS: failpoint spec 'fp.env.bad=explode': unknown action");
}

}  // namespace
}  // namespace strata

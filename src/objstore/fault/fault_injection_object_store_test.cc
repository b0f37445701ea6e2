#include "objstore/fault/fault_injection_object_store.h"

#include <gtest/gtest.h>

#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

TEST(FaultInjectionObjectStore, FailBeforeLeavesTheStoreUntouched) {
  auto mem = std::make_shared<MemObjectStore>();
  FaultInjectionObjectStore store(mem);
  store.FailNthCall(2, FaultKind::kFailBefore);
  ASSERT_TRUE(store.Put("a", "1").ok());
  Status s = store.Put("b", "2");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(mem->Head("b").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store.Put("c", "3").ok()) << "only the second call fails";
  EXPECT_EQ(store.calls(), 3);
  EXPECT_EQ(store.faults_injected(), 1);
}

TEST(FaultInjectionObjectStore, LoseReplyAppliesTheCallButReportsFailure) {
  auto mem = std::make_shared<MemObjectStore>();
  FaultInjectionObjectStore store(mem);
  store.FailNthCall(1, FaultKind::kLoseReply);
  EXPECT_EQ(store.PutIfAbsent("a", "1").code(), StatusCode::kUnavailable);
  EXPECT_EQ(*mem->Get("a"), "1") << "the write landed";
  EXPECT_EQ(store.PutIfAbsent("a", "1").code(), StatusCode::kAlreadyExists);
}

TEST(FaultInjectionObjectStore, CountsMultipartCalls) {
  auto mem = std::make_shared<MemObjectStore>();
  FaultInjectionObjectStore store(mem);
  store.FailNthCall(3, FaultKind::kFailBefore);  // start, part, part(fails)
  Status s = PutMultipart(store, "m", std::string(kMultipartPartMinBytes + 10, 'x'), kMultipartPartMinBytes);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(mem->Head("m").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.calls(), 4) << "start, part, failed part, abort";
}

TEST(FaultInjectionObjectStore, ProbabilisticFaultsAreSeededAndReproducible) {
  auto run = [](uint64_t seed) {
    FaultInjectionObjectStore store(std::make_shared<MemObjectStore>());
    store.FailWithProbability(0.3, seed, FaultKind::kFailBefore);
    std::string pattern;
    for (int i = 0; i < 200; ++i) pattern += store.Put("k", "v").ok() ? '.' : 'X';
    return pattern;
  };
  std::string a = run(42);
  EXPECT_EQ(a, run(42));
  EXPECT_NE(a, run(43));
  size_t failures = std::count(a.begin(), a.end(), 'X');
  EXPECT_GT(failures, 30u);
  EXPECT_LT(failures, 90u);
}

TEST(FaultInjectionObjectStore, ResetClearsFaultsAndNumbering) {
  FaultInjectionObjectStore store(std::make_shared<MemObjectStore>());
  store.FailNthCall(1, FaultKind::kFailBefore);
  store.Reset();
  EXPECT_TRUE(store.Put("a", "1").ok());
  EXPECT_EQ(store.calls(), 1);
}

}  // namespace
}  // namespace strata::objstore

#include "objstore/retry/retrying_object_store.h"

#include <gtest/gtest.h>

#include "objstore/fault/fault_injection_object_store.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

constexpr RetryPolicy kFast{.attempts_max = 3, .base_delay_ms = 0, .max_delay_ms = 0};

TEST(RetryingObjectStore, RetriesTransientFailures) {
  auto fault = std::make_shared<FaultInjectionObjectStore>(std::make_shared<MemObjectStore>());
  fault->FailNthCall(1, FaultKind::kFailBefore);
  fault->FailNthCall(2, FaultKind::kFailBefore);
  RetryingObjectStore store(fault, kFast);
  EXPECT_TRUE(store.Put("a", "1").ok());
  EXPECT_EQ(fault->calls(), 3);
}

TEST(RetryingObjectStore, GivesUpAfterAttemptsMax) {
  auto fault = std::make_shared<FaultInjectionObjectStore>(std::make_shared<MemObjectStore>());
  fault->FailWithProbability(1.0, 1, FaultKind::kFailBefore);
  RetryingObjectStore store(fault, kFast);
  Status s = store.Put("a", "1");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("after 3 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(fault->calls(), 3);
}

TEST(RetryingObjectStore, DoesNotRetryPermanentErrors) {
  auto fault = std::make_shared<FaultInjectionObjectStore>(std::make_shared<MemObjectStore>());
  RetryingObjectStore store(fault, kFast);
  EXPECT_EQ(store.Get("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fault->calls(), 1);
}

TEST(RetryingObjectStore, PutIfAbsentWhoseReplyWasLostReportsItsOwnWin) {
  auto fault = std::make_shared<FaultInjectionObjectStore>(std::make_shared<MemObjectStore>());
  fault->FailNthCall(1, FaultKind::kLoseReply);
  RetryingObjectStore store(fault, kFast);
  EXPECT_TRUE(store.PutIfAbsent("log/1", "writer-a nonce-1").ok());
}

TEST(RetryingObjectStore, PutIfAbsentLostToAnotherWriterStaysAlreadyExists) {
  auto mem = std::make_shared<MemObjectStore>();
  ASSERT_TRUE(mem->Put("log/1", "writer-b").ok());
  auto fault = std::make_shared<FaultInjectionObjectStore>(mem);
  fault->FailNthCall(1, FaultKind::kFailBefore);
  RetryingObjectStore store(fault, kFast);
  EXPECT_EQ(store.PutIfAbsent("log/1", "writer-a").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*mem->Get("log/1"), "writer-b");
}

TEST(RetryingObjectStore, PutIfAbsentWithoutAmbiguityDoesNotReadBack) {
  auto mem = std::make_shared<MemObjectStore>();
  ASSERT_TRUE(mem->Put("k", "same").ok());
  auto fault = std::make_shared<FaultInjectionObjectStore>(mem);
  RetryingObjectStore store(fault, kFast);
  // Identical bytes written earlier by someone else: without a failed attempt
  // of ours, that is someone else's win.
  EXPECT_EQ(store.PutIfAbsent("k", "same").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(fault->calls(), 1);
}

}  // namespace
}  // namespace strata::objstore

// Tests of lineage pointers, over the in-memory and the local-directory backends.
#include "meta/log/lineage.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "meta/log/framing.h"
#include "meta/log/test_stores.h"

namespace strata::meta {
namespace {

using testing_util::Backend;
using testing_util::TestStore;

class LineageTest : public testing::TestWithParam<Backend> {
 protected:
  LineageTest() : ts_(GetParam()) {}
  objstore::ObjectStore& store() { return *ts_.store(); }
  TestStore ts_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LineageTest, testing::Values(Backend::kMem, Backend::kLocal),
                         testing_util::BackendName);

TEST(NewClusterIdTest, Is32LowercaseHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewClusterId();
    ASSERT_EQ(id.size(), 32u);
    for (char c : id) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

TEST_P(LineageTest, BootstrapOnceThenFollow) {
  EXPECT_EQ(CurrentLineage(store(), "prod").status().code(), StatusCode::kNotFound);
  auto first = EnsureLineage(store(), "prod");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->seq, 1u);
  EXPECT_EQ(first->cluster_id.size(), 32u);
  auto again = EnsureLineage(store(), "prod");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cluster_id, first->cluster_id);
  EXPECT_EQ(CurrentLineage(store(), "prod")->cluster_id, first->cluster_id);
  EXPECT_EQ(ts_.Keys(), (std::vector<std::string>{"clusters/prod/lineage/00000000000000000001"}));
  // Another cluster name on the same volume is independent.
  EXPECT_NE(EnsureLineage(store(), "staging")->cluster_id, first->cluster_id);
}

TEST_P(LineageTest, RacingBootstrapsAgreeOnOneClusterId) {
  constexpr int kThreads = 8;
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto r = EnsureLineage(*ts_.store(), "race");
      std::lock_guard<std::mutex> lock(mu);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->seq, 1u);
      ids.insert(r->cluster_id);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(ts_.Keys("clusters/race/").size(), 1u);
}

TEST_P(LineageTest, AppendMovesToTheNewLineageOnce) {
  auto first = EnsureLineage(store(), "prod");
  ASSERT_TRUE(first.ok());
  const std::string restored = NewClusterId();
  ASSERT_TRUE(AppendLineage(store(), "prod", 1, restored).ok());
  auto current = CurrentLineage(store(), "prod");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->seq, 2u);
  EXPECT_EQ(current->cluster_id, restored);
  EXPECT_EQ(EnsureLineage(store(), "prod")->cluster_id, restored);
  // A second restore that also read seq 1 loses.
  Status conflict = AppendLineage(store(), "prod", 1, NewClusterId());
  EXPECT_EQ(conflict.code(), StatusCode::kAlreadyExists) << conflict.ToString();
  EXPECT_EQ(CurrentLineage(store(), "prod")->cluster_id, restored);
  // Appending after a seq that does not exist would leave a gap.
  EXPECT_EQ(AppendLineage(store(), "prod", 5, NewClusterId()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AppendLineage(store(), "prod", 2, "bad/id").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendLineage(store(), "pr/od", 2, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CurrentLineage(store(), "").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(LineageTest, DamagedOrMisplacedPointerIsDataLoss) {
  ASSERT_TRUE(EnsureLineage(store(), "prod").ok());
  const std::string key3 = "clusters/prod/lineage/00000000000000000003";
  // Seq 2's record stored as seq 3: misplaced.
  ASSERT_TRUE(store().Put(key3, internal::Frame(internal::kLineageKind, "abc", 2, "")).ok());
  auto misplaced = CurrentLineage(store(), "prod");
  EXPECT_EQ(misplaced.status().code(), StatusCode::kDataLoss) << misplaced.status().ToString();
  std::string bytes = internal::Frame(internal::kLineageKind, "abc", 3, "");
  bytes[bytes.size() / 2] ^= 0x10;
  ASSERT_TRUE(store().Put(key3, bytes).ok());
  auto damaged = CurrentLineage(store(), "prod");
  EXPECT_EQ(damaged.status().code(), StatusCode::kDataLoss) << damaged.status().ToString();
  EXPECT_NE(damaged.status().message().find(key3), std::string::npos);
  // Never a silent fall-back to the older lineage.
  EXPECT_EQ(EnsureLineage(store(), "prod").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace strata::meta

// Failure tests of the log layer: named failpoints around the append, and a
// sweep that fails the N-th object-store call (N = 1, 2, ...) of a leader's
// append/read/image/clean-up sequence, with both "fail before" and "lose the
// reply", then checks that the log is still replayable from its newest image,
// that nothing acknowledged is lost and that no entry is damaged, and that a
// fresh run finishes the work.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/failpoint.h"
#include "meta/log/image_store.h"
#include "meta/log/meta_log.h"
#include "objstore/fault/fault_injection_object_store.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::meta {
namespace {

constexpr char kCluster[] = "c0ffeec0ffeec0ffeec0ffeec0ffee00";
constexpr uint64_t kLastEntry = 17;
constexpr uint64_t kNewImage = 15;

std::string EntryPayload(uint64_t v) { return fmt::format("entry {}", v); }
std::string ImagePayload(uint64_t v) { return fmt::format("image through {}", v); }

TEST(MetaLogFailpointTest, AppendFailpointsBracketThePut) {
  auto store = std::make_shared<objstore::MemObjectStore>();
  MetaLog log(store, kCluster);
  failpoint::Arm("meta.log.before_append", {.action = failpoint::Action::kError});
  EXPECT_EQ(log.Append(1, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(log.Read(1).status().code(), StatusCode::kNotFound);
  failpoint::DisarmAll();
  failpoint::Arm("meta.log.after_append", {.action = failpoint::Action::kError});
  EXPECT_EQ(log.Append(1, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(failpoint::HitCount("meta.log.after_append"), 1);
  failpoint::DisarmAll();
  EXPECT_EQ(*log.Read(1), "x");  // durable, only the acknowledgement was lost
}

// The base state before the sweep: entries 1..10, images 5 and 10.
void Seed(objstore::ObjectStore& base) {
  auto shared = std::shared_ptr<objstore::ObjectStore>(&base, [](objstore::ObjectStore*) {});
  MetaLog log(shared, kCluster);
  ImageStore images(shared, kCluster);
  for (uint64_t v = 1; v <= 10; ++v) ASSERT_TRUE(log.Append(v, EntryPayload(v)).ok());
  for (uint64_t v : {5, 10}) ASSERT_TRUE(images.Write(v, ImagePayload(v)).ok());
}

// A leader's work; stops at the first error, as a crashing writer would.
// `acked` collects the versions whose Append returned OK.
Status Workload(const std::shared_ptr<objstore::ObjectStore>& store, std::set<uint64_t>* acked) {
  MetaLog log(store, kCluster);
  ImageStore images(store, kCluster);
  for (uint64_t v = 11; v <= kNewImage; ++v) {
    STRATA_RETURN_IF_ERROR(log.Append(v, EntryPayload(v)));
    acked->insert(v);
  }
  for (uint64_t v = 11; v <= kNewImage; ++v) {
    STRATA_ASSIGN_OR_RETURN(std::string p, log.Read(v));
    if (p != EntryPayload(v)) return Internal("read back the wrong payload");
  }
  STRATA_RETURN_IF_ERROR(images.Write(kNewImage, ImagePayload(kNewImage)));
  STRATA_ASSIGN_OR_RETURN(uint64_t last, log.LastVersion(11));
  if (last != kNewImage) return Internal(fmt::format("LastVersion {} != {}", last, kNewImage));
  for (uint64_t v = kNewImage + 1; v <= kLastEntry; ++v) {
    STRATA_RETURN_IF_ERROR(log.Append(v, EntryPayload(v)));
    acked->insert(v);
  }
  return CleanUpMeta(log, images, 1, nullptr).status();
}

// What a new leader does after a crash: start from the newest image, find the
// tail, append what is missing, write the image if needed, clean up.
void Recover(const std::shared_ptr<objstore::ObjectStore>& base) {
  MetaLog log(base, kCluster);
  ImageStore images(base, kCluster);
  auto list = images.List();
  ASSERT_TRUE(list.ok() && !list->empty());
  const uint64_t newest = list->back();
  auto last = log.LastVersion(newest + 1);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  for (uint64_t v = std::max(newest, *last) + 1; v <= kLastEntry; ++v) {
    Status s = log.Append(v, EntryPayload(v));
    ASSERT_TRUE(s.ok()) << "version " << v << ": " << s.ToString();
  }
  if (newest < kNewImage) {
    ASSERT_TRUE(images.Write(kNewImage, ImagePayload(kNewImage)).ok());
  }
  auto cleaned = CleanUpMeta(log, images, 1, nullptr);
  ASSERT_TRUE(cleaned.ok()) << cleaned.status().ToString();
}

// The state after a failed run: every image readable; the newest image plus
// the entries after it form an unbroken, undamaged chain; nothing acked lost.
void CheckReplayable(const std::shared_ptr<objstore::ObjectStore>& base, const std::set<uint64_t>& acked) {
  MetaLog log(base, kCluster);
  ImageStore images(base, kCluster);
  auto list = images.List();
  ASSERT_TRUE(list.ok() && !list->empty()) << "no image left";
  for (uint64_t v : *list) {
    auto r = images.Read(v);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, ImagePayload(v));
  }
  const uint64_t newest = list->back();
  auto present = log.ListVersions(1, UINT64_MAX);
  ASSERT_TRUE(present.ok());
  for (uint64_t v : *present) {
    auto r = log.Read(v);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, EntryPayload(v));
  }
  const uint64_t last = present->empty() ? 0 : present->back();
  for (uint64_t v = newest + 1; v <= last; ++v) {
    EXPECT_TRUE(log.Read(v).ok()) << "gap at " << v << " after image " << newest;
  }
  for (uint64_t v : acked) {
    if (v > newest) {
      EXPECT_TRUE(log.Read(v).ok()) << "acknowledged entry " << v << " lost";
    }
  }
  auto lv = log.LastVersion(newest + 1);
  ASSERT_TRUE(lv.ok());
  EXPECT_EQ(*lv, last > newest ? last : 0);
}

std::vector<std::string> AllKeys(objstore::ObjectStore& store) {
  std::vector<std::string> keys;
  auto all = objstore::ListAll(store, "");
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  if (all.ok()) {
    for (auto& m : *all) keys.push_back(m.key);
  }
  return keys;
}

TEST(MetaLogFaultSweepTest, FailEveryNthCall) {
  int64_t clean_calls = 0;
  {
    auto base = std::make_shared<objstore::MemObjectStore>();
    Seed(*base);
    auto faulty = std::make_shared<objstore::FaultInjectionObjectStore>(base);
    std::set<uint64_t> acked;
    ASSERT_TRUE(Workload(faulty, &acked).ok());
    clean_calls = faulty->calls();
  }
  ASSERT_GE(clean_calls, 19);  // 7 appends, 5 reads, image, 2 lists, clean-up
  int failed_runs = 0;
  for (auto kind : {objstore::FaultKind::kFailBefore, objstore::FaultKind::kLoseReply}) {
    for (int64_t n = 1; n <= clean_calls; ++n) {
      SCOPED_TRACE(fmt::format("fault {} at call {}", kind == objstore::FaultKind::kFailBefore ? "fail-before"
                                                                                                : "lose-reply", n));
      auto base = std::make_shared<objstore::MemObjectStore>();
      Seed(*base);
      auto faulty = std::make_shared<objstore::FaultInjectionObjectStore>(base);
      faulty->FailNthCall(n, kind);
      std::set<uint64_t> acked;
      Status s = Workload(faulty, &acked);
      if (!s.ok()) {
        ++failed_runs;
        EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
      }
      CheckReplayable(base, acked);
      Recover(base);
      std::vector<std::string> expected = {MetaLog(base, kCluster).KeyOf(16), MetaLog(base, kCluster).KeyOf(17),
                                           ImageStore(base, kCluster).KeyOf(kNewImage)};
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(AllKeys(*base), expected);
      CheckReplayable(base, {16, 17});
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(failed_runs, 2 * clean_calls);  // every injected fault surfaces
}

}  // namespace
}  // namespace strata::meta

// MetaService over in-process stores: leadership, group commit, restart,
// checkpoints, fail-over, unknown outcomes, damage, foreign caches.
#include "meta/service/meta_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "objstore/fault/fault_injection_object_store.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::meta {
namespace {

using objstore::FaultInjectionObjectStore;
using objstore::FaultKind;
using objstore::MemObjectStore;

Change CreateDb(const std::string& name) {
  Result<Change> c = ChangeFromJson(fmt::format(R"({{"type":"create_database","name":"{}"}})", name));
  STRATA_CHECK(c.ok(), c.status().ToString());
  return *c;
}

MetaServiceOptions Options(std::shared_ptr<objstore::ObjectStore> store, const std::string& fe) {
  MetaServiceOptions o;
  o.store = std::move(store);
  o.fe_name = fe;
  o.lease_ms = 400;
  o.poll_ms = 10;
  o.checkpoint_entries = 0;  // tests checkpoint explicitly
  return o;
}

std::unique_ptr<MetaService> StartOrDie(MetaServiceOptions o) {
  Result<std::unique_ptr<MetaService>> s = MetaService::Start(std::move(o));
  STRATA_CHECK(s.ok(), s.status().ToString());
  return std::move(s).value();
}

bool WaitLeader(MetaService& s, int64_t timeout_ms = 15000) {
  for (int64_t waited = 0; waited < timeout_ms; waited += 5) {
    if (s.IsLeader()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

bool HasDb(const MetaService& s, const std::string& name) {
  return s.Read([&](const Catalog& c) { return c.ToJson().find("\"" + name + "\"") != std::string::npos; });
}

TEST(MetaService, ASingleFeLeadsCommitsAndSurvivesARestart) {
  auto store = std::make_shared<MemObjectStore>();
  uint64_t version;
  std::string cluster_id;
  {
    auto fe = StartOrDie(Options(store, "fe1:8030"));
    ASSERT_TRUE(WaitLeader(*fe));
    Result<CommitResult> r = fe->Submit(CreateDb("db1"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GT(r->id, 0u);
    Result<CommitResult> dup = fe->Submit(CreateDb("db1"));
    EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status().ToString();
    EXPECT_TRUE(HasDb(*fe, "db1"));
    version = fe->AppliedVersion();
    cluster_id = fe->ClusterId();
  }
  auto again = StartOrDie(Options(store, "fe1:8030"));
  EXPECT_EQ(again->AppliedVersion(), version);
  EXPECT_EQ(again->ClusterId(), cluster_id);
  EXPECT_TRUE(HasDb(*again, "db1"));
  ASSERT_TRUE(WaitLeader(*again)) << "the restarted former leader takes over at once";
  EXPECT_TRUE(again->Submit(CreateDb("db2")).ok());
}

TEST(MetaService, GroupCommitBatchesConcurrentSubmissions) {
  auto store = std::make_shared<MemObjectStore>();
  auto fe = StartOrDie(Options(store, "fe1:8030"));
  ASSERT_TRUE(WaitLeader(*fe));
  uint64_t before = fe->AppliedVersion();
  constexpr int kThreads = 32, kPerThread = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!fe->Submit(CreateDb(fmt::format("t{}_{}", t, i))).ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  uint64_t entries = fe->AppliedVersion() - before;
  std::cout << kThreads * kPerThread << " changes in " << entries << " log entries\n";
  EXPECT_LE(entries, static_cast<uint64_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(HasDb(*fe, fmt::format("t{}_{}", t, kPerThread - 1)));
}

TEST(MetaService, CheckpointThenRestartLoadsTheImageAndReplaysTheRest) {
  auto store = std::make_shared<MemObjectStore>();
  std::string cluster_id;
  {
    auto fe = StartOrDie(Options(store, "fe1:8030"));
    ASSERT_TRUE(WaitLeader(*fe));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(fe->Submit(CreateDb(fmt::format("a{}", i))).ok());
    Result<uint64_t> image = fe->Checkpoint();
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(fe->Submit(CreateDb(fmt::format("b{}", i))).ok());
    cluster_id = fe->ClusterId();
  }
  auto again = StartOrDie(Options(store, "fe1:8030"));
  EXPECT_TRUE(HasDb(*again, "a19"));
  EXPECT_TRUE(HasDb(*again, "b4"));
}

TEST(MetaService, CheckpointsByTimeBoundTheTailEvenWithFewEntries) {
  auto store = std::make_shared<MemObjectStore>();
  MetaServiceOptions o = Options(store, "fe1:8030");
  o.checkpoint_entries = 1000;  // never reached here
  o.checkpoint_interval_ms = 100;
  auto fe = StartOrDie(o);
  ASSERT_TRUE(WaitLeader(*fe));
  ASSERT_TRUE(fe->Submit(CreateDb("a")).ok());
  ImageStore images(store, fe->ClusterId());
  bool imaged = false;
  for (int i = 0; i < 200 && !imaged; ++i) {  // up to ~2 s
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    Result<std::vector<uint64_t>> list = images.List();
    imaged = list.ok() && !list->empty();
  }
  EXPECT_TRUE(imaged) << "no image written within 2 s with checkpoint_interval_ms = 100";
}

TEST(MetaService, FollowersForwardNothingButCatchUpAndTakeOverWhenTheLeaderStops) {
  auto store = std::make_shared<MemObjectStore>();
  auto fe1 = StartOrDie(Options(store, "fe1:8030"));
  ASSERT_TRUE(WaitLeader(*fe1));
  auto fe2 = StartOrDie(Options(store, "fe2:8030"));
  auto fe3 = StartOrDie(Options(store, "fe3:8030"));
  Result<CommitResult> r = fe1->Submit(CreateDb("x"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(fe2->WaitApplied(r->version, 10000).ok());
  ASSERT_TRUE(fe3->WaitApplied(r->version, 10000).ok());
  EXPECT_TRUE(HasDb(*fe2, "x"));
  Result<CommitResult> on_follower = fe2->Submit(CreateDb("y"));
  EXPECT_EQ(on_follower.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(on_follower.status().message().find("fe1:8030"), std::string::npos) << on_follower.status().ToString();

  auto start = std::chrono::steady_clock::now();
  fe1->Stop();
  bool taken = false;
  while (!taken && std::chrono::steady_clock::now() - start < std::chrono::seconds(15)) {
    taken = fe2->IsLeader() || fe3->IsLeader();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(taken);
  std::cout << "take-over after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
            << " ms (lease 400 ms)\n";
  EXPECT_FALSE(fe2->IsLeader() && fe3->IsLeader());
  MetaService& leader = fe2->IsLeader() ? *fe2 : *fe3;
  MetaService& follower = fe2->IsLeader() ? *fe3 : *fe2;
  Result<CommitResult> after = leader.Submit(CreateDb("z"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_TRUE(follower.WaitApplied(after->version, 10000).ok());
  EXPECT_TRUE(HasDb(follower, "z"));
  EXPECT_EQ(leader.Read([](const Catalog& c) { return c.EncodeImage(); }),
            follower.Read([](const Catalog& c) { return c.EncodeImage(); }));
}

TEST(MetaService, AFollowerBehindTheLogCleanUpReloadsFromTheNewestImage) {
  auto mem = std::make_shared<MemObjectStore>();
  MetaServiceOptions o1 = Options(mem, "fe1:8030");
  o1.images_kept = 1;
  auto fe1 = StartOrDie(o1);
  ASSERT_TRUE(WaitLeader(*fe1));
  auto cut_off = std::make_shared<FaultInjectionObjectStore>(mem);
  MetaServiceOptions o2 = Options(cut_off, "fe2:8030");
  o2.may_lead = false;
  auto fe2 = StartOrDie(o2);
  cut_off->FailWithProbability(1.0, 1, FaultKind::kFailBefore);  // fe2 sees nothing for a while
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(fe1->Submit(CreateDb(fmt::format("r{}_{}", round, i))).ok());
    ASSERT_TRUE(fe1->Checkpoint().ok());
  }
  Result<CommitResult> last = fe1->Submit(CreateDb("last"));
  ASSERT_TRUE(last.ok());
  cut_off->Reset();  // back online: the entries it needs are gone, the image is not
  ASSERT_TRUE(fe2->WaitApplied(last->version, 10000).ok()) << "fe2 stuck at " << fe2->AppliedVersion();
  EXPECT_TRUE(HasDb(*fe2, "r0_0"));
  EXPECT_TRUE(HasDb(*fe2, "last"));
}

TEST(MetaService, ALostReplyOnAppendIsResolvedByReadingBack) {
  auto mem = std::make_shared<MemObjectStore>();
  auto fault = std::make_shared<FaultInjectionObjectStore>(mem);
  auto fe = StartOrDie(Options(fault, "fe1:8030"));
  ASSERT_TRUE(WaitLeader(*fe));
  // Lose the replies of the next few calls, one at a time: whatever call it
  // hits (the append, a lease renewal, a poll), every change is acknowledged
  // exactly once.
  for (int i = 0; i < 10; ++i) {
    fault->FailNthCall(fault->calls() + 1, FaultKind::kLoseReply);
    Result<CommitResult> r = fe->Submit(CreateDb(fmt::format("lost{}", i)));
    if (!r.ok()) {
      EXPECT_TRUE(r.status().retryable()) << r.status().ToString();
      r = fe->Submit(CreateDb(fmt::format("lost{}", i)));  // a client's retry
      EXPECT_TRUE(r.ok() || r.status().code() == StatusCode::kAlreadyExists) << r.status().ToString();
    }
    EXPECT_TRUE(HasDb(*fe, fmt::format("lost{}", i)));
  }
}

TEST(MetaService, ADamagedLogEntryStopsStartUp) {
  auto store = std::make_shared<MemObjectStore>();
  std::string cluster_id;
  uint64_t version;
  {
    auto fe = StartOrDie(Options(store, "fe1:8030"));
    ASSERT_TRUE(WaitLeader(*fe));
    ASSERT_TRUE(fe->Submit(CreateDb("db1")).ok());
    cluster_id = fe->ClusterId();
    version = fe->AppliedVersion();
  }
  std::string key = fmt::format("{}/meta/log/{:020d}", cluster_id, version);
  std::string bytes = *store->Get(key);
  bytes[bytes.size() / 2] ^= 0x20;
  ASSERT_TRUE(store->Put(key, bytes).ok());
  Result<std::unique_ptr<MetaService>> fe = MetaService::Start(Options(store, "fe1:8030"));
  ASSERT_FALSE(fe.ok());
  EXPECT_EQ(fe.status().code(), StatusCode::kDataLoss) << fe.status().ToString();
}

TEST(MetaService, ACacheOfAnotherLineageIsDiscarded) {
  auto store = std::make_shared<MemObjectStore>();
  std::string dir = (std::filesystem::temp_directory_path() / fmt::format("strata-meta-cache-{}", getpid())).string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/lineage") << "0123456789abcdef0123456789abcdef";
  std::ofstream(dir + "/image.00000000000000000007") << "stale bytes of another lineage";
  MetaServiceOptions o = Options(store, "fe1:8030");
  o.cache_dir = dir;
  auto fe = StartOrDie(o);
  std::ifstream in(dir + "/lineage");
  std::string lineage((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(lineage, fe->ClusterId());
  EXPECT_FALSE(std::filesystem::exists(dir + "/image.00000000000000000007"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::meta

// MetaService over in-process stores: leadership, group commit, restart,
// checkpoints, fail-over, unknown outcomes, damage, foreign caches.
#include "meta/service/meta_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "common/failpoint.h"
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

bool MetricIs(const MetaService& s, const std::string& line) {
  return s.MetricsText().find(line + "\n") != std::string::npos;
}

// Passes every call through, or, once Isolate() was called, only the calls
// made by the thread that called it: a leader whose background thread can no
// longer reach the store keeps believing it leads, while Stop() (run on the
// isolating thread) still can. Counts the writes that passed after Isolate().
class ThreadGateStore : public objstore::ObjectStore {
 public:
  explicit ThreadGateStore(std::shared_ptr<objstore::ObjectStore> base) : base_(std::move(base)) {}
  void Isolate() {
    std::lock_guard lock(mu_);
    isolated_ = true;
    allowed_ = std::this_thread::get_id();
  }
  int writes_after_isolate() const { return writes_.load(); }

  Status Put(std::string_view key, std::string_view data) override {
    STRATA_RETURN_IF_ERROR(Gate(true));
    return base_->Put(key, data);
  }
  Status PutIfAbsent(std::string_view key, std::string_view data) override {
    STRATA_RETURN_IF_ERROR(Gate(true));
    return base_->PutIfAbsent(key, data);
  }
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override {
    STRATA_RETURN_IF_ERROR(Gate(false));
    return base_->GetRange(key, offset, length);
  }
  Result<objstore::ObjectMeta> Head(std::string_view key) override {
    STRATA_RETURN_IF_ERROR(Gate(false));
    return base_->Head(key);
  }
  Result<objstore::ListPage> List(const objstore::ListOptions& options) override {
    STRATA_RETURN_IF_ERROR(Gate(false));
    return base_->List(options);
  }
  Status DeleteBatch(std::span<const std::string> keys) override {
    STRATA_RETURN_IF_ERROR(Gate(true));
    return base_->DeleteBatch(keys);
  }
  Result<std::unique_ptr<objstore::MultipartUpload>> StartMultipart(std::string_view key) override {
    STRATA_RETURN_IF_ERROR(Gate(true));
    return base_->StartMultipart(key);
  }
  std::string_view BackendName() const override { return base_->BackendName(); }

 private:
  Status Gate(bool write) {
    std::lock_guard lock(mu_);
    if (!isolated_) return Status::OK();
    if (std::this_thread::get_id() != allowed_) return Unavailable("isolated by the test");
    if (write) writes_++;
    return Status::OK();
  }

  std::shared_ptr<objstore::ObjectStore> base_;
  std::mutex mu_;
  bool isolated_ = false;
  std::thread::id allowed_;
  std::atomic<int> writes_{0};
};

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
  // Its background thread may already have appended its take-over entry.
  EXPECT_GE(again->AppliedVersion(), version);
  EXPECT_LE(again->AppliedVersion(), version + 1);
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

  // As if fe1 died: it stops without releasing its lease, so a follower
  // takes over only once the lease has expired.
  failpoint::Arm("meta.service.before_lease_release", {.action = failpoint::Action::kError});
  auto start = std::chrono::steady_clock::now();
  fe1->Stop();
  failpoint::Disarm("meta.service.before_lease_release");
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
  EXPECT_TRUE(MetricIs(leader, "strata_meta_takeovers_total{reason=\"expired\"} 1")) << leader.MetricsText();
  EXPECT_TRUE(MetricIs(leader, "strata_meta_takeovers_total{reason=\"released\"} 0")) << leader.MetricsText();
  Result<CommitResult> after = leader.Submit(CreateDb("z"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_TRUE(follower.WaitApplied(after->version, 10000).ok());
  EXPECT_TRUE(HasDb(follower, "z"));
  EXPECT_EQ(leader.Read([](const Catalog& c) { return c.EncodeImage(); }),
            follower.Read([](const Catalog& c) { return c.EncodeImage(); }));
}

TEST(MetaService, AReleasedLeaseIsTakenAtOnceAndAReleaseOfAnotherFeOrTermIsIgnored) {
  auto store = std::make_shared<MemObjectStore>();
  // An hour-long lease: within this test a follower can only take over
  // because the leader released, never because the lease expired.
  MetaServiceOptions o1 = Options(store, "fe1:8030");
  o1.lease_ms = 3'600'000;
  auto fe1 = StartOrDie(o1);
  ASSERT_TRUE(WaitLeader(*fe1));
  MetaServiceOptions o2 = Options(store, "fe2:8030");
  o2.lease_ms = 3'600'000;
  auto fe2 = StartOrDie(o2);
  const std::string lease_key = fe1->ClusterId() + "/meta/leader";
  const uint64_t term = fe1->Read([](const Catalog& c) { return c.term(); });
  // Releases that do not name the catalog's leader and term: not a hand-over.
  // Each is followed by a commit fe2 applies, so fe2's loop (which applies,
  // then watches the leader) has looked at the lease after each one.
  for (const std::string& stale : {fmt::format("fe9:8030 term={} released", term),
                                   fmt::format("fe1:8030 term={} released", term - 1)}) {
    ASSERT_TRUE(store->Put(lease_key, stale).ok());
    for (int i = 0; i < 2; ++i) {
      Result<CommitResult> r = fe1->Submit(CreateDb(fmt::format("s{}", fe1->AppliedVersion())));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(fe2->WaitApplied(r->version, 10000).ok());
    }
    EXPECT_TRUE(fe1->IsLeader()) << stale;
    EXPECT_FALSE(fe2->IsLeader()) << stale;
  }
  EXPECT_TRUE(MetricIs(*fe2, "strata_meta_takeovers_total{reason=\"released\"} 0")) << fe2->MetricsText();

  fe1->Stop();  // a clean stop: the release is its last act
  ASSERT_TRUE(WaitLeader(*fe2)) << "fe2 did not take the released lease";
  EXPECT_TRUE(MetricIs(*fe2, "strata_meta_takeovers_total{reason=\"released\"} 1")) << fe2->MetricsText();
  EXPECT_TRUE(MetricIs(*fe2, "strata_meta_takeovers_total{reason=\"expired\"} 0")) << fe2->MetricsText();
  Result<CommitResult> after = fe2->Submit(CreateDb("after_handover"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(fe2->Read([](const Catalog& c) { return c.term(); }), term + 1);
  EXPECT_TRUE(HasDb(*fe2, "s1") || HasDb(*fe2, "s2"));
}

TEST(MetaService, AReleaseByAnFeThatNoLongerLeadsChangesNothing) {
  auto mem = std::make_shared<MemObjectStore>();
  auto gate = std::make_shared<ThreadGateStore>(mem);
  auto fe1 = StartOrDie(Options(gate, "fe1:8030"));
  ASSERT_TRUE(WaitLeader(*fe1));
  auto fe2 = StartOrDie(Options(mem, "fe2:8030"));
  Result<CommitResult> first = fe1->Submit(CreateDb("first"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(fe2->WaitApplied(first->version, 10000).ok());
  // fe1's background thread loses the store: it stops renewing (fe2 takes
  // over once the lease expires) and never learns that it was deposed.
  gate->Isolate();
  ASSERT_TRUE(WaitLeader(*fe2));
  Result<CommitResult> by_fe2 = fe2->Submit(CreateDb("by_fe2"));
  ASSERT_TRUE(by_fe2.ok()) << by_fe2.status().ToString();
  ASSERT_TRUE(fe1->IsLeader()) << "the test needs a deposed leader that does not know it";
  Result<std::string> lease_before = mem->Get(fe2->ClusterId() + "/meta/leader");
  ASSERT_TRUE(lease_before.ok());
  EXPECT_TRUE(lease_before->starts_with("fe2:8030 ")) << *lease_before;

  fe1->Stop();  // its release runs on this thread, which the gate lets through
  EXPECT_EQ(gate->writes_after_isolate(), 0) << "the deposed leader wrote to the store while stopping";
  Result<std::string> lease_after = mem->Get(fe2->ClusterId() + "/meta/leader");
  ASSERT_TRUE(lease_after.ok());
  EXPECT_TRUE(lease_after->starts_with("fe2:8030 ")) << *lease_after;
  EXPECT_EQ(lease_after->find("released"), std::string::npos) << *lease_after;
  EXPECT_TRUE(fe2->IsLeader());
  EXPECT_TRUE(fe2->Submit(CreateDb("still_fe2")).ok());
  EXPECT_TRUE(MetricIs(*fe2, "strata_meta_takeovers_total{reason=\"expired\"} 1")) << fe2->MetricsText();
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

// Read-ahead of scans (range_prefetch.h, io_executor.h): the plan's GETs, the
// bytes every read gets, the bounds on GETs in flight and bytes held, errors,
// and a tablet scan through it reading the same rows with few GETs.
#include "storage/range_prefetch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/resource.h>
#endif

#include "objstore/mem/mem_object_store.h"
#include "storage/storage_test_util.h"
#include "storage/tablet_io.h"

namespace strata::storage {
namespace {

// Small sizes so that the tests see several blocks and units.
PrefetchOptions SmallOptions() {
  return PrefetchOptions{.align_bytes = 100,
                         .unit_bytes_initial = 200,
                         .unit_bytes_max = 400,
                         .gap_bytes_max = 100,
                         .in_flight_max = 2,
                         .ahead_bytes_initial = 800,
                         .ahead_bytes_max = 1600};
}

std::string Object(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

// A MemObjectStore that records every GetRange and can hold GETs at a gate
// until the test opens it, fail a chosen range, or serve a truncated object.
// Stands for a store reached over the network (an S3 server, through the
// CN cache): its scans plan 1 MiB-aligned GETs.
class RecordingStore : public objstore::MemObjectStore {
 public:
  std::string_view BackendName() const override { return "recording"; }
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override {
    std::unique_lock lock(mu_);
    calls_.push_back(ByteRange{offset, length});
    entered_++;
    running_++;
    running_max_ = std::max(running_max_, running_);
    cv_.notify_all();
    cv_.wait(lock, [&] { return !gated_ || passes_ > 0; });
    if (gated_) passes_--;
    running_--;
    const bool fail = offset == fail_offset_;
    lock.unlock();
    if (fail) return Unavailable("injected");
    Result<std::string> got = MemObjectStore::GetRange(key, offset, length);
    if (got.ok() && truncate_at_ < UINT64_MAX && offset + got->size() > truncate_at_) {
      got->resize(offset >= truncate_at_ ? 0 : truncate_at_ - offset);
    }
    return got;
  }

  void Gate() {
    std::lock_guard lock(mu_);
    gated_ = true;
  }
  void Pass(int n) {
    std::lock_guard lock(mu_);
    passes_ += n;
    cv_.notify_all();
  }
  void Open() {
    std::lock_guard lock(mu_);
    gated_ = false;
    cv_.notify_all();
  }
  void WaitEntered(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  std::vector<ByteRange> Calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  size_t RunningMax() {
    std::lock_guard lock(mu_);
    return running_max_;
  }
  void FailAt(uint64_t offset) { fail_offset_ = offset; }
  void TruncateAt(uint64_t size) { truncate_at_ = size; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ByteRange> calls_;
  size_t entered_ = 0, running_ = 0, running_max_ = 0;
  bool gated_ = false;
  int passes_ = 0;
  uint64_t fail_offset_ = UINT64_MAX;
  uint64_t truncate_at_ = UINT64_MAX;
};

std::vector<std::pair<uint64_t, uint64_t>> Spans(const std::vector<FetchUnit>& units) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const FetchUnit& u : units) out.emplace_back(u.offset, u.length);
  return out;
}

#if defined(__GLIBC__)
long MinorFaults() {  // NOLINT(runtime/int): getrusage's type
  struct rusage usage;
  STRATA_CHECK(::getrusage(RUSAGE_THREAD, &usage) == 0, "getrusage");
  return usage.ru_minflt;
}

// A scan buffer freed and allocated again reuses its pages: no page faults
// (glibc's default unmapped it and faulted 4096 fresh pages back for 16 MiB).
TEST(IoExecutorTest, SharedKeepsFreedScanBuffersMapped) {
  (void)IoExecutor::Shared();
  constexpr size_t kBytes = size_t{16} << 20;
  const size_t mapped = ::mallinfo2().hblks;  // blocks that are mappings of their own
  for (int round = 0; round < 3; ++round) {
    auto* buffer = static_cast<volatile char*>(std::malloc(kBytes));
    ASSERT_NE(buffer, nullptr);
    EXPECT_EQ(::mallinfo2().hblks, mapped);
    const long faults = MinorFaults();  // NOLINT(runtime/int)
    for (size_t at = 0; at < kBytes; at += 4096) buffer[at] = static_cast<char>(round);
    if (round > 0) {
      EXPECT_LT(MinorFaults() - faults, 64) << "round " << round;
    }
    std::free(const_cast<char*>(buffer));
  }
}
#endif

TEST(PrefetchPlanTest, ContiguousReadsBecomeAlignedUnitsThatGrow) {
  // Reads tiling [4, 1450) in pieces of 50: units of 200, 400, 400, 400 bytes on 100-byte boundaries.
  std::vector<ByteRange> reads;
  for (uint64_t at = 4; at < 1450; at += 50) reads.push_back({at, std::min<uint64_t>(50, 1450 - at)});
  PrefetchPlan plan = PlanPrefetch(reads, 1500, SmallOptions());
  using P = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(Spans(plan.units), (std::vector<P>{{0, 200}, {200, 400}, {600, 400}, {1000, 400}, {1400, 100}}));
  EXPECT_EQ(plan.FetchBytes(), 1500u);
  // Each read maps to the units holding it; a read across a boundary to two.
  for (size_t i = 0; i < plan.reads.size(); ++i) {
    const ByteRange& r = plan.reads[i];
    const FetchUnit& first = plan.units[plan.read_first_unit[i]];
    const FetchUnit& last = plan.units[plan.read_last_unit[i]];
    EXPECT_LE(first.offset, r.offset);
    EXPECT_LT(r.offset, first.offset + first.length);
    EXPECT_LE(r.offset + r.length, last.offset + last.length);
  }
  EXPECT_EQ(plan.read_last_unit[3] - plan.read_first_unit[3], 1u);  // [154, 204) spans units 0 and 1
  EXPECT_EQ(plan.fetch_order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(PrefetchPlanTest, SmallGapsAreReadAndLargeGapsSplitTheGets) {
  // Blocks 0, 2 (one unneeded block between: read it), then 6 (three between: a new GET).
  std::vector<ByteRange> reads{{10, 20}, {250, 10}, {640, 30}};
  PrefetchOptions o = SmallOptions();
  o.unit_bytes_initial = o.unit_bytes_max = 1000;
  PrefetchPlan plan = PlanPrefetch(reads, 1000, o);
  using P = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(Spans(plan.units), (std::vector<P>{{0, 300}, {600, 100}}));
  o.gap_bytes_max = 0;
  plan = PlanPrefetch(reads, 1000, o);
  EXPECT_EQ(Spans(plan.units), (std::vector<P>{{0, 100}, {200, 100}, {600, 100}}));
}

TEST(PrefetchPlanTest, NoUnitSpansTheCutBoundary) {
  // Reads tiling [4, 1450): without a cut the last unit is [1000, 1500); a cut
  // at 1430 (the footer read's start) splits it at the block boundary 1400.
  std::vector<ByteRange> reads;
  for (uint64_t at = 4; at < 1450; at += 50) reads.push_back({at, std::min<uint64_t>(50, 1450 - at)});
  PrefetchOptions o = SmallOptions();
  o.unit_bytes_initial = o.unit_bytes_max = 2000;
  using P = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(Spans(PlanPrefetch(reads, 1500, o).units), (std::vector<P>{{0, 1500}}));
  PrefetchPlan plan = PlanPrefetch(reads, 1500, o, 1430);
  EXPECT_EQ(Spans(plan.units), (std::vector<P>{{0, 1400}, {1400, 100}}));
  EXPECT_EQ(plan.read_last_unit[27] - plan.read_first_unit[27], 1u);  // [1354, 1404) spans both
  // A cut on a boundary no span crosses, or past the end, changes nothing.
  EXPECT_EQ(Spans(PlanPrefetch(reads, 1500, o, 0).units), (std::vector<P>{{0, 1500}}));
  EXPECT_EQ(Spans(PlanPrefetch(reads, 1500, o, 1500).units), (std::vector<P>{{0, 1500}}));
  EXPECT_EQ(Spans(PlanPrefetch({{10, 20}, {1420, 10}}, 1500, o, 1430).units), (std::vector<P>{{0, 100}, {1400, 100}}));
}

TEST(PrefetchPlanTest, UnitsAreFetchedInTheOrderTheScanNeedsThemAndEmptyReadsNeedNone) {
  // The scan reads the end of the object first.
  std::vector<ByteRange> reads{{900, 50}, {0, 0}, {10, 50}, {950, 50}, {500, 10}};
  PrefetchOptions o = SmallOptions();
  o.gap_bytes_max = 0;
  PrefetchPlan plan = PlanPrefetch(reads, 1000, o);
  using P = std::pair<uint64_t, uint64_t>;
  ASSERT_EQ(Spans(plan.units), (std::vector<P>{{0, 100}, {500, 100}, {900, 100}}));
  EXPECT_EQ(plan.fetch_order, (std::vector<size_t>{2, 0, 1}));
  EXPECT_EQ(plan.release_order, (std::vector<size_t>{0, 2, 1}));
  EXPECT_GT(plan.read_first_unit[1], plan.read_last_unit[1]);
  EXPECT_EQ(plan.units[2].first_read, 0u);
  EXPECT_EQ(plan.units[2].last_read, 3u);
}

// Reads one at a time and in spans (ReadSpan: all of a span's views valid together).
TEST(RangePrefetcherTest, EveryReadGetsItsBytesWithOneGetPerUnit) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  IoExecutor executor(4, 64);
  for (int round = 0; round < 20; ++round) {
    const size_t size = 200 + rng() % 5000;
    RecordingStore store;
    const std::string object = Object(size);
    ASSERT_TRUE(store.Put("k", object).ok());
    std::vector<ByteRange> reads;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 40); i < n; ++i) {
      const uint64_t off = rng() % size;
      reads.push_back({off, rng() % 4 == 0 ? 0 : rng() % (size - off + 1)});
    }
    PrefetchOptions o = SmallOptions();
    o.in_flight_max = 1 + rng() % 4;
    PrefetchPlan plan = PlanPrefetch(reads, size, o);
    const std::vector<FetchUnit> units = plan.units;
    {
      RangePrefetcher fetch(store, "k", std::move(plan), o, executor);
      for (size_t i = 0; i < reads.size();) {  // bounded: each pass moves i on
        if (rng() % 8 == 0) {  // reads may be skipped
          ++i;
          continue;
        }
        const size_t n = std::min<size_t>(reads.size() - i, 1 + rng() % 4);
        if (n > 1 && rng() % 2 == 0) {  // a span: every view checked after the last was read
          std::vector<std::string_view> got;
          Status s = fetch.ReadSpan(i, n, &got);
          ASSERT_TRUE(s.ok()) << s.ToString();
          ASSERT_EQ(got.size(), n);
          for (size_t k = 0; k < n; ++k) {
            EXPECT_EQ(got[k], std::string_view(object).substr(reads[i + k].offset, reads[i + k].length))
                << "round " << round << " span read " << k;
          }
          i += n;
          continue;
        }
        Result<std::string_view> got = fetch.Read(i);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(*got, std::string_view(object).substr(reads[i].offset, reads[i].length)) << "round " << round;
        ++i;
      }
    }
    // No unit is fetched twice, and nothing but units is fetched.
    std::vector<ByteRange> calls = store.Calls();
    EXPECT_LE(calls.size(), units.size());
    std::sort(calls.begin(), calls.end(), [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
    for (size_t i = 0; i < calls.size(); ++i) {
      auto it = std::find_if(units.begin(), units.end(), [&](const FetchUnit& u) {
        return u.offset == calls[i].offset && u.length == calls[i].length;
      });
      EXPECT_NE(it, units.end()) << calls[i].offset;
      if (i > 0) {
        EXPECT_NE(calls[i].offset, calls[i - 1].offset);
      }
    }
  }
}

TEST(RangePrefetcherTest, FetchesAheadWithinItsBoundsWhileTheScanWaits) {
  RecordingStore store;
  ASSERT_TRUE(store.Put("k", Object(4000)).ok());
  std::vector<ByteRange> reads;
  for (uint64_t at = 0; at < 4000; at += 100) reads.push_back({at, 100});
  PrefetchOptions o = SmallOptions();  // units 200, 400, 400, ...; 2 in flight; window 800 then 1600
  PrefetchPlan plan = PlanPrefetch(reads, 4000, o);
  ASSERT_EQ(plan.units.size(), 11u);
  IoExecutor executor(8, 64);
  store.Gate();
  RangePrefetcher fetch(store, "k", std::move(plan), o, executor);
  // Before the scan reads anything, the first two units are asked for, no more.
  store.WaitEntered(2);
  std::vector<ByteRange> calls = store.Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].offset + calls[1].offset, 0u + 200u);
  store.Open();
  for (size_t i = 0; i < reads.size(); ++i) ASSERT_TRUE(fetch.Read(i).ok());
  EXPECT_LE(store.RunningMax(), 2u);
  const RangePrefetcher::Stats stats = fetch.stats();
  EXPECT_EQ(stats.units_fetched, 11u);
  EXPECT_EQ(stats.fetched_bytes, 4000u);
  EXPECT_LE(stats.held_bytes_max, o.ahead_bytes_max);
  EXPECT_EQ(stats.units_inline, 0u);
}

TEST(RangePrefetcherTest, AFullExecutorMeansTheScanFetchesItself) {
  RecordingStore store;
  const std::string object = Object(1000);
  ASSERT_TRUE(store.Put("k", object).ok());
  IoExecutor executor(1, 1);
  // Occupy the only thread and the only queue slot.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, started = false;
  ASSERT_TRUE(executor.TrySubmit([&] {
    std::unique_lock lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  }));
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return started; });
  }
  ASSERT_TRUE(executor.TrySubmit([] {}));
  std::vector<ByteRange> reads{{0, 300}, {300, 400}, {700, 300}};
  PrefetchOptions o = SmallOptions();
  {
    RangePrefetcher fetch(store, "k", PlanPrefetch(reads, 1000, o), o, executor);
    for (size_t i = 0; i < reads.size(); ++i) {
      Result<std::string_view> got = fetch.Read(i);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, object.substr(reads[i].offset, reads[i].length));
    }
    EXPECT_EQ(fetch.stats().units_inline, fetch.stats().units_fetched);
  }
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
}

TEST(RangePrefetcherTest, AFailedGetFailsTheReadsThatNeedIt) {
  RecordingStore store;
  const std::string object = Object(1000);
  ASSERT_TRUE(store.Put("k", object).ok());
  store.FailAt(600);
  IoExecutor executor(2, 16);
  std::vector<ByteRange> reads{{0, 100}, {650, 10}, {900, 10}};
  PrefetchOptions o = SmallOptions();
  o.gap_bytes_max = 0;  // units [0,100), [600,700), [900,1000)
  RangePrefetcher fetch(store, "k", PlanPrefetch(reads, 1000, o), o, executor);
  ASSERT_TRUE(fetch.Read(0).ok());
  Result<std::string_view> bad = fetch.Read(1);
  ASSERT_EQ(bad.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(bad.status().message().find("k bytes [600, 700)"), std::string::npos) << bad.status().ToString();
}

TEST(RangePrefetcherTest, AShorterObjectIsDataLossNeverShortBytes) {
  RecordingStore store;
  ASSERT_TRUE(store.Put("k", Object(1000)).ok());
  store.TruncateAt(950);  // the store serves 950 bytes; the plan believes 1000
  IoExecutor executor(2, 16);
  std::vector<ByteRange> reads{{0, 100}, {900, 100}};
  PrefetchOptions o = SmallOptions();
  o.gap_bytes_max = 0;
  RangePrefetcher fetch(store, "k", PlanPrefetch(reads, 1000, o), o, executor);
  ASSERT_TRUE(fetch.Read(0).ok());
  EXPECT_EQ(fetch.Read(1).status().code(), StatusCode::kDataLoss);
}

TEST(RangePrefetcherTest, AfterTheScanEndsNoGetStarts) {
  auto store = std::make_unique<RecordingStore>();
  ASSERT_TRUE(store->Put("k", Object(4000)).ok());
  std::vector<ByteRange> reads;
  for (uint64_t at = 0; at < 4000; at += 100) reads.push_back({at, 100});
  PrefetchOptions o = SmallOptions();
  auto executor = std::make_unique<IoExecutor>(1, 64);  // one thread: the second GET stays queued
  store->Gate();
  auto fetch = std::make_unique<RangePrefetcher>(*store, "k", PlanPrefetch(reads, 4000, o), o, *executor);
  store->WaitEntered(1);
  std::thread end([&] { fetch.reset(); });  // the scan stops (LIMIT reached) while a GET runs
  store->Open();
  end.join();
  const size_t calls = store->Calls().size();
  EXPECT_GE(calls, 1u);
  EXPECT_LT(calls, 11u);
  executor.reset();  // runs the queued tasks, which must not call the store
  EXPECT_EQ(store->Calls().size(), calls);
}

// A tablet scan through the prefetcher returns the same rows as the data file
// holds, with far fewer GETs than column chunks.
TEST(RangePrefetcherTest, TabletScanReadsEveryRowWithFewGets) {
  RecordingStore store;
  std::vector<ColumnSchema> schema{{"k", {DataType::kBigInt, 0, 0, false}}, {"s", {DataType::kVarchar}},
                                   {"d", {DataType::kDouble}}};
  std::vector<ColumnVector> cols{ColumnVector(schema[0].type), ColumnVector(schema[1].type),
                                 ColumnVector(schema[2].type)};
  const int64_t rows = 300'000;
  for (int64_t i = 0; i < rows; ++i) {
    cols[0].AppendInt(i);
    cols[1].AppendString("row-" + std::to_string(i * 7919 % 100003));
    cols[2].AppendDouble(static_cast<double>(i) / 3);
  }
  DataFileWriterOptions wo;
  wo.row_group_rows_max = 16 * 1024;  // 19 row groups x 3 chunks
  wo.compression = Compression::kNone;
  std::string txn = NewTxnId();
  auto rowset = WriteRowset(store, "lin", 1, txn, 0, schema, cols, wo);
  ASSERT_TRUE(rowset.ok()) << rowset.status().ToString();
  ASSERT_GT(rowset->size_bytes, 4u << 20);
  TabletMeta meta = NextTabletVersion(TabletMeta{.tablet_id = 1}, txn, schema, {*rowset}, {});
  const size_t before = store.Calls().size();
  int64_t next = 0;
  bool same = true;
  Status s = ScanTablet(store, meta, {.columns = {"s", "k"}}, [&](std::vector<ColumnVector>&& got) {
    for (size_t i = 0; i < got[1].size(); ++i, ++next) {
      same = same && got[1].GetInt(i) == next &&
             got[0].GetString(i) == "row-" + std::to_string(next * 7919 % 100003);
    }
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(same);
  EXPECT_EQ(next, rows);
  // The footer read, then units of 2, 4, 8, 8... MiB: a handful of GETs for 38 chunks.
  EXPECT_LE(store.Calls().size() - before, 1 + rowset->size_bytes / (2u << 20) + 1);
}

TEST(RangePrefetcherTest, ScansReadTheBytesNeededAndRemoteOnesReadAcrossSmallGaps) {
  objstore::MemObjectStore mem;
  RecordingStore remote;
  EXPECT_EQ(ScanPrefetchOptions(mem).align_bytes, 4096u);
  EXPECT_EQ(ScanPrefetchOptions(remote).align_bytes, 4096u);
  EXPECT_EQ(ScanPrefetchOptions(mem).gap_bytes_max, 0u);
  EXPECT_EQ(ScanPrefetchOptions(remote).gap_bytes_max, 1u << 20);
  // Two needed 100-byte chunks 200 KiB apart, a third 1100 KiB further: one
  // 4 KiB-aligned span each locally; remotely the first two in one GET across
  // their gap, the third alone, never whole MiBs around them.
  const std::vector<ByteRange> reads{{10, 100}, {200 * 1024, 100}, {1304 * 1024 + 10, 100}};
  using P = std::pair<uint64_t, uint64_t>;
  PrefetchPlan local = PlanPrefetch(reads, 4u << 20, ScanPrefetchOptions(mem));
  EXPECT_EQ(Spans(local.units), (std::vector<P>{{0, 4096}, {200 * 1024, 4096}, {1304 * 1024, 4096}}));
  PrefetchPlan far = PlanPrefetch(reads, 4u << 20, ScanPrefetchOptions(remote));
  EXPECT_EQ(Spans(far.units), (std::vector<P>{{0, 204 * 1024}, {1304 * 1024, 4096}}));
}

TEST(RangePrefetcherTest, ASmallFileIsReadWithTheFooterGetOnly) {
  RecordingStore store;
  std::vector<ColumnSchema> schema{{"k", {DataType::kBigInt, 0, 0, false}}};
  std::vector<ColumnVector> cols{ColumnVector(schema[0].type)};
  for (int64_t i = 0; i < 1000; ++i) cols[0].AppendInt(i);
  std::string txn = NewTxnId();
  auto rowset = WriteRowset(store, "lin", 1, txn, 0, schema, cols);
  ASSERT_TRUE(rowset.ok());
  TabletMeta meta = NextTabletVersion(TabletMeta{.tablet_id = 1}, txn, schema, {*rowset}, {});
  const size_t before = store.Calls().size();
  int64_t sum = 0;
  ASSERT_TRUE(ScanTablet(store, meta, {}, [&](std::vector<ColumnVector>&& got) {
                for (size_t i = 0; i < got[0].size(); ++i) sum += got[0].GetInt(i);
                return Status::OK();
              }).ok());
  EXPECT_EQ(sum, 999 * 1000 / 2);
  EXPECT_EQ(store.Calls().size() - before, 1u);
}

// Several rowsets: each is opened and fetched while the one before it is
// decoded; rows come in rowset order, delete predicates apply to older rows.
TEST(RangePrefetcherTest, TabletScanOfSeveralRowsetsKeepsOrderAndDeletes) {
  RecordingStore store;
  std::vector<ColumnSchema> schema{{"k", {DataType::kBigInt, 0, 0, false}}, {"v", {DataType::kDouble}}};
  DataFileWriterOptions wo;
  wo.row_group_rows_max = 8 * 1024;
  wo.compression = Compression::kNone;
  TabletMeta meta{.tablet_id = 3};
  const int64_t per_rowset = 500'000;
  // Rowsets 0 and 1 hold keys [0, 1'000'000); rowset 2 holds [100'000, 600'000) again, and a delete of
  // 150'000 <= k < 250'000 at its version, which removes those rows from rowsets 0 and 1 only.
  auto key_of = [&](int r, int64_t i) { return r < 2 ? r * per_rowset + i : 100'000 + i; };
  for (int r = 0; r < 3; ++r) {
    std::vector<ColumnVector> cols{ColumnVector(schema[0].type), ColumnVector(schema[1].type)};
    for (int64_t i = 0; i < per_rowset; ++i) {
      cols[0].AppendInt(key_of(r, i));
      cols[1].AppendDouble(static_cast<double>(key_of(r, i)) * 2);
    }
    std::string txn = NewTxnId();
    auto rowset = WriteRowset(store, "lin", 3, txn, 0, schema, cols, wo);
    ASSERT_TRUE(rowset.ok()) << rowset.status().ToString();
    std::vector<std::vector<DeleteCondition>> deletes;
    if (r == 2) {
      deletes.push_back({{.column = "k", .op = DeleteOp::kGe, .values = {int64_t{150'000}}},
                         {.column = "k", .op = DeleteOp::kLt, .values = {int64_t{250'000}}}});
    }
    meta = NextTabletVersion(meta, txn, schema, {*rowset}, deletes);
  }
  ASSERT_EQ(meta.rowsets.size(), 3u);
  ASSERT_GT(meta.rowsets[0].size_bytes, 3u << 20);  // two units or more each
  std::vector<int64_t> keys;
  Status s = ScanTablet(store, meta, {.columns = {"v"}}, [&](std::vector<ColumnVector>&& got) {
    EXPECT_EQ(got.size(), 1u);  // the delete column is read but not returned
    for (size_t i = 0; i < got[0].size(); ++i) keys.push_back(static_cast<int64_t>(got[0].GetDouble(i) / 2));
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<int64_t> want;
  for (int r = 0; r < 3; ++r) {
    for (int64_t i = 0; i < per_rowset; ++i) {
      const int64_t k = key_of(r, i);
      if (r == 2 || k < 150'000 || k >= 250'000) want.push_back(k);
    }
  }
  EXPECT_EQ(keys, want);
}

// An error opening a later rowset (found while an earlier one is decoded)
// ends the scan only after the rows before it were delivered.
TEST(RangePrefetcherTest, AMissingLaterRowsetFailsTheScanAfterTheEarlierRows) {
  RecordingStore store;
  std::vector<ColumnSchema> schema{{"k", {DataType::kBigInt, 0, 0, false}}};
  TabletMeta meta{.tablet_id = 4};
  for (int r = 0; r < 2; ++r) {
    std::vector<ColumnVector> cols{ColumnVector(schema[0].type)};
    for (int64_t i = 0; i < 100; ++i) cols[0].AppendInt(r * 100 + i);
    std::string txn = NewTxnId();
    auto rowset = WriteRowset(store, "lin", 4, txn, 0, schema, cols);
    ASSERT_TRUE(rowset.ok());
    meta = NextTabletVersion(meta, txn, schema, {*rowset}, {});
  }
  ASSERT_TRUE(store.Delete(meta.rowsets[1].data_file).ok());
  int64_t rows = 0;
  Status s = ScanTablet(store, meta, {}, [&](std::vector<ColumnVector>&& got) {
    rows += static_cast<int64_t>(got[0].size());
    return Status::OK();
  });
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find(meta.rowsets[1].data_file), std::string::npos) << s.ToString();
  EXPECT_EQ(rows, 100);
}

TEST(RangePrefetcherTest, ScansShareTheExecutorsBudgetAndGiveItAllBack) {
  RecordingStore a, b;
  const std::string object = Object(4000);
  ASSERT_TRUE(a.Put("k", object).ok());
  ASSERT_TRUE(b.Put("k", object).ok());
  std::vector<ByteRange> reads;
  for (uint64_t at = 0; at < 4000; at += 100) reads.push_back({at, 100});
  PrefetchOptions o = SmallOptions();  // units 200, 400, 400, ...; window 800
  IoExecutor executor(8, 64, /*held_bytes_max=*/600);
  a.Gate();
  b.Gate();
  {
    RangePrefetcher fa(a, "k", PlanPrefetch(reads, 4000, o), o, executor);
    EXPECT_EQ(executor.held_bytes(), 600u);  // units 0 and 1 of the first scan fill the budget
    RangePrefetcher fb(b, "k", PlanPrefetch(reads, 4000, o), o, executor);
    EXPECT_EQ(executor.held_bytes(), 800u);  // the second scan may still hold one unit
    a.Open();
    b.Open();
    for (size_t i = 0; i < reads.size(); ++i) {
      Result<std::string_view> x = fa.Read(i);
      Result<std::string_view> y = fb.Read(i);
      ASSERT_TRUE(x.ok() && y.ok());
      ASSERT_EQ(*x, std::string_view(object).substr(i * 100, 100));
      ASSERT_EQ(*y, *x);
    }
  }
  EXPECT_EQ(executor.held_bytes(), 0u);
}

TEST(RangePrefetcherTest, AScanEndingEarlyGivesItsBudgetBack) {
  RecordingStore store;
  ASSERT_TRUE(store.Put("k", Object(4000)).ok());
  std::vector<ByteRange> reads;
  for (uint64_t at = 0; at < 4000; at += 100) reads.push_back({at, 100});
  PrefetchOptions o = SmallOptions();
  IoExecutor executor(1, 64);  // one thread, first in first out
  {
    RangePrefetcher fetch(store, "k", PlanPrefetch(reads, 4000, o), o, executor);
    ASSERT_TRUE(fetch.Read(0).ok());
    ASSERT_TRUE(fetch.Read(5).ok());
  }
  // Once every task queued before this one has run (cancelled ones give their share back), nothing is held.
  std::mutex mu;
  std::condition_variable cv;
  bool ran = false;
  ASSERT_TRUE(executor.TrySubmit([&] {
    std::lock_guard lock(mu);
    ran = true;
    cv.notify_all();
  }));
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return ran; });
  EXPECT_EQ(executor.held_bytes(), 0u);
}

}  // namespace
}  // namespace strata::storage

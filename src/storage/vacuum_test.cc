// Vacuum: keeps what retained versions need (also older versions kept as
// snapshots and other lineages' versions borrowing our files), young
// objects and unknown names; deletes the rest of its own lineage only; an
// unreadable retained version stops it before any delete. Also the checker.
#include "storage/vacuum.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>

#include "common/failpoint.h"
#include "objstore/mem/mem_object_store.h"
#include "storage/compaction.h"
#include "storage/storage_test_util.h"
#include "storage/tablet_io.h"

namespace strata::storage {
namespace {

constexpr int64_t kGraceMs = 3600 * 1000;

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<ColumnSchema> Schema() { return {{"k", {DataType::kBigInt, 0, 0, false}}}; }

std::vector<ColumnVector> Rows(int64_t from, int64_t to) {
  std::vector<ColumnVector> cols{ColumnVector(Schema()[0].type)};
  for (int64_t k = from; k < to; ++k) cols[0].AppendInt(k);
  return cols;
}

std::set<std::string> AllKeys(objstore::ObjectStore& store) {
  std::set<std::string> keys;
  auto all = objstore::ListAll(store, "");
  EXPECT_TRUE(all.ok());
  for (const auto& m : *all) keys.insert(m.key);
  return keys;
}

// Objects are written now (the store's clock); vacuum runs "later", at
// now_ms, so the store's last-modified times are all past the grace period
// and the txn time in each name decides.
class VacuumTest : public ::testing::Test {
 protected:
  void SetUp() override { now_ms_ = WallNowMs() + 10 * kGraceMs; }
  void TearDown() override { failpoint::DisarmAll(); }

  std::string OldTxn() { return TxnAt(now_ms_ - 3 * kGraceMs); }
  std::string YoungTxn() { return TxnAt(now_ms_ - kGraceMs / 2); }
  std::string TxnAt(int64_t ms) { return fmt::format("{:013d}-{:016x}", ms, rng_()); }

  // Appends a version to `meta` that loads rows [from, to) under `lineage`.
  std::string Load(std::string_view lineage, TabletMeta* meta, int64_t from, int64_t to, std::string txn) {
    auto r = WriteRowset(store_, lineage, meta->tablet_id, txn, 0, Schema(), Rows(from, to));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    *meta = NextTabletVersion(*meta, txn, Schema(), {*r}, {});
    std::string key = TabletMetaKey(lineage, meta->tablet_id, meta->version, txn);
    EXPECT_TRUE(PutTabletMeta(store_, key, *meta).ok());
    return key;
  }

  VacuumOptions Options() { return {.now_ms = now_ms_, .grace_ms = kGraceMs}; }

  objstore::MemObjectStore store_;
  int64_t now_ms_ = 0;
  std::mt19937_64 rng_{42};
};

// Tablet 1 of "lin": v1 (A), v2 (+B), v3 = compaction of A+B into M,
// v4 (+C). v1 is retained as a snapshot, v4 is current.
struct History {
  std::string v1, v2, v3, v4;
  std::string file_b;  // listed by v2 only
  TabletMeta m1, m4;
};

class VacuumHistoryTest : public VacuumTest {
 protected:
  void SetUp() override {
    VacuumTest::SetUp();
    TabletMeta m{.tablet_id = 1};
    h_.v1 = Load("lin", &m, 0, 10, OldTxn());
    h_.m1 = m;
    h_.v2 = Load("lin", &m, 10, 20, OldTxn());
    h_.file_b = m.rowsets[1].data_file;
    auto c = CompactTablet(store_, "lin", 1, h_.v2, OldTxn(), {.min_rowsets = 2});
    ASSERT_TRUE(c.ok() && c->compacted) << c.status().ToString();
    h_.v3 = c->new_meta_key;
    m = c->new_meta;
    h_.v4 = Load("lin", &m, 20, 30, OldTxn());
    h_.m4 = m;
    retained_.meta_keys = {h_.v1, h_.v4};
  }
  History h_;
  RetainedVersions retained_;
};

TEST_F(VacuumHistoryTest, DeletesOnlyWhatNoRetainedVersionNeeds) {
  // Garbage: an abandoned old load (deleted), a load still in flight (kept),
  // a name vacuum does not know (kept), another lineage's objects (never
  // touched, even with a prefix-sharing name).
  const std::string old_orphan = DataFileKey("lin", 2, OldTxn(), 0);
  const std::string young_orphan = DataFileKey("lin", 2, YoungTxn(), 0);
  const std::string young_meta = TabletMetaKey("lin", 1, 5, YoungTxn());
  const std::string unknown = "lin/data/tablets/1/data/notes.txt";
  const std::string odd = "lin/data/tablets/01/data/" + OldTxn() + "_000000.sdf";  // not a canonical name
  const std::string other = DataFileKey("other", 1, OldTxn(), 0);
  const std::string lin2 = DataFileKey("lin2", 1, OldTxn(), 0);
  for (const auto& k : {old_orphan, young_orphan, young_meta, unknown, odd, other, lin2}) {
    ASSERT_TRUE(store_.Put(k, "x").ok());
  }
  const auto before = AllKeys(store_);
  auto report = VacuumLineage(store_, "lin", retained_, Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  const auto after = AllKeys(store_);
  std::set<std::string> gone;
  for (const auto& k : before) {
    if (!after.contains(k)) gone.insert(k);
  }
  EXPECT_EQ(gone, (std::set<std::string>{h_.v2, h_.v3, h_.file_b, old_orphan}));
  EXPECT_EQ(report->deleted, 4u);
  EXPECT_EQ(report->retained_meta, 2u);
  EXPECT_EQ(report->referenced_files, 3u);  // A (v1), M and C (v4)
  EXPECT_EQ(report->kept_referenced, 5u);   // v1, v4, A, M, C
  EXPECT_EQ(report->kept_young, 2u);
  EXPECT_EQ(report->kept_unknown, 2u);
  EXPECT_EQ(report->deferred, 0u);
  EXPECT_EQ(report->listed, 13u);
  EXPECT_TRUE(report->deleted_keys.empty());
  EXPECT_TRUE(CheckRetainedReadable(store_, retained_).ok());

  // A second pass finds nothing more to do.
  auto again = VacuumLineage(store_, "lin", retained_, Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->deleted, 0u);
}

TEST_F(VacuumHistoryTest, DryRunReportsAndDeletesNothing) {
  const auto before = AllKeys(store_);
  VacuumOptions options = Options();
  options.dry_run = true;
  auto report = VacuumLineage(store_, "lin", retained_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(AllKeys(store_), before);
  EXPECT_EQ(report->deleted, 3u);  // v2, v3, B
  ASSERT_EQ(report->deleted_keys.size(), 3u);
  // Versions come before data files.
  EXPECT_EQ(report->deleted_keys[0], h_.v2);
  EXPECT_EQ(report->deleted_keys[1], h_.v3);
  EXPECT_EQ(report->deleted_keys[2], h_.file_b);
}

TEST_F(VacuumHistoryTest, UnreadableRetainedVersionStopsBeforeAnyDelete) {
  const auto before = AllKeys(store_);
  RetainedVersions missing = retained_;
  missing.meta_keys.insert(TabletMetaKey("lin", 9, 3, OldTxn()));
  auto report = VacuumLineage(store_, "lin", missing, Options());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound) << report.status().ToString();
  EXPECT_EQ(AllKeys(store_), before);

  std::string bytes = *store_.Get(h_.v1);
  bytes[bytes.size() / 2] ^= 0x08;
  ASSERT_TRUE(store_.Put(h_.v1, bytes).ok());
  report = VacuumLineage(store_, "lin", retained_, Options());
  EXPECT_EQ(report.status().code(), StatusCode::kDataLoss) << report.status().ToString();
  EXPECT_EQ(AllKeys(store_), before);

  RetainedVersions not_a_version{{"lin/data/tablets/1/data/x.sdf"}};
  report = VacuumLineage(store_, "lin", not_a_version, Options());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AllKeys(store_), before);
}

TEST_F(VacuumTest, YoungByTheStoresClockIsKept) {
  // The names say "old", but the store wrote them just now: a writer whose
  // clock runs behind must not lose its in-flight objects.
  const int64_t wall_ms = WallNowMs();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_.Put(DataFileKey("lin", 1, TxnAt(wall_ms - 3 * kGraceMs), 0), "x").ok());
  }
  auto report = VacuumLineage(store_, "lin", {}, {.now_ms = wall_ms, .grace_ms = kGraceMs});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->deleted, 0u);
  EXPECT_EQ(report->kept_young, 3u);
  report = VacuumLineage(store_, "lin", {}, {.now_ms = wall_ms + 2 * kGraceMs, .grace_ms = kGraceMs});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->deleted, 3u);
}

TEST_F(VacuumTest, OtherLineagesRetainedVersionsProtectOurFiles) {
  // A clone ("clone") lists a file the source ("src") wrote; the source's own
  // versions are no longer retained. Vacuum of "src" keeps the borrowed file;
  // vacuum of "clone" never touches "src".
  TabletMeta src{.tablet_id = 3};
  const std::string src_v1 = Load("src", &src, 0, 10, OldTxn());
  const std::string src_v2 = Load("src", &src, 10, 20, OldTxn());
  TabletMeta clone = src;
  const std::string clone_v3 = Load("clone", &clone, 20, 30, OldTxn());
  RetainedVersions retained{{clone_v3}};
  auto report = VacuumLineage(store_, "src", retained, Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->deleted, 2u);  // src's two versions
  EXPECT_TRUE(CheckRetainedReadable(store_, retained).ok());
  EXPECT_EQ(ReadTabletMeta(store_, src_v1, 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadTabletMeta(store_, src_v2, 3).status().code(), StatusCode::kNotFound);
  // Vacuum of the clone with nothing retained: only its own objects go.
  auto clone_report = VacuumLineage(store_, "clone", {}, Options());
  ASSERT_TRUE(clone_report.ok());
  EXPECT_EQ(clone_report->deleted, 2u);
  for (const auto& r : src.rowsets) EXPECT_TRUE(store_.Head(r.data_file).ok()) << r.data_file;
}

TEST_F(VacuumTest, BatchesBoundsAndFailpoint) {
  const size_t n = 2 * objstore::kDeleteBatchMax + 500;
  for (size_t i = 0; i < n; ++i) ASSERT_TRUE(store_.Put(DataFileKey("lin", i % 7, OldTxn(), 0), "x").ok());
  VacuumOptions options = Options();
  options.listed_max = n - 1;
  EXPECT_EQ(VacuumLineage(store_, "lin", {}, options).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(AllKeys(store_).size(), n);

  failpoint::Arm("vacuum_after_delete_batch", {.action = failpoint::Action::kError, .nth_hit = 1});
  auto report = VacuumLineage(store_, "lin", {}, Options());
  EXPECT_EQ(report.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(AllKeys(store_).size(), n - objstore::kDeleteBatchMax);
  failpoint::DisarmAll();

  options = Options();
  options.deletes_max = 1200;
  report = VacuumLineage(store_, "lin", {}, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->deleted, 1200u);
  EXPECT_EQ(report->deferred, n - objstore::kDeleteBatchMax - 1200);
  report = VacuumLineage(store_, "lin", {}, Options());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->deleted, n - objstore::kDeleteBatchMax - 1200);
  EXPECT_TRUE(AllKeys(store_).empty());
}

TEST_F(VacuumTest, BadOptionsAreRejected) {
  EXPECT_EQ(VacuumLineage(store_, "", {}, Options()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VacuumLineage(store_, "lin", {}, {}).status().code(), StatusCode::kInvalidArgument);  // no now_ms
  VacuumOptions negative = Options();
  negative.grace_ms = -1;
  EXPECT_EQ(VacuumLineage(store_, "lin", {}, negative).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VacuumHistoryTest, CheckerFindsTheFirstMissingObject) {
  auto report = VacuumLineage(store_, "lin", retained_, Options());
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(CheckRetainedReadable(store_, retained_).ok());
  const std::string victim = h_.m4.rowsets.back().data_file;  // C, only in v4
  const std::string c_bytes = *store_.Get(victim);
  ASSERT_TRUE(store_.Delete(victim).ok());
  Status s = CheckRetainedReadable(store_, retained_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find(victim), std::string::npos) << s.ToString();
  ASSERT_TRUE(store_.Put(victim, c_bytes.substr(1)).ok());  // wrong size
  EXPECT_EQ(CheckRetainedReadable(store_, retained_).code(), StatusCode::kDataLoss);
  ASSERT_TRUE(store_.Put(victim, c_bytes).ok());
  ASSERT_TRUE(store_.Delete(h_.v1).ok());
  s = CheckRetainedReadable(store_, retained_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find(h_.v1), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace strata::storage

namespace strata::storage {
namespace {

TEST_F(VacuumHistoryTest, AFencedOrDeposedLeaderStopsBeforeDeleting) {
  const auto before = AllKeys(store_);
  VacuumOptions options = Options();
  int asked = 0;
  options.may_delete = [&asked] {
    ++asked;
    return FailedPrecondition("the lineage was fenced");
  };
  auto report = VacuumLineage(store_, "lin", retained_, options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(AllKeys(store_), before);  // nothing deleted
}

}  // namespace
}  // namespace strata::storage

// Compaction: plan choices, rows identical before and after (NULLs, deletes
// at several versions, rows loaded after a delete), idempotent retries,
// damaged input.
#include "storage/compaction.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/failpoint.h"
#include "objstore/mem/mem_object_store.h"
#include "storage/storage_test_util.h"
#include "storage/tablet_io.h"

namespace strata::storage {
namespace {

constexpr std::string_view kLineage = "lin";
constexpr uint64_t kTablet = 7;

std::vector<ColumnSchema> Schema() {
  return {{"k", {DataType::kBigInt, 0, 0, false}}, {"s", {DataType::kVarchar}}, {"d", {DataType::kDouble}}};
}

// Rows k in [from, to): s is NULL when k % 5 == 0, d is NULL when k % 7 == 0.
std::vector<ColumnVector> Rows(int64_t from, int64_t to) {
  std::vector<ColumnVector> cols;
  for (const auto& c : Schema()) cols.emplace_back(c.type);
  for (int64_t k = from; k < to; ++k) {
    cols[0].AppendInt(k);
    if (k % 5 == 0) cols[1].AppendNull(); else cols[1].AppendString("s" + std::to_string(k % 3));
    if (k % 7 == 0) cols[2].AppendNull(); else cols[2].AppendDouble(static_cast<double>(k) / 4);
  }
  return cols;
}

DeleteCondition Cond(std::string column, DeleteOp op, std::vector<Datum> values = {}) {
  return DeleteCondition{.column = std::move(column), .op = op, .values = std::move(values)};
}

// Builds a tablet's version chain the way loads and deletes do.
class TabletBuilder {
 public:
  explicit TabletBuilder(objstore::ObjectStore& store) : store_(store) {}

  void Load(const std::vector<std::vector<ColumnVector>>& files) {
    std::string txn = NewTxnId();
    std::vector<RowsetMeta> added;
    for (size_t i = 0; i < files.size(); ++i) {
      auto r = WriteRowset(store_, kLineage, kTablet, txn, static_cast<uint32_t>(i), Schema(), files[i]);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      added.push_back(*r);
    }
    Commit(NextTabletVersion(meta_, txn, Schema(), added, {}));
  }
  void Delete(std::vector<DeleteCondition> conds) {
    ASSERT_TRUE(ValidateDeleteConditions(Schema(), conds).ok());
    std::string txn = NewTxnId();
    Commit(NextTabletVersion(meta_, txn, Schema(), {}, {std::move(conds)}));
  }
  const TabletMeta& meta() const { return meta_; }
  const std::string& key() const { return key_; }

 private:
  void Commit(TabletMeta next) {
    key_ = TabletMetaKey(kLineage, kTablet, next.version, next.txn_id);
    ASSERT_TRUE(PutTabletMeta(store_, key_, next).ok());
    meta_ = std::move(next);
  }
  objstore::ObjectStore& store_;
  TabletMeta meta_{.tablet_id = kTablet};
  std::string key_;
};

// Every visible row of `meta`, all columns, concatenated in scan order.
std::vector<ColumnVector> ScanAll(objstore::ObjectStore& store, const TabletMeta& meta) {
  std::vector<ColumnVector> all;
  for (const auto& c : Schema()) all.emplace_back(c.type);
  Status s = ScanTablet(store, meta, {}, [&](std::vector<ColumnVector>&& cols) {
    for (size_t i = 0; i < cols.size(); ++i) all[i].AppendRange(cols[i], 0, cols[i].size());
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return all;
}

void ExpectSameRows(const std::vector<ColumnVector>& a, const std::vector<ColumnVector>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].size(), b[i].size()) << "column " << i;
    EXPECT_TRUE(a[i].Equals(b[i])) << "column " << i;
  }
}

std::set<std::string> AllKeys(objstore::ObjectStore& store) {
  std::set<std::string> keys;
  auto all = objstore::ListAll(store, "");
  EXPECT_TRUE(all.ok());
  for (const auto& m : *all) keys.insert(m.key);
  return keys;
}

TabletMeta MetaWithSizes(const std::vector<uint64_t>& sizes) {
  TabletMeta m{.tablet_id = 1, .version = sizes.size(), .schema = Schema()};
  for (size_t i = 0; i < sizes.size(); ++i) {
    m.rowsets.push_back({.data_file = "f" + std::to_string(i), .rows = 1, .size_bytes = sizes[i], .version = i + 1});
  }
  return m;
}

TEST(CompactionPlanTest, NeedsMinRowsetsAndAtLeastTwoInTheRun) {
  CompactionPolicy policy{.min_rowsets = 5};
  EXPECT_FALSE(PlanCompaction(MetaWithSizes({}), policy).worth_it);
  EXPECT_FALSE(PlanCompaction(MetaWithSizes({1, 1, 1, 1}), policy).worth_it);
  CompactionPlan plan = PlanCompaction(MetaWithSizes({1, 1, 1, 1, 1}), policy);
  EXPECT_TRUE(plan.worth_it);
  EXPECT_EQ(plan.first, 0u);
  EXPECT_EQ(plan.last, 5u);
  // A run of one rowset gains nothing without deletes to apply.
  EXPECT_FALSE(PlanCompaction(MetaWithSizes({1}), {.min_rowsets = 1}).worth_it);
  EXPECT_TRUE(PlanCompaction(MetaWithSizes({1, 1}), {.min_rowsets = 1}).worth_it);
}

TEST(CompactionPlanTest, RunIsBoundedByBytesAndCount) {
  CompactionPlan plan = PlanCompaction(MetaWithSizes({10, 10, 10, 10, 10, 10}), {.min_rowsets = 2,
                                                                                  .input_bytes_max = 35});
  EXPECT_TRUE(plan.worth_it);
  EXPECT_EQ(plan.last, 3u);
  plan = PlanCompaction(MetaWithSizes({10, 10, 10, 10}), {.min_rowsets = 2, .input_bytes_max = 40});
  EXPECT_EQ(plan.last, 4u);  // the bound is inclusive
  plan = PlanCompaction(MetaWithSizes({10, 10, 10, 10, 10}), {.min_rowsets = 2, .input_rowsets_max = 2});
  EXPECT_EQ(plan.last, 2u);
  // The oldest rowset alone is over the bound: nothing to do.
  plan = PlanCompaction(MetaWithSizes({100, 1, 1, 1, 1, 1}), {.min_rowsets = 2, .input_bytes_max = 50});
  EXPECT_EQ(plan.last, 0u);
  EXPECT_FALSE(plan.worth_it);
  plan = PlanCompaction(MetaWithSizes({UINT64_MAX - 1, 5}), {.min_rowsets = 2, .input_bytes_max = UINT64_MAX});
  EXPECT_EQ(plan.last, 1u);  // no overflow
}

TEST(CompactionPlanTest, DeletesCoveredByTheRunForceIt) {
  TabletMeta m = MetaWithSizes({1, 1});  // rowset versions 1, 2
  m.version = 3;
  CompactionPolicy policy{.min_rowsets = 5};
  EXPECT_FALSE(PlanCompaction(m, policy).worth_it);
  m.deletes = {{.version = 3, .conditions = {Cond("k", DeleteOp::kEq, {int64_t{1}})}}};
  EXPECT_FALSE(PlanCompaction(m, policy).worth_it) << "a delete newer than the run stays at read time";
  m.deletes[0].version = 2;
  CompactionPlan plan = PlanCompaction(m, policy);
  EXPECT_TRUE(plan.worth_it);
  EXPECT_EQ(plan.last, 2u);
  // A delete after the newest rowset stays at read time whatever the run:
  // one rowset, then a delete, is not worth compacting.
  TabletMeta one = MetaWithSizes({1});
  one.version = 2;
  one.deletes = {{.version = 2, .conditions = {Cond("k", DeleteOp::kEq, {int64_t{1}})}}};
  EXPECT_FALSE(PlanCompaction(one, policy).worth_it);
  // Nor is a delete that applies to no rowset of the run (stamped at or
  // below the oldest); it is only dropped when a compaction happens anyway.
  TabletMeta same = MetaWithSizes({1, 1});
  same.rowsets[0].version = same.rowsets[1].version = 2;
  same.deletes = {{.version = 2, .conditions = {Cond("k", DeleteOp::kEq, {int64_t{1}})}}};
  EXPECT_FALSE(PlanCompaction(same, policy).worth_it);
  EXPECT_TRUE(PlanCompaction(same, {.min_rowsets = 2}).worth_it);
}

class CompactionTest : public ::testing::Test {
 protected:
  void TearDown() override { failpoint::DisarmAll(); }
  objstore::MemObjectStore store_;
};

TEST_F(CompactionTest, NullsAndDeletesAtSeveralVersionsKeepRowsIdentical) {
  TabletBuilder t(store_);
  t.Load({Rows(0, 100)});                                                            // v1
  t.Delete({Cond("k", DeleteOp::kLt, {int64_t{10}})});                               // v2
  t.Load({Rows(100, 150)});                                                          // v3
  t.Delete({Cond("s", DeleteOp::kIsNull)});                                          // v4
  t.Load({Rows(0, 20)});                                                             // v5: not deleted
  t.Delete({Cond("k", DeleteOp::kIn, {int64_t{121}, int64_t{131}}), Cond("d", DeleteOp::kIsNotNull)});  // v6
  t.Load({Rows(200, 210)});                                                          // v7
  const auto before = ScanAll(store_, t.meta());
  std::string txn = NewTxnId();
  auto out = CompactTablet(store_, kLineage, kTablet, t.key(), txn, {.min_rowsets = 2, .input_rowsets_max = 3});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->compacted);
  EXPECT_EQ(out->new_meta_key, TabletMetaKey(kLineage, kTablet, 8, txn));
  EXPECT_EQ(out->input_rowsets, 3u);
  const TabletMeta& next = out->new_meta;
  EXPECT_EQ(next.version, 8u);
  EXPECT_EQ(next.txn_id, txn);
  EXPECT_EQ(next.schema, Schema());
  ASSERT_EQ(next.rowsets.size(), 2u);
  EXPECT_EQ(next.rowsets[0].data_file, DataFileKey(kLineage, kTablet, txn, 0));
  EXPECT_EQ(next.rowsets[0].version, 5u);
  EXPECT_EQ(next.rowsets[0].rows, 72u + 40u + 20u);
  EXPECT_EQ(out->output_rows, 132u);
  EXPECT_EQ(next.rowsets[1], t.meta().rowsets[3]);
  ASSERT_EQ(next.deletes.size(), 1u);
  EXPECT_EQ(next.deletes[0], t.meta().deletes[2]);
  auto stored = ReadTabletMeta(store_, out->new_meta_key, kTablet);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(*stored, next);
  ExpectSameRows(before, ScanAll(store_, next));
}

// One random tablet history; compacts with a random policy, then fully.
// Sets *compacted when the first compaction ran.
void RandomHistoryKeepsRows(objstore::ObjectStore& store, std::mt19937_64& rng, bool* compacted) {
  TabletBuilder t(store);
  int64_t next_k = 0;
  const int ops = 2 + static_cast<int>(rng() % 10);
  for (int op = 0; op < ops; ++op) {
    if (rng() % 3 != 0) {
      std::vector<std::vector<ColumnVector>> files;
      for (uint64_t f = 0, n = 1 + rng() % 3; f < n; ++f) {
        const int64_t rows = 1 + static_cast<int64_t>(rng() % 300);
        const int64_t from = rng() % 4 == 0 ? static_cast<int64_t>(rng() % 100) : next_k;  // some re-used keys
        files.push_back(Rows(from, from + rows));
        next_k = std::max(next_k, from + rows);
      }
      t.Load(files);
    } else {
      const int64_t x = static_cast<int64_t>(rng() % static_cast<uint64_t>(next_k + 1));
      switch (rng() % 4) {
        case 0: t.Delete({Cond("k", DeleteOp::kLt, {x})}); break;
        case 1: t.Delete({Cond("s", DeleteOp::kIsNull), Cond("k", DeleteOp::kGe, {x})}); break;
        case 2: t.Delete({Cond("s", DeleteOp::kEq, {std::string("s1")})}); break;
        default: t.Delete({Cond("d", DeleteOp::kGt, {static_cast<double>(x) / 4}), Cond("k", DeleteOp::kNotIn, {x})});
      }
    }
  }
  const auto before = ScanAll(store, t.meta());
  CompactionPolicy policy{.min_rowsets = 1 + rng() % 4, .input_rowsets_max = 1 + rng() % 8,
                          .input_bytes_max = rng() % 2 ? UINT64_MAX : t.meta().size_bytes() / 2};
  auto out = CompactTablet(store, kLineage, kTablet, t.key(), NewTxnId(), policy);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  *compacted = out->compacted;
  if (!out->compacted) return;
  const uint64_t newest = t.meta().rowsets[out->input_rowsets - 1].version;
  for (const auto& d : out->new_meta.deletes) EXPECT_GT(d.version, newest);
  ExpectSameRows(before, ScanAll(store, out->new_meta));
  auto again = CompactTablet(store, kLineage, kTablet, out->new_meta_key, NewTxnId(), {.min_rowsets = 1});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  const TabletMeta& last = again->compacted ? again->new_meta : out->new_meta;
  EXPECT_LE(last.rowsets.size(), 1u);
  ExpectSameRows(before, ScanAll(store, last));
}

TEST_F(CompactionTest, RandomHistoriesScanIdenticallyBeforeAndAfter) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  int compacted_trials = 0;
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " trial " + std::to_string(trial));
    objstore::MemObjectStore store;
    bool compacted = false;
    RandomHistoryKeepsRows(store, rng, &compacted);
    if (HasFatalFailure()) return;
    compacted_trials += compacted ? 1 : 0;
  }
  EXPECT_GE(compacted_trials, 10) << "the random policies should compact most histories";
}

TEST_F(CompactionTest, ManyRowGroupsStreamIntoOneFile) {
  TabletBuilder t(store_);
  t.Load({Rows(0, 50'000)});
  t.Load({Rows(50'000, 100'000)});
  t.Delete({Cond("k", DeleteOp::kGe, {int64_t{60'000}}), Cond("k", DeleteOp::kLt, {int64_t{70'000}})});
  t.Load({Rows(100'000, 150'000)});
  const auto before = ScanAll(store_, t.meta());
  auto out = CompactTablet(store_, kLineage, kTablet, t.key(), NewTxnId(), {.min_rowsets = 3});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->compacted);
  ASSERT_EQ(out->new_meta.rowsets.size(), 1u);
  EXPECT_TRUE(out->new_meta.deletes.empty());
  EXPECT_EQ(out->new_meta.rowsets[0].rows, 140'000u);
  EXPECT_EQ(out->output_bytes, out->new_meta.rowsets[0].size_bytes);
  ExpectSameRows(before, ScanAll(store_, out->new_meta));
}

TEST_F(CompactionTest, AllRowsDeletedLeavesNoMergedRowset) {
  TabletBuilder t(store_);
  // Only deletes stamped <= the run's newest rowset are applied, so the run's
  // rows can all go only if that rowset is empty (a load that wrote no rows).
  t.Load({Rows(0, 50)});
  t.Load({Rows(50, 60)});
  t.Delete({Cond("k", DeleteOp::kGe, {int64_t{0}})});
  t.Load({Rows(60, 60)});
  t.Load({Rows(60, 70)});
  std::string txn = NewTxnId();
  auto out = CompactTablet(store_, kLineage, kTablet, t.key(), txn, {.min_rowsets = 10, .input_rowsets_max = 3});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->compacted);
  EXPECT_EQ(out->output_rows, 0u);
  EXPECT_EQ(out->output_bytes, 0u);
  ASSERT_EQ(out->new_meta.rowsets.size(), 1u);
  EXPECT_EQ(out->new_meta.rowsets[0], t.meta().rowsets[3]);
  EXPECT_TRUE(out->new_meta.deletes.empty());
  EXPECT_EQ(store_.Head(DataFileKey(kLineage, kTablet, txn, 0)).status().code(), StatusCode::kNotFound);
  ExpectSameRows(ScanAll(store_, t.meta()), ScanAll(store_, out->new_meta));
}

TEST_F(CompactionTest, RetryWithTheSameTxnIsIdempotent) {
  TabletBuilder t(store_);
  for (int i = 0; i < 3; ++i) t.Load({Rows(i * 10, i * 10 + 10)});
  std::string txn = NewTxnId();
  // A crash (here: an error) after the data file, then the retry.
  failpoint::Arm("compaction_after_data_file", {.action = failpoint::Action::kError});
  auto failed = CompactTablet(store_, kLineage, kTablet, t.key(), txn, {.min_rowsets = 2});
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  failpoint::DisarmAll();
  EXPECT_TRUE(store_.Head(DataFileKey(kLineage, kTablet, txn, 0)).ok());
  EXPECT_EQ(store_.Head(TabletMetaKey(kLineage, kTablet, 4, txn)).status().code(), StatusCode::kNotFound);
  auto first = CompactTablet(store_, kLineage, kTablet, t.key(), txn, {.min_rowsets = 2});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const auto keys = AllKeys(store_);
  auto second = CompactTablet(store_, kLineage, kTablet, t.key(), txn, {.min_rowsets = 2});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->new_meta_key, first->new_meta_key);
  EXPECT_EQ(second->new_meta, first->new_meta);
  EXPECT_EQ(AllKeys(store_), keys);
  // The same txn id over a different base is a reused id, not a retry.
  t.Load({Rows(100, 110)});
  auto reused = CompactTablet(store_, kLineage, kTablet, t.key(), txn, {.min_rowsets = 2});
  EXPECT_EQ(reused.status().code(), StatusCode::kAlreadyExists) << reused.status().ToString();
}

TEST_F(CompactionTest, DamagedInputIsDataLossAndWritesNothing) {
  TabletBuilder t(store_);
  for (int i = 0; i < 3; ++i) t.Load({Rows(i * 1000, i * 1000 + 1000)});
  const std::string victim = t.meta().rowsets[2].data_file;
  std::string bytes = *store_.Get(victim);
  std::string bad = bytes;
  bad[bytes.size() / 2] ^= 0x20;
  ASSERT_TRUE(store_.Put(victim, bad).ok());
  const auto keys = AllKeys(store_);
  auto out = CompactTablet(store_, kLineage, kTablet, t.key(), NewTxnId(), {.min_rowsets = 2});
  EXPECT_EQ(out.status().code(), StatusCode::kDataLoss) << out.status().ToString();
  EXPECT_EQ(AllKeys(store_), keys);
  ASSERT_TRUE(store_.Delete(victim).ok());
  out = CompactTablet(store_, kLineage, kTablet, t.key(), NewTxnId(), {.min_rowsets = 2});
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound) << out.status().ToString();
  std::set<std::string> without = keys;
  without.erase(victim);
  EXPECT_EQ(AllKeys(store_), without);
  // A damaged base version.
  std::string meta_bytes = *store_.Get(t.key());
  meta_bytes[meta_bytes.size() / 2] ^= 0x01;
  ASSERT_TRUE(store_.Put(t.key(), meta_bytes).ok());
  out = CompactTablet(store_, kLineage, kTablet, t.key(), NewTxnId(), {.min_rowsets = 2});
  EXPECT_EQ(out.status().code(), StatusCode::kDataLoss) << out.status().ToString();
  EXPECT_EQ(AllKeys(store_), without);
}

TEST_F(CompactionTest, NotWorthItOrBadArgumentsWriteNothing) {
  TabletBuilder t(store_);
  t.Load({Rows(0, 10)});
  t.Load({Rows(10, 20)});
  const auto keys = AllKeys(store_);
  auto out = CompactTablet(store_, kLineage, kTablet, t.key(), NewTxnId(), {.min_rowsets = 3});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->compacted);
  EXPECT_TRUE(out->new_meta_key.empty());
  out = CompactTablet(store_, kLineage, kTablet, "", NewTxnId(), {.min_rowsets = 1});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->compacted);
  EXPECT_EQ(CompactTablet(store_, kLineage, kTablet, t.key(), "not-a-txn", {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CompactTablet(store_, "", kTablet, t.key(), NewTxnId(), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CompactTablet(store_, kLineage, kTablet + 1, t.key(), NewTxnId(), {}).status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(AllKeys(store_), keys);
}

}  // namespace
}  // namespace strata::storage

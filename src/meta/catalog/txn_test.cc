// CommitTxn: atomic visibility of loads, optimistic conflicts, labels.
#include <gtest/gtest.h>

#include "meta/catalog/catalog_test_util.h"

namespace strata::meta {
namespace {

using testing::Driver;
using testing::MakeTable;

struct TxnFixture {
  Driver d;
  uint64_t table = 0;
  TxnFixture() {
    d.Ok(CreateDatabase{.name = "db"});
    table = d.Ok(MakeTable("db", "t", 2, 2));
  }
  const Partition& P(int i) { return d.cat.state().partitions.at(PartitionId(i)); }
  uint64_t PartitionId(int i) {
    return d.cat.state().tables.at(table).partition_ids.at("p" + std::to_string(i));
  }
  uint64_t TabletId(int p, int b) { return P(p).tablet_ids[b]; }
};

TEST(TxnTest, CommitMovesTabletsAndVersionsAtomically) {
  TxnFixture f;
  EXPECT_EQ(f.P(0).tablet_meta, (std::vector<std::string>{"", ""}));
  f.d.Ok(CommitTxn{.table_id = f.table, .label = "l1", .txn_id = "a1", .kind = "insert", .rows = 5,
                   .tablets = {{.tablet_id = f.TabletId(0, 1), .new_meta = "m/a1/0"},
                               {.tablet_id = f.TabletId(1, 0), .new_meta = "m/a1/1"}}});
  EXPECT_EQ(f.P(0).tablet_meta[1], "m/a1/0");
  EXPECT_EQ(f.P(0).tablet_meta[0], "");
  EXPECT_EQ(f.P(1).tablet_meta[0], "m/a1/1");
  EXPECT_EQ(f.P(0).visible_version, 2u);
  EXPECT_EQ(f.P(1).visible_version, 2u);
  const auto& label = f.d.cat.state().load_labels.at(LoadLabelKey(f.d.cat.state().tables.at(f.table).db_id, "l1"));
  EXPECT_EQ(label.txn_id, "a1");
  EXPECT_EQ(label.rows, 5u);
  EXPECT_EQ(label.version, f.d.v);
}

TEST(TxnTest, LabelIsUsedOnce) {
  TxnFixture f;
  f.d.Ok(CommitTxn{.table_id = f.table, .label = "l1", .txn_id = "a1", .kind = "insert",
                   .tablets = {{.tablet_id = f.TabletId(0, 0), .new_meta = "m/a1"}}});
  auto st = f.d.Fail(CommitTxn{.table_id = f.table, .label = "l1", .txn_id = "a2", .kind = "insert",
                               .tablets = {{.tablet_id = f.TabletId(0, 0), .base_meta = "m/a1", .new_meta = "m/a2"}}},
                     StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "Label [l1] has already been used");
}

TEST(TxnTest, StaleBaseIsAbortedAndChangesNothing) {
  TxnFixture f;
  f.d.Ok(CommitTxn{.table_id = f.table, .txn_id = "a1", .kind = "insert",
                   .tablets = {{.tablet_id = f.TabletId(0, 0), .new_meta = "m/a1"}}});
  // a2 read the tablet before a1 committed: one stale tablet aborts all of it.
  f.d.Fail(CommitTxn{.table_id = f.table, .label = "l2", .txn_id = "a2", .kind = "insert",
                     .tablets = {{.tablet_id = f.TabletId(0, 1), .new_meta = "m/a2/1"},
                                 {.tablet_id = f.TabletId(0, 0), .new_meta = "m/a2/0"}}},
           StatusCode::kAborted);
  f.d.Ok(CommitTxn{.table_id = f.table, .label = "l2", .txn_id = "a3", .kind = "insert",
                   .tablets = {{.tablet_id = f.TabletId(0, 1), .new_meta = "m/a3/1"},
                               {.tablet_id = f.TabletId(0, 0), .base_meta = "m/a1", .new_meta = "m/a3/0"}}});
  EXPECT_EQ(f.P(0).visible_version, 3u);
}

TEST(TxnTest, BadShapesAreRejected) {
  TxnFixture f;
  uint64_t tablet = f.TabletId(0, 0);
  f.d.Fail(CommitTxn{.table_id = f.table, .txn_id = "", .tablets = {{.tablet_id = tablet, .new_meta = "m"}}},
           StatusCode::kInvalidArgument);
  f.d.Fail(CommitTxn{.table_id = f.table, .txn_id = "x"}, StatusCode::kInvalidArgument);
  f.d.Fail(CommitTxn{.table_id = f.table, .txn_id = "x", .tablets = {{.tablet_id = tablet, .new_meta = ""}}},
           StatusCode::kInvalidArgument);
  f.d.Fail(CommitTxn{.table_id = f.table, .txn_id = "x",
                     .tablets = {{.tablet_id = tablet, .new_meta = "a"}, {.tablet_id = tablet, .new_meta = "b"}}},
           StatusCode::kInvalidArgument);
  f.d.Fail(CommitTxn{.table_id = 1, .txn_id = "x", .tablets = {{.tablet_id = tablet, .new_meta = "m"}}},
           StatusCode::kNotFound);
  f.d.Fail(CommitTxn{.table_id = f.table, .txn_id = "x", .tablets = {{.tablet_id = 999999, .new_meta = "m"}}},
           StatusCode::kAborted);
}

TEST(TxnTest, TruncateForgetsTabletMetaAndLabelsExpire) {
  TxnFixture f;
  f.d.Ok(CommitTxn{.table_id = f.table, .label = "old", .txn_id = "a1", .kind = "insert",
                   .tablets = {{.tablet_id = f.TabletId(0, 0), .new_meta = "m/a1"}}});
  f.d.Ok(TruncateTable{.db = "db", .table = "t"});
  EXPECT_EQ(f.P(0).tablet_meta, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(f.P(0).visible_version, 1u);
  Catalog& cat = f.d.cat;
  uint64_t db = cat.state().tables.at(f.table).db_id;
  ASSERT_TRUE(cat.state().load_labels.contains(LoadLabelKey(db, "old")));
  Change later{.body = CommitTxn{.table_id = f.table, .label = "new", .txn_id = "a2", .kind = "insert",
                                 .tablets = {{.tablet_id = f.TabletId(0, 0), .new_meta = "m/a2"}}}};
  ASSERT_TRUE(cat.Apply(later, 100, 1'700'000'000'000 + kLoadLabelKeepMs + 1000).ok());
  EXPECT_FALSE(cat.state().load_labels.contains(LoadLabelKey(db, "old")));
  EXPECT_TRUE(cat.state().load_labels.contains(LoadLabelKey(db, "new")));
}

}  // namespace
}  // namespace strata::meta

namespace strata::meta {
namespace {

TEST(FenceTest, AFencedLineageRejectsEveryLaterChange) {
  Catalog cat;
  ASSERT_TRUE(cat.Apply(Change{CreateDatabase{.name = "before"}}, 1, 0).ok());
  ASSERT_TRUE(cat.Apply(Change{FenceLineage{.successor_cluster_id = "succ", .reason = "restore"}}, 2, 0).ok());
  EXPECT_EQ(cat.state().lineage.fenced_by, "succ");
  auto r = cat.Apply(Change{CreateDatabase{.name = "after"}}, 3, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("superseded"), std::string::npos);
  EXPECT_FALSE(cat.state().database_ids.contains("after"));
  // A second fence keeps the first successor.
  ASSERT_TRUE(cat.Apply(Change{FenceLineage{.successor_cluster_id = "other"}}, 4, 0).ok());
  EXPECT_EQ(cat.state().lineage.fenced_by, "succ");
  EXPECT_FALSE(cat.Apply(Change{FenceLineage{.successor_cluster_id = "a/b"}}, 5, 0).ok());
}

}  // namespace
}  // namespace strata::meta

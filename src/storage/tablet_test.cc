// Tablet versions: metadata round trip and damage, names, rowset writes,
// scans with delete predicates.
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "objstore/mem/mem_object_store.h"
#include "storage/tablet_io.h"
#include "storage/tablet_meta.h"

namespace strata::storage {
namespace {

std::vector<ColumnSchema> Schema() {
  return {{"k", {DataType::kBigInt, 0, 0, false}}, {"s", {DataType::kVarchar}}};
}

std::vector<ColumnVector> Rows(int64_t from, int64_t to) {
  std::vector<ColumnVector> cols{ColumnVector(Schema()[0].type), ColumnVector(Schema()[1].type)};
  for (int64_t i = from; i < to; ++i) {
    cols[0].AppendInt(i);
    if (i % 5 == 0) {
      cols[1].AppendNull();
    } else {
      cols[1].AppendString("v" + std::to_string(i));
    }
  }
  return cols;
}

std::vector<int64_t> ScanKeys(objstore::ObjectStore& store, const TabletMeta& meta) {
  std::vector<int64_t> keys;
  Status s = ScanTablet(store, meta, {.columns = {"k"}}, [&](std::vector<ColumnVector>&& cols) {
    for (size_t i = 0; i < cols[0].size(); ++i) keys.push_back(cols[0].GetInt(i));
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return keys;
}

TEST(TabletMetaTest, NamesCarryTheTxnId) {
  std::string txn = NewTxnId();
  ASSERT_TRUE(TxnIdTimeMs(txn).has_value());
  EXPECT_NE(txn, NewTxnId());
  EXPECT_EQ(TxnIdOfKey(TabletMetaKey("c1", 42, 7, txn)), txn);
  EXPECT_EQ(TxnIdOfKey(DataFileKey("c1", 42, txn, 3)), txn);
  EXPECT_EQ(DataFileKey("c1", 42, txn, 3), "c1/data/tablets/42/data/" + txn + "_000003.sdf");
  EXPECT_FALSE(TxnIdOfKey("c1/data/tablets/42/meta/garbage.tm").has_value());
  EXPECT_FALSE(TxnIdTimeMs("12345").has_value());
}

TEST(TabletMetaTest, RoundTripAndDamageIsDataLoss) {
  TabletMeta m{.tablet_id = 9, .version = 3, .txn_id = NewTxnId(), .schema = Schema()};
  m.rowsets = {{.data_file = "a", .rows = 10, .size_bytes = 100, .version = 1},
               {.data_file = "b", .rows = 5, .size_bytes = 50, .version = 3}};
  m.deletes = {{.version = 2, .conditions = {{.column = "k", .op = DeleteOp::kIn, .values = {int64_t{1}, int64_t{2}}},
                                              {.column = "s", .op = DeleteOp::kIsNull}}}};
  std::string bytes = EncodeTabletMeta(m);
  auto back = DecodeTabletMeta(bytes, "key");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    EXPECT_EQ(DecodeTabletMeta(bad, "key").status().code(), StatusCode::kDataLoss) << "byte " << i;
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeTabletMeta(bytes.substr(0, n), "key").status().code(), StatusCode::kDataLoss) << n;
  }
}

TEST(TabletIoTest, VersionsAccumulateRowsetsAndDeletesApplyToOlderRows) {
  objstore::MemObjectStore store;
  TabletMeta v0{.tablet_id = 5};
  std::string t1 = NewTxnId();
  auto r1 = WriteRowset(store, "lin", 5, t1, 0, Schema(), Rows(0, 100));
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  TabletMeta v1 = NextTabletVersion(v0, t1, Schema(), {*r1}, {});
  ASSERT_TRUE(PutTabletMeta(store, TabletMetaKey("lin", 5, 1, t1), v1).ok());
  // Retried put of the same metadata is fine; different content under that name is not.
  EXPECT_TRUE(PutTabletMeta(store, TabletMetaKey("lin", 5, 1, t1), v1).ok());
  TabletMeta other = v1;
  other.rowsets.clear();
  EXPECT_EQ(PutTabletMeta(store, TabletMetaKey("lin", 5, 1, t1), other).code(), StatusCode::kAlreadyExists);
  // v2: delete k < 10 (and NULL s rows among k < 50), v3: new rows 100..110.
  std::vector<DeleteCondition> del1{{.column = "k", .op = DeleteOp::kLt, .values = {int64_t{10}}}};
  std::vector<DeleteCondition> del2{{.column = "k", .op = DeleteOp::kLt, .values = {int64_t{50}}},
                                    {.column = "s", .op = DeleteOp::kIsNull}};
  ASSERT_TRUE(ValidateDeleteConditions(Schema(), del1).ok());
  TabletMeta v2 = NextTabletVersion(v1, NewTxnId(), Schema(), {}, {del1, del2});
  std::string t3 = NewTxnId();
  auto r3 = WriteRowset(store, "lin", 5, t3, 0, Schema(), Rows(0, 10));  // newer rows: not deleted
  ASSERT_TRUE(r3.ok());
  TabletMeta v3 = NextTabletVersion(v2, t3, Schema(), {*r3}, {});
  std::vector<int64_t> want;
  for (int64_t k = 10; k < 100; ++k) {
    if (!(k < 50 && k % 5 == 0)) want.push_back(k);
  }
  EXPECT_EQ(ScanKeys(store, v2), want);
  for (int64_t k = 0; k < 10; ++k) want.push_back(k);
  EXPECT_EQ(ScanKeys(store, v3), want);
  EXPECT_EQ(v3.num_rows(), 110u);
  auto read = ReadTabletMeta(store, TabletMetaKey("lin", 5, 1, t1), 5);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, v1);
  EXPECT_EQ(ReadTabletMeta(store, TabletMetaKey("lin", 5, 1, t1), 6).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ReadTabletMeta(store, "", 6)->version, 0u);
}

// Row groups are handed on in batches of whole pages (pages of the string
// column end on other rows than the integer column's: batches end where
// both do), with the deletes applied per batch and every row once, in order.
TEST(TabletIoTest, ScansHandOnRowGroupsInBatchesOfPages) {
  objstore::MemObjectStore store;
  std::string t1 = NewTxnId();
  const DataFileWriterOptions small{.row_group_rows_max = 20000, .page_rows_max = 64, .page_bytes_max = 300};
  auto r1 = WriteRowset(store, "lin", 5, t1, 0, Schema(), Rows(0, 30000), small);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  TabletMeta v1 = NextTabletVersion(TabletMeta{.tablet_id = 5}, t1, Schema(), {*r1}, {});
  std::vector<DeleteCondition> del{{.column = "k", .op = DeleteOp::kLt, .values = {int64_t{7000}}},
                                   {.column = "s", .op = DeleteOp::kIsNull}};
  TabletMeta v2 = NextTabletVersion(v1, NewTxnId(), Schema(), {}, {del});
  size_t batches = 0;
  std::vector<int64_t> keys;
  std::vector<std::optional<std::string>> strings;
  Status s = ScanTablet(store, v2, {.columns = {"s", "k"}}, [&](std::vector<ColumnVector>&& cols) {
    ++batches;
    EXPECT_EQ(cols.size(), 2u);
    EXPECT_EQ(cols[0].size(), cols[1].size());
    for (size_t i = 0; i < cols[1].size(); ++i) {
      keys.push_back(cols[1].GetInt(i));
      strings.push_back(cols[0].IsNull(i) ? std::nullopt : std::optional<std::string>(cols[0].GetString(i)));
    }
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<int64_t> want_keys;
  std::vector<std::optional<std::string>> want_strings;
  for (int64_t k = 0; k < 30000; ++k) {
    if (k < 7000 && k % 5 == 0) continue;
    want_keys.push_back(k);
    want_strings.push_back(k % 5 == 0 ? std::nullopt : std::optional<std::string>("v" + std::to_string(k)));
  }
  EXPECT_EQ(keys, want_keys);
  EXPECT_EQ(strings, want_strings);
  EXPECT_GT(batches, 2u);  // more than one per row group
}

// ScanTabletBatches: each batch's columns asked for at random rows (or
// whole) give exactly those rows of the batch, over misaligned pages, in
// rowsets some delete applies to (decoded batches) and some it does not
// (pages decoded on demand); a column left unasked costs nothing.
TEST(TabletIoTest, BatchColumnsDecodeAtTheRowsAskedFor) {
  objstore::MemObjectStore store;
  const DataFileWriterOptions small{.row_group_rows_max = 20000, .page_rows_max = 64, .page_bytes_max = 300};
  std::string t1 = NewTxnId(), t2 = NewTxnId();
  auto r1 = WriteRowset(store, "lin", 5, t1, 0, Schema(), Rows(0, 30000), small);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  TabletMeta v1 = NextTabletVersion(TabletMeta{.tablet_id = 5}, t1, Schema(), {*r1}, {});
  std::vector<DeleteCondition> del{{.column = "k", .op = DeleteOp::kLt, .values = {int64_t{7000}}},
                                   {.column = "s", .op = DeleteOp::kIsNull}};
  TabletMeta v2 = NextTabletVersion(v1, NewTxnId(), Schema(), {}, {del});
  auto r2 = WriteRowset(store, "lin", 5, t2, 0, Schema(), Rows(30000, 50000), small);  // newer: not deleted
  ASSERT_TRUE(r2.ok());
  TabletMeta v3 = NextTabletVersion(v2, t2, Schema(), {*r2}, {});
  std::mt19937_64 rng(77);
  std::vector<int64_t> keys;
  std::vector<std::optional<std::string>> strings;
  size_t batches = 0;
  Status s = ScanTabletBatches(store, v3, {.columns = {"s", "k"}}, [&](ScanBatch& batch) -> Status {
    ++batches;
    EXPECT_EQ(batch.columns(), 2u);
    std::vector<uint32_t> rows;  // a random subset: every row, none, or about one in 1..20
    const unsigned every = rng() % 4 == 0 ? 1 : 1 + rng() % 20;
    for (uint32_t r = 0; r < batch.rows(); ++r) {
      if (rng() % every == 0) rows.push_back(r);
    }
    if (rng() % 8 == 0) rows.clear();
    const bool whole_s = rng() % 3 == 0;
    STRATA_ASSIGN_OR_RETURN(ColumnVector k, batch.ColumnAt(1, rows));
    STRATA_ASSIGN_OR_RETURN(ColumnVector str, whole_s ? batch.Column(0) : batch.ColumnAt(0, rows));
    EXPECT_EQ(k.size(), rows.size());
    EXPECT_EQ(str.size(), whole_s ? batch.rows() : rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const size_t at = whole_s ? rows[i] : i;
      keys.push_back(k.GetInt(i));
      strings.push_back(str.IsNull(at) ? std::nullopt : std::optional<std::string>(str.GetString(at)));
    }
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(batches, 4u);
  // Every key picked is a visible row, with its own string, in scan order.
  ASSERT_EQ(keys.size(), strings.size());
  ASSERT_GT(keys.size(), 1000u);
  for (size_t i = 0; i < keys.size(); ++i) {
    const int64_t k = keys[i];
    ASSERT_FALSE(k < 7000 && k % 5 == 0) << "a deleted row: " << k;
    ASSERT_EQ(strings[i], k % 5 == 0 ? std::nullopt : std::optional<std::string>("v" + std::to_string(k))) << k;
    if (i > 0) {
      ASSERT_LT(keys[i - 1], k);
    }
  }
}

TEST(TabletIoTest, DamagedDataFileIsAnErrorNotWrongRows) {
  objstore::MemObjectStore store;
  std::string t1 = NewTxnId();
  auto r1 = WriteRowset(store, "lin", 5, t1, 0, Schema(), Rows(0, 1000));
  ASSERT_TRUE(r1.ok());
  TabletMeta v1 = NextTabletVersion(TabletMeta{.tablet_id = 5}, t1, Schema(), {*r1}, {});
  std::string bytes = *store.Get(r1->data_file);
  for (size_t pos : {size_t{10}, bytes.size() / 2, bytes.size() - 30, bytes.size() - 3}) {
    std::string bad = bytes;
    bad[pos] ^= 0x04;
    ASSERT_TRUE(store.Put(r1->data_file, bad).ok());
    Status s = ScanTablet(store, v1, {}, [](std::vector<ColumnVector>&&) { return Status::OK(); });
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << pos << " " << s.ToString();
  }
  ASSERT_TRUE(store.Put(r1->data_file, bytes.substr(0, bytes.size() - 100)).ok());
  Status s = ScanTablet(store, v1, {}, [](std::vector<ColumnVector>&&) { return Status::OK(); });
  EXPECT_FALSE(s.ok());
  ASSERT_TRUE(store.Delete(r1->data_file).ok());
  s = ScanTablet(store, v1, {}, [](std::vector<ColumnVector>&&) { return Status::OK(); });
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST(TabletIoTest, BadDeleteConditionsAreRejected) {
  EXPECT_FALSE(ValidateDeleteConditions(Schema(), {}).ok());
  std::vector<DeleteCondition> unknown{{.column = "zz", .op = DeleteOp::kEq, .values = {int64_t{1}}}};
  EXPECT_EQ(ValidateDeleteConditions(Schema(), unknown).code(), StatusCode::kInvalidArgument);
  std::vector<DeleteCondition> wrong_kind{{.column = "k", .op = DeleteOp::kEq, .values = {std::string("x")}}};
  EXPECT_EQ(ValidateDeleteConditions(Schema(), wrong_kind).code(), StatusCode::kInvalidArgument);
  std::vector<DeleteCondition> no_value{{.column = "k", .op = DeleteOp::kEq}};
  EXPECT_EQ(ValidateDeleteConditions(Schema(), no_value).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::storage

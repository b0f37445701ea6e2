#include "load/router.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/crc32c.h"
#include "load/load_test_util.h"
#include "load/row_batch_builder.h"
#include "load/value_parse.h"

namespace strata::load {
namespace {

using storage::ColumnVector;
using testing::Col;
using testing::SqlType;

meta::Partition Part(uint64_t id, std::string name, std::vector<std::string> lower, std::vector<std::string> upper,
                     uint32_t buckets) {
  meta::Partition p{.id = id, .table_id = 1, .name = std::move(name), .lower = std::move(lower),
                    .upper = std::move(upper)};
  for (uint32_t b = 0; b < buckets; ++b) p.tablet_ids.push_back(id * 100 + b);
  return p;
}

meta::Table EventsTable(uint32_t buckets) {
  return meta::Table{.id = 1,
                     .name = "events",
                     .columns = {Col("id", "BIGINT", false, std::nullopt, true), Col("day", "DATE"),
                                 Col("v", "VARCHAR(10)")},
                     .partition_columns = {"day"},
                     .distribution_columns = {"id"},
                     .bucket_count = buckets};
}

// Hash of one value of `sql` type, given as text ("" with is_null for NULL).
uint32_t HashOf(const std::string& sql, std::string_view text, bool is_null = false) {
  TableColumnType t = SqlType(sql);
  ColumnVector v(t.type);
  STRATA_CHECK(AppendText(v, TableColumn{"c", t}, text, is_null).ok(), "bad test value");
  const ColumnVector* cols[] = {&v};
  return BucketHash(cols, 0);
}

TEST(RouterTest, Crc32cIsTheStandardCastagnoli) {
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);  // the published check value
}

// PERSISTENT: these numbers decide which tablet holds a row. If this test
// fails, the bucket rule changed and existing tables would be mis-routed.
TEST(RouterTest, BucketHashIsPinned) {
  EXPECT_EQ(HashOf("BIGINT", "1"), 0x7229553eu);
  EXPECT_EQ(HashOf("BIGINT", "-1"), 0x20f36163u);
  EXPECT_EQ(HashOf("BIGINT", "0"), 0x518d116cu);
  EXPECT_EQ(HashOf("INT", "1"), 0x7229553eu);  // every int64-kind type hashes alike
  EXPECT_EQ(HashOf("VARCHAR(10)", "hello"), 0xba5e056eu);
  EXPECT_EQ(HashOf("STRING", ""), 0xcf9fb6eeu);
  EXPECT_EQ(HashOf("BIGINT", "", true), 0x2cc4b6adu);
  EXPECT_EQ(HashOf("DOUBLE", "1.5"), 0x72e9bf33u);
  EXPECT_EQ(HashOf("DOUBLE", "0"), 0x518d116cu);
  EXPECT_EQ(HashOf("DOUBLE", "-0.0"), HashOf("DOUBLE", "0"));
  EXPECT_EQ(HashOf("LARGEINT", "1"), 0xe89a65e2u);
  EXPECT_EQ(HashOf("LARGEINT", "-2"), 0x9d8620aeu);
  EXPECT_EQ(HashOf("DATE", "2024-01-01"), 0xb9fabb2du);

  TableColumnType i = SqlType("INT"), s = SqlType("VARCHAR(4)");
  ColumnVector a(i.type), b(s.type);
  ASSERT_TRUE(AppendText(a, TableColumn{"a", i}, "42", false).ok());
  ASSERT_TRUE(AppendText(b, TableColumn{"b", s}, "a", false).ok());
  const ColumnVector* two[] = {&a, &b};
  EXPECT_EQ(BucketHash(two, 0), 0x84fb22efu);
}

TEST(RouterTest, NaNsHashAlike) {
  ColumnVector v(SqlType("DOUBLE").type);
  v.AppendDouble(std::numeric_limits<double>::quiet_NaN());
  v.AppendDouble(-std::numeric_limits<double>::quiet_NaN());
  const ColumnVector* cols[] = {&v};
  EXPECT_EQ(BucketHash(cols, 0), BucketHash(cols, 1));
}

LoadBatch Load(const meta::Table& t, std::string_view csv) {
  Result<std::vector<TableColumn>> schema = TableSchema(t);
  STRATA_CHECK(schema.ok(), schema.status().ToString());
  Result<LoadBatch> b = LoadCsv(*schema, {}, CsvOptions{.column_separator = ","}, csv);
  STRATA_CHECK(b.ok() && b->rows_filtered == 0, "test body must load");
  return std::move(b).value();
}

TEST(RouterTest, RangePartitionsAndBuckets) {
  meta::Table t = EventsTable(16);
  std::vector<meta::Partition> parts = {Part(3, "p202402", {"2024-02-01"}, {"2024-03-01"}, 16),
                                        Part(1, "p_old", {}, {"2024-01-01"}, 16),
                                        Part(2, "p202401", {"2024-01-01"}, {"2024-02-01"}, 16)};
  auto schema = *TableSchema(t);
  Result<Router> r = Router::Make(t, schema, parts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LoadBatch b = Load(t,
                     "1,2024-01-01,a\n"    // p202401 (lower inclusive), bucket 14
                     "0,2023-12-31,b\n"    // p_old, bucket 12
                     "1,2024-02-01,c\n"    // p202402 (upper exclusive), bucket 14
                     "2,2024-03-01,d\n"    // no partition: upper of the last is exclusive
                     "-1,\\N,e\n"          // NULL -> the MINVALUE partition, bucket 3
                     "1,2024-01-31,f\n");  // p202401, bucket 14
  RoutedBatch out = r->Route(b.columns, b.line_numbers);
  EXPECT_EQ(out.rows_filtered, 1u);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0], "line 4: no partition for value (2024-03-01)");
  ASSERT_EQ(out.tablets.size(), 4u);
  // Ordered by the partitions' order in Make, then bucket.
  EXPECT_EQ(out.tablets[0].partition_id, 3u);
  EXPECT_EQ(out.tablets[0].bucket_index, 14u);
  EXPECT_EQ(out.tablets[0].tablet_id, 314u);
  EXPECT_EQ(out.tablets[0].rows, std::vector<uint32_t>{2});
  EXPECT_EQ(out.tablets[1].partition_id, 1u);
  EXPECT_EQ(out.tablets[1].bucket_index, 3u);
  EXPECT_EQ(out.tablets[1].rows, std::vector<uint32_t>{4});
  EXPECT_EQ(out.tablets[2].partition_id, 1u);
  EXPECT_EQ(out.tablets[2].bucket_index, 12u);
  EXPECT_EQ(out.tablets[2].rows, std::vector<uint32_t>{1});
  EXPECT_EQ(out.tablets[3].partition_id, 2u);
  EXPECT_EQ(out.tablets[3].bucket_index, 14u);
  EXPECT_EQ(out.tablets[3].rows, (std::vector<uint32_t>{0, 5}));
  // The gathered columns hold exactly those rows.
  const TabletRows& jan = out.tablets[3];
  ASSERT_EQ(jan.columns.size(), 3u);
  EXPECT_EQ(jan.columns[2].size(), 2u);
  EXPECT_EQ(jan.columns[2].GetString(0), "a");
  EXPECT_EQ(jan.columns[2].GetString(1), "f");
  EXPECT_EQ(FormatValue(jan.columns[1], schema[1].type, 1), "2024-01-31");
}

// Route leaves its input intact, and the routed rows are the input's.
TEST(RouterTest, RouteLeavesItsInputIntact) {
  meta::Table t = EventsTable(5);
  std::vector<meta::Partition> parts = {Part(1, "p_old", {}, {"2024-01-01"}, 5),
                                        Part(2, "p202401", {"2024-01-01"}, {"2024-02-01"}, 5)};
  auto schema = *TableSchema(t);
  Result<Router> r = Router::Make(t, schema, parts);
  ASSERT_TRUE(r.ok());
  std::string body;
  for (int i = 0; i < 500; ++i) {
    const char* month = i % 3 == 0 ? "2024-02-" : i % 3 == 1 ? "2024-01-" : "2023-12-";  // 02: no partition
    body += std::to_string(i) + "," + month + std::to_string(10 + i % 18) + ",s" + std::to_string(i) + "\n";
  }
  body += "7,2025-01-01,late\n";
  LoadBatch b = Load(t, body);
  const std::vector<storage::ColumnVector> before = b.columns;
  RoutedBatch routed = r->Route(b.columns, b.line_numbers);
  for (size_t c = 0; c < before.size(); ++c) EXPECT_TRUE(b.columns[c].Equals(before[c])) << c;
  size_t rows = 0;
  for (const TabletRows& tablet : routed.tablets) {
    for (size_t j = 0; j < tablet.rows.size(); ++j) {
      for (size_t c = 0; c < before.size(); ++c) {
        ASSERT_EQ(tablet.columns[c].IsNull(j), before[c].IsNull(tablet.rows[j]));
      }
      EXPECT_EQ(tablet.columns[2].GetString(j), before[2].GetString(tablet.rows[j]));
      EXPECT_EQ(tablet.columns[0].GetInt(j), before[0].GetInt(tablet.rows[j]));
    }
    rows += tablet.rows.size();
  }
  EXPECT_EQ(rows + routed.rows_filtered, before[0].size());
}

TEST(RouterTest, RoutingWithoutLineNumbersNamesRows) {
  meta::Table t = EventsTable(2);
  auto schema = *TableSchema(t);
  Result<Router> r = Router::Make(t, schema, {Part(1, "p", {"2024-01-01"}, {"2024-02-01"}, 2)});
  ASSERT_TRUE(r.ok());
  LoadBatch b = Load(t, "1,2024-01-05,a\n2,2023-01-05,b\n");
  RoutedBatch out = r->Route(b.columns);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0], "row 2: no partition for value (2023-01-05)");
  EXPECT_EQ(r->PartitionOf(b.columns, 0), 0u);
  EXPECT_EQ(r->PartitionOf(b.columns, 1), std::nullopt);
}

TEST(RouterTest, UnpartitionedTableHasOnePartition) {
  meta::Table t = EventsTable(7);
  t.partition_columns.clear();
  auto schema = *TableSchema(t);
  Result<Router> r = Router::Make(t, schema, {Part(9, "events", {}, {}, 7)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LoadBatch b = Load(t, "1,2024-01-05,a\n0,1999-01-01,b\n-1,\\N,c\n");
  RoutedBatch out = r->Route(b.columns, b.line_numbers);
  EXPECT_EQ(out.rows_filtered, 0u);
  uint64_t rows = 0;
  for (const TabletRows& tr : out.tablets) {
    EXPECT_EQ(tr.partition_id, 9u);
    EXPECT_EQ(tr.tablet_id, 900u + tr.bucket_index);
    rows += tr.rows.size();
  }
  EXPECT_EQ(rows, 3u);
  EXPECT_EQ(r->BucketOf(b.columns, 0), 3u);  // 0x7229553e % 7
  EXPECT_EQ(r->BucketOf(b.columns, 1), 0u);  // 0x518d116c % 7
  EXPECT_EQ(r->BucketOf(b.columns, 2), 4u);  // 0x20f36163 % 7
}

TEST(RouterTest, MultiColumnBoundsCompareLexicographically) {
  meta::Table t{.name = "m",
                .columns = {Col("k1", "INT", false, std::nullopt, true), Col("k2", "VARCHAR(8)", false)},
                .partition_columns = {"k1", "k2"},
                .distribution_columns = {"k1", "k2"},
                .bucket_count = 1};
  auto schema = *TableSchema(t);
  Result<Router> r = Router::Make(t, schema,
                                  {Part(1, "lo", {}, {"10", "m"}, 1), Part(2, "hi", {"10", "m"}, {"20", "a"}, 1)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LoadBatch b = Load(t, "9,zzz\n10,l\n10,m\n19,zzz\n20,a\n2,a\n");
  EXPECT_EQ(r->PartitionOf(b.columns, 0), 0u);
  EXPECT_EQ(r->PartitionOf(b.columns, 1), 0u);  // (10,'l') < (10,'m')
  EXPECT_EQ(r->PartitionOf(b.columns, 2), 1u);
  EXPECT_EQ(r->PartitionOf(b.columns, 3), 1u);
  EXPECT_EQ(r->PartitionOf(b.columns, 4), std::nullopt);
  EXPECT_EQ(r->PartitionOf(b.columns, 5), 0u);  // integers compare numerically, not as text
  RoutedBatch out = r->Route(b.columns, b.line_numbers);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0], "line 5: no partition for value (20, a)");
}

TEST(RouterTest, MakeRejectsInconsistentCatalogState) {
  meta::Table t = EventsTable(2);
  auto schema = *TableSchema(t);
  auto code = [&](const meta::Table& table, std::vector<meta::Partition> parts) {
    return Router::Make(table, schema, parts).status().code();
  };
  EXPECT_EQ(code(t, {}), StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(t, {Part(1, "p", {}, {"2024-01-01"}, 3)}), StatusCode::kFailedPrecondition);  // tablets != buckets
  EXPECT_EQ(code(t, {Part(1, "a", {}, {"2024-02-01"}, 2), Part(2, "b", {"2024-01-01"}, {}, 2)}),
            StatusCode::kFailedPrecondition);  // overlap
  EXPECT_EQ(code(t, {Part(1, "a", {"2024-13-01"}, {}, 2)}), StatusCode::kInvalidArgument);  // bad bound
  meta::Table bad_dist = t;
  bad_dist.distribution_columns = {"nope"};
  EXPECT_EQ(code(bad_dist, {Part(1, "p", {}, {}, 2)}), StatusCode::kFailedPrecondition);
  meta::Table unpartitioned = t;
  unpartitioned.partition_columns.clear();
  EXPECT_EQ(code(unpartitioned, {Part(1, "a", {}, {}, 2), Part(2, "b", {}, {}, 2)}), StatusCode::kFailedPrecondition);
  // Adjacent ranges (upper == next lower) are fine.
  EXPECT_TRUE(Router::Make(t, schema, {Part(1, "a", {}, {"2024-02-01"}, 2), Part(2, "b", {"2024-02-01"}, {}, 2)}).ok());
}

TEST(RouterTest, DatetimeColumnAcceptsDateOnlyBounds) {
  meta::Table t{.name = "d",
                .columns = {Col("ts", "DATETIME", false, std::nullopt, true)},
                .partition_columns = {"ts"},
                .distribution_columns = {"ts"},
                .bucket_count = 1};
  auto schema = *TableSchema(t);
  Result<Router> r = Router::Make(t, schema, {Part(1, "p", {"2024-01-01"}, {"2024-01-02"}, 1)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LoadBatch b = Load(t, "2024-01-01 23:59:59.999999\n2024-01-02 00:00:00\n2023-12-31 23:59:59\n");
  EXPECT_EQ(r->PartitionOf(b.columns, 0), 0u);
  EXPECT_EQ(r->PartitionOf(b.columns, 1), std::nullopt);
  EXPECT_EQ(r->PartitionOf(b.columns, 2), std::nullopt);
}

}  // namespace
}  // namespace strata::load

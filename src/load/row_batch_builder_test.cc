#include "load/row_batch_builder.h"

#include <gtest/gtest.h>

#include "load/load_test_util.h"
#include "load/value_parse.h"

namespace strata::load {
namespace {

using testing::Col;
using testing::Schema;

// Row `row` of the batch as printed values ("NULL" for NULL).
std::vector<std::string> RowOf(const std::vector<TableColumn>& schema, const LoadBatch& b, size_t row) {
  std::vector<std::string> out;
  for (size_t i = 0; i < schema.size(); ++i) out.push_back(FormatValue(b.columns[i], schema[i].type, row).value_or("NULL"));
  return out;
}

std::vector<TableColumn> OrdersSchema() {
  return Schema({Col("id", "BIGINT", false, std::nullopt, true), Col("day", "DATE", false),
                 Col("amount", "DECIMAL(10,2)"), Col("note", "VARCHAR(5)", true, "none"),
                 Col("created", "DATETIME", false, "CURRENT_TIMESTAMP")});
}

const CsvOptions kComma{.column_separator = ","};

TEST(RowBatchBuilderTest, LoadsAllColumnsInTableOrder) {
  auto schema = OrdersSchema();
  Result<LoadBatch> b = LoadCsv(schema, {}, kComma, "1,2024-01-02,3.5,hi,2024-01-02 03:04:05\n");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->rows_total, 1u);
  EXPECT_EQ(b->rows_loaded, 1u);
  EXPECT_EQ(b->rows_filtered, 0u);
  ASSERT_EQ(b->columns.size(), 5u);
  EXPECT_EQ(RowOf(schema, *b, 0), (std::vector<std::string>{"1", "2024-01-02", "3.50", "hi", "2024-01-02 03:04:05"}));
  EXPECT_EQ(b->line_numbers, std::vector<uint64_t>{1});
  for (const auto& c : b->columns) EXPECT_TRUE(c.Validate().ok());
}

TEST(RowBatchBuilderTest, ColumnMappingSkipsUnknownNamesAndDefaultsTheRest) {
  auto schema = OrdersSchema();
  BuilderOptions o{.columns = *ParseColumnsHeader(" DAY, ignored ,`id`"), .now_micros = 86'400'000'000};
  Result<LoadBatch> b = LoadCsv(schema, o, kComma, "2024-03-04,whatever,7\n2024-03-05,x,8\n");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->rows_loaded, 2u);
  // amount: nullable without default -> NULL; note: DEFAULT 'none'; created: CURRENT_TIMESTAMP = now.
  EXPECT_EQ(RowOf(schema, *b, 0), (std::vector<std::string>{"7", "2024-03-04", "NULL", "none", "1970-01-02 00:00:00"}));
  EXPECT_EQ(RowOf(schema, *b, 1)[0], "8");
}

TEST(RowBatchBuilderTest, MappingErrors) {
  auto schema = OrdersSchema();
  Result<RowBatchBuilder> missing = RowBatchBuilder::Make(schema, {.columns = {"id", "amount"}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "column 'day' is NOT NULL, has no default value and is not in columns");
  Result<RowBatchBuilder> twice = RowBatchBuilder::Make(schema, {.columns = {"id", "day", "ID"}});
  EXPECT_EQ(twice.status().message(), "column 'ID' is named twice in columns");
  auto bad_default = Schema({Col("k", "INT", false, "abc")});
  EXPECT_NE(RowBatchBuilder::Make(bad_default, {.columns = {}}).status().message().find("column 'k' DEFAULT"),
            std::string::npos);
  EXPECT_EQ(ParseColumnsHeader("a,,b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseColumnsHeader("a, b=a+1").status().code(), StatusCode::kUnimplemented);
}

TEST(RowBatchBuilderTest, BadRowsAreFilteredWithLineNumbers) {
  auto schema = OrdersSchema();
  std::string body =
      "1,2024-01-01,1.00,ok,2024-01-01 00:00:00\n"      // line 1 ok
      "2,2024-01-01,1.00\n"                             // line 2 wrong column count
      "x,2024-01-01,1.00,ok,2024-01-01 00:00:00\n"      // line 3 bad BIGINT
      "\\N,2024-01-01,1.00,ok,2024-01-01 00:00:00\n"    // line 4 NULL key
      "5,2024-01-01,1.00,toolong,2024-01-01 00:00:00\n" // line 5 oversized VARCHAR(5)
      "6,2024-02-30,1.00,ok,2024-01-01 00:00:00\n"      // line 6 bad DATE
      "7,2024-01-01,\\N,\\N,2024-01-01 00:00:00\n";     // line 7 ok, NULLs in nullable columns
  Result<LoadBatch> b = LoadCsv(schema, {}, kComma, body);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->rows_total, 7u);
  EXPECT_EQ(b->rows_loaded, 2u);
  EXPECT_EQ(b->rows_filtered, 5u);
  ASSERT_EQ(b->errors.size(), 5u);
  EXPECT_EQ(b->errors[0], "line 2: expected 5 columns, got 3");
  EXPECT_EQ(b->errors[1], "line 3: column 'id': 'x' is not a valid BIGINT");
  EXPECT_EQ(b->errors[2], "line 4: column 'id': NULL in a NOT NULL column");
  EXPECT_EQ(b->errors[3], "line 5: column 'note': 'toolong' is 7 bytes, longer than the 5 allowed by VARCHAR(5)");
  EXPECT_EQ(b->errors[4], "line 6: column 'day': '2024-02-30' is not a valid DATE");
  EXPECT_EQ(b->line_numbers, (std::vector<uint64_t>{1, 7}));
  EXPECT_EQ(RowOf(schema, *b, 1), (std::vector<std::string>{"7", "2024-01-01", "NULL", "NULL", "2024-01-01 00:00:00"}));
  for (const auto& c : b->columns) EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(ExceedsFilterRatio(*b, 0.75));
  EXPECT_TRUE(ExceedsFilterRatio(*b, 0.7));
  EXPECT_TRUE(ExceedsFilterRatio(*b, 0));
}

TEST(RowBatchBuilderTest, ErrorMessagesAreCappedButCountsAreNot) {
  auto schema = Schema({Col("k", "INT")});
  std::string body;
  for (int i = 0; i < 100; ++i) body += "bad\n";
  Result<LoadBatch> b = LoadCsv(schema, {.error_messages_max = 3}, kComma, body);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->rows_filtered, 100u);
  EXPECT_EQ(b->errors.size(), 3u);
  EXPECT_EQ(b->errors[2], "line 3: column 'k': 'bad' is not a valid INT");
}

TEST(RowBatchBuilderTest, RowSizeLimitAndMalformedRecords) {
  auto schema = Schema({Col("k", "INT"), Col("s", "STRING")});
  std::string body = "1,short\n2," + std::string(200, 'x') + "\n3,\"open\n";
  Result<LoadBatch> b =
      LoadCsv(schema, {.row_size_max_bytes = 100}, {.column_separator = ",", .enclose = '"'}, body);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->rows_loaded, 1u);
  ASSERT_EQ(b->errors.size(), 2u);
  EXPECT_EQ(b->errors[0], "line 2: row is 202 bytes, more than the maximum 100");
  EXPECT_EQ(b->errors[1], "line 3: enclosed field has no closing '\"'");
}

TEST(RowBatchBuilderTest, CsvHeaderSkipAndMultiLineRecordLocations) {
  auto schema = Schema({Col("k", "INT"), Col("s", "STRING")});
  Result<LoadBatch> b = LoadCsv(schema, {}, {.column_separator = ",", .enclose = '"', .skip_header_rows = 1},
                                "k,s\n1,\"two\nlines\"\nx,y\n");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->rows_total, 2u);
  ASSERT_EQ(b->errors.size(), 1u);
  EXPECT_EQ(b->errors[0], "row 3 (line 4): column 'k': 'x' is not a valid INT");
}

TEST(RowBatchBuilderTest, JsonUsesNamesDefaultsForMissingAndFiltersBadTypes) {
  auto schema = OrdersSchema();
  std::string body = R"([
    {"id": 1, "day": "2024-01-01", "amount": 12.345, "created": "2024-01-01 10:00:00"},
    {"id": 2, "day": "2024-01-01", "amount": null, "note": "n", "created": "2024-01-01 10:00:00"},
    {"id": "two", "day": "2024-01-01", "created": "2024-01-01 10:00:00"},
    {"id": 4, "day": true, "created": "2024-01-01 10:00:00"},
    {"id": 5, "created": "2024-01-01 10:00:00"},
    [1, 2]
  ])";
  Result<LoadBatch> b = LoadJson(schema, {}, {.strip_outer_array = true}, body);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->rows_total, 6u);
  EXPECT_EQ(b->rows_loaded, 2u);
  EXPECT_EQ(RowOf(schema, *b, 0), (std::vector<std::string>{"1", "2024-01-01", "12.35", "none", "2024-01-01 10:00:00"}));
  EXPECT_EQ(RowOf(schema, *b, 1)[2], "NULL");
  ASSERT_EQ(b->errors.size(), 4u);
  EXPECT_EQ(b->errors[0], "row 3 (line 4): column 'id': 'two' is not a valid BIGINT");
  EXPECT_EQ(b->errors[1], "row 4 (line 5): column 'day': 'true' is not a valid DATE");
  EXPECT_EQ(b->errors[2], "row 5 (line 6): column 'day': NULL in a NOT NULL column");
  EXPECT_EQ(b->errors[3], "row 6 (line 7): a JSON row must be an object, not array");
}

TEST(RowBatchBuilderTest, JsonWithColumnsAndJsonPaths) {
  auto schema = Schema({Col("k", "INT", false), Col("name", "VARCHAR(10)")});
  BuilderOptions o{.columns = {"name", "k"}};
  JsonOptions j{.jsonpaths = {"$.user.name", "$.id"}};
  Result<LoadBatch> b = LoadJson(schema, o, j, R"({"id": 3, "user": {"name": "ann"}})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->rows_loaded, 1u);
  EXPECT_EQ(RowOf(schema, *b, 0), (std::vector<std::string>{"3", "ann"}));
  EXPECT_EQ(LoadJson(schema, {}, {.strip_outer_array = true}, "{}").status().code(), StatusCode::kInvalidArgument);
}

TEST(RowBatchBuilderTest, FinishLeavesAnEmptyBuilder) {
  auto schema = Schema({Col("k", "INT")});
  Result<RowBatchBuilder> b = RowBatchBuilder::Make(schema, {});
  ASSERT_TRUE(b.ok());
  SourceRow row{.record_number = 1, .line_number = 1, .size_bytes = 1, .fields = {SourceField{.text = "5"}}};
  b->Add(row);
  LoadBatch first = b->Finish();
  EXPECT_EQ(first.rows_loaded, 1u);
  LoadBatch second = b->Finish();
  EXPECT_EQ(second.rows_total, 0u);
  ASSERT_EQ(second.columns.size(), 1u);
  EXPECT_EQ(second.columns[0].size(), 0u);
}

}  // namespace
}  // namespace strata::load

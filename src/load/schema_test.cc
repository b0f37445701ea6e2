#include "load/schema.h"

#include <gtest/gtest.h>

#include "load/load_test_util.h"

namespace strata::load {
namespace {

using storage::DataType;
using testing::Col;
using testing::SqlType;

TEST(SchemaTest, SimpleTypes) {
  EXPECT_EQ(SqlType("TINYINT").type.type, DataType::kTinyInt);
  EXPECT_EQ(SqlType("smallint").type.type, DataType::kSmallInt);
  EXPECT_EQ(SqlType("INT").type.type, DataType::kInt);
  EXPECT_EQ(SqlType("INTEGER").type.type, DataType::kInt);
  EXPECT_EQ(SqlType("INT(11)").type.type, DataType::kInt);
  EXPECT_EQ(SqlType("BIGINT").type.type, DataType::kBigInt);
  EXPECT_EQ(SqlType("LARGEINT").type.type, DataType::kLargeInt);
  EXPECT_EQ(SqlType("FLOAT").type.type, DataType::kFloat);
  EXPECT_EQ(SqlType("DOUBLE").type.type, DataType::kDouble);
  EXPECT_EQ(SqlType("BOOLEAN").type.type, DataType::kBoolean);
  EXPECT_EQ(SqlType("BOOL").type.type, DataType::kBoolean);
  EXPECT_EQ(SqlType("DATE").type.type, DataType::kDate);
  EXPECT_EQ(SqlType("DATETIME").type.type, DataType::kDateTime);
  EXPECT_EQ(SqlType("BIGINT").max_length_bytes, 0u);
}

TEST(SchemaTest, Decimals) {
  TableColumnType d = SqlType("DECIMAL(10,2)");
  EXPECT_EQ(d.type.type, DataType::kDecimal);
  EXPECT_EQ(d.type.precision, 10u);
  EXPECT_EQ(d.type.scale, 2u);
  EXPECT_EQ(SqlType("DECIMAL").type.precision, 10u);
  EXPECT_EQ(SqlType("DECIMAL").type.scale, 0u);
  EXPECT_EQ(SqlType("DECIMAL(5)").type.scale, 0u);
  EXPECT_EQ(SqlType("decimal( 38 , 10 )").type.precision, 38u);
  EXPECT_EQ(SqlType("DECIMALV3(20,3)").type.precision, 20u);
  EXPECT_EQ(SqlType("DECIMAL64(18,4)").type.scale, 4u);
  EXPECT_EQ(SqlType("DECIMAL128(38,0)").type.precision, 38u);
  EXPECT_EQ(TypeName(d), "DECIMAL(10,2)");
  for (const char* bad : {"DECIMAL(39,2)", "DECIMAL(5,6)", "DECIMAL32(10,2)", "DECIMAL64(19,2)", "DECIMAL(0)"}) {
    EXPECT_EQ(ColumnTypeFromSql(Col("d", bad)).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SchemaTest, Strings) {
  EXPECT_EQ(SqlType("CHAR(10)").type.type, DataType::kChar);
  EXPECT_EQ(SqlType("CHAR(10)").max_length_bytes, 10u);
  EXPECT_EQ(SqlType("CHAR").max_length_bytes, 1u);
  EXPECT_EQ(SqlType("VARCHAR(64)").type.type, DataType::kVarchar);
  EXPECT_EQ(SqlType("VARCHAR(64)").max_length_bytes, 64u);
  EXPECT_EQ(SqlType("VARCHAR").max_length_bytes, 1u);
  EXPECT_EQ(SqlType("VARCHAR(1048576)").max_length_bytes, kVarcharLengthMaxBytes);
  EXPECT_EQ(SqlType("STRING").type.type, DataType::kString);
  EXPECT_EQ(SqlType("STRING").max_length_bytes, kStringLengthMaxBytes);
  EXPECT_EQ(TypeName(SqlType("VARCHAR(64)")), "VARCHAR(64)");
  for (const char* bad : {"CHAR(256)", "VARCHAR(1048577)", "VARCHAR(0)", "STRING(5)", "VARCHAR(1,2)"}) {
    EXPECT_EQ(ColumnTypeFromSql(Col("s", bad)).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SchemaTest, BadAndUnsupportedTypes) {
  Result<TableColumnType> r = ColumnTypeFromSql(Col("j", "JSON"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("column j"), std::string::npos);
  for (const char* bad : {"", "FOO", "INT(", "VARCHAR(x)", "DATE(3)", "(3)", "VARCHAR(10"}) {
    EXPECT_EQ(ColumnTypeFromSql(Col("x", bad)).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SchemaTest, TableSchemaKeepsOrderNullabilityDefaults) {
  meta::Table t{.name = "t",
                .columns = {Col("k", "BIGINT", false, std::nullopt, true), Col("v", "VARCHAR(8)", true, "x")}};
  Result<std::vector<TableColumn>> s = TableSchema(t);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].name, "k");
  EXPECT_FALSE((*s)[0].type.type.nullable);
  EXPECT_TRUE((*s)[0].is_key);
  EXPECT_TRUE((*s)[1].type.type.nullable);
  EXPECT_EQ((*s)[1].default_value, "x");
  EXPECT_EQ(FindColumn(*s, "V"), 1u);
  EXPECT_EQ(FindColumn(*s, "nope"), std::nullopt);
  std::vector<storage::ColumnSchema> storage = StorageSchema(*s);
  ASSERT_EQ(storage.size(), 2u);
  EXPECT_EQ(storage[1].name, "v");
  EXPECT_TRUE(storage::ValidateColumnSchema(storage[0]).ok());

  t.columns.push_back(Col("bad", "MONEY"));
  Result<std::vector<TableColumn>> bad = TableSchema(t);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("column bad"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace strata::load

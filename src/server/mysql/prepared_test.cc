// Prepared statements: placeholder scanning, parameter decoding and safe
// substitution; binary result rows.
#include "server/mysql/prepared.h"

#include <gtest/gtest.h>

#include <cstring>

#include "server/mysql/binary_row.h"
#include "server/mysql/wire.h"

namespace strata::server::mysql {
namespace {

TEST(PreparedTest, FindsPlaceholdersOutsideQuotesAndComments) {
  EXPECT_EQ(FindPlaceholders("SELECT ?, ?").size(), 2u);
  EXPECT_EQ(FindPlaceholders("SELECT '?', \"?\", `?`, ?").size(), 1u);
  EXPECT_EQ(FindPlaceholders("SELECT 'it''s ?', 'a\\'?', ?").size(), 1u);
  EXPECT_EQ(FindPlaceholders("SELECT ? -- ?\n, ? # ?\n, /* ? */ ?").size(), 3u);
  EXPECT_EQ(FindPlaceholders("SELECT 1--?").size(), 1u);  // "--" without a space is not a comment
  EXPECT_EQ(FindPlaceholders("SELECT 'unterminated ?").size(), 0u);
  std::vector<size_t> at = FindPlaceholders("a=? AND b=?");
  ASSERT_EQ(at.size(), 2u);
  EXPECT_EQ(at[0], 2u);
  EXPECT_EQ(at[1], 10u);
}

TEST(PreparedTest, QuotesStringsSafely) {
  EXPECT_EQ(QuoteString("abc"), "'abc'");
  EXPECT_EQ(QuoteString("it's"), "'it''s'");
  EXPECT_EQ(QuoteString("a\\'; DROP TABLE t; --"), "'a\\\\''; DROP TABLE t; --'");
  EXPECT_EQ(QuoteString(std::string("a\0b", 3)), "'a\\0b'");
}

struct ExecuteBuilder {
  WireWriter w;
  std::string nulls;
  std::vector<uint16_t> types;
  WireWriter values;

  explicit ExecuteBuilder(uint32_t id, size_t params) : nulls((params + 7) / 8, '\0') {
    w.U32(id);
    w.U8(0);
    w.U32(1);
  }
  void Null(size_t i, uint16_t type = 6) {
    nulls[i / 8] |= static_cast<char>(1 << (i % 8));
    types.push_back(type);
  }
  std::string Build(bool send_types = true) {
    w.Raw(nulls);
    w.U8(send_types ? 1 : 0);
    if (send_types) {
      for (uint16_t t : types) w.U16(t);
    }
    w.Raw(values.data());
    return w.Take();
  }
};

PreparedStatement Prepare(std::string sql) {
  PreparedStatement s;
  s.id = 1;
  s.sql = std::move(sql);
  s.placeholders = FindPlaceholders(s.sql);
  return s;
}

TEST(PreparedTest, DecodesEveryParameterKind) {
  PreparedStatement stmt = Prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ExecuteBuilder b(1, 9);
  b.types.push_back(8);  // LONGLONG -5
  b.values.U64(static_cast<uint64_t>(-5));
  b.types.push_back(0x8000 | 8);  // unsigned LONGLONG max
  b.values.U64(~0ull);
  b.types.push_back(1);  // TINY -1
  b.values.U8(0xFF);
  b.types.push_back(5);  // DOUBLE 1.5
  double d = 1.5;
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  b.values.U64(bits);
  b.types.push_back(253);  // VAR_STRING with a quote
  b.values.LenencStr("O'Brien\\");
  b.Null(5);
  b.types.push_back(246);  // NEWDECIMAL
  b.values.LenencStr("-12.50");
  b.types.push_back(12);  // DATETIME 2024-02-29 13:14:15.000007
  b.values.U8(11);
  b.values.U16(2024);
  b.values.U8(2);
  b.values.U8(29);
  b.values.U8(13);
  b.values.U8(14);
  b.values.U8(15);
  b.values.U32(7);
  b.types.push_back(10);  // DATE 2024-01-02
  b.values.U8(4);
  b.values.U16(2024);
  b.values.U8(1);
  b.values.U8(2);
  std::vector<std::string> lit;
  std::string why;
  ASSERT_TRUE(DecodeExecuteParams(b.Build(), &stmt, &lit, &why)) << why;
  std::vector<std::string> want = {"-5", "18446744073709551615", "-1", "1.5", "'O''Brien\\\\'", "NULL",
                                   "-12.50", "'2024-02-29 13:14:15.000007'", "'2024-01-02'"};
  EXPECT_EQ(lit, want);
  EXPECT_EQ(SubstituteParams(stmt.sql, stmt.placeholders, lit),
            "INSERT INTO t VALUES ( -5, 18446744073709551615,  -1, 1.5, 'O''Brien\\\\', NULL,  -12.50, "
            "'2024-02-29 13:14:15.000007', '2024-01-02')");
}

TEST(PreparedTest, RemembersTypesAndRejectsMalformedPackets) {
  PreparedStatement stmt = Prepare("SELECT ?");
  std::vector<std::string> lit;
  std::string why;
  ExecuteBuilder first(1, 1);
  first.types.push_back(3);
  first.values.U32(42);
  ASSERT_TRUE(DecodeExecuteParams(first.Build(), &stmt, &lit, &why)) << why;
  EXPECT_EQ(lit[0], "42");
  ExecuteBuilder again(1, 1);  // types not re-sent: the remembered LONG applies
  again.values.U32(43);
  ASSERT_TRUE(DecodeExecuteParams(again.Build(false), &stmt, &lit, &why)) << why;
  EXPECT_EQ(lit[0], "43");

  PreparedStatement fresh = Prepare("SELECT ?");
  ExecuteBuilder no_types(1, 1);
  no_types.values.U32(1);
  EXPECT_FALSE(DecodeExecuteParams(no_types.Build(false), &fresh, &lit, &why));

  ExecuteBuilder truncated(1, 1);
  truncated.types.push_back(8);
  truncated.values.U16(1);  // 2 of 8 bytes
  EXPECT_FALSE(DecodeExecuteParams(truncated.Build(), &fresh, &lit, &why));

  ExecuteBuilder nan(1, 1);
  nan.types.push_back(5);
  nan.values.U64(0x7FF8000000000000ull);
  EXPECT_FALSE(DecodeExecuteParams(nan.Build(), &fresh, &lit, &why));

  std::string full = first.Build();
  for (size_t n = 0; n < full.size(); n++) {
    PreparedStatement s = Prepare("SELECT ?");
    DecodeExecuteParams(std::string_view(full).substr(0, n), &s, &lit, &why);  // never crashes
  }
}

TEST(PreparedTest, LongDataReplacesTheValue) {
  PreparedStatement stmt = Prepare("SELECT ?, ?");
  stmt.long_data.resize(2);
  stmt.long_data[0] = std::string("big'blob");
  ExecuteBuilder b(1, 2);
  b.types.push_back(252);  // BLOB, value not in the packet
  b.types.push_back(3);
  b.values.U32(9);
  std::vector<std::string> lit;
  std::string why;
  ASSERT_TRUE(DecodeExecuteParams(b.Build(), &stmt, &lit, &why)) << why;
  EXPECT_EQ(lit[0], "'big''blob'");
  EXPECT_EQ(lit[1], "9");
  EXPECT_FALSE(stmt.long_data[0].has_value());
}

TEST(PreparedTest, DecimalTextThatIsNotANumberIsQuoted) {
  PreparedStatement stmt = Prepare("SELECT ?");
  ExecuteBuilder b(1, 1);
  b.types.push_back(246);
  b.values.LenencStr("1); DROP TABLE t; --");
  std::vector<std::string> lit;
  std::string why;
  ASSERT_TRUE(DecodeExecuteParams(b.Build(), &stmt, &lit, &why));
  EXPECT_EQ(lit[0], "'1); DROP TABLE t; --'");
}

TEST(BinaryRowTest, EncodesTypedValuesAndNullBitmap) {
  using T = sql::ColumnType;
  sql::ResultSet rs;
  rs.columns = {{"a", T::kLongLong}, {"b", T::kVarString}, {"c", T::kLong}, {"d", T::kDate}, {"e", T::kDouble}};
  rs.rows = {{"-2", "x", std::nullopt, "2024-01-02", "0.5"}};
  auto types = BinaryWireTypes(rs);
  ASSERT_EQ(types.size(), 5u);
  std::string row = BuildBinaryRow(rs.rows[0], types);
  WireWriter want;
  want.U8(0);
  want.U8(1 << 4);  // column 2 (c) is NULL: bit 2 + 2; (5 + 9) / 8 = 1 byte
  want.U64(static_cast<uint64_t>(-2));
  want.LenencStr("x");
  want.U8(4);
  want.U16(2024);
  want.U8(1);
  want.U8(2);
  double half = 0.5;
  uint64_t bits;
  std::memcpy(&bits, &half, 8);
  want.U64(bits);
  EXPECT_EQ(row, want.data());
}

TEST(BinaryRowTest, ColumnsWhoseValuesDoNotFitBecomeStrings) {
  using T = sql::ColumnType;
  sql::ResultSet rs;
  rs.columns = {{"a", T::kTiny}, {"b", T::kLong}, {"c", T::kDateTime}};
  rs.rows = {{"300", "abc", "2024-13-01 00:00:00"}, {"1", "2", "2024-01-01 00:00:00"}};
  auto types = BinaryWireTypes(rs);
  EXPECT_EQ(types[0], T::kVarString);
  EXPECT_EQ(types[1], T::kVarString);
  EXPECT_EQ(types[2], T::kVarString);
}

}  // namespace
}  // namespace strata::server::mysql

#include "load/value_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "load/load_test_util.h"

namespace strata::load {
namespace {

using storage::ColumnVector;
using storage::Datum;
using storage::int128;
using testing::SqlType;

int64_t Int(const std::string& sql, std::string_view text) {
  Result<Datum> d = ParseValue(SqlType(sql), text);
  EXPECT_TRUE(d.ok()) << sql << " " << text << ": " << d.status().ToString();
  return d.ok() ? std::get<int64_t>(*d) : -999;
}

int128 Wide(const std::string& sql, std::string_view text) {
  Result<Datum> d = ParseValue(SqlType(sql), text);
  EXPECT_TRUE(d.ok()) << sql << " " << text << ": " << d.status().ToString();
  return d.ok() ? std::get<int128>(*d) : -999;
}

double Double(const std::string& sql, std::string_view text) {
  Result<Datum> d = ParseValue(SqlType(sql), text);
  EXPECT_TRUE(d.ok()) << sql << " " << text << ": " << d.status().ToString();
  return d.ok() ? std::get<double>(*d) : -999;
}

// The error message, or "" when the value parsed.
std::string Error(const std::string& sql, std::string_view text) {
  Result<Datum> d = ParseValue(SqlType(sql), text);
  if (d.ok()) return "";
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  return d.status().message();
}

// Parses then prints.
std::string RoundTrip(const std::string& sql, std::string_view text) {
  TableColumnType t = SqlType(sql);
  ColumnVector v(t.type);
  Status s = AppendText(v, TableColumn{"c", t}, text, false);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return "<error>";
  return FormatValue(v, t, 0).value_or("NULL");
}

TEST(ValueParseTest, IntegersAndRanges) {
  EXPECT_EQ(Int("TINYINT", "127"), 127);
  EXPECT_EQ(Int("TINYINT", "-128"), -128);
  EXPECT_EQ(Int("SMALLINT", "+32767"), 32767);
  EXPECT_EQ(Int("INT", " -2147483648 "), INT32_MIN);
  EXPECT_EQ(Int("BIGINT", "9223372036854775807"), INT64_MAX);
  EXPECT_EQ(Int("BIGINT", "-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(Int("BIGINT", "007"), 7);
  EXPECT_NE(Error("TINYINT", "128").find("out of range for TINYINT"), std::string::npos);
  EXPECT_NE(Error("SMALLINT", "-32769"), "");
  EXPECT_NE(Error("INT", "2147483648"), "");
  EXPECT_NE(Error("BIGINT", "9223372036854775808"), "");
  EXPECT_NE(Error("BIGINT", "99999999999999999999999999999999999999999999"), "");
  EXPECT_EQ(Error("INT", "12a"), "'12a' is not a valid INT");
  for (const char* bad : {"", " ", "-", "+", "1.5", "1e3", "0x10", "true", "1 2", "--1"}) {
    EXPECT_NE(Error("INT", bad), "") << bad;
  }
}

TEST(ValueParseTest, LargeInt) {
  const int128 max = static_cast<int128>((~static_cast<unsigned __int128>(0)) >> 1);
  EXPECT_EQ(Wide("LARGEINT", "170141183460469231731687303715884105727"), max);
  EXPECT_EQ(Wide("LARGEINT", "-170141183460469231731687303715884105728"), -max - 1);
  EXPECT_EQ(Wide("LARGEINT", "-5"), -5);
  EXPECT_NE(Error("LARGEINT", "170141183460469231731687303715884105728").find("out of range"), std::string::npos);
  EXPECT_NE(Error("LARGEINT", "-170141183460469231731687303715884105729"), "");
  EXPECT_EQ(RoundTrip("LARGEINT", "-170141183460469231731687303715884105728"),
            "-170141183460469231731687303715884105728");
  EXPECT_EQ(RoundTrip("LARGEINT", "0"), "0");
}

TEST(ValueParseTest, FloatingPoint) {
  EXPECT_EQ(Double("DOUBLE", "1.5"), 1.5);
  EXPECT_EQ(Double("DOUBLE", "-2.5e-3"), -0.0025);
  EXPECT_EQ(Double("DOUBLE", "+1E10"), 1e10);
  EXPECT_EQ(Double("DOUBLE", " 3 "), 3.0);
  EXPECT_EQ(Double("FLOAT", "0.1"), static_cast<double>(0.1f));
  EXPECT_EQ(RoundTrip("FLOAT", "0.1"), "0.1");
  EXPECT_EQ(RoundTrip("DOUBLE", "0.1"), "0.1");
  EXPECT_EQ(RoundTrip("DOUBLE", "123456789.125"), "123456789.125");
  EXPECT_NE(Error("FLOAT", "1e39").find("out of range for FLOAT"), std::string::npos);
  EXPECT_NE(Error("DOUBLE", "1e400"), "");
  for (const char* bad : {"", "abc", "nan", "inf", "-infinity", "0x1p3", "1.5.5", "1,5"}) {
    EXPECT_NE(Error("DOUBLE", bad), "") << bad;
  }
}

TEST(ValueParseTest, DecimalExactWithRounding) {
  EXPECT_EQ(Int("DECIMAL(10,2)", "123.45"), 12345);
  EXPECT_EQ(Int("DECIMAL(10,2)", "-123.45"), -12345);
  EXPECT_EQ(Int("DECIMAL(10,2)", "7"), 700);
  EXPECT_EQ(Int("DECIMAL(10,2)", ".5"), 50);
  EXPECT_EQ(Int("DECIMAL(10,2)", "5."), 500);
  EXPECT_EQ(Int("DECIMAL(10,2)", "000123.4"), 12340);
  // Half away from zero at the scale.
  EXPECT_EQ(Int("DECIMAL(10,2)", "1.005"), 101);
  EXPECT_EQ(Int("DECIMAL(10,2)", "1.0049999"), 100);
  EXPECT_EQ(Int("DECIMAL(10,2)", "-1.005"), -101);
  EXPECT_EQ(Int("DECIMAL(10,0)", "2.5"), 3);
  EXPECT_EQ(Int("DECIMAL(10,0)", "-2.5"), -3);
  // Integer digits beyond p-s, before or after rounding.
  EXPECT_EQ(Int("DECIMAL(5,2)", "999.99"), 99999);
  EXPECT_NE(Error("DECIMAL(5,2)", "1000").find("out of range for DECIMAL(5,2)"), std::string::npos);
  EXPECT_NE(Error("DECIMAL(5,2)", "999.995"), "");
  EXPECT_EQ(Int("DECIMAL(5,5)", "0.12345"), 12345);
  EXPECT_NE(Error("DECIMAL(5,5)", "1.0"), "");
  for (const char* bad : {"", ".", "-", "1.2.3", "1e5", "abc", "1 2", "--1", "0x1"}) {
    EXPECT_NE(Error("DECIMAL(10,2)", bad), "") << bad;
  }
}

TEST(ValueParseTest, WideDecimal) {
  int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  max38 -= 1;
  EXPECT_EQ(Wide("DECIMAL(38,0)", "99999999999999999999999999999999999999"), max38);
  EXPECT_EQ(Wide("DECIMAL(38,10)", "-9999999999999999999999999999.9999999999"), -max38);
  EXPECT_NE(Error("DECIMAL(38,0)", "100000000000000000000000000000000000000"), "");
  EXPECT_EQ(Wide("DECIMAL(20,4)", "1.23456"), 12346);
  EXPECT_EQ(RoundTrip("DECIMAL(38,10)", "-12.5"), "-12.5000000000");
  EXPECT_EQ(RoundTrip("DECIMAL(10,2)", "-0.05"), "-0.05");
  EXPECT_EQ(RoundTrip("DECIMAL(10,2)", "0"), "0.00");
  EXPECT_EQ(RoundTrip("DECIMAL(10,0)", "42"), "42");
}

TEST(ValueParseTest, Boolean) {
  EXPECT_EQ(Int("BOOLEAN", "true"), 1);
  EXPECT_EQ(Int("BOOLEAN", "TRUE"), 1);
  EXPECT_EQ(Int("BOOLEAN", "1"), 1);
  EXPECT_EQ(Int("BOOLEAN", "False"), 0);
  EXPECT_EQ(Int("BOOLEAN", "0"), 0);
  for (const char* bad : {"", "2", "yes", "t", "-1", "truee"}) EXPECT_NE(Error("BOOLEAN", bad), "") << bad;
  EXPECT_EQ(RoundTrip("BOOLEAN", "true"), "1");
}

TEST(ValueParseTest, Date) {
  EXPECT_EQ(Int("DATE", "1970-01-01"), 0);
  EXPECT_EQ(Int("DATE", "1970-01-02"), 1);
  EXPECT_EQ(Int("DATE", "1969-12-31"), -1);
  EXPECT_EQ(Int("DATE", "2000-03-01"), 11017);
  EXPECT_EQ(Int("DATE", "2024-02-29"), 19782);
  EXPECT_EQ(Int("DATE", "2024-02-29 13:14:15"), 19782);  // time dropped
  EXPECT_EQ(RoundTrip("DATE", "0001-01-01"), "0001-01-01");
  EXPECT_EQ(RoundTrip("DATE", "9999-12-31"), "9999-12-31");
  EXPECT_EQ(RoundTrip("DATE", "1900-02-28"), "1900-02-28");
  for (const char* bad : {"", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "0000-01-01",
                          "2024-1-5", "20240105", "2024/01/05", "2024-01-05 25:00:00", "2024-01-05x"}) {
    EXPECT_NE(Error("DATE", bad), "") << bad;
  }
}

TEST(ValueParseTest, DateTime) {
  EXPECT_EQ(Int("DATETIME", "1970-01-01 00:00:00"), 0);
  EXPECT_EQ(Int("DATETIME", "1970-01-01 00:00:01.5"), 1'500'000);
  EXPECT_EQ(Int("DATETIME", "1970-01-01T00:01:00"), 60'000'000);
  EXPECT_EQ(Int("DATETIME", "1970-01-02"), 86'400'000'000);
  EXPECT_EQ(Int("DATETIME", "1969-12-31 23:59:59.999999"), -1);
  EXPECT_EQ(Int("DATETIME", "2024-05-06 07:08:09.123456789"), Int("DATETIME", "2024-05-06 07:08:09.123456"));
  EXPECT_EQ(RoundTrip("DATETIME", "2024-05-06 07:08:09"), "2024-05-06 07:08:09");
  EXPECT_EQ(RoundTrip("DATETIME", "2024-05-06 07:08:09.000120"), "2024-05-06 07:08:09.000120");
  EXPECT_EQ(RoundTrip("DATETIME", "1969-12-31 23:59:59.5"), "1969-12-31 23:59:59.500000");
  EXPECT_EQ(RoundTrip("DATETIME", "0001-01-01 00:00:00"), "0001-01-01 00:00:00");
  EXPECT_EQ(RoundTrip("DATETIME", "9999-12-31 23:59:59.999999"), "9999-12-31 23:59:59.999999");
  for (const char* bad : {"", "2024-05-06 24:00:00", "2024-05-06 07:60:00", "2024-05-06 07:08:60",
                          "2024-05-06 7:08:09", "2024-05-06 07:08:09.", "2024-05-06 07:08:09.1234567890",
                          "2024-05-06 07:08:09Z", "2024-05-06 07:08:09+08:00", "2024-05-06T", "2024-05-06X07:08:09"}) {
    EXPECT_NE(Error("DATETIME", bad), "") << bad;
  }
}

TEST(ValueParseTest, StringsKeepBytesAndCheckLength) {
  EXPECT_EQ(RoundTrip("VARCHAR(5)", " ab  "), " ab  ");  // no trimming for strings
  EXPECT_EQ(RoundTrip("VARCHAR(5)", ""), "");
  EXPECT_EQ(RoundTrip("CHAR(3)", "abc"), "abc");
  EXPECT_EQ(RoundTrip("VARCHAR(6)", "\xC3\xA9\xC3\xA9\xC3\xA9"), "\xC3\xA9\xC3\xA9\xC3\xA9");  // 6 bytes, 3 chars
  EXPECT_EQ(Error("VARCHAR(5)", "\xC3\xA9\xC3\xA9\xC3\xA9"),
            "'\xC3\xA9\xC3\xA9\xC3\xA9' is 6 bytes, longer than the 5 allowed by VARCHAR(5)");
  EXPECT_NE(Error("CHAR(2)", "abc"), "");
  EXPECT_EQ(Error("STRING", std::string(kStringLengthMaxBytes, 'x')), "");
  EXPECT_NE(Error("STRING", std::string(kStringLengthMaxBytes + 1, 'x')), "");
}

TEST(ValueParseTest, MessagesTruncateLongValues) {
  std::string long_value(1000, '7');
  std::string msg = Error("INT", long_value);
  EXPECT_LT(msg.size(), 150u) << msg;
  EXPECT_NE(msg.find("...' (1000 bytes)"), std::string::npos) << msg;
  EXPECT_EQ(QuoteForMessage("abc"), "'abc'");
}

TEST(ValueParseTest, AppendTextNullsAndErrorsNameTheColumn) {
  TableColumn nullable{"n", SqlType("INT")};
  TableColumn not_null{"k", SqlType("INT", /*nullable=*/false)};
  ColumnVector v(nullable.type.type);
  ASSERT_TRUE(AppendText(v, nullable, "", true).ok());
  ASSERT_TRUE(AppendText(v, nullable, "5", false).ok());
  Status bad = AppendText(v, nullable, "x", false);
  EXPECT_EQ(bad.message(), "column 'n': 'x' is not a valid INT");
  ASSERT_EQ(v.size(), 2u);  // nothing appended on error
  EXPECT_EQ(FormatValue(v, nullable.type, 0), std::nullopt);
  EXPECT_EQ(FormatValue(v, nullable.type, 1), "5");

  ColumnVector k(not_null.type.type);
  Status null_in_key = AppendText(k, not_null, "", true);
  EXPECT_EQ(null_in_key.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(null_in_key.message(), "column 'k': NULL in a NOT NULL column");
  EXPECT_EQ(k.size(), 0u);
}

TEST(ValueParseTest, ParsedValuesPassStorageValidation) {
  for (const auto& [sql, text] : std::vector<std::pair<std::string, std::string>>{
           {"TINYINT", "-128"}, {"DECIMAL(9,2)", "9999999.99"}, {"DECIMAL(38,2)", "-1.5"}, {"BOOLEAN", "1"},
           {"DATE", "9999-12-31"}, {"DATETIME", "0001-01-01 00:00:00"}, {"LARGEINT", "-1"}}) {
    TableColumnType t = SqlType(sql);
    ColumnVector v(t.type);
    ASSERT_TRUE(AppendText(v, TableColumn{"c", t}, text, false).ok()) << sql;
    EXPECT_TRUE(v.Validate().ok()) << sql << " " << text;
  }
}

TEST(ValueParseTest, CalendarRoundTripsEveryDayOfFourCenturies) {
  // 0001-01-01 .. 9999-12-31 would be slow-ish; four centuries cover the cycle.
  for (int64_t days = -146097 * 2; days < 146097 * 2; ++days) {
    std::string text = FormatDateDays(days);
    std::optional<int64_t> back = ParseDateDays(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(*back, days) << text;
  }
}

}  // namespace
}  // namespace strata::load

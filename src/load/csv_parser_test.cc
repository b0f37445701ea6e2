#include "load/csv_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::load {
namespace {

// Each record as its fields ("<NULL>" for NULL), or "ERR: message".
struct Rec {
  uint64_t record_number;
  uint64_t line_number;
  std::vector<std::string> fields;
  std::string error;
};

std::vector<Rec> ReadAll(std::string_view body, const CsvOptions& options) {
  EXPECT_TRUE(ValidateCsvOptions(options).ok()) << ValidateCsvOptions(options).ToString();
  CsvReader reader(body, options);
  std::vector<Rec> out;
  SourceRow row;
  for (int guard = 0; reader.Next(&row); ++guard) {
    EXPECT_LT(guard, 1000);
    Rec r{row.record_number, row.line_number, {}, row.error.ok() ? "" : row.error.message()};
    for (const SourceField& f : row.fields) r.fields.push_back(f.is_null ? "<NULL>" : std::string(f.text));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::vector<std::string>> Fields(std::string_view body, const CsvOptions& options = {}) {
  std::vector<std::vector<std::string>> out;
  for (const Rec& r : ReadAll(body, options)) {
    EXPECT_EQ(r.error, "");
    out.push_back(r.fields);
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvParserTest, DefaultTabAndNewline) {
  EXPECT_EQ(Fields("1\ta\n2\tb\n"), (Rows{{"1", "a"}, {"2", "b"}}));
  EXPECT_EQ(Fields("1\ta\n2\tb"), (Rows{{"1", "a"}, {"2", "b"}}));  // no final delimiter
  EXPECT_EQ(Fields(""), Rows{});
  EXPECT_EQ(Fields("\n\n"), Rows{});                                  // blank lines skipped
  EXPECT_EQ(Fields("a\t\tc\n"), (Rows{{"a", "", "c"}}));             // empty field
  EXPECT_EQ(Fields("a\t\n"), (Rows{{"a", ""}}));
}

TEST(CsvParserTest, CrLfAndNullMarker) {
  EXPECT_EQ(Fields("1\ta\r\n2\t\\N\r\n"), (Rows{{"1", "a"}, {"2", "<NULL>"}}));
  EXPECT_EQ(Fields("1\ta\r"), (Rows{{"1", "a"}}));
  EXPECT_EQ(Fields("a\rb\tc\n"), (Rows{{"a\rb", "c"}}));  // a lone CR inside a field stays
  EXPECT_EQ(Fields("\\N\t\\NN\t\\n\n"), (Rows{{"<NULL>", "\\NN", "\\n"}}));
}

TEST(CsvParserTest, MultiByteSeparatorsAndDelimiters) {
  CsvOptions o{.column_separator = "||", .row_delimiter = "<EOL>"};
  EXPECT_EQ(Fields("a||b|c||<EOL>d||e||f<EOL>", o), (Rows{{"a", "b|c", ""}, {"d", "e", "f"}}));
  CsvOptions hex{.column_separator = *DecodeDelimiter("\\x01"), .row_delimiter = *DecodeDelimiter("\\x0203")};
  EXPECT_EQ(Fields("a\x01" "b\x02\x03" "c\x01" "d", hex), (Rows{{"a", "b"}, {"c", "d"}}));
}

TEST(CsvParserTest, DecodeDelimiterForms) {
  EXPECT_EQ(*DecodeDelimiter(","), ",");
  EXPECT_EQ(*DecodeDelimiter("\\t"), "\t");
  EXPECT_EQ(*DecodeDelimiter("\\n"), "\n");
  EXPECT_EQ(*DecodeDelimiter("\\r\\n"), "\r\n");
  EXPECT_EQ(*DecodeDelimiter("\\x01"), "\x01");
  EXPECT_EQ(*DecodeDelimiter("\\X0a0B"), "\x0a\x0b");
  EXPECT_EQ(*DecodeDelimiter("a\\b"), "a\\b");
  EXPECT_EQ(*DecodeDelimiter("\\x"), "\\x");  // too short to be hex: literal
  EXPECT_FALSE(DecodeDelimiter("").ok());
  EXPECT_FALSE(DecodeDelimiter("\\x0").ok());
  EXPECT_FALSE(DecodeDelimiter("\\xzz").ok());
  EXPECT_FALSE(DecodeDelimiter(std::string(51, ',')).ok());
  EXPECT_EQ(*DecodeCsvChar("\""), '"');
  EXPECT_EQ(*DecodeCsvChar("\\x22"), '"');
  EXPECT_FALSE(DecodeCsvChar("ab").ok());
}

TEST(CsvParserTest, ValidateOptions) {
  EXPECT_TRUE(ValidateCsvOptions({}).ok());
  EXPECT_FALSE(ValidateCsvOptions({.column_separator = ""}).ok());
  EXPECT_FALSE(ValidateCsvOptions({.column_separator = "\n"}).ok());
  EXPECT_FALSE(ValidateCsvOptions({.column_separator = "ab", .row_delimiter = "a"}).ok());
  EXPECT_FALSE(ValidateCsvOptions({.column_separator = ",", .enclose = '"', .escape = '"'}).ok());
  EXPECT_FALSE(ValidateCsvOptions({.column_separator = ",", .enclose = ','}).ok());
  EXPECT_FALSE(ValidateCsvOptions({.column_separator = "a\\b", .escape = '\\'}).ok());
}

TEST(CsvParserTest, EncloseAndEscape) {
  CsvOptions o{.column_separator = ",", .enclose = '"', .escape = '\\'};
  EXPECT_EQ(Fields("\"a,b\",c\n", o), (Rows{{"a,b", "c"}}));
  EXPECT_EQ(Fields("\"multi\nline\",x\ny,z\n", o), (Rows{{"multi\nline", "x"}, {"y", "z"}}));
  EXPECT_EQ(Fields("\"say \"\"hi\"\"\",2\n", o), (Rows{{"say \"hi\"", "2"}}));     // doubled enclose
  EXPECT_EQ(Fields("\"say \\\"hi\\\"\",2\n", o), (Rows{{"say \"hi\"", "2"}}));     // escaped enclose
  EXPECT_EQ(Fields("a\\,b,c\n", o), (Rows{{"a,b", "c"}}));                         // escaped separator
  EXPECT_EQ(Fields("a\\\nb,c\n", o), (Rows{{"a\nb", "c"}}));                       // escaped row delimiter
  EXPECT_EQ(Fields("\"\",\"\\N\",\\N\n", o), (Rows{{"", "N", "<NULL>"}}));        // only a bare \N is NULL
  EXPECT_EQ(Fields("ab\"c,d\n", o), (Rows{{"ab\"c", "d"}}));                       // enclose mid-field is data
  EXPECT_EQ(Fields("\"a\"\r\n\"b\"", o), (Rows{{"a"}, {"b"}}));
}

TEST(CsvParserTest, MalformedEnclosedFieldsAreRowErrorsAndReadingContinues) {
  CsvOptions o{.column_separator = ",", .enclose = '"'};
  std::vector<Rec> recs = ReadAll("1,ok\n\"a\"x,2\n3,fine\n", o);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].error, "");
  EXPECT_EQ(recs[1].error, "unexpected 'x' after a closing enclose");
  EXPECT_EQ(recs[1].line_number, 2u);
  EXPECT_EQ(recs[2].fields, (std::vector<std::string>{"3", "fine"}));
  EXPECT_EQ(recs[2].line_number, 3u);

  recs = ReadAll("1,ok\n\"open,2\n3,x\n", o);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].error, "enclosed field has no closing '\"'");
}

TEST(CsvParserTest, SkipHeaderAndLineNumbers) {
  CsvOptions o{.column_separator = ",", .enclose = '"', .skip_header_rows = 2};
  std::vector<Rec> recs = ReadAll("id,name\nBIGINT,VARCHAR\n1,\"a\nb\"\n\n2,c\n", o);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (std::vector<std::string>{"1", "a\nb"}));
  EXPECT_EQ(recs[0].record_number, 3u);
  EXPECT_EQ(recs[0].line_number, 3u);
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"2", "c"}));
  EXPECT_EQ(recs[1].record_number, 5u);  // the blank record 4 counts
  EXPECT_EQ(recs[1].line_number, 6u);    // the enclosed newline adds a line
  EXPECT_EQ(Fields("h\n", o), Rows{});
}

TEST(CsvParserTest, TrimSpace) {
  CsvOptions o{.column_separator = ",", .enclose = '"', .trim_space = true};
  EXPECT_EQ(Fields("  a  ,  \" b \"  , \\N \n", o), (Rows{{"a", " b ", "<NULL>"}}));
  CsvOptions keep{.column_separator = ","};
  EXPECT_EQ(Fields("  a  , b\n", keep), (Rows{{"  a  ", " b"}}));
}

TEST(CsvParserTest, SizeBytesExcludesTheDelimiter) {
  CsvReader reader("abc,d\r\nxy", {.column_separator = ","});
  SourceRow row;
  ASSERT_TRUE(reader.Next(&row));
  EXPECT_EQ(row.size_bytes, 5u);
  ASSERT_TRUE(reader.Next(&row));
  EXPECT_EQ(row.size_bytes, 2u);
  EXPECT_FALSE(reader.Next(&row));
}

TEST(CsvParserTest, TooManyFieldsIsARowError) {
  std::string body(kCsvFieldsMax + 5, ',');
  body += "\nok\n";
  std::vector<Rec> recs = ReadAll(body, {.column_separator = ","});
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_NE(recs[0].error.find("more than"), std::string::npos);
  EXPECT_EQ(recs[1].fields, std::vector<std::string>{"ok"});
}

}  // namespace
}  // namespace strata::load

#include "load/json_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::load {
namespace {

// Each record's fields ("<NULL>", "<MISSING>"), or its error message as the only element.
struct Rec {
  uint64_t line_number;
  std::vector<std::string> fields;
  std::string error;
};

Result<std::vector<Rec>> ReadAll(std::string_view body, JsonOptions options, std::vector<std::string> names) {
  STRATA_ASSIGN_OR_RETURN(auto reader, JsonReader::Make(body, std::move(options), std::move(names)));
  std::vector<Rec> out;
  SourceRow row;
  for (int guard = 0; guard < 1000; ++guard) {
    STRATA_ASSIGN_OR_RETURN(bool more, reader->Next(&row));
    if (!more) return out;
    Rec r{row.line_number, {}, row.error.ok() ? "" : row.error.message()};
    for (const SourceField& f : row.fields) {
      r.fields.push_back(f.is_missing ? "<MISSING>" : f.is_null ? "<NULL>" : std::string(f.text));
    }
    out.push_back(std::move(r));
  }
  ADD_FAILURE() << "reader did not stop";
  return out;
}

using Fields = std::vector<std::string>;

TEST(JsonParserTest, NdjsonObjects) {
  auto recs = ReadAll("{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": null}\n\n{\"name\":\"c\"}", {},
                      {"id", "name"});
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_EQ(recs->size(), 3u);
  EXPECT_EQ((*recs)[0].fields, (Fields{"1", "a"}));
  EXPECT_EQ((*recs)[1].fields, (Fields{"2", "<NULL>"}));
  EXPECT_EQ((*recs)[2].fields, (Fields{"<MISSING>", "c"}));
  EXPECT_EQ((*recs)[2].line_number, 4u);
}

TEST(JsonParserTest, ConcatenatedAndPrettyPrintedObjects) {
  auto recs = ReadAll("{\"a\":1}{\"a\":2} {\n  \"a\": 3\n}\n", {}, {"a"});
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 3u);
  EXPECT_EQ((*recs)[2].fields, Fields{"3"});
  EXPECT_EQ((*recs)[2].line_number, 1u);
}

TEST(JsonParserTest, StripOuterArray) {
  JsonOptions o{.strip_outer_array = true};
  auto recs = ReadAll("\xEF\xBB\xBF [ {\"a\": 1},\n {\"a\": \"x,]\"} ] \n", o, {"a"});
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ((*recs)[1].fields, Fields{"x,]"});
  EXPECT_EQ((*recs)[1].line_number, 2u);
  auto empty = ReadAll("[]", o, {"a"});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(JsonParserTest, OuterStructureErrorsFailTheBody) {
  JsonOptions strip{.strip_outer_array = true};
  EXPECT_NE(ReadAll("[{\"a\":1}]", {}, {"a"}).status().message().find("strip_outer_array=true"), std::string::npos);
  EXPECT_EQ(ReadAll("{\"a\":1}", strip, {"a"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ReadAll("[{\"a\":1} {\"a\":2}]", strip, {"a"}).status().message().find("expected ','"),
            std::string::npos);
  EXPECT_NE(ReadAll("[{\"a\":1}", strip, {"a"}).status().message().find("not closed"), std::string::npos);
  EXPECT_NE(ReadAll("[{\"a\":1}] x", strip, {"a"}).status().message().find("after the JSON array"),
            std::string::npos);
  EXPECT_FALSE(ReadAll("[{\"a\":1},]", strip, {"a"}).ok());
}

TEST(JsonParserTest, BadRecordsAreRowErrors) {
  auto recs = ReadAll("{\"a\":1}\n{\"a\": tru}\n5\n\"s\"\n{\"a\":2}\n", {}, {"a"});
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_EQ(recs->size(), 5u);
  EXPECT_NE((*recs)[1].error.find("malformed JSON '{\"a\": tru}'"), std::string::npos) << (*recs)[1].error;
  EXPECT_EQ((*recs)[2].error, "a JSON row must be an object, not number");
  EXPECT_EQ((*recs)[3].error, "a JSON row must be an object, not string");
  EXPECT_EQ((*recs)[4].fields, Fields{"2"});

  auto open = ReadAll("{\"a\":1}\n{\"a\": [1, 2}\n", {}, {"a"});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[1].error, "unterminated JSON value");

  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto nested = ReadAll("{\"a\": " + deep + "}", {}, {"a"});
  ASSERT_TRUE(nested.ok());
  EXPECT_NE((*nested)[0].error.find("deeper"), std::string::npos);

  auto big = ReadAll("{\"a\": \"" + std::string(100, 'x') + "\"}", {.row_size_max_bytes = 50}, {"a"});
  ASSERT_TRUE(big.ok());
  EXPECT_NE((*big)[0].error.find("more than the maximum 50"), std::string::npos);
}

TEST(JsonParserTest, ValueConversions) {
  auto recs = ReadAll(
      R"({"i": -7, "u": 18446744073709551615, "f": 0.1, "g": 1e20, "e": 2.5e-7, "t": true, "n": false,)"
      R"( "o": {"x": [1, "y"]}, "s": "tab\tq\"", "whole": 3.0})",
      {}, {"i", "u", "f", "g", "e", "t", "n", "o", "s", "whole"});
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  EXPECT_EQ((*recs)[0].fields, (Fields{"-7", "18446744073709551615", "0.1", "100000000000000000000", "0.00000025",
                                       "true", "false", R"({"x":[1,"y"]})", "tab\tq\"", "3"}));
}

TEST(JsonParserTest, NameLookupIsExactThenCaseInsensitive) {
  auto recs = ReadAll(R"({"ID": 1, "id": 2, "Name": "n"})", {}, {"id", "NAME", "other"});
  ASSERT_TRUE(recs.ok());
  EXPECT_EQ((*recs)[0].fields, (Fields{"2", "n", "<MISSING>"}));
}

TEST(JsonParserTest, JsonPaths) {
  Result<std::vector<std::string>> paths = ParseJsonPathsHeader(R"(["$.id", "$.user.name", "$"])");
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  JsonOptions o{.jsonpaths = *paths};
  auto recs = ReadAll(R"({"id": 1, "user": {"name": "ann"}} {"id": 2, "user": 5})", o, {"k", "name", "raw"});
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ((*recs)[0].fields, (Fields{"1", "ann", R"({"id":1,"user":{"name":"ann"}})"}));
  EXPECT_EQ((*recs)[1].fields[1], "<MISSING>");

  EXPECT_NE(ReadAll("{}", o, {"only_one"}).status().message().find("3 paths but there are 1 columns"),
            std::string::npos);
  for (const char* bad : {"$.a", R"(["a.b"])", R"(["$..a"])", R"(["$.a[0]"])", R"(["$.*"])", R"([1])", "[\"$.\"]"}) {
    EXPECT_EQ(ParseJsonPathsHeader(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace strata::load

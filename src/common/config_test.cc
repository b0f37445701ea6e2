#include "common/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace strata {
namespace {

using Keys = std::set<std::string, std::less<>>;

const Keys kKeys = {"query_port", "http_port", "meta_dir", "name", "enable_x", "sys_log.level", "empty_value"};

Config MustParse(std::string_view text) {
  Result<Config> r = Config::Parse(text, "fe.conf", kKeys);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Config();
}

TEST(ConfigTest, ParsesKeysValuesCommentsAndBlankLines) {
  Config c = MustParse(
      "# a comment\n"
      "\n"
      "query_port = 9030\n"
      "   \t\n"
      "    # an indented comment = with an equals sign\n"
      "http_port=8030\n"
      "\t meta_dir   =   /var/lib/strata/meta  \t\n"
      "sys_log.level = INFO");  // no trailing newline
  EXPECT_EQ(c.values().size(), 4u);
  EXPECT_EQ(c.GetString("query_port", ""), "9030");
  EXPECT_EQ(c.GetString("http_port", ""), "8030");
  EXPECT_EQ(c.GetString("meta_dir", ""), "/var/lib/strata/meta");
  EXPECT_EQ(c.GetString("sys_log.level", ""), "INFO");
  EXPECT_TRUE(c.Has("query_port"));
  EXPECT_FALSE(c.Has("name"));
}

TEST(ConfigTest, EmptyTextIsEmptyConfig) {
  Config c = MustParse("");
  EXPECT_TRUE(c.values().empty());
  Config d = MustParse("\n\n# only comments\n\n");
  EXPECT_TRUE(d.values().empty());
}

TEST(ConfigTest, CrLfLineEndings) {
  Config c = MustParse("query_port = 9030\r\nname = fe1\r\n");
  EXPECT_EQ(c.GetString("query_port", ""), "9030");
  EXPECT_EQ(c.GetString("name", ""), "fe1");
}

TEST(ConfigTest, QuotesAreRemoved) {
  Config c = MustParse(
      "name = \"  spaced name  \"\n"
      "meta_dir = \"/a=b\"\n"
      "empty_value = \"\"\n");
  EXPECT_EQ(c.GetString("name", ""), "  spaced name  ");
  EXPECT_EQ(c.GetString("meta_dir", ""), "/a=b");
  EXPECT_TRUE(c.Has("empty_value"));
  EXPECT_EQ(c.GetString("empty_value", "fallback"), "");
}

TEST(ConfigTest, ValueMayContainEquals) {
  Config c = MustParse("meta_dir = a=b=c\n");
  EXPECT_EQ(c.GetString("meta_dir", ""), "a=b=c");
}

TEST(ConfigTest, EmptyValueIsPresent) {
  Config c = MustParse("empty_value =\n");
  EXPECT_TRUE(c.Has("empty_value"));
  EXPECT_EQ(c.GetString("empty_value", "fallback"), "");
}

TEST(ConfigTest, LastOneWins) {
  Config c = MustParse("query_port = 1\nquery_port = 2\nquery_port = 3\n");
  EXPECT_EQ(c.values().size(), 1u);
  Result<int64_t> port = c.GetInt("query_port", 0);
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(*port, 3);
}

TEST(ConfigTest, LastOneWinsAlsoForTheLineInErrors) {
  Config c = MustParse("query_port = 1\n\nquery_port = nope\n");
  Result<int64_t> port = c.GetInt("query_port", 0);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("fe.conf:3:"), std::string::npos) << port.status().message();
}

TEST(ConfigTest, MalformedLineNamesSourceAndLine) {
  Result<Config> r = Config::Parse("# header\nquery_port = 9030\nhttp_port 8030\n", "fe.conf", kKeys);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "fe.conf:3: malformed line (want key = value): 'http_port 8030'");
}

TEST(ConfigTest, MalformedKeyIsAnError) {
  for (const char* text : {"= 5\n", "bad key = 5\n", "bad-key = 5\n", "k\xc3\xa9y = 5\n"}) {
    SCOPED_TRACE(text);
    Result<Config> r = Config::Parse(text, "cn.conf", kKeys);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(r.status().message().starts_with("cn.conf:1: malformed key")) << r.status().message();
  }
}

TEST(ConfigTest, UnbalancedQuotesAreAnError) {
  for (const char* text : {"name = \"abc\n", "name = abc\"\n", "name = \"\n"}) {
    SCOPED_TRACE(text);
    Result<Config> r = Config::Parse(std::string("\n") + text, "fe.conf", kKeys);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(r.status().message().starts_with("fe.conf:2: unbalanced quotes")) << r.status().message();
    EXPECT_NE(r.status().message().find("'name'"), std::string::npos);
  }
}

TEST(ConfigTest, UnknownKeyIsNamed) {
  Result<Config> r = Config::Parse("query_port = 9030\nqeury_port = 9031\n", "fe.conf", kKeys);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "fe.conf:2: unknown key 'qeury_port'");
}

TEST(ConfigTest, GetIntParsesAndFallsBack) {
  Config c = MustParse("query_port = 9030\nhttp_port = -17\n");
  Result<int64_t> a = c.GetInt("query_port", 1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 9030);
  Result<int64_t> b = c.GetInt("http_port", 1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, -17);
  Result<int64_t> missing = c.GetInt("name", 42);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, 42);
}

TEST(ConfigTest, GetIntRejectsNonIntegers) {
  for (const char* v : {"abc", "12abc", "1.5", "", "99999999999999999999", "0x10", "\" 5\""}) {
    SCOPED_TRACE(v);
    Config c = MustParse(std::string("# x\nquery_port = ") + v + "\n");
    Result<int64_t> r = c.GetInt("query_port", 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = r.status().message();
    EXPECT_TRUE(m.starts_with("fe.conf:2: 'query_port' wants an integer")) << m;
  }
}

TEST(ConfigTest, GetBool) {
  Config c = MustParse("enable_x = true\nname = FALSE\n");
  Result<bool> a = c.GetBool("enable_x", false);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(*a);
  Result<bool> b = c.GetBool("name", true);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(*b);
  Result<bool> missing = c.GetBool("meta_dir", true);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(*missing);
}

TEST(ConfigTest, GetBoolRejectsOtherWords) {
  for (const char* v : {"yes", "1", "0", "True", "on", ""}) {
    SCOPED_TRACE(v);
    Config c = MustParse(std::string("enable_x = ") + v + "\n");
    Result<bool> r = c.GetBool("enable_x", false);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(r.status().message().starts_with("fe.conf:1: 'enable_x' wants true or false")) << r.status().message();
  }
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata_config_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::remove((dir_ + "/fe.conf").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(ConfigFileTest, LoadReadsFileAndNamesItInErrors) {
  std::string path = dir_ + "/fe.conf";
  {
    std::ofstream out(path);
    out << "query_port = 9030\nbogus = 1\n";
  }
  Result<Config> r = Config::Load(path, kKeys);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), path + ":2: unknown key 'bogus'");
  {
    std::ofstream out(path, std::ios::trunc);
    out << "query_port = 9030\n";
  }
  Result<Config> ok = Config::Load(path, kKeys);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->GetString("query_port", ""), "9030");
}

TEST_F(ConfigFileTest, LoadMissingFileIsNotFound) {
  Result<Config> r = Config::Load(dir_ + "/does-not-exist.conf", kKeys);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata

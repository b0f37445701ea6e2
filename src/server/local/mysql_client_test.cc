// The MySQL client against the real protocol server (server/mysql/) and the
// real SQL engine (over an in-memory catalog), on a loopback port.
#include "server/local/mysql_client.h"

#include <gtest/gtest.h>

#include "server/mysql/mysql_server.h"
#include "sql/sql_test_util.h"

namespace strata::server::local {
namespace {

class MysqlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::EngineOptions options;
    options.cluster_id = "c-1";
    engine_ = sql::NewEngine(&catalog_, &catalog_, options);
    mysql::MysqlServerOptions o;
    o.port = 0;
    server_ = std::make_unique<mysql::MysqlServer>(o, engine_.get());
    ASSERT_TRUE(server_->Start().ok());
  }

  MysqlClientOptions Options(const std::string& user = "root", const std::string& password = "",
                             const std::string& db = "") {
    MysqlClientOptions o;
    o.port = server_->port();
    o.user = user;
    o.password = password;
    o.database = db;
    o.query_timeout_ms = 5000;
    return o;
  }

  std::unique_ptr<MysqlClient> Root(const std::string& db = "") {
    auto c = MysqlClient::Connect(Options("root", "", db));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  static MysqlResult Run(MysqlClient& c, std::string_view sql) {
    Result<MysqlResult> r = c.Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? std::move(r).value() : MysqlResult{};
  }

  sql::testing::MemCatalog catalog_;
  std::unique_ptr<sql::Engine> engine_;
  std::unique_ptr<mysql::MysqlServer> server_;
};

TEST_F(MysqlClientTest, SelectReturnsColumnsAndRows) {
  auto c = Root();
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->server_version(), "");
  EXPECT_GT(c->connection_id(), 0u);
  MysqlResult r = Run(*c, "SELECT 1 AS one, 'x' AS s, NULL AS n");
  ASSERT_TRUE(r.has_result_set);
  EXPECT_EQ(r.columns, (std::vector<std::string>{"one", "s", "n"}));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], (MysqlRow{"1", "x", std::nullopt}));
}

TEST_F(MysqlClientTest, ClassicEofResultSetsToo) {
  MysqlClientOptions o = Options();
  o.deprecate_eof = false;
  auto c = MysqlClient::Connect(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Run(**c, "CREATE DATABASE d1");
  Run(**c, "CREATE DATABASE d2");
  MysqlResult r = Run(**c, "SELECT SCHEMA_NAME FROM information_schema.schemata WHERE SCHEMA_NAME LIKE 'd%' ORDER BY 1");
  EXPECT_EQ(r.rows, (std::vector<MysqlRow>{{"d1"}, {"d2"}}));
  MysqlResult empty = Run(**c, "SELECT SCHEMA_NAME FROM information_schema.schemata WHERE SCHEMA_NAME = 'zz'");
  EXPECT_TRUE(empty.has_result_set);
  EXPECT_TRUE(empty.rows.empty());
}

TEST_F(MysqlClientTest, OkPacketsAndDatabaseAtLogin) {
  auto c = Root();
  MysqlResult ok = Run(*c, "CREATE DATABASE quickstart");
  EXPECT_FALSE(ok.has_result_set);
  Run(*c, "CREATE TABLE quickstart.t (a INT) DISTRIBUTED BY HASH(a)");
  auto in_db = Root("quickstart");
  ASSERT_NE(in_db, nullptr);
  EXPECT_EQ(Run(*in_db, "SELECT DATABASE()").rows, (std::vector<MysqlRow>{{"quickstart"}}));
  MysqlResult tables = Run(*in_db, "SHOW TABLES");
  EXPECT_EQ(tables.rows, (std::vector<MysqlRow>{{"t"}}));
}

TEST_F(MysqlClientTest, ServerErrorsKeepTheConnectionUsable) {
  auto c = Root();
  Result<MysqlResult> bad = c->Query("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(c->server_error().has_value());
  EXPECT_EQ(c->server_error()->code, 1064);
  EXPECT_EQ(c->server_error()->sqlstate, "42000");
  EXPECT_TRUE(bad.status().message().starts_with("ERROR 1064 (42000): ")) << bad.status().message();
  Result<MysqlResult> missing = c->Query("SELECT * FROM nodb.t");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(c->server_error()->code, 1064);
  EXPECT_TRUE(c->Ping().ok());
  EXPECT_EQ(Run(*c, "SELECT 2").rows, (std::vector<MysqlRow>{{"2"}}));
}

TEST_F(MysqlClientTest, PasswordsAndUnknownDatabase) {
  Run(*Root(), "CREATE USER 'alice'@'%' IDENTIFIED BY 'secret'");
  auto alice = MysqlClient::Connect(Options("alice", "secret"));
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(Run(**alice, "SELECT CURRENT_USER()").rows.size(), 1u);
  auto wrong = MysqlClient::Connect(Options("alice", "nope"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(wrong.status().message().find("1045"), std::string::npos);
  auto nodb = MysqlClient::Connect(Options("root", "", "nope"));
  ASSERT_FALSE(nodb.ok());
  EXPECT_NE(nodb.status().message().find("ERROR 1049"), std::string::npos) << nodb.status().message();
}

TEST_F(MysqlClientTest, UnreachableOrStoppedServerIsUnavailable) {
  auto c = Root();
  ASSERT_NE(c, nullptr);
  server_->Stop();
  Result<MysqlResult> r = c->Query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_EQ(c->Query("SELECT 1").status().code(), StatusCode::kUnavailable);  // closed for good
  auto refused = MysqlClient::Connect(Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
}

TEST(FormatTableTest, LikeTheMysqlCli) {
  MysqlResult r;
  r.has_result_set = true;
  r.columns = {"a", "name"};
  r.rows = {{"1", "helloSR"}, {"22", std::nullopt}};
  EXPECT_EQ(FormatTable(r),
            "+----+---------+\n"
            "| a  | name    |\n"
            "+----+---------+\n"
            "| 1  | helloSR |\n"
            "| 22 | NULL    |\n"
            "+----+---------+\n"
            "2 rows in set\n");
  r.rows.clear();
  EXPECT_EQ(FormatTable(r), "Empty set\n");
  MysqlResult ok;
  ok.affected_rows = 3;
  EXPECT_EQ(FormatTable(ok), "Query OK, 3 rows affected\n");
}

}  // namespace
}  // namespace strata::server::local

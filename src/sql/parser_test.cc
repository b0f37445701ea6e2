// Parser tests: every guide statement verbatim, error codes and positions,
// and the shapes of the statement families.
#include <gtest/gtest.h>

#include "sql/guide_statements.h"
#include "sql/mysql_errors.h"
#include "sql/parser.h"

namespace strata::sql {
namespace {

SqlError ParseError(std::string_view sql) {
  try {
    Parse(sql);
  } catch (const SqlException& e) {
    return e.ToError();
  }
  ADD_FAILURE() << "parsed: " << sql;
  return {};
}

TEST(ParserTest, GuideStatementsParseVerbatim) {
  for (auto sql : testing::kGuideStatements) {
    EXPECT_NO_THROW(Parse(sql)) << sql;
  }
  for (auto sql : testing::kExtraSeeds) {
    EXPECT_NO_THROW(Parse(sql)) << sql;
  }
}

TEST(ParserTest, GuideCreateTableShape) {
  Statement s = Parse(testing::kGuideStatements[2]);
  auto& t = std::get<CreateTableStmt>(s);
  EXPECT_EQ(t.name.table, "source_wiki_edit");
  EXPECT_EQ(t.columns.size(), 11u);
  EXPECT_EQ(t.columns[1].type, "VARCHAR(32)");
  EXPECT_EQ(*t.columns[1].default_value, "");
  EXPECT_EQ(t.key_columns.size(), 8u);
  EXPECT_EQ(t.partition_columns, std::vector<std::string>{"event_time"});
  ASSERT_EQ(t.partitions.size(), 4u);
  EXPECT_EQ(t.partitions[3].upper, std::vector<std::string>{"2015-09-13 00:00:00"});
  EXPECT_EQ(t.distribution_columns, std::vector<std::string>{"user"});
  EXPECT_EQ(t.buckets, 0u);
}

TEST(ParserTest, SyntaxErrorNamesTextAndLine) {
  SqlError e = ParseError("SELEC 1");
  EXPECT_EQ(e.code, ER_PARSE_ERROR);
  EXPECT_EQ(e.sqlstate, "42000");
  EXPECT_NE(e.message.find("near 'SELEC 1' at line 1"), std::string::npos) << e.message;

  e = ParseError("CREATE TABLE t (\n  a INT,\n  b FOO)");
  EXPECT_NE(e.message.find("near 'FOO)' at line 3"), std::string::npos) << e.message;

  e = ParseError("CREATE DATABASE");
  EXPECT_NE(e.message.find("near '' at line 1"), std::string::npos) << e.message;

  e = ParseError("SELECT 'unterminated");
  EXPECT_EQ(e.code, ER_PARSE_ERROR);
  e = ParseError("SELECT 1 /* open comment");
  EXPECT_EQ(e.code, ER_PARSE_ERROR);
  EXPECT_EQ(ParseError("   ;  ").code, ER_EMPTY_QUERY);
  EXPECT_EQ(ParseError("-- only a comment").code, ER_EMPTY_QUERY);
}

TEST(ParserTest, LexerHandlesQuotesEscapesAndComments) {
  Statement s = Parse("select 'it''s', \"a\\\"b\" `we``ird` /* c */ # tail\n");
  auto& sel = std::get<SelectStmt>(s);
  ASSERT_EQ(sel.items.size(), 2u);
  EXPECT_EQ(sel.items[0].expr->text, "it's");
  EXPECT_EQ(sel.items[1].expr->text, "a\"b");
  EXPECT_EQ(sel.items[1].alias, "we`ird");
}

TEST(ParserTest, KeywordsAreCaseInsensitive) {
  EXPECT_NO_THROW(Parse("create database if not exists `Db`"));
  EXPECT_NO_THROW(Parse("DrOp TaBlE IF EXISTS db.t FORCE"));
  EXPECT_NO_THROW(Parse("show full tables from db like 'x%'"));
}

TEST(ParserTest, DeepNestingIsAParseErrorNotACrash) {
  std::string deep = "SELECT " + std::string(10000, '(') + "1" + std::string(10000, ')');
  EXPECT_EQ(ParseError(deep).code, ER_PARSE_ERROR);
  std::string nots = "SELECT ";
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  EXPECT_EQ(ParseError(nots + "1").code, ER_PARSE_ERROR);
}

TEST(ParserTest, StatementFamilies) {
  EXPECT_TRUE(std::holds_alternative<GrantRoleStmt>(Parse("GRANT r1, r2 TO 'u'@'%'")));
  auto g = std::get<GrantStmt>(Parse("GRANT CREATE DATABASE, NODE ON *.* TO ROLE 'r'"));
  EXPECT_EQ(g.privileges, (std::vector<std::string>{"CREATE_DATABASE", "NODE"}));
  EXPECT_EQ(g.object_name, "*.*");
  EXPECT_TRUE(g.grantee.role);
  auto r = std::get<GrantStmt>(Parse("REVOKE ALL PRIVILEGES ON db.* FROM u@localhost"));
  EXPECT_EQ(r.privileges, std::vector<std::string>{"ALL"});
  EXPECT_EQ(r.grantee.host, "localhost");
  auto sp = std::get<SetPasswordStmt>(Parse("SET PASSWORD FOR 'u' = PASSWORD('x')"));
  EXPECT_EQ(*sp.password, "x");
  auto snap = std::get<AdminSnapshotStmt>(Parse("ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON INTERVAL 5 MINUTES"));
  EXPECT_EQ(snap.interval_seconds, 300u);
  auto sys = std::get<AlterSystemStmt>(Parse("ALTER SYSTEM ADD COMPUTE NODE \"cn1:9050\", \"cn2:9050\""));
  EXPECT_EQ(sys.host_ports.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<SetDefaultStorageVolumeStmt>(Parse("SET sv1 AS DEFAULT STORAGE VOLUME")));
  EXPECT_EQ(std::get<ClusterSnapshotStmt>(Parse("CREATE CLUSTER SNAPSHOT s1")).name, "s1");
  auto drop = std::get<ClusterSnapshotStmt>(Parse("DROP CLUSTER SNAPSHOT IF EXISTS s1"));
  EXPECT_TRUE(drop.drop && drop.if_exists);
  auto set = std::get<SetStmt>(Parse("SET SESSION sql_mode = 'x', @@global.wait_timeout = 10, @v := 1"));
  EXPECT_EQ(set.assignments.size(), 3u);
  EXPECT_EQ(set.assignments[1].scope, "global");
  auto fixed = std::get<AlterTableStmt>(Parse("ALTER TABLE t ADD PARTITION p VALUES [('1'), ('2'))"));
  EXPECT_FALSE(fixed.partition.less_than);
  EXPECT_EQ(fixed.partition.lower, std::vector<std::string>{"1"});
}


TEST(ParserTest, ShowGrantsForRoleAndTypeLimits) {
  auto show = std::get<ShowStmt>(Parse("SHOW GRANTS FOR ROLE r1"));
  ASSERT_TRUE(show.role.has_value());
  EXPECT_EQ(*show.role, "r1");
  EXPECT_FALSE(show.user.has_value());
  show = std::get<ShowStmt>(Parse("show grants for role 'r1';"));
  EXPECT_EQ(show.role.value_or(""), "r1");
  show = std::get<ShowStmt>(Parse("SHOW GRANTS FOR role"));  // a user named role
  ASSERT_TRUE(show.user.has_value());
  EXPECT_EQ(show.user->name, "role");
  show = std::get<ShowStmt>(Parse("SHOW GRANTS FOR role@'%'"));
  ASSERT_TRUE(show.user.has_value());
  EXPECT_EQ(ParseError("CREATE TABLE t (a DECIMAL(40,2))").code, ER_TOO_BIG_PRECISION);
  EXPECT_EQ(ParseError("CREATE TABLE t (a DECIMAL(5,6))").code, ER_M_BIGGER_THAN_D);
  EXPECT_EQ(ParseError("CREATE TABLE t (a VARCHAR(1048577))").code, ER_TOO_BIG_FIELDLENGTH);
  auto t = std::get<CreateTableStmt>(Parse("CREATE TABLE t (a DATETIME DEFAULT CURRENT_TIMESTAMP COMMENT 'c', "
                                            "b VARCHAR(20) DEFAULT 'CURRENT_TIMESTAMP')"));
  EXPECT_TRUE(t.columns[0].default_current_timestamp);
  EXPECT_EQ(t.columns[0].comment, "c");
  EXPECT_FALSE(t.columns[1].default_current_timestamp);
  auto set = std::get<SetStmt>(Parse("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  ASSERT_EQ(set.assignments.size(), 1u);
  EXPECT_EQ(set.assignments[0].name, "transaction_isolation");
  EXPECT_EQ(set.assignments[0].scope, "session");
  EXPECT_EQ(set.assignments[0].value->text, "READ-COMMITTED");
  EXPECT_TRUE(std::holds_alternative<TransactionStmt>(Parse("SET TRANSACTION READ ONLY")));
}

TEST(Parser, Kill) {
  auto k = std::get<KillStmt>(Parse("KILL 12"));
  EXPECT_FALSE(k.query_only);
  EXPECT_EQ(k.connection_id, 12u);
  k = std::get<KillStmt>(Parse("kill connection 7;"));
  EXPECT_FALSE(k.query_only);
  EXPECT_EQ(k.connection_id, 7u);
  k = std::get<KillStmt>(Parse("KILL QUERY 9"));
  EXPECT_TRUE(k.query_only);
  EXPECT_EQ(k.connection_id, 9u);
  for (const char* bad : {"KILL", "KILL QUERY", "KILL abc", "KILL 1 2", "KILL -3", "KILL 1.5", "KILL 99999999999999999999"}) {
    EXPECT_EQ(ParseError(bad).code, ER_PARSE_ERROR) << bad;
  }
}

}  // namespace
}  // namespace strata::sql

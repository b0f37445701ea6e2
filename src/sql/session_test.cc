// Engine tests: privileges, users and roles, information_schema, and the
// statements MySQL clients, drivers and BI tools send on connect.
#include "sql/mysql_errors.h"
#include "sql/sql_test_util.h"

namespace strata::sql {
namespace {

using testing::SqlTest;

TEST_F(SqlTest, UnprivilegedUserIsRefusedAndNothingChanges) {
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT)");
  Ok("CREATE USER 'alice'@'%' IDENTIFIED BY 'pw'");
  auto alice = Connect("alice", "%");
  std::string before = cat_.Image();
  Err("CREATE DATABASE x", ER_DBACCESS_DENIED_ERROR, alice.get());
  Err("DROP DATABASE d", ER_DBACCESS_DENIED_ERROR, alice.get());
  Err("USE d", ER_DBACCESS_DENIED_ERROR, alice.get());
  Err("CREATE TABLE d.u (a INT)", ER_TABLEACCESS_DENIED_ERROR, alice.get());
  Err("DROP TABLE d.t", ER_TABLEACCESS_DENIED_ERROR, alice.get());
  Err("TRUNCATE TABLE d.t", ER_TABLEACCESS_DENIED_ERROR, alice.get());
  Err("SELECT * FROM d.t", ER_TABLEACCESS_DENIED_ERROR, alice.get());
  Err("INSERT INTO d.t VALUES (1)", ER_TABLEACCESS_DENIED_ERROR, alice.get());
  Err("CREATE USER bob", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("GRANT SELECT ON *.* TO alice", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("ALTER SYSTEM ADD COMPUTE NODE \"h:1\"", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("SHOW FRONTENDS", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("ADMIN SET FRONTEND CONFIG (\"a\" = \"b\")", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("CREATE STORAGE VOLUME v TYPE = LOCAL LOCATIONS = (\"/x\")", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("SET GLOBAL wait_timeout = 5", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  Err("SHOW GRANTS FOR root", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  SqlError e = Err("CREATE DATABASE x", ER_DBACCESS_DENIED_ERROR, alice.get());
  EXPECT_EQ(e.sqlstate, "42000");
  EXPECT_EQ(e.message, "Access denied for user 'alice'@'%' to database 'x'");
  EXPECT_EQ(cat_.Image(), before);
  // What alice may see: nothing of d.
  EXPECT_EQ(Rows("SHOW DATABASES", alice.get()), std::vector<std::string>{"information_schema"});
  EXPECT_TRUE(Rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'd'", alice.get()).empty());
  // Her own password and grants are hers to manage.
  Ok("SET PASSWORD = PASSWORD('new')", alice.get());
  EXPECT_EQ(Rows("SHOW GRANTS", alice.get()).size(), 0u);
}

TEST_F(SqlTest, GrantsAndRolesOpenAccess) {
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT)");
  Ok("CREATE USER alice IDENTIFIED BY 'pw'");
  auto alice = Connect("alice", "%");
  Ok("GRANT CREATE_TABLE, DROP ON DATABASE d TO alice");
  Ok("USE d", alice.get());
  Ok("CREATE TABLE u (a INT)", alice.get());
  Ok("DROP TABLE u", alice.get());
  Err("CREATE DATABASE x", ER_DBACCESS_DENIED_ERROR, alice.get());
  Ok("CREATE ROLE creators");
  Ok("GRANT CREATE DATABASE ON SYSTEM TO ROLE 'creators'");
  Ok("GRANT creators TO alice");
  Ok("CREATE DATABASE x", alice.get());
  Err("REVOKE SELECT ON d.t FROM alice", ER_NONEXISTING_GRANT);
  Ok("GRANT SELECT ON d.t TO alice");
  auto grants = Rows("SHOW GRANTS FOR alice");
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(grants[0], "'alice'@'%'|NULL|GRANT 'creators' TO 'alice'@'%'");
  EXPECT_EQ(grants[2], "'alice'@'%'|default_catalog|GRANT SELECT ON TABLE d.t TO USER 'alice'@'%'");
  Ok("REVOKE SELECT ON d.t FROM alice");
  Ok("REVOKE creators FROM alice");
  Err("CREATE DATABASE y", ER_DBACCESS_DENIED_ERROR, alice.get());
  Err("GRANT SELECT ON d.t TO nobody", ER_PASSWORD_NO_MATCH);
  Err("GRANT SELECT ON d.t TO ROLE 'nope'", ER_UNKNOWN_AUTHID);
  Err("GRANT SELECT ON nope.t TO alice", ER_BAD_DB_ERROR);
  Err("GRANT NODE ON TABLE d.t TO alice", ER_ILLEGAL_GRANT_FOR_TABLE);
  Ok("GRANT ALL ON *.* TO alice");
  Ok("CREATE USER bob", alice.get());  // ALL on *.* includes GRANT
  EXPECT_EQ(Rows("SELECT PRIVILEGE_TYPE FROM information_schema.user_privileges WHERE GRANTEE = \"'alice'@'%'\""),
            std::vector<std::string>{"ALL"});
  Ok("DROP ROLE creators");
  Err("DROP ROLE creators", ER_CANNOT_USER);
  Err("DROP ROLE root", ER_CANNOT_USER);
}

TEST_F(SqlTest, UsersAndPasswords) {
  Ok("CREATE USER 'u1'@'%' IDENTIFIED BY 'secret'");
  Err("CREATE USER 'u1'@'%'", ER_CANNOT_USER);
  Ok("CREATE USER IF NOT EXISTS 'u1'@'%'");
  Ok("CREATE USER 'u1'@'10.0.0.1'");
  Err("CREATE USER u2 IDENTIFIED BY PASSWORD 'nothex'", ER_PASSWORD_FORMAT);
  Err("CREATE USER u2 DEFAULT ROLE nope", ER_UNKNOWN_AUTHID);
  EXPECT_EQ(cat_.Image().find("secret"), std::string::npos);
  auto auth = engine_->LookupUser("u1", "10.0.0.1");
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->host, "10.0.0.1");  // the exact host beats '%'
  EXPECT_TRUE(auth->native_hash.empty());
  auth = engine_->LookupUser("u1", "10.9.9.9");
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->host, "%");
  EXPECT_EQ(auth->native_hash.size(), 20u);
  EXPECT_FALSE(engine_->LookupUser("nobody", "h").ok());
  auto root = engine_->LookupUser("root", "127.0.0.1");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->native_hash.empty());
  Ok("ALTER USER 'u1'@'%' IDENTIFIED BY 'other'");
  Err("ALTER USER nobody IDENTIFIED BY 'x'", ER_CANNOT_USER);
  Ok("SET PASSWORD FOR 'u1'@'%' = '*0123456789ABCDEF0123456789ABCDEF01234567'");
  Ok("DROP USER 'u1'@'10.0.0.1'");
  Err("DROP USER 'u1'@'10.0.0.1'", ER_CANNOT_USER);
  Err("DROP USER root", ER_CANNOT_USER);
  EXPECT_FALSE(engine_->NewSession(AuthInfo{.user = "root", .host = "%"}, "nope").ok());
}

TEST_F(SqlTest, InformationSchemaQueries) {
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t1 (k INT NOT NULL, s VARCHAR(20), p DECIMAL(10,2)) DUPLICATE KEY(k)");
  Ok("CREATE TABLE d.t2 (k INT)");
  EXPECT_EQ(Rows("SELECT SCHEMA_NAME FROM information_schema.schemata ORDER BY SCHEMA_NAME"),
            (std::vector<std::string>{"d", "information_schema"}));
  EXPECT_EQ(Rows("select table_name, table_type from information_schema.TABLES where table_schema = 'D' "
                 "order by table_name desc"),
            (std::vector<std::string>{"t2|BASE TABLE", "t1|BASE TABLE"}));
  EXPECT_EQ(Rows("SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, "
                 "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE FROM information_schema.columns "
                 "WHERE table_name = 't1' ORDER BY 2"),
            (std::vector<std::string>{"k|1|int|int|NO|DUP|NULL|10|0", "s|2|varchar|varchar(20)|YES||20|NULL|NULL",
                                      "p|3|decimal|decimal(10,2)|YES||NULL|10|2"}));
  EXPECT_EQ(Rows("SELECT column_name FROM information_schema.columns WHERE table_name IN ('t1','t2') AND "
                 "(column_name LIKE 'k%' OR column_name != 's') ORDER BY table_name, column_name LIMIT 1, 2"),
            (std::vector<std::string>{"p", "k"}));
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'd'"),
            std::vector<std::string>{"2"});
  EXPECT_EQ(Rows("SELECT * FROM information_schema.user_privileges").size(), 0u);
  Ok("USE information_schema");
  EXPECT_EQ(Rows("SELECT table_name AS n FROM tables WHERE table_schema = 'd' ORDER BY n LIMIT 1"),
            std::vector<std::string>{"t1"});
  Err("SELECT nope FROM information_schema.tables", ER_BAD_FIELD_ERROR);
  Err("SELECT * FROM information_schema.nope", ER_UNKNOWN_TABLE);
  EXPECT_NE(Rows("SHOW TABLES").size(), 0u);
}

TEST_F(SqlTest, ConnectionStatementsOfClientsAndDrivers) {
  auto r = Ok("SELECT @@version_comment LIMIT 1");
  ASSERT_EQ(r.result_set.columns.size(), 1u);
  EXPECT_EQ(r.result_set.columns[0].name, "@@version_comment");
  EXPECT_EQ(r.result_set.rows[0][0], "Strata");
  // Connector/J's handshake query.
  auto j = Ok("/* mysql-connector-java-8.0.33 */SELECT @@session.auto_increment_increment AS "
              "auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection "
              "AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server "
              "AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS "
              "collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, "
              "@@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS "
              "max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS "
              "performance_schema, @@query_cache_size AS query_cache_size, @@query_cache_type AS query_cache_type, "
              "@@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, "
              "@@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout");
  ASSERT_EQ(j.result_set.columns.size(), 21u);
  EXPECT_EQ(j.result_set.columns[0].name, "auto_increment_increment");
  EXPECT_EQ(j.result_set.columns[0].type, ColumnType::kLongLong);
  EXPECT_EQ(j.result_set.rows[0][0], "1");
  Ok("SET NAMES utf8mb4");
  Ok("SET NAMES 'utf8' COLLATE 'utf8_general_ci'");
  Ok("SET character_set_results = NULL");
  EXPECT_EQ(Rows("SELECT @@character_set_results, @@character_set_client"), std::vector<std::string>{"NULL|utf8"});
  Ok("SET autocommit=1");
  Ok("SET autocommit = OFF");
  EXPECT_EQ(Rows("SHOW VARIABLES LIKE 'autocommit'"), std::vector<std::string>{"autocommit|OFF"});
  EXPECT_EQ(Rows("SHOW SESSION VARIABLES WHERE Variable_name = 'autocommit'"), std::vector<std::string>{"autocommit|OFF"});
  EXPECT_EQ(Rows("SHOW GLOBAL VARIABLES WHERE Variable_name = 'autocommit'"), std::vector<std::string>{"autocommit|ON"});
  Ok("SET SESSION sql_mode = 'STRICT_TRANS_TABLES', @@session.wait_timeout = 100, @x = 42");
  EXPECT_EQ(Rows("SELECT @@sql_mode, @@session.wait_timeout, @x, @nope"),
            std::vector<std::string>{"STRICT_TRANS_TABLES|100|42|NULL"});
  Ok("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  Ok("SET tx_isolation = 'READ-COMMITTED'");
  EXPECT_EQ(Rows("SELECT @@transaction_isolation"), std::vector<std::string>{"READ-COMMITTED"});
  Ok("SET GLOBAL wait_timeout = 7");
  EXPECT_EQ(Rows("SELECT @@global.wait_timeout"), std::vector<std::string>{"7"});
  Err("SET nope = 1", ER_UNKNOWN_SYSTEM_VARIABLE);
  Err("SELECT @@nope", ER_UNKNOWN_SYSTEM_VARIABLE);
  Err("SET version = 'x'", ER_INCORRECT_GLOBAL_LOCAL_VAR);
  Err("SET autocommit = 'maybe'", ER_WRONG_VALUE_FOR_VAR);
  EXPECT_EQ(Rows("SELECT DATABASE()"), std::vector<std::string>{"NULL"});
  EXPECT_EQ(Rows("SELECT USER(), CURRENT_USER(), CURRENT_USER, CONNECTION_ID()"),
            std::vector<std::string>{"root@%|'root'@'%'|'root'@'%'|1"});
  EXPECT_NE(Rows("SELECT VERSION()")[0].find("8.0.33"), std::string::npos);
  auto one = Ok("SELECT 1");
  EXPECT_EQ(one.result_set.columns[0].name, "1");
  EXPECT_EQ(one.result_set.columns[0].type, ColumnType::kLongLong);
  EXPECT_EQ(Rows("SELECT 1 + 2 * 3 AS x, 'a' = 'A', NULL IS NULL, 5 IN (1, 5), 'abc' LIKE 'a%'"),
            std::vector<std::string>{"7|1|1|1|1"});
  Err("SELECT nope()", ER_SP_DOES_NOT_EXIST);
  Err("SELECT a", ER_BAD_FIELD_ERROR);
  Err("SELEC 1", ER_PARSE_ERROR);
  auto w = Rows("SHOW WARNINGS");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("Error|1064|", 0), 0u);
  EXPECT_EQ(ColumnNames("SHOW ENGINES")[0], "Engine");
  EXPECT_EQ(ColumnNames("SHOW CHARSET")[0], "Charset");
  EXPECT_EQ(ColumnNames("SHOW COLLATION")[0], "Collation");
  EXPECT_EQ(ColumnNames("SHOW STATUS")[0], "Variable_name");
  Ok("COMMIT");
  Ok("ROLLBACK");
  Ok("BEGIN");
  Err("", ER_EMPTY_QUERY);
}

TEST_F(SqlTest, UseAndFieldList) {
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT, b STRING)");
  EXPECT_TRUE(std::holds_alternative<SqlError>(root_->UseDatabase("nope")));
  EXPECT_TRUE(std::holds_alternative<ExecResult>(root_->UseDatabase("d")));
  EXPECT_EQ(Rows("SELECT DATABASE()"), std::vector<std::string>{"d"});
  auto fields = root_->FieldList("t");
  ASSERT_TRUE(std::holds_alternative<ExecResult>(fields));
  EXPECT_EQ(std::get<ExecResult>(fields).result_set.columns.size(), 2u);
  auto s = Connect("root", "%", "d");
  EXPECT_EQ(s->current_database(), "d");
}


TEST_F(SqlTest, SetTransactionSetsTheIsolationVariables) {
  auto read = [&](Session* s = nullptr) {
    return Rows("SELECT @@transaction_isolation, @@tx_isolation, @@transaction_read_only, @@tx_read_only", s);
  };
  EXPECT_EQ(read(), std::vector<std::string>{"REPEATABLE-READ|REPEATABLE-READ|0|0"});
  Ok("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  EXPECT_EQ(read(), std::vector<std::string>{"READ-COMMITTED|READ-COMMITTED|0|0"});
  Ok("SET LOCAL TRANSACTION ISOLATION LEVEL READ UNCOMMITTED, READ ONLY");
  EXPECT_EQ(read(), std::vector<std::string>{"READ-UNCOMMITTED|READ-UNCOMMITTED|1|1"});
  Ok("SET SESSION TRANSACTION READ WRITE, ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(read(), std::vector<std::string>{"SERIALIZABLE|SERIALIZABLE|0|0"});
  Ok("SET tx_isolation = 'REPEATABLE-READ'");
  EXPECT_EQ(read(), std::vector<std::string>{"REPEATABLE-READ|REPEATABLE-READ|0|0"});
  Ok("SET transaction_isolation = 'read-committed'");
  EXPECT_EQ(read(), std::vector<std::string>{"READ-COMMITTED|READ-COMMITTED|0|0"});
  // Without a scope MySQL applies it to the next transaction only: nothing to keep.
  Ok("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(read(), std::vector<std::string>{"READ-COMMITTED|READ-COMMITTED|0|0"});
  // GLOBAL: the default of new sessions.
  Ok("SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(Rows("SELECT @@global.transaction_isolation, @@global.tx_isolation"),
            std::vector<std::string>{"REPEATABLE-READ|REPEATABLE-READ"});
  Err("SET SESSION TRANSACTION ISOLATION LEVEL SOMETIMES", ER_PARSE_ERROR);
  Err("SET SESSION TRANSACTION", ER_PARSE_ERROR);
  Err("SET tx_isolation = 'SOMETIMES'", ER_WRONG_VALUE_FOR_VAR);
  EXPECT_EQ(read(), std::vector<std::string>{"READ-COMMITTED|READ-COMMITTED|0|0"});
  Ok("CREATE USER alice");
  auto alice = Connect("alice", "%");
  Ok("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE", alice.get());  // needs no privilege
  Err("SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
  EXPECT_EQ(read(alice.get()), std::vector<std::string>{"SERIALIZABLE|SERIALIZABLE|0|0"});
}

}  // namespace
}  // namespace strata::sql

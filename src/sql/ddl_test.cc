// Engine tests: the guide end to end, DDL happy paths and error codes, and
// "a failing statement changes nothing".
#include "sql/guide_statements.h"
#include "sql/mysql_errors.h"
#include "sql/sql_test_util.h"

namespace strata::sql {
namespace {

using testing::SqlTest;

constexpr const char* kVolume =
    "CREATE STORAGE VOLUME builtin_storage_volume TYPE = S3 LOCATIONS = (\"s3://bucket/data\") "
    "COMMENT 'my s3 volume' PROPERTIES (\"aws.s3.region\" = \"us-east-1\", "
    "\"aws.s3.access_key\" = \"AKIDEXAMPLE\", \"aws.s3.secret_key\" = \"VERYSECRET\")";

TEST_F(SqlTest, GuideRunsVerbatim) {
  Ok(kVolume);
  Ok("SET builtin_storage_volume AS DEFAULT STORAGE VOLUME");
  const auto& g = testing::kGuideStatements;
  Ok(std::string(g[0]));
  Ok(std::string(g[1]));
  EXPECT_EQ(root_->current_database(), "quickstart");
  Ok(std::string(g[2]));
  Err(std::string(g[3]), ER_NOT_SUPPORTED_YET);  // INSERT: the data path comes later
  Err(std::string(g[4]), ER_NOT_SUPPORTED_YET);  // SELECT over a table: the query engine comes later
  Ok(std::string(g[5]));
  EXPECT_EQ(ColumnNames(std::string(g[6])),
            (std::vector<std::string>{"SNAPSHOT_NAME", "JOB_ID", "CREATED_TIME", "FINISHED_TIME", "STATE",
                                      "DETAIL_INFO", "ERROR_MESSAGE"}));
  EXPECT_EQ(ColumnNames(std::string(g[7])),
            (std::vector<std::string>{"SNAPSHOT_NAME", "SNAPSHOT_TYPE", "CREATED_TIME", "FE_JOURNAL_ID",
                                      "STARMGR_JOURNAL_ID", "PROPERTIES", "STORAGE_VOLUME", "STORAGE_PATH"}));
  EXPECT_EQ(Rows("SHOW PARTITIONS FROM source_wiki_edit").size(), 4u);
  auto desc = Rows("DESC source_wiki_edit");
  ASSERT_EQ(desc.size(), 11u);
  EXPECT_EQ(desc[0], "event_time|DATETIME|YES|true|NULL|");
  EXPECT_EQ(desc[10], "deleted|INT|YES|false|0|");
  auto create = Rows("SHOW CREATE TABLE quickstart.source_wiki_edit");
  ASSERT_EQ(create.size(), 1u);
  EXPECT_NE(create[0].find("PARTITION p24 VALUES [(\"2015-09-12 18:00:00\"), (\"2015-09-13 00:00:00\"))"), std::string::npos)
      << create[0];
  EXPECT_NE(create[0].find("DISTRIBUTED BY HASH(`user`) BUCKETS 1"), std::string::npos);
  // Idempotent re-run of the guide's first statement.
  Ok(std::string(g[0]));
  EXPECT_EQ(Rows("SHOW WARNINGS"), std::vector<std::string>{"Note|1007|Can't create database 'quickstart'; database exists"});
  Err("ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON", ER_UNKNOWN_ERROR);  // already on
  EXPECT_EQ(Rows("ADMIN SHOW AUTOMATED CLUSTER SNAPSHOT"),
            std::vector<std::string>{"true|600s|builtin_storage_volume|NULL|NULL"});
  Ok("ADMIN ALTER AUTOMATED CLUSTER SNAPSHOT SET INTERVAL 1 MINUTE");
  Ok("ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF");
  Err("ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF", ER_UNKNOWN_ERROR);
  Err("ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON STORAGE VOLUME nope", ER_UNKNOWN_ERROR);
  // A manual snapshot is queued as an INITIALIZING job (the FE's snapshot runner
  // does the work); a second one by that name, a bad name and DROP of an
  // unknown or unfinished snapshot are refused.
  Ok("CREATE CLUSTER SNAPSHOT s1");
  EXPECT_EQ(Rows("SELECT SNAPSHOT_NAME, STATE FROM information_schema.cluster_snapshot_jobs"),
            std::vector<std::string>{"s1|INITIALIZING"});
  Err("CREATE CLUSTER SNAPSHOT s1", ER_UNKNOWN_ERROR);
  Err("CREATE CLUSTER SNAPSHOT `a/b`", ER_WRONG_ARGUMENTS);
  Err("DROP CLUSTER SNAPSHOT s1", ER_UNKNOWN_ERROR);
  Err("DROP CLUSTER SNAPSHOT nope", ER_UNKNOWN_ERROR);
  Ok("DROP CLUSTER SNAPSHOT IF EXISTS nope");
}

TEST_F(SqlTest, DatabaseErrors) {
  Ok("CREATE DATABASE d1");
  Err("CREATE DATABASE d1", ER_DB_CREATE_EXISTS);
  Err("CREATE DATABASE information_schema", ER_DB_CREATE_EXISTS);
  Err("DROP DATABASE nope", ER_DB_DROP_EXISTS);
  Ok("DROP DATABASE IF EXISTS nope");
  EXPECT_EQ(Rows("SHOW WARNINGS").size(), 1u);
  Err("USE nope", ER_BAD_DB_ERROR);
  Err("CREATE TABLE t (a INT)", ER_NO_DB_ERROR);
  Err("CREATE TABLE nope.t (a INT)", ER_BAD_DB_ERROR);
  Ok("USE d1");
  Ok("DROP DATABASE d1 FORCE");
  EXPECT_EQ(root_->current_database(), "");
  EXPECT_EQ(Rows("SHOW DATABASES"), std::vector<std::string>{"information_schema"});
}

TEST_F(SqlTest, TableDdlAndErrors) {
  Ok("CREATE DATABASE d");
  Ok("USE d");
  Ok("CREATE TABLE t (k BIGINT NOT NULL, v VARCHAR(10) DEFAULT 'x' COMMENT 'c') PRIMARY KEY(k) "
     "PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN (100), PARTITION p2 VALUES LESS THAN (200)) "
     "DISTRIBUTED BY HASH(k) BUCKETS 4 PROPERTIES (\"replication_num\" = \"1\")");
  Err("CREATE TABLE t (a INT)", ER_TABLE_EXISTS_ERROR);
  Ok("CREATE TABLE IF NOT EXISTS t (a INT)");
  Err("CREATE TABLE u (a INT, A INT)", ER_DUP_FIELDNAME);
  Err("CREATE TABLE u (a INT) DUPLICATE KEY(b)", ER_KEY_COLUMN_DOES_NOT_EXITS);
  Err("CREATE TABLE u (a INT, b INT) DUPLICATE KEY(b)", ER_UNKNOWN_ERROR);  // not an ordered prefix
  Err("CREATE TABLE u (a INT NOT NULL DEFAULT NULL)", ER_INVALID_DEFAULT);
  Err("CREATE TABLE u (a INT) PARTITION BY RANGE(a) (PARTITION p VALUES LESS THAN (5), PARTITION q VALUES LESS THAN (1))",
      ER_UNKNOWN_ERROR);
  Ok("CREATE TABLE plain (a INT, b STRING)");
  EXPECT_EQ(Rows("SHOW TABLES"), (std::vector<std::string>{"plain", "t"}));
  EXPECT_EQ(ColumnNames("SHOW FULL TABLES"), (std::vector<std::string>{"Tables_in_d", "Table_type"}));

  Ok("ALTER TABLE t ADD PARTITION p3 VALUES LESS THAN (300)");
  Ok("ALTER TABLE t ADD PARTITION p9 VALUES [('900'), ('1000'))");
  Err("ALTER TABLE t ADD PARTITION p3 VALUES LESS THAN (400)", ER_SAME_NAME_PARTITION);
  Err("ALTER TABLE t ADD PARTITION px VALUES [('150'), ('160'))", ER_UNKNOWN_ERROR);  // overlaps p2
  Err("ALTER TABLE plain ADD PARTITION p VALUES LESS THAN (1)", ER_UNKNOWN_ERROR);
  auto parts = Rows("SHOW PARTITIONS FROM t");
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_NE(parts[2].find("|p3|"), std::string::npos);
  EXPECT_NE(parts[2].find("[(\"200\"), (\"300\"))"), std::string::npos) << parts[2];
  Ok("ALTER TABLE t DROP PARTITION p9");
  Err("ALTER TABLE t DROP PARTITION p9", ER_DROP_PARTITION_NON_EXISTENT);
  Ok("ALTER TABLE t DROP PARTITION IF EXISTS p9");
  Ok("TRUNCATE TABLE t");
  Ok("TRUNCATE TABLE t PARTITION (p1)");
  Err("TRUNCATE TABLE t PARTITION (nope)", ER_UNKNOWN_PARTITION);
  Err("TRUNCATE TABLE nope", ER_NO_SUCH_TABLE);
  Err("SHOW CREATE TABLE nope", ER_NO_SUCH_TABLE);
  Err("DESC nope", ER_NO_SUCH_TABLE);
  Err("DROP TABLE nope", ER_BAD_TABLE_ERROR);
  Ok("DROP TABLE IF EXISTS nope");
  Ok("DROP TABLE t FORCE");
  Err("ALTER TABLE t ADD PARTITION p3 VALUES LESS THAN (300)", ER_NO_SUCH_TABLE);
  Err("ALTER TABLE t ADD COLUMN c INT", ER_NOT_SUPPORTED_YET);
}

TEST_F(SqlTest, FailedStatementsChangeNothing) {
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT) DISTRIBUTED BY HASH(a) BUCKETS 2");
  std::string before = cat_.Image();
  const char* failing[] = {
      "CREATE DATABASE d", "CREATE TABLE d.t (a INT)", "CREATE TABLE d.u (a INT, a INT)",
      "ALTER SYSTEM ADD COMPUTE NODE \"a:1\", \"b:notaport\"", "DROP USER nobody@'%'",
      "GRANT SELECT ON d.nope TO root", "GRANT NOPE ON *.* TO root", "SET autocommit = 1, nope = 2",
      "ADMIN SET FRONTEND CONFIG (\"automated_cluster_snapshot_interval_seconds\" = \"0\")",
      "DROP STORAGE VOLUME nope", "CREATE ROLE r1, public",
  };
  for (const char* sql : failing) {
    EXPECT_TRUE(std::holds_alternative<SqlError>(root_->Execute(sql))) << sql;
    EXPECT_EQ(cat_.Image(), before) << sql;
  }
  EXPECT_EQ(Rows("SELECT @@autocommit"), std::vector<std::string>{"1"});
}

TEST_F(SqlTest, StorageVolumesMaskCredentials) {
  Ok(kVolume);
  Err(kVolume, ER_UNKNOWN_ERROR);
  EXPECT_EQ(Rows("SHOW STORAGE VOLUMES"), std::vector<std::string>{"builtin_storage_volume"});
  auto desc = Rows("DESC STORAGE VOLUME builtin_storage_volume");
  ASSERT_EQ(desc.size(), 1u);
  EXPECT_EQ(desc[0].find("VERYSECRET"), std::string::npos);
  EXPECT_EQ(desc[0].find("AKIDEXAMPLE"), std::string::npos);
  EXPECT_NE(desc[0].find("\"aws.s3.secret_key\":\"***\""), std::string::npos) << desc[0];
  EXPECT_NE(desc[0].find("s3://bucket/data"), std::string::npos);
  Err("DESC STORAGE VOLUME nope", ER_UNKNOWN_ERROR);
  Err("CREATE STORAGE VOLUME x TYPE = HDFS LOCATIONS = (\"hdfs://x\")", ER_NOT_SUPPORTED_YET);
  Err("CREATE STORAGE VOLUME x TYPE = S3 LOCATIONS = (\"/not/s3\")", ER_UNKNOWN_ERROR);
  Ok("SET builtin_storage_volume AS DEFAULT STORAGE VOLUME");
  Err("DROP STORAGE VOLUME builtin_storage_volume", ER_UNKNOWN_ERROR);  // the default
  Ok("CREATE STORAGE VOLUME local_sv TYPE = LOCAL LOCATIONS = (\"/tmp/x\")");
  Ok("DROP STORAGE VOLUME local_sv");
}

TEST_F(SqlTest, NodesAndFrontendConfig) {
  Ok("ALTER SYSTEM ADD COMPUTE NODE \"cn1:9050\", \"cn2:9050\"");
  Err("ALTER SYSTEM ADD COMPUTE NODE \"cn1:9050\"", ER_UNKNOWN_ERROR);
  EXPECT_EQ(Rows("SHOW COMPUTE NODES").size(), 2u);
  Ok("ALTER SYSTEM DROP COMPUTE NODE \"cn2:9050\"");
  Err("ALTER SYSTEM DROP COMPUTE NODE \"cn2:9050\"", ER_UNKNOWN_ERROR);
  EXPECT_EQ(ColumnNames("SHOW FRONTENDS")[0], "Name");
  Ok("ADMIN SET FRONTEND CONFIG (\"automated_cluster_snapshot_interval_seconds\" = \"60\")");
  EXPECT_EQ(Rows("ADMIN SHOW FRONTEND CONFIG LIKE 'automated_cluster%'"),
            std::vector<std::string>{"automated_cluster_snapshot_interval_seconds|[]|60|String|true|"});
  // With one compute node, a table without BUCKETS gets one bucket per node.
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT)");
  EXPECT_NE(Rows("SHOW CREATE TABLE d.t")[0].find("BUCKETS 1"), std::string::npos);
}


TEST_F(SqlTest, DuplicatePartitionNameInCreateTable) {
  Ok("CREATE DATABASE d");
  SqlError e = Err("CREATE TABLE d.u (a INT) PARTITION BY RANGE(a) (PARTITION p VALUES LESS THAN (5), "
                   "PARTITION p VALUES LESS THAN (10))",
                   ER_SAME_NAME_PARTITION);
  EXPECT_EQ(e.sqlstate, "HY000");
  EXPECT_EQ(e.message, "Duplicate partition name p");
  Err("CREATE TABLE d.u (a INT) PARTITION BY RANGE(a) (PARTITION p VALUES [('1'), ('2')), "
      "PARTITION p VALUES [('3'), ('4')))",
      ER_SAME_NAME_PARTITION);
  EXPECT_EQ(Rows("SHOW TABLES FROM d"), std::vector<std::string>{});
}

TEST_F(SqlTest, DefaultsAreCheckedAgainstTheColumnType) {
  Ok("CREATE DATABASE d");
  Ok("USE d");
  const char* invalid[] = {
      "INT DEFAULT 'abc'", "TINYINT DEFAULT '300'", "TINYINT DEFAULT '-129'", "SMALLINT DEFAULT 32768",
      "INT DEFAULT '1.5'", "INT DEFAULT ''", "BIGINT DEFAULT '9223372036854775808'",
      "LARGEINT DEFAULT '170141183460469231731687303715884105728'", "DATETIME DEFAULT 'xyz'",
      "DATETIME DEFAULT '2024-13-01 00:00:00'", "DATETIME DEFAULT '2024-01-01 24:00:00'", "DATE DEFAULT '2023-02-29'",
      "DATE DEFAULT '2024-01-01 00:00:00'", "DATE DEFAULT '0000-00-00'", "DECIMAL(5,2) DEFAULT '1234.5'",
      "DECIMAL(5,2) DEFAULT 'x'", "DOUBLE DEFAULT 'x'", "FLOAT DEFAULT 'nan'", "BOOLEAN DEFAULT 'maybe'",
      "VARCHAR(3) DEFAULT 'abcd'", "CHAR(2) DEFAULT 'abc'", "INT DEFAULT CURRENT_TIMESTAMP",
      "VARCHAR(32) DEFAULT CURRENT_TIMESTAMP", "INT NOT NULL DEFAULT NULL"};
  for (const char* column : invalid) {
    SqlError e = Err(std::string("CREATE TABLE u (a ") + column + ")", ER_INVALID_DEFAULT);
    EXPECT_EQ(e.sqlstate, "42000") << column;
    EXPECT_EQ(e.message, "Invalid default value for 'a'") << column;
  }
  EXPECT_EQ(Rows("SHOW TABLES"), std::vector<std::string>{});
  const char* valid[] = {
      "TINYINT DEFAULT '127'", "TINYINT DEFAULT '-128'", "TINYINT DEFAULT '0'", "INT DEFAULT -5", "INT DEFAULT ' 7 '",
      "BIGINT DEFAULT '9223372036854775807'", "BIGINT DEFAULT '-9223372036854775808'",
      "LARGEINT DEFAULT '-170141183460469231731687303715884105728'", "DATETIME DEFAULT '2015-09-12 00:00:00'",
      "DATETIME DEFAULT '2015-09-12'", "DATETIME DEFAULT '2015-09-12 23:59:59.123456'", "DATETIME DEFAULT CURRENT_TIMESTAMP",
      "DATE DEFAULT '2024-02-29'", "DECIMAL(5,2) DEFAULT '123.45'", "DECIMAL(5,2) DEFAULT '-0.5'", "DECIMAL DEFAULT 3",
      "DOUBLE DEFAULT '1e3'", "FLOAT DEFAULT '-1.25'", "BOOLEAN DEFAULT 'true'", "BOOLEAN DEFAULT '0'",
      "VARCHAR(3) DEFAULT 'abc'", "VARCHAR(3) DEFAULT 'äöü'", "VARCHAR(32) DEFAULT ''",
      "VARCHAR(32) DEFAULT 'CURRENT_TIMESTAMP'", "STRING DEFAULT 'anything'", "INT NULL DEFAULT NULL"};
  int n = 0;
  for (const char* column : valid) Ok("CREATE TABLE v" + std::to_string(n++) + " (a " + column + ")");
  EXPECT_EQ(Rows("SHOW TABLES").size(), std::size(valid));
}

TEST_F(SqlTest, TypeParametersAreChecked) {
  Ok("CREATE DATABASE d");
  Ok("USE d");
  SqlError e = Err("CREATE TABLE u (a DECIMAL(40,2))", ER_TOO_BIG_PRECISION);
  EXPECT_EQ(e.sqlstate, "42000");
  EXPECT_EQ(e.message, "Too-big precision 40 specified for 'a'. Maximum is 38.");
  Err("CREATE TABLE u (a DECIMAL(39))", ER_TOO_BIG_PRECISION);
  Err("CREATE TABLE u (a DECIMAL32(10,2))", ER_TOO_BIG_PRECISION);
  Err("CREATE TABLE u (a DECIMAL64(19,2))", ER_TOO_BIG_PRECISION);
  e = Err("CREATE TABLE u (a INT, b DECIMAL(5,6))", ER_M_BIGGER_THAN_D);
  EXPECT_EQ(e.sqlstate, "42000");
  EXPECT_NE(e.message.find("column 'b'"), std::string::npos) << e.message;
  e = Err("CREATE TABLE u (a VARCHAR(1048577))", ER_TOO_BIG_FIELDLENGTH);
  EXPECT_EQ(e.sqlstate, "42000");
  EXPECT_EQ(e.message, "Column length too big for column 'a' (max = 1048576); use BLOB or TEXT instead");
  Err("CREATE TABLE u (a VARBINARY(1048577))", ER_TOO_BIG_FIELDLENGTH);
  Err("CREATE TABLE u (a CHAR(256))", ER_TOO_BIG_FIELDLENGTH);
  EXPECT_EQ(Rows("SHOW TABLES"), std::vector<std::string>{});
  Ok("CREATE TABLE ok1 (a DECIMAL(38,2), b DECIMAL(5,5), c VARCHAR(1048576), d CHAR(255), e DECIMAL64(18,0))");
  EXPECT_EQ(Rows("SHOW COLUMNS FROM ok1 LIKE 'c'"), std::vector<std::string>{"c|VARCHAR(1048576)|YES|false|NULL|"});
}

TEST_F(SqlTest, UnknownTablePropertiesAreRefused) {
  Ok("CREATE DATABASE d");
  Ok("USE d");
  SqlError e = Err("CREATE TABLE u (a INT) PROPERTIES (\"no_such_property\" = \"1\")", ER_UNKNOWN_ERROR);
  EXPECT_EQ(e.message, "Unknown properties: {no_such_property=1}");
  Err("CREATE TABLE u (a INT) PROPERTIES (\"replication_num\" = \"1\", \"comment\" = \"x\")", ER_UNKNOWN_ERROR);
  EXPECT_EQ(Rows("SHOW TABLES"), std::vector<std::string>{});
  Ok("CREATE TABLE t (a INT, b INT) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 1 PROPERTIES ("
     "\"replication_num\" = \"1\", \"datacache.enable\" = \"true\", \"enable_async_write_back\" = \"false\", "
     "\"bloom_filter_columns\" = \"b\", \"compression\" = \"LZ4\", \"partition_live_number\" = \"3\")");
  std::string create = Rows("SHOW CREATE TABLE t")[0];
  EXPECT_NE(create.find("\"datacache.enable\" = \"true\""), std::string::npos) << create;
}

TEST_F(SqlTest, ColumnCommentsAreKeptAndShown) {
  Ok("CREATE DATABASE d");
  Ok("USE d");
  Ok("CREATE TABLE wiki (event_time DATETIME NOT NULL COMMENT 'when', channel VARCHAR(32) DEFAULT '', "
     "q STRING COMMENT 'say \"hi\"') DUPLICATE KEY(event_time) DISTRIBUTED BY HASH(event_time) BUCKETS 1");
  std::string create = Rows("SHOW CREATE TABLE wiki")[0];
  EXPECT_NE(create.find("  `event_time` DATETIME NOT NULL COMMENT \"when\",\n"), std::string::npos) << create;
  EXPECT_NE(create.find("  `channel` VARCHAR(32) NULL DEFAULT \"\",\n"), std::string::npos) << create;
  EXPECT_NE(create.find("  `q` STRING NULL COMMENT \"say \\\"hi\\\"\"\n"), std::string::npos) << create;
  EXPECT_EQ(ColumnNames("SHOW FULL COLUMNS FROM wiki"),
            (std::vector<std::string>{"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges",
                                      "Comment"}));
  EXPECT_EQ(Rows("SHOW FULL COLUMNS FROM wiki"),
            (std::vector<std::string>{"event_time|DATETIME|NULL|NO|true|NULL||select,insert,update,references|when",
                                      "channel|VARCHAR(32)|utf8_general_ci|YES|false|||select,insert,update,references|",
                                      "q|STRING|utf8_general_ci|YES|false|NULL||select,insert,update,references|say \"hi\""}));
  EXPECT_EQ(Rows("DESC wiki")[0], "event_time|DATETIME|NO|true|NULL|");  // DESC keeps its six columns
  EXPECT_EQ(Rows("SELECT COLUMN_NAME, COLUMN_COMMENT FROM information_schema.columns WHERE TABLE_NAME = 'wiki' "
                 "ORDER BY ORDINAL_POSITION"),
            (std::vector<std::string>{"event_time|when", "channel|", "q|say \"hi\""}));
  SqlError e = Err("CREATE TABLE long_comment (a INT COMMENT '" + std::string(1025, 'c') + "')", ER_TOO_LONG_FIELD_COMMENT);
  EXPECT_EQ(e.sqlstate, "HY000");
  Ok("CREATE TABLE max_comment (a INT COMMENT '" + std::string(1024, 'c') + "')");
}

TEST_F(SqlTest, UnknownFrontendConfigIsRefused) {
  std::string before = cat_.Image();
  SqlError e = Err("ADMIN SET FRONTEND CONFIG (\"no_such_config\" = \"1\")", ER_UNKNOWN_ERROR);
  EXPECT_EQ(e.message, "Config 'no_such_config' does not exist");
  // A list with one unknown key changes nothing, not even its valid first pair.
  Err("ADMIN SET FRONTEND CONFIG (\"max_historical_automated_cluster_snapshot_jobs\" = \"5\", \"nope\" = \"1\")",
      ER_UNKNOWN_ERROR);
  EXPECT_EQ(cat_.Image(), before);
  EXPECT_EQ(Rows("ADMIN SHOW FRONTEND CONFIG LIKE 'no_such%'"), std::vector<std::string>{});
  // Every key ADMIN SHOW lists without a list_fe_config is settable.
  for (const auto& row : Rows("ADMIN SHOW FRONTEND CONFIG")) {
    std::string key = row.substr(0, row.find('|'));
    EXPECT_NE(row.find("|true|"), std::string::npos) << row;
    Ok("ADMIN SET FRONTEND CONFIG (\"" + key + "\" = \"7\")");
  }
  EXPECT_EQ(Rows("ADMIN SHOW FRONTEND CONFIG"),
            (std::vector<std::string>{"automated_cluster_snapshot_interval_seconds|[]|7|String|true|",
                                      "max_historical_automated_cluster_snapshot_jobs|[]|7|String|true|"}));
  Err("ADMIN SET FRONTEND CONFIG (\"max_historical_automated_cluster_snapshot_jobs\" = \"x\")", ER_WRONG_ARGUMENTS);
}

TEST(FrontendConfigTest, KnownKeysComeFromListFeConfig) {
  testing::MemCatalog cat;
  EngineOptions options;
  options.list_fe_config = [] {
    return std::vector<std::pair<std::string, std::string>>{{"query_port", "9030"}, {"qe_slow_log_ms", "5000"}};
  };
  std::vector<std::string> set_calls;
  options.set_fe_config = [&](const std::string& k, const std::string& v) {
    set_calls.push_back(k + "=" + v);
    if (k == "query_port") return Status(StatusCode::kFailedPrecondition, "'query_port' is not mutable");
    return Status::OK();
  };
  auto engine = NewEngine(&cat, &cat, options);
  auto session = std::move(engine->NewSession(AuthInfo{.user = "root", .host = "%"}, "")).value();
  auto code = [&](const std::string& sql) {
    ExecOutcome o = session->Execute(sql);
    return std::holds_alternative<SqlError>(o) ? std::get<SqlError>(o).code : 0;
  };
  EXPECT_EQ(code("ADMIN SET FRONTEND CONFIG (\"nope\" = \"1\")"), ER_UNKNOWN_ERROR);
  EXPECT_TRUE(set_calls.empty());  // refused before the FE is asked
  EXPECT_EQ(code("ADMIN SET FRONTEND CONFIG (\"query_port\" = \"1\")"), ER_UNKNOWN_ERROR);
  EXPECT_EQ(code("ADMIN SET FRONTEND CONFIG (\"qe_slow_log_ms\" = \"100\")"), 0);
  EXPECT_EQ(code("ADMIN SET FRONTEND CONFIG (\"automated_cluster_snapshot_interval_seconds\" = \"60\")"), 0);
  EXPECT_EQ(set_calls, (std::vector<std::string>{"query_port=1", "qe_slow_log_ms=100",
                                                 "automated_cluster_snapshot_interval_seconds=60"}));
  ExecOutcome shown = session->Execute("ADMIN SHOW FRONTEND CONFIG");
  ASSERT_TRUE(std::holds_alternative<ExecResult>(shown));
  std::vector<std::string> rows;
  for (const auto& r : std::get<ExecResult>(shown).result_set.rows) rows.push_back(*r[0] + "=" + *r[2] + "/" + *r[4]);
  EXPECT_EQ(rows, (std::vector<std::string>{"automated_cluster_snapshot_interval_seconds=60/true",
                                            "max_historical_automated_cluster_snapshot_jobs=100/true",
                                            "qe_slow_log_ms=100/false", "query_port=9030/false"}));
}

// The metadata service may wrap a rejected change's message in context; the
// engine answers the same MySQL codes either way, also when a concurrent
// statement makes the catalog (not the engine's own check) refuse the change.
TEST_F(SqlTest, CatalogRejectionsMapToCodesWhateverTheContext) {
  for (const char* context : {"", "committed at version 7"}) {
    SCOPED_TRACE(context);
    cat_.set_error_context(context);
    Ok("CREATE DATABASE d");
    Ok("CREATE TABLE d.t (a INT) PARTITION BY RANGE(a) (PARTITION p1 VALUES LESS THAN (10)) DISTRIBUTED BY HASH(a) BUCKETS 1");
    Ok("CREATE USER u");
    Ok("CREATE ROLE r");
    // Refused by the engine's own checks.
    Err("GRANT SELECT ON nope.t TO u", ER_BAD_DB_ERROR);
    Err("GRANT SELECT ON d.nope TO u", ER_NO_SUCH_TABLE);
    Err("GRANT SELECT ON d.t TO nobody", ER_PASSWORD_NO_MATCH);
    Err("GRANT SELECT ON d.t TO ROLE 'nope'", ER_UNKNOWN_AUTHID);
    Err("REVOKE DROP ON DATABASE d FROM u", ER_NONEXISTING_GRANT);
    Err("GRANT USAGE ON STORAGE VOLUME nope TO u", ER_UNKNOWN_ERROR);
    // Refused by the catalog after a concurrent change.
    cat_.RaceNextSubmit(meta::DropTable{.db = "d", .name = "t"});
    Err("GRANT SELECT ON d.t TO u", ER_NO_SUCH_TABLE);
    Ok("CREATE TABLE d.t (a INT) PARTITION BY RANGE(a) (PARTITION p1 VALUES LESS THAN (10)) DISTRIBUTED BY HASH(a) BUCKETS 1");
    cat_.RaceNextSubmit(meta::DropUser{.user = {.name = "u"}});
    Err("GRANT SELECT ON d.t TO u", ER_PASSWORD_NO_MATCH);
    Ok("CREATE USER u");
    cat_.RaceNextSubmit(meta::DropRole{.name = "r"});
    Err("GRANT SELECT ON d.t TO ROLE r", ER_UNKNOWN_AUTHID);
    Ok("CREATE ROLE r");
    Ok("GRANT SELECT ON d.t TO u");
    cat_.RaceNextSubmit(meta::Revoke{.grantee = {.name = "u"}, .privileges = {"SELECT"},
                                     .object = {.type = meta::ObjectType::kTable, .name = "d.t"}});
    Err("REVOKE SELECT ON d.t FROM u", ER_NONEXISTING_GRANT);
    cat_.RaceNextSubmit(meta::DropRole{.name = "r"});
    Err("GRANT r TO u", ER_UNKNOWN_AUTHID);
    Ok("CREATE ROLE r");
    Ok("GRANT r TO u");
    cat_.RaceNextSubmit(meta::RevokeRole{.role = "r", .user = {.name = "u"}});
    Err("REVOKE r FROM u", ER_ROLE_NOT_GRANTED);
    cat_.RaceNextSubmit(meta::AddPartition{.db = "d", .table = "t", .partition = {.name = "p2", .lower = {"10"}, .upper = {"20"}}});
    Err("ALTER TABLE d.t ADD PARTITION p2 VALUES LESS THAN (20)", ER_SAME_NAME_PARTITION);
    cat_.RaceNextSubmit(meta::DropPartition{.db = "d", .table = "t", .name = "p2"});
    Err("TRUNCATE TABLE d.t PARTITION (p2)", ER_UNKNOWN_PARTITION);
    cat_.RaceNextSubmit(meta::DropPartition{.db = "d", .table = "t", .name = "p1"});
    Err("ALTER TABLE d.t DROP PARTITION p1", ER_DROP_PARTITION_NON_EXISTENT);
    cat_.RaceNextSubmit(meta::DropTable{.db = "d", .name = "t"});
    Err("ALTER TABLE d.t ADD PARTITION p3 VALUES LESS THAN (30)", ER_NO_SUCH_TABLE);
    cat_.RaceNextSubmit(meta::DropDatabase{.name = "d"});
    Err("CREATE TABLE d.t2 (a INT)", ER_BAD_DB_ERROR);
    Ok("CREATE DATABASE d");
    cat_.RaceNextSubmit(meta::CreateTable{.db = "d", .name = "t3", .columns = {{.name = "a", .type = "INT", .is_key = true}},
                                          .distribution_columns = {"a"}, .bucket_count = 1});
    Err("CREATE TABLE d.t3 (a INT)", ER_TABLE_EXISTS_ERROR);
    Ok("DROP DATABASE d FORCE");
    Ok("DROP USER u");
    Ok("DROP ROLE r");
  }
}

TEST_F(SqlTest, ShowGrantsForRole) {
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT)");
  Ok("CREATE ROLE creators");
  Ok("GRANT CREATE DATABASE ON SYSTEM TO ROLE 'creators'");
  Ok("GRANT SELECT ON TABLE d.t TO ROLE 'creators'");
  EXPECT_EQ(ColumnNames("SHOW GRANTS FOR ROLE creators"), (std::vector<std::string>{"RoleName", "Catalog", "Grants"}));
  EXPECT_EQ(Rows("SHOW GRANTS FOR ROLE creators"),
            (std::vector<std::string>{"creators|default_catalog|GRANT CREATE DATABASE ON SYSTEM TO ROLE 'creators'",
                                      "creators|default_catalog|GRANT SELECT ON TABLE d.t TO ROLE 'creators'"}));
  EXPECT_EQ(Rows("SHOW GRANTS FOR ROLE 'creators';").size(), 2u);
  Err("SHOW GRANTS FOR ROLE nope", ER_UNKNOWN_AUTHID);
  // A user named "role" is still a user.
  Ok("CREATE USER role");
  EXPECT_EQ(Rows("SHOW GRANTS FOR role"), std::vector<std::string>{});
  Ok("CREATE USER alice IDENTIFIED BY 'pw'");
  auto alice = Connect("alice", "%");
  Err("SHOW GRANTS FOR ROLE creators", ER_SPECIFIC_ACCESS_DENIED_ERROR, alice.get());
}

TEST(SqlStateTest, MatchesMySql) {
  const std::pair<uint16_t, const char*> expected[] = {
      {1007, "HY000"}, {1008, "HY000"}, {1044, "42000"}, {1045, "28000"}, {1046, "3D000"}, {1049, "42000"},
      {1050, "42S01"}, {1051, "42S02"}, {1054, "42S22"}, {1060, "42S21"}, {1064, "42000"}, {1065, "42000"},
      {1067, "42000"}, {1072, "42000"}, {1074, "42000"}, {1105, "HY000"}, {1109, "42S02"}, {1133, "42000"},
      {1141, "42000"}, {1142, "42000"}, {1144, "42000"}, {1146, "42S02"}, {1193, "HY000"}, {1210, "HY000"},
      {1227, "42000"}, {1231, "42000"}, {1235, "42000"}, {1238, "HY000"}, {1305, "42000"}, {1372, "HY000"},
      {1396, "HY000"}, {1426, "42000"}, {1427, "42000"}, {1507, "HY000"}, {1517, "HY000"}, {1629, "HY000"},
      {1735, "HY000"}, {3523, "HY000"}, {3530, "HY000"}};
  for (const auto& [code, state] : expected) EXPECT_STREQ(SqlStateOf(code), state) << code;
}

TEST_F(SqlTest, ErrorsCarryMySqlSqlStates) {
  EXPECT_EQ(Err("SHOW TABLES FROM nope", ER_BAD_DB_ERROR).sqlstate, "42000");
  Ok("CREATE DATABASE d");
  Ok("CREATE TABLE d.t (a INT)");
  EXPECT_EQ(Err("CREATE TABLE d.t (a INT)", ER_TABLE_EXISTS_ERROR).sqlstate, "42S01");
  EXPECT_EQ(Err("CREATE TABLE d.u (a INT, A INT)", ER_DUP_FIELDNAME).sqlstate, "42S21");
  EXPECT_EQ(Err("DROP TABLE d.nope", ER_BAD_TABLE_ERROR).sqlstate, "42S02");
  EXPECT_EQ(Err("CREATE TABLE t (a INT)", ER_NO_DB_ERROR).sqlstate, "3D000");
}

}  // namespace
}  // namespace strata::sql

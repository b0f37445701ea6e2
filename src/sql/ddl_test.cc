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
  Err("CREATE CLUSTER SNAPSHOT s1", ER_NOT_SUPPORTED_YET);
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

}  // namespace
}  // namespace strata::sql

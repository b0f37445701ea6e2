// The SQL statements of reference/starrocks-cluster-snapshot-dr-guide.txt,
// verbatim (comment lines kept as the guide has them), for the parser tests
// and the fuzz target's seed corpus.
#pragma once

#include <array>
#include <string_view>

namespace strata::sql::testing {

inline constexpr std::array<std::string_view, 9> kGuideStatements = {
    R"(# create database and table
CREATE DATABASE IF NOT EXISTS quickstart;)",
    R"(USE quickstart;)",
    R"(-- create table
CREATE TABLE source_wiki_edit
(
event_time DATETIME,
channel VARCHAR(32) DEFAULT '',
user VARCHAR(128) DEFAULT '',
is_anonymous TINYINT DEFAULT '0',
is_minor TINYINT DEFAULT '0',
is_new TINYINT DEFAULT '0',
is_robot TINYINT DEFAULT '0',
is_unpatrolled TINYINT DEFAULT '0',
delta INT DEFAULT '0',
added INT DEFAULT '0',
deleted INT DEFAULT '0'
)
DUPLICATE KEY(
event_time,
channel,
user,
is_anonymous,
is_minor,
is_new,
is_robot,
is_unpatrolled
)
PARTITION BY RANGE(event_time)(
PARTITION p06 VALUES LESS THAN ('2015-09-12 06:00:00'),
PARTITION p12 VALUES LESS THAN ('2015-09-12 12:00:00'),
PARTITION p18 VALUES LESS THAN ('2015-09-12 18:00:00'),
PARTITION p24 VALUES LESS THAN ('2015-09-13 00:00:00')
)
DISTRIBUTED BY HASH(user);)",
    R"(-- insert data
INSERT INTO source_wiki_edit
VALUES
("2015-09-12 00:00:00","#en.wikipedia","AustinFF",0,0,0,0,0,21,5,0),
("2015-09-12 00:00:00","#ca.wikipedia","helloSR",0,1,0,1,0,3,23,0),
("2015-09-12 08:00:00","#ca.wikipedia","helloSR",0,1,0,1,0,3,23,0);)",
    R"(-- select data
SELECT * FROM source_wiki_edit;)",
    R"(ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON STORAGE VOLUME builtin_storage_volume;)",
    R"(SELECT * FROM INFORMATION_SCHEMA.CLUSTER_SNAPSHOT_JOBS;)",
    R"(SELECT * FROM INFORMATION_SCHEMA.CLUSTER_SNAPSHOTS;)",
    R"(SELECT * FROM source_wiki_edit;)",
};

// The guide's mysql-client session (connection-time statements) and the
// statements of the cluster snapshot surface (starrocks-compat.md).
inline constexpr std::array<std::string_view, 16> kExtraSeeds = {
    "SELECT @@version_comment LIMIT 1",
    "ADMIN SET FRONTEND CONFIG (\"automated_cluster_snapshot_interval_seconds\" = \"60\")",
    "ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON INTERVAL 10 MINUTE STORAGE VOLUME sv",
    "ADMIN ALTER AUTOMATED CLUSTER SNAPSHOT SET INTERVAL 2 HOUR",
    "ADMIN SHOW AUTOMATED CLUSTER SNAPSHOT",
    "ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF",
    "CREATE STORAGE VOLUME sv TYPE = S3 LOCATIONS = (\"s3://b/p\") PROPERTIES (\"aws.s3.access_key\" = \"k\")",
    "GRANT SELECT, INSERT ON TABLE db.t TO USER 'u'@'%'",
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'x' AND table_name LIKE 's%' ORDER BY 1 LIMIT 2",
    "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
    "ALTER TABLE t ADD PARTITION p VALUES [('1'), ('2'))",
    "SHOW VARIABLES WHERE Variable_name = 'autocommit' OR Variable_name IN ('a', 'b')",
    "INSERT INTO db.t WITH LABEL l1 (k, v) VALUES (1, 'a'), (-2, NULL)",
    "INSERT INTO t SELECT k, v FROM db.s WHERE k > 1 ORDER BY k LIMIT 10",
    "DELETE FROM db.t PARTITION (p1, p2) WHERE k IN (1, 2) AND v IS NOT NULL AND d <> '2024-01-01'",
    "DELETE FROM t WHERE k >= -5",
};

}  // namespace strata::sql::testing

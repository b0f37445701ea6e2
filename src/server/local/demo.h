// `strata local demo`: the walkthrough of StarRocks' cluster-snapshot
// disaster-recovery guide (reference/starrocks-cluster-snapshot-dr-guide.txt),
// end to end on one machine, printing each step:
//   1. start a cluster (1 FE, N compute nodes) in DIR;
//   2. CREATE DATABASE quickstart, the guide's CREATE TABLE source_wiki_edit
//      verbatim, its INSERT of 3 rows, SELECT * (printed as a table);
//   3. automated snapshots every 5 s on builtin_storage_volume; wait until
//      INFORMATION_SCHEMA.CLUSTER_SNAPSHOTS lists one; print its STORAGE_PATH;
//   4. destroy the cluster: stop every process, delete the FE metadata and CN
//      cache directories — everything but the storage volume (and the logs);
//   5. write cluster_snapshot.yaml (StarRocks schema) next to a new fe.conf;
//   6. start a new FE in restore mode (RESTORE_CLUSTER_SNAPSHOT=true, the same
//      as `strata fe --cluster_snapshot`) and the compute nodes; the recovery
//      time runs from the FE's start to the first successful SELECT;
//   7. check that the restore finished into a new lineage and that SELECT *
//      returns the same 3 rows.
// DIR must be empty, absent, or an earlier demo's directory (it is wiped). On
// S3 the demo uses a fresh prefix under the bucket for each run.
//
// Returns the exit code (local_command.h): 0, 1 on a failed step or check,
// kExitRestoreUnavailable when this build's FE has no restore mode.
//
// Thread-safety: called once from main; child processes are stopped by PID on
// every path.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "server/local/local_config.h"

namespace strata::server::local {

// The guide's statements as the demo sends them (the guide's comment lines and
// trailing ';' dropped; local_test checks them against sql/guide_statements.h).
inline constexpr std::string_view kDemoCreateDatabase = "CREATE DATABASE IF NOT EXISTS quickstart";
inline constexpr std::string_view kDemoCreateTable = R"(CREATE TABLE source_wiki_edit
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
DISTRIBUTED BY HASH(user))";
inline constexpr std::string_view kDemoInsert = R"(INSERT INTO source_wiki_edit
VALUES
("2015-09-12 00:00:00","#en.wikipedia","AustinFF",0,0,0,0,0,21,5,0),
("2015-09-12 00:00:00","#ca.wikipedia","helloSR",0,1,0,1,0,3,23,0),
("2015-09-12 08:00:00","#ca.wikipedia","helloSR",0,1,0,1,0,3,23,0))";
inline constexpr std::string_view kDemoSelect = "SELECT * FROM source_wiki_edit";
inline constexpr std::string_view kDemoSetInterval =
    R"(ADMIN SET FRONTEND CONFIG ("automated_cluster_snapshot_interval_seconds" = "5"))";
inline constexpr std::string_view kDemoSnapshotOn =
    "ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON STORAGE VOLUME builtin_storage_volume";
inline constexpr std::string_view kDemoListSnapshots = "SELECT * FROM INFORMATION_SCHEMA.CLUSTER_SNAPSHOTS";
inline constexpr int kDemoRows = 3;

int RunDemo(LocalOptions options, const PortLayout& ports, const std::string& executable, std::ostream& out);

// Prepares DIR for a demo run: creates it, or wipes an earlier demo's (marked
// by DIR/.strata-demo); FailedPrecondition for a non-empty directory without
// the mark. The lock file DIR/.lock is kept.
Status PrepareDemoDir(const std::string& dir);

}  // namespace strata::server::local

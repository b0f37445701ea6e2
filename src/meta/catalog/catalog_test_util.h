// Test helpers shared by catalog_test.cc and codec_test.cc: change builders,
// a catalog driver that checks "a rejected change alters nothing", and a
// valid sequence that uses every change type.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"

namespace strata::meta::testing {

inline Change C(ChangeBody body) { return Change{.body = std::move(body)}; }

// A table range-partitioned on BIGINT k: partition i is [i*100, (i+1)*100).
inline CreateTable MakeTable(const std::string& db, const std::string& name, int partitions, uint32_t buckets) {
  CreateTable t{.db = db, .name = name};
  t.columns = {ColumnDef{.name = "k", .type = "BIGINT", .nullable = false, .is_key = true},
               ColumnDef{.name = "dt", .type = "DATE", .is_key = true},
               ColumnDef{.name = "v", .type = "VARCHAR(64)", .default_value = "x", .comment = "the value"}};
  t.partition_columns = {"k"};
  t.distribution_columns = {"k"};
  t.bucket_count = buckets;
  t.properties = {{"replication_num", "1"}};
  for (int i = 0; i < partitions; ++i) {
    t.partitions.push_back(PartitionDef{.name = "p" + std::to_string(i),
                                        .lower = {std::to_string(i * 100)},
                                        .upper = {std::to_string((i + 1) * 100)}});
  }
  return t;
}

inline CreateStorageVolume MakeVolume(const std::string& name) {
  return CreateStorageVolume{.name = name,
                             .volume_type = VolumeType::kS3,
                             .locations = {"s3://bucket/" + name},
                             .comment = "test volume",
                             .properties = {{"aws.s3.region", "us-east-1"},
                                            {"aws.s3.endpoint", "http://127.0.0.1:9000"},
                                            {"aws.s3.access_key", "AKIDSECRETACCESS"},
                                            {"aws.s3.secret_key", "TOPSECRETKEY"}}};
}

// Applies changes at increasing versions; Fail() also checks that a rejected
// change leaves the image as it was (apart from the version).
struct Driver {
  Catalog cat;
  uint64_t v = 0;

  Result<uint64_t> Do(ChangeBody body) {
    ++v;
    return cat.Apply(C(std::move(body)), v, 1'700'000'000'000 + static_cast<int64_t>(v));
  }

  uint64_t Ok(ChangeBody body) {
    std::string what = DescribeChange(C(body));
    auto r = Do(std::move(body));
    EXPECT_TRUE(r.ok()) << what << ": " << r.status().ToString();
    return r.ok() ? *r : 0;
  }

  // The rejection's message ("" if the change was accepted).
  struct Rejection {
    std::string text;
    const std::string& message() const { return text; }
  };
  Rejection Fail(ChangeBody body, StatusCode code) {
    std::string what = DescribeChange(C(body));
    Catalog before = cat;
    before.SetVersion(v + 1);
    auto r = Do(std::move(body));
    EXPECT_FALSE(r.ok()) << what;
    if (r.ok()) return {};
    EXPECT_EQ(r.status().code(), code) << what << ": " << r.status().ToString();
    EXPECT_EQ(before.EncodeImage(), cat.EncodeImage()) << what << " changed the state";
    return {r.status().message()};
  }
};

// A valid sequence that uses every change type at least once (ids are
// allocated from 10000: cn1 10000, cn2 10001, db1 10002, db2 10003, t1 10004,
// its p1 10010, the automated snapshot job 10036).
inline std::vector<Change> SampleChanges() {
  std::vector<Change> out;
  auto add = [&](ChangeBody b) { out.push_back(C(std::move(b))); };
  add(LeaderChange{.fe_name = "fe1:8030", .term = 1});
  add(AddFrontend{.name = "fe1:8030", .host = "fe1", .edit_log_port = 9010, .http_port = 8030, .query_port = 9030});
  add(AddFrontend{.name = "fe2:8030", .host = "fe2", .edit_log_port = 9010, .role = FrontendRole::kObserver});
  add(AddComputeNode{.host = "cn1", .heartbeat_port = 9050, .rpc_port = 9060, .http_port = 8040});
  add(AddComputeNode{.host = "cn2", .heartbeat_port = 9050});
  add(MakeVolume("sv1"));
  add(CreateStorageVolume{.name = "local", .volume_type = VolumeType::kLocal, .locations = {"/tmp/strata"}});
  add(SetDefaultStorageVolume{.name = "sv1"});
  add(CreateDatabase{.name = "db1"});
  add(CreateDatabase{.name = "db2"});
  add(MakeTable("db1", "t1", 3, 4));
  CreateTable plain{.db = "db1", .name = "plain", .key_type = KeyType::kPrimary, .distribution_columns = {"id"},
                    .bucket_count = 2, .storage_volume = "local"};
  plain.columns = {ColumnDef{.name = "id", .type = "INT", .nullable = false, .is_key = true},
                   ColumnDef{.name = "name", .type = "STRING"}};
  add(plain);
  add(MakeTable("db2", "t2", 1, 1));
  add(AddPartition{.db = "db1", .table = "t1", .partition = {.name = "p9", .lower = {"900"}, .upper = {}}});
  add(DropPartition{.db = "db1", .table = "t1", .name = "p0"});
  add(TruncateTable{.db = "db1", .table = "t1", .partitions = {"p1"}});
  add(CommitPartitionVersion{.partition_id = 10010, .version = 2});
  add(DropTable{.db = "db2", .name = "t2"});
  add(DropDatabase{.name = "db2"});
  add(CreateRole{.name = "analyst"});
  add(CreateRole{.name = "temp"});
  add(CreateUser{.user = {.name = "alice", .host = "%"},
                 .password_hash = Secret(MysqlNativePasswordHash("alice-pw")),
                 .roles = {"analyst"}});
  add(CreateUser{.user = {.name = "bob", .host = "10.%"}});
  add(AlterUserPassword{.user = {.name = "bob", .host = "10.%"}, .password_hash = Secret(MysqlNativePasswordHash("b"))});
  add(Grant{.grantee = {.kind = GranteeKind::kRole, .name = "analyst"},
            .privileges = {"select", "INSERT"},
            .object = {.type = ObjectType::kTable, .name = "db1.t1"}});
  add(Grant{.grantee = {.name = "bob", .host = "10.%"}, .privileges = {"USAGE"},
            .object = {.type = ObjectType::kStorageVolume, .name = "sv1"}});
  add(Revoke{.grantee = {.kind = GranteeKind::kRole, .name = "analyst"},
             .privileges = {"INSERT"},
             .object = {.type = ObjectType::kTable, .name = "db1.t1"}});
  add(GrantRole{.role = "temp", .user = {.name = "bob", .host = "10.%"}});
  add(RevokeRole{.role = "temp", .user = {.name = "bob", .host = "10.%"}});
  add(DropRole{.name = "temp"});
  add(CreateUser{.user = {.name = "carol"}});
  add(DropUser{.user = {.name = "carol"}});
  add(SetFrontendConfig{.key = "automated_cluster_snapshot_interval_seconds", .value = "60"});
  add(SetAutomatedSnapshot{.action = SnapshotAction::kOn, .interval_seconds = 300});
  add(SetAutomatedSnapshot{.action = SnapshotAction::kSetInterval, .interval_seconds = 120});
  add(UpsertSnapshotJob{.job = {.name = "automated_cluster_snapshot_1", .state = "INITIALIZING",
                                .created_ms = 1, .storage_volume = "sv1", .snapshot_version = 30}});
  add(UpsertSnapshotJob{.job = {.name = "manual1", .type = SnapshotType::kManual, .state = "ERROR",
                                .created_ms = 2, .finished_ms = 3, .error = "boom"}});
  add(DeleteSnapshotJob{.job_id = 10036});
  add(DropComputeNode{.host = "cn2", .heartbeat_port = 9050});
  add(DropFrontend{.name = "fe2:8030"});
  add(CreateStorageVolume{.name = "spare", .volume_type = VolumeType::kLocal, .locations = {"/tmp/spare"}});
  add(DropStorageVolume{.name = "spare"});
  add(CommitTxn{.table_id = 10020, .label = "load_1", .txn_id = "0123456789abcdef", .kind = "stream_load",
                .rows = 3, .tablets = {{.tablet_id = 10022, .new_meta = "c/data/tablets/10022/m1"}}});
  return out;
}

}  // namespace strata::meta::testing

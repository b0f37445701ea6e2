// Catalog::Apply: every change type's happy path and rejections, and that a
// rejection leaves the state unchanged (Driver::Fail checks the image).
#include "meta/catalog/catalog.h"

#include <gtest/gtest.h>

#include "meta/catalog/catalog_test_util.h"

namespace strata::meta {
namespace {

using testing::Driver;
using testing::MakeTable;
using testing::MakeVolume;

const Table& TableNamed(const Catalog& cat, const std::string& db, const std::string& name) {
  const auto& s = cat.state();
  const Database& d = s.databases.at(s.database_ids.at(db));
  return s.tables.at(d.table_ids.at(name));
}

TEST(CatalogTest, InitialState) {
  Catalog cat;
  EXPECT_EQ(cat.version(), 0u);
  EXPECT_EQ(cat.term(), 0u);
  EXPECT_EQ(cat.leader(), "");
  ASSERT_TRUE(cat.state().users.contains(UserIdentity{.name = "root", .host = "%"}));
  EXPECT_TRUE(cat.state().users.at(UserIdentity{.name = "root"}).roles.contains("root"));
  EXPECT_EQ(cat.state().roles.size(), kBuiltinRoles.size());
}

TEST(CatalogTest, LeaderChangeNeedsNextTerm) {
  Driver d;
  d.Ok(LeaderChange{.fe_name = "fe1:8030", .term = 1});
  EXPECT_EQ(d.cat.leader(), "fe1:8030");
  EXPECT_EQ(d.cat.term(), 1u);
  auto st = d.Fail(LeaderChange{.fe_name = "fe2:8030", .term = 1}, StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("term 1 is not the current term 1 + 1"), std::string::npos) << st.message();
  d.Fail(LeaderChange{.fe_name = "fe2:8030", .term = 3}, StatusCode::kFailedPrecondition);
  d.Fail(LeaderChange{.fe_name = "", .term = 2}, StatusCode::kInvalidArgument);
  d.Ok(LeaderChange{.fe_name = "fe2:8030", .term = 2});
  EXPECT_EQ(d.cat.leader(), "fe2:8030");
}

TEST(CatalogTest, VersionHandling) {
  Driver d;
  ASSERT_TRUE(d.cat.Apply(testing::C(CreateDatabase{.name = "a"}), 5, 0).ok());
  EXPECT_EQ(d.cat.version(), 5u);
  // Several changes of one entry share its version.
  ASSERT_TRUE(d.cat.Apply(testing::C(CreateDatabase{.name = "b"}), 5, 0).ok());
  auto low = d.cat.Apply(testing::C(CreateDatabase{.name = "c"}), 4, 0);
  EXPECT_EQ(low.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(d.cat.state().database_ids.contains("c"));
  // A rejected change still advances the version.
  EXPECT_FALSE(d.cat.Apply(testing::C(CreateDatabase{.name = "a"}), 6, 0).ok());
  EXPECT_EQ(d.cat.version(), 6u);
  d.cat.SetVersion(9);
  d.cat.SetVersion(7);
  EXPECT_EQ(d.cat.version(), 9u);
}

TEST(CatalogTest, Databases) {
  Driver d;
  uint64_t id = d.Ok(CreateDatabase{.name = "db1"});
  EXPECT_EQ(id, 10000u);
  auto st = d.Fail(CreateDatabase{.name = "db1"}, StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "database db1 already exists");
  EXPECT_EQ(d.Ok(CreateDatabase{.name = "db1", .if_not_exists = true}), id);
  d.Fail(CreateDatabase{.name = ""}, StatusCode::kInvalidArgument);
  d.Fail(CreateDatabase{.name = std::string(300, 'x')}, StatusCode::kInvalidArgument);
  d.Fail(CreateDatabase{.name = std::string("a\nb")}, StatusCode::kInvalidArgument);
  d.Fail(CreateDatabase{.name = std::string("a\xff")}, StatusCode::kInvalidArgument);
  d.Fail(CreateDatabase{.name = std::string("\xc0\x80")}, StatusCode::kInvalidArgument);  // overlong NUL
  Driver{}.Ok(CreateDatabase{.name = "数据库"});
  d.Ok(MakeTable("db1", "t1", 2, 3));
  EXPECT_EQ(d.cat.state().tablets.size(), 6u);
  st = d.Fail(DropDatabase{.name = "nope"}, StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "database nope does not exist");
  d.Ok(DropDatabase{.name = "nope", .if_exists = true});
  d.Ok(DropDatabase{.name = "db1"});
  const auto& s = d.cat.state();
  EXPECT_TRUE(s.databases.empty() && s.tables.empty() && s.partitions.empty() && s.tablets.empty());
  EXPECT_NE(d.Ok(CreateDatabase{.name = "db1"}), id);  // ids are never reused
}

TEST(CatalogTest, CreateTableAllocatesIds) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});  // 10000
  uint64_t id = d.Ok(MakeTable("db1", "t1", 3, 4));
  EXPECT_EQ(id, 10001u);
  const auto& s = d.cat.state();
  const Table& t = TableNamed(d.cat, "db1", "t1");
  EXPECT_EQ(t.id, id);
  EXPECT_EQ(t.create_time_ms, 1'700'000'000'002);
  ASSERT_EQ(t.partition_ids.size(), 3u);
  EXPECT_EQ(t.partition_ids.at("p0"), 10002u);
  EXPECT_EQ(t.partition_ids.at("p1"), 10007u);
  const Partition& p1 = s.partitions.at(10007);
  EXPECT_EQ(p1.tablet_ids, (std::vector<uint64_t>{10008, 10009, 10010, 10011}));
  EXPECT_EQ(p1.visible_version, 1u);
  EXPECT_EQ(p1.next_version, 2u);
  EXPECT_EQ(s.tablets.size(), 12u);
  EXPECT_EQ(s.tablets.at(10010), (Tablet{.id = 10010, .partition_id = 10007, .bucket_index = 2}));
  EXPECT_EQ(s.next_id, 10017u);
  EXPECT_EQ(d.Ok(CreateTable{.db = "db1", .name = "t1", .if_not_exists = true}), id);
}

TEST(CatalogTest, UnpartitionedTableHasOnePartition) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  auto t = MakeTable("db1", "t", 0, 5);
  t.partition_columns.clear();
  d.Ok(t);
  const Table& table = TableNamed(d.cat, "db1", "t");
  ASSERT_EQ(table.partition_ids.size(), 1u);
  EXPECT_TRUE(table.partition_ids.contains("t"));
  EXPECT_EQ(d.cat.state().tablets.size(), 5u);
  const Partition& p = d.cat.state().partitions.at(table.partition_ids.at("t"));
  EXPECT_TRUE(p.lower.empty() && p.upper.empty());
  d.Fail(AddPartition{.db = "db1", .table = "t", .partition = {.name = "x", .lower = {"1"}}},
         StatusCode::kFailedPrecondition);
  d.Fail(DropPartition{.db = "db1", .table = "t", .name = "t"}, StatusCode::kFailedPrecondition);
}

TEST(CatalogTest, CreateTableRejections) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 1, 1));
  auto st = d.Fail(MakeTable("nodb", "t", 1, 1), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "database nodb does not exist");
  st = d.Fail(MakeTable("db1", "t1", 1, 1), StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "table db1.t1 already exists");

  auto bad = [&](auto mutate, const std::string& needle) {
    CreateTable t = MakeTable("db1", "t2", 2, 2);
    mutate(t);
    auto s = d.Fail(t, StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  };
  bad([](CreateTable& t) { t.columns.clear(); }, "no columns");
  bad([](CreateTable& t) { t.columns[2].type = "WIBBLE"; }, "unknown type 'WIBBLE'");
  bad([](CreateTable& t) { t.columns[2].type = ""; }, "unknown type");
  bad([](CreateTable& t) { t.columns[2].name = "K"; }, "duplicate column K");
  bad([](CreateTable& t) { t.columns[2].comment = std::string(4097, 'c'); }, "column v comment is longer than 4096");
  bad([](CreateTable& t) { t.columns[2].is_key = true, t.columns[1].is_key = false; }, "must precede");
  bad([](CreateTable& t) { t.columns[0].is_key = false, t.columns[1].is_key = false; }, "no key column");
  bad([](CreateTable& t) { t.key_type = KeyType::kPrimary; }, "must be NOT NULL");  // dt is nullable
  bad([](CreateTable& t) { t.key_type = static_cast<KeyType>(9); }, "unknown key type");
  bad([](CreateTable& t) { t.partition_columns = {"zz"}; }, "partition column zz is not a column");
  bad([](CreateTable& t) { t.partition_columns = {"k", "k"}; }, "repeated");
  bad([](CreateTable& t) { t.distribution_columns.clear(); }, "no distribution columns");
  bad([](CreateTable& t) { t.distribution_columns = {"v", "nope"}; }, "distribution column nope");
  bad([](CreateTable& t) { t.bucket_count = 0; }, "bucket count 0");
  bad([](CreateTable& t) { t.bucket_count = 100000; }, "bucket count 100000");
  bad([](CreateTable& t) { t.partitions[1].lower = {"50"}; }, "overlaps partition p0");
  bad([](CreateTable& t) { t.partitions[1].name = "p0"; }, "duplicate partition p0");
  bad([](CreateTable& t) { t.partitions[0].upper = {"1", "2"}; }, "2 values for 1 partition columns");
  bad([](CreateTable& t) { t.partitions[0].upper = {"abc"}; }, "not valid for column k");
  bad([](CreateTable& t) { t.partitions[0].lower = {"100"}; }, "is empty");
  bad([](CreateTable& t) { t.partitions[0].lower = t.partitions[0].upper = {}; }, "overlaps");
  bad([](CreateTable& t) { t.partition_columns.clear(); }, "lists partitions");
  bad([](CreateTable& t) { t.partitions.resize(5000, t.partitions[0]); }, "per-change limit");
  bad([](CreateTable& t) { t.partitions.resize(300), t.bucket_count = 4096; }, "per-change limit");
  CreateTable t = MakeTable("db1", "t2", 1, 1);
  t.storage_volume = "nope";
  st = d.Fail(t, StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "storage volume nope does not exist");
}

TEST(CatalogTest, PrimaryKeyRules) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  CreateTable t = MakeTable("db1", "pk", 1, 1);
  t.key_type = KeyType::kPrimary;
  t.columns[1].nullable = false;
  t.distribution_columns = {"v"};
  auto st = d.Fail(t, StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("must be a primary key column"), std::string::npos) << st.message();
  t.distribution_columns = {"dt"};
  d.Ok(t);
}

TEST(CatalogTest, DateRangesAndNegativeIntegers) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  CreateTable t = MakeTable("db1", "bydate", 0, 1);
  t.partition_columns = {"dt"};
  t.partitions = {{.name = "p202401", .lower = {"2024-01-01"}, .upper = {"2024-02-01"}},
                  {.name = "p202402", .lower = {"2024-02-01"}, .upper = {"2024-03-01"}}};
  d.Ok(t);
  d.Fail(AddPartition{.db = "db1", .table = "bydate", .partition = {.name = "x", .lower = {"2024/01/01"}}},
         StatusCode::kInvalidArgument);
  d.Fail(AddPartition{.db = "db1", .table = "bydate", .partition = {.name = "x", .upper = {"2024-01-15"}}},
         StatusCode::kInvalidArgument);
  d.Ok(AddPartition{.db = "db1", .table = "bydate", .partition = {.name = "old", .upper = {"2024-01-01"}}});
  // Integers compare numerically, not as strings: "9" < "10" < "0100".
  CreateTable n = MakeTable("db1", "neg", 0, 1);
  n.partitions = {{.name = "a", .lower = {"-1000"}, .upper = {"-20"}}, {.name = "b", .lower = {"-20"}, .upper = {"9"}},
                  {.name = "c", .lower = {"9"}, .upper = {"10"}}, {.name = "d", .lower = {"10"}, .upper = {"0100"}}};
  d.Ok(n);
  d.Fail(AddPartition{.db = "db1", .table = "neg", .partition = {.name = "e", .lower = {"99"}, .upper = {"101"}}},
         StatusCode::kInvalidArgument);
  d.Fail(AddPartition{.db = "db1", .table = "neg", .partition = {.name = "e", .lower = {"-5000"}, .upper = {"-999"}}},
         StatusCode::kInvalidArgument);
  d.Fail(AddPartition{.db = "db1", .table = "neg", .partition = {.name = "e", .lower = {"100"}, .upper = {"-0"}}},
         StatusCode::kInvalidArgument);
  d.Ok(AddPartition{.db = "db1", .table = "neg", .partition = {.name = "e", .lower = {"100"}}});
  d.Ok(AddPartition{.db = "db1", .table = "neg", .partition = {.name = "f", .upper = {"-1000"}}});
}

TEST(CatalogTest, Partitions) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 2, 3));  // p0 [0,100) p1 [100,200)
  uint64_t pid = d.Ok(AddPartition{.db = "db1", .table = "t1", .partition = {.name = "p2", .lower = {"200"}, .upper = {"300"}}});
  EXPECT_EQ(d.cat.state().partitions.at(pid).tablet_ids.size(), 3u);
  EXPECT_EQ(d.cat.state().tablets.size(), 9u);
  auto st = d.Fail(AddPartition{.db = "db1", .table = "t1", .partition = {.name = "p3", .lower = {"250"}, .upper = {"400"}}},
                     StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("overlaps partition p2"), std::string::npos) << st.message();
  d.Fail(AddPartition{.db = "db1", .table = "t1", .partition = {.name = "p2", .lower = {"500"}}},
         StatusCode::kAlreadyExists);
  EXPECT_EQ(d.Ok(AddPartition{.db = "db1", .table = "t1", .partition = {.name = "p2"}, .if_not_exists = true}), pid);
  d.Fail(AddPartition{.db = "db1", .table = "nope", .partition = {.name = "x"}}, StatusCode::kNotFound);
  d.Fail(AddPartition{.db = "nodb", .table = "t1", .partition = {.name = "x"}}, StatusCode::kNotFound);
  d.Ok(DropPartition{.db = "db1", .table = "t1", .name = "p2"});
  EXPECT_FALSE(d.cat.state().partitions.contains(pid));
  EXPECT_EQ(d.cat.state().tablets.size(), 6u);
  d.Fail(DropPartition{.db = "db1", .table = "t1", .name = "p2"}, StatusCode::kNotFound);
  d.Ok(DropPartition{.db = "db1", .table = "t1", .name = "p2", .if_exists = true});
  // The dropped range is free again.
  d.Ok(AddPartition{.db = "db1", .table = "t1", .partition = {.name = "p2b", .lower = {"200"}, .upper = {"300"}}});
}

TEST(CatalogTest, DropTable) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 2, 2));
  d.Ok(MakeTable("db1", "t2", 1, 1));
  d.Ok(DropTable{.db = "db1", .name = "t1"});
  EXPECT_EQ(d.cat.state().tables.size(), 1u);
  EXPECT_EQ(d.cat.state().partitions.size(), 1u);
  EXPECT_EQ(d.cat.state().tablets.size(), 1u);
  auto st = d.Fail(DropTable{.db = "db1", .name = "t1"}, StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "table db1.t1 does not exist");
  d.Ok(DropTable{.db = "db1", .name = "t1", .if_exists = true});
  d.Ok(DropTable{.db = "nodb", .name = "t1", .if_exists = true});
}

TEST(CatalogTest, TruncateTable) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 2, 2));
  const auto& s = d.cat.state();
  uint64_t p0 = TableNamed(d.cat, "db1", "t1").partition_ids.at("p0");
  uint64_t p1 = TableNamed(d.cat, "db1", "t1").partition_ids.at("p1");
  d.Ok(CommitPartitionVersion{.partition_id = p0, .version = 2});
  auto old0 = s.partitions.at(p0).tablet_ids;
  auto old1 = s.partitions.at(p1).tablet_ids;
  d.Fail(TruncateTable{.db = "db1", .table = "t1", .partitions = {"p0", "zz"}}, StatusCode::kNotFound);
  d.Ok(TruncateTable{.db = "db1", .table = "t1", .partitions = {"p0"}});
  EXPECT_NE(s.partitions.at(p0).tablet_ids, old0);
  EXPECT_EQ(s.partitions.at(p1).tablet_ids, old1);
  EXPECT_EQ(s.partitions.at(p0).visible_version, 1u);
  for (uint64_t t : old0) EXPECT_FALSE(s.tablets.contains(t));
  EXPECT_EQ(s.tablets.size(), 4u);
  d.Ok(TruncateTable{.db = "db1", .table = "t1"});
  EXPECT_NE(s.partitions.at(p1).tablet_ids, old1);
  EXPECT_EQ(s.tablets.size(), 4u);
  d.Fail(TruncateTable{.db = "db1", .table = "nope"}, StatusCode::kNotFound);
}

TEST(CatalogTest, CommitPartitionVersion) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 1, 1));
  uint64_t p = TableNamed(d.cat, "db1", "t1").partition_ids.at("p0");
  d.Ok(CommitPartitionVersion{.partition_id = p, .version = 2});
  d.Ok(CommitPartitionVersion{.partition_id = p, .version = 3});
  auto st = d.Fail(CommitPartitionVersion{.partition_id = p, .version = 3}, StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("version 3 is not visible version 3 + 1"), std::string::npos) << st.message();
  d.Fail(CommitPartitionVersion{.partition_id = p, .version = 5}, StatusCode::kFailedPrecondition);
  d.Fail(CommitPartitionVersion{.partition_id = 1, .version = 2}, StatusCode::kNotFound);
  EXPECT_EQ(d.cat.state().partitions.at(p).visible_version, 3u);
  EXPECT_EQ(d.cat.state().partitions.at(p).next_version, 4u);
}

TEST(CatalogTest, StorageVolumes) {
  Driver d;
  d.Ok(MakeVolume("sv1"));
  const StorageVolume& v = d.cat.state().storage_volumes.at("sv1");
  EXPECT_EQ(v.properties.size(), 2u);  // region, endpoint
  ASSERT_EQ(v.credentials.size(), 2u);
  EXPECT_EQ(v.credentials.at("aws.s3.secret_key").Reveal(), "TOPSECRETKEY");
  d.Fail(MakeVolume("sv1"), StatusCode::kAlreadyExists);
  auto dup = MakeVolume("sv1");
  dup.if_not_exists = true;
  d.Ok(dup);
  auto bad = MakeVolume("sv2");
  bad.locations = {"http://bucket"};
  d.Fail(bad, StatusCode::kInvalidArgument);
  bad.locations = {};
  d.Fail(bad, StatusCode::kInvalidArgument);
  bad = MakeVolume("sv2");
  bad.properties[""] = "x";
  d.Fail(bad, StatusCode::kInvalidArgument);
  d.Fail(SetDefaultStorageVolume{.name = "nope"}, StatusCode::kNotFound);
  d.Ok(SetDefaultStorageVolume{.name = "sv1"});
  d.Ok(MakeVolume("sv2"));
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 1, 1));
  EXPECT_EQ(TableNamed(d.cat, "db1", "t1").storage_volume, "sv1");  // the default
  auto st = d.Fail(DropStorageVolume{.name = "sv1"}, StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "storage volume sv1 is the default storage volume");
  d.Ok(SetDefaultStorageVolume{.name = "sv2"});
  st = d.Fail(DropStorageVolume{.name = "sv1"}, StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "storage volume sv1 is used by table db1.t1");
  d.Ok(DropTable{.db = "db1", .name = "t1"});
  d.Ok(SetAutomatedSnapshot{.action = SnapshotAction::kOn, .storage_volume = "sv1"});
  d.Fail(DropStorageVolume{.name = "sv1"}, StatusCode::kFailedPrecondition);
  d.Ok(SetAutomatedSnapshot{.action = SnapshotAction::kOff});
  d.Ok(DropStorageVolume{.name = "sv1"});
  d.Fail(DropStorageVolume{.name = "sv1"}, StatusCode::kNotFound);
  d.Ok(DropStorageVolume{.name = "sv1", .if_exists = true});
}

TEST(CatalogTest, Users) {
  Driver d;
  UserIdentity alice{.name = "alice", .host = "%"};
  std::string hash = MysqlNativePasswordHash("pw");
  d.Ok(CreateUser{.user = alice, .password_hash = Secret(hash)});
  EXPECT_EQ(d.cat.state().users.at(alice).password_hash.Reveal(), hash);
  auto st = d.Fail(CreateUser{.user = alice}, StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "user 'alice'@'%' already exists");
  d.Ok(CreateUser{.user = alice, .if_not_exists = true});
  d.Fail(CreateUser{.user = {.name = "bob"}, .password_hash = Secret("plaintext")}, StatusCode::kInvalidArgument);
  d.Fail(CreateUser{.user = {.name = "bob"}, .roles = {"nope"}}, StatusCode::kNotFound);
  d.Fail(CreateUser{.user = {.name = ""}}, StatusCode::kInvalidArgument);
  d.Ok(AlterUserPassword{.user = alice, .password_hash = Secret(MysqlNativePasswordHash("new"))});
  EXPECT_EQ(d.cat.state().users.at(alice).password_hash.Reveal(), MysqlNativePasswordHash("new"));
  d.Fail(AlterUserPassword{.user = alice, .password_hash = Secret("*123")}, StatusCode::kInvalidArgument);
  d.Fail(AlterUserPassword{.user = {.name = "bob"}}, StatusCode::kNotFound);
  d.Fail(DropUser{.user = {.name = "root"}}, StatusCode::kFailedPrecondition);
  d.Ok(DropUser{.user = alice});
  d.Fail(DropUser{.user = alice}, StatusCode::kNotFound);
  d.Ok(DropUser{.user = alice, .if_exists = true});
}

TEST(CatalogTest, RolesAndGrants) {
  Driver d;
  d.Ok(CreateDatabase{.name = "db1"});
  d.Ok(MakeTable("db1", "t1", 1, 1));
  UserIdentity bob{.name = "bob", .host = "%"};
  d.Ok(CreateUser{.user = bob});
  d.Ok(CreateRole{.name = "r1"});
  d.Fail(CreateRole{.name = "r1"}, StatusCode::kAlreadyExists);
  d.Ok(CreateRole{.name = "r1", .if_not_exists = true});
  d.Ok(GrantRole{.role = "r1", .user = bob});
  d.Ok(GrantRole{.role = "r1", .user = bob});  // idempotent
  d.Fail(GrantRole{.role = "nope", .user = bob}, StatusCode::kNotFound);
  d.Fail(GrantRole{.role = "r1", .user = {.name = "nobody"}}, StatusCode::kNotFound);
  PrivilegeObject t1{.type = ObjectType::kTable, .name = "db1.t1"};
  Grantee role{.kind = GranteeKind::kRole, .name = "r1"};
  d.Ok(Grant{.grantee = role, .privileges = {"select", "Insert"}, .object = t1});
  EXPECT_EQ(d.cat.state().roles.at("r1").privileges.at(t1), (std::set<std::string>{"INSERT", "SELECT"}));
  d.Fail(Grant{.grantee = role, .privileges = {"SELECT"}, .object = {.type = ObjectType::kTable, .name = "db1.zz"}},
         StatusCode::kNotFound);
  d.Fail(Grant{.grantee = role, .privileges = {"SELECT"}, .object = {.type = ObjectType::kTable, .name = "db1"}},
         StatusCode::kInvalidArgument);
  d.Fail(Grant{.grantee = role, .privileges = {}, .object = t1}, StatusCode::kInvalidArgument);
  d.Fail(Grant{.grantee = role, .privileges = {"DROP;"}, .object = t1}, StatusCode::kInvalidArgument);
  d.Fail(Grant{.grantee = {.name = "nobody"}, .privileges = {"SELECT"}, .object = t1}, StatusCode::kNotFound);
  d.Fail(Grant{.grantee = role, .privileges = {"NODE"}, .object = {.type = ObjectType::kSystem, .name = "x"}},
         StatusCode::kInvalidArgument);
  d.Ok(Grant{.grantee = {.name = "bob"}, .privileges = {"NODE"}, .object = {.type = ObjectType::kSystem}});
  d.Ok(Grant{.grantee = {.name = "bob"}, .privileges = {"ALL"}, .object = {.type = ObjectType::kTable, .name = "*.*"}});
  d.Ok(Grant{.grantee = {.name = "bob"}, .privileges = {"ALL"}, .object = {.type = ObjectType::kDatabase, .name = "*"}});
  auto st = d.Fail(Revoke{.grantee = role, .privileges = {"SELECT", "DELETE"}, .object = t1}, StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "role r1 has no DELETE privilege on TABLE db1.t1");
  d.Ok(Revoke{.grantee = role, .privileges = {"SELECT", "INSERT"}, .object = t1});
  EXPECT_TRUE(d.cat.state().roles.at("r1").privileges.empty());
  d.Fail(DropRole{.name = "root"}, StatusCode::kFailedPrecondition);
  d.Ok(DropRole{.name = "r1"});
  EXPECT_FALSE(d.cat.state().users.at(bob).roles.contains("r1"));
  d.Fail(DropRole{.name = "r1"}, StatusCode::kNotFound);
  d.Ok(DropRole{.name = "r1", .if_exists = true});
  d.Fail(RevokeRole{.role = "r1", .user = bob}, StatusCode::kNotFound);
}

TEST(CatalogTest, FrontendsAndComputeNodes) {
  Driver d;
  d.Ok(LeaderChange{.fe_name = "fe1:8030", .term = 1});
  d.Ok(AddFrontend{.name = "fe1:8030", .host = "fe1", .edit_log_port = 9010, .http_port = 8030});
  d.Fail(AddFrontend{.name = "fe1:8030", .host = "x", .edit_log_port = 9010}, StatusCode::kAlreadyExists);
  // An FE is reached at host:http_port: a second name for the same address is refused.
  d.Fail(AddFrontend{.name = "other", .host = "fe1", .edit_log_port = 9011, .http_port = 8030}, StatusCode::kAlreadyExists);
  d.Fail(AddFrontend{.name = "fe2", .host = "fe2", .edit_log_port = 0}, StatusCode::kInvalidArgument);
  d.Fail(AddFrontend{.name = "fe2", .host = "fe2", .edit_log_port = 70000}, StatusCode::kInvalidArgument);
  d.Ok(AddFrontend{.name = "fe2", .host = "fe2", .edit_log_port = 9010, .role = FrontendRole::kObserver});
  EXPECT_EQ(d.cat.state().frontends.at("fe2").role, FrontendRole::kObserver);
  auto st = d.Fail(DropFrontend{.name = "fe1:8030"}, StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "frontend fe1:8030 is the leader");
  d.Ok(DropFrontend{.name = "fe2"});
  d.Fail(DropFrontend{.name = "fe2"}, StatusCode::kNotFound);

  uint64_t cn = d.Ok(AddComputeNode{.host = "cn1", .heartbeat_port = 9050, .rpc_port = 9060});
  EXPECT_EQ(d.cat.state().compute_nodes.at(cn).host, "cn1");
  d.Fail(AddComputeNode{.host = "cn1", .heartbeat_port = 9050}, StatusCode::kAlreadyExists);
  d.Fail(AddComputeNode{.host = "cn2", .heartbeat_port = 0}, StatusCode::kInvalidArgument);
  uint64_t cn2 = d.Ok(AddComputeNode{.host = "cn1", .heartbeat_port = 9051});
  EXPECT_EQ(cn2, cn + 1);
  d.Ok(DropComputeNode{.host = "cn1", .heartbeat_port = 9050});
  d.Fail(DropComputeNode{.host = "cn1", .heartbeat_port = 9050}, StatusCode::kNotFound);
  EXPECT_EQ(d.cat.state().compute_nodes.size(), 1u);
}

TEST(CatalogTest, FrontendConfig) {
  Driver d;
  d.Ok(SetFrontendConfig{.key = "automated_cluster_snapshot_interval_seconds", .value = "60"});
  EXPECT_EQ(d.cat.state().fe_config.at("automated_cluster_snapshot_interval_seconds"), "60");
  d.Ok(SetFrontendConfig{.key = "automated_cluster_snapshot_interval_seconds", .value = ""});
  EXPECT_TRUE(d.cat.state().fe_config.empty());
  d.Fail(SetFrontendConfig{.key = "", .value = "1"}, StatusCode::kInvalidArgument);
}

TEST(CatalogTest, AutomatedSnapshot) {
  Driver d;
  auto st = d.Fail(SetAutomatedSnapshot{.action = SnapshotAction::kOn}, StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("no default storage volume"), std::string::npos);
  st = d.Fail(SetAutomatedSnapshot{.action = SnapshotAction::kOn, .storage_volume = "sv"}, StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "unknown storage volume: sv");
  d.Fail(SetAutomatedSnapshot{.action = SnapshotAction::kOff}, StatusCode::kFailedPrecondition);
  d.Ok(MakeVolume("sv"));
  d.Ok(SetDefaultStorageVolume{.name = "sv"});
  d.Ok(SetAutomatedSnapshot{.action = SnapshotAction::kOn, .interval_seconds = 60});
  const auto& a = d.cat.state().automated_snapshot;
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.storage_volume, "sv");
  EXPECT_EQ(a.interval_seconds, 60u);
  st = d.Fail(SetAutomatedSnapshot{.action = SnapshotAction::kOn}, StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "automated cluster snapshot is already on");
  d.Fail(SetAutomatedSnapshot{.action = SnapshotAction::kSetInterval}, StatusCode::kInvalidArgument);
  d.Ok(SetAutomatedSnapshot{.action = SnapshotAction::kSetInterval, .interval_seconds = 600});
  EXPECT_EQ(a.interval_seconds, 600u);
  d.Ok(SetAutomatedSnapshot{.action = SnapshotAction::kOff});
  EXPECT_FALSE(a.enabled);
  d.Fail(SetAutomatedSnapshot{.action = static_cast<SnapshotAction>(7)}, StatusCode::kInvalidArgument);
}

TEST(CatalogTest, SnapshotJobs) {
  Driver d;
  SnapshotJob job{.name = "automated_cluster_snapshot_1", .state = "INITIALIZING", .created_ms = 5};
  uint64_t id = d.Ok(UpsertSnapshotJob{.job = job});
  EXPECT_EQ(d.cat.state().snapshot_jobs.at(id).job_id, id);
  auto st = d.Fail(UpsertSnapshotJob{.job = job}, StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), "snapshot automated_cluster_snapshot_1 already exists");
  job.job_id = id;
  job.state = "FINISHED";
  job.finished_ms = 9;
  EXPECT_EQ(d.Ok(UpsertSnapshotJob{.job = job}), id);
  EXPECT_EQ(d.cat.state().snapshot_jobs.at(id).state, "FINISHED");
  job.state = "SNAPSHOTTING";  // misspelt: StarRocks spells it SNAPSHOTING
  d.Fail(UpsertSnapshotJob{.job = job}, StatusCode::kInvalidArgument);
  job.state = "ERROR";
  job.name = "renamed";
  d.Fail(UpsertSnapshotJob{.job = job}, StatusCode::kInvalidArgument);
  job.job_id = 424242;
  d.Fail(UpsertSnapshotJob{.job = job}, StatusCode::kNotFound);
  // A failed job's name can be used again.
  uint64_t failed = d.Ok(UpsertSnapshotJob{.job = {.name = "m", .type = SnapshotType::kManual, .state = "ERROR"}});
  EXPECT_NE(d.Ok(UpsertSnapshotJob{.job = {.name = "m", .type = SnapshotType::kManual, .state = "INITIALIZING"}}),
            failed);
  d.Ok(DeleteSnapshotJob{.job_id = id});
  d.Fail(DeleteSnapshotJob{.job_id = id}, StatusCode::kNotFound);
  d.Ok(DeleteSnapshotJob{.job_id = id, .if_exists = true});
}

TEST(CatalogTest, SampleSequenceApplies) {
  Driver d;
  for (const auto& c : testing::SampleChanges()) d.Ok(c.body);
  const auto& s = d.cat.state();
  EXPECT_EQ(s.partitions.at(10010).visible_version, 2u);
  EXPECT_TRUE(s.snapshot_jobs.contains(10037));
  EXPECT_FALSE(s.snapshot_jobs.contains(10036));
}

}  // namespace
}  // namespace strata::meta

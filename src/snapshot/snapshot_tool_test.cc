// `strata snapshot list|inspect|verify` over in-memory volumes: a cluster with
// two tables on two storage volumes, loaded and snapshotted; then objects are
// removed or damaged and the tools must say exactly what is wrong — and never
// print a credential.
#include "snapshot/snapshot_tool.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "meta/catalog/catalog_test_util.h"
#include "objstore/mem/mem_object_store.h"
#include "snapshot/volume_spec.h"
#include "storage/tablet_meta.h"

namespace strata::snapshot {
namespace {

using Json = nlohmann::json;

constexpr const char* kMainLocation = "s3://snapshots/strata";
constexpr const char* kOtherLocation = "s3://other-bucket/x";
constexpr const char* kReplicaLocation = "s3://replica/strata";
// Credentials that must never appear in any output.
constexpr const char* kSecrets[] = {"AKIDMAINACCESS", "MAINSECRETKEY", "OTHERSECRETKEY", "FLAGSECRET", "ENVSECRET"};

struct Output {
  int code = -1;
  std::string out;
  std::string err;
};

class SnapshotToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.Ok(meta::CreateStorageVolume{.name = "builtin_storage_volume",
                                    .locations = {kMainLocation},
                                    .properties = {{"aws.s3.endpoint", "http://127.0.0.1:9000"},
                                                   {"aws.s3.access_key", "AKIDMAINACCESS"},
                                                   {"aws.s3.secret_key", "MAINSECRETKEY"}}});
    d_.Ok(meta::SetDefaultStorageVolume{.name = "builtin_storage_volume"});
    d_.Ok(meta::CreateStorageVolume{.name = "sv2",
                                    .locations = {kOtherLocation},
                                    .properties = {{"aws.s3.endpoint", "http://other:9000"},
                                                   {"aws.s3.access_key", "OTHERACCESS"},
                                                   {"aws.s3.secret_key", "OTHERSECRETKEY"}}});
    d_.Ok(meta::CreateDatabase{.name = "db1"});
    d_.Ok(meta::testing::MakeTable("db1", "t1", 1, 2));
    meta::CreateTable t2 = meta::testing::MakeTable("db1", "t2", 1, 2);
    t2.storage_volume = "sv2";
    d_.Ok(t2);
    Load("t1", *main_);
    Load("t2", *other_);
    ASSERT_TRUE(WriteSnapshot(*main_, d_.cat, ManifestOf("s1", 1'700'000'000'000)).ok());
  }

  // Writes one version (one data file) of every tablet of db1.`table` and commits it.
  void Load(const std::string& table, objstore::ObjectStore& store) {
    const meta::CatalogState& s = d_.cat.state();
    const meta::Table& t = s.tables.at(s.databases.at(s.database_ids.at("db1")).table_ids.at(table));
    const std::string txn = storage::NewTxnId();
    meta::CommitTxn commit{.table_id = t.id, .label = "load_" + table, .txn_id = txn, .kind = "insert"};
    for (const auto& [name, partition_id] : t.partition_ids) {
      for (uint64_t tablet : s.partitions.at(partition_id).tablet_ids) {
        const std::string data_key = storage::DataFileKey("c1", tablet, txn, 0);
        const std::string bytes = "rows of tablet " + std::to_string(tablet);
        ASSERT_TRUE(store.Put(data_key, bytes).ok());
        storage::TabletMeta meta{.tablet_id = tablet, .version = 2, .txn_id = txn};
        meta.rowsets.push_back({.data_file = data_key, .rows = 1, .size_bytes = bytes.size(), .version = 2});
        const std::string meta_key = storage::TabletMetaKey("c1", tablet, 2, txn);
        ASSERT_TRUE(storage::PutTabletMeta(store, meta_key, meta).ok());
        commit.tablets.push_back({.tablet_id = tablet, .new_meta = meta_key});
        data_files_.push_back(data_key);
        meta_keys_.push_back(meta_key);
      }
      commit.rows += t.bucket_count;
    }
    d_.Ok(commit);
  }

  static Manifest ManifestOf(std::string name, int64_t created_ms, std::string cluster_id = "c1") {
    return Manifest{.name = std::move(name), .type = "MANUAL", .cluster_id = std::move(cluster_id),
                    .cluster_name = "prod", .created_ms = created_ms, .completed_ms = created_ms + 1000,
                    .storage_volume = "builtin_storage_volume"};
  }

  ToolEnv Env(std::ostringstream& out, std::ostringstream& err) {
    return ToolEnv{.out = &out,
                   .err = &err,
                   .getenv = [this](const std::string& name) -> std::optional<std::string> {
                     auto it = environment_.find(name);
                     return it == environment_.end() ? std::nullopt : std::optional(it->second);
                   },
                   .open = [this](const objstore::VolumeSpec& spec) -> Result<std::shared_ptr<objstore::ObjectStore>> {
                     opened_.push_back(spec);
                     if (NormalizeLocation(spec.location) == kMainLocation) return std::shared_ptr<objstore::ObjectStore>(main_);
                     if (spec.location == kReplicaLocation && replica_) {
                       return std::shared_ptr<objstore::ObjectStore>(replica_);
                     }
                     if (spec.location == kOtherLocation && other_reachable_) {
                       return std::shared_ptr<objstore::ObjectStore>(other_);
                     }
                     if (spec.location.starts_with("s3://")) return Unavailable("cannot reach " + spec.location);
                     return InvalidArgument("volume location '" + spec.location + "' is not usable");
                   }};
  }

  Output Run(std::vector<std::string> args) {
    std::ostringstream out, err;
    Output o;
    o.code = RunSnapshotTool(args, Env(out, err));
    o.out = out.str();
    o.err = err.str();
    const std::string what = args.empty() ? "(no args)" : args[0];
    for (const char* secret : kSecrets) {
      EXPECT_EQ(o.out.find(secret), std::string::npos) << secret << " printed by " << what << ":\n" << o.out;
      EXPECT_EQ(o.err.find(secret), std::string::npos) << secret << " printed by " << what << ":\n" << o.err;
    }
    return o;
  }

  meta::testing::Driver d_;
  std::shared_ptr<objstore::MemObjectStore> main_ = std::make_shared<objstore::MemObjectStore>();
  std::shared_ptr<objstore::MemObjectStore> other_ = std::make_shared<objstore::MemObjectStore>();
  std::shared_ptr<objstore::MemObjectStore> replica_;  // none until a test makes one
  bool other_reachable_ = true;
  std::vector<std::string> data_files_;  // t1's (on main_) then t2's (on other_)
  std::vector<std::string> meta_keys_;
  std::map<std::string, std::string> environment_;
  std::vector<objstore::VolumeSpec> opened_;
};

TEST_F(SnapshotToolTest, ListShowsSnapshotsDamagedManifestsAndDebrisOnRequest) {
  ASSERT_TRUE(WriteSnapshot(*main_, d_.cat, ManifestOf("s0", 1'600'000'000'000, "c2")).ok());
  ASSERT_TRUE(main_->Put(ManifestKey("c1", "bad"), "{not json").ok());
  ASSERT_TRUE(main_->Put(ImageKey("c1", "half"), "partial").ok());
  Output o = Run({"list", "--volume", kMainLocation});
  ASSERT_EQ(o.code, kToolExitOk) << o.err;
  EXPECT_NE(o.out.find("CLUSTER_ID"), std::string::npos) << o.out;
  // Oldest first, with the created time in UTC.
  const size_t s0 = o.out.find("c2  "), s1 = o.out.find("c1  ");
  ASSERT_NE(s0, std::string::npos) << o.out;
  ASSERT_NE(s1, std::string::npos) << o.out;
  EXPECT_LT(s0, s1);
  EXPECT_NE(o.out.find("2023-11-14T22:13:20Z"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("DAMAGED"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(ManifestKey("c1", "bad")), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("half"), std::string::npos) << "debris listed without --show-debris:\n" << o.out;

  o = Run({"list", "--volume", kMainLocation, "--show-debris", "--cluster-id", "c1"});
  ASSERT_EQ(o.code, kToolExitOk) << o.err;
  EXPECT_NE(o.out.find("INCOMPLETE  c1/half"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("s0"), std::string::npos) << "another lineage listed:\n" << o.out;

  o = Run({"list", "--volume=" + std::string(kMainLocation), "--json"});
  ASSERT_EQ(o.code, kToolExitOk) << o.err;
  Json j = Json::parse(o.out);
  ASSERT_EQ(j["snapshots"].size(), 2u);
  EXPECT_EQ(j["snapshots"][1]["name"], "s1");
  EXPECT_EQ(j["snapshots"][1]["tablet_versions"], 4);
  EXPECT_EQ(j["damaged"].size(), 1u);
  EXPECT_FALSE(j.contains("debris"));
}

TEST_F(SnapshotToolTest, InspectSummarisesTheCatalogWithCredentialsMasked) {
  Output o = Run({"inspect", "--volume", kMainLocation, "--cluster-id", "c1", "--name", "s1"});
  ASSERT_EQ(o.code, kToolExitOk) << o.err;
  for (const char* want : {"snapshot c1/s1", "MANUAL", "db1.t1", "db1.t2", "volume sv2", "tablets 2",
                           "aws.s3.secret_key=***", "aws.s3.access_key=***", kOtherLocation}) {
    EXPECT_NE(o.out.find(want), std::string::npos) << want << " missing:\n" << o.out;
  }
  EXPECT_EQ(o.out.find("OTHERACCESS"), std::string::npos) << o.out;

  o = Run({"inspect", "--volume", kMainLocation, "--name", "s1", "--json"});  // the lineage is found
  ASSERT_EQ(o.code, kToolExitOk) << o.err;
  Json j = Json::parse(o.out);
  EXPECT_EQ(j["manifest"]["cluster_id"], "c1");
  EXPECT_EQ(j["catalog"]["tables"].size(), 2u);
  EXPECT_EQ(j["catalog"]["tablet_versions"], 4);
  for (const auto& v : j["catalog"]["storage_volumes"]) {
    for (const auto& [k, value] : v["credentials"].items()) EXPECT_EQ(value, "***") << k;
  }
  EXPECT_EQ(o.out.find("OTHERACCESS"), std::string::npos) << o.out;

  o = Run({"inspect", "--volume", kMainLocation, "--cluster-id", "c1", "--name", "nope"});
  EXPECT_EQ(o.code, kToolExitProblems);
}

TEST_F(SnapshotToolTest, VerifyHappyPathReusesTheGivenStoreAndOpensOtherVolumesFromTheImage) {
  environment_ = {{"STRATA_S3_ACCESS_KEY", "ENVACCESS"}, {"STRATA_S3_SECRET_KEY", "ENVSECRET"}};
  Output o = Run({"verify", "--volume", std::string(kMainLocation) + "/", "--endpoint", "http://127.0.0.1:9000"});
  ASSERT_EQ(o.code, kToolExitOk) << o.out << o.err;
  EXPECT_NE(o.out.find("4 pinned, 4 checked on builtin_storage_volume (--volume), sv2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("image            OK"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("verified 1 snapshot: OK"), std::string::npos) << o.out;
  // The main store was opened once, from the flags and environment; sv2 from the image's definition.
  ASSERT_EQ(opened_.size(), 2u);
  EXPECT_EQ(opened_[0].access_key.Reveal(), "ENVACCESS");
  EXPECT_EQ(opened_[0].secret_key.Reveal(), "ENVSECRET");
  EXPECT_EQ(opened_[1].location, kOtherLocation);
  EXPECT_EQ(opened_[1].endpoint, "http://other:9000");
  EXPECT_EQ(opened_[1].secret_key.Reveal(), "OTHERSECRETKEY");

  // Flags win over the environment.
  opened_.clear();
  o = Run({"verify", "--volume", kMainLocation, "--name", "s1", "--secret-key", "FLAGSECRET", "--all=x"});
  EXPECT_EQ(o.code, kToolExitUsage);  // --all takes no value
  o = Run({"verify", "--volume", kMainLocation, "--name", "s1", "--secret-key", "FLAGSECRET", "--json"});
  ASSERT_EQ(o.code, kToolExitOk) << o.out << o.err;
  EXPECT_EQ(opened_.at(0).secret_key.Reveal(), "FLAGSECRET");
  Json j = Json::parse(o.out);
  EXPECT_TRUE(j["ok"]);
  EXPECT_EQ(j["snapshots"][0]["tablet_versions_checked"], 4);
}

TEST_F(SnapshotToolTest, VerifyReadsTheSnapshotVolumeThroughTheGivenLocationEvenIfTheImageNamesAnother) {
  // A disaster-recovery replica of the snapshot volume: the image still names the primary's location.
  replica_ = main_;
  Output o = Run({"verify", "--volume", kReplicaLocation, "--json"});
  ASSERT_EQ(o.code, kToolExitOk) << o.out << o.err;
  Json j = Json::parse(o.out);
  EXPECT_EQ(j["snapshots"][0]["volumes_via_given"], Json::array({"builtin_storage_volume"}));
  for (const auto& spec : opened_) EXPECT_NE(spec.location, kMainLocation) << "opened the primary";
  // What is missing on the replica is reported, even if the primary still has it.
  replica_ = std::make_shared<objstore::MemObjectStore>();
  for (const std::string& key : {ImageKey("c1", "s1"), ManifestKey("c1", "s1"), meta_keys_[0], data_files_[0]}) {
    ASSERT_TRUE(replica_->Put(key, *main_->Get(key)).ok());
  }
  o = Run({"verify", "--volume", kReplicaLocation});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find(meta_keys_[1]), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("FAILED (1 problem)"), std::string::npos) << o.out;
}

TEST_F(SnapshotToolTest, VerifyNamesEveryMissingObject) {
  ASSERT_TRUE(other_->Delete(data_files_[3]).ok());  // a data file of t2 on sv2
  ASSERT_TRUE(main_->Delete(meta_keys_[0]).ok());     // a tablet version of t1
  ASSERT_TRUE(main_->Put(data_files_[1], "truncated").ok());
  Output o = Run({"verify", "--volume", kMainLocation, "--cluster-id", "c1"});
  EXPECT_EQ(o.code, kToolExitProblems) << o.out;
  EXPECT_NE(o.out.find(data_files_[3]), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(meta_keys_[0]), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(data_files_[1]), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("db1.t2 partition p0 tablet"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("FAILED (3 problems)"), std::string::npos) << o.out;

  // Bounded: the report stops at problems_max and says how much it skipped.
  SnapshotVerdict v = VerifySnapshot(*main_, "c1", "s1", VerifyOptions{.volume_location = kMainLocation,
                                                                       .problems_max = 1, .parallel = 1},
                                     [&](const objstore::VolumeSpec&) -> Result<std::shared_ptr<objstore::ObjectStore>> {
                                       return std::shared_ptr<objstore::ObjectStore>(other_);
                                     });
  EXPECT_EQ(v.problems.size(), 1u);
  EXPECT_GE(v.problems_not_listed, 1u);
}

TEST_F(SnapshotToolTest, VerifyReportsAnUnreachableVolume) {
  other_reachable_ = false;
  Output o = Run({"verify", "--volume", kMainLocation});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find("cannot open storage volume 'sv2'"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("2 tablet versions not checked"), std::string::npos) << o.out;
}

TEST_F(SnapshotToolTest, VerifyRejectsADamagedImage) {
  std::string image = *main_->Get(ImageKey("c1", "s1"));
  image[image.size() / 2] ^= 0x20;
  ASSERT_TRUE(main_->Put(ImageKey("c1", "s1"), image).ok());
  Output o = Run({"verify", "--volume", kMainLocation, "--name", "s1"});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find("image c1/meta/image/s1/image is damaged"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("tablet versions"), std::string::npos) << "tablets counted from a damaged image:\n" << o.out;
  EXPECT_EQ(Run({"inspect", "--volume", kMainLocation, "--name", "s1"}).code, kToolExitProblems);

  ASSERT_TRUE(main_->Delete(ImageKey("c1", "s1")).ok());
  o = Run({"verify", "--volume", kMainLocation, "--name", "s1"});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find("is missing"), std::string::npos) << o.out;
}

TEST_F(SnapshotToolTest, VerifyCountsDamagedManifestsAndIncompleteSnapshots) {
  ASSERT_TRUE(WriteSnapshot(*main_, d_.cat, ManifestOf("s2", 1'700'000'100'000)).ok());
  ASSERT_TRUE(main_->Put(ManifestKey("c1", "bad"), "{\"format_version\": 1}").ok());
  ASSERT_TRUE(main_->Put(ImageKey("c1", "half"), "partial").ok());
  Output o = Run({"verify", "--volume", kMainLocation, "--all"});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find("snapshot c1/s1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("snapshot c1/s2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("damaged manifest"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("FAILED (0 failed, 1 other problem)"), std::string::npos) << o.out;
  // Without --all or --name: the newest snapshot of each lineage.
  ASSERT_TRUE(main_->Delete(ManifestKey("c1", "bad")).ok());
  o = Run({"verify", "--volume", kMainLocation});
  EXPECT_EQ(o.code, kToolExitOk) << o.out;
  EXPECT_NE(o.out.find("snapshot c1/s2"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("snapshot c1/s1"), std::string::npos) << o.out;
  // A directory without a manifest is not a snapshot.
  o = Run({"verify", "--volume", kMainLocation, "--name", "half"});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find("incomplete snapshot"), std::string::npos) << o.out;
  o = Run({"verify", "--volume", kMainLocation, "--name", "never"});
  EXPECT_EQ(o.code, kToolExitProblems);
  EXPECT_NE(o.out.find("no snapshot named never"), std::string::npos) << o.out;
  // An empty volume has nothing to restore from.
  main_ = std::make_shared<objstore::MemObjectStore>();
  EXPECT_EQ(Run({"verify", "--volume", kMainLocation}).code, kToolExitProblems);
}

TEST_F(SnapshotToolTest, UsageErrors) {
  EXPECT_EQ(Run({}).code, kToolExitUsage);
  EXPECT_EQ(Run({"--help"}).code, kToolExitOk);
  EXPECT_EQ(Run({"frobnicate", "--volume", kMainLocation}).code, kToolExitUsage);
  EXPECT_EQ(Run({"list"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"list", "--volume"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"list", "--volume", kMainLocation, "--bogus"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"list", "--volume", kMainLocation, "--all"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"verify", "--volume", kMainLocation, "--show-debris"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"inspect", "--volume", kMainLocation}).code, kToolExitUsage);
  EXPECT_EQ(Run({"inspect", "--volume", kMainLocation, "--name", "a/b"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"verify", "--volume", kMainLocation, "--name", "s1", "--all"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"verify", "--volume", kMainLocation, "--path-style", "maybe"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"verify", "--volume", kMainLocation, "--parallel", "0"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"list", "--volume", "relative/dir", "--secret-key", "FLAGSECRET"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"list", "--volume", kMainLocation, "FLAGSECRET"}).code, kToolExitUsage);  // not echoed
  // The same name in two lineages needs --cluster-id.
  ASSERT_TRUE(WriteSnapshot(*main_, d_.cat, ManifestOf("s1", 1'700'000'000'000, "c2")).ok());
  EXPECT_EQ(Run({"inspect", "--volume", kMainLocation, "--name", "s1"}).code, kToolExitUsage);
  EXPECT_EQ(Run({"inspect", "--volume", kMainLocation, "--name", "s1", "--cluster-id", "c2"}).code, kToolExitOk);
}

// A snapshot written with its object index is verified by listing the volumes
// (as a restore does); --deep still reads every version; a damaged index falls
// back to reading and says so.
TEST_F(SnapshotToolTest, VerifyWithTheObjectIndexListsInsteadOfReading) {
  ObjectIndexCache cache;
  auto index = cache.Build(
      PinnedVersionsByVolume(d_.cat.state()),
      [this](const std::string& volume) -> Result<std::shared_ptr<objstore::ObjectStore>> {
        return std::shared_ptr<objstore::ObjectStore>(volume == "sv2" ? other_ : main_);
      },
      4);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto m = WriteSnapshot(*main_, d_.cat, ManifestOf("s2", 1'700'000'100'000), &*index);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format_version, 2u);
  EXPECT_GT(m->data_bytes, 0u);
  Output o = Run({"verify", "--volume", kMainLocation, "--name", "s2"});
  EXPECT_EQ(o.code, kToolExitOk) << o.out;
  EXPECT_NE(o.out.find("checked by       object index, listed"), std::string::npos) << o.out;

  ASSERT_TRUE(other_->Delete(data_files_[3]).ok());  // a data file of t2 on sv2
  ASSERT_TRUE(main_->Put(data_files_[1], "truncated").ok());
  o = Run({"verify", "--volume", kMainLocation, "--name", "s2"});
  EXPECT_EQ(o.code, kToolExitProblems) << o.out;
  EXPECT_NE(o.out.find("data file " + data_files_[3]), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("is missing"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(data_files_[1] + " of tablet version"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("has 9 bytes"), std::string::npos) << o.out;

  o = Run({"verify", "--volume", kMainLocation, "--name", "s2", "--deep"});
  EXPECT_EQ(o.code, kToolExitProblems) << o.out;
  EXPECT_NE(o.out.find("checked by       tablet versions read"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(data_files_[3]), std::string::npos) << o.out;

  ASSERT_TRUE(main_->Put(ObjectIndexKey("c1", "s2"), "junk").ok());
  o = Run({"verify", "--volume", kMainLocation, "--name", "s2"});
  EXPECT_EQ(o.code, kToolExitProblems) << o.out;
  EXPECT_NE(o.out.find("object index unusable"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(data_files_[3]), std::string::npos) << o.out;

  ASSERT_TRUE(DeleteSnapshot(*main_, "c1", "s2").ok());
  EXPECT_EQ(main_->Head(ObjectIndexKey("c1", "s2")).status().code(), StatusCode::kNotFound);
}

TEST(SnapshotToolFormatTest, Utc) {
  EXPECT_EQ(FormatUtc(0), "-");
  EXPECT_EQ(FormatUtc(1'700'000'000'123), "2023-11-14T22:13:20Z");
  EXPECT_EQ(NormalizeLocation("file:///data/vol/"), "/data/vol");
  EXPECT_EQ(NormalizeLocation("s3://b/p//"), "s3://b/p");
  EXPECT_EQ(NormalizeLocation("mem://"), "mem://");
}

}  // namespace
}  // namespace strata::snapshot

// Restore over an in-memory volume: the yaml, the restored catalog, the keyed
// and resumable run, fencing (takeover) and pins (clone). The end-to-end runs
// on a real S3 server are in test/e2e/restore.py.
#include <gtest/gtest.h>

#include "common/failpoint.h"
#include "meta/catalog/catalog_test_util.h"
#include "meta/log/image_store.h"
#include "meta/log/lineage.h"
#include "meta/log/meta_log.h"
#include "objstore/mem/mem_object_store.h"
#include "restore/restore.h"
#include "restore/restore_record.h"
#include "snapshot/clone_pins.h"
#include "snapshot/snapshot_store.h"

namespace strata::restore {
namespace {

constexpr const char* kSource = "0123456789abcdef0123456789abcdef";

std::string Yaml(const std::string& path, const std::string& extra = "") {
  return "cluster_snapshot:\n"
         "  cluster_snapshot_path: " + path + "\n"
         "  storage_volume_name: builtin_storage_volume\n" + extra +
         "frontends: []\n"
         "compute_nodes:\n"
         "  - host: cn-0.example\n"
         "    heartbeat_service_port: 9050\n"
         "storage_volumes:\n"
         "  - name: builtin_storage_volume\n"
         "    type: LOCAL\n"
         "    location: /vol\n"
         "    comment: restored\n";
}

struct Fixture {
  std::shared_ptr<objstore::MemObjectStore> store = std::make_shared<objstore::MemObjectStore>();
  meta::testing::Driver d;

  // A source lineage with a log and a finished snapshot "snap1" at its version.
  void MakeSource() {
    d.Ok(meta::CreateDatabase{.name = "quickstart"});
    d.Ok(meta::UpsertSnapshotJob{.job = meta::SnapshotJob{.name = "snap1", .state = "SNAPSHOTING", .created_ms = 5}});
    meta::MetaLog log(store, kSource);
    for (uint64_t v = 1; v <= d.v; ++v) ASSERT_TRUE(log.Append(v, "entry").ok());
    ASSERT_TRUE(meta::AppendLineage(*store, "prod", 0, kSource).ok());
    auto m = snapshot::WriteSnapshot(*store, d.cat,
                                     snapshot::Manifest{.name = "snap1", .type = "AUTOMATED", .cluster_id = kSource,
                                                        .cluster_name = "prod", .created_ms = 5, .completed_ms = 9,
                                                        .storage_volume = "builtin_storage_volume"});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
  }

  RestoreOptions Options(const std::string& yaml, const std::string& cluster_name = "prod",
                         const std::string& generation = "") {
    return RestoreOptions{.meta_store = store, .meta_volume = {.location = "/vol"}, .cluster_name = cluster_name,
                          .yaml_text = yaml, .generation = generation, .fe_name = "fe0:8030",
                          .open = [s = store](const objstore::VolumeSpec&) -> Result<std::shared_ptr<objstore::ObjectStore>> {
                            return std::shared_ptr<objstore::ObjectStore>(s);
                          }};
  }
};

TEST(ClusterSnapshotYaml, ParsesTheGuidesFile) {
  auto c = ParseClusterSnapshotYaml(
      "# comment\n"
      "cluster_snapshot:\n"
      "  cluster_snapshot_path: s3://b/data/abc/meta/image/automated_cluster_snapshot_1\n"
      "  storage_volume_name: builtin_storage_volume\n"
      "frontends: []\n"
      "compute_nodes: []\n"
      "storage_volumes:\n"
      "  - name: builtin_storage_volume\n"
      "    type: S3\n"
      "    location: s3://b/data\n"
      "    comment: my s3 volume\n"
      "    properties:\n"
      "      - key: aws.s3.region\n"
      "        value: us-east-1\n"
      "      - key: aws.s3.secret_key\n"
      "        value: SECRET\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->mode, RestoreMode::kTakeover);
  ASSERT_EQ(c->storage_volumes.size(), 1u);
  EXPECT_EQ(c->storage_volumes[0].properties.at("aws.s3.region"), "us-east-1");
  EXPECT_EQ(c->storage_volumes[0].credentials.at("aws.s3.secret_key").Reveal(), "SECRET");
  EXPECT_FALSE(c->storage_volumes[0].properties.contains("aws.s3.secret_key"));
}

TEST(ClusterSnapshotYaml, BadInputNamesTheField) {
  auto expect = [](const std::string& yaml, const std::string& needle) {
    auto c = ParseClusterSnapshotYaml(yaml);
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(needle), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find("SECRET"), std::string::npos);
  };
  const std::string head = "cluster_snapshot:\n  cluster_snapshot_path: s3://b/d/x/meta\n  storage_volume_name: v\n";
  expect("frontends: []\n", "cluster_snapshot is required");
  expect("cluster_snapshot:\n  storage_volume_name: v\n", "cluster_snapshot_path");
  expect(head + "storage_volumes:\n  - name: v\n    type: S3\n    location: s3://b\n    properties:\n"
                "      - key: aws.s3.secret_key\n        value: \"\"\n", "is empty");
  expect(head + "storage_volumes:\n  - name: v\n    type: HDFS\n    location: s3://b\n", "not S3 or LOCAL");
  expect(head + "storage_volumes:\n  - name: v\n    type: S3\n    location: b\n", "does not start with s3://");
  expect(head + "compute_nodes:\n  - host: h\n    heartbeat_service_port: 99999\n", "out of range");
  expect(head + "frontends:\n  - host: h\n    edit_log_port: 9010\n    type: leader\n", "not follower or observer");
  expect(head + "extra: 1\n", "unknown key");
  expect("cluster_snapshot: [\n", "not valid YAML");
  expect(head.substr(0, head.size() - 1) + "\n  restore_mode: copy\n", "not takeover or clone");
}

TEST(Restore, TakeoverStartsANewLineageMarksTheSnapshotFinishedAndFencesTheSource) {
  Fixture f;
  f.MakeSource();
  const uint64_t snap_version = f.d.v;
  const std::string yaml = Yaml("/vol/" + std::string(kSource) + "/meta");  // the newest complete snapshot
  auto r = RunRestore(f.Options(yaml));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->already_done);
  EXPECT_EQ(r->snapshot_name, "snap1");
  EXPECT_EQ(r->source_cluster_id, kSource);
  EXPECT_NE(r->cluster_id, kSource);

  auto pointer = meta::CurrentLineage(*f.store, "prod");
  ASSERT_TRUE(pointer.ok());
  EXPECT_EQ(pointer->cluster_id, r->cluster_id);
  EXPECT_EQ(pointer->seq, 2u);

  meta::ImageStore images(f.store, r->cluster_id);
  auto payload = images.Read(snap_version);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  auto cat = meta::Catalog::DecodeImage(*payload);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  const auto& s = cat->state();
  EXPECT_TRUE(s.database_ids.contains("quickstart"));
  ASSERT_EQ(s.snapshot_jobs.size(), 1u);
  const auto& job = s.snapshot_jobs.begin()->second;
  EXPECT_EQ(job.state, "FINISHED");
  EXPECT_EQ(job.cluster_id, kSource);
  EXPECT_EQ(s.lineage.restored_from_cluster_id, kSource);
  EXPECT_EQ(s.lineage.adopted_lineages, std::vector<std::string>{kSource});
  ASSERT_EQ(s.compute_nodes.size(), 1u);
  EXPECT_EQ(s.compute_nodes.begin()->second.host, "cn-0.example");
  EXPECT_EQ(s.storage_volumes.at("builtin_storage_volume").comment, "restored");
  EXPECT_EQ(s.leader, "");  // the first FE of the new lineage leads at once

  // The source's log now ends with the fence.
  meta::MetaLog source_log(f.store, kSource);
  auto fence = source_log.Read(snap_version + 1);
  ASSERT_TRUE(fence.ok()) << fence.status().ToString();
  auto batch = meta::DecodeBatch(*fence);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->changes.size(), 1u);
  EXPECT_EQ(std::get<meta::FenceLineage>(batch->changes[0].body).successor_cluster_id, r->cluster_id);

  // The same yaml again: nothing happens (a leftover yaml never rolls back).
  auto again = RunRestore(f.Options(yaml));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_done);
  EXPECT_EQ(again->cluster_id, r->cluster_id);
  EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->seq, 2u);

  // A new generation restores again, into yet another lineage.
  auto gen2 = RunRestore(f.Options(yaml, "prod", "2"));
  ASSERT_TRUE(gen2.ok()) << gen2.status().ToString();
  EXPECT_FALSE(gen2->already_done);
  EXPECT_NE(gen2->cluster_id, r->cluster_id);
  EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->cluster_id, gen2->cluster_id);
  // It replaced the first restore's lineage: that one is adopted too (its data is swept by the new one).
  auto cat2 = meta::Catalog::DecodeImage(*meta::ImageStore(f.store, gen2->cluster_id).Read(snap_version));
  ASSERT_TRUE(cat2.ok());
  EXPECT_EQ(cat2->state().lineage.adopted_lineages, (std::vector<std::string>{kSource, r->cluster_id}));
}

TEST(Restore, ACrashAtEveryStepIsCompletedByTheNextRun) {
  for (const char* point : {"restore.after_intent", "restore.after_verify", "restore.after_image",
                            "restore.after_lineage", "restore.after_fence"}) {
    SCOPED_TRACE(point);
    Fixture f;
    f.MakeSource();
    const std::string yaml = Yaml("/vol/" + std::string(kSource) + "/meta/image/snap1");
    failpoint::Arm(point, failpoint::Spec{.action = failpoint::Action::kError});
    auto failed = RunRestore(f.Options(yaml));
    failpoint::DisarmAll();
    ASSERT_FALSE(failed.ok());
    auto intent = ReadIntent(*f.store, "prod", RestoreKey(yaml, ""));
    ASSERT_TRUE(intent.ok());
    auto r = RunRestore(f.Options(yaml));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->already_done);
    EXPECT_EQ(r->cluster_id, intent->cluster_id);  // the same restore, resumed
    EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->cluster_id, intent->cluster_id);
    EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->seq, 2u);
    EXPECT_TRUE(RunRestore(f.Options(yaml))->already_done);
  }
}

TEST(Restore, CloneNeedsItsOwnNamePinsAndDoesNotFence) {
  Fixture f;
  f.MakeSource();
  const uint64_t snap_version = f.d.v;
  const std::string yaml = Yaml("/vol/" + std::string(kSource) + "/meta/image/snap1", "  restore_mode: clone\n");
  auto same_name = RunRestore(f.Options(yaml, "prod"));
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.status().code(), StatusCode::kFailedPrecondition);
  auto r = RunRestore(f.Options(yaml, "prod-clone"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->mode, RestoreMode::kClone);
  EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->cluster_id, kSource);  // the source keeps its name
  EXPECT_EQ(meta::CurrentLineage(*f.store, "prod-clone")->cluster_id, r->cluster_id);
  meta::MetaLog source_log(f.store, kSource);
  EXPECT_EQ(source_log.Read(snap_version + 1).status().code(), StatusCode::kNotFound);  // not fenced
  auto cat = meta::Catalog::DecodeImage(*meta::ImageStore(f.store, r->cluster_id).Read(snap_version));
  ASSERT_TRUE(cat.ok());
  EXPECT_TRUE(cat->state().lineage.adopted_lineages.empty());  // never deletes what it did not write
}

TEST(Restore, BadPathsAndMissingSnapshotsAreClearErrorsAndWriteNothing) {
  Fixture f;
  f.MakeSource();
  auto expect = [&](const std::string& path, StatusCode code, const std::string& needle) {
    auto r = RunRestore(f.Options(Yaml(path)));
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  expect("/elsewhere/" + std::string(kSource) + "/meta", StatusCode::kInvalidArgument, "not under the storage volume");
  expect("/vol/" + std::string(kSource) + "/data", StatusCode::kInvalidArgument, "does not name a snapshot");
  expect("/vol/" + std::string(kSource) + "/meta/image/nosuch", StatusCode::kNotFound, "no complete snapshot");
  expect("/vol/ffffffffffffffffffffffffffffffff/meta", StatusCode::kNotFound, "no complete snapshot under");
  EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->cluster_id, kSource);
}

}  // namespace
}  // namespace strata::restore

namespace strata::restore {
namespace {

// A source lineage whose log holds real entries: v1 create a, v2 create b, v3 drop a (commit times 1000,
// 2000, 3000); snapshot "early" at v1.
struct PitrFixture {
  std::shared_ptr<objstore::MemObjectStore> store = std::make_shared<objstore::MemObjectStore>();
  void Make() {
    meta::MetaLog log(store, kSource);
    meta::Catalog cat;
    std::vector<meta::ChangeBody> changes = {meta::CreateDatabase{.name = "a"}, meta::CreateDatabase{.name = "b"},
                                             meta::DropDatabase{.name = "a"}};
    for (uint64_t v = 1; v <= changes.size(); ++v) {
      meta::Batch batch{.writer_fe = "fe", .writer_term = 1, .nonce = v,
                        .commit_time_ms = static_cast<int64_t>(v) * 1000,
                        .changes = {meta::Change{changes[v - 1]}}};
      ASSERT_TRUE(log.Append(v, meta::EncodeBatch(batch)).ok());
      ASSERT_TRUE(cat.Apply(batch.changes[0], v, batch.commit_time_ms).ok());
      if (v == 1) {
        ASSERT_TRUE(snapshot::WriteSnapshot(*store, cat,
                                            snapshot::Manifest{.name = "early", .type = "MANUAL", .cluster_id = kSource,
                                                               .cluster_name = "prod", .created_ms = 1000,
                                                               .completed_ms = 1001,
                                                               .storage_volume = "builtin_storage_volume"})
                        .ok());
      }
    }
    ASSERT_TRUE(meta::AppendLineage(*store, "prod", 0, kSource).ok());
  }
  Result<meta::CatalogState> Restore(const std::string& target_line, const std::string& generation) {
    Fixture f;
    f.store = store;
    const std::string yaml = Yaml("/vol/" + std::string(kSource) + "/meta", target_line);
    STRATA_ASSIGN_OR_RETURN(RestoreOutcome r, RunRestore(f.Options(yaml, "prod", generation)));
    STRATA_ASSIGN_OR_RETURN(std::string payload, meta::ImageStore(store, r.cluster_id).Read(r.snapshot_version));
    STRATA_ASSIGN_OR_RETURN(meta::Catalog c, meta::Catalog::DecodeImage(payload));
    return c.state();
  }
};

TEST(PointInTimeRestore, AnyVersionInTheRetainedLogAndNothingAfterIt) {
  PitrFixture p;
  p.Make();
  auto at2 = p.Restore("  target_version: 2\n", "v2");
  ASSERT_TRUE(at2.ok()) << at2.status().ToString();
  EXPECT_EQ(at2->version, 2u);
  EXPECT_TRUE(at2->database_ids.contains("a"));  // just before the drop
  EXPECT_TRUE(at2->database_ids.contains("b"));
  EXPECT_EQ(at2->lineage.restored_from_version, 2u);
  auto at3 = p.Restore("  target_version: 3\n", "v3");
  ASSERT_TRUE(at3.ok()) << at3.status().ToString();
  EXPECT_FALSE(at3->database_ids.contains("a"));
  // By time: 2500 ms is after v2 (2000) and before v3 (3000).
  auto by_time = p.Restore("  target_time: 2500\n", "t2500");
  ASSERT_TRUE(by_time.ok()) << by_time.status().ToString();
  EXPECT_EQ(by_time->version, 2u);
  // Outside the window: a clear error naming its bounds; nothing changes.
  const std::string before = meta::CurrentLineage(*p.store, "prod")->cluster_id;
  auto beyond = p.Restore("  target_version: 9\n", "v9");
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(beyond.status().message().find("retained log holds versions [1, "), std::string::npos)
      << beyond.status().message();  // [1, 3] plus the fences the earlier takeovers appended
  auto too_early = p.Restore("  target_time: 500\n", "t500");
  ASSERT_FALSE(too_early.ok());
  EXPECT_NE(too_early.status().message().find("before the point-in-time window"), std::string::npos);
  EXPECT_EQ(meta::CurrentLineage(*p.store, "prod")->cluster_id, before);
  auto both = ParseClusterSnapshotYaml(Yaml("/vol/x/meta", "  target_version: 2\n  target_time: 2500\n"));
  EXPECT_FALSE(both.ok());
}

}  // namespace
}  // namespace strata::restore

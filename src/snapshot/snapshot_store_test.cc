// Snapshot objects: write, list, read back, delete; incomplete snapshots are
// never listed; damage is detected.
#include <gtest/gtest.h>

#include "common/failpoint.h"
#include "meta/catalog/catalog_test_util.h"
#include "objstore/mem/mem_object_store.h"
#include "snapshot/snapshot_store.h"

namespace strata::snapshot {
namespace {

meta::Catalog SampleCatalog() {
  meta::testing::Driver d;
  for (const auto& c : meta::testing::SampleChanges()) d.Ok(c.body);
  return d.cat;
}

Manifest Base(std::string name) {
  return Manifest{.name = std::move(name), .type = "AUTOMATED", .cluster_id = "c1", .cluster_name = "prod",
                  .created_ms = 1000, .completed_ms = 2000, .storage_volume = "builtin_storage_volume"};
}

TEST(SnapshotStoreTest, WriteListReadDelete) {
  objstore::MemObjectStore store;
  meta::Catalog cat = SampleCatalog();
  auto m = WriteSnapshot(store, cat, Base("automated_cluster_snapshot_1000"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->version, cat.version());
  EXPECT_EQ(m->tablet_versions, 1u);  // the sample commits one tablet version
  auto listed = ListSnapshots(store, "c1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), *m);
  auto back = ReadSnapshotCatalog(store, *m);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->EncodeImage(), cat.EncodeImage());
  EXPECT_EQ(PinnedVersions(back->state()), (std::set<std::string>{"c/data/tablets/10022/m1"}));
  EXPECT_EQ(WriteSnapshot(store, cat, Base("automated_cluster_snapshot_1000")).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(DeleteSnapshot(store, "c1", "automated_cluster_snapshot_1000").ok());
  ASSERT_TRUE(DeleteSnapshot(store, "c1", "automated_cluster_snapshot_1000").ok());
  EXPECT_TRUE(ListSnapshots(store, "c1")->empty());
}

TEST(SnapshotStoreTest, CrashBeforeManifestLeavesNothingListedAndDebrisIsCleaned) {
  objstore::MemObjectStore store;
  meta::Catalog cat = SampleCatalog();
  failpoint::Arm("snapshot.after_image", {.action = failpoint::Action::kError});
  EXPECT_FALSE(WriteSnapshot(store, cat, Base("s1")).ok());
  failpoint::Disarm("snapshot.after_image");
  EXPECT_TRUE(ListSnapshots(store, "c1")->empty());
  EXPECT_TRUE(store.Head(ImageKey("c1", "s1")).ok());
  // A retry with the same name completes.
  ASSERT_TRUE(WriteSnapshot(store, cat, Base("s1")).ok());
  EXPECT_EQ(ListSnapshots(store, "c1")->size(), 1u);
  // Debris of another crashed job is removed once old; complete snapshots stay.
  failpoint::Arm("snapshot.after_image", {.action = failpoint::Action::kError});
  EXPECT_FALSE(WriteSnapshot(store, cat, Base("s2")).ok());
  failpoint::Disarm("snapshot.after_image");
  EXPECT_TRUE(CleanUpDebris(store, "c1", 0)->empty());  // not older than 0 ms: kept
  auto removed = CleanUpDebris(store, "c1", INT64_MAX);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, std::vector<std::string>{"s2"});
  EXPECT_FALSE(store.Head(ImageKey("c1", "s2")).ok());
  EXPECT_TRUE(store.Head(ImageKey("c1", "s1")).ok());
}

TEST(SnapshotStoreTest, DamageIsDetected) {
  objstore::MemObjectStore store;
  meta::Catalog cat = SampleCatalog();
  auto m = WriteSnapshot(store, cat, Base("s1"));
  ASSERT_TRUE(m.ok());
  std::string image = *store.Get(ImageKey("c1", "s1"));
  image[image.size() / 2] ^= 1;
  ASSERT_TRUE(store.Put(ImageKey("c1", "s1"), image).ok());
  EXPECT_EQ(ReadSnapshotCatalog(store, *m).status().code(), StatusCode::kDataLoss);
  ASSERT_TRUE(store.Put(ManifestKey("c1", "s1"), "{not json").ok());
  std::vector<std::string> damaged;
  EXPECT_TRUE(ListSnapshots(store, "c1", &damaged)->empty());
  EXPECT_EQ(damaged.size(), 1u);
  // A manifest copied under another name is refused.
  ASSERT_TRUE(store.Put(ManifestKey("c1", "s9"), EncodeManifest(*m)).ok());
  EXPECT_EQ(ReadManifest(store, "c1", "s9").status().code(), StatusCode::kDataLoss);
}

TEST(SnapshotStoreTest, Names) {
  EXPECT_TRUE(ValidateSnapshotName("automated_cluster_snapshot_1732000000000").ok());
  EXPECT_TRUE(ValidateSnapshotName("before-upgrade_2").ok());
  EXPECT_FALSE(ValidateSnapshotName("").ok());
  EXPECT_FALSE(ValidateSnapshotName("a/b").ok());
  EXPECT_FALSE(ValidateSnapshotName("image.00000000000000000001").ok());
  EXPECT_FALSE(ValidateSnapshotName(std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace strata::snapshot

// The snapshot object index: its byte format, the incremental cache that
// builds it, and the listing check a restore runs against it.
#include "snapshot/object_index.h"

#include <gtest/gtest.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "objstore/mem/mem_object_store.h"
#include "storage/tablet_meta.h"

namespace strata::snapshot {
namespace {

// Writes tablet `id`'s version (one data file of `data_bytes`) and returns its key.
std::string WriteVersion(objstore::ObjectStore& store, uint64_t id, size_t data_bytes = 10) {
  const std::string txn = storage::NewTxnId();
  const std::string data_key = storage::DataFileKey("c1", id, txn, 0);
  EXPECT_TRUE(store.Put(data_key, std::string(data_bytes, 'x')).ok());
  storage::TabletMeta meta{.tablet_id = id, .version = 2, .txn_id = txn};
  meta.rowsets.push_back({.data_file = data_key, .rows = 1, .size_bytes = data_bytes, .version = 2});
  const std::string key = storage::TabletMetaKey("c1", id, 2, txn);
  EXPECT_TRUE(storage::PutTabletMeta(store, key, meta).ok());
  return key;
}

class ObjectIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint64_t id = 10000; id < 10600; ++id) pinned_["v1"].insert(WriteVersion(*store_, id, 10 + id % 7));
  }
  VolumeStoreFor StoreFor() {
    return [this](const std::string& volume) -> Result<std::shared_ptr<objstore::ObjectStore>> {
      if (volume != "v1") return NotFound("no volume " + volume);
      return std::shared_ptr<objstore::ObjectStore>(store_);
    };
  }
  ObjectIndex Build() {
    auto index = cache_.Build(pinned_, StoreFor(), 8);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? *index : ObjectIndex{};
  }
  static std::string Where(const std::string& key) { return "at " + key; }

  std::shared_ptr<objstore::MemObjectStore> store_ = std::make_shared<objstore::MemObjectStore>();
  std::map<std::string, std::set<std::string>> pinned_;
  ObjectIndexCache cache_;
};

TEST_F(ObjectIndexTest, EncodingRoundTripsAndIsDeterministic) {
  ObjectIndex index = Build();
  ASSERT_EQ(index.versions(), 600u);
  EXPECT_EQ(index.objects(), 1200u);
  const std::string bytes = EncodeObjectIndex(index);
  EXPECT_EQ(bytes, EncodeObjectIndex(index));
  auto decoded = DecodeObjectIndex(bytes, "k");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, index);
  // Front coding: smaller than the keys written out.
  size_t raw = 0;
  for (const auto& [key, v] : index.volumes.at("v1")) raw += key.size() + v.files[0].first.size();
  EXPECT_LT(bytes.size(), raw);
}

TEST_F(ObjectIndexTest, DamageIsDataLossAndANewerFormatIsRefused) {
  const std::string bytes = EncodeObjectIndex(Build());
  for (size_t at : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    std::string damaged = bytes;
    damaged[at] ^= 0x20;
    EXPECT_EQ(DecodeObjectIndex(damaged, "k").status().code(), StatusCode::kDataLoss) << "byte " << at;
  }
  EXPECT_EQ(DecodeObjectIndex(bytes.substr(0, bytes.size() - 9), "k").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeObjectIndex("", "k").status().code(), StatusCode::kDataLoss);
  // Format version 2 with a valid checksum.
  std::string newer = bytes.substr(0, bytes.size() - 4);
  newer[4] = 2;
  Encoder crc;
  crc.PutFixed32(Crc32c(newer));
  newer += crc.Take();
  EXPECT_EQ(DecodeObjectIndex(newer, "k").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ObjectIndexTest, TheCacheReadsOnlyVersionsItHasNotSeen) {
  Build();
  EXPECT_EQ(cache_.reads(), 600u);
  // Ten tablets get a new version; everything else is reused.
  std::set<std::string>& keys = pinned_["v1"];
  for (int i = 0; i < 10; ++i) keys.erase(keys.begin());
  for (uint64_t id = 20000; id < 20010; ++id) keys.insert(WriteVersion(*store_, id));
  ObjectIndex second = Build();
  EXPECT_EQ(cache_.reads(), 610u);
  EXPECT_EQ(second.versions(), 600u);
  // A fresh cache seeded with the second index reads nothing.
  ObjectIndexCache seeded;
  seeded.Seed(second);
  auto third = seeded.Build(pinned_, StoreFor(), 4);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(seeded.reads(), 0u);
  EXPECT_EQ(*third, second);
}

TEST_F(ObjectIndexTest, NotedVersionsAreNotReadAndStaleNotesAreDropped) {
  Build();
  ASSERT_EQ(cache_.reads(), 600u);
  // A load writes 5 new versions and notes them; the next build reads none of them.
  std::set<std::string>& keys = pinned_["v1"];
  for (uint64_t id = 40000; id < 40005; ++id) {
    const std::string key = WriteVersion(*store_, id, 33);
    auto meta = storage::ReadTabletMeta(*store_, key, id);
    ASSERT_TRUE(meta.ok());
    cache_.Note(key, IndexedVersion{.meta_bytes = storage::EncodeTabletMeta(*meta).size(),
                                    .files = {{meta->rowsets[0].data_file, 33}}});
    keys.insert(key);
  }
  // A version noted but never committed (not pinned) is dropped by the next build.
  cache_.Note("c1/data/tablets/99/meta/never.tm", IndexedVersion{.meta_bytes = 1});
  ObjectIndex index = Build();
  EXPECT_EQ(cache_.reads(), 600u);
  EXPECT_EQ(index.versions(), 605u);
  EXPECT_EQ(cache_.entries(), 605u);  // the uncommitted note is gone
  // What was noted is what a read finds.
  ObjectIndexCache fresh;
  auto read = fresh.Build(pinned_, StoreFor(), 4);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, index);
  EXPECT_TRUE(CheckListed(*store_, index.volumes.at("v1"), 4, 10, Where).ok());
}

TEST_F(ObjectIndexTest, AnUnreadableVersionFailsTheBuildNamingIt) {
  const std::string lost = *pinned_["v1"].begin();
  ASSERT_TRUE(store_->Delete(lost).ok());
  auto index = cache_.Build(pinned_, StoreFor(), 8);
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.status().ToString().find(lost), std::string::npos) << index.status().ToString();
  pinned_["v9"].insert("x");
  ObjectIndexCache other;
  EXPECT_FALSE(other.Build({{"v9", {"x"}}}, StoreFor(), 1).ok());
}

TEST_F(ObjectIndexTest, ListPrefixesCoverEveryTabletOnceAndStayUnderTheLineageRoot) {
  std::set<std::string> dirs;
  for (int id : {1, 5, 9, 10, 11, 12, 100, 101, 999, 1000, 1001, 10000, 123456}) {
    dirs.insert("c1/data/tablets/" + std::to_string(id) + "/");
  }
  for (int id = 2000; id < 2600; ++id) dirs.insert("c1/data/tablets/" + std::to_string(id) + "/");
  dirs.insert("c2/data/tablets/7/");
  const std::vector<std::string> prefixes = ListPrefixesFor(dirs, 50);
  for (const auto& dir : dirs) {
    int covering = 0;
    for (const auto& p : prefixes) covering += dir.starts_with(p) ? 1 : 0;
    EXPECT_EQ(covering, 1) << dir;
  }
  for (const auto& p : prefixes) {
    EXPECT_TRUE(p.starts_with("c1/data/tablets/") || p.starts_with("c2/data/tablets/")) << p;
    size_t covered = 0;
    for (const auto& dir : dirs) covered += dir.starts_with(p) ? 1 : 0;
    EXPECT_LE(covered, 50u) << p;
  }
  EXPECT_LE(prefixes.size(), dirs.size() / 5);  // decimal splits: groups of 5..50 here
  EXPECT_EQ(ListPrefixesFor({"c1/data/tablets/5/"}, 50), std::vector<std::string>{"c1/data/tablets/"});
}

TEST_F(ObjectIndexTest, TheListingCheckFindsEveryObjectWithFewLists) {
  ObjectIndex index = Build();
  ListedCheck ok = CheckListed(*store_, index.volumes.at("v1"), 4, 10, Where);
  EXPECT_TRUE(ok.ok()) << (ok.problems.empty() ? "" : ok.problems[0]);
  EXPECT_EQ(ok.objects_checked, 1200u);
  EXPECT_LE(ok.lists, 3u);  // 600 tablets in one prefix: 1,200 objects, two pages

  // One data file gone, one version rewritten with another size.
  auto it = index.volumes.at("v1").begin();
  const std::string gone = it->second.files[0].first;
  ++it;
  const std::string resized = it->first;
  ASSERT_TRUE(store_->Delete(gone).ok());
  ASSERT_TRUE(store_->Put(resized, "short").ok());
  ListedCheck bad = CheckListed(*store_, index.volumes.at("v1"), 4, 10, Where);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad.store_error);
  ASSERT_EQ(bad.problems.size(), 2u);
  std::string all = bad.problems[0] + "\n" + bad.problems[1];
  EXPECT_NE(all.find("data file " + gone), std::string::npos) << all;
  EXPECT_NE(all.find("is missing"), std::string::npos) << all;
  EXPECT_NE(all.find("tablet version " + resized + " has 5 bytes"), std::string::npos) << all;
  EXPECT_EQ(bad.objects_checked, 1198u);
}

// Point-in-time restores: versions a base snapshot indexed are listed, newer ones read.
TEST_F(ObjectIndexTest, RestorableChecksIndexedVersionsByListingAndTheRestByReading) {
  ObjectIndex index = Build();
  std::set<std::string> keys(pinned_["v1"].begin(), std::next(pinned_["v1"].begin(), 300));
  std::vector<std::string> newer;
  for (uint64_t id = 30000; id < 30020; ++id) newer.push_back(WriteVersion(*store_, id));
  keys.insert(newer.begin(), newer.end());
  uint64_t listed = 0;
  ASSERT_TRUE(CheckVersionsRestorable(*store_, keys, &index, 4, 10, &listed).ok());
  EXPECT_EQ(listed, 300u);
  ASSERT_TRUE(CheckVersionsRestorable(*store_, keys, nullptr, 4, 10, &listed).ok());
  EXPECT_EQ(listed, 0u);

  // A data file of an indexed version and one of a newer version go missing: both named.
  const std::string indexed_file = index.volumes.at("v1").at(*keys.begin()).files[0].first;
  ASSERT_TRUE(store_->Delete(indexed_file).ok());
  auto newer_meta = storage::ReadTabletMeta(*store_, newer[3], 30003);
  ASSERT_TRUE(newer_meta.ok());
  const std::string newer_file = newer_meta->rowsets[0].data_file;
  ASSERT_TRUE(store_->Delete(newer_file).ok());
  Status s = CheckVersionsRestorable(*store_, keys, &index, 4, 10);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find(indexed_file), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find(newer_file), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace strata::snapshot

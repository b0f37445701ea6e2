// Restorable points over an in-memory volume whose history is known: a log of
// six entries committed at 1000, 2000, ... 6000 ms, a snapshot at version 2,
// then checkpoint clean-up behind an image. The window's bounds, the base a
// restore would start from, and `strata snapshot history` text and JSON must
// say exactly that.
#include "snapshot/snapshot_history.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"
#include "meta/log/image_store.h"
#include "meta/log/meta_log.h"
#include "objstore/mem/mem_object_store.h"
#include "snapshot/snapshot_tool.h"

namespace strata::snapshot {
namespace {

constexpr const char* kLineage = "00112233445566778899aabbccddeeff";
constexpr const char* kVolume = "s3://history/strata";

class SnapshotHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta::MetaLog log(store_, kLineage);
    for (uint64_t v = 1; v <= 6; ++v) {
      meta::Batch batch{.writer_fe = "fe", .writer_term = 1, .nonce = v,
                        .commit_time_ms = static_cast<int64_t>(v) * 1000,
                        .changes = {meta::Change{meta::CreateDatabase{.name = "db" + std::to_string(v)}}}};
      ASSERT_TRUE(log.Append(v, meta::EncodeBatch(batch)).ok());
      ASSERT_TRUE(catalog_.Apply(batch.changes[0], v, batch.commit_time_ms).ok());
      catalog_.SetVersion(v);
      if (v == 2) {
        ASSERT_TRUE(WriteSnapshot(*store_, catalog_,
                                  Manifest{.name = "before_db3", .type = "MANUAL", .cluster_id = kLineage,
                                           .cluster_name = "prod", .created_ms = 2100, .completed_ms = 2200,
                                           .storage_volume = "builtin_storage_volume"})
                        .ok());
      }
      if (v == 4) image4_ = catalog_.EncodeImage();
    }
  }

  // Checkpoint at 4 and clean-up of the entries through `through`.
  void CleanUpThrough(uint64_t through) {
    ASSERT_TRUE(meta::ImageStore(store_, kLineage).Write(4, image4_).ok());
    ASSERT_TRUE(meta::MetaLog(store_, kLineage).DeleteThrough(through).ok());
  }

  struct Output {
    int code = -1;
    std::string out, err;
  };
  Output Tool(std::vector<std::string> args) {
    std::ostringstream out, err;
    ToolEnv env{.out = &out, .err = &err, .getenv = nullptr,
                .open = [this](const objstore::VolumeSpec&) -> Result<std::shared_ptr<objstore::ObjectStore>> {
                  return std::shared_ptr<objstore::ObjectStore>(store_);
                }};
    Output o;
    o.code = RunSnapshotTool(args, env);
    o.out = out.str();
    o.err = err.str();
    return o;
  }

  std::shared_ptr<objstore::MemObjectStore> store_ = std::make_shared<objstore::MemObjectStore>();
  meta::Catalog catalog_;
  std::string image4_;
};

TEST_F(SnapshotHistoryTest, WholeLogIsRestorableFromTheEmptyCatalog) {
  auto h = ReadRestorableHistory(store_, kLineage, {});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->snapshots.size(), 1u);
  EXPECT_EQ(h->snapshots[0].name, "before_db3");
  EXPECT_EQ(h->snapshots[0].version, 2u);
  const RestorableWindow& w = h->window;
  ASSERT_FALSE(w.empty);
  EXPECT_EQ(w.oldest_version, 0u);
  EXPECT_EQ(w.oldest_time_ms, 0);
  EXPECT_EQ(w.oldest_base, "empty catalog");
  EXPECT_EQ(w.newest_version, 6u);
  EXPECT_EQ(w.newest_time_ms, 6000);
  EXPECT_EQ(w.log_oldest_version, 1u);
  EXPECT_FALSE(w.data_bounded);
}

TEST_F(SnapshotHistoryTest, WindowSettingStartsAtTheVersionCurrentWhenItBegan) {
  // now 10000, window 6500 s -> it began at 3500 ms, when version 3 was current.
  auto h = ReadRestorableHistory(store_, kLineage, HistoryOptions{.window_ms = 6500, .now_ms = 10'000});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->window.data_bounded);
  EXPECT_EQ(h->window.oldest_version, 3u);
  EXPECT_EQ(h->window.oldest_time_ms, 3000);
  EXPECT_EQ(h->window.oldest_base, "snapshot before_db3");  // the newest base at or below 3
  EXPECT_EQ(h->window.newest_version, 6u);
  // A window longer than the history changes nothing; an idle tail leaves only the newest version.
  auto all = ReadRestorableHistory(store_, kLineage, HistoryOptions{.window_ms = 1'000'000, .now_ms = 10'000});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->window.oldest_version, 0u);
  auto idle = ReadRestorableHistory(store_, kLineage, HistoryOptions{.window_ms = 1000, .now_ms = 100'000});
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->window.oldest_version, 6u);
  EXPECT_EQ(idle->window.newest_version, 6u);
}

TEST_F(SnapshotHistoryTest, CleanedUpLogStartsAtTheOldestUsableBase) {
  CleanUpThrough(4);  // entries 5, 6 remain; the image at 4 is the only base they extend
  auto h = ReadRestorableHistory(store_, kLineage, {});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->window.log_oldest_version, 5u);
  EXPECT_EQ(h->window.oldest_version, 4u);
  EXPECT_EQ(h->window.oldest_time_ms, 0);  // entry 4 is gone: its time is unknown
  EXPECT_EQ(h->window.oldest_base, "image 4");
  EXPECT_EQ(h->window.newest_version, 6u);
  ASSERT_EQ(h->snapshots.size(), 1u);  // still restorable by itself
}

TEST_F(SnapshotHistoryTest, NoBaseUnderTheLogMeansNoWindow) {
  ASSERT_TRUE(meta::MetaLog(store_, kLineage).DeleteThrough(4).ok());  // no image at 4 this time
  auto h = ReadRestorableHistory(store_, kLineage, {});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->window.empty);
  EXPECT_EQ(h->window.log_oldest_version, 5u);
  Output o = Tool({"history", "--volume", kVolume, "--cluster-id", kLineage});
  EXPECT_EQ(o.code, kToolExitOk) << o.err;
  EXPECT_NE(o.out.find("point-in-time window: none (the log starts at version 5"), std::string::npos) << o.out;
}

TEST_F(SnapshotHistoryTest, ToolPrintsTextAndJson) {
  Output text = Tool({"history", "--volume", kVolume});
  ASSERT_EQ(text.code, kToolExitOk) << text.err;
  EXPECT_NE(text.out.find(std::string("lineage ") + kLineage), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("before_db3"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("point-in-time window: versions 0 .. 6"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pass --window-seconds"), std::string::npos) << text.out;

  Output json = Tool({"history", "--volume", kVolume, "--cluster-id", kLineage, "--json", "--window-seconds", "0"});
  ASSERT_EQ(json.code, kToolExitOk) << json.err;
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["lineages"].size(), 1u);
  const auto& l = j["lineages"][0];
  EXPECT_EQ(l["cluster_id"], kLineage);
  ASSERT_EQ(l["snapshots"].size(), 1u);
  EXPECT_EQ(l["snapshots"][0]["name"], "before_db3");
  EXPECT_EQ(l["snapshots"][0]["version"], 2);
  EXPECT_EQ(l["window"]["oldest_version"], 0);
  EXPECT_EQ(l["window"]["newest_version"], 6);
  EXPECT_EQ(l["window"]["newest_time_ms"], 6000);
  EXPECT_EQ(l["window"]["newest_time"], "1970-01-01T00:00:06.000Z");

  Output bad = Tool({"history", "--volume", kVolume, "--window-seconds", "-3"});
  EXPECT_EQ(bad.code, kToolExitUsage);
  Output wrong = Tool({"list", "--volume", kVolume, "--window-seconds", "3"});
  EXPECT_EQ(wrong.code, kToolExitUsage);
}

}  // namespace
}  // namespace strata::snapshot

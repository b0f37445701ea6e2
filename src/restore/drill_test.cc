// The DR drill over an in-memory volume: a cluster with a loaded table and a
// snapshot; the drill clone-restores it, compares canaries, and leaves nothing
// of the clone behind. A missing data file fails the drill (and it still
// cleans up); a tampered clone catalog fails the canaries.
#include "restore/drill.h"

#include <gtest/gtest.h>

#include "meta/catalog/catalog_test_util.h"
#include "meta/log/lineage.h"
#include "objstore/mem/mem_object_store.h"
#include "snapshot/clone_pins.h"
#include "snapshot/snapshot_store.h"
#include "storage/tablet_io.h"
#include "storage/tablet_meta.h"

namespace strata::restore {
namespace {

constexpr const char* kSource = "aaaabbbbccccddddaaaabbbbccccdddd";

struct DrillFixture {
  std::shared_ptr<objstore::MemObjectStore> store = std::make_shared<objstore::MemObjectStore>();
  meta::testing::Driver d;
  std::vector<std::string> data_files;
  int64_t clock_ms = 1'700'000'000'000;

  void Make(uint64_t rows_per_tablet) {
    d.Ok(meta::CreateStorageVolume{.name = "builtin_storage_volume", .volume_type = meta::VolumeType::kS3,
                                   .locations = {"s3://vol/strata"}});
    d.Ok(meta::SetDefaultStorageVolume{.name = "builtin_storage_volume"});
    d.Ok(meta::CreateDatabase{.name = "db1"});
    d.Ok(meta::testing::MakeTable("db1", "t1", 1, 2));
    const meta::CatalogState& s = d.cat.state();
    const meta::Table& t = s.tables.at(s.databases.at(s.database_ids.at("db1")).table_ids.at("t1"));
    const std::string txn = storage::NewTxnId();
    meta::CommitTxn commit{.table_id = t.id, .label = "load", .txn_id = txn, .kind = "insert"};
    const std::vector<storage::ColumnSchema> schema = {
        {.name = "k", .type = {.type = storage::DataType::kBigInt, .nullable = false}},
        {.name = "v", .type = {.type = storage::DataType::kVarchar}}};
    for (const auto& [name, partition_id] : t.partition_ids) {
      for (uint64_t tablet : s.partitions.at(partition_id).tablet_ids) {
        std::vector<storage::ColumnVector> batch(2);
        batch[0] = storage::ColumnVector(schema[0].type);
        batch[1] = storage::ColumnVector(schema[1].type);
        for (uint64_t r = 0; r < rows_per_tablet; ++r) {
          batch[0].AppendInt(static_cast<int64_t>(tablet * 1000 + r));
          if (r % 3 == 0) {
            batch[1].AppendNull();
          } else {
            batch[1].AppendString("row" + std::to_string(r));
          }
        }
        auto rowset = storage::WriteRowset(*store, kSource, tablet, txn, 0, schema, batch);
        ASSERT_TRUE(rowset.ok()) << rowset.status().ToString();
        rowset->version = 2;
        storage::TabletMeta meta{.tablet_id = tablet, .version = 2, .txn_id = txn, .schema = schema,
                                 .rowsets = {*rowset}};
        const std::string key = storage::TabletMetaKey(kSource, tablet, 2, txn);
        ASSERT_TRUE(storage::PutTabletMeta(*store, key, meta).ok());
        commit.tablets.push_back({.tablet_id = tablet, .new_meta = key});
        data_files.push_back(rowset->data_file);
      }
      commit.rows += rows_per_tablet * t.bucket_count;
    }
    d.Ok(commit);
    ASSERT_TRUE(meta::AppendLineage(*store, "prod", 0, kSource).ok());
    auto m = snapshot::WriteSnapshot(*store, d.cat,
                                     snapshot::Manifest{.name = "s1", .type = "MANUAL", .cluster_id = kSource,
                                                        .cluster_name = "prod", .created_ms = 5, .completed_ms = 9,
                                                        .storage_volume = "builtin_storage_volume"});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
  }

  DrillOptions Options() {
    return DrillOptions{
        .meta_store = store, .meta_volume = {.location = "s3://vol/strata"}, .cluster_name = "prod",
        .open = [s = store](const objstore::VolumeSpec&) -> Result<std::shared_ptr<objstore::ObjectStore>> {
          return std::shared_ptr<objstore::ObjectStore>(s);
        },
        .now_ms = [this] { return clock_ms += 7; }};
  }

  size_t Objects(const std::string& prefix) {
    auto all = objstore::ListAll(*store, prefix);
    EXPECT_TRUE(all.ok());
    return all.ok() ? all->size() : 0;
  }
};

TEST(Drill, ClonesComparesAndRemovesTheClone) {
  DrillFixture f;
  f.Make(10);
  const size_t source_objects = f.Objects(std::string(kSource) + "/");
  auto report = RunDrill(f.Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
  EXPECT_EQ(report->source_cluster_id, kSource);
  EXPECT_EQ(report->snapshot_name, "s1");
  EXPECT_EQ(report->scratch_name.rfind("prod-drill-", 0), 0u) << report->scratch_name;
  EXPECT_FALSE(report->clone_cluster_id.empty());
  EXPECT_NE(report->clone_cluster_id, kSource);
  EXPECT_TRUE(report->verify_ok);
  EXPECT_EQ(report->tablet_versions, 2u);
  EXPECT_GT(report->restore_ms, 0);
  ASSERT_EQ(report->canaries.size(), 1u);
  const TableCanary& c = report->canaries[0];
  EXPECT_EQ(c.table, "db1.t1");
  EXPECT_EQ(c.source_rows, 20u);
  EXPECT_EQ(c.clone_rows, 20u);
  EXPECT_NE(c.source_checksum, 0u);
  EXPECT_EQ(c.clone_checksum, c.source_checksum);
  // Nothing of the clone is left; the source is untouched.
  EXPECT_TRUE(report->cleaned_up);
  EXPECT_GT(report->objects_removed, 0u);
  EXPECT_EQ(f.Objects("clusters/" + report->scratch_name + "/"), 0u);
  EXPECT_EQ(f.Objects(report->clone_cluster_id + "/"), 0u);
  EXPECT_EQ(f.Objects("pins/"), 0u);
  EXPECT_EQ(f.Objects(std::string(kSource) + "/"), source_objects);
  EXPECT_EQ(meta::CurrentLineage(*f.store, "prod")->cluster_id, kSource);
}

TEST(Drill, MissingDataFailsTheDrillAndStillCleansUp) {
  DrillFixture f;
  f.Make(4);
  ASSERT_TRUE(f.store->DeleteBatch(std::vector<std::string>{f.data_files[1]}).ok());
  auto report = RunDrill(f.Options());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->ok());
  ASSERT_FALSE(report->problems.empty());
  EXPECT_NE(report->problems[0].find("restore:"), std::string::npos) << report->problems[0];
  EXPECT_FALSE(report->verify_ok);
  EXPECT_TRUE(report->cleaned_up);
  EXPECT_EQ(f.Objects("clusters/" + report->scratch_name + "/"), 0u);
  EXPECT_EQ(f.Objects("pins/"), 0u);
}

TEST(Drill, CanariesSeeADifferentTable) {
  DrillFixture f;
  f.Make(6);
  auto source = SumTables(f.d.cat.state(), f.Options().open);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_EQ(source->size(), 1u);
  EXPECT_EQ((*source)[0].second.rows, 12u);
  // Another version of the table (a load after the snapshot): same count is not enough, the checksum differs.
  meta::CatalogState st = f.d.cat.state();
  meta::Partition& p = st.partitions.begin()->second;
  std::swap(p.tablet_meta[0], p.tablet_meta[1]);  // rows read under the other tablet id's version
  std::swap(p.tablet_ids[0], p.tablet_ids[1]);
  auto same = SumTables(st, f.Options().open);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ((*same)[0].second.checksum, (*source)[0].second.checksum);  // order does not matter
  p.tablet_meta[1].clear();  // a tablet lost
  auto fewer = SumTables(st, f.Options().open);
  ASSERT_TRUE(fewer.ok());
  EXPECT_EQ((*fewer)[0].second.rows, 6u);
  EXPECT_NE((*fewer)[0].second.checksum, (*source)[0].second.checksum);
}

TEST(Drill, NoSnapshotIsNotFound) {
  DrillFixture f;
  ASSERT_TRUE(meta::AppendLineage(*f.store, "prod", 0, kSource).ok());
  auto report = RunDrill(f.Options());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::restore

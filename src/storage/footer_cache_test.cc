// The footer cache (footer_cache.h): once on, a data file's second Open needs
// no GET and reads the same rows; chunks are still read from the store and
// checked, so damage and a missing file are still errors; entries past the
// capacity are evicted least recently used first; off, it holds nothing.
#include "storage/footer_cache.h"

#include <gtest/gtest.h>

#include "storage/data_file_reader.h"
#include "storage/data_file_writer.h"
#include "storage/storage_test_util.h"

namespace strata::storage {
namespace {

std::string File(int rows, int salt) {
  std::vector<ColumnSchema> schema = {{"k", {DataType::kBigInt}}, {"s", {DataType::kVarchar}}};
  std::vector<ColumnVector> batch;
  for (const auto& s : schema) batch.emplace_back(s.type);
  for (int i = 0; i < rows; ++i) {
    batch[0].AppendInt(i * 7 + salt);
    batch[1].AppendString("v" + std::to_string((i + salt) % 13));
  }
  auto w = DataFileWriter::Create(schema, {.row_group_rows_max = 100, .page_rows_max = 30});
  EXPECT_TRUE((*w)->Append(batch).ok());
  return *(*w)->Finish();
}

// The cache is process-wide and other tests reuse object names: every test
// here leaves it off.
class FooterCacheTest : public ::testing::Test {
 protected:
  void TearDown() override { EnableFooterCache(0); }
};

TEST_F(FooterCacheTest, SecondOpenNeedsNoGetAndReadsTheSameRows) {
  EnableFooterCache(1 << 20);
  testing::CountingObjectStore store;
  const std::string bytes = File(250, 1);
  ASSERT_TRUE(store.Put("t/a.sdf", bytes).ok());
  auto first = DataFileReader::Open(store, "t/a.sdf", bytes.size(), /*speculative_bytes=*/64);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_GE(store.gets, 1);
  auto want = (*first)->Read({});
  ASSERT_TRUE(want.ok());

  store.gets = 0;
  auto second = DataFileReader::Open(store, "t/a.sdf", bytes.size(), 64);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(store.gets, 0);  // the footer from the cache
  EXPECT_EQ((*second)->footer().num_rows, 250u);
  auto got = (*second)->Read({});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->columns.size(), want->columns.size());
  for (size_t c = 0; c < want->columns.size(); ++c) EXPECT_TRUE(got->columns[c].Equals(want->columns[c])) << c;
  EXPECT_GT(store.gets, 0);  // the chunks themselves are read every time

  // A different size is another entry: its footer is read from the store.
  store.gets = 0;
  EXPECT_FALSE(DataFileReader::Open(store, "t/a.sdf", bytes.size() - 1, 64).ok());
  EXPECT_GT(store.gets, 0);
}

TEST_F(FooterCacheTest, PagesAreStillCheckedWithACachedFooter) {
  EnableFooterCache(1 << 20);
  objstore::MemObjectStore store;
  const std::string good = File(250, 2);
  ASSERT_TRUE(store.Put("t/b.sdf", good).ok());
  auto r = DataFileReader::Open(store, "t/b.sdf", good.size(), 64);
  ASSERT_TRUE(r.ok());
  // Damage a page of column s (a test may break the immutable-name rule; a cluster never does).
  const PageInfo& page = (*r)->footer().row_groups[1].columns[1].pages[0];
  std::string bad = good;
  bad[page.offset + page.size_bytes / 2] ^= 0x10;
  ASSERT_TRUE(store.Put("t/b.sdf", bad).ok());
  auto again = DataFileReader::Open(store, "t/b.sdf", bad.size(), 64);
  ASSERT_TRUE(again.ok());  // the footer came from the cache
  EXPECT_EQ((*again)->Read({.columns = {"s"}}).status().code(), StatusCode::kDataLoss);
}

TEST_F(FooterCacheTest, AMissingFileIsStillAnErrorOnRead) {
  EnableFooterCache(1 << 20);
  objstore::MemObjectStore store;
  const std::string bytes = File(20, 3);  // small: all of it in Open's first read
  ASSERT_TRUE(store.Put("t/c.sdf", bytes).ok());
  auto r = DataFileReader::Open(store, "t/c.sdf", bytes.size());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->Read({}).ok());
  const std::vector<std::string> gone{"t/c.sdf"};
  ASSERT_TRUE(store.DeleteBatch(gone).ok());
  auto again = DataFileReader::Open(store, "t/c.sdf", bytes.size());
  ASSERT_TRUE(again.ok());  // the footer came from the cache
  EXPECT_EQ((*again)->Read({}).status().code(), StatusCode::kNotFound);
}

TEST_F(FooterCacheTest, EvictsLeastRecentlyUsedPastItsCapacityAndHoldsNothingWhenOff) {
  auto footer = std::make_shared<const FileFooter>();
  EnableFooterCache(1000);
  AddFooter("a", 1, footer, 400);
  AddFooter("b", 1, footer, 400);
  ASSERT_NE(FindFooter("a", 1), nullptr);  // a is now the most recent
  AddFooter("c", 1, footer, 400);          // 1200 > 1000: b goes
  EXPECT_NE(FindFooter("a", 1), nullptr);
  EXPECT_EQ(FindFooter("b", 1), nullptr);
  EXPECT_NE(FindFooter("c", 1), nullptr);
  EXPECT_EQ(FindFooter("a", 2), nullptr);  // the size is part of the key
  AddFooter("big", 1, footer, 1001);       // larger than the whole cache: not kept
  EXPECT_EQ(FindFooter("big", 1), nullptr);
  EXPECT_NE(FindFooter("c", 1), nullptr);
  EnableFooterCache(0);
  EXPECT_EQ(FindFooter("c", 1), nullptr);
  AddFooter("d", 1, footer, 10);
  EXPECT_EQ(FindFooter("d", 1), nullptr);
}

}  // namespace
}  // namespace strata::storage

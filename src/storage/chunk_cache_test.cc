// The chunk cache (chunk_cache.h) and the page checksum it lets a scan skip:
// once on, a tablet's second scan reads no chunk from the store and returns
// the same rows; a damaged chunk is an error and never enters the cache;
// entries past the capacity go least recently used first; off, it holds
// nothing. PageChecksum::kVerifiedBefore skips exactly the CRC, no other check.
#include "storage/chunk_cache.h"

#include <gtest/gtest.h>

#include "common/metrics.h"
#include "storage/compaction.h"
#include "storage/data_file_writer.h"
#include "storage/footer_cache.h"
#include "storage/page.h"
#include "storage/storage_test_util.h"
#include "storage/tablet_io.h"
#include "storage/tablet_meta.h"

namespace strata::storage {
namespace {

std::vector<ColumnSchema> Schema() {
  return {{"k", {DataType::kBigInt, 0, 0, false}}, {"s", {DataType::kVarchar}}};
}

// Large enough that its chunks lie outside the footer read (they are fetched).
std::vector<ColumnVector> Rows(int64_t n) {
  std::vector<ColumnVector> cols{ColumnVector(Schema()[0].type), ColumnVector(Schema()[1].type)};
  for (int64_t i = 0; i < n; ++i) {
    cols[0].AppendInt(i * 31 % 1000003);
    if (i % 7 == 0) {
      cols[1].AppendNull();
    } else {
      cols[1].AppendString("value-" + std::to_string(i * 2654435761ll % 100000007));
    }
  }
  return cols;
}

// Every row of the scan, as text.
Result<std::vector<std::string>> ScanAll(objstore::ObjectStore& store, const TabletMeta& meta) {
  std::vector<std::string> rows;
  Status s = ScanTablet(store, meta, {}, [&](std::vector<ColumnVector>&& cols) {
    for (size_t i = 0; i < cols[0].size(); ++i) {
      rows.push_back(std::to_string(cols[0].GetInt(i)) + "|" +
                     (cols[1].IsNull(i) ? std::string("NULL") : std::string(cols[1].GetString(i))));
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return rows;
}

int64_t HeldBytes() { return MetricsRegistry::Global().GetGauge("strata_storage_chunk_cache_bytes").Value(); }

uint64_t Hits() { return MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_hits_total").Value(); }

// The caches are process-wide and other tests reuse object names: every test
// here leaves them off.
class ChunkCacheTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EnableChunkCache(0);
    EnableFooterCache(0);
  }
};

TEST_F(ChunkCacheTest, SecondScanReadsNoChunkFromTheStoreAndReturnsTheSameRows) {
  EnableChunkCache(64 << 20);
  EnableFooterCache(1 << 20);
  testing::CountingObjectStore store;
  const std::string txn = NewTxnId();
  auto rowset = WriteRowset(store, "lin", 7, txn, 0, Schema(), Rows(60000));
  ASSERT_TRUE(rowset.ok()) << rowset.status().ToString();
  ASSERT_GT(rowset->size_bytes, 4 * DataFileReader::kSpeculativeTailBytes);
  const TabletMeta meta = NextTabletVersion(TabletMeta{.tablet_id = 7}, txn, Schema(), {*rowset}, {});

  auto first = ScanAll(store, meta);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 60000u);
  EXPECT_GT(store.gets, 1);  // the footer, then the chunks

  store.gets = 0;
  const uint64_t hits_before = Hits();
  auto second = ScanAll(store, meta);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(store.gets, 0);  // footer and chunks from memory
  EXPECT_GT(Hits(), hits_before);

  // Off, the same scan reads (and checks) the store again: the damage is found.
  std::string bytes = *store.Get(rowset->data_file);
  bytes[bytes.size() / 2] ^= 0x10;
  ASSERT_TRUE(store.Put(rowset->data_file, bytes).ok());
  auto cached = ScanAll(store, meta);  // still in memory: the rows verified when they were read
  ASSERT_TRUE(cached.ok()) << cached.status().ToString();
  EXPECT_EQ(*cached, *first);
  EnableChunkCache(0);
  EXPECT_EQ(ScanAll(store, meta).status().code(), StatusCode::kDataLoss);
}

TEST_F(ChunkCacheTest, DamagedChunkIsAnErrorAndNeverCached) {
  EnableChunkCache(64 << 20);
  objstore::MemObjectStore store;
  const std::string txn = NewTxnId();
  auto rowset = WriteRowset(store, "lin", 8, txn, 0, Schema(), Rows(60000));
  ASSERT_TRUE(rowset.ok());
  const TabletMeta meta = NextTabletVersion(TabletMeta{.tablet_id = 8}, txn, Schema(), {*rowset}, {});
  const std::string good = *store.Get(rowset->data_file);
  std::string bad = good;
  bad[good.size() / 3] ^= 0x01;  // inside a chunk, far from the footer
  ASSERT_TRUE(store.Put(rowset->data_file, bad).ok());
  for (int attempt = 0; attempt < 2; ++attempt) {  // the second is not served a cached damaged chunk
    EXPECT_EQ(ScanAll(store, meta).status().code(), StatusCode::kDataLoss) << attempt;
  }
  ASSERT_TRUE(store.Put(rowset->data_file, good).ok());
  auto rows = ScanAll(store, meta);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 60000u);
}

// Compaction reads its inputs without keeping them (they are about to be
// replaced); a query's scan of the result keeps its chunks.
TEST_F(ChunkCacheTest, CompactionDoesNotFillTheCache) {
  EnableChunkCache(64 << 20);
  objstore::MemObjectStore store;
  TabletMeta meta{.tablet_id = 9};
  for (uint32_t seq = 0; seq < 2; ++seq) {
    const std::string txn = NewTxnId();
    auto rowset = WriteRowset(store, "lin", 9, txn, seq, Schema(), Rows(60000));
    ASSERT_TRUE(rowset.ok());
    meta = NextTabletVersion(meta, txn, Schema(), {*rowset}, {});
  }
  const std::string key = TabletMetaKey("lin", 9, meta.version, meta.txn_id);
  ASSERT_TRUE(PutTabletMeta(store, key, meta).ok());
  ASSERT_EQ(HeldBytes(), 0);
  auto out = CompactTablet(store, "lin", 9, key, NewTxnId(), {.min_rowsets = 2});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->compacted);
  EXPECT_EQ(HeldBytes(), 0);
  auto rows = ScanAll(store, out->new_meta);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 120000u);
  EXPECT_GT(HeldBytes(), 0);
}

TEST_F(ChunkCacheTest, EvictsLeastRecentlyUsedAndIgnoresLargeChunksAndHoldsNothingWhenOff) {
  auto chunk = [](char c, size_t n) { return std::make_shared<const std::string>(n, c); };
  EXPECT_FALSE(ChunkCacheOn());
  AddChunk("f", 1000, 0, chunk('a', 100));
  EXPECT_EQ(FindChunk("f", 1000, 0, 100), nullptr);

  EnableChunkCache(800);  // a chunk of at most 100 bytes is kept
  EXPECT_TRUE(ChunkCacheOn());
  AddChunk("f", 1000, 0, chunk('a', 101));
  EXPECT_EQ(FindChunk("f", 1000, 0, 101), nullptr);
  for (int i = 0; i < 8; ++i) AddChunk("f", 1000, 100 * i, chunk(static_cast<char>('a' + i), 100));
  ASSERT_NE(FindChunk("f", 1000, 0, 100), nullptr);  // now the most recent
  EXPECT_EQ(*FindChunk("f", 1000, 0, 100), std::string(100, 'a'));
  EXPECT_EQ(FindChunk("f", 999, 0, 100), nullptr);   // another object size: another object
  EXPECT_EQ(FindChunk("f", 1000, 0, 99), nullptr);   // another length
  EXPECT_EQ(FindChunk("g", 1000, 0, 100), nullptr);  // another name
  AddChunk("g", 1000, 0, chunk('z', 100));           // evicts the least recent: offset 100
  EXPECT_EQ(FindChunk("f", 1000, 100, 100), nullptr);
  EXPECT_NE(FindChunk("f", 1000, 0, 100), nullptr);
  EXPECT_NE(FindChunk("f", 1000, 200, 100), nullptr);
  EXPECT_EQ(MetricsRegistry::Global().GetGauge("strata_storage_chunk_cache_bytes").Value(), 800);

  EnableChunkCache(0);
  EXPECT_EQ(FindChunk("f", 1000, 0, 100), nullptr);
  EXPECT_EQ(MetricsRegistry::Global().GetGauge("strata_storage_chunk_cache_bytes").Value(), 0);
}

TEST(PageChecksumTest, VerifiedBeforeSkipsOnlyTheChecksum) {
  ColumnVector col({DataType::kBigInt});
  for (int i = 0; i < 500; ++i) col.AppendInt(i * 3);
  Encoding encoding;
  std::string page = EncodePage(col, 0, col.size(), {}, &encoding);
  const PageInfo info{.size_bytes = page.size(), .num_rows = 500, .encoding = encoding};
  EXPECT_TRUE(VerifyPageChecksum(page).ok());

  std::string wrong_crc = page;
  wrong_crc.back() ^= 0x01;  // the values intact, the stored CRC wrong
  EXPECT_EQ(VerifyPageChecksum(wrong_crc).code(), StatusCode::kDataLoss);
  ColumnVector out({DataType::kBigInt});
  EXPECT_EQ(DecodePage(wrong_crc, info, &out).code(), StatusCode::kDataLoss);
  ASSERT_TRUE(DecodePage(wrong_crc, info, &out, nullptr, PageChecksum::kVerifiedBefore).ok());
  EXPECT_TRUE(out.Equals(col));
  ColumnVector picked({DataType::kBigInt});
  const std::vector<uint32_t> rows = {0, 7, 499};
  ASSERT_TRUE(DecodePageAt(wrong_crc, info, rows, &picked, nullptr, PageChecksum::kVerifiedBefore).ok());
  EXPECT_EQ(picked.GetInt(1), 21);

  // The other checks still run: a header that disagrees with the footer.
  PageInfo other = info;
  other.num_rows = 499;
  ColumnVector none({DataType::kBigInt});
  EXPECT_EQ(DecodePage(page, other, &none, nullptr, PageChecksum::kVerifiedBefore).code(), StatusCode::kDataLoss);
  EXPECT_EQ(VerifyPageChecksum(std::string_view(page).substr(0, 3)).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace strata::storage

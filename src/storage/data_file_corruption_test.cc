// Damaged data files: every single-byte flip and every truncation of a small
// file is DataLoss on open or read, never a crash or wrong rows.
#include <gtest/gtest.h>

#include "storage/data_file_reader.h"
#include "storage/data_file_writer.h"
#include "storage/storage_test_util.h"

namespace strata::storage {
namespace {

std::string SmallFile(Compression c) {
  std::vector<ColumnSchema> schema = {{"k", {DataType::kInt}}, {"s", {DataType::kVarchar}},
                                      {"d", {DataType::kDecimal, 30, 3}}};
  std::vector<ColumnVector> batch;
  for (const auto& s : schema) batch.emplace_back(s.type);
  for (int i = 0; i < 40; ++i) {
    if (i % 7 == 0) batch[0].AppendNull(); else batch[0].AppendInt(i * 3);
    batch[1].AppendString(i % 5 == 0 ? "" : "v" + std::to_string(i % 4));
    batch[2].AppendWide(static_cast<int128>(i) * 1'000'000'007);
  }
  auto w = DataFileWriter::Create(schema, {.compression = c, .row_group_rows_max = 25, .page_rows_max = 10});
  EXPECT_TRUE((*w)->Append(batch).ok());
  return *(*w)->Finish();
}

// Opens and reads everything; returns the first error (OK if all is well).
Status ReadAll(Result<std::unique_ptr<DataFileReader>> r) {
  if (!r.ok()) return r.status();
  return (*r)->Read({}).status();
}

TEST(DataFileCorruptionTest, EveryByteFlipIsDataLoss) {
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    std::string good = SmallFile(c);
    ASSERT_TRUE(ReadAll(DataFileReader::OpenBytes(good)).ok());
    for (size_t i = 0; i < good.size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ mask);
        Status s = ReadAll(DataFileReader::OpenBytes(bad, "f.sdf"));
        ASSERT_EQ(s.code(), StatusCode::kDataLoss)
            << CompressionName(c) << " byte " << i << " of " << good.size() << " mask " << int(mask) << ": " << s.ToString();
      }
    }
  }
}

TEST(DataFileCorruptionTest, EveryTruncationIsDataLoss) {
  std::string good = SmallFile(Compression::kLz4);
  for (size_t n = 0; n < good.size(); ++n) {
    Status s = ReadAll(DataFileReader::OpenBytes(good.substr(0, n)));
    ASSERT_EQ(s.code(), StatusCode::kDataLoss) << "length " << n << ": " << s.ToString();
  }
}

TEST(DataFileCorruptionTest, ThroughTheStoreErrorsNameKeyColumnAndPage) {
  std::string good = SmallFile(Compression::kZstd);
  objstore::MemObjectStore store;
  // A flip inside the first page of column "s" (row group 0).
  auto r0 = DataFileReader::OpenBytes(good);
  ASSERT_TRUE(r0.ok());
  const PageInfo& page = (*r0)->footer().row_groups[0].columns[1].pages[0];
  std::string bad = good;
  bad[page.offset + page.size_bytes / 2] ^= 0x10;
  ASSERT_TRUE(store.Put("tbl/bad.sdf", bad).ok());
  auto r = DataFileReader::Open(store, "tbl/bad.sdf", bad.size());
  ASSERT_TRUE(r.ok());  // the footer is intact
  EXPECT_TRUE((*r)->Read({.columns = {"k"}}).ok());  // projection never touches the damage
  Status s = (*r)->Read({.columns = {"s"}}).status();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("tbl/bad.sdf"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("column s"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("page 0"), std::string::npos) << s.message();

  // The object was truncated after its size was recorded: short reads are DataLoss.
  for (size_t n : {size_t{0}, size_t{10}, good.size() / 2, good.size() - 1}) {
    ASSERT_TRUE(store.Put("tbl/short.sdf", good.substr(0, n)).ok());
    EXPECT_EQ(ReadAll(DataFileReader::Open(store, "tbl/short.sdf", good.size())).code(), StatusCode::kDataLoss) << n;
    EXPECT_EQ(ReadAll(DataFileReader::Open(store, "tbl/short.sdf")).code(), StatusCode::kDataLoss) << n;
  }
}

TEST(DataFileCorruptionTest, RandomMultiByteDamageNeverCrashes) {
  std::mt19937_64 rng(testing::TestSeed());
  std::string good = SmallFile(Compression::kNone);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (bad == good) continue;
    Status s = ReadAll(DataFileReader::OpenBytes(bad));
    ASSERT_EQ(s.code(), StatusCode::kDataLoss) << "trial " << trial << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace strata::storage

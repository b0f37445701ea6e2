// Data file round trips: every type with NULLs and edge values, random
// schemas, encodings, projection, pruning and the GET count of a read.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "storage/data_file_reader.h"
#include "storage/data_file_writer.h"
#include "storage/page.h"
#include "common/crc32c.h"
#include "storage/storage_test_util.h"

namespace strata::storage {
namespace {

using testing::AllTypesSchema;

// Edge values first, then NULL, then random rows.
std::vector<ColumnVector> EdgeBatch(const std::vector<ColumnSchema>& schema, std::mt19937_64& rng, int rows) {
  std::vector<ColumnVector> batch;
  for (const ColumnSchema& s : schema) {
    ColumnVector c(s.type);
    int64_t lo, hi;
    switch (c.kind()) {
      case PhysicalKind::kInt64:
        Int64Range(s.type, &lo, &hi);
        c.AppendInt(lo); c.AppendInt(hi); c.AppendInt(0);
        break;
      case PhysicalKind::kInt128:
        if (s.type.type == DataType::kLargeInt) { c.AppendWide(testing::Int128Min()); c.AppendWide(testing::Int128Max()); }
        else { c.AppendWide(-testing::Decimal38Max()); c.AppendWide(testing::Decimal38Max()); }
        c.AppendWide(0);
        break;
      case PhysicalKind::kDouble:
        c.AppendDouble(std::numeric_limits<double>::quiet_NaN());
        c.AppendDouble(std::numeric_limits<double>::infinity());
        c.AppendDouble(-std::numeric_limits<double>::infinity());
        c.AppendDouble(-0.0);
        c.AppendDouble(s.type.type == DataType::kFloat ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max());
        c.AppendDouble(s.type.type == DataType::kFloat ? std::numeric_limits<float>::denorm_min() : std::numeric_limits<double>::denorm_min());
        break;
      case PhysicalKind::kBytes:
        c.AppendString("");
        c.AppendString(std::string(100000, 'x'));
        c.AppendString(std::string("\0\xff\x80zero", 7));
        break;
    }
    c.AppendNull();
    while (static_cast<int>(c.size()) < rows) testing::AppendRandom(&c, rng, 20);
    batch.push_back(std::move(c));
  }
  return batch;
}

void ExpectSame(const std::vector<ColumnVector>& a, const std::vector<ColumnVector>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].Equals(b[i])) << "column " << i;
}

std::string Write(const std::vector<ColumnSchema>& schema, const std::vector<ColumnVector>& batch,
                  DataFileWriterOptions opts = {}) {
  auto w = DataFileWriter::Create(schema, opts);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE((*w)->Append(batch).ok());
  auto bytes = (*w)->Finish();
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

TEST(DataFileTest, EveryTypeWithNullsAndEdgeValuesEveryCompression) {
  std::mt19937_64 rng(testing::TestSeed());
  auto schema = AllTypesSchema();
  auto batch = EdgeBatch(schema, rng, 2000);
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    std::string bytes = Write(schema, batch, {.compression = c, .row_group_rows_max = 700, .page_rows_max = 300});
    auto r = DataFileReader::OpenBytes(bytes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)->footer().num_rows, 2000u);
    EXPECT_EQ((*r)->footer().row_groups.size(), 3u);
    EXPECT_EQ((*r)->footer().compression, c);
    auto got = (*r)->Read({});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSame(got->columns, batch);
    // Stats: the bigint column holds INT64_MIN and INT64_MAX; the doubles saw a NaN.
    const ColumnStats& bi = (*r)->footer().column_stats[3];
    EXPECT_EQ(std::get<int64_t>(bi.min), INT64_MIN);
    EXPECT_EQ(std::get<int64_t>(bi.max), INT64_MAX);
    EXPECT_GT(bi.null_count, 0u);
    EXPECT_EQ(bi.null_count + bi.value_count, 2000u);
    EXPECT_EQ((*r)->footer().column_stats[6].min.index(), 0u);  // unknown because of NaN
  }
}

TEST(DataFileTest, NotNullColumnsAndEmptyFile) {
  std::mt19937_64 rng(testing::TestSeed());
  auto schema = AllTypesSchema(false);
  std::vector<ColumnVector> batch;
  for (const auto& s : schema) {
    ColumnVector c(s.type);
    for (int i = 0; i < 50; ++i) testing::AppendRandom(&c, rng, 0);
    batch.push_back(std::move(c));
  }
  auto r = DataFileReader::OpenBytes(Write(schema, batch));
  ASSERT_TRUE(r.ok());
  ExpectSame((*r)->Read({})->columns, batch);

  auto w = DataFileWriter::Create(schema);
  auto empty = DataFileReader::OpenBytes(*(*w)->Finish());
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ((*empty)->footer().num_rows, 0u);
  EXPECT_EQ((*empty)->Read({})->columns[0].size(), 0u);
}

TEST(DataFileTest, RandomSchemasAndData) {
  uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  auto all = AllTypesSchema();
  for (int round = 0; round < 30; ++round) {
    std::vector<ColumnSchema> schema;
    size_t ncols = 1 + rng() % 8;
    for (size_t i = 0; i < ncols; ++i) {
      ColumnSchema s = all[rng() % all.size()];
      s.name = "c" + std::to_string(i);
      s.type.nullable = rng() % 2;
      schema.push_back(s);
    }
    size_t rows = rng() % 3000;
    std::vector<ColumnVector> batch;
    for (const auto& s : schema) {
      ColumnVector c(s.type);
      int null_pct = static_cast<int>(rng() % 101);
      for (size_t i = 0; i < rows; ++i) testing::AppendRandom(&c, rng, null_pct);
      batch.push_back(std::move(c));
    }
    DataFileWriterOptions opts{.compression = static_cast<Compression>(rng() % 3),
                               .row_group_rows_max = 1 + rng() % 2000, .page_rows_max = 1 + static_cast<uint32_t>(rng() % 500)};
    std::string bytes = Write(schema, batch, opts);
    auto r = DataFileReader::OpenBytes(bytes);
    ASSERT_TRUE(r.ok()) << "seed " << seed << " round " << round << ": " << r.status().ToString();
    auto got = (*r)->Read({});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSame(got->columns, batch);
  }
}

TEST(DataFileTest, EachEncodingIsChosenAndReadBack) {
  std::vector<ColumnSchema> schema = {{"const", {DataType::kInt}}, {"narrow", {DataType::kBigInt}},
                                      {"city", {DataType::kVarchar}}, {"random", {DataType::kBigInt}}};
  std::mt19937_64 rng(7);
  std::vector<ColumnVector> batch;
  for (const auto& s : schema) batch.emplace_back(s.type);
  const char* cities[] = {"beijing", "shanghai", "shenzhen"};
  for (int i = 0; i < 5000; ++i) {
    batch[0].AppendInt(42);
    batch[1].AppendInt(1'700'000'000 + i % 1000);
    batch[2].AppendString(cities[i % 3]);
    batch[3].AppendInt(static_cast<int64_t>(rng()));
  }
  auto r = DataFileReader::OpenBytes(Write(schema, batch, {.compression = Compression::kNone}));
  ASSERT_TRUE(r.ok());
  const auto& cols = (*r)->footer().row_groups[0].columns;
  Encoding expect[] = {Encoding::kRunLength, Encoding::kBitPacked, Encoding::kDictionary, Encoding::kPlain};
  for (size_t c = 0; c < 4; ++c) {
    for (const PageInfo& p : cols[c].pages) EXPECT_EQ(p.encoding, expect[c]) << schema[c].name;
  }
  ExpectSame((*r)->Read({})->columns, batch);
  // Forcing each encoding through the writer also reads back.
  for (Encoding e : {Encoding::kPlain, Encoding::kDictionary, Encoding::kRunLength, Encoding::kBitPacked}) {
    auto f = DataFileReader::OpenBytes(Write(schema, batch, {.forced_encoding = e}));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ((*f)->footer().row_groups[0].columns[1].pages[0].encoding, e);
    ExpectSame((*f)->Read({})->columns, batch);
  }
}

// Ten row groups of 100 rows; column "k" holds row numbers.
std::pair<std::vector<ColumnSchema>, std::vector<ColumnVector>> Sequential() {
  std::vector<ColumnSchema> schema = {{"k", {DataType::kBigInt}}, {"name", {DataType::kString}},
                                      {"price", {DataType::kDouble}}};
  std::vector<ColumnVector> batch;
  for (const auto& s : schema) batch.emplace_back(s.type);
  for (int i = 0; i < 1000; ++i) {
    batch[0].AppendInt(i);
    batch[1].AppendString("name" + std::to_string(1000 + i));
    batch[2].AppendDouble(i * 0.5);
  }
  return {schema, batch};
}

TEST(DataFileTest, ProjectionAndRowGroupPruning) {
  auto [schema, batch] = Sequential();
  auto r = DataFileReader::OpenBytes(Write(schema, batch, {.row_group_rows_max = 100}));
  ASSERT_TRUE(r.ok());
  auto got = (*r)->Read({.columns = {"price", "k"}, .predicates = {{"k", CompareOp::kGe, int64_t{850}}}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->row_groups, (std::vector<size_t>{8, 9}));
  ASSERT_EQ(got->columns.size(), 2u);
  EXPECT_EQ(got->columns[0].type().type, DataType::kDouble);
  EXPECT_EQ(got->columns[1].size(), 200u);
  EXPECT_EQ(got->columns[1].GetInt(0), 800);

  auto rgs = [&](std::vector<Predicate> p) { return *(*r)->SelectRowGroups(p); };
  EXPECT_EQ(rgs({{"k", CompareOp::kEq, int64_t{345}}}), std::vector<size_t>{3});
  EXPECT_EQ(rgs({{"k", CompareOp::kLt, int64_t{100}}}), std::vector<size_t>{0});
  EXPECT_EQ(rgs({{"k", CompareOp::kLe, int64_t{100}}}), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(rgs({{"k", CompareOp::kGt, int64_t{999}}}), std::vector<size_t>{});
  EXPECT_EQ(rgs({{"name", CompareOp::kEq, std::string("name1500")}}), std::vector<size_t>{5});
  EXPECT_EQ(rgs({{"price", CompareOp::kGt, 400.0}, {"k", CompareOp::kLt, int64_t{900}}}), std::vector<size_t>{8});
  EXPECT_EQ(rgs({{"price", CompareOp::kEq, std::nan("")}}).size(), 10u);  // NaN: conservative
  EXPECT_EQ((*r)->SelectRowGroups(std::vector<Predicate>{{"k", CompareOp::kEq, 1.0}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*r)->Read({.columns = {"nope"}}).status().code(), StatusCode::kInvalidArgument);
}

TEST(DataFileTest, ReadThroughObjectStoreCountsGets) {
  auto [schema, batch] = Sequential();
  std::string bytes = Write(schema, batch, {.row_group_rows_max = 100});
  testing::CountingObjectStore store;
  ASSERT_TRUE(PutDataFile(store, "t/1/data/abc.sdf", bytes).ok());
  ASSERT_TRUE(PutDataFile(store, "t/1/data/abc.sdf", bytes).ok());  // retried put: same bytes, OK
  EXPECT_EQ(PutDataFile(store, "t/1/data/abc.sdf", bytes + "x").code(), StatusCode::kAlreadyExists);

  store.gets = 0;
  auto r = DataFileReader::Open(store, "t/1/data/abc.sdf", bytes.size(), /*speculative_bytes=*/4096);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(store.gets, 1);  // tail + footer in one GET
  EXPECT_EQ(store.heads, 0);
  auto got = (*r)->Read({.columns = {"name"}, .predicates = {{"k", CompareOp::kLt, int64_t{300}}}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(store.gets, 1 + 3);  // one GET per column chunk read: 3 row groups x 1 column
  EXPECT_EQ(got->columns[0].GetString(299), "name1299");

  // Unknown size: one Head, then one GET. A tiny speculative read: a second GET for the footer.
  store.gets = 0;
  ASSERT_TRUE(DataFileReader::Open(store, "t/1/data/abc.sdf").ok());
  EXPECT_EQ(store.heads, 1);
  EXPECT_EQ(store.gets, 1);
  store.gets = 0;
  ASSERT_TRUE(DataFileReader::Open(store, "t/1/data/abc.sdf", bytes.size(), 16).ok());
  EXPECT_EQ(store.gets, 2);
  EXPECT_EQ(DataFileReader::Open(store, "t/1/data/missing").status().code(), StatusCode::kNotFound);
}

// A scan's batches end where every column it reads has a page end: as many
// pages as fit in the target, or the next shared end when none does.
TEST(DataFileTest, ScanBatchesEndAtPageEndsSharedByTheColumns) {
  auto pages = [](std::vector<uint32_t> rows) {
    ColumnChunkInfo c;
    for (uint32_t r : rows) c.pages.push_back(PageInfo{.num_rows = r});
    return c;
  };
  RowGroupInfo rg{.num_rows = 400};
  rg.columns = {pages({100, 100, 100, 100}), pages({150, 50, 0, 200}), pages({400})};
  const std::vector<size_t> a{0}, ab{0, 1}, all{0, 1, 2};
  EXPECT_EQ(ScanBatchEnds(rg, a, 100), (std::vector<uint64_t>{100, 200, 300, 400}));
  EXPECT_EQ(ScanBatchEnds(rg, a, 250), (std::vector<uint64_t>{200, 400}));
  EXPECT_EQ(ScanBatchEnds(rg, ab, 100), (std::vector<uint64_t>{200, 400}));  // no shared end within 100 rows
  EXPECT_EQ(ScanBatchEnds(rg, ab, 250), (std::vector<uint64_t>{200, 400}));
  EXPECT_EQ(ScanBatchEnds(rg, ab, 1000), (std::vector<uint64_t>{400}));
  EXPECT_EQ(ScanBatchEnds(rg, all, 100), (std::vector<uint64_t>{400}));
  // Pages that do not add up to the row group's rows (a damaged footer): one batch.
  rg.columns[1] = pages({150, 50, 190});
  EXPECT_EQ(ScanBatchEnds(rg, ab, 100), (std::vector<uint64_t>{400}));
  EXPECT_EQ(ScanBatchEnds(rg, std::vector<size_t>{7}, 100), (std::vector<uint64_t>{400}));
}

// The bytes of column chunk (rg, column), as a scan hands them to DecodeColumnPages.
std::string_view ChunkBytes(const std::string& file, const DataFileReader& r, size_t rg, size_t column) {
  const ColumnChunkInfo& chunk = r.footer().row_groups[rg].columns[column];
  return std::string_view(file).substr(chunk.offset, chunk.size_bytes);
}

// Random files (every type, NULL densities, encodings, codecs, page sizes)
// read through random page ranges and row selections: DecodeColumnPagesAt
// equals DecodeColumnPages then picking the rows.
TEST(DataFileTest, DecodeColumnPagesAtEqualsDecodingThePagesAndPicking) {
  std::mt19937_64 rng(testing::TestSeed());
  const auto schema = AllTypesSchema();
  size_t checked = 0;
  for (int round = 0; round < 24; ++round) {
    const size_t rows = 1 + rng() % 3000;
    std::vector<ColumnVector> batch;
    for (const auto& s : schema) {
      ColumnVector c(s.type);
      const int null_pct = std::array{0, 0, 5, 50, 100}[rng() % 5];
      for (size_t i = 0; i < rows; ++i) testing::AppendRandom(&c, rng, null_pct);
      batch.push_back(std::move(c));
    }
    DataFileWriterOptions opts{.compression = static_cast<Compression>(round % 3),
                               .row_group_rows_max = 200 + rng() % 2000,
                               .page_rows_max = 1 + static_cast<uint32_t>(rng() % 400)};
    if (round % 6 >= 3) opts.forced_encoding = static_cast<Encoding>(rng() % (kEncodingMax + 1));
    const std::string file = Write(schema, batch, opts);
    auto r = DataFileReader::OpenBytes(file);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const FileFooter& footer = (*r)->footer();
    PageScratch scratch;
    for (size_t rg = 0; rg < footer.row_groups.size(); ++rg) {
      for (size_t c = 0; c < schema.size(); ++c) {
        const size_t pages = footer.row_groups[rg].columns[c].pages.size();
        const size_t first = rng() % pages, end = first + 1 + rng() % (pages - first);
        const std::string_view bytes = ChunkBytes(file, **r, rg, c);
        auto whole = (*r)->DecodeColumnPages(rg, c, bytes, first, end, &scratch);
        ASSERT_TRUE(whole.ok()) << whole.status().ToString();
        // The rows written there: the pages' first row in the file, and their count.
        uint64_t file_row = 0, pages_rows = 0;
        for (size_t g = 0; g < rg; ++g) file_row += footer.row_groups[g].num_rows;
        for (size_t q = 0; q < end; ++q) (q < first ? file_row : pages_rows) += footer.row_groups[rg].columns[c].pages[q].num_rows;
        ColumnVector written(schema[c].type);
        written.AppendRange(batch[c], file_row, file_row + pages_rows);
        ASSERT_TRUE(whole->Equals(written));  // so picking from the full decode is picking from `written`
        for (int pct : {0, 1, 5, 30, 70, 100}) {
          std::vector<uint32_t> sel;
          for (uint32_t i = 0; i < whole->size(); ++i) {
            if (static_cast<int>(rng() % 100) < pct) sel.push_back(i);
          }
          if (pct == 0 && whole->size() > 0) sel = {static_cast<uint32_t>(rng() % whole->size())};  // one row
          SCOPED_TRACE(schema[c].name + " round " + std::to_string(round) + " pages [" + std::to_string(first) + ", " +
                       std::to_string(end) + ") of " + std::to_string(pages) + ", " + std::to_string(sel.size()) +
                       " of " + std::to_string(whole->size()) + " rows");
          auto got = (*r)->DecodeColumnPagesAt(rg, c, bytes, first, end, sel, rng() % 2 ? &scratch : nullptr);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          ColumnVector want(schema[c].type);
          for (uint32_t i : sel) want.AppendRange(written, i, i + 1);
          ASSERT_TRUE(got->Equals(want));
          ++checked;
        }
        auto none = (*r)->DecodeColumnPagesAt(rg, c, bytes, first, end, {});
        ASSERT_TRUE(none.ok() && none->size() == 0);
      }
    }
  }
  EXPECT_GT(checked, 1000u);
}

// Pages [0, 3) of a column of row numbers, 100 rows a page, uncompressed:
// the file, its reader, and where page `p` of the chunk starts in the file.
struct ThreePages {
  std::string file;
  std::unique_ptr<DataFileReader> reader;
  size_t PageStart(size_t p) const { return reader->footer().row_groups[0].columns[0].pages[p].offset; }
  size_t PageSize(size_t p) const { return reader->footer().row_groups[0].columns[0].pages[p].size_bytes; }
};

ThreePages WriteThreePages(Encoding e, int64_t modulus) {
  std::vector<ColumnSchema> schema = {{"k", {DataType::kBigInt}}};
  std::vector<ColumnVector> batch(1, ColumnVector(schema[0].type));
  for (int i = 0; i < 300; ++i) batch[0].AppendInt(1000 * (i % modulus));
  ThreePages t;
  t.file = Write(schema, batch, {.compression = Compression::kNone, .page_rows_max = 100, .forced_encoding = e});
  auto r = DataFileReader::OpenBytes(t.file, "three.sdf");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  t.reader = std::move(r).value();
  EXPECT_EQ(t.reader->footer().row_groups[0].columns[0].pages.size(), 3u);
  return t;
}

// A flipped byte in a page holding a selected row is DataLoss naming the
// file, column, row group and page; a page holding none is skipped.
TEST(DataFileTest, DecodeColumnPagesAtVerifiesThePagesItReads) {
  for (Encoding e : {Encoding::kPlain, Encoding::kBitPacked, Encoding::kDictionary, Encoding::kRunLength}) {
    ThreePages t = WriteThreePages(e, 7);
    for (size_t at = t.PageStart(1); at < t.PageStart(1) + t.PageSize(1); ++at) {
      std::string bad = t.file;
      bad[at] ^= 0x10;
      const std::string_view chunk = ChunkBytes(bad, *t.reader, 0, 0);
      for (std::vector<uint32_t> sel : {std::vector<uint32_t>{100}, std::vector<uint32_t>{5, 150, 299}}) {
        auto got = t.reader->DecodeColumnPagesAt(0, 0, chunk, 0, 3, sel);
        ASSERT_EQ(got.status().code(), StatusCode::kDataLoss) << EncodingName(e) << " byte " << at;
        EXPECT_NE(got.status().ToString().find("data file three.sdf: column k: row group 0: page 1"), std::string::npos)
            << got.status().ToString();
      }
      const std::vector<uint32_t> elsewhere = {0, 99, 200, 299};
      auto skipped = t.reader->DecodeColumnPagesAt(0, 0, chunk, 0, 3, elsewhere);
      ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
      for (size_t i = 0; i < elsewhere.size(); ++i) EXPECT_EQ(skipped->GetInt(i), 1000 * (elsewhere[i] % 7));
    }
  }
}

// A DICTIONARY page (3 entries, 2-bit indices) whose index at row 150 (page
// 1, its row 50) is past the entries, the page re-sealed: DataLoss when that
// row is selected, as for the whole pages; the other rows read as written.
TEST(DataFileTest, DecodeColumnPagesAtDictionaryIndexPastTheEntriesIsDataLoss) {
  ThreePages t = WriteThreePages(Encoding::kDictionary, 3);
  const size_t start = t.PageStart(1), size = t.PageSize(1);
  // Page: encoding, codec, varints rows/nulls/body/stored (each one byte here), then the body: entry count 3,
  // the entries 0, 1000, 2000 as zigzag varints (1, 2, 2 bytes), the width byte, the indices; CRC.
  const size_t indices = start + 6 + 1 + 5 + 1;
  ASSERT_EQ(t.file[indices - 1], '\x02') << "bit width";
  ASSERT_EQ(size, indices - start + 100 * 2 / 8 + 4);
  std::string bad = t.file;
  bad[indices + 50 / 4] |= static_cast<char>(3 << (2 * (50 % 4)));  // row 50 of the page: index 3
  const uint32_t crc = Crc32c(std::string_view(bad).substr(start, size - 4));
  std::memcpy(&bad[start + size - 4], &crc, 4);  // little-endian fixed32
  const std::string_view chunk = ChunkBytes(bad, *t.reader, 0, 0);
  for (std::vector<uint32_t> sel : {std::vector<uint32_t>{150}, std::vector<uint32_t>{0, 149, 150, 151, 299}}) {
    auto got = t.reader->DecodeColumnPagesAt(0, 0, chunk, 0, 3, sel);
    ASSERT_EQ(got.status().code(), StatusCode::kDataLoss) << got.status().ToString();
    EXPECT_NE(got.status().ToString().find("page 1"), std::string::npos) << got.status().ToString();
    EXPECT_NE(got.status().ToString().find("dictionary index 3 >= 3"), std::string::npos) << got.status().ToString();
  }
  EXPECT_EQ(t.reader->DecodeColumnPages(0, 0, chunk, 0, 3).status().code(), StatusCode::kDataLoss);
  const std::vector<uint32_t> others = {0, 149, 151, 299};  // page 1 read, the damaged index not
  auto got = t.reader->DecodeColumnPagesAt(0, 0, chunk, 0, 3, others);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (size_t i = 0; i < others.size(); ++i) EXPECT_EQ(got->GetInt(i), 1000 * (others[i] % 3));
}

// Rows not ascending, repeated, or past the pages' rows are a caller's bug:
// the process stops, whichever page the bad row falls in.
TEST(DataFileTest, DecodeColumnPagesAtOfUnorderedRowsCrashes) {
  ThreePages t = WriteThreePages(Encoding::kBitPacked, 7);
  const std::string_view chunk = ChunkBytes(t.file, *t.reader, 0, 0);
  for (std::vector<uint32_t> bad : {std::vector<uint32_t>{5, 5}, std::vector<uint32_t>{7, 3},
                                    std::vector<uint32_t>{150, 120}, std::vector<uint32_t>{50, 150, 20},
                                    std::vector<uint32_t>{0, 300}, std::vector<uint32_t>{250, 90}}) {
    EXPECT_DEATH((void)t.reader->DecodeColumnPagesAt(0, 0, chunk, 0, 3, bad), "not ascending") << bad[0] << " " << bad[1];
  }
  EXPECT_DEATH((void)t.reader->DecodeColumnPagesAt(0, 0, chunk, 1, 2, std::vector<uint32_t>{100}), "not ascending");
}

TEST(DataFileTest, RowGroupAndPageByteBudgets) {
  std::vector<ColumnSchema> schema = {{"s", {DataType::kString}}};
  std::vector<ColumnVector> batch(1, ColumnVector(schema[0].type));
  for (int i = 0; i < 100; ++i) batch[0].AppendString(std::string(1000, static_cast<char>('a' + i % 26)));
  auto w = DataFileWriter::Create(schema, {.row_group_bytes_max = 10'000, .page_bytes_max = 3'000});
  for (int i = 0; i < 100; ++i) ASSERT_TRUE((*w)->Append(std::vector<ColumnVector>{[&] {
    ColumnVector one(schema[0].type);
    one.AppendRange(batch[0], i, i + 1);
    return one;
  }()}).ok());
  auto r = DataFileReader::OpenBytes(*(*w)->Finish());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->footer().row_groups.size(), 10u);   // 10 rows of ~1 KB per 10 KB row group
  EXPECT_EQ((*r)->footer().row_groups[0].columns[0].pages.size(), 4u);  // 3 + 3 + 3 + 1 rows
  ExpectSame((*r)->Read({})->columns, batch);
}

TEST(DataFileTest, WriterRejectsBadInputAndChangesNothing) {
  std::vector<ColumnSchema> schema = {{"a", {DataType::kTinyInt, 0, 0, false}}, {"b", {DataType::kString}}};
  auto w = DataFileWriter::Create(schema);
  ASSERT_TRUE(w.ok());
  std::vector<ColumnVector> batch = {ColumnVector(schema[0].type), ColumnVector(schema[1].type)};
  batch[0].AppendInt(300);
  batch[1].AppendString("x");
  EXPECT_EQ((*w)->Append(batch).code(), StatusCode::kInvalidArgument);  // out of TINYINT range
  batch[0] = ColumnVector(schema[0].type);
  batch[0].AppendNull();
  EXPECT_EQ((*w)->Append(batch).code(), StatusCode::kInvalidArgument);  // NULL in NOT NULL
  EXPECT_EQ((*w)->Append(std::span(batch).first(1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->num_rows(), 0u);
  EXPECT_EQ(DataFileWriter::Create({{"a", {DataType::kDecimal, 40, 2}}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DataFileWriter::Create({{"a", {DataType::kInt}}, {"a", {DataType::kInt}}}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::storage

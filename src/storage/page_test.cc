// Pages decoded straight into a column: several pages (with and without
// NULLs, every encoding and codec) appended to one ColumnVector read back
// row for row, and a damaged page leaves the column as it was.
#include "storage/page.h"

#include <gtest/gtest.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/storage_test_util.h"

namespace strata::storage {
namespace {

struct EncodedPage {
  std::string bytes;
  PageInfo info;
};

EncodedPage Encode(const ColumnVector& col, size_t begin, size_t end, const PageEncodeOptions& opts) {
  EncodedPage p;
  p.bytes = EncodePage(col, begin, end, opts, &p.info.encoding);
  p.info.size_bytes = p.bytes.size();
  p.info.num_rows = static_cast<uint32_t>(end - begin);
  for (size_t i = begin; i < end; ++i) p.info.stats.null_count += col.IsNull(i);
  return p;
}

// The column cut into pages of varying sizes (some all NULL, some without
// NULLs), each encoded with `opts`, decoded one after another into one
// column with a shared scratch buffer.
void ExpectPagesRoundTrip(const ColumnVector& col, const PageEncodeOptions& opts, std::mt19937_64& rng) {
  ColumnVector out(col.type());
  PageScratch scratch;
  size_t begin = 0;
  while (begin < col.size()) {  // bounded: each page takes >= 1 row
    const size_t end = std::min(col.size(), begin + 1 + rng() % 300);
    EncodedPage p = Encode(col, begin, end, opts);
    Status s = DecodePage(p.bytes, p.info, &out, rng() % 2 ? &scratch : nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(out.size(), end);
    begin = end;
  }
  EXPECT_TRUE(out.Equals(col)) << DataTypeName(col.type().type);
}

TEST(PageTest, PagesDecodeInPlaceIntoOneColumn) {
  std::mt19937_64 rng(testing::TestSeed());
  for (const ColumnSchema& s : testing::AllTypesSchema(true)) {
    for (int null_pct : {0, 30, 100}) {
      ColumnVector col(s.type);
      for (int i = 0; i < 2000; ++i) testing::AppendRandom(&col, rng, null_pct);
      for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
        for (uint8_t e = 0; e <= kEncodingMax; ++e) {
          PageEncodeOptions opts{.compression = c};
          if (!EncodingApplies(s.type, static_cast<Encoding>(e))) continue;
          opts.forced_encoding = static_cast<Encoding>(e);
          SCOPED_TRACE(s.name + " " + std::string(EncodingName(static_cast<Encoding>(e))) + " " +
                       std::string(CompressionName(c)) + " nulls% " + std::to_string(null_pct));
          ExpectPagesRoundTrip(col, opts, rng);
        }
      }
    }
  }
}

// A page whose values are damaged after the checksum was computed (a writer
// bug, or a collision): DataLoss, and the column keeps exactly its rows.
TEST(PageTest, ADamagedPageLeavesTheColumnAsItWas) {
  std::mt19937_64 rng(testing::TestSeed());
  size_t rejected = 0;
  for (const ColumnSchema& s : testing::AllTypesSchema(true)) {
    ColumnVector col(s.type);
    for (int i = 0; i < 200; ++i) testing::AppendRandom(&col, rng, 20);
    ColumnVector out(s.type);
    EncodedPage first = Encode(col, 0, 100, {});
    ASSERT_TRUE(DecodePage(first.bytes, first.info, &out).ok());
    EncodedPage second = Encode(col, 100, 200, {});
    // Cut the body short and re-seal it: header and CRC are right, the values are not.
    for (size_t cut = 1; cut < 8; ++cut) {
      std::string bad = second.bytes;
      Decoder d(bad);
      std::string_view hdr;
      uint64_t rows = 0, nulls = 0, body = 0, stored = 0;
      ASSERT_TRUE(d.GetRaw(2, &hdr).ok() && d.GetVarint(&rows).ok() && d.GetVarint(&nulls).ok() &&
                  d.GetVarint(&body).ok() && d.GetVarint(&stored).ok());
      if (body < cut + (nulls > 0 ? (rows + 7) / 8 : 0)) continue;
      Encoder e;
      e.PutRaw(hdr);
      e.PutVarint(rows);
      e.PutVarint(nulls);
      e.PutVarint(body - cut);
      e.PutVarint(stored - cut);
      const size_t header_bytes = bad.size() - 4 - stored;
      e.PutRaw(std::string_view(bad).substr(header_bytes, stored - cut));
      e.PutFixed32(Crc32c(e.data()));
      EncodedPage damaged{.bytes = e.Take(), .info = second.info};
      damaged.info.size_bytes = damaged.bytes.size();
      Status st = DecodePage(damaged.bytes, damaged.info, &out);
      if (st.ok()) {  // a shorter body can still be a valid page (e.g. fewer trailing string bytes)
        out = ColumnVector(s.type);
        ASSERT_TRUE(DecodePage(first.bytes, first.info, &out).ok());
        continue;
      }
      EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
      ++rejected;
      ASSERT_EQ(out.size(), 100u);
      ColumnVector want(s.type);
      want.AppendRange(col, 0, 100);
      EXPECT_TRUE(out.Equals(want)) << s.name << " cut " << cut;
    }
    // The column still takes the next good page.
    ASSERT_TRUE(DecodePage(second.bytes, second.info, &out).ok());
    EXPECT_TRUE(out.Equals(col)) << s.name;
  }
  EXPECT_GT(rejected, 50u);  // the damage was seen, not skipped
}

TEST(PageTest, DecompressIntoMatchesDecompress) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "page " + std::to_string(i % 97) + ";";
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    const std::string stored = Compress(c, body, 3);
    std::string via_string;
    ASSERT_TRUE(Decompress(c, stored, body.size(), &via_string).ok());
    PageScratch scratch;
    char* buffer = scratch.Get(body.size());
    ASSERT_TRUE(DecompressInto(c, stored, buffer, body.size()).ok());
    EXPECT_EQ(std::string_view(buffer, body.size()), body);
    EXPECT_EQ(via_string, body);
    EXPECT_EQ(DecompressInto(c, stored, buffer, body.size() - 1).code(), StatusCode::kDataLoss) << CompressionName(c);
  }
}

}  // namespace
}  // namespace strata::storage

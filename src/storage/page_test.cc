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

// Selections of a page's rows: none, the first, the last, both, and random
// ones of about 1%, 10%, 40%, 90% and 100% (all: the bulk decoders).
std::vector<std::vector<uint32_t>> Selections(size_t rows, std::mt19937_64& rng) {
  std::vector<std::vector<uint32_t>> out = {{}};
  const auto last = static_cast<uint32_t>(rows - 1);
  out.push_back({0});
  out.push_back({last});
  if (last > 0) out.push_back({0, last});
  for (int pct : {1, 10, 40, 90, 100}) {
    std::vector<uint32_t> sel;
    for (uint32_t i = 0; i < rows; ++i) {
      if (static_cast<int>(rng() % 100) < pct) sel.push_back(i);
    }
    out.push_back(std::move(sel));
  }
  return out;
}

// `prefix` followed by rows `rows` of `page`.
ColumnVector Picked(const ColumnVector& prefix, const ColumnVector& page, std::span<const uint32_t> rows) {
  ColumnVector want(prefix.type());
  want.AppendRange(prefix, 0, prefix.size());
  for (uint32_t r : rows) want.AppendRange(page, r, r + 1);
  return want;
}

// Every type, applicable encoding, codec, NULL density and page size, and
// selections from none to all: DecodePageAt appends exactly the selected
// rows of what DecodePage appends (the rows written), after the rows already
// in the column.
TEST(PageTest, DecodePageAtEqualsDecodingThePageAndPicking) {
  std::mt19937_64 rng(testing::TestSeed());
  size_t checked = 0;
  for (const ColumnSchema& s : testing::AllTypesSchema(true)) {
    for (int null_pct : {0, 30, 100}) {
      for (size_t rows : {size_t{1}, size_t{9}, size_t{64}, size_t{333}, size_t{2000}}) {
        ColumnVector col(s.type);
        for (size_t i = 0; i < rows; ++i) testing::AppendRandom(&col, rng, null_pct);
        ColumnVector prefix(s.type);  // the column decoded so far: a few rows, one NULL
        for (int i = 0; i < 5; ++i) testing::AppendRandom(&prefix, rng, i == 2 ? 100 : 0);
        for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
          for (uint8_t e = 0; e <= kEncodingMax; ++e) {
            if (!EncodingApplies(s.type, static_cast<Encoding>(e))) continue;
            PageEncodeOptions opts{.compression = c, .forced_encoding = static_cast<Encoding>(e)};
            SCOPED_TRACE(s.name + " " + std::string(EncodingName(static_cast<Encoding>(e))) + " " +
                         std::string(CompressionName(c)) + " nulls% " + std::to_string(null_pct) + " rows " +
                         std::to_string(rows));
            EncodedPage p = Encode(col, 0, rows, opts);
            ColumnVector whole(s.type);
            ASSERT_TRUE(DecodePage(p.bytes, p.info, &whole).ok());
            ASSERT_TRUE(whole.Equals(col));  // so picking from `col` is picking from the full decode
            PageScratch scratch;
            for (const std::vector<uint32_t>& sel : Selections(rows, rng)) {
              ColumnVector got(s.type);
              got.AppendRange(prefix, 0, prefix.size());
              Status st = DecodePageAt(p.bytes, p.info, sel, &got, rng() % 2 ? &scratch : nullptr);
              ASSERT_TRUE(st.ok()) << st.ToString();
              // Against the rows written, not only the full decode: a bug the two decoders share shows.
              ASSERT_TRUE(got.Equals(Picked(prefix, col, sel))) << sel.size() << " rows selected";
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 10000u);
}

// A damaged page is DataLoss for any selection from it, and the column keeps
// exactly its rows: a flipped byte (the checksum), and a body cut short or
// padded and re-sealed (header, sizes, values and trailing bytes checked as
// DecodePage checks them).
TEST(PageTest, DecodePageAtOfADamagedPageIsDataLoss) {
  std::mt19937_64 rng(testing::TestSeed());
  size_t rejected = 0;
  for (const ColumnSchema& s : testing::AllTypesSchema(true)) {
    for (int null_pct : {0, 20}) {
      ColumnVector col(s.type);
      for (int i = 0; i < 100; ++i) testing::AppendRandom(&col, rng, null_pct);
      for (uint8_t e = 0; e <= kEncodingMax; ++e) {
        if (!EncodingApplies(s.type, static_cast<Encoding>(e))) continue;
        const EncodedPage good = Encode(col, 0, 100, {.forced_encoding = static_cast<Encoding>(e)});
        std::vector<EncodedPage> damaged;  // the first kFlips: a bit flipped, which the checksum always sees
        constexpr size_t kFlips = 4;
        for (size_t flip = 0; flip < kFlips; ++flip) {
          EncodedPage bad = good;
          bad.bytes[rng() % bad.bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
          damaged.push_back(std::move(bad));
        }
        // The (uncompressed) body cut short by 1..5 bytes, as in ADamagedPageLeavesTheColumnAsItWas, or
        // one byte longer (-1: trailing bytes after the values), the page re-sealed.
        for (int cut = -1; cut < 6; ++cut) {
          if (cut == 0) continue;
          Decoder d(good.bytes);
          std::string_view hdr;
          uint64_t rows = 0, nulls = 0, body = 0, stored = 0;
          ASSERT_TRUE(d.GetRaw(2, &hdr).ok() && d.GetVarint(&rows).ok() && d.GetVarint(&nulls).ok() &&
                      d.GetVarint(&body).ok() && d.GetVarint(&stored).ok());
          if (static_cast<int64_t>(body) < cut + static_cast<int64_t>(nulls > 0 ? (rows + 7) / 8 : 0)) continue;
          const std::string_view values = std::string_view(good.bytes).substr(good.bytes.size() - 4 - stored, stored);
          std::string new_body = cut > 0 ? std::string(values.substr(0, stored - cut)) : std::string(values) + "x";
          Encoder en;
          en.PutRaw(hdr);
          en.PutVarint(rows);
          en.PutVarint(nulls);
          en.PutVarint(new_body.size());
          en.PutVarint(new_body.size());
          en.PutRaw(new_body);
          en.PutFixed32(Crc32c(en.data()));
          damaged.push_back({.bytes = en.Take(), .info = good.info});
        }
        for (size_t d = 0; d < damaged.size(); ++d) {
          const EncodedPage& bad = damaged[d];
          ColumnVector whole(s.type);
          const Status full = DecodePage(bad.bytes, bad.info, &whole);
          if (d < kFlips) {
            ASSERT_EQ(full.code(), StatusCode::kDataLoss) << full.ToString();
          }
          for (const std::vector<uint32_t>& sel : {std::vector<uint32_t>{0}, std::vector<uint32_t>{57, 99},
                                                   std::vector<uint32_t>{3, 4, 5, 40, 41, 60, 61, 62, 98}}) {
            ColumnVector out(s.type);
            out.AppendRange(col, 0, 10);
            const Status st = DecodePageAt(bad.bytes, bad.info, sel, &out);
            // Checked as DecodePage checks it (no DICTIONARY index is damaged here: only its bytes' count).
            ASSERT_EQ(st.ok(), full.ok()) << s.name << " " << st.ToString() << " / " << full.ToString();
            if (bad.bytes.size() > good.bytes.size()) {  // the padded body (a flip keeps the size, a cut shrinks it)
              ASSERT_EQ(st.code(), StatusCode::kDataLoss) << s.name << " " << st.ToString();
            }
            if (st.ok()) continue;
            EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
            ColumnVector want(s.type);
            want.AppendRange(col, 0, 10);
            ASSERT_TRUE(out.Equals(want)) << s.name;
            // The column still takes the next good page (its buffers hold no value of the bad one).
            ASSERT_TRUE(DecodePageAt(good.bytes, good.info, sel, &out).ok());
            ASSERT_TRUE(out.Equals(Picked(want, col, sel))) << s.name;
            ++rejected;
          }
        }
      }
    }
  }
  EXPECT_GT(rejected, 500u);
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

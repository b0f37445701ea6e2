// Value encodings: forced round trips, the natural choice, malformed input.
#include "storage/encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <span>

#include "storage/storage_test_util.h"

namespace strata::storage {
namespace {

PageValues Gather(const ColumnVector& c) {
  PageValues v;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c.IsNull(i)) continue;
    switch (c.kind()) {
      case PhysicalKind::kInt64: v.ints.push_back(c.GetInt(i)); break;
      case PhysicalKind::kInt128: v.wides.push_back(c.GetWide(i)); break;
      case PhysicalKind::kDouble: v.doubles.push_back(c.GetDouble(i)); break;
      case PhysicalKind::kBytes: v.strings.push_back(c.GetString(i)); break;
    }
  }
  return v;
}

size_t Count(const PageValues& v) { return v.ints.size() + v.wides.size() + v.doubles.size() + v.strings.size(); }

TEST(EncodingTest, EveryApplicableEncodingRoundTripsEveryType) {
  std::mt19937_64 rng(testing::TestSeed());
  for (const ColumnSchema& s : testing::AllTypesSchema(false)) {
    ColumnVector col(s.type);
    for (int i = 0; i < 300; ++i) testing::AppendRandom(&col, rng, 0);
    PageValues in = Gather(col);
    for (uint8_t e = 0; e <= kEncodingMax; ++e) {
      auto enc = static_cast<Encoding>(e);
      if (!EncodingApplies(s.type, enc)) continue;
      Encoding chosen;
      std::string bytes = EncodeValues(s.type, in, enc, &chosen);
      ASSERT_EQ(chosen, enc);
      PageValues out;
      ASSERT_TRUE(DecodeValues(s.type, enc, bytes, Count(in), &out).ok()) << s.name << " " << EncodingName(enc);
      if (s.type.type == DataType::kFloat) {
        ASSERT_EQ(out.doubles.size(), in.doubles.size());
        for (size_t i = 0; i < in.doubles.size(); ++i) EXPECT_EQ(out.doubles[i], static_cast<float>(in.doubles[i]));
        continue;
      }
      EXPECT_TRUE(out.ints == in.ints && out.wides == in.wides && out.doubles == in.doubles &&
                  out.strings == in.strings) << s.name << " " << EncodingName(enc);
    }
  }
}

// BIT_PACKED and DICTIONARY indices at every width 0..64 and every count
// around the fast paths' group-of-8 and 8-byte-load boundaries.
TEST(EncodingTest, BitPackedRoundTripsEveryWidthAndCount) {
  std::mt19937_64 rng(testing::TestSeed());
  const ColumnType type{.type = DataType::kBigInt};
  for (int width = 0; width <= 64; ++width) {
    for (size_t count : {size_t{1}, size_t{2}, size_t{7}, size_t{8}, size_t{9}, size_t{15}, size_t{16}, size_t{17},
                         size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{1003}, size_t{1024},
                         size_t{1025}, size_t{2047}, size_t{3073}}) {  // around the 1024-value unpack blocks
      PageValues in;
      const uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
      const int64_t base = static_cast<int64_t>(rng() % 1000) - 500;
      for (size_t i = 0; i < count; ++i) in.ints.push_back(static_cast<int64_t>(static_cast<uint64_t>(base) + (rng() & mask)));
      if (width > 0) in.ints[0] = base, in.ints[count - 1] = static_cast<int64_t>(static_cast<uint64_t>(base) + mask);
      Encoding chosen;
      std::string bytes = EncodeValues(type, in, Encoding::kBitPacked, &chosen);
      PageValues out;
      ASSERT_TRUE(DecodeValues(type, Encoding::kBitPacked, bytes, count, &out).ok()) << width << " " << count;
      ASSERT_EQ(out.ints, in.ints) << "width " << width << " count " << count;
    }
  }
}

// DICTIONARY pages of ints and strings longer than one unpack block (1024
// values), appended after values already in the vectors.
TEST(EncodingTest, DictionaryRoundTripsAcrossUnpackBlocks) {
  std::mt19937_64 rng(testing::TestSeed());
  for (size_t count : {size_t{1023}, size_t{1024}, size_t{1025}, size_t{4097}, size_t{8192}}) {
    for (size_t entries : {size_t{1}, size_t{3}, size_t{300}, size_t{5000}}) {
      PageValues in;
      for (size_t i = 0; i < count; ++i) {
        const uint64_t e = rng() % entries;
        in.ints.push_back(static_cast<int64_t>(e * 1'000'003));
        in.strings.push_back("entry " + std::string(e % 40, 'x') + std::to_string(e));
      }
      Encoding chosen;
      const std::string ints = EncodeValues(ColumnType{DataType::kBigInt}, in, Encoding::kDictionary, &chosen);
      const std::string strings = EncodeValues(ColumnType{DataType::kVarchar}, in, Encoding::kDictionary, &chosen);
      PageValues out{.ints = {7}, .strings = {"before"}};
      ASSERT_TRUE(DecodeValues(ColumnType{DataType::kBigInt}, Encoding::kDictionary, ints, count, &out).ok());
      ASSERT_TRUE(DecodeValues(ColumnType{DataType::kVarchar}, Encoding::kDictionary, strings, count, &out).ok());
      in.ints.insert(in.ints.begin(), 7);
      StringColumn expected_strings{"before"};
      expected_strings.Append(in.strings, 0, in.strings.size());
      EXPECT_EQ(out.ints, in.ints) << count << " values, " << entries << " entries";
      EXPECT_EQ(out.strings, expected_strings) << count << " values, " << entries << " entries";
    }
  }
}

TEST(EncodingTest, ChoosesTheSmallestCandidate) {
  ColumnType bigint{DataType::kBigInt};
  Encoding e;
  PageValues constant{.ints = std::vector<int64_t>(1000, 42)};
  EncodeValues(bigint, constant, std::nullopt, &e);
  EXPECT_EQ(e, Encoding::kRunLength);
  PageValues small;
  for (int i = 0; i < 1000; ++i) small.ints.push_back(1'000'000 + i);
  EncodeValues(bigint, small, std::nullopt, &e);
  EXPECT_EQ(e, Encoding::kBitPacked);
  PageValues few;
  for (int i = 0; i < 1000; ++i) few.ints.push_back((i * 7919 % 5) * 1'000'000'000'000LL);
  EncodeValues(bigint, few, std::nullopt, &e);
  EXPECT_EQ(e, Encoding::kDictionary);
  PageValues strings;
  for (int i = 0; i < 1000; ++i) strings.strings.push_back(i % 3 ? "shanghai" : "beijing");
  EncodeValues(ColumnType{DataType::kVarchar}, strings, std::nullopt, &e);
  EXPECT_EQ(e, Encoding::kDictionary);
  PageValues wide;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) wide.ints.push_back(static_cast<int64_t>(rng()));
  EncodeValues(bigint, wide, std::nullopt, &e);
  EXPECT_EQ(e, Encoding::kPlain);
}

TEST(EncodingTest, MalformedInputIsDataLossNeverACrash) {
  std::mt19937_64 rng(testing::TestSeed());
  for (const ColumnSchema& s : testing::AllTypesSchema(false)) {
    for (uint8_t e = 0; e <= kEncodingMax; ++e) {
      for (int trial = 0; trial < 200; ++trial) {
        std::string junk(rng() % 64, '\0');
        for (char& c : junk) c = static_cast<char>(rng());
        PageValues out;
        Status st = DecodeValues(s.type, static_cast<Encoding>(e), junk, rng() % 100, &out);
        if (!st.ok()) {
          EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
        }
      }
    }
  }
}

// A dictionary index past the entries (a damaged page whose checksum still
// matched, or a writer bug) is DataLoss naming the largest index, in the
// unpacking loop for many values and in its tail for few.
TEST(EncodingTest, DictionaryIndexPastTheEntriesIsDataLoss) {
  const ColumnType bigint{DataType::kBigInt};
  // DICTIONARY: 3 entries (10, 20, 30 as zigzag varints), width 2, then the packed indices.
  auto page = [](const std::vector<uint8_t>& indices) {
    std::string out = {'\x03', '\x14', '\x28', '\x3c', '\x02'};
    out.append((indices.size() * 2 + 7) / 8, '\0');
    for (size_t i = 0; i < indices.size(); ++i) out[5 + i / 4] |= static_cast<char>(indices[i] << (2 * (i % 4)));
    return out;
  };
  for (size_t count : {size_t{4}, size_t{40}}) {
    std::vector<uint8_t> indices(count);
    for (size_t i = 0; i < count; ++i) indices[i] = static_cast<uint8_t>(i % 3);
    PageValues good;
    ASSERT_TRUE(DecodeValues(bigint, Encoding::kDictionary, page(indices), count, &good).ok());
    for (size_t i = 0; i < count; ++i) EXPECT_EQ(good.ints[i], 10 * (1 + static_cast<int64_t>(i % 3)));
    indices[count - 2] = 3;
    PageValues bad;
    Status st = DecodeValues(bigint, Encoding::kDictionary, page(indices), count, &bad);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << count;
    EXPECT_NE(st.ToString().find("dictionary index 3 >= 3"), std::string::npos) << st.ToString();
  }
}

// Decoded values of every kind, as DecodeValues and DecodeValuesAt write them.
struct Values {
  Int64Values ints;
  std::vector<int128> wides;
  std::vector<double> doubles;
  StringColumn strings;
  ColumnVector::ValueBuffers Buffers() {
    return {.ints = &ints, .wides = &wides, .doubles = &doubles, .strings = &strings};
  }
  bool operator==(const Values&) const = default;
};

// A DICTIONARY page of strings decoded into an empty column leaves its
// indices as the column's codes (StringColumn::coded), each row viewing the
// entry its code names; decoded after other rows, or picked at fewer rows
// than it has entries, it leaves none. The values are the same either way.
TEST(EncodingTest, DictionaryStringsDecodedIntoAnEmptyColumnAreCoded) {
  const ColumnType varchar{DataType::kVarchar};
  PageValues in;
  for (size_t i = 0; i < 3000; ++i) in.strings.push_back(std::string(i % 7 == 0 ? "MAIL" : "RAIL") + std::to_string(i % 5));
  Encoding chosen;
  const std::string bytes = EncodeValues(varchar, in, Encoding::kDictionary, &chosen);
  auto expect_coded = [](const StringColumn& c) {
    ASSERT_TRUE(c.coded());
    for (size_t i = 0; i < c.size(); ++i) {
      ASSERT_LT(c.codes()[i], c.entries().size());
      ASSERT_EQ(c[i].data(), c.entries()[c.codes()[i]].data()) << i;
      ASSERT_EQ(c[i].size(), c.entries()[c.codes()[i]].size()) << i;
    }
  };
  PageValues whole;
  ASSERT_TRUE(DecodeValues(varchar, Encoding::kDictionary, bytes, in.strings.size(), &whole).ok());
  EXPECT_EQ(whole.strings, in.strings);
  expect_coded(whole.strings);
  EXPECT_EQ(whole.strings.entries().size(), 10u);

  PageValues after{.strings = {"before"}};
  ASSERT_TRUE(DecodeValues(varchar, Encoding::kDictionary, bytes, in.strings.size(), &after).ok());
  EXPECT_FALSE(after.strings.coded());
  EXPECT_EQ(after.strings[3000], in.strings[2999]);

  std::vector<uint32_t> many, few = {3, 700};
  for (uint32_t i = 1; i < 3000; i += 3) many.push_back(i);
  Values picked;
  ASSERT_TRUE(DecodeValuesAt(varchar, Encoding::kDictionary, bytes, in.strings.size(), many, picked.Buffers()).ok());
  expect_coded(picked.strings);
  ASSERT_EQ(picked.strings.size(), many.size());
  for (size_t j = 0; j < many.size(); ++j) ASSERT_EQ(picked.strings[j], in.strings[many[j]]) << j;
  Values two;
  ASSERT_TRUE(DecodeValuesAt(varchar, Encoding::kDictionary, bytes, in.strings.size(), few, two.Buffers()).ok());
  EXPECT_FALSE(two.strings.coded());
  EXPECT_EQ(two.strings, (StringColumn{in.strings[3], in.strings[700]}));
}

// `all` with the values at `positions` appended to `into`.
Values Pick(Values into, const Values& all, std::span<const uint32_t> positions) {
  for (uint32_t i : positions) {
    if (i < all.ints.size()) into.ints.push_back(all.ints[i]);
    if (i < all.wides.size()) into.wides.push_back(all.wides[i]);
    if (i < all.doubles.size()) into.doubles.push_back(all.doubles[i]);
    if (i < all.strings.size()) into.strings.push_back(all.strings[i]);
  }
  return into;
}

// Selections of [0, count): none, the first, the last, both, all, and
// random ones of about 1%, 10%, 50% and 90%.
std::vector<std::vector<uint32_t>> Selections(size_t count, std::mt19937_64& rng) {
  std::vector<std::vector<uint32_t>> out = {{}};
  if (count == 0) return out;
  const auto last = static_cast<uint32_t>(count - 1);
  out.push_back({0});
  out.push_back({last});
  if (last > 0) out.push_back({0, last});
  for (int pct : {1, 10, 50, 90, 100}) {
    std::vector<uint32_t> sel;
    for (uint32_t i = 0; i < count; ++i) {
      if (static_cast<int>(rng() % 100) < pct) sel.push_back(i);
    }
    out.push_back(std::move(sel));
  }
  return out;
}

// Every type and encoding: the picked decode appends exactly the selected
// values of the full decode, after values already in the vectors; a byte
// more or less is DataLoss.
TEST(EncodingTest, DecodeValuesAtEqualsDecodingAllAndPicking) {
  std::mt19937_64 rng(testing::TestSeed());
  size_t checked = 0;
  for (const ColumnSchema& s : testing::AllTypesSchema(false)) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{7}, size_t{64}, size_t{301}, size_t{2000}}) {
      ColumnVector col(s.type);
      for (size_t i = 0; i < count; ++i) testing::AppendRandom(&col, rng, 0);
      PageValues in = Gather(col);
      for (uint8_t e = 0; e <= kEncodingMax; ++e) {
        const auto enc = static_cast<Encoding>(e);
        if (!EncodingApplies(s.type, enc)) continue;
        Encoding chosen;
        const std::string bytes = EncodeValues(s.type, in, enc, &chosen);
        Values all;
        ASSERT_TRUE(DecodeValues(s.type, enc, bytes, count, all.Buffers()).ok());
        Values before;  // the vectors are appended to
        before.ints = {-1};
        before.wides = {-1};
        before.doubles = {-1};
        before.strings = {"before"};
        for (const std::vector<uint32_t>& sel : Selections(count, rng)) {
          Values got = before;
          Status st = DecodeValuesAt(s.type, enc, bytes, count, sel, got.Buffers());
          ASSERT_TRUE(st.ok()) << s.name << " " << EncodingName(enc) << ": " << st.ToString();
          ASSERT_TRUE(got == Pick(before, all, sel))
              << s.name << " " << EncodingName(enc) << " count " << count << " selected " << sel.size();
          ++checked;
          // A byte too many or too few is DataLoss, as for DecodeValues, whatever is selected.
          Values ignored;
          EXPECT_EQ(DecodeValuesAt(s.type, enc, bytes + '\x01', count, sel, ignored.Buffers()).code(),
                    StatusCode::kDataLoss) << s.name << " " << EncodingName(enc) << " count " << count;
          if (!bytes.empty()) {
            EXPECT_EQ(DecodeValuesAt(s.type, enc, bytes.substr(0, bytes.size() - 1), count, sel,
                                     ignored.Buffers()).code(),
                      StatusCode::kDataLoss) << s.name << " " << EncodingName(enc) << " count " << count;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000u);
}

// BIT_PACKED at every width 0..64, each position alone and all together:
// the 8-byte loads, the byte-wise reads near the end and past 56 bits.
TEST(EncodingTest, DecodeValuesAtReadsEveryBitWidthAndPosition) {
  std::mt19937_64 rng(testing::TestSeed());
  const ColumnType type{.type = DataType::kBigInt};
  for (int width = 0; width <= 64; ++width) {
    for (size_t count : {size_t{1}, size_t{7}, size_t{9}, size_t{17}, size_t{65}, size_t{131}}) {
      PageValues in;
      const uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
      for (size_t i = 0; i < count; ++i) in.ints.push_back(static_cast<int64_t>(rng() & mask));
      if (width > 0) in.ints[0] = 0, in.ints[count - 1] = static_cast<int64_t>(mask);  // the width is exact
      Encoding chosen;
      const std::string bytes = EncodeValues(type, in, Encoding::kBitPacked, &chosen);
      std::vector<uint32_t> every(count);
      for (size_t i = 0; i < count; ++i) every[i] = static_cast<uint32_t>(i);
      Values got;
      ASSERT_TRUE(DecodeValuesAt(type, Encoding::kBitPacked, bytes, count, every, got.Buffers()).ok());
      ASSERT_TRUE(std::equal(got.ints.begin(), got.ints.end(), in.ints.begin(), in.ints.end()))
          << "width " << width << " count " << count;
      for (uint32_t i = 0; i < count; ++i) {
        Values one;
        const uint32_t pos[] = {i};
        ASSERT_TRUE(DecodeValuesAt(type, Encoding::kBitPacked, bytes, count, pos, one.Buffers()).ok());
        ASSERT_EQ(one.ints.size(), 1u);
        ASSERT_EQ(one.ints[0], in.ints[i]) << "width " << width << " count " << count << " position " << i;
      }
    }
  }
}

TEST(EncodingTest, DecodeValuesAtMalformedInputIsDataLossNeverACrash) {
  std::mt19937_64 rng(testing::TestSeed());
  for (const ColumnSchema& s : testing::AllTypesSchema(false)) {
    for (uint8_t e = 0; e <= kEncodingMax; ++e) {
      for (int trial = 0; trial < 200; ++trial) {
        std::string junk(rng() % 64, '\0');
        for (char& c : junk) c = static_cast<char>(rng());
        const size_t count = 1 + rng() % 100;
        std::vector<uint32_t> sel;
        for (uint32_t i = 0; i < count; ++i) {
          if (rng() % 4 == 0) sel.push_back(i);
        }
        Values out;
        Status st = DecodeValuesAt(s.type, static_cast<Encoding>(e), junk, count, sel, out.Buffers());
        if (!st.ok()) {
          EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
        }
      }
    }
  }
}

// DICTIONARY pages of ints and strings whose index at one position is past
// the entries: DataLoss when that position is selected, in the 8-byte-load
// part of the indices and in their byte-wise tail; not looked at otherwise.
TEST(EncodingTest, DecodeValuesAtDictionaryIndexPastTheEntriesIsDataLoss) {
  // 3 entries (ints 10, 20, 30 as zigzag varints; strings "a", "b", "c"), width 2, then the packed indices.
  const std::string int_entries = {'\x03', '\x14', '\x28', '\x3c', '\x02'};
  const std::string string_entries = {'\x03', '\x01', 'a', '\x01', 'b', '\x01', 'c', '\x02'};
  auto page = [](std::string out, const std::vector<uint8_t>& indices) {
    const size_t start = out.size();
    out.append((indices.size() * 2 + 7) / 8, '\0');
    for (size_t i = 0; i < indices.size(); ++i) out[start + i / 4] |= static_cast<char>(indices[i] << (2 * (i % 4)));
    return out;
  };
  for (const ColumnType& type : {ColumnType{DataType::kBigInt}, ColumnType{DataType::kVarchar}}) {
    const std::string& entries = type.type == DataType::kBigInt ? int_entries : string_entries;
    for (size_t count : {size_t{40}, size_t{400}}) {
      for (size_t bad : {size_t{1}, count - 2}) {  // an 8-byte load's; a byte-wise read's
        std::vector<uint8_t> indices(count);
        for (size_t i = 0; i < count; ++i) indices[i] = static_cast<uint8_t>(i % 3);
        indices[bad] = 3;
        const std::string bytes = page(entries, indices);
        Values out;
        const std::vector<uint32_t> with_bad = {0, static_cast<uint32_t>(bad), static_cast<uint32_t>(count - 1)};
        Status st = DecodeValuesAt(type, Encoding::kDictionary, bytes, count, with_bad, out.Buffers());
        EXPECT_EQ(st.code(), StatusCode::kDataLoss) << count << " " << bad;
        EXPECT_NE(st.ToString().find("dictionary index 3 >= 3"), std::string::npos) << st.ToString();
        Values good;
        const std::vector<uint32_t> without = {0, static_cast<uint32_t>(bad + 1)};
        ASSERT_TRUE(DecodeValuesAt(type, Encoding::kDictionary, bytes, count, without, good.Buffers()).ok());
        if (type.type == DataType::kBigInt) {
          EXPECT_TRUE(good.ints == Int64Values({10, 10 * (1 + static_cast<int64_t>((bad + 1) % 3))}));
        } else {
          const std::string second(1, static_cast<char>('a' + (bad + 1) % 3));
          EXPECT_EQ(good.strings, (StringColumn{"a", second}));
        }
        PageValues full;
        EXPECT_EQ(DecodeValues(type, Encoding::kDictionary, bytes, count, &full).code(), StatusCode::kDataLoss);
      }
    }
  }
}

}  // namespace
}  // namespace strata::storage

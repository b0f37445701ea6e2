// JoinTable (join_table.h) against a std::multimap: every probe key finds
// exactly the build rows with that key, in arrival order, for one to three
// integer keys (packed slots) and for string keys (bytes), added in batches
// numbered on or at given build rows; NULL keys find nothing. Also: a table
// whose distinct-key estimate falls far short still finds every key (it
// grows while built), and one of many distinct keys.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <random>

#include "query/join_table.h"

namespace strata::query {
namespace {

// `words` INT key columns (or one VARCHAR with `strings`) of `n` random rows over a small domain, ~5 % NULL.
std::vector<Column> RandomKeys(std::mt19937_64& rng, size_t words, bool strings, size_t n) {
  std::vector<Column> cols;
  for (size_t w = 0; w < words; ++w) {
    Column c(strings ? Type::String() : Type::Int());
    for (size_t r = 0; r < n; ++r) {
      if (rng() % 20 == 0) {
        c.AppendNull();
      } else if (strings) {
        c.AppendStr(std::string(rng() % 3, 'x') + std::to_string(rng() % 50));
      } else {
        c.AppendI64(static_cast<int64_t>(rng() % 40) - 20);
      }
    }
    cols.push_back(std::move(c));
  }
  return cols;
}

std::vector<std::string> KeyOf(const std::vector<Column>& cols, size_t r) {
  std::vector<std::string> k;
  for (const auto& c : cols) k.push_back(c.IsNull(r) ? "NULL" : c.At(r).str + std::to_string(c.At(r).i64));
  return k;
}

bool AnyNull(const std::vector<Column>& cols, size_t r) {
  for (const auto& c : cols) {
    if (c.IsNull(r)) return true;
  }
  return false;
}

TEST(JoinTableTest, ProbesFindEveryBuildRowWithTheKeyInOrder) {
  std::mt19937_64 rng(20261129);
  for (int round = 0; round < 24; ++round) {
    const bool strings = round % 4 == 3;
    const size_t words = strings ? 1 : 1 + round % 3;
    const size_t n = 50 + rng() % 3000;
    std::vector<Column> build = RandomKeys(rng, words, strings, n);
    std::vector<Type> types(words, strings ? Type::String() : Type::Int());
    JoinTable table(types);
    std::multimap<std::vector<std::string>, uint32_t> expected;
    uint32_t row = 0;
    // Runs of random length: even rounds AddBatch (build rows numbered on), odd
    // rounds AddRowsAt (build row = the key's row: NULL rows leave gaps).
    std::vector<uint32_t> batch;
    uint32_t batch_first = 0;
    constexpr uint32_t kBase = 1000;
    auto flush = [&] {
      if (round % 2 == 0) {
        table.AddBatch(build, batch, batch_first);
        batch_first += static_cast<uint32_t>(batch.size());
      } else {
        table.AddRowsAt(build, batch, kBase);
      }
      batch.clear();
    };
    for (size_t r = 0; r < n; ++r) {
      if (rng() % 200 == 0) flush();
      if (AnyNull(build, r)) continue;
      batch.push_back(static_cast<uint32_t>(r));
      expected.emplace(KeyOf(build, r), round % 2 == 0 ? row++ : kBase + static_cast<uint32_t>(r));
    }
    flush();
    table.Finish();
    std::vector<Column> probe = RandomKeys(rng, words, strings, 500);
    std::vector<uint32_t> first, last;
    table.Probe(probe, 500, &first, &last);
    for (size_t r = 0; r < 500; ++r) {
      std::vector<uint32_t> want, got;
      if (!AnyNull(probe, r)) {
        auto [lo, hi] = expected.equal_range(KeyOf(probe, r));
        for (auto it = lo; it != hi; ++it) want.push_back(it->second);
      }
      if (first[r] != JoinTable::kEnd) {
        for (uint32_t b = first[r];; b = table.Next(b)) {
          got.push_back(b);
          if (b == last[r] || got.size() > n) break;
        }
      }
      ASSERT_EQ(got, want) << "round " << round << " row " << r;
    }
    std::set<std::vector<std::string>> distinct;
    for (const auto& [k, v] : expected) distinct.insert(k);
    EXPECT_EQ(table.keys(), distinct.size());
  }
}

// The inverse of HashMix64 (a bijection): the key with a chosen hash.
uint64_t UnmixTo(uint64_t h) {
  auto inverse = [](uint64_t c) {  // c odd: c * inverse == 1 mod 2^64 (Newton's iteration)
    uint64_t x = c;
    for (int i = 0; i < 6; ++i) x *= 2 - c * x;
    return x;
  };
  h ^= h >> 33;
  h *= inverse(0xC4CEB9FE1A85EC53ull);
  h ^= h >> 33;
  h *= inverse(0xFF51AFD7ED558CCDull);
  h ^= h >> 33;
  return h;
}

// Finds the build rows of every key in `keys` (one INT column of distinct values, row r = build row r).
void ExpectEachKeyFindsItsRow(const Column& keys, size_t n) {
  JoinTable table({Type::Int()});
  std::vector<uint32_t> rows(n);
  for (size_t r = 0; r < n; ++r) rows[r] = static_cast<uint32_t>(r);
  table.AddBatch({keys}, rows, 0);
  table.Finish();
  EXPECT_EQ(table.keys(), n);
  std::vector<uint32_t> first, last;
  table.Probe({keys}, n, &first, &last);
  for (size_t r = 0; r < n; ++r) {
    ASSERT_EQ(first[r], r) << r;
    ASSERT_EQ(last[r], r) << r;
  }
  Column absent(Type::Int());
  for (size_t r = 0; r < 64; ++r) absent.AppendI64(static_cast<int64_t>(UnmixTo((0x5A5A5Aull << 40) | r)));
  table.Probe({absent}, 64, &first, &last);
  for (size_t r = 0; r < 64; ++r) EXPECT_EQ(first[r], JoinTable::kEnd) << r;
}

TEST(JoinTableTest, AShortDistinctEstimateStillFindsEveryKey) {
  // 5000 distinct keys whose hashes differ only in their low 17 bits: the
  // linear count (over the bits above those) sees one key, so the table is
  // sized for one and must grow while it is built.
  Column keys(Type::Int());
  for (uint64_t i = 0; i < 5000; ++i) keys.AppendI64(static_cast<int64_t>(UnmixTo((0xABCDEFull << 40) | (i * 7))));
  ExpectEachKeyFindsItsRow(keys, 5000);
}

TEST(JoinTableTest, ManyDistinctKeys) {
  std::mt19937_64 rng(20261130);
  std::set<int64_t> seen;
  Column keys(Type::Int());
  while (keys.Size() < 300000) {
    const auto k = static_cast<int64_t>(rng());
    if (seen.insert(k).second) keys.AppendI64(k);
  }
  ExpectEachKeyFindsItsRow(keys, keys.Size());
}

}  // namespace
}  // namespace strata::query

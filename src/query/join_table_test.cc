// JoinTable (join_table.h) against a std::multimap: every probe key finds
// exactly the build rows with that key, in arrival order, for one to three
// integer keys (packed slots, through several rehashes) and for string keys
// (bytes), added one at a time or in batches; NULL keys find nothing.
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
    std::vector<uint32_t> batch;  // odd rounds: AddBatch over runs of random length
    uint32_t batch_first = 0;
    for (size_t r = 0; r < n; ++r) {
      if (AnyNull(build, r)) continue;
      if (round % 2 == 0) {
        table.Add(build, r, row);
      } else {
        batch.push_back(static_cast<uint32_t>(r));
        if (rng() % 200 == 0) table.AddBatch(build, batch, batch_first), batch_first += batch.size(), batch.clear();
      }
      expected.emplace(KeyOf(build, r), row++);
    }
    table.AddBatch(build, batch, batch_first);
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

}  // namespace
}  // namespace strata::query

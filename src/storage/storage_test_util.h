// Helpers shared by the storage unit tests: seeded random columns, the
// every-type schema, and an ObjectStore wrapper that counts GetRange calls.
// Thread-safety: test-only; single thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "objstore/mem/mem_object_store.h"
#include "storage/column_vector.h"

namespace strata::storage::testing {

// The seed of a randomized test: STRATA_TEST_SEED if set, else random; printed.
inline uint64_t TestSeed() {
  const char* env = std::getenv("STRATA_TEST_SEED");
  uint64_t seed = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::printf("[seed] STRATA_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

inline std::vector<ColumnSchema> AllTypesSchema(bool nullable = true) {
  auto col = [&](std::string n, DataType t, uint32_t p = 0, uint32_t s = 0) {
    return ColumnSchema{std::move(n), ColumnType{t, p, s, nullable}};
  };
  return {col("ti", DataType::kTinyInt),   col("si", DataType::kSmallInt), col("i", DataType::kInt),
          col("bi", DataType::kBigInt),    col("li", DataType::kLargeInt), col("f", DataType::kFloat),
          col("d", DataType::kDouble),     col("dec9", DataType::kDecimal, 9, 2),
          col("dec18", DataType::kDecimal, 18, 4), col("dec38", DataType::kDecimal, 38, 10),
          col("b", DataType::kBoolean),    col("c", DataType::kChar),      col("vc", DataType::kVarchar),
          col("s", DataType::kString),     col("dt", DataType::kDate),     col("dtm", DataType::kDateTime)};
}

inline int128 Int128Max() { return static_cast<int128>((~static_cast<unsigned __int128>(0)) >> 1); }
inline int128 Int128Min() { return -Int128Max() - 1; }
inline int128 Decimal38Max() {
  int128 v = 1;
  for (int i = 0; i < 38; ++i) v *= 10;
  return v - 1;
}

// A random value of `col`'s type appended to it (NULL with probability null_pct%).
inline void AppendRandom(ColumnVector* col, std::mt19937_64& rng, int null_pct) {
  if (col->type().nullable && static_cast<int>(rng() % 100) < null_pct) { col->AppendNull(); return; }
  int64_t lo = 0, hi = 0;
  switch (col->kind()) {
    case PhysicalKind::kInt64: {
      Int64Range(col->type(), &lo, &hi);
      uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
      uint64_t r = rng() % 4 == 0 ? rng() % 8 : rng();  // sometimes small, low-cardinality values
      uint64_t off = span == UINT64_MAX ? r : r % (span + 1);
      col->AppendInt(static_cast<int64_t>(static_cast<uint64_t>(lo) + off));
      break;
    }
    case PhysicalKind::kInt128: {
      int128 v = static_cast<int128>((static_cast<unsigned __int128>(rng()) << 64) | rng());
      if (col->type().type == DataType::kDecimal) v %= Decimal38Max();
      col->AppendWide(v);
      break;
    }
    case PhysicalKind::kDouble: {
      std::uniform_real_distribution<double> d(-1e6, 1e6);
      col->AppendDouble(d(rng));
      break;
    }
    case PhysicalKind::kBytes: {
      std::string s(rng() % 40, '\0');
      for (char& ch : s) ch = static_cast<char>(rng() % 4 == 0 ? rng() : 'a' + rng() % 3);
      col->AppendString(std::move(s));
      break;
    }
  }
}

// Counts GetRange (and Head) calls to an in-memory store.
class CountingObjectStore : public objstore::MemObjectStore {
 public:
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override {
    ++gets;
    return MemObjectStore::GetRange(key, offset, length);
  }
  Result<objstore::ObjectMeta> Head(std::string_view key) override {
    ++heads;
    return MemObjectStore::Head(key);
  }
  int gets = 0;
  int heads = 0;
};

}  // namespace strata::storage::testing

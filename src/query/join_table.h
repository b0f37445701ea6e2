// The hash table of a hash join's build side (hash_join.cc): build rows by
// key, each key's rows chained in arrival order.
//
// Layout: keys that are all integer-like (INT, DATE, DATETIME; up to
// kWordsMax of them) are packed into 64-bit words and stored in the slot
// together with the key's first and last row, so a lookup touches one slot
// (one cache line); other keys are looked up by their EncodeKey bytes. A
// key's further rows chain through Next(). Probe() looks up a whole batch,
// prefetching each slot a few rows ahead: on a table larger than the caches
// a lookup is a memory access, and overlapping them is what makes a probe
// over millions of rows fast.
//
// Thread-safety: Add needs exclusive access; Probe and Next may run on
// several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/flat_hash.h"
#include "query/types.h"

namespace strata::query {

class JoinTable {
 public:
  static constexpr uint32_t kEnd = UINT32_MAX;
  static constexpr size_t kWordsMax = 4;

  explicit JoinTable(const std::vector<Type>& key_types);

  // Adds build row `row` with the key at row `r` of `keys` (none NULL).
  void Add(const std::vector<Column>& keys, size_t r, uint32_t row);
  // Add for rows rows[i] of `keys` as build rows first_row + i, slots
  // prefetched ahead (the table grows once, up front).
  void AddBatch(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, uint32_t first_row);
  // For each row r < n of `keys`: the first and last build row with its key
  // in (*first)[r], (*last)[r]; kEnd for none and for a NULL key.
  void Probe(const std::vector<Column>& keys, size_t n, std::vector<uint32_t>* first,
             std::vector<uint32_t>* last) const;
  // The build row after `row` with the same key (call only before reaching the last).
  uint32_t Next(uint32_t row) const { return next_[row]; }
  size_t keys() const { return keys_; }
  // Bytes the table holds, roughly (memory accounting).
  uint64_t ApproxBytes() const;

 private:
  static constexpr size_t kInitialSlots = 64;
  // A slot: `words_` key words, then (first << 32 | last); first == kEnd: empty.
  size_t stride() const { return words_ + 1; }
  uint64_t HashWords(const uint64_t* key) const;
  void PackKey(const std::vector<Column>& keys, size_t r, uint64_t* out) const;
  void Chain(uint32_t* first, uint32_t* last, uint32_t row);
  void AddPacked(const uint64_t* key, size_t home, uint32_t row);
  void Rehash(size_t slots);

  size_t words_ = 0;  // 0: keys by bytes
  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  size_t keys_ = 0;
  // Keys by bytes: group -> first / last row.
  StringGroupMap strings_;
  std::vector<uint32_t> first_, last_;
  std::vector<uint32_t> next_;  // per build row
};

}  // namespace strata::query

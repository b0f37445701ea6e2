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
// Building: AddBatch only collects packed keys; Finish() sizes the table
// once for the number of distinct keys (estimated from the keys' hashes by
// linear counting over a bitmap) and inserts every row, so a large build
// does not grow by doubling and re-inserting. The table still grows if the
// estimate falls short. Byte keys go into their map as they come.
//
// Thread-safety: AddBatch and Finish need exclusive access; Probe and Next
// (after Finish) may run on several threads at once.
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

  // Adds rows rows[i] of `keys` (none NULL) as build rows first_row + i.
  // Build rows are numbered in arrival order from 0: a batch's first_row is
  // where the previous one ended.
  void AddBatch(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, uint32_t first_row);
  // Adds rows rows[i] of `keys` (none NULL; ascending) as build rows
  // base + rows[i]: build row numbers with gaps (the rows with a NULL key),
  // still increasing from one call to the next.
  void AddRowsAt(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, uint32_t base);
  // Builds the table from the rows added; call once, after the last
  // AddBatch / AddRowsAt and before Probe, Next or keys.
  void Finish();
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
  // Adds rows rows[i] of `keys` as build rows id(i).
  template <typename Id>
  void Add(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, Id id);
  template <size_t W>
  void BuildPacked();
  template <size_t W>
  void Insert(const uint64_t* key, uint64_t hash, uint32_t row);
  template <size_t W>
  void Rehash(size_t slots);
  template <size_t W>
  void ProbePacked(const std::vector<Column>& keys, size_t n, const uint8_t* null_key, uint32_t* first,
                   uint32_t* last) const;
  void Chain(uint32_t* first, uint32_t* last, uint32_t row);

  size_t words_ = 0;  // 0: keys by bytes
  size_t end_ = 0;    // one past the last build row added
  bool finished_ = false;
  std::vector<uint64_t> pending_;      // packed keys, words_ per row added, until Finish
  std::vector<uint32_t> pending_ids_;  // their build rows
  // A slot: `words_` key words, then (first << 32 | last); first == kEnd: empty.
  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  size_t keys_ = 0;
  // Keys by bytes: group -> first / last row.
  StringGroupMap strings_;
  std::vector<uint32_t> first_, last_;
  std::vector<uint32_t> next_;  // per build row
};

}  // namespace strata::query

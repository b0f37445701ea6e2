// The hash join's build table (join_table.h).
#include "query/join_table.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <type_traits>

#include "common/check.h"
#include "common/no_init_vector.h"
#include "query/expr.h"

namespace strata::query {
namespace {

constexpr uint64_t kEmptySlot = ~uint64_t{0};  // first == last == kEnd
constexpr size_t kPrefetchAhead = 8;           // rows between a slot's prefetch and its use

uint64_t Rows(uint32_t first, uint32_t last) { return uint64_t{first} << 32 | last; }
uint32_t FirstOf(uint64_t rows) { return static_cast<uint32_t>(rows >> 32); }
uint32_t LastOf(uint64_t rows) { return static_cast<uint32_t>(rows); }

template <size_t W>
uint64_t HashOf(const uint64_t* key) {
  if constexpr (W == 1) return HashMix64(key[0]);
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (size_t w = 0; w < W; ++w) h = HashMix64(h ^ key[w]);
  return h;
}

template <size_t W>
bool SameKey(const uint64_t* a, const uint64_t* b) {
  bool same = true;
  for (size_t w = 0; w < W; ++w) same &= a[w] == b[w];
  return same;
}

// Calls f(std::integral_constant<size_t, words>) for words in [1, kWordsMax].
template <typename F>
void WithWords(size_t words, F&& f) {
  switch (words) {
    case 1: return f(std::integral_constant<size_t, 1>{});
    case 2: return f(std::integral_constant<size_t, 2>{});
    case 3: return f(std::integral_constant<size_t, 3>{});
    case 4: return f(std::integral_constant<size_t, 4>{});
  }
  STRATA_CHECK(false, "join keys of " + std::to_string(words) + " words");
}

// Distinct values among hashes[0, n), estimated by linear counting: the
// share of a bitmap's bits (at least 2n of them) no hash set.
size_t EstimateDistinct(const std::vector<uint64_t>& hashes) {
  const size_t n = hashes.size();
  const size_t bits = std::bit_ceil(std::max<size_t>(2 * n, 64));
  std::vector<uint64_t> bitmap(bits / 64, 0);
  for (uint64_t h : hashes) {
    const uint64_t b = (h >> 17) & (bits - 1);  // bits apart from the slot index's low ones
    bitmap[b / 64] |= uint64_t{1} << (b % 64);
  }
  size_t set = 0;
  for (uint64_t word : bitmap) set += static_cast<size_t>(std::popcount(word));
  const size_t zeros = bits - set;
  if (zeros == 0) return n;
  const double estimate = static_cast<double>(bits) * std::log(static_cast<double>(bits) / static_cast<double>(zeros));
  return std::clamp<size_t>(static_cast<size_t>(estimate), 1, n);
}

}  // namespace

JoinTable::JoinTable(const std::vector<Type>& key_types) {
  const bool packed = !key_types.empty() && key_types.size() <= kWordsMax &&
                      std::all_of(key_types.begin(), key_types.end(), [](const Type& t) { return UsesI64(t); });
  words_ = packed ? key_types.size() : 0;
}

void JoinTable::Chain(uint32_t* first, uint32_t* last, uint32_t row) {
  if (*first == kEnd) {
    *first = row;
    ++keys_;
  } else {
    next_[*last] = row;
  }
  *last = row;
}

void JoinTable::AddBatch(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, uint32_t first_row) {
  Add(keys, rows, [&](size_t i) { return first_row + static_cast<uint32_t>(i); });
}

void JoinTable::AddRowsAt(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, uint32_t base) {
  Add(keys, rows, [&](size_t i) { return base + rows[i]; });
}

template <typename Id>
void JoinTable::Add(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, Id id) {
  STRATA_CHECK(!finished_, "JoinTable: rows added after Finish");
  const size_t n = rows.size();
  if (n == 0) return;
  STRATA_CHECK(id(0) >= end_, "JoinTable: build rows out of order");
  end_ = size_t{id(n - 1)} + 1;
  if (words_ > 0) {
    const size_t at = pending_ids_.size();
    pending_.resize((at + n) * words_);
    pending_ids_.resize(at + n);
    for (size_t i = 0; i < n; ++i) pending_ids_[at + i] = id(i);
    for (size_t w = 0; w < words_; ++w) {
      const Column& c = keys[w];
      uint64_t* out = &pending_[at * words_ + w];
      for (size_t i = 0; i < n; ++i) out[i * words_] = static_cast<uint64_t>(c.I64(rows[i]));
    }
    return;
  }
  if (next_.size() < end_) next_.resize(std::max(end_, next_.size() * 2), kEnd);
  std::string key;
  for (size_t i = 0; i < n; ++i) {
    key.clear();
    for (const auto& c : keys) EncodeKey(c, rows[i], &key);
    const uint32_t fresh = static_cast<uint32_t>(first_.size());
    const uint32_t g = strings_.FindOrAdd(key, [&] { return fresh; });
    if (g == fresh) first_.push_back(kEnd), last_.push_back(kEnd);
    Chain(&first_[g], &last_[g], id(i));
  }
}

void JoinTable::Finish() {
  STRATA_CHECK(!finished_, "JoinTable::Finish twice");
  finished_ = true;
  if (words_ > 0) WithWords(words_, [&](auto w) { BuildPacked<decltype(w)::value>(); });
}

template <size_t W>
void JoinTable::BuildPacked() {
  const size_t n = pending_ids_.size();
  std::vector<uint64_t> hashes(n);
  for (size_t i = 0; i < n; ++i) hashes[i] = HashOf<W>(&pending_[i * W]);
  // Room for the distinct keys (a quarter more, for the estimate's error) at most half full.
  const size_t expected = EstimateDistinct(hashes);
  Rehash<W>(std::bit_ceil(std::max<size_t>(kInitialSlots, expected * 5 / 2)));
  next_.assign(end_, kEnd);
  for (size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) __builtin_prefetch(&slots_[(hashes[i + kPrefetchAhead] & mask_) * (W + 1)]);
    Insert<W>(&pending_[i * W], hashes[i], pending_ids_[i]);
  }
  pending_ = {};
  pending_ids_ = {};
}

template <size_t W>
void JoinTable::Insert(const uint64_t* key, uint64_t hash, uint32_t row) {
  if ((keys_ + 1) * 2 > mask_ + 1) Rehash<W>((mask_ + 1) * 2);  // the estimate fell short
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {  // bounded: the table is never full
    uint64_t* slot = &slots_[i * (W + 1)];
    if (slot[W] == kEmptySlot) {
      std::copy(key, key + W, slot);
      slot[W] = Rows(row, row);
      ++keys_;
      return;
    }
    if (SameKey<W>(key, slot)) {
      next_[LastOf(slot[W])] = row;
      slot[W] = Rows(FirstOf(slot[W]), row);
      return;
    }
  }
}

template <size_t W>
void JoinTable::Rehash(size_t slots) {
  constexpr size_t s = W + 1;
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(slots * s, kEmptySlot);  // key words of an empty slot are never read
  mask_ = slots - 1;
  for (size_t o = 0; o < old.size(); o += s) {
    if (old[o + W] == kEmptySlot) continue;
    size_t i = HashOf<W>(&old[o]) & mask_;
    while (slots_[i * s + W] != kEmptySlot) i = (i + 1) & mask_;
    std::copy(&old[o], &old[o] + s, &slots_[i * s]);
  }
}

void JoinTable::Probe(const std::vector<Column>& keys, size_t n, std::vector<uint32_t>* first,
                      std::vector<uint32_t>* last) const {
  STRATA_CHECK(finished_, "JoinTable::Probe before Finish");
  // NULL keys never match: a row with one gets no lookup.
  std::vector<uint8_t> null_key(n, 0);
  for (const auto& c : keys) {
    if (c.is_constant()) {
      if (c.IsNull(0)) std::fill(null_key.begin(), null_key.end(), uint8_t{1});
      continue;
    }
    const uint8_t* nulls = c.nulls_data();
    for (size_t r = 0; r < n; ++r) null_key[r] |= nulls[r];
  }
  if (words_ > 0) {
    first->resize(n);  // every row is written below
    last->resize(n);
    if (keys_ == 0) {
      std::fill(first->begin(), first->end(), kEnd);
      std::fill(last->begin(), last->end(), kEnd);
      return;
    }
    WithWords(words_, [&](auto w) {
      ProbePacked<decltype(w)::value>(keys, n, null_key.data(), first->data(), last->data());
    });
    return;
  }
  first->assign(n, kEnd);
  last->assign(n, kEnd);
  std::string key;
  for (size_t r = 0; r < n; ++r) {
    if (null_key[r]) continue;
    key.clear();
    for (const auto& c : keys) EncodeKey(c, r, &key);
    const uint32_t g = strings_.Find(key);
    if (g != StringGroupMap::kNoGroup) (*first)[r] = first_[g], (*last)[r] = last_[g];
  }
}

template <size_t W>
void JoinTable::ProbePacked(const std::vector<Column>& keys, size_t n, const uint8_t* null_key, uint32_t* first,
                            uint32_t* last) const {
  constexpr size_t s = W + 1;
  NoInitVector<uint64_t> packed(n * W);
  for (size_t w = 0; w < W; ++w) {
    const Column& c = keys[w];
    if (c.is_constant()) {
      const auto v = static_cast<uint64_t>(c.I64(0));
      for (size_t r = 0; r < n; ++r) packed[r * W + w] = v;
    } else {
      const int64_t* values = c.i64_data();
      for (size_t r = 0; r < n; ++r) packed[r * W + w] = static_cast<uint64_t>(values[r]);
    }
  }
  NoInitVector<size_t> home(n);
  for (size_t r = 0; r < n; ++r) home[r] = HashOf<W>(&packed[r * W]) & mask_;
  for (size_t r = 0; r < n; ++r) {
    if (r + kPrefetchAhead < n) __builtin_prefetch(&slots_[home[r + kPrefetchAhead] * s]);
    uint64_t rows = kEmptySlot;  // first == last == kEnd: no partner (or a NULL key)
    if (!null_key[r]) {
      const uint64_t* key = &packed[r * W];
      for (size_t i = home[r];; i = (i + 1) & mask_) {  // bounded: the table is never full
        const uint64_t* slot = &slots_[i * s];
        if (slot[W] == kEmptySlot) break;
        if (SameKey<W>(key, slot)) {
          rows = slot[W];
          break;
        }
      }
    }
    first[r] = FirstOf(rows);
    last[r] = LastOf(rows);
  }
}

uint64_t JoinTable::ApproxBytes() const {
  return (pending_.size() + slots_.size()) * 8 + (pending_ids_.size() + next_.size()) * 4 +
         (first_.size() + last_.size()) * 4 +
         keys_ * (words_ == 0 ? 48 : 0);
}

}  // namespace strata::query

// The hash join's build table (join_table.h).
#include "query/join_table.h"

#include <algorithm>

#include "common/check.h"
#include "query/expr.h"

namespace strata::query {
namespace {

constexpr uint64_t kEmptySlot = ~uint64_t{0};  // first == last == kEnd
constexpr size_t kPrefetchAhead = 8;           // rows between a slot's prefetch and its lookup

uint64_t Rows(uint32_t first, uint32_t last) { return uint64_t{first} << 32 | last; }
uint32_t FirstOf(uint64_t rows) { return static_cast<uint32_t>(rows >> 32); }
uint32_t LastOf(uint64_t rows) { return static_cast<uint32_t>(rows); }

}  // namespace

JoinTable::JoinTable(const std::vector<Type>& key_types) {
  const bool packed = !key_types.empty() && key_types.size() <= kWordsMax &&
                      std::all_of(key_types.begin(), key_types.end(), [](const Type& t) { return UsesI64(t); });
  words_ = packed ? key_types.size() : 0;
  if (words_ > 0) Rehash(kInitialSlots);
}

uint64_t JoinTable::HashWords(const uint64_t* key) const {
  if (words_ == 1) return HashMix64(key[0]);
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (size_t w = 0; w < words_; ++w) h = HashMix64(h ^ key[w]);
  return h;
}

void JoinTable::PackKey(const std::vector<Column>& keys, size_t r, uint64_t* out) const {
  for (size_t w = 0; w < words_; ++w) out[w] = static_cast<uint64_t>(keys[w].I64(r));
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

void JoinTable::Add(const std::vector<Column>& keys, size_t r, uint32_t row) {
  if (next_.size() <= row) next_.resize(std::max<size_t>(row + 1, next_.size() * 2), kEnd);
  if (words_ == 0) {
    std::string key;
    for (const auto& c : keys) EncodeKey(c, r, &key);
    const uint32_t fresh = static_cast<uint32_t>(first_.size());
    const uint32_t g = strings_.FindOrAdd(key, [&] { return fresh; });
    if (g == fresh) first_.push_back(kEnd), last_.push_back(kEnd);
    Chain(&first_[g], &last_[g], row);
    return;
  }
  uint64_t key[kWordsMax];
  PackKey(keys, r, key);
  AddPacked(key, HashWords(key) & mask_, row);
  if (keys_ * 2 > slots_.size() / stride()) Rehash(slots_.size() / stride() * 2);
}

void JoinTable::AddBatch(const std::vector<Column>& keys, const std::vector<uint32_t>& rows, uint32_t first_row) {
  const size_t n = rows.size();
  if (n == 0) return;
  if (words_ == 0) {
    for (size_t i = 0; i < n; ++i) Add(keys, rows[i], first_row + static_cast<uint32_t>(i));
    return;
  }
  if (next_.size() < first_row + n) next_.resize(std::max<size_t>(first_row + n, next_.size() * 2), kEnd);
  size_t slots = slots_.size() / stride();
  while ((keys_ + n) * 2 > slots) slots *= 2;  // room for every key being new: no rehash below
  if (slots != slots_.size() / stride()) Rehash(slots);
  std::vector<uint64_t> packed(n * words_);
  std::vector<size_t> home(n);
  for (size_t i = 0; i < n; ++i) {
    PackKey(keys, rows[i], &packed[i * words_]);
    home[i] = HashWords(&packed[i * words_]) & mask_;
  }
  for (size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) __builtin_prefetch(&slots_[home[i + kPrefetchAhead] * stride()]);
    AddPacked(&packed[i * words_], home[i], first_row + static_cast<uint32_t>(i));
  }
}

void JoinTable::AddPacked(const uint64_t* key, size_t home, uint32_t row) {
  const size_t s = stride();
  size_t i = home;
  while (true) {  // bounded: the table is never full
    uint64_t* slot = &slots_[i * s];
    if (slot[words_] == kEmptySlot) {
      std::copy(key, key + words_, slot);
      break;
    }
    if (std::equal(key, key + words_, slot)) break;
    i = (i + 1) & mask_;
  }
  uint64_t* slot = &slots_[i * s];
  uint32_t first = FirstOf(slot[words_]), last = LastOf(slot[words_]);
  Chain(&first, &last, row);
  slot[words_] = Rows(first, last);
}

void JoinTable::Probe(const std::vector<Column>& keys, size_t n, std::vector<uint32_t>* first,
                      std::vector<uint32_t>* last) const {
  first->assign(n, kEnd);
  last->assign(n, kEnd);
  std::vector<uint8_t> null_key(n, 0);
  for (const auto& c : keys) {
    for (size_t r = 0; r < n; ++r) null_key[r] |= c.IsNull(r);
  }
  if (words_ == 0) {
    std::string key;
    for (size_t r = 0; r < n; ++r) {
      if (null_key[r]) continue;
      key.clear();
      for (const auto& c : keys) EncodeKey(c, r, &key);
      const uint32_t g = strings_.Find(key);
      if (g != StringGroupMap::kNoGroup) (*first)[r] = first_[g], (*last)[r] = last_[g];
    }
    return;
  }
  const size_t s = stride();
  std::vector<uint64_t> packed(n * words_);
  std::vector<size_t> home(n);
  for (size_t r = 0; r < n; ++r) {
    PackKey(keys, r, &packed[r * words_]);
    home[r] = HashWords(&packed[r * words_]) & mask_;
  }
  for (size_t r = 0; r < n; ++r) {
    if (r + kPrefetchAhead < n) __builtin_prefetch(&slots_[home[r + kPrefetchAhead] * s]);
    if (null_key[r]) continue;
    const uint64_t* key = &packed[r * words_];
    for (size_t i = home[r];; i = (i + 1) & mask_) {  // bounded: the table is never full
      const uint64_t* slot = &slots_[i * s];
      if (slot[words_] == kEmptySlot) break;
      if (std::equal(key, key + words_, slot)) {
        (*first)[r] = FirstOf(slot[words_]);
        (*last)[r] = LastOf(slot[words_]);
        break;
      }
    }
  }
}

void JoinTable::Rehash(size_t slots) {
  const size_t s = stride();
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(slots * s, 0);
  for (size_t i = 0; i < slots; ++i) slots_[i * s + words_] = kEmptySlot;
  mask_ = slots - 1;
  for (size_t o = 0; o < old.size(); o += s) {
    if (old[o + words_] == kEmptySlot) continue;
    size_t i = HashWords(&old[o]) & mask_;
    while (slots_[i * s + words_] != kEmptySlot) i = (i + 1) & mask_;
    std::copy(&old[o], &old[o] + s, &slots_[i * s]);
  }
}

uint64_t JoinTable::ApproxBytes() const {
  return slots_.size() * 8 + next_.size() * 4 + (first_.size() + last_.size()) * 4 + keys_ * (words_ == 0 ? 48 : 0);
}

}  // namespace strata::query

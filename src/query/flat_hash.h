// Open-addressing hash tables for the aggregation and join hot paths (aggregate.cc, hash_join.cc):
// sets and group maps over fixed-width keys, with no allocation per entry.
// All use linear probing in a power-of-two table kept at most half full, so
// a probe always ends at an empty slot.
//
// Thread-safety: none (each aggregate owns its tables).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace strata::query {

// A 64-bit finalizer (xor-shift-multiply): every input bit reaches the low
// bits the table masks with, so keys that differ only in high bits spread.
inline uint64_t HashMix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return x;
}
inline uint64_t HashKey(int64_t x) { return HashMix64(static_cast<uint64_t>(x)); }
inline uint64_t HashKey(__int128 x) {
  const auto u = static_cast<unsigned __int128>(x);
  return HashMix64(static_cast<uint64_t>(u) ^ HashMix64(static_cast<uint64_t>(u >> 64)));
}

// A set of K (int64_t or __int128).
template <typename K>
class FlatSet {
 public:
  FlatSet() { Rehash(kInitialSlots); }
  // True if `key` was not in the set before (it is now).
  bool Insert(K key) {
    size_t i = HashKey(key) & mask_;
    while (used_[i]) {  // bounded: the table is never full
      if (keys_[i] == key) return false;
      i = (i + 1) & mask_;
    }
    used_[i] = 1;
    keys_[i] = key;
    if (++size_ * 2 > keys_.size()) Rehash(keys_.size() * 2);
    return true;
  }
  size_t size() const { return size_; }
  // Table bytes per entry, amortized (for memory accounting).
  static constexpr size_t kBytesPerEntry = 2 * (sizeof(K) + 1);

 private:
  static constexpr size_t kInitialSlots = 16;
  void Rehash(size_t slots) {
    std::vector<K> keys = std::move(keys_);
    std::vector<uint8_t> used = std::move(used_);
    keys_.assign(slots, K{});
    used_.assign(slots, 0);
    mask_ = slots - 1;
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) continue;
      size_t j = HashKey(keys[i]) & mask_;
      while (used_[j]) j = (j + 1) & mask_;
      used_[j] = 1;
      keys_[j] = keys[i];
    }
  }
  std::vector<K> keys_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Group ids keyed by one int64 (an integer or date GROUP BY key).
class IntGroupMap {
 public:
  IntGroupMap() { Rehash(kInitialSlots); }
  // The group of `key`, made by `make()` the first time the key is seen.
  template <typename Make>
  uint32_t FindOrAdd(int64_t key, Make make) {
    size_t i = HashKey(key) & mask_;
    while (used_[i]) {  // bounded: the table is never full
      if (keys_[i] == key) return groups_[i];
      i = (i + 1) & mask_;
    }
    const uint32_t g = make();
    used_[i] = 1;
    keys_[i] = key;
    groups_[i] = g;
    if (++size_ * 2 > keys_.size()) Rehash(keys_.size() * 2);
    return g;
  }

 private:
  static constexpr size_t kInitialSlots = 64;
  void Rehash(size_t slots) {
    std::vector<int64_t> keys = std::move(keys_);
    std::vector<uint32_t> groups = std::move(groups_);
    std::vector<uint8_t> used = std::move(used_);
    keys_.assign(slots, 0);
    groups_.assign(slots, 0);
    used_.assign(slots, 0);
    mask_ = slots - 1;
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) continue;
      size_t j = HashKey(keys[i]) & mask_;
      while (used_[j]) j = (j + 1) & mask_;
      used_[j] = 1;
      keys_[j] = keys[i];
      groups_[j] = groups[i];
    }
  }
  std::vector<int64_t> keys_;
  std::vector<uint32_t> groups_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Group ids keyed by `words` 64-bit words (several fixed-width GROUP BY keys
// packed side by side; aggregate.cc decides the layout).
class PackedGroupMap {
 public:
  static constexpr size_t kWordsMax = 8;
  explicit PackedGroupMap(size_t words) : words_(words) { Rehash(kInitialSlots); }
  size_t words() const { return words_; }
  // The group of the key in key[0..words), made by `make()` the first time.
  template <typename Make>
  uint32_t FindOrAdd(const uint64_t* key, Make make) {
    size_t i = Hash(key) & mask_;
    while (used_[i]) {  // bounded: the table is never full
      if (SameKey(&keys_[i * words_], key)) return groups_[i];
      i = (i + 1) & mask_;
    }
    const uint32_t g = make();
    used_[i] = 1;
    std::memcpy(&keys_[i * words_], key, words_ * 8);
    groups_[i] = g;
    if (++size_ * 2 > used_.size()) Rehash(used_.size() * 2);
    return g;
  }

 private:
  static constexpr size_t kInitialSlots = 64;
  // Inline word compares: keys are a few words, shorter than a memcmp call.
  bool SameKey(const uint64_t* a, const uint64_t* b) const {
    uint64_t diff = 0;
    for (size_t w = 0; w < words_; ++w) diff |= a[w] ^ b[w];
    return diff == 0;
  }
  // Each word times its own odd constant, summed, then mixed once: the
  // products are independent (not one multiply chain through every word),
  // and keys differing in one word differ in the sum (odd multipliers are
  // invertible modulo 2^64).
  uint64_t Hash(const uint64_t* key) const {
    static constexpr uint64_t kMul[kWordsMax] = {0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull,
                                                0xD6E8FEB86659FD93ull, 0xFF51AFD7ED558CCDull, 0xC4CEB9FE1A85EC53ull,
                                                0x94D049BB133111EBull, 0xBF58476D1CE4E5B9ull};
    uint64_t h = 0;
    for (size_t w = 0; w < words_; ++w) h += key[w] * kMul[w];
    return HashMix64(h);
  }
  void Rehash(size_t slots) {
    std::vector<uint64_t> keys = std::move(keys_);
    std::vector<uint32_t> groups = std::move(groups_);
    std::vector<uint8_t> used = std::move(used_);
    keys_.assign(slots * words_, 0);
    groups_.assign(slots, 0);
    used_.assign(slots, 0);
    mask_ = slots - 1;
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) continue;
      size_t j = Hash(&keys[i * words_]) & mask_;
      while (used_[j]) j = (j + 1) & mask_;
      used_[j] = 1;
      std::memcpy(&keys_[j * words_], &keys[i * words_], words_ * 8);
      groups_[j] = groups[i];
    }
  }
  size_t words_;
  std::vector<uint64_t> keys_;  // slot i at [i * words_, (i + 1) * words_)
  std::vector<uint32_t> groups_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// A hash of a byte string, eight bytes at a time (GROUP BY keys are short).
inline uint64_t HashBytes(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = HashMix64(h ^ w);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return HashMix64(h ^ tail);
}

// Group ids keyed by one string; each slot keeps the key's hash, so a probe
// compares bytes only on a full hash match.
class StringGroupMap {
 public:
  StringGroupMap() { Rehash(kInitialSlots); }
  // The group of `key`, made by `make()` the first time the key is seen.
  template <typename Make>
  uint32_t FindOrAdd(std::string_view key, Make make) {
    const uint64_t h = HashBytes(key);
    size_t i = h & mask_;
    while (slots_[i].entry != kEmpty) {  // bounded: the table is never full
      const Slot& s = slots_[i];
      if (s.hash == h && Equal(keys_[s.entry], key)) return s.group;
      i = (i + 1) & mask_;
    }
    const uint32_t g = make();
    slots_[i] = Slot{.hash = h, .entry = static_cast<uint32_t>(keys_.size()), .group = g};
    keys_.emplace_back(key);
    if (keys_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
    return g;
  }
  // The group of `key`, or kNoGroup if it was never added.
  uint32_t Find(std::string_view key) const {
    const uint64_t h = HashBytes(key);
    size_t i = h & mask_;
    while (slots_[i].entry != kEmpty) {
      const Slot& s = slots_[i];
      if (s.hash == h && Equal(keys_[s.entry], key)) return s.group;
      i = (i + 1) & mask_;
    }
    return kNoGroup;
  }
  static constexpr uint32_t kNoGroup = UINT32_MAX;

 private:
  static constexpr size_t kInitialSlots = 64;
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = kEmpty;  // index into keys_
    uint32_t group = 0;
  };
  static bool Equal(const std::string& a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < b.size(); ++i) {  // short keys: no call to memcmp
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  void Rehash(size_t slots) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(slots, Slot{});
    mask_ = slots - 1;
    for (const Slot& s : old) {
      if (s.entry == kEmpty) continue;
      size_t j = s.hash & mask_;
      while (slots_[j].entry != kEmpty) j = (j + 1) & mask_;
      slots_[j] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<std::string> keys_;
  size_t mask_ = 0;
};

}  // namespace strata::query

// ByteLru: a map from string keys to values, each charged a number of bytes,
// that drops its least recently used entries once their bytes pass a
// capacity. The footer cache (footer_cache.h) and the chunk cache
// (chunk_cache.h) are one each, under their own mutex.
//
// Thread-safety: none; callers serialize.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace strata::storage {

template <typename V>
class ByteLru {
 public:
  uint64_t capacity() const { return capacity_; }
  uint64_t bytes() const { return bytes_; }
  // Sets the capacity and evicts down to it; returns the bytes evicted.
  uint64_t SetCapacity(uint64_t capacity) {
    capacity_ = capacity;
    return Evict();
  }
  // The value of `key` (now the most recently used), or null.
  const V* Find(const std::string& key) {
    auto it = slots_.find(key);
    if (it == slots_.end()) return nullptr;
    recency_.splice(recency_.begin(), recency_, it->second.place);
    return &it->second.value;
  }
  bool Contains(const std::string& key) const { return slots_.count(key) != 0; }
  // Adds or replaces `key`'s value, charged `bytes`, then evicts down to the
  // capacity (which may evict it); returns the bytes evicted (a replaced
  // value's bytes not included).
  uint64_t Put(std::string key, V value, uint64_t bytes) {
    if (auto it = slots_.find(key); it != slots_.end()) {
      bytes_ -= it->second.bytes;
      recency_.erase(it->second.place);
      slots_.erase(it);
    }
    recency_.push_front(key);
    bytes_ += bytes;
    slots_.emplace(std::move(key), Slot{std::move(value), bytes, recency_.begin()});
    return Evict();
  }

 private:
  struct Slot {
    V value;
    uint64_t bytes = 0;
    std::list<std::string>::iterator place;
  };
  uint64_t Evict() {
    uint64_t evicted = 0;
    while (bytes_ > capacity_ && !recency_.empty()) {  // bounded by the entries
      auto it = slots_.find(recency_.back());
      bytes_ -= it->second.bytes;
      evicted += it->second.bytes;
      slots_.erase(it);
      recency_.pop_back();
    }
    return evicted;
  }
  uint64_t capacity_ = 0;
  uint64_t bytes_ = 0;
  std::list<std::string> recency_;  // most recent first
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace strata::storage

// The footer cache (footer_cache.h): a map from "size:name" to an entry and
// its place in a recency list, under one mutex (a lookup per data file per
// scan: far from contended).
#include "storage/footer_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>

namespace strata::storage {
namespace {

struct FooterCache {
  std::mutex mu;
  uint64_t capacity = 0;
  uint64_t bytes = 0;
  std::list<std::string> recency;  // most recent first
  struct Slot {
    std::shared_ptr<const FileFooter> footer;
    uint64_t bytes = 0;
    std::list<std::string>::iterator place;
  };
  std::unordered_map<std::string, Slot> slots;

  void EvictLocked() {
    while (bytes > capacity && !recency.empty()) {  // bounded by the entries
      auto it = slots.find(recency.back());
      bytes -= it->second.bytes;
      slots.erase(it);
      recency.pop_back();
    }
  }
};

FooterCache& Cache() {
  static FooterCache* cache = new FooterCache();  // leaked: used until exit
  return *cache;
}

std::string CacheKey(std::string_view key, uint64_t size_bytes) {
  return std::to_string(size_bytes) + ":" + std::string(key);
}

}  // namespace

void EnableFooterCache(uint64_t capacity_bytes) {
  FooterCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.capacity = capacity_bytes;
  c.EvictLocked();
}

std::shared_ptr<const FileFooter> FindFooter(std::string_view key, uint64_t size_bytes) {
  FooterCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.capacity == 0) return nullptr;
  auto it = c.slots.find(CacheKey(key, size_bytes));
  if (it == c.slots.end()) return nullptr;
  c.recency.splice(c.recency.begin(), c.recency, it->second.place);
  return it->second.footer;
}

void AddFooter(std::string_view key, uint64_t size_bytes, std::shared_ptr<const FileFooter> footer,
               uint64_t approx_bytes) {
  FooterCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (footer == nullptr || approx_bytes > c.capacity) return;
  std::string k = CacheKey(key, size_bytes);
  if (auto it = c.slots.find(k); it != c.slots.end()) {
    c.bytes -= it->second.bytes;
    c.recency.erase(it->second.place);
    c.slots.erase(it);
  }
  c.recency.push_front(k);
  c.bytes += approx_bytes;
  c.slots.emplace(std::move(k), FooterCache::Slot{std::move(footer), approx_bytes, c.recency.begin()});
  c.EvictLocked();
}

}  // namespace strata::storage

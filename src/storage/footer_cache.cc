// The footer cache (footer_cache.h): a ByteLru from "size:name" to a footer,
// under one mutex (a lookup per data file per scan: far from contended).
#include "storage/footer_cache.h"

#include <mutex>

#include "storage/byte_lru.h"

namespace strata::storage {
namespace {

struct FooterCache {
  std::mutex mu;
  ByteLru<std::shared_ptr<const FileFooter>> lru;
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
  c.lru.SetCapacity(capacity_bytes);
}

std::shared_ptr<const FileFooter> FindFooter(std::string_view key, uint64_t size_bytes) {
  FooterCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.lru.capacity() == 0) return nullptr;
  const auto* found = c.lru.Find(CacheKey(key, size_bytes));
  return found == nullptr ? nullptr : *found;
}

void AddFooter(std::string_view key, uint64_t size_bytes, std::shared_ptr<const FileFooter> footer,
               uint64_t approx_bytes) {
  FooterCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (footer == nullptr || approx_bytes > c.lru.capacity()) return;
  c.lru.Put(CacheKey(key, size_bytes), std::move(footer), approx_bytes);
}

}  // namespace strata::storage

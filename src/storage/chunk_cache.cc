// The chunk cache (chunk_cache.h): a ByteLru from "size:offset:length:name"
// to a chunk, under one mutex (a lookup per column chunk a scan reads, ~100 KB
// each at SF 1: far from contended).
#include "storage/chunk_cache.h"

#include <mutex>

#include <fmt/format.h>

#include "common/metrics.h"
#include "storage/byte_lru.h"

namespace strata::storage {
namespace {

struct ChunkCache {
  std::mutex mu;
  ByteLru<std::shared_ptr<const std::string>> lru;
  Counter& hits = MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_hits_total");
  Counter& misses = MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_misses_total");
  Counter& evicted_bytes = MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_evicted_bytes_total");
  Gauge& held_bytes = MetricsRegistry::Global().GetGauge("strata_storage_chunk_cache_bytes");

  // After a change: the metrics follow.
  void Evicted(uint64_t bytes) {
    evicted_bytes.Add(bytes);
    held_bytes.Set(static_cast<int64_t>(lru.bytes()));
  }
};

ChunkCache& Cache() {
  static ChunkCache* cache = new ChunkCache();  // leaked: used until exit
  return *cache;
}

std::string CacheKey(std::string_view key, uint64_t size_bytes, uint64_t offset, uint64_t length) {
  return fmt::format("{}:{}:{}:{}", size_bytes, offset, length, key);
}

}  // namespace

void EnableChunkCache(uint64_t capacity_bytes) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.Evicted(c.lru.SetCapacity(capacity_bytes));
}

bool ChunkCacheOn() {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.lru.capacity() > 0;
}

std::shared_ptr<const std::string> FindChunk(std::string_view key, uint64_t size_bytes, uint64_t offset,
                                             uint64_t length) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.lru.capacity() == 0) return nullptr;
  const auto* found = c.lru.Find(CacheKey(key, size_bytes, offset, length));
  (found == nullptr ? c.misses : c.hits).Add();
  return found == nullptr ? nullptr : *found;
}

void AddChunk(std::string_view key, uint64_t size_bytes, uint64_t offset, std::shared_ptr<const std::string> bytes) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (bytes == nullptr || bytes->size() > c.lru.capacity() / 8) return;
  std::string k = CacheKey(key, size_bytes, offset, bytes->size());
  if (c.lru.Contains(k)) return;  // another scan added it first: the same bytes
  const uint64_t size = bytes->size();
  c.Evicted(c.lru.Put(std::move(k), std::move(bytes), size));
}

}  // namespace strata::storage

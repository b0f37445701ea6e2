// The chunk cache (chunk_cache.h): a map from "size:offset:length:name" to a
// chunk and its place in a recency list, under one mutex (a lookup per column
// chunk a scan reads, ~100 KB each at SF 1: far from contended).
#include "storage/chunk_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "common/metrics.h"

namespace strata::storage {
namespace {

struct ChunkCache {
  std::mutex mu;
  uint64_t capacity = 0;
  uint64_t bytes = 0;
  std::list<std::string> recency;  // most recent first
  struct Slot {
    std::shared_ptr<const std::string> chunk;
    std::list<std::string>::iterator place;
  };
  std::unordered_map<std::string, Slot> slots;

  Counter& hits = MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_hits_total");
  Counter& misses = MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_misses_total");
  Counter& evicted_bytes = MetricsRegistry::Global().GetCounter("strata_storage_chunk_cache_evicted_bytes_total");
  Gauge& held_bytes = MetricsRegistry::Global().GetGauge("strata_storage_chunk_cache_bytes");

  void EvictLocked() {
    while (bytes > capacity && !recency.empty()) {  // bounded by the entries
      auto it = slots.find(recency.back());
      bytes -= it->second.chunk->size();
      evicted_bytes.Add(it->second.chunk->size());
      slots.erase(it);
      recency.pop_back();
    }
    held_bytes.Set(static_cast<int64_t>(bytes));
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
  c.capacity = capacity_bytes;
  c.EvictLocked();
}

bool ChunkCacheOn() {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.capacity > 0;
}

std::shared_ptr<const std::string> FindChunk(std::string_view key, uint64_t size_bytes, uint64_t offset,
                                             uint64_t length) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.capacity == 0) return nullptr;
  auto it = c.slots.find(CacheKey(key, size_bytes, offset, length));
  if (it == c.slots.end()) {
    c.misses.Add();
    return nullptr;
  }
  c.hits.Add();
  c.recency.splice(c.recency.begin(), c.recency, it->second.place);
  return it->second.chunk;
}

void AddChunk(std::string_view key, uint64_t size_bytes, uint64_t offset, std::shared_ptr<const std::string> bytes) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (bytes == nullptr || bytes->size() > c.capacity / 8) return;
  std::string k = CacheKey(key, size_bytes, offset, bytes->size());
  if (c.slots.count(k) != 0) return;  // another scan added it first: the same bytes
  c.recency.push_front(k);
  c.bytes += bytes->size();
  c.slots.emplace(std::move(k), ChunkCache::Slot{std::move(bytes), c.recency.begin()});
  c.EvictLocked();
}

}  // namespace strata::storage

// A process-wide cache in memory of data files' column chunks, kept between
// scans so that a warm scan reads no bytes from the store (no read call, no
// copy) and does not compute its pages' CRCs again: an entry holds a chunk
// whose every page passed its CRC-32C check (DataFileReader::
// VerifyChunkChecksums) when it was read from the store, and its bytes are
// never written after (shared, const). Keyed by object name, object size,
// chunk offset and length; object names are immutable (DESIGN §3.1: a name
// is never written twice with different content), so an entry never goes
// stale.
//
// What it changes for a damaged or missing data file: a chunk served from
// here is not read from the store again, so damage to the stored object (or
// its removal) is found when the chunk is next read from the store — after
// it left this cache (least recently used first out, or a restart). The CN's
// disk cache (docs/formats/cn-cache.md) already behaves so for the extents
// it holds.
//
// A tablet scan (tablet_io.h) looks every chunk up here and adds those it
// reads from the store, unless its TabletScanOptions::keep_in_memory is false
// (compaction: its inputs are about to be replaced).
//
// Off (capacity 0) until EnableChunkCache: the servers turn it on
// (`chunk_cache_memory_bytes` in fe.conf / cn.conf); unit tests, which reuse
// object names with other bytes, do not. The capacity counts the chunks'
// bytes; a chunk larger than an eighth of it is not kept.
//
// Metrics (MetricsRegistry::Global()):
//   strata_storage_chunk_cache_hits_total / _misses_total   chunk lookups while the cache is on
//   strata_storage_chunk_cache_evicted_bytes_total          bytes of chunks evicted to stay in the capacity
//   strata_storage_chunk_cache_bytes (gauge)                bytes of the chunks held now
//
// Thread-safety: all functions are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace strata::storage {

// Sets the cache's capacity in bytes (0 turns it off and empties it).
void EnableChunkCache(uint64_t capacity_bytes);
// Whether the capacity is above 0 (a scan verifies and copies the chunks it
// reads for the cache only then).
bool ChunkCacheOn();
// The default of the servers' `chunk_cache_memory_bytes`.
inline constexpr uint64_t kChunkCacheBytesDefault = 512ull << 20;

// Bytes [offset, offset + length) of object `key` of `size_bytes` bytes, as
// a verified chunk added by AddChunk, or null.
std::shared_ptr<const std::string> FindChunk(std::string_view key, uint64_t size_bytes, uint64_t offset,
                                             uint64_t length);
// Adds the chunk at `offset` of the object; `bytes` must have passed
// DataFileReader::VerifyChunkChecksums. Does nothing while the cache is off,
// when the chunk is already there, or when it is larger than an eighth of the
// capacity.
void AddChunk(std::string_view key, uint64_t size_bytes, uint64_t offset, std::shared_ptr<const std::string> bytes);

}  // namespace strata::storage

// CachingObjectStore: the compute node's local disk cache of immutable objects
// (DESIGN §1: "a local disk cache of immutable objects only"; tracker issue 5).
//
// It wraps the volume's ObjectStore. Ranged reads of cacheable keys are served
// from cache files under `dir`, each holding one *extent*: a run of whole
// aligned blocks of `block_bytes` of one object, exactly the bytes one ranged
// GET to the backing store fetched (a read's missing blocks next to each other
// are one GET and one file, at most kFetchRunBytesMax). Extents of a key never
// overlap; a read spanning several extents is served from each in turn. Head
// results are remembered in memory. Writes, List and DeleteBatch go to the
// backing store; DeleteBatch also drops the keys' cached extents (best effort).
// Why extents rather than one file per block: a scan reads its data in GETs of
// several MiB; one file per GET costs one file creation, rename, open and
// header check where per-block files cost one per MiB.
//
// Why there is no invalidation: object names are never written twice with
// different content (DESIGN §3 invariant 1), so a cached extent of a key is
// valid for as long as the key exists. A caller that breaks that invariant (a
// Put over an existing cacheable key with different bytes) may read the old
// bytes; keep such keys out with `cacheable`.
//
// Bounded: the files (headers included) never exceed `capacity_bytes` and
// `files_max`; the least recently used extent goes first, and an extent larger
// than the capacity is not cached. Survives restarts: Open rebuilds the index
// from the file names (recency from file mtimes, which a hit refreshes at most
// every `touch_interval_ms`) and removes temp files a crash left. Never wrong:
// a file is written under tmp/ and renamed into place whole; every file carries
// its key, first block, block count and CRC-32C checksums; a file that fails
// any check (torn, truncated, bit rot, a hash collision, another block size)
// is a miss, is deleted, and the bytes are read from the backing store. A
// failure of the cache's own disk is never an error of a read: the backing
// store is the truth. Format and policy: docs/formats/cn-cache.md.
//
// Metrics (in options.registry, counters only — metrics.h has no gauge):
//   strata_cn_cache_hits_total / strata_cn_cache_misses_total   blocks served from / not found in the cache
//   strata_cn_cache_head_hits_total / strata_cn_cache_head_misses_total
//   strata_cn_cache_evictions_total        cache files evicted to stay within the bounds
//   strata_cn_cache_damaged_total          cache files that failed verification (deleted)
//   strata_cn_cache_fill_errors_total      cache files that could not be written (disk full, ...)
//   strata_cn_cache_admitted_bytes_total / strata_cn_cache_dropped_bytes_total
//       bytes of files added to the cache (including those Open finds) / removed from it
//       (including those a closing cache leaves for the next Open): the current size in
//       bytes of the open caches is admitted - dropped.
//
// Thread-safety: every method may be called from many threads at once. Disk
// reads and writes of cache files run outside the index lock; the lock covers
// the index and the rename/unlink that keep it equal to the directory. One
// directory belongs to one open cache (an flock on dir/LOCK).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/metrics.h"
#include "objstore/object_store.h"

namespace strata::objstore {

// Which keys the cache keeps (GetRange and Head of other keys pass through).
// An empty function means every key. Called from many threads at once.
using CacheablePredicate = std::function<bool(std::string_view key)>;

// A predicate accepting the keys that start with one of `prefixes`.
CacheablePredicate CacheKeyPrefixes(std::vector<std::string> prefixes);

inline constexpr uint64_t kCacheBlockBytesMin = 4096;
inline constexpr uint64_t kCacheBlockBytesMax = 64ull << 20;
inline constexpr size_t kCacheFilesMaxLimit = size_t{1} << 24;
// One backing GET, and so one cache file, holds at most this many bytes.
inline constexpr uint64_t kCacheFetchRunBytesMax = 64ull << 20;

struct CachingObjectStoreOptions {
  // The cache's own directory; created if missing (its parent must exist).
  // Everything the cache writes lives under it: LOCK, tmp/, 00/ .. ff/ (made on first use).
  std::string dir;
  // The most bytes of cache files (headers included) kept on disk; > 0.
  uint64_t capacity_bytes = 0;
  // Objects are cached in runs of aligned blocks of this many bytes
  // [kCacheBlockBytesMin, kCacheBlockBytesMax]: the unit a read rounds out to
  // (a scan's reads are planned on the same boundaries, range_prefetch.h).
  // Small, since the file count follows the GETs, not the blocks: larger
  // blocks only fetch bytes nobody asked for. Reopening a directory with
  // another size makes its old files misses (deleted when read or evicted).
  uint64_t block_bytes = 4096;
  // Which keys are cached; default every key.
  CacheablePredicate cacheable;
  // The most cache files kept (bounds the in-memory index, ~150 bytes each);
  // 1..kCacheFilesMaxLimit.
  size_t files_max = size_t{1} << 18;
  // Head results remembered in memory (LRU); 0 passes Head through.
  size_t head_entries_max = size_t{1} << 16;
  // A hit refreshes its file's mtime at most this often, so that the recency
  // order survives a restart without a write per hit. 0: on every hit.
  int64_t touch_interval_ms = 60'000;
  MetricsRegistry* registry = &MetricsRegistry::Global();
};

class CachingObjectStore : public ObjectStore {
 public:
  // Opens (creating if needed) the cache directory, takes its lock, removes
  // crash debris and rebuilds the index, evicting down to the bounds.
  // InvalidArgument for bad options; FailedPrecondition when the directory's
  // parent is missing or another open cache holds the directory; other codes
  // from the file system.
  static Result<std::unique_ptr<CachingObjectStore>> Open(CachingObjectStoreOptions options,
                                                          std::shared_ptr<ObjectStore> backing);
  ~CachingObjectStore() override;
  CachingObjectStore(const CachingObjectStore&) = delete;
  CachingObjectStore& operator=(const CachingObjectStore&) = delete;

  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  // Same results as the backing store's GetRange (codes included); only the
  // backing store's errors are returned, never the cache disk's.
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  // Deletes in the backing store, then drops the keys' cached blocks and Head
  // results whatever the outcome (best effort).
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return backing_->BackendName(); }

  struct Stats {
    uint64_t cached_bytes = 0;  // bytes of the indexed cache files
    size_t cached_files = 0;
    size_t head_entries = 0;
  };
  Stats GetStats() const;

  // The cache file whose extent holds block `block_index` of `key`, or ""
  // when no cached extent holds it (tests look at and damage it).
  std::string CachedFilePath(std::string_view key, uint64_t block_index) const;

 private:
  // An extent is named by its key's hash and its first block.
  struct ExtentId {
    uint64_t key_hash;
    uint64_t first_block;
    auto operator<=>(const ExtentId&) const = default;
  };
  struct ExtentEntry {
    uint64_t blocks;      // the extent holds blocks [first_block, first_block + blocks)
    uint64_t file_bytes;
    int64_t touched_ms;   // the file's mtime as far as we know
    uint64_t generation;  // tells a re-filled entry from the one a reader looked up
    std::list<ExtentId>::iterator lru;
  };
  using ExtentMap = std::map<ExtentId, ExtentEntry>;
  // What a hit read from a cache file: where its extent starts and how many
  // data bytes it holds, the object's size if the writer knew it, the
  // requested bytes, and how many blocks they touch.
  struct CachedRange {
    uint64_t start_bytes;
    uint64_t length_bytes;
    uint64_t blocks;
    uint64_t object_size_bytes;
    std::string bytes;
    uint64_t blocks_read;
  };
  struct Counters;
  struct ScannedFile;

  CachingObjectStore(CachingObjectStoreOptions options, std::shared_ptr<ObjectStore> backing);

  bool Cacheable(std::string_view key) const;
  std::string PathOf(ExtentId id, uint64_t blocks) const;

  // Open's steps.
  Status LockDir();
  Status CleanTempDir();
  Status ScanExtents();
  Status ScanSubdir(int subdir, std::vector<ScannedFile>* files);

  // The GetRange machinery. ReadCached serves object bytes [pos, end) from
  // the extent holding block pos / block_bytes, as far as that extent goes.
  std::optional<CachedRange> ReadCached(std::string_view key, uint64_t key_hash, uint64_t pos, uint64_t end);
  bool VerifiedRead(int fd, std::string_view key, ExtentId id, uint64_t blocks, uint64_t file_bytes, uint64_t from,
                    uint64_t to, CachedRange* out, bool* collision);
  Result<std::string> FetchRun(std::string_view key, uint64_t key_hash, uint64_t first_block, uint64_t blocks,
                               uint64_t* object_size_bytes);
  uint64_t MissingRunBlocks(uint64_t key_hash, uint64_t first_block, uint64_t last_block);
  void FillExtent(std::string_view key, ExtentId id, uint64_t blocks, std::string_view data,
                  uint64_t object_size_bytes);
  bool WriteTemp(std::string_view key, ExtentId id, uint64_t blocks, std::string_view data,
                 uint64_t object_size_bytes, const std::string& temp_path);
  void InstallExtent(ExtentId id, uint64_t blocks, uint64_t file_bytes, const std::string& temp_path);

  // Index maintenance; *Locked need mu_.
  ExtentMap::iterator FindLocked(uint64_t key_hash, uint64_t block);
  ExtentMap::const_iterator FindLocked(uint64_t key_hash, uint64_t block) const;
  bool OverlapsLocked(uint64_t key_hash, uint64_t first_block, uint64_t blocks) const;
  bool MakeRoomLocked(uint64_t file_bytes);
  void RemoveLocked(ExtentMap::iterator it);
  void DropIfGeneration(ExtentId id, uint64_t generation, bool damaged);
  void DropKey(std::string_view key);

  // The Head cache.
  std::optional<ObjectMeta> LookupHead(std::string_view key);
  void RememberHead(const ObjectMeta& meta);
  void ForgetHead(std::string_view key);

  const CachingObjectStoreOptions options_;
  const std::shared_ptr<ObjectStore> backing_;
  const uint64_t chunk_bytes_;  // checksum granularity inside a block
  std::unique_ptr<Counters> counters_;
  int lock_fd_ = -1;

  mutable std::mutex mu_;
  ExtentMap extents_;          // ordered: the extents of a key are adjacent, by first block, disjoint
  std::list<ExtentId> lru_;    // front: most recently used
  uint64_t cached_bytes_ = 0;  // sum of extents_' file_bytes
  uint64_t reserved_bytes_ = 0;           // room held for fills being written
  size_t reserved_files_ = 0;
  uint64_t next_generation_ = 1;
  uint64_t next_temp_ = 0;

  mutable std::mutex head_mu_;
  std::list<ObjectMeta> head_lru_;  // front: most recently used
  std::unordered_map<std::string_view, std::list<ObjectMeta>::iterator> head_index_;  // views into head_lru_ keys
};

}  // namespace strata::objstore

#include "objstore/cache/caching_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "common/logging.h"
#include "common/uninit_string.h"
#include "objstore/local/local_posix.h"

namespace strata::objstore {
namespace {

using local_internal::ErrnoStatus;
using local_internal::Fd;
using local_internal::NowMs;
using local_internal::TempRemover;
using local_internal::WriteAll;

// Cache file format (docs/formats/cn-cache.md).
constexpr char kMagic[8] = {'S', 'T', 'R', 'C', 'N', 'B', 'L', 'K'};
constexpr uint32_t kFormatVersion = 2;
constexpr uint64_t kHeaderBytes = 64;
constexpr uint64_t kHeaderCrcOffset = 60;
constexpr uint64_t kChunkBytesMax = 64 << 10;
constexpr uint64_t kSizeUnknown = UINT64_MAX;

constexpr int kSubdirs = 256;
constexpr std::string_view kFileSuffix = ".blk";
constexpr size_t kFileNameBytes = 16 + 1 + 16 + 1 + 8 + 4;  // <hash>-<first block>-<blocks>.blk
constexpr size_t kV1FileNameBytes = 16 + 1 + 16 + 4;        // <hash>-<block>.blk (format 1: deleted by Open)
constexpr uint64_t kFetchRunBytesMax = kCacheFetchRunBytesMax;
constexpr uint64_t kReadToEndBlocksMax = uint64_t{1} << 32;
constexpr size_t kScanEntriesMax = 2 * kCacheFilesMaxLimit;
constexpr size_t kTempScanMax = size_t{1} << 20;
constexpr size_t kHeadEvictionsMax = 16;
constexpr int kEintrRetriesMax = 100;

uint64_t HashKey(std::string_view key) {
  // FNV-1a 64, then the splitmix64 finalizer so that the top byte (the
  // subdirectory) is well mixed. Part of the format: file names derive from it.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

uint64_t CeilDiv(uint64_t a, uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

uint64_t FileBytesOf(size_t key_bytes, uint64_t length_bytes, uint64_t chunk_bytes) {
  return kHeaderBytes + key_bytes + 4 * CeilDiv(length_bytes, chunk_bytes) + length_bytes;
}

// The blocks an extent of `length_bytes` data bytes spans (an empty object's
// extent is its one empty block 0).
uint64_t ExtentBlocks(uint64_t length_bytes, uint64_t block_bytes) {
  return std::max<uint64_t>(1, CeilDiv(length_bytes, block_bytes));
}

// Everything of a cache file before the data: header, key, chunk CRCs.
std::string EncodePrefix(std::string_view key, uint64_t first_block, uint64_t blocks, uint64_t block_bytes,
                         uint64_t chunk_bytes, std::string_view data, uint64_t object_size_bytes) {
  const uint64_t chunks = CeilDiv(data.size(), chunk_bytes);
  Encoder e;
  e.PutRaw(std::string_view(kMagic, sizeof(kMagic)));
  e.PutFixed32(kFormatVersion);
  e.PutFixed32(static_cast<uint32_t>(key.size()));
  e.PutFixed64(first_block);
  e.PutFixed64(block_bytes);
  e.PutFixed64(data.size());
  e.PutFixed64(object_size_bytes);
  e.PutFixed32(static_cast<uint32_t>(chunk_bytes));
  e.PutFixed32(static_cast<uint32_t>(chunks));
  e.PutFixed32(static_cast<uint32_t>(blocks));
  STRATA_CHECK_EQ(e.size(), kHeaderCrcOffset);
  std::string tail(key);
  Encoder crcs;
  for (uint64_t c = 0; c < chunks; ++c) crcs.PutFixed32(Crc32c(data.substr(c * chunk_bytes, chunk_bytes)));
  tail += crcs.data();
  uint32_t header_crc = Crc32cExtend(Crc32c(e.data()), tail);
  e.PutFixed32(header_crc);
  e.PutRaw(tail);
  return e.Take();
}

uint32_t LoadFixed32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

uint64_t LoadFixed64(std::string_view b, size_t at) {
  return static_cast<uint64_t>(LoadFixed32(b, at)) | static_cast<uint64_t>(LoadFixed32(b, at + 4)) << 32;
}

// Reads exactly buf->size() bytes at `offset`; false on any error or EOF.
bool PreadAll(int fd, std::string* buf, uint64_t offset) {
  size_t done = 0;
  int eintr = 0;
  while (done < buf->size()) {  // bounded: each pass reads > 0 bytes, fails, or counts an EINTR
    ssize_t n = ::pread(fd, buf->data() + done, buf->size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR && ++eintr < kEintrRetriesMax) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool ParseHex64(std::string_view s, uint64_t* v) {
  *v = 0;
  for (char c : s) {
    int d = HexDigit(c);
    if (d < 0) return false;
    *v = *v << 4 | static_cast<uint64_t>(d);
  }
  return true;
}

// "<16 hex hash>-<16 hex first block>-<8 hex blocks>.blk"
bool ParseFileName(std::string_view name, uint64_t* hash, uint64_t* first_block, uint64_t* blocks) {
  if (name.size() != kFileNameBytes || name[16] != '-' || name[33] != '-' || !name.ends_with(kFileSuffix)) {
    return false;
  }
  return ParseHex64(name.substr(0, 16), hash) && ParseHex64(name.substr(17, 16), first_block) &&
         ParseHex64(name.substr(34, 8), blocks);
}

// A format-1 block file's name, "<16 hex hash>-<16 hex block>.blk".
bool IsV1FileName(std::string_view name) {
  uint64_t hash = 0, block = 0;
  return name.size() == kV1FileNameBytes && name[16] == '-' && name.ends_with(kFileSuffix) &&
         ParseHex64(name.substr(0, 16), &hash) && ParseHex64(name.substr(17, 16), &block);
}

// mkdir that accepts an existing directory.
Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) return Status::OK();
  int err = errno;
  struct stat st;
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::OK();
  if (err == EEXIST) return FailedPrecondition(path + " exists and is not a directory");
  return ErrnoStatus(err, "create directory", path);
}

// Calls fn(dirfd, name) for each entry but "." and "..", at most `entries_max`.
template <typename Fn>
Status ForEachEntry(const std::string& path, size_t entries_max, Fn fn) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus(errno, "open directory", path);
  size_t seen = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (++seen > entries_max) break;
    fn(::dirfd(dir), name);
  }
  ::closedir(dir);
  return Status::OK();
}

Status PastEnd(std::string_view key, uint64_t offset, uint64_t size_bytes) {
  return InvalidArgument(fmt::format("range start {} is past the end of {} ({} bytes)", offset, key, size_bytes));
}

}  // namespace

struct CachingObjectStore::Counters {
  explicit Counters(MetricsRegistry& r)
      : hits(r.GetCounter("strata_cn_cache_hits_total")),
        misses(r.GetCounter("strata_cn_cache_misses_total")),
        head_hits(r.GetCounter("strata_cn_cache_head_hits_total")),
        head_misses(r.GetCounter("strata_cn_cache_head_misses_total")),
        evictions(r.GetCounter("strata_cn_cache_evictions_total")),
        damaged(r.GetCounter("strata_cn_cache_damaged_total")),
        fill_errors(r.GetCounter("strata_cn_cache_fill_errors_total")),
        admitted_bytes(r.GetCounter("strata_cn_cache_admitted_bytes_total")),
        dropped_bytes(r.GetCounter("strata_cn_cache_dropped_bytes_total")) {}
  Counter& hits;
  Counter& misses;
  Counter& head_hits;
  Counter& head_misses;
  Counter& evictions;
  Counter& damaged;
  Counter& fill_errors;
  Counter& admitted_bytes;
  Counter& dropped_bytes;
};

struct CachingObjectStore::ScannedFile {
  ExtentId id;
  uint64_t blocks;
  uint64_t file_bytes;
  int64_t mtime_ns;
};

CacheablePredicate CacheKeyPrefixes(std::vector<std::string> prefixes) {
  return [prefixes = std::move(prefixes)](std::string_view key) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return key.starts_with(p); });
  };
}

CachingObjectStore::CachingObjectStore(CachingObjectStoreOptions options, std::shared_ptr<ObjectStore> backing)
    : options_(std::move(options)),
      backing_(std::move(backing)),
      chunk_bytes_(std::min(kChunkBytesMax, options_.block_bytes)),
      counters_(std::make_unique<Counters>(*options_.registry)) {}

CachingObjectStore::~CachingObjectStore() {
  // The files stay for the next Open, which admits them again: keep
  // admitted - dropped equal to the bytes of the caches open in the registry.
  counters_->dropped_bytes.Add(cached_bytes_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<CachingObjectStore>> CachingObjectStore::Open(CachingObjectStoreOptions options,
                                                                     std::shared_ptr<ObjectStore> backing) {
  if (backing == nullptr) return InvalidArgument("cn cache: no backing store");
  if (options.registry == nullptr) return InvalidArgument("cn cache: no metrics registry");
  while (options.dir.size() > 1 && options.dir.back() == '/') options.dir.pop_back();
  if (options.dir.empty()) return InvalidArgument("cn cache: empty dir");
  if (options.capacity_bytes == 0) return InvalidArgument("cn cache: capacity_bytes must be > 0");
  if (options.block_bytes < kCacheBlockBytesMin || options.block_bytes > kCacheBlockBytesMax) {
    return InvalidArgument(fmt::format("cn cache: block_bytes {} is outside [{}, {}]", options.block_bytes,
                                       kCacheBlockBytesMin, kCacheBlockBytesMax));
  }
  if (options.files_max == 0 || options.files_max > kCacheFilesMaxLimit) {
    return InvalidArgument(fmt::format("cn cache: files_max {} is outside [1, {}]", options.files_max,
                                       kCacheFilesMaxLimit));
  }
  if (options.touch_interval_ms < 0) return InvalidArgument("cn cache: touch_interval_ms must be >= 0");
  if (Status s = MakeDir(options.dir); !s.ok()) {
    if (s.code() == StatusCode::kNotFound) {
      return FailedPrecondition("cn cache: the parent of " + options.dir + " does not exist");
    }
    return s.WithContext("cn cache");
  }
  std::unique_ptr<CachingObjectStore> store(new CachingObjectStore(std::move(options), std::move(backing)));
  STRATA_RETURN_IF_ERROR(store->LockDir().WithContext("cn cache"));
  STRATA_RETURN_IF_ERROR(store->CleanTempDir().WithContext("cn cache"));
  STRATA_RETURN_IF_ERROR(store->ScanExtents().WithContext("cn cache"));
  Stats stats = store->GetStats();
  STRATA_LOG(kInfo, "cn cache {}: opened with {} cache files, {} bytes (capacity {})", store->options_.dir,
             stats.cached_files, stats.cached_bytes, store->options_.capacity_bytes);
  return store;
}

Status CachingObjectStore::LockDir() {
  const std::string path = options_.dir + "/LOCK";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return ErrnoStatus(errno, "open", path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK) return FailedPrecondition(options_.dir + " is in use by another open cache");
    return ErrnoStatus(err, "flock", path);
  }
  return Status::OK();
}

Status CachingObjectStore::CleanTempDir() {
  // We hold the directory's lock, so every temp file is a dead writer's.
  const std::string tmp = options_.dir + "/tmp";
  STRATA_RETURN_IF_ERROR(MakeDir(tmp));
  size_t removed = 0;
  STRATA_RETURN_IF_ERROR(ForEachEntry(tmp, kTempScanMax, [&](int dirfd, std::string_view name) {
    if (::unlinkat(dirfd, std::string(name).c_str(), 0) == 0) removed++;
  }));
  if (removed > 0) STRATA_LOG(kInfo, "cn cache {}: removed {} temp files left by a crash", options_.dir, removed);
  return Status::OK();
}

Status CachingObjectStore::ScanSubdir(int subdir, std::vector<ScannedFile>* files) {
  const std::string path = fmt::format("{}/{:02x}", options_.dir, subdir);
  struct stat dir_st;
  if (::stat(path.c_str(), &dir_st) != 0 && errno == ENOENT) return Status::OK();  // made by the first fill
  const uint64_t run_blocks_max = std::max<uint64_t>(1, kFetchRunBytesMax / options_.block_bytes);
  const uint64_t first_block_max = UINT64_MAX / options_.block_bytes - run_blocks_max;
  size_t torn = 0;
  STRATA_RETURN_IF_ERROR(ForEachEntry(path, kScanEntriesMax, [&](int dirfd, std::string_view name) {
    uint64_t hash = 0, first = 0, blocks = 0;
    std::string n(name);
    struct stat st;
    if (IsV1FileName(name)) {  // an older format's file: only a miss, make room
      if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
          ::unlinkat(dirfd, n.c_str(), 0) == 0) {
        torn++;
      }
      return;
    }
    // Not a name we write: leave it alone (the directory may be shared by mistake).
    if (!ParseFileName(name, &hash, &first, &blocks) || static_cast<int>(hash >> 56) != subdir) return;
    if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) return;
    // Too short for a header, an extent no fill of this block size writes, or too many files.
    if (static_cast<uint64_t>(st.st_size) < kHeaderBytes || blocks == 0 || blocks > run_blocks_max ||
        first > first_block_max || files->size() >= kScanEntriesMax) {
      if (::unlinkat(dirfd, n.c_str(), 0) == 0) torn++;
      return;
    }
    int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    files->push_back(ScannedFile{ExtentId{hash, first}, blocks, static_cast<uint64_t>(st.st_size), mtime_ns});
  }));
  if (torn > 0) STRATA_LOG(kInfo, "cn cache {}: removed {} torn, old-format or surplus cache files", path, torn);
  return Status::OK();
}

Status CachingObjectStore::ScanExtents() {
  std::vector<ScannedFile> files;
  for (int s = 0; s < kSubdirs; ++s) STRATA_RETURN_IF_ERROR(ScanSubdir(s, &files));
  // Oldest first, so that pushing each to the front leaves the newest there.
  std::sort(files.begin(), files.end(), [](const ScannedFile& a, const ScannedFile& b) {
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.id < b.id;
  });
  std::lock_guard lock(mu_);
  size_t overlapping = 0;
  for (const ScannedFile& f : files) {
    // Extents of a key never overlap; files that do (copied in by hand) go.
    if (OverlapsLocked(f.id.key_hash, f.id.first_block, f.blocks)) {
      if (::unlink(PathOf(f.id, f.blocks).c_str()) == 0) overlapping++;
      continue;
    }
    lru_.push_front(f.id);
    extents_.emplace(f.id,
                     ExtentEntry{f.blocks, f.file_bytes, f.mtime_ns / 1'000'000, next_generation_++, lru_.begin()});
    cached_bytes_ += f.file_bytes;
  }
  if (overlapping > 0) STRATA_LOG(kInfo, "cn cache {}: removed {} overlapping cache files", options_.dir, overlapping);
  counters_->admitted_bytes.Add(cached_bytes_);
  // The options may have shrunk since the files were written.
  for (size_t i = 0; i < kScanEntriesMax && !lru_.empty(); ++i) {
    if (cached_bytes_ <= options_.capacity_bytes && extents_.size() <= options_.files_max) break;
    RemoveLocked(extents_.find(lru_.back()));
    counters_->evictions.Add();
  }
  return Status::OK();
}

bool CachingObjectStore::Cacheable(std::string_view key) const {
  return !options_.cacheable || options_.cacheable(key);
}

std::string CachingObjectStore::PathOf(ExtentId id, uint64_t blocks) const {
  return fmt::format("{}/{:02x}/{:016x}-{:016x}-{:08x}{}", options_.dir, id.key_hash >> 56, id.key_hash,
                     id.first_block, blocks, kFileSuffix);
}

std::string CachingObjectStore::CachedFilePath(std::string_view key, uint64_t block_index) const {
  std::lock_guard lock(mu_);
  auto it = FindLocked(HashKey(key), block_index);
  return it == extents_.end() ? std::string() : PathOf(it->first, it->second.blocks);
}

CachingObjectStore::Stats CachingObjectStore::GetStats() const {
  Stats stats;
  {
    std::lock_guard lock(mu_);
    stats.cached_bytes = cached_bytes_;
    stats.cached_files = extents_.size();
  }
  std::lock_guard lock(head_mu_);
  stats.head_entries = head_lru_.size();
  return stats;
}

// ---- pass-through ----

Status CachingObjectStore::Put(std::string_view key, std::string_view data) { return backing_->Put(key, data); }

Status CachingObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  return backing_->PutIfAbsent(key, data);
}

Result<ListPage> CachingObjectStore::List(const ListOptions& options) { return backing_->List(options); }

Result<std::unique_ptr<MultipartUpload>> CachingObjectStore::StartMultipart(std::string_view key) {
  return backing_->StartMultipart(key);
}

Status CachingObjectStore::DeleteBatch(std::span<const std::string> keys) {
  Status s = backing_->DeleteBatch(keys);
  if (keys.size() <= kDeleteBatchMax) {
    for (const std::string& key : keys) {
      DropKey(key);
      ForgetHead(key);
    }
  }
  return s;
}

// ---- Head ----

Result<ObjectMeta> CachingObjectStore::Head(std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  if (!Cacheable(key) || options_.head_entries_max == 0) return backing_->Head(key);
  if (std::optional<ObjectMeta> meta = LookupHead(key)) {
    counters_->head_hits.Add();
    return *std::move(meta);
  }
  counters_->head_misses.Add();
  Result<ObjectMeta> meta = backing_->Head(key);
  if (meta.ok()) RememberHead(*meta);  // never a NotFound: the key may be written later
  return meta;
}

std::optional<ObjectMeta> CachingObjectStore::LookupHead(std::string_view key) {
  std::lock_guard lock(head_mu_);
  auto it = head_index_.find(key);
  if (it == head_index_.end()) return std::nullopt;
  head_lru_.splice(head_lru_.begin(), head_lru_, it->second);
  return *it->second;
}

void CachingObjectStore::RememberHead(const ObjectMeta& meta) {
  if (options_.head_entries_max == 0) return;
  std::lock_guard lock(head_mu_);
  auto it = head_index_.find(meta.key);
  if (it != head_index_.end()) {
    // Keep the node's key string as is: head_index_ holds a view of it.
    it->second->size_bytes = meta.size_bytes;
    it->second->last_modified_ms = meta.last_modified_ms;
    head_lru_.splice(head_lru_.begin(), head_lru_, it->second);
    return;
  }
  head_lru_.push_front(meta);
  head_index_.emplace(std::string_view(head_lru_.front().key), head_lru_.begin());
  for (size_t i = 0; i < kHeadEvictionsMax && head_lru_.size() > options_.head_entries_max; ++i) {
    head_index_.erase(std::string_view(head_lru_.back().key));
    head_lru_.pop_back();
  }
}

void CachingObjectStore::ForgetHead(std::string_view key) {
  std::lock_guard lock(head_mu_);
  auto it = head_index_.find(key);
  if (it == head_index_.end()) return;
  auto node = it->second;
  head_index_.erase(it);
  head_lru_.erase(node);
}

// ---- GetRange ----

Result<std::string> CachingObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  // An empty read has nothing to cache; the backing store checks its range.
  if (!Cacheable(key) || length == 0) return backing_->GetRange(key, offset, length);
  const uint64_t block = options_.block_bytes;
  const uint64_t end = length > UINT64_MAX - offset ? UINT64_MAX : offset + length;  // kReadToEnd too
  const uint64_t last_block = end == UINT64_MAX ? UINT64_MAX : (end - 1) / block;
  const uint64_t run_blocks_max = std::max<uint64_t>(1, kFetchRunBytesMax / block);
  // Each block takes at most two passes: one that reads it, one that sees the end.
  const uint64_t passes_max =
      2 * (end == UINT64_MAX ? kReadToEndBlocksMax : last_block - offset / block + 1) + 2;
  const uint64_t key_hash = HashKey(key);
  uint64_t object_size = kSizeUnknown;
  if (std::optional<ObjectMeta> meta = LookupHead(key)) object_size = meta->size_bytes;
  std::string out;
  uint64_t pos = offset;
  for (uint64_t pass = 0; pass < passes_max; ++pass) {
    if (pos >= end) return out;
    if (object_size != kSizeUnknown && pos >= object_size) {
      if (pos > offset || pos == 0) return out;  // read to the end, or an empty object from 0
      return PastEnd(key, offset, object_size);
    }
    const uint64_t b = pos / block;
    if (std::optional<CachedRange> hit = ReadCached(key, key_hash, pos, end)) {
      counters_->hits.Add(hit->blocks_read);
      if (hit->object_size_bytes != kSizeUnknown) object_size = hit->object_size_bytes;
      if (hit->length_bytes < hit->blocks * block) object_size = hit->start_bytes + hit->length_bytes;  // the last
      pos += hit->bytes.size();
      if (out.empty() && (end == UINT64_MAX || end - offset <= hit->bytes.size())) {
        out = std::move(hit->bytes);  // the whole read from one extent: no copy
        continue;
      }
      if (out.empty()) out.reserve(std::min(end - offset, kFetchRunBytesMax));  // one allocation
      out += hit->bytes;
      continue;
    }
    const uint64_t within = pos - b * block;
    uint64_t run_last = std::min(last_block, b + run_blocks_max - 1);
    if (object_size != kSizeUnknown) run_last = std::min(run_last, (object_size - 1) / block);
    const uint64_t run = MissingRunBlocks(key_hash, b, run_last);
    Result<std::string> got = FetchRun(key, key_hash, b, run, &object_size);
    if (!got.ok()) {
      // The object ends exactly at a block boundary this read had not seen yet.
      if (got.status().code() == StatusCode::kInvalidArgument && pos > offset && within == 0) return out;
      return got.status();
    }
    counters_->misses.Add(std::max<uint64_t>(1, CeilDiv(got->size(), block)));
    if (within < got->size()) {
      const uint64_t take = std::min<uint64_t>(got->size() - within, end - pos);
      if (out.empty() && within == 0 && take == got->size() && (end == UINT64_MAX || pos + take >= end)) {
        out = std::move(got).value();  // the whole read in one fetch: no copy
      } else {
        // Several pieces: one allocation for all of them (a first piece moved
        // in would be copied again when the next one grows the buffer).
        if (out.empty() && end != UINT64_MAX) out.reserve(std::min(end - pos, kFetchRunBytesMax));
        out.append(*got, within, take);
      }
      pos += take;
    }
    // else the object ends at or before pos, and FetchRun learned its size.
  }
  return Internal(fmt::format("cn cache: reading {} did not finish in {} passes", key, passes_max));
}

uint64_t CachingObjectStore::MissingRunBlocks(uint64_t key_hash, uint64_t first_block, uint64_t last_block) {
  std::lock_guard lock(mu_);
  // first_block was a miss: the run goes on up to the next extent of the key.
  auto next = extents_.upper_bound(ExtentId{key_hash, first_block});
  if (next != extents_.end() && next->first.key_hash == key_hash && next->first.first_block <= last_block) {
    last_block = std::max(first_block, next->first.first_block - 1);
  }
  return last_block - first_block + 1;
}

Result<std::string> CachingObjectStore::FetchRun(std::string_view key, uint64_t key_hash, uint64_t first_block,
                                                 uint64_t blocks, uint64_t* object_size_bytes) {
  const uint64_t block = options_.block_bytes;
  const uint64_t start = first_block * block;
  const uint64_t want = blocks * block;
  Result<std::string> got = backing_->GetRange(key, start, want);
  if (!got.ok()) return got;
  if (got->size() > want) {
    return DataLoss(fmt::format("{}: the backing store returned {} bytes for a {}-byte range", key, got->size(), want));
  }
  if (got->size() < want) *object_size_bytes = start + got->size();
  // One file for the whole GET. An empty extent exists only as the whole of an empty object.
  if (!got->empty() || first_block == 0) {
    FillExtent(key, ExtentId{key_hash, first_block}, ExtentBlocks(got->size(), block), *got, *object_size_bytes);
  }
  return got;
}

std::optional<CachingObjectStore::CachedRange> CachingObjectStore::ReadCached(std::string_view key, uint64_t key_hash,
                                                                              uint64_t pos, uint64_t end) {
  const uint64_t block = options_.block_bytes;
  ExtentId id{};
  uint64_t blocks = 0, file_bytes = 0, generation = 0;
  bool touch = false;
  {
    std::lock_guard lock(mu_);
    auto it = FindLocked(key_hash, pos / block);
    if (it == extents_.end()) return std::nullopt;
    ExtentEntry& e = it->second;
    lru_.splice(lru_.begin(), lru_, e.lru);
    const int64_t now_ms = NowMs();
    touch = now_ms - e.touched_ms >= options_.touch_interval_ms;
    if (touch) e.touched_ms = now_ms;
    id = it->first;
    blocks = e.blocks;
    file_bytes = e.file_bytes;
    generation = e.generation;
  }
  const std::string path = PathOf(id, blocks);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    // Gone behind our back (the index and the directory change together
    // under mu_, so nothing of ours removed it): forget it. Other errors
    // (EMFILE, ...) are a miss that keeps the entry.
    if (errno == ENOENT) DropIfGeneration(id, generation, /*damaged=*/true);
    return std::nullopt;
  }
  const uint64_t start = id.first_block * block;
  const uint64_t from = pos - start;
  const uint64_t to = std::min(end - start, blocks * block);  // end > pos >= start
  struct stat st;
  CachedRange out;
  bool collision = false;
  if (::fstat(fd.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) != file_bytes ||
      !VerifiedRead(fd.get(), key, id, blocks, file_bytes, from, to, &out, &collision)) {
    // A collision is another key's valid extent: drop it so the fill replaces it.
    DropIfGeneration(id, generation, /*damaged=*/!collision);
    return std::nullopt;
  }
  if (touch) (void)::futimens(fd.get(), nullptr);  // best effort: recency for the next Open
  return out;
}

bool CachingObjectStore::VerifiedRead(int fd, std::string_view key, ExtentId id, uint64_t blocks, uint64_t file_bytes,
                                      uint64_t from, uint64_t to, CachedRange* out, bool* collision) {
  const uint64_t block = options_.block_bytes;
  const uint64_t prefix_max = kHeaderBytes + kKeyBytesMax + 4 * CeilDiv(blocks * block, chunk_bytes_);
  std::string head = UninitializedString(std::min(file_bytes, prefix_max));  // PreadAll fills it
  if (head.size() < kHeaderBytes || !PreadAll(fd, &head, 0)) return false;
  if (std::memcmp(head.data(), kMagic, sizeof(kMagic)) != 0 || LoadFixed32(head, 8) != kFormatVersion) return false;
  const uint64_t key_bytes = LoadFixed32(head, 12);
  const uint64_t first_block = LoadFixed64(head, 16);
  const uint64_t file_block_bytes = LoadFixed64(head, 24);
  const uint64_t length = LoadFixed64(head, 32);
  const uint64_t object_size = LoadFixed64(head, 40);
  const uint64_t chunk_bytes = LoadFixed32(head, 48);
  const uint64_t chunks = LoadFixed32(head, 52);
  const uint64_t file_blocks = LoadFixed32(head, 56);
  // Check the lengths before trusting any of them; all of them are bounded here.
  if (key_bytes > kKeyBytesMax || chunk_bytes != chunk_bytes_ || file_block_bytes != block ||
      file_blocks != blocks || length > blocks * block || ExtentBlocks(length, block) != blocks ||
      chunks != CeilDiv(length, chunk_bytes) || (length == 0 && id.first_block != 0)) {
    return false;
  }
  const uint64_t prefix = kHeaderBytes + key_bytes + 4 * chunks;
  if (prefix > head.size() || file_bytes != prefix + length) return false;
  std::string_view hv(head);
  const uint32_t crc =
      Crc32cExtend(Crc32c(hv.substr(0, kHeaderCrcOffset)), hv.substr(kHeaderBytes, prefix - kHeaderBytes));
  if (crc != LoadFixed32(head, kHeaderCrcOffset)) return false;
  if (hv.substr(kHeaderBytes, key_bytes) != key) {
    *collision = true;
    return false;
  }
  if (first_block != id.first_block) return false;
  const uint64_t start = first_block * block;
  if (object_size != kSizeUnknown &&
      (object_size < start + length || (length < blocks * block && object_size != start + length))) {
    return false;
  }
  out->start_bytes = start;
  out->length_bytes = length;
  out->blocks = blocks;
  out->object_size_bytes = object_size;
  out->blocks_read = 1;
  const uint64_t lo = std::min(from, length), hi = std::min(to, length);
  if (lo >= hi) return true;
  out->blocks_read = (hi - 1) / block - lo / block + 1;
  const uint64_t c0 = lo / chunk_bytes, c1 = (hi - 1) / chunk_bytes;
  const uint64_t read_from = c0 * chunk_bytes, read_to = std::min((c1 + 1) * chunk_bytes, length);
  std::string data = UninitializedString(read_to - read_from);  // PreadAll fills it
  if (!PreadAll(fd, &data, prefix + read_from)) return false;
  std::string_view dv(data);
  for (uint64_t c = c0; c <= c1; ++c) {  // bounded: at most blocks * block / chunk_bytes chunks
    const uint64_t at = (c - c0) * chunk_bytes;
    if (Crc32c(dv.substr(at, chunk_bytes)) != LoadFixed32(head, kHeaderBytes + key_bytes + 4 * c)) return false;
  }
  if (lo == read_from && hi == read_to) {
    out->bytes = std::move(data);  // chunk-aligned (a scan's block-aligned reads): no copy
  } else {
    out->bytes = data.substr(lo - read_from, hi - lo);
  }
  return true;
}

// ---- fills ----

void CachingObjectStore::FillExtent(std::string_view key, ExtentId id, uint64_t blocks, std::string_view data,
                                    uint64_t object_size_bytes) {
  const uint64_t file_bytes = FileBytesOf(key.size(), data.size(), chunk_bytes_);
  uint64_t temp_number = 0;
  {
    std::lock_guard lock(mu_);
    if (OverlapsLocked(id.key_hash, id.first_block, blocks) || !MakeRoomLocked(file_bytes)) return;
    reserved_bytes_ += file_bytes;
    reserved_files_++;
    temp_number = next_temp_++;
  }
  std::string temp = fmt::format("{}/tmp/{:016x}-{:016x}-{:08x}.{}.tmp", options_.dir, id.key_hash, id.first_block,
                                 blocks, temp_number);
  if (!WriteTemp(key, id, blocks, data, object_size_bytes, temp)) temp.clear();
  InstallExtent(id, blocks, file_bytes, temp);
}

bool CachingObjectStore::WriteTemp(std::string_view key, ExtentId id, uint64_t blocks, std::string_view data,
                                   uint64_t object_size_bytes, const std::string& temp_path) {
  int raw = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (raw < 0 && errno == ENOENT && MakeDir(options_.dir + "/tmp").ok()) {  // removed by hand
    raw = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  }
  if (raw < 0) return false;
  Fd fd(raw);
  TempRemover remover(temp_path);
  // No fsync: the cache is not durable state. After a power loss a file may
  // be empty or torn; its size check and CRCs make that a miss.
  std::string prefix =
      EncodePrefix(key, id.first_block, blocks, options_.block_bytes, chunk_bytes_, data, object_size_bytes);
  if (!WriteAll(fd.get(), prefix, temp_path).ok() || !WriteAll(fd.get(), data, temp_path).ok() || fd.Close() != 0) {
    return false;
  }
  remover.Release();
  return true;
}

void CachingObjectStore::InstallExtent(ExtentId id, uint64_t blocks, uint64_t file_bytes,
                                       const std::string& temp_path) {
  std::lock_guard lock(mu_);
  reserved_bytes_ -= file_bytes;
  reserved_files_--;
  if (temp_path.empty()) {
    counters_->fill_errors.Add();
    return;
  }
  if (OverlapsLocked(id.key_hash, id.first_block, blocks)) {  // a concurrent fill got there first
    ::unlink(temp_path.c_str());
    return;
  }
  // The rename happens under mu_, so the name appears exactly when the index
  // entry does: readers never see a file the index does not describe, and a
  // reader that sees the name sees the whole file.
  const std::string path = PathOf(id, blocks);
  int rc = ::rename(temp_path.c_str(), path.c_str());
  if (rc != 0 && errno == ENOENT && MakeDir(fmt::format("{}/{:02x}", options_.dir, id.key_hash >> 56)).ok()) {
    // The first file of this subdirectory.
    rc = ::rename(temp_path.c_str(), path.c_str());
  }
  if (rc != 0) {
    ::unlink(temp_path.c_str());
    counters_->fill_errors.Add();
    return;
  }
  lru_.push_front(id);
  extents_.emplace(id, ExtentEntry{blocks, file_bytes, NowMs(), next_generation_++, lru_.begin()});
  cached_bytes_ += file_bytes;
  counters_->admitted_bytes.Add(file_bytes);
}

// ---- index maintenance ----

CachingObjectStore::ExtentMap::iterator CachingObjectStore::FindLocked(uint64_t key_hash, uint64_t block) {
  // The extent starting last at or before `block`, if it reaches it.
  auto it = extents_.upper_bound(ExtentId{key_hash, block});
  if (it == extents_.begin()) return extents_.end();
  --it;
  if (it->first.key_hash != key_hash || block - it->first.first_block >= it->second.blocks) return extents_.end();
  return it;
}

CachingObjectStore::ExtentMap::const_iterator CachingObjectStore::FindLocked(uint64_t key_hash,
                                                                             uint64_t block) const {
  return const_cast<CachingObjectStore*>(this)->FindLocked(key_hash, block);
}

bool CachingObjectStore::OverlapsLocked(uint64_t key_hash, uint64_t first_block, uint64_t blocks) const {
  // Extents are disjoint: only the one starting last at or before our last
  // block can reach into [first_block, first_block + blocks).
  auto it = extents_.upper_bound(ExtentId{key_hash, first_block + blocks - 1});
  if (it == extents_.begin()) return false;
  --it;
  return it->first.key_hash == key_hash && it->first.first_block + it->second.blocks > first_block;
}

bool CachingObjectStore::MakeRoomLocked(uint64_t file_bytes) {
  if (file_bytes > options_.capacity_bytes) return false;
  for (size_t i = 0; i <= kCacheFilesMaxLimit; ++i) {  // each pass evicts one file
    if (cached_bytes_ + reserved_bytes_ + file_bytes <= options_.capacity_bytes &&
        extents_.size() + reserved_files_ < options_.files_max) {
      return true;
    }
    if (lru_.empty()) return false;  // the rest is held by fills in flight
    RemoveLocked(extents_.find(lru_.back()));
    counters_->evictions.Add();
  }
  return false;
}

void CachingObjectStore::RemoveLocked(ExtentMap::iterator it) {
  STRATA_CHECK(it != extents_.end());
  // Unlinking under mu_ keeps the directory equal to the index: a fill's
  // rename of the same name cannot slip in between.
  (void)::unlink(PathOf(it->first, it->second.blocks).c_str());
  cached_bytes_ -= it->second.file_bytes;
  counters_->dropped_bytes.Add(it->second.file_bytes);
  lru_.erase(it->second.lru);
  extents_.erase(it);
}

void CachingObjectStore::DropIfGeneration(ExtentId id, uint64_t generation, bool damaged) {
  std::lock_guard lock(mu_);
  auto it = extents_.find(id);
  if (it == extents_.end() || it->second.generation != generation) return;  // already replaced
  RemoveLocked(it);
  if (damaged) counters_->damaged.Add();
}

void CachingObjectStore::DropKey(std::string_view key) {
  const uint64_t key_hash = HashKey(key);
  std::lock_guard lock(mu_);
  auto it = extents_.lower_bound(ExtentId{key_hash, 0});
  for (size_t i = 0; i < kCacheFilesMaxLimit && it != extents_.end() && it->first.key_hash == key_hash; ++i) {
    RemoveLocked(it++);  // may drop a colliding key's extents too: only a miss
  }
}

}  // namespace strata::objstore

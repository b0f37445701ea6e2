// The object index of a cluster snapshot: every object the snapshot needs in
// each storage volume — each pinned tablet version (`.tm`) and each data file
// it names — with its size. Written beside the image at snapshot time so that
// a restore can prove the snapshot is whole by LISTing the volume (about one
// request per thousand objects) instead of reading every tablet version and
// HEADing every data file (two or more requests per tablet).
//
//   <cluster_id>/meta/image/<name>/objects     spec: docs/formats/cluster-snapshot.md
//
// ObjectIndexCache builds indexes incrementally: tablet version objects are
// immutable, so a key read once never needs reading again; a snapshot reads
// only the versions committed since the previous one (or, after a restart, the
// previous snapshot's index seeds the cache).
//
// CheckListed verifies an index against a store by listing: every needed key
// present with its recorded size.
//
// Thread-safety: Encode/Decode/CheckListed are free functions (as thread-safe
// as the store); ObjectIndexCache is internally synchronized.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::snapshot {

inline constexpr std::string_view kObjectIndexName = "objects";
inline constexpr uint32_t kObjectIndexFormatVersion = 1;
inline constexpr uint64_t kObjectIndexBytesMax = 1ull << 30;
inline constexpr uint32_t kObjectIndexParallelMax = 64;

// One tablet version and the data files it names.
struct IndexedVersion {
  uint64_t meta_bytes = 0;
  std::vector<std::pair<std::string, uint64_t>> files;  // data file key, size in bytes
  bool operator==(const IndexedVersion&) const = default;
};

// Tablet version key -> its entry, per storage volume name.
using VolumeIndex = std::map<std::string, IndexedVersion>;
struct ObjectIndex {
  std::map<std::string, VolumeIndex> volumes;
  bool operator==(const ObjectIndex&) const = default;
  // The entry of tablet version `key` in any volume; null if absent.
  const IndexedVersion* Find(const std::string& key) const;
  uint64_t versions() const;
  uint64_t objects() const;  // versions plus distinct data files
};

std::string ObjectIndexKey(std::string_view cluster_id, std::string_view name);

// Deterministic bytes (keys front-coded, then CRC-32C of everything).
std::string EncodeObjectIndex(const ObjectIndex& index);
// DataLoss naming `key` for damage or trailing bytes; FailedPrecondition for a
// newer format version.
Result<ObjectIndex> DecodeObjectIndex(std::string_view bytes, std::string_view key);

// Opens the store of a storage volume by name.
using VolumeStoreFor = std::function<Result<std::shared_ptr<objstore::ObjectStore>>(const std::string& volume)>;

class ObjectIndexCache {
 public:
  // Adds every entry of an earlier index (a previous snapshot's).
  void Seed(const ObjectIndex& index);
  bool seeded() const;
  // A tablet version this process just wrote (a load's commit): the next
  // Build need not read it. Ignored once the cache holds more than
  // max(200,000, twice the last index's versions) entries.
  void Note(const std::string& key, IndexedVersion version);
  // The index of `pinned` (volume -> tablet version keys): cached entries are
  // reused, the others are read (on up to `parallel` threads) and cached.
  // Afterwards the cache holds this index's entries and those noted while it
  // ran (so it never grows much past one catalog's versions). A version that cannot be read fails the call
  // naming it (a snapshot of it could not be restored).
  Result<ObjectIndex> Build(const std::map<std::string, std::set<std::string>>& pinned, const VolumeStoreFor& store_for,
                            uint32_t parallel);
  uint64_t reads() const;  // tablet versions read so far (tests, metrics)
  size_t entries() const;  // tablet versions cached

 private:
  struct Entry {
    IndexedVersion version;
    uint64_t noted_build = 0;  // builds_ when noted (0: read or seeded)
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> cached_;  // by tablet version key (unique across volumes)
  uint64_t builds_ = 0;                  // Build calls started
  size_t entries_max_ = 200'000;
  bool seeded_ = false;
  uint64_t reads_ = 0;
};

// What CheckListed found.
struct ListedCheck {
  uint64_t objects_checked = 0;  // needed objects seen with the right size
  uint64_t lists = 0;            // LIST requests made
  std::vector<std::string> problems;  // missing or wrong-sized objects (bounded), then store errors
  uint64_t problems_not_listed = 0;
  bool store_error = false;  // a LIST failed: the check is incomplete
  bool ok() const { return problems.empty() && problems_not_listed == 0 && !store_error; }
};

// Lists the tablet directories holding `versions`' objects (grouped into
// prefixes of at most a few hundred tablets, listed on up to `parallel`
// threads) and checks that each needed object is present with its size.
// `where(key)` describes a tablet version for problem messages.
ListedCheck CheckListed(objstore::ObjectStore& store, const VolumeIndex& versions, uint32_t parallel,
                        size_t problems_max, const std::function<std::string(const std::string&)>& where);

// Checks that tablet versions `keys` (of one volume) are restorable: those
// `index` holds (it may be null) by CheckListed, the others by reading each
// version and HEADing its data files (storage::CheckRetainedReadable), on up
// to `parallel` threads. OK, or DataLoss naming up to `problems_max` problems
// (a store error keeps its code). `checked_by_listing` (if given) counts the
// versions the index covered.
Status CheckVersionsRestorable(objstore::ObjectStore& store, const std::set<std::string>& keys,
                               const ObjectIndex* index, uint32_t parallel, size_t problems_max,
                               uint64_t* checked_by_listing = nullptr);

// The list prefixes covering `tablet_dirs` ("<lineage>/data/tablets/<id>/"),
// each covering at most `tablets_per_prefix` of them unless it is a single
// tablet's directory. Exposed for tests.
std::vector<std::string> ListPrefixesFor(const std::set<std::string>& tablet_dirs, size_t tablets_per_prefix);

}  // namespace strata::snapshot

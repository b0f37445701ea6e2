#include "snapshot/object_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "common/coding.h"
#include "common/crc32c.h"
#include "snapshot/snapshot_store.h"
#include "storage/tablet_meta.h"
#include "storage/vacuum.h"

namespace strata::snapshot {
namespace {

constexpr std::string_view kMagic = "SOI1";
constexpr std::string_view kTabletsInfix = "/data/tablets/";
constexpr uint64_t kVolumesMax = 10'000;
constexpr uint64_t kVersionsMax = 100'000'000;
constexpr uint64_t kFilesPerVersionMax = 100'000;  // the tablet version format's rowset bound
constexpr size_t kTabletsPerListPrefix = 1500;  // a few LIST pages: fewer, fuller pages cost the server less
constexpr size_t kListPagesPerPrefixMax = 1'000'000;

// Keys are written front-coded against the previous key in the stream.
class KeyWriter {
 public:
  explicit KeyWriter(Encoder* e) : e_(e) {}
  void Put(const std::string& key) {
    size_t shared = 0;
    const size_t n = std::min(key.size(), last_.size());
    while (shared < n && key[shared] == last_[shared]) ++shared;
    e_->PutVarint(shared);
    e_->PutString(std::string_view(key).substr(shared));
    last_ = key;
  }

 private:
  Encoder* e_;
  std::string last_;
};

class KeyReader {
 public:
  KeyReader(Decoder* d, std::string_view where) : d_(d), where_(where) {}
  Status Get(std::string* key) {
    uint64_t shared = 0;
    std::string suffix;
    STRATA_RETURN_IF_ERROR(d_->GetVarint(&shared));
    STRATA_RETURN_IF_ERROR(d_->GetString(&suffix));
    if (shared > last_.size()) return DataLoss(where_ + ": a key shares more bytes than the previous key has");
    *key = last_.substr(0, shared) + suffix;
    if (key->empty()) return DataLoss(where_ + ": an empty key");
    last_ = *key;
    return Status::OK();
  }

 private:
  Decoder* d_;
  std::string where_;
  std::string last_;
};

// "<lineage>/data/tablets/<digits>/..." -> ("<lineage>/data/tablets/", "<digits>"); nullopt otherwise.
std::optional<std::pair<std::string_view, std::string_view>> SplitTabletKey(std::string_view key) {
  const size_t at = key.find(kTabletsInfix);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  const size_t id_at = at + kTabletsInfix.size();
  const size_t slash = key.find('/', id_at);
  if (slash == std::string_view::npos || slash == id_at) return std::nullopt;
  std::string_view id = key.substr(id_at, slash - id_at);
  if (!std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return std::make_pair(key.substr(0, id_at), id);
}

// Splits `dirs` (sorted, all starting with `prefix`) into prefixes of at most `max` dirs.
void SplitPrefix(const std::string& prefix, std::vector<std::string_view> dirs, size_t max,
                 std::vector<std::string>* out) {
  if (dirs.size() <= max) {
    out->push_back(prefix);
    return;
  }
  // Children by the next byte; a dir equal to the prefix cannot occur (every dir is longer: it ends in '/').
  size_t i = 0;
  while (i < dirs.size()) {
    const char next = dirs[i][prefix.size()];
    std::vector<std::string_view> group;
    while (i < dirs.size() && dirs[i][prefix.size()] == next) group.push_back(dirs[i++]);
    SplitPrefix(prefix + next, std::move(group), max, out);
  }
}

// Runs `work(i)` for i in [0, n) on up to `parallel` threads.
void ParallelFor(size_t n, uint32_t parallel, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) work(i);
  };
  const size_t threads_n = std::min<size_t>(std::clamp<uint32_t>(parallel, 1, kObjectIndexParallelMax), n);
  std::vector<std::thread> threads;
  threads.reserve(threads_n);
  for (size_t t = 0; t < threads_n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

Result<IndexedVersion> ReadVersion(objstore::ObjectStore& store, const std::string& key) {
  STRATA_ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
  STRATA_ASSIGN_OR_RETURN(storage::TabletMeta meta, storage::DecodeTabletMeta(bytes, key));
  auto split = SplitTabletKey(key);
  if (!split || split->second != std::to_string(meta.tablet_id)) {
    return DataLoss(fmt::format("tablet version {} holds tablet {}", key, meta.tablet_id));
  }
  IndexedVersion v{.meta_bytes = bytes.size()};
  v.files.reserve(meta.rowsets.size());
  for (const auto& r : meta.rowsets) v.files.emplace_back(r.data_file, r.size_bytes);
  return v;
}

}  // namespace

const IndexedVersion* ObjectIndex::Find(const std::string& key) const {
  for (const auto& [volume, versions] : volumes) {
    auto it = versions.find(key);
    if (it != versions.end()) return &it->second;
  }
  return nullptr;
}

uint64_t ObjectIndex::versions() const {
  uint64_t n = 0;
  for (const auto& [name, v] : volumes) n += v.size();
  return n;
}

uint64_t ObjectIndex::objects() const {
  uint64_t n = 0;
  for (const auto& [name, v] : volumes) {
    std::set<std::string_view> files;
    for (const auto& [key, entry] : v) {
      for (const auto& [file, size] : entry.files) files.insert(file);
    }
    n += v.size() + files.size();
  }
  return n;
}

std::string ObjectIndexKey(std::string_view cluster_id, std::string_view name) {
  return SnapshotDir(cluster_id, name) + std::string(kObjectIndexName);
}

std::string EncodeObjectIndex(const ObjectIndex& index) {
  Encoder e;
  e.PutRaw(kMagic);
  e.PutFixed32(kObjectIndexFormatVersion);
  e.PutVarint(index.volumes.size());
  KeyWriter keys(&e);
  for (const auto& [volume, versions] : index.volumes) {
    e.PutString(volume);
    e.PutVarint(versions.size());
    for (const auto& [key, v] : versions) {
      keys.Put(key);
      e.PutVarint(v.meta_bytes);
      e.PutVarint(v.files.size());
      for (const auto& [file, size] : v.files) {
        keys.Put(file);
        e.PutVarint(size);
      }
    }
  }
  e.PutFixed32(Crc32c(e.data()));
  return e.Take();
}

Result<ObjectIndex> DecodeObjectIndex(std::string_view bytes, std::string_view key) {
  const std::string where = "snapshot object index " + std::string(key);
  if (bytes.size() < kMagic.size() + 8 || bytes.substr(0, kMagic.size()) != kMagic) {
    return DataLoss(where + ": not an object index");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 4);
  Decoder tail(bytes.substr(bytes.size() - 4));
  uint32_t crc = 0;
  STRATA_RETURN_IF_ERROR(tail.GetFixed32(&crc));
  if (crc != Crc32c(body)) return DataLoss(where + ": checksum mismatch");
  Decoder d(body.substr(kMagic.size()));
  uint32_t format = 0;
  STRATA_RETURN_IF_ERROR(d.GetFixed32(&format));
  if (format > kObjectIndexFormatVersion) {
    return FailedPrecondition(fmt::format("{}: format version {} is newer than this binary reads", where, format));
  }
  ObjectIndex index;
  KeyReader keys(&d, where);
  uint64_t volumes = 0;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&volumes));
  if (volumes > kVolumesMax) return DataLoss(where + ": too many volumes");
  uint64_t versions_total = 0;
  for (uint64_t i = 0; i < volumes; ++i) {
    std::string volume;
    uint64_t versions = 0;
    STRATA_RETURN_IF_ERROR(d.GetString(&volume));
    STRATA_RETURN_IF_ERROR(d.GetVarint(&versions));
    versions_total += versions;
    if (versions_total > kVersionsMax || versions > d.remaining()) return DataLoss(where + ": too many versions");
    VolumeIndex& out = index.volumes[volume];
    for (uint64_t j = 0; j < versions; ++j) {
      std::string version_key;
      IndexedVersion v;
      uint64_t files = 0;
      STRATA_RETURN_IF_ERROR(keys.Get(&version_key));
      STRATA_RETURN_IF_ERROR(d.GetVarint(&v.meta_bytes));
      STRATA_RETURN_IF_ERROR(d.GetVarint(&files));
      if (files > kFilesPerVersionMax || files > d.remaining()) return DataLoss(where + ": too many files");
      v.files.reserve(files);
      for (uint64_t f = 0; f < files; ++f) {
        std::string file;
        uint64_t size = 0;
        STRATA_RETURN_IF_ERROR(keys.Get(&file));
        STRATA_RETURN_IF_ERROR(d.GetVarint(&size));
        v.files.emplace_back(std::move(file), size);
      }
      if (!out.emplace(std::move(version_key), std::move(v)).second) {
        return DataLoss(where + ": a tablet version is listed twice");
      }
    }
  }
  if (!d.empty()) return DataLoss(where + ": trailing bytes");
  return index;
}

void ObjectIndexCache::Seed(const ObjectIndex& index) {
  std::lock_guard lock(mu_);
  for (const auto& [volume, versions] : index.volumes) {
    for (const auto& [key, v] : versions) cached_.emplace(key, Entry{.version = v});
  }
  seeded_ = true;
}

void ObjectIndexCache::Note(const std::string& key, IndexedVersion version) {
  std::lock_guard lock(mu_);
  if (cached_.size() >= entries_max_) return;
  cached_.insert_or_assign(key, Entry{.version = std::move(version), .noted_build = std::max<uint64_t>(builds_, 1)});
}

bool ObjectIndexCache::seeded() const {
  std::lock_guard lock(mu_);
  return seeded_;
}

size_t ObjectIndexCache::entries() const {
  std::lock_guard lock(mu_);
  return cached_.size();
}

uint64_t ObjectIndexCache::reads() const {
  std::lock_guard lock(mu_);
  return reads_;
}

Result<ObjectIndex> ObjectIndexCache::Build(const std::map<std::string, std::set<std::string>>& pinned,
                                            const VolumeStoreFor& store_for, uint32_t parallel) {
  ObjectIndex index;
  uint64_t build = 0;
  {
    std::lock_guard lock(mu_);
    build = ++builds_;
  }
  for (const auto& [volume, keys] : pinned) {
    std::vector<std::string> missing;
    VolumeIndex& out = index.volumes[volume];
    {
      std::lock_guard lock(mu_);
      for (const auto& key : keys) {
        auto hit = cached_.find(key);
        if (hit == cached_.end()) {
          missing.push_back(key);
        } else {
          out.emplace(key, hit->second.version);
        }
      }
    }
    if (missing.empty()) continue;
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> store, store_for(volume));
    std::vector<Result<IndexedVersion>> read(missing.size(), Result<IndexedVersion>(Unavailable("not read")));
    ParallelFor(missing.size(), parallel, [&](size_t i) { read[i] = ReadVersion(*store, missing[i]); });
    for (size_t i = 0; i < missing.size(); ++i) {
      if (!read[i].ok()) {
        return read[i].status().WithContext("index tablet version " + missing[i] + " in volume " + volume);
      }
      out.emplace(missing[i], std::move(*read[i]));
    }
    std::lock_guard lock(mu_);
    reads_ += missing.size();
  }
  std::map<std::string, Entry> next;
  for (const auto& [volume, versions] : index.volumes) {
    for (const auto& [key, v] : versions) next.emplace(key, Entry{.version = v});
  }
  std::lock_guard lock(mu_);
  for (auto& [key, entry] : cached_) {
    if (entry.noted_build >= build && !next.contains(key)) next.emplace(key, std::move(entry));  // noted meanwhile
  }
  cached_ = std::move(next);
  entries_max_ = std::max<size_t>(200'000, 2 * index.versions());
  return index;
}

std::vector<std::string> ListPrefixesFor(const std::set<std::string>& tablet_dirs, size_t tablets_per_prefix) {
  std::map<std::string, std::vector<std::string_view>> by_root;  // "<lineage>/data/tablets/" -> dirs
  for (const auto& dir : tablet_dirs) {
    auto split = SplitTabletKey(dir);
    if (split) by_root[std::string(split->first)].push_back(dir);
  }
  std::vector<std::string> out;
  for (auto& [root, dirs] : by_root) SplitPrefix(root, std::move(dirs), std::max<size_t>(tablets_per_prefix, 1), &out);
  return out;
}

ListedCheck CheckListed(objstore::ObjectStore& store, const VolumeIndex& versions, uint32_t parallel,
                        size_t problems_max, const std::function<std::string(const std::string&)>& where) {
  // Every needed object: key -> (size, the tablet version needing it).
  struct Needed {
    std::string key;
    uint64_t size;
    const std::string* version;
  };
  std::vector<Needed> needed;
  for (const auto& [key, v] : versions) {
    needed.push_back({key, v.meta_bytes, &key});
    for (const auto& [file, size] : v.files) needed.push_back({file, size, &key});
  }
  std::sort(needed.begin(), needed.end(), [](const Needed& a, const Needed& b) { return a.key < b.key; });
  needed.erase(std::unique(needed.begin(), needed.end(), [](const Needed& a, const Needed& b) { return a.key == b.key; }),
               needed.end());
  std::set<std::string> dirs;
  std::vector<size_t> unlistable;  // keys outside any tablet directory: HEADed instead
  for (size_t i = 0; i < needed.size(); ++i) {
    auto split = SplitTabletKey(needed[i].key);
    if (split) {
      dirs.insert(std::string(split->first) + std::string(split->second) + "/");
    } else {
      unlistable.push_back(i);
    }
  }
  const std::vector<std::string> prefixes = ListPrefixesFor(dirs, kTabletsPerListPrefix);

  enum : uint8_t { kUnseen = 0, kSeen = 1, kWrongSize = 2 };
  std::vector<uint8_t> seen(needed.size(), kUnseen);
  std::vector<uint64_t> seen_size(needed.size(), 0);
  auto find = [&](std::string_view key) -> std::optional<size_t> {
    auto it = std::lower_bound(needed.begin(), needed.end(), key,
                               [](const Needed& n, std::string_view k) { return n.key < k; });
    if (it == needed.end() || it->key != key) return std::nullopt;
    return static_cast<size_t>(it - needed.begin());
  };
  auto mark = [&](size_t i, uint64_t size) {
    seen[i] = size == needed[i].size ? kSeen : kWrongSize;
    seen_size[i] = size;
  };

  ListedCheck out;
  std::mutex mu;
  std::vector<std::string> errors;
  std::atomic<uint64_t> lists{0};
  ParallelFor(prefixes.size(), parallel, [&](size_t p) {
    objstore::ListOptions options{.prefix = prefixes[p]};
    for (size_t pages = 0; pages < kListPagesPerPrefixMax; ++pages) {
      auto page = store.List(options);
      lists.fetch_add(1);
      if (!page.ok()) {
        std::lock_guard lock(mu);
        errors.push_back(page.status().WithContext("list " + prefixes[p]).ToString());
        return;
      }
      for (const auto& o : page->objects) {
        if (auto i = find(o.key)) mark(*i, o.size_bytes);  // prefixes are disjoint: one writer per slot
      }
      if (page->next_continuation.empty()) return;
      options.continuation = std::move(page->next_continuation);
    }
  });
  ParallelFor(unlistable.size(), parallel, [&](size_t u) {
    const size_t i = unlistable[u];
    auto head = store.Head(needed[i].key);
    if (head.ok()) {
      mark(i, head->size_bytes);
    } else if (head.status().code() != StatusCode::kNotFound) {
      std::lock_guard lock(mu);
      errors.push_back(head.status().WithContext("head " + needed[i].key).ToString());
    }
  });
  out.lists = lists.load();

  auto add = [&](std::string problem) {
    if (out.problems.size() < std::max<size_t>(problems_max, 1)) {
      out.problems.push_back(std::move(problem));
    } else {
      ++out.problems_not_listed;
    }
  };
  for (size_t i = 0; i < needed.size(); ++i) {
    const Needed& n = needed[i];
    const bool is_version = n.key == *n.version;
    const std::string what = is_version ? "tablet version " + n.key : "data file " + n.key + " of tablet version " + *n.version;
    if (seen[i] == kSeen) {
      ++out.objects_checked;
    } else if (seen[i] == kWrongSize) {
      add(fmt::format("{}: {} has {} bytes; the snapshot recorded {}", where(*n.version), what, seen_size[i], n.size));
    } else if (errors.empty()) {
      add(fmt::format("{}: {} is missing", where(*n.version), what));
    }
  }
  if (!errors.empty()) {
    out.store_error = true;
    for (auto& e : errors) add(std::move(e));
  }
  return out;
}

Status CheckVersionsRestorable(objstore::ObjectStore& store, const std::set<std::string>& keys,
                               const ObjectIndex* index, uint32_t parallel, size_t problems_max,
                               uint64_t* checked_by_listing) {
  VolumeIndex listed;
  std::vector<std::string> unindexed;
  for (const auto& key : keys) {
    const IndexedVersion* found = index != nullptr ? index->Find(key) : nullptr;
    if (found != nullptr) {
      listed.emplace(key, *found);
    } else {
      unindexed.push_back(key);
    }
  }
  std::vector<std::string> problems;
  StatusCode code = StatusCode::kDataLoss;
  if (!listed.empty()) {
    ListedCheck c = CheckListed(store, listed, parallel, problems_max, [](const std::string& key) { return key; });
    problems = std::move(c.problems);
    if (c.store_error) code = StatusCode::kUnavailable;
  }
  std::vector<Status> read(unindexed.size());
  ParallelFor(unindexed.size(), parallel, [&](size_t i) {
    read[i] = storage::CheckRetainedReadable(store, storage::RetainedVersions{.meta_keys = {unindexed[i]}});
  });
  for (auto& s : read) {
    if (s.ok()) continue;
    if (s.code() != StatusCode::kDataLoss && s.code() != StatusCode::kNotFound) code = s.code();
    if (problems.size() < std::max<size_t>(problems_max, 1)) problems.push_back(s.ToString());
  }
  if (checked_by_listing != nullptr) *checked_by_listing = listed.size();
  if (problems.empty()) return Status::OK();
  std::string text = fmt::format("{} problem(s) among {} tablet versions:", problems.size(), keys.size());
  for (const auto& p : problems) text += "\n  " + p;
  return Status(code, text);
}

}  // namespace strata::snapshot

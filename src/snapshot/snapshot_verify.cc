// ScanSnapshots and VerifySnapshot (snapshot_tool.h): the parts of the
// offline snapshot tools that read the volume. Printing is in snapshot_tool.cc.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "common/crc32c.h"
#include "meta/log/image_store.h"
#include "snapshot/snapshot_tool.h"
#include "snapshot/volume_spec.h"
#include "storage/vacuum.h"

namespace strata::snapshot {
namespace {

constexpr std::string_view kImageDirInfix = "/meta/image/";
constexpr uint32_t kParallelMax = 64;

// Appends problems up to a bound, counting the rest.
class Problems {
 public:
  explicit Problems(SnapshotVerdict* verdict, size_t max) : verdict_(verdict), max_(max) {}
  void Add(std::string problem) {
    if (verdict_->problems.size() < max_) {
      verdict_->problems.push_back(std::move(problem));
    } else {
      ++verdict_->problems_not_listed;
    }
  }
  bool full() const { return verdict_->problems.size() >= max_; }

 private:
  SnapshotVerdict* verdict_;
  size_t max_;
};

// The top-level prefixes of the volume ("c1", "clusters", ...), sorted.
Result<std::vector<std::string>> ListTopLevel(objstore::ObjectStore& store) {
  std::vector<std::string> out;
  objstore::ListOptions options{.delimiter = "/"};
  for (size_t pages = 0;; ++pages) {
    if (pages > kScanLineagesMax) return ResourceExhausted("listing the volume root did not end");
    STRATA_ASSIGN_OR_RETURN(objstore::ListPage page, store.List(options));
    for (auto& p : page.common_prefixes) {
      if (p.size() > 1 && p.back() == '/') out.push_back(p.substr(0, p.size() - 1));
    }
    if (out.size() > kScanLineagesMax) {
      return ResourceExhausted(fmt::format("more than {} top-level prefixes in the volume", kScanLineagesMax));
    }
    if (page.next_continuation.empty()) break;
    options.continuation = page.next_continuation;
  }
  return out;
}

Status ScanLineage(objstore::ObjectStore& store, const std::string& cluster_id, SnapshotScan* scan) {
  const std::string prefix = cluster_id + std::string(kImageDirInfix);
  STRATA_ASSIGN_OR_RETURN(auto objects, objstore::ListAll(store, prefix, kScanObjectsMax));
  struct Dir {
    bool has_manifest = false;
    uint64_t objects = 0;
    int64_t newest_ms = 0;
  };
  std::map<std::string, Dir> dirs;
  for (const auto& o : objects) {
    std::string_view rest = std::string_view(o.key).substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) continue;  // a checkpoint image, not a snapshot
    Dir& d = dirs[std::string(rest.substr(0, slash))];
    d.has_manifest |= rest.substr(slash + 1) == kManifestName;
    ++d.objects;
    d.newest_ms = std::max(d.newest_ms, o.last_modified_ms);
  }
  for (const auto& [name, d] : dirs) {
    if (!d.has_manifest) {
      scan->debris.push_back({.cluster_id = cluster_id, .name = name, .objects = d.objects, .newest_ms = d.newest_ms});
      continue;
    }
    auto m = ReadManifest(store, cluster_id, name);
    if (m.ok()) {
      scan->snapshots.push_back(std::move(*m));
    } else if (m.status().code() == StatusCode::kDataLoss || m.status().code() == StatusCode::kFailedPrecondition) {
      scan->damaged.push_back(m.status().ToString());
    } else if (m.status().code() != StatusCode::kNotFound) {  // NotFound: deleted since the listing
      return m.status();
    }
  }
  return Status::OK();
}

// The image, checked against the manifest and decoded; nullopt (with the
// problem added) if it is missing or damaged.
std::optional<meta::Catalog> CheckImage(objstore::ObjectStore& store, const Manifest& m, Problems& problems) {
  const std::string key = ImageKey(m.cluster_id, m.name);
  auto head = store.Head(key);
  if (head.status().code() == StatusCode::kNotFound) {
    problems.Add("image " + key + " is missing");
    return std::nullopt;
  }
  if (!head.ok()) {
    problems.Add("cannot read image " + key + ": " + head.status().ToString());
    return std::nullopt;
  }
  if (head->size_bytes != m.image_bytes) {
    problems.Add(fmt::format("image {} has {} bytes; the manifest says {}", key, head->size_bytes, m.image_bytes));
    return std::nullopt;
  }
  auto bytes = store.Get(key);
  if (!bytes.ok()) {
    problems.Add("cannot read image " + key + ": " + bytes.status().ToString());
    return std::nullopt;
  }
  const uint32_t crc = ImageChecksum(*bytes);
  if (bytes->size() != m.image_bytes || crc != m.image_crc32c) {
    problems.Add(fmt::format("image {} is damaged: {} bytes with CRC32C {:#010x}; the manifest says {} bytes, {:#010x}",
                             key, bytes->size(), crc, m.image_bytes, m.image_crc32c));
    return std::nullopt;
  }
  auto payload = meta::UnframeImage(m.cluster_id, m.version, *bytes);
  if (!payload.ok()) {
    problems.Add("image " + key + ": " + payload.status().ToString());
    return std::nullopt;
  }
  auto catalog = meta::Catalog::DecodeImage(*payload);
  if (!catalog.ok()) {
    problems.Add("image " + key + ": catalog does not decode: " + catalog.status().ToString());
    return std::nullopt;
  }
  if (catalog->version() != m.version) {
    problems.Add(fmt::format("image {} holds the catalog at version {}; the manifest says {}", key,
                             catalog->version(), m.version));
  }
  return std::move(*catalog);
}

// Pinned tablet version key -> where it is used ("db.table partition p tablet 10022").
using PinnedKeys = std::map<std::string, std::string>;

// The tablet versions the catalog pins, by the name of their table's storage volume.
std::map<std::string, PinnedKeys> PinnedByVolume(const meta::CatalogState& s, Problems& problems) {
  std::map<std::string, PinnedKeys> out;
  for (const auto& [id, p] : s.partitions) {
    auto t = s.tables.find(p.table_id);
    if (t == s.tables.end()) {
      problems.Add(fmt::format("partition {} ({}) names table {}, which the image lacks", p.name, id, p.table_id));
      continue;
    }
    const meta::Table& table = t->second;
    auto db = s.databases.find(table.db_id);
    const std::string db_name = db == s.databases.end() ? std::to_string(table.db_id) : db->second.name;
    const std::string volume = table.storage_volume.empty() ? s.default_storage_volume : table.storage_volume;
    for (size_t i = 0; i < p.tablet_meta.size(); ++i) {
      if (p.tablet_meta[i].empty()) continue;  // never written: nothing to read
      const uint64_t tablet = i < p.tablet_ids.size() ? p.tablet_ids[i] : 0;
      out[volume].emplace(p.tablet_meta[i],
                          fmt::format("{}.{} partition {} tablet {}", db_name, table.name, p.name, tablet));
    }
  }
  return out;
}

struct VersionCheck {
  uint64_t checked = 0;
  std::vector<std::pair<std::string, Status>> failures;  // by key
  bool store_error = false;  // stopped at an error that is not about one object
};

// A failure that names a missing or damaged object (as opposed to a store
// that cannot be read at all: credentials, network, throttling).
bool IsObjectProblem(StatusCode code) {
  return code == StatusCode::kDataLoss || code == StatusCode::kInvalidArgument ||
         code == StatusCode::kFailedPrecondition;
}

// CheckRetainedReadable for each key, on up to `parallel` threads, until
// `failures_max` failures or a store error.
VersionCheck CheckVersions(objstore::ObjectStore& store, const std::vector<std::string>& keys, uint32_t parallel,
                           size_t failures_max) {
  VersionCheck out;
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> checked{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  auto worker = [&] {
    while (!stop.load()) {
      const size_t i = next.fetch_add(1);
      if (i >= keys.size()) return;
      Status s = storage::CheckRetainedReadable(store, storage::RetainedVersions{.meta_keys = {keys[i]}});
      checked.fetch_add(1);
      if (s.ok()) continue;
      std::lock_guard lock(mu);
      const bool store_error = !IsObjectProblem(s.code());
      out.store_error |= store_error;
      out.failures.emplace_back(keys[i], std::move(s));
      if (store_error || out.failures.size() >= failures_max) stop.store(true);
    }
  };
  const size_t threads_n = std::min<size_t>(std::clamp<uint32_t>(parallel, 1, kParallelMax), keys.size());
  std::vector<std::thread> threads;
  threads.reserve(threads_n);
  for (size_t i = 0; i < threads_n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  out.checked = checked.load();
  std::sort(out.failures.begin(), out.failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// The store holding a volume's tablets. The given store (its flags and
// credentials work) for the volume the snapshot is stored on — the manifest
// names it, and the operator gave its location, which may be a replica of the
// one the image records — and for any volume at that same location. Any other
// volume is opened from its definition in the image.
Result<std::shared_ptr<objstore::ObjectStore>> StoreForVolume(const meta::StorageVolume& volume,
                                                              objstore::ObjectStore& given, const Manifest& manifest,
                                                              const VerifyOptions& options, const StoreOpener& open,
                                                              bool* via_given) {
  objstore::VolumeSpec spec = VolumeSpecOf(volume);
  *via_given = (!manifest.storage_volume.empty() && volume.name == manifest.storage_volume) ||
               (!options.volume_location.empty() &&
                NormalizeLocation(spec.location) == NormalizeLocation(options.volume_location));
  if (*via_given) {
    return std::shared_ptr<objstore::ObjectStore>(std::shared_ptr<objstore::ObjectStore>(), &given);  // not owned
  }
  if (!open) return FailedPrecondition("no way to open other volumes");
  return open(spec);
}

void CheckVolume(objstore::ObjectStore& store, const std::string& volume_name, const PinnedKeys& pinned,
                 const VerifyOptions& options, SnapshotVerdict& verdict, Problems& problems) {
  std::vector<std::string> keys;
  keys.reserve(pinned.size());
  for (const auto& [key, where] : pinned) keys.push_back(key);
  VersionCheck c = CheckVersions(store, keys, options.parallel, options.problems_max);
  verdict.tablet_versions_checked += c.checked;
  for (const auto& [key, status] : c.failures) problems.Add(pinned.at(key) + ": " + status.ToString());
  if (c.store_error || c.checked < keys.size()) {
    problems.Add(fmt::format("storage volume '{}': stopped checking{}; {} of {} tablet versions not checked",
                             volume_name, c.store_error ? " at a store error" : "", keys.size() - c.checked,
                             keys.size()));
  }
}

// The listing check of one volume against the snapshot's object index. Every
// pinned version must be in the index (the index was written with the image;
// a mismatch means one of them is not this snapshot's).
void CheckVolumeListed(objstore::ObjectStore& store, const std::string& volume_name, const PinnedKeys& pinned,
                       const ObjectIndex& index, const VerifyOptions& options, SnapshotVerdict& verdict,
                       Problems& problems) {
  VolumeIndex needed;
  size_t unindexed = 0;
  for (const auto& [key, where] : pinned) {
    const IndexedVersion* found = index.Find(key);
    if (found == nullptr) {
      if (++unindexed <= 3) problems.Add(where + ": tablet version " + key + " is not in the snapshot's object index");
      continue;
    }
    needed.emplace(key, *found);
  }
  if (unindexed > 3) problems.Add(fmt::format("{} more tablet versions are not in the object index", unindexed - 3));
  ListedCheck c = CheckListed(store, needed, options.parallel, options.problems_max,
                              [&pinned](const std::string& key) { return pinned.at(key); });
  verdict.objects_checked += c.objects_checked;
  verdict.lists += c.lists;
  if (c.ok() && unindexed == 0) verdict.tablet_versions_checked += pinned.size();
  for (auto& p : c.problems) problems.Add(std::move(p));
  if (c.problems_not_listed > 0) problems.Add(fmt::format("storage volume '{}': {} more problems", volume_name,
                                                         c.problems_not_listed));
  if (c.store_error) problems.Add(fmt::format("storage volume '{}': the listing check stopped at a store error",
                                             volume_name));
}

void CheckTablets(objstore::ObjectStore& store, const meta::Catalog& catalog, const ObjectIndex* index,
                  const VerifyOptions& options, const StoreOpener& open, SnapshotVerdict& verdict,
                  Problems& problems) {
  const meta::CatalogState& s = catalog.state();
  const std::map<std::string, PinnedKeys> by_volume = PinnedByVolume(s, problems);
  for (const auto& [volume, pinned] : by_volume) verdict.tablet_versions += pinned.size();
  if (verdict.manifest && verdict.manifest->tablet_versions != verdict.tablet_versions) {
    problems.Add(fmt::format("the manifest says {} tablet versions; the image pins {}",
                             verdict.manifest->tablet_versions, verdict.tablet_versions));
  }
  for (const auto& [volume_name, pinned] : by_volume) {
    if (problems.full()) {
      problems.Add(fmt::format("storage volume '{}': {} tablet versions not checked (too many problems)", volume_name,
                               pinned.size()));
      continue;
    }
    auto volume = s.storage_volumes.find(volume_name);
    if (volume == s.storage_volumes.end()) {
      problems.Add(fmt::format("storage volume '{}' (of {}) is not defined in the image; {} tablet versions not checked",
                               volume_name, pinned.begin()->second, pinned.size()));
      continue;
    }
    bool via_given = false;
    auto volume_store = StoreForVolume(volume->second, store, *verdict.manifest, options, open, &via_given);
    if (!volume_store.ok()) {
      problems.Add(fmt::format("cannot open storage volume '{}': {}; {} tablet versions not checked", volume_name,
                               volume_store.status().ToString(), pinned.size()));
      continue;
    }
    verdict.volumes.push_back(volume_name);
    if (via_given) verdict.volumes_via_given.push_back(volume_name);
    if (index != nullptr) {
      CheckVolumeListed(**volume_store, volume_name, pinned, *index, options, verdict, problems);
    } else {
      CheckVolume(**volume_store, volume_name, pinned, options, verdict, problems);
    }
  }
}

// The object index when the snapshot has one and the check may use it; nullopt
// (with the reason in verdict.method) otherwise.
std::optional<ObjectIndex> UsableIndex(objstore::ObjectStore& store, const Manifest& m, const VerifyOptions& options,
                                       SnapshotVerdict& verdict) {
  verdict.method = "tablet versions read";
  if (options.deep) return std::nullopt;
  if (m.objects_bytes == 0) {
    verdict.method += " (the snapshot has no object index)";
    return std::nullopt;
  }
  auto index = ReadObjectIndex(store, m);
  if (!index.ok()) {
    verdict.method += " (object index unusable: " + index.status().ToString() + ")";
    return std::nullopt;
  }
  verdict.method = "object index, listed";
  return std::move(*index);
}

}  // namespace

Result<SnapshotScan> ScanSnapshots(objstore::ObjectStore& store, std::string_view cluster_id) {
  std::vector<std::string> lineages;
  if (cluster_id.empty()) {
    STRATA_ASSIGN_OR_RETURN(lineages, ListTopLevel(store));
  } else {
    lineages.emplace_back(cluster_id);
  }
  SnapshotScan scan;
  for (const auto& lineage : lineages) {
    STRATA_RETURN_IF_ERROR(ScanLineage(store, lineage, &scan).WithContext("scan snapshots of " + lineage));
  }
  std::sort(scan.snapshots.begin(), scan.snapshots.end(), [](const Manifest& a, const Manifest& b) {
    return std::tie(a.created_ms, a.cluster_id, a.name) < std::tie(b.created_ms, b.cluster_id, b.name);
  });
  return scan;
}

SnapshotVerdict VerifySnapshot(objstore::ObjectStore& store, std::string_view cluster_id, std::string_view name,
                               const VerifyOptions& options, const StoreOpener& open) {
  SnapshotVerdict verdict{.cluster_id = std::string(cluster_id), .name = std::string(name)};
  Problems problems(&verdict, std::max<size_t>(options.problems_max, 1));
  auto m = ReadManifest(store, cluster_id, name);
  if (m.status().code() == StatusCode::kNotFound) {
    const bool debris = store.Head(ImageKey(cluster_id, name)).ok();
    problems.Add(debris ? "no manifest " + ManifestKey(cluster_id, name) +
                              ": an incomplete snapshot (debris of an unfinished job), not restorable"
                        : "no snapshot " + std::string(cluster_id) + "/" + std::string(name) + " in the volume");
    return verdict;
  }
  if (!m.ok()) {
    problems.Add("manifest: " + m.status().ToString());
    return verdict;
  }
  verdict.manifest = *m;
  std::optional<meta::Catalog> catalog = CheckImage(store, *m, problems);
  if (!catalog) return verdict;
  verdict.image_ok = true;
  std::optional<ObjectIndex> index = UsableIndex(store, *m, options, verdict);
  CheckTablets(store, *catalog, index ? &*index : nullptr, options, open, verdict, problems);
  return verdict;
}

SnapshotVerdict VerifySnapshotCatalog(objstore::ObjectStore& store, const Manifest& manifest,
                                      const meta::Catalog& catalog, const VerifyOptions& options,
                                      const StoreOpener& open) {
  SnapshotVerdict verdict{.cluster_id = manifest.cluster_id, .name = manifest.name, .manifest = manifest};
  Problems problems(&verdict, std::max<size_t>(options.problems_max, 1));
  if (catalog.version() != manifest.version) {
    problems.Add(fmt::format("the catalog is at version {}; the manifest says {}", catalog.version(),
                             manifest.version));
    return verdict;
  }
  verdict.image_ok = true;
  std::optional<ObjectIndex> index = UsableIndex(store, manifest, options, verdict);
  CheckTablets(store, catalog, index ? &*index : nullptr, options, open, verdict, problems);
  return verdict;
}

}  // namespace strata::snapshot

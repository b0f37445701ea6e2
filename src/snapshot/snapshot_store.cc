#include "snapshot/snapshot_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "common/crc32c.h"
#include "common/failpoint.h"
#include "meta/log/image_store.h"

namespace strata::snapshot {
namespace {

using Json = nlohmann::json;
constexpr size_t kNameBytesMax = 128;

Status Damaged(std::string_view key, std::string_view what) {
  return DataLoss("snapshot manifest " + std::string(key) + ": " + std::string(what));
}

// "<cluster_id>/meta/image/<name>/<file>" -> (cluster_id, name, file); nullopt otherwise.
std::optional<std::array<std::string, 3>> SplitKey(std::string_view key) {
  size_t a = key.find("/meta/image/");
  if (a == std::string_view::npos || a == 0) return std::nullopt;
  std::string_view rest = key.substr(a + 12);
  size_t b = rest.find('/');
  if (b == std::string_view::npos || b == 0) return std::nullopt;
  return std::array<std::string, 3>{std::string(key.substr(0, a)), std::string(rest.substr(0, b)),
                                    std::string(rest.substr(b + 1))};
}

}  // namespace

uint32_t ImageChecksum(std::string_view framed) {
  return Crc32c(framed.size() >= 4 ? framed.substr(0, framed.size() - 4) : framed);
}

std::string SnapshotDir(std::string_view cluster_id, std::string_view name) {
  return fmt::format("{}/meta/image/{}/", cluster_id, name);
}
std::string ImageKey(std::string_view cluster_id, std::string_view name) {
  return SnapshotDir(cluster_id, name) + "image";
}
std::string ManifestKey(std::string_view cluster_id, std::string_view name) {
  return SnapshotDir(cluster_id, name) + std::string(kManifestName);
}

Status ValidateSnapshotName(std::string_view name) {
  if (name.empty() || name.size() > kNameBytesMax) return InvalidArgument("a snapshot name has 1..128 characters");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return InvalidArgument("snapshot name '" + std::string(name) + "': only letters, digits, '_' and '-'");
    }
  }
  if (name.starts_with("image.")) return InvalidArgument("snapshot names may not start with 'image.'");
  return Status::OK();
}

std::string EncodeManifest(const Manifest& m) {
  Json j{{"format_version", m.format_version}, {"name", m.name}, {"type", m.type}, {"cluster_id", m.cluster_id},
         {"cluster_name", m.cluster_name}, {"version", m.version}, {"created_ms", m.created_ms},
         {"completed_ms", m.completed_ms}, {"storage_volume", m.storage_volume}, {"image_bytes", m.image_bytes},
         {"image_crc32c", m.image_crc32c}, {"tablet_versions", m.tablet_versions}, {"data_bytes", m.data_bytes}};
  if (m.format_version >= 2) {
    j["objects_bytes"] = m.objects_bytes;
    j["objects_crc32c"] = m.objects_crc32c;
  }
  return j.dump(2) + "\n";
}

Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view key) {
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Damaged(key, "not a JSON object");
  Manifest m;
  try {
    m.format_version = j.at("format_version").get<uint32_t>();
    if (m.format_version > kManifestFormatVersion) {
      return FailedPrecondition("snapshot manifest " + std::string(key) + ": format version " +
                                std::to_string(m.format_version) + " is newer than this binary reads");
    }
    m.name = j.at("name").get<std::string>();
    m.type = j.at("type").get<std::string>();
    m.cluster_id = j.at("cluster_id").get<std::string>();
    m.cluster_name = j.value("cluster_name", "");
    m.version = j.at("version").get<uint64_t>();
    m.created_ms = j.at("created_ms").get<int64_t>();
    m.completed_ms = j.at("completed_ms").get<int64_t>();
    m.storage_volume = j.value("storage_volume", "");
    m.image_bytes = j.at("image_bytes").get<uint64_t>();
    m.image_crc32c = j.at("image_crc32c").get<uint32_t>();
    m.tablet_versions = j.value("tablet_versions", uint64_t{0});
    m.data_bytes = j.value("data_bytes", uint64_t{0});
    if (m.format_version >= 2) {
      m.objects_bytes = j.at("objects_bytes").get<uint64_t>();
      m.objects_crc32c = j.at("objects_crc32c").get<uint32_t>();
    }
  } catch (const Json::exception& e) {
    return Damaged(key, e.what());
  }
  if ((m.type != "AUTOMATED" && m.type != "MANUAL") || m.cluster_id.empty() || m.version == 0 ||
      !ValidateSnapshotName(m.name).ok() || m.image_bytes > kImageBytesMax || m.format_version == 0 ||
      m.objects_bytes > kObjectIndexBytesMax || (m.format_version >= 2 && m.objects_bytes == 0)) {
    return Damaged(key, "inconsistent fields");
  }
  if (auto parts = SplitKey(key); parts && ((*parts)[0] != m.cluster_id || (*parts)[1] != m.name)) {
    return Damaged(key, "names another snapshot (" + m.cluster_id + "/" + m.name + ")");
  }
  return m;
}

Result<Manifest> WriteSnapshot(objstore::ObjectStore& store, const meta::Catalog& catalog, Manifest m,
                               const ObjectIndex* index) {
  STRATA_RETURN_IF_ERROR(ValidateSnapshotName(m.name));
  m.version = catalog.version();
  if (m.version == 0) return FailedPrecondition("cannot snapshot an empty log");
  const std::string framed = meta::FrameImage(m.cluster_id, m.version, catalog.EncodeImage());
  m.image_bytes = framed.size();
  m.image_crc32c = ImageChecksum(framed);
  m.tablet_versions = PinnedVersions(catalog.state()).size();
  std::string objects;
  if (index != nullptr) {
    if (index->versions() != m.tablet_versions) {
      return FailedPrecondition(fmt::format("the object index has {} tablet versions; the catalog pins {}",
                                            index->versions(), m.tablet_versions));
    }
    objects = EncodeObjectIndex(*index);
    m.format_version = 2;
    m.objects_bytes = objects.size();
    m.objects_crc32c = Crc32c(objects);
    std::set<std::string_view> files;
    m.data_bytes = 0;
    for (const auto& [volume, versions] : index->volumes) {
      for (const auto& [key, v] : versions) {
        for (const auto& [file, size] : v.files) {
          if (files.insert(file).second) m.data_bytes += size;
        }
      }
    }
  } else {
    m.format_version = 1;
    m.objects_bytes = 0;
    m.objects_crc32c = 0;
  }
  const std::string image_key = ImageKey(m.cluster_id, m.name);
  Status put = store.PutIfAbsent(image_key, framed);
  if (put.code() == StatusCode::kAlreadyExists) {
    // A retried job (same name, same cut) or debris of an earlier attempt: replace
    // it only while no manifest names it.
    auto manifest = store.Head(ManifestKey(m.cluster_id, m.name));
    if (manifest.ok()) return AlreadyExists("snapshot " + m.name + " already exists");
    put = store.Put(image_key, framed);
  }
  STRATA_RETURN_IF_ERROR(put.WithContext("write snapshot image " + image_key));
  STRATA_FAILPOINT("snapshot.after_image");
  if (index != nullptr) {
    // Like the image: no manifest names this directory yet (checked above or just created).
    STRATA_RETURN_IF_ERROR(store.Put(ObjectIndexKey(m.cluster_id, m.name), objects)
                               .WithContext("write snapshot object index of " + m.name));
  }
  STRATA_RETURN_IF_ERROR(store.PutIfAbsent(ManifestKey(m.cluster_id, m.name), EncodeManifest(m))
                             .WithContext("write snapshot manifest of " + m.name));
  STRATA_FAILPOINT("snapshot.after_manifest");
  return m;
}

Result<Manifest> ReadManifest(objstore::ObjectStore& store, std::string_view cluster_id, std::string_view name) {
  const std::string key = ManifestKey(cluster_id, name);
  auto head = store.Head(key);
  if (!head.ok()) return head.status().WithContext("snapshot " + std::string(name));
  if (head->size_bytes > kManifestBytesMax) return Damaged(key, "too large");
  STRATA_ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
  return DecodeManifest(bytes, key);
}

Result<std::vector<Manifest>> ListSnapshots(objstore::ObjectStore& store, std::string_view cluster_id,
                                            std::vector<std::string>* damaged) {
  std::vector<Manifest> out;
  STRATA_ASSIGN_OR_RETURN(auto objects, objstore::ListAll(store, cluster_id.empty() ? "" : std::string(cluster_id) + "/"));
  for (const auto& o : objects) {
    auto parts = SplitKey(o.key);
    if (!parts || (*parts)[2] != kManifestName) continue;
    if (!cluster_id.empty() && (*parts)[0] != cluster_id) continue;
    auto m = ReadManifest(store, (*parts)[0], (*parts)[1]);
    if (m.ok()) {
      out.push_back(std::move(*m));
    } else if (m.status().code() == StatusCode::kDataLoss || m.status().code() == StatusCode::kFailedPrecondition) {
      if (damaged != nullptr) damaged->push_back(m.status().ToString());
    } else if (m.status().code() != StatusCode::kNotFound) {
      return m.status();
    }
  }
  std::sort(out.begin(), out.end(), [](const Manifest& a, const Manifest& b) {
    return std::tie(a.created_ms, a.name) < std::tie(b.created_ms, b.name);
  });
  return out;
}

Result<meta::Catalog> ReadSnapshotCatalog(objstore::ObjectStore& store, const Manifest& m) {
  const std::string key = ImageKey(m.cluster_id, m.name);
  STRATA_ASSIGN_OR_RETURN(std::string framed, store.Get(key));
  if (framed.size() != m.image_bytes || ImageChecksum(framed) != m.image_crc32c) {
    return DataLoss("snapshot image " + key + " does not match its manifest (size or checksum)");
  }
  STRATA_ASSIGN_OR_RETURN(std::string payload, meta::UnframeImage(m.cluster_id, m.version, framed));
  auto catalog = meta::Catalog::DecodeImage(payload);
  if (!catalog.ok()) return catalog.status().WithContext("snapshot image " + key);
  return catalog;
}

Result<ObjectIndex> ReadObjectIndex(objstore::ObjectStore& store, const Manifest& m) {
  const std::string key = ObjectIndexKey(m.cluster_id, m.name);
  if (m.objects_bytes == 0) return NotFound("snapshot " + m.name + " has no object index (manifest format 1)");
  STRATA_ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
  if (bytes.size() != m.objects_bytes || Crc32c(bytes) != m.objects_crc32c) {
    return DataLoss("snapshot object index " + key + " does not match its manifest (size or checksum)");
  }
  return DecodeObjectIndex(bytes, key);
}

Status DeleteSnapshot(objstore::ObjectStore& store, std::string_view cluster_id, std::string_view name) {
  STRATA_RETURN_IF_ERROR(store.Delete(ManifestKey(cluster_id, name)));
  STRATA_FAILPOINT("snapshot.delete.after_manifest");
  STRATA_RETURN_IF_ERROR(store.Delete(ImageKey(cluster_id, name)));
  return store.Delete(ObjectIndexKey(cluster_id, name));
}

std::set<std::string> PinnedVersions(const meta::CatalogState& state) {
  std::set<std::string> keys;
  for (const auto& [id, p] : state.partitions) {
    for (const auto& k : p.tablet_meta) {
      if (!k.empty()) keys.insert(k);
    }
  }
  return keys;
}

VersionsByVolume PinnedVersionsByVolume(const meta::CatalogState& state) {
  VersionsByVolume out;
  for (const auto& [id, p] : state.partitions) {
    auto t = state.tables.find(p.table_id);
    std::string volume = t == state.tables.end() || t->second.storage_volume.empty() ? "builtin_storage_volume"
                                                                                     : t->second.storage_volume;
    for (const auto& k : p.tablet_meta) {
      if (!k.empty()) out[volume].insert(k);
    }
  }
  return out;
}

Result<std::vector<std::string>> CleanUpDebris(objstore::ObjectStore& store, std::string_view cluster_id,
                                               int64_t older_than_ms) {
  STRATA_ASSIGN_OR_RETURN(auto objects, objstore::ListAll(store, std::string(cluster_id) + "/meta/image/"));
  struct Dir {
    bool has_manifest = false;
    int64_t newest_ms = 0;
    std::vector<std::string> keys;
  };
  std::map<std::string, Dir> dirs;
  for (const auto& o : objects) {
    auto parts = SplitKey(o.key);
    if (!parts || (*parts)[0] != cluster_id) continue;
    Dir& d = dirs[(*parts)[1]];
    d.has_manifest |= (*parts)[2] == kManifestName;
    d.newest_ms = std::max(d.newest_ms, o.last_modified_ms);
    d.keys.push_back(o.key);
  }
  std::vector<std::string> removed;
  for (auto& [name, d] : dirs) {
    if (d.has_manifest || d.newest_ms >= older_than_ms) continue;
    STRATA_RETURN_IF_ERROR(store.DeleteBatch(d.keys));
    removed.push_back(name);
  }
  return removed;
}

}  // namespace strata::snapshot

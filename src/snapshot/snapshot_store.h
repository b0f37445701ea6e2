// Cluster snapshots in object storage (DESIGN §5, invariant 3). A snapshot of
// lineage C at log version V is two objects under the snapshot volume:
//
//   <cluster_id>/meta/image/<name>/image               the catalog at V, framed
//                                                       like a checkpoint image
//   <cluster_id>/meta/image/<name>/objects             the object index: every
//                                                       tablet version and data
//                                                       file it needs, with sizes
//                                                       (object_index.h)
//   <cluster_id>/meta/image/<name>/snapshot_meta.json  the manifest, written last
//                                                       with put-if-absent
//
// A snapshot exists only when its manifest does: listing, restore and
// retention ignore a directory without one (debris of a crash, removed by
// CleanUpDebris). No table data is copied — the image names every tablet
// version the snapshot needs, and vacuum keeps them (PinnedVersions) while the
// snapshot is retained. Spec: docs/formats/cluster-snapshot.md.
//
// Failpoints: snapshot.after_image, snapshot.after_manifest, snapshot.delete.after_manifest.
// Thread-safety: free functions; as thread-safe as the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "meta/catalog/catalog.h"
#include "objstore/object_store.h"
#include "snapshot/object_index.h"

namespace strata::snapshot {

// 1: no object index; 2: the manifest names the object index (size, CRC).
inline constexpr uint32_t kManifestFormatVersion = 2;
inline constexpr std::string_view kManifestName = "snapshot_meta.json";
inline constexpr uint64_t kManifestBytesMax = 1 << 20;
inline constexpr uint64_t kImageBytesMax = 4ull << 30;

struct Manifest {
  uint32_t format_version = kManifestFormatVersion;
  std::string name;            // automated_cluster_snapshot_<ms> or the manual name
  std::string type;            // "AUTOMATED" | "MANUAL"
  std::string cluster_id;      // the lineage the snapshot was taken from
  std::string cluster_name;
  uint64_t version = 0;        // metadata log version the image captures
  int64_t created_ms = 0;
  int64_t completed_ms = 0;
  std::string storage_volume;  // the volume holding the snapshot
  uint64_t image_bytes = 0;
  uint32_t image_crc32c = 0;   // ImageChecksum of the framed image object
  uint64_t tablet_versions = 0;  // tablet versions the snapshot pins
  uint64_t data_bytes = 0;       // bytes of the data files the snapshot needs (0 without an index)
  uint64_t objects_bytes = 0;    // size of the object index (format 2; 0 = none)
  uint32_t objects_crc32c = 0;   // CRC-32C of the whole object index
  bool operator==(const Manifest&) const = default;
};

// The manifest's image checksum: CRC-32C of the framed image without its
// trailing 4 bytes (the frame's own CRC — a CRC over data that ends in its own
// CRC is the same constant for every intact image, so it would not tie the
// manifest to one image).
uint32_t ImageChecksum(std::string_view framed_image);

std::string SnapshotDir(std::string_view cluster_id, std::string_view name);  // ends with '/'
std::string ImageKey(std::string_view cluster_id, std::string_view name);
std::string ManifestKey(std::string_view cluster_id, std::string_view name);
// InvalidArgument unless `name` is 1..128 of [A-Za-z0-9_-] and not "image.*".
Status ValidateSnapshotName(std::string_view name);

std::string EncodeManifest(const Manifest& m);
// DataLoss (naming `key`) for malformed JSON or missing fields;
// FailedPrecondition for a newer format version.
Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view key);

// Writes the image, the object index (when given: it must index exactly the
// catalog's tablet versions) and then the manifest. The image is `catalog`
// encoded at its version. AlreadyExists if a complete snapshot of that name
// exists.
Result<Manifest> WriteSnapshot(objstore::ObjectStore& store, const meta::Catalog& catalog, Manifest manifest,
                               const ObjectIndex* index = nullptr);

// Complete snapshots of `cluster_id` ("" = every lineage in the volume),
// oldest first. Damaged manifests are reported in `damaged` (if given), not
// listed.
Result<std::vector<Manifest>> ListSnapshots(objstore::ObjectStore& store, std::string_view cluster_id,
                                            std::vector<std::string>* damaged = nullptr);
Result<Manifest> ReadManifest(objstore::ObjectStore& store, std::string_view cluster_id, std::string_view name);
// The snapshot's catalog, verified against the manifest (size, CRC, frame).
Result<meta::Catalog> ReadSnapshotCatalog(objstore::ObjectStore& store, const Manifest& manifest);

// The snapshot's object index, checked against the manifest (size, CRC).
// NotFound when the manifest names none (format 1); DataLoss when damaged.
Result<ObjectIndex> ReadObjectIndex(objstore::ObjectStore& store, const Manifest& manifest);

// Deletes the manifest first (the snapshot stops existing atomically), then
// the image and the object index. Idempotent.
Status DeleteSnapshot(objstore::ObjectStore& store, std::string_view cluster_id, std::string_view name);

// Every tablet version key a catalog names (what a snapshot pins).
std::set<std::string> PinnedVersions(const meta::CatalogState& state);
// The same, by the storage volume each version lives in (a table without a
// volume name lives in builtin_storage_volume).
using VersionsByVolume = std::map<std::string, std::set<std::string>>;
VersionsByVolume PinnedVersionsByVolume(const meta::CatalogState& state);

// Deletes snapshot directories of `cluster_id` that have no manifest and whose
// objects are older than `older_than_ms` (a crashed job's debris). Returns the
// names removed.
Result<std::vector<std::string>> CleanUpDebris(objstore::ObjectStore& store, std::string_view cluster_id,
                                               int64_t older_than_ms);

}  // namespace strata::snapshot

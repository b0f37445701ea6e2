// `strata snapshot list|inspect|verify`: offline tools over a snapshot volume
// (DESIGN §5). They need no running cluster — only the volume's location and,
// for S3, its endpoint and credentials — and they never write.
//
//   list     every complete snapshot (all lineages unless --cluster-id), damaged
//            manifests, and with --show-debris directories without a manifest
//   inspect  one snapshot's manifest and a summary of the catalog in its image
//   verify   proves a snapshot restorable: the manifest decodes, the image
//            matches the manifest's size and CRC and decodes, and every tablet
//            version the image pins is readable with all its data files
//            (storage::CheckRetainedReadable), on the volume the image names
//
// Credentials are never printed: volume credentials in an image show as "***",
// and the S3 flags are only handed to the object store.
//
// Exit codes: kToolExitOk, kToolExitProblems (anything missing or damaged, or
// the volume could not be read), kToolExitUsage (bad flags, or a volume that
// cannot be opened as given). Usage text: kSnapshotToolUsage; operator guide:
// docs/operations/snapshot-tool.md.
//
// Thread-safety: free functions; verify checks tablet versions on a bounded
// number of threads (VerifyOptions::parallel), all through thread-safe stores.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "objstore/open_object_store.h"
#include "snapshot/snapshot_store.h"

namespace strata::snapshot {

inline constexpr int kToolExitOk = 0;
inline constexpr int kToolExitProblems = 1;
inline constexpr int kToolExitUsage = 2;

extern const char* const kSnapshotToolUsage;

// Opens a volume for the tools. The default (OpenToolStore) is
// objstore::OpenObjectStore wrapped in a RetryingObjectStore.
using StoreOpener = std::function<Result<std::shared_ptr<objstore::ObjectStore>>(const objstore::VolumeSpec&)>;
Result<std::shared_ptr<objstore::ObjectStore>> OpenToolStore(const objstore::VolumeSpec& spec);

// What `strata snapshot` talks to: its output streams, the environment (for
// STRATA_S3_ACCESS_KEY / STRATA_S3_SECRET_KEY) and how volumes are opened
// (tests pass in-memory stores).
struct ToolEnv {
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  std::function<std::optional<std::string>(const std::string&)> getenv;  // null: no environment
  StoreOpener open = OpenToolStore;
};

// Runs `strata snapshot <args>` (args after "snapshot"); returns the exit code.
int RunSnapshotTool(const std::vector<std::string>& args, const ToolEnv& env);

// ---------------------------------------------------------------- the parts, for tests and other tools

// One pass over `<cluster_id>/meta/image/` of each lineage ("" = every
// top-level prefix of the volume). Never lists table data.
struct SnapshotScan {
  struct Debris {  // a snapshot directory without a manifest (not a snapshot)
    std::string cluster_id;
    std::string name;
    uint64_t objects = 0;
    int64_t newest_ms = 0;
  };
  std::vector<Manifest> snapshots;   // complete, by (created_ms, cluster_id, name)
  std::vector<std::string> damaged;  // one message per manifest that does not decode
  std::vector<Debris> debris;
};
// The store's errors (Unavailable, PermissionDenied...); ResourceExhausted
// past kScanLineagesMax lineages or kScanObjectsMax objects in one lineage's
// meta/image/.
inline constexpr size_t kScanLineagesMax = 10'000;
inline constexpr size_t kScanObjectsMax = 1'000'000;
Result<SnapshotScan> ScanSnapshots(objstore::ObjectStore& store, std::string_view cluster_id);

struct VerifyOptions {
  std::string volume_location;  // the location `store` was opened from
  size_t problems_max = 100;    // per snapshot; checking stops there
  uint32_t parallel = 8;        // tablet versions checked (or prefixes listed) at once (1..64)
  // Read every tablet version and HEAD every data file even when the snapshot
  // has an object index (which otherwise is checked by LISTing the volume:
  // every object present with its recorded size).
  bool deep = false;
};

struct SnapshotVerdict {
  std::string cluster_id;
  std::string name;
  std::optional<Manifest> manifest;   // when it decoded
  bool image_ok = false;              // matches the manifest and its catalog decodes
  uint64_t tablet_versions = 0;       // pinned by the image (when it decoded)
  uint64_t tablet_versions_checked = 0;
  std::string method;                 // "object index, listed" | "tablet versions read"
  uint64_t objects_checked = 0;       // by listing: tablet versions and data files seen with their sizes
  uint64_t lists = 0;                 // LIST requests made by the listing check
  std::vector<std::string> volumes;   // storage volumes whose tablet versions were checked
  std::vector<std::string> volumes_via_given;  // those read through the given store
  std::vector<std::string> problems;  // empty: restorable
  uint64_t problems_not_listed = 0;   // beyond problems_max
  bool ok() const { return problems.empty(); }
};

// Verifies snapshot `cluster_id`/`name` on `store`. Tablet versions on the
// storage volume the manifest says holds the snapshot, or on any volume whose
// location equals options.volume_location, are read through `store` (which may
// be a replica at another location); other volumes are opened with `open` and
// their definition in the image. Never fails: every problem is in the verdict.
SnapshotVerdict VerifySnapshot(objstore::ObjectStore& store, std::string_view cluster_id, std::string_view name,
                               const VerifyOptions& options, const StoreOpener& open);
// The same for a snapshot whose manifest and catalog the caller has already
// read and checked (ReadManifest, ReadSnapshotCatalog): only the tablet
// versions and data files are verified (a restore reads the image once).
SnapshotVerdict VerifySnapshotCatalog(objstore::ObjectStore& store, const Manifest& manifest,
                                      const meta::Catalog& catalog, const VerifyOptions& options,
                                      const StoreOpener& open);

// "2024-05-01T12:00:00Z" (UTC); "-" for 0.
std::string FormatUtc(int64_t ms);

}  // namespace strata::snapshot

// Restore: a cluster from a cluster snapshot, as an FE start-up mode
// (DESIGN §6, invariant 6; docs/operations/restore.md).
//
// RunRestore, before the metadata service starts:
//   1. key: "gen-<RESTORE_CLUSTER_GENERATION>" when set, else "yaml-<sha256
//      of the yaml>"; if clusters/<name>/restores/<key>/done.json exists the
//      restore already happened: nothing is done (a leftover yaml can never
//      roll a live cluster back).
//   2. intent.json (put-if-absent) fixes the choices once — the snapshot (a
//      path ending in /meta picks the newest complete one), the new lineage id,
//      the mode — so a restart after a crash resumes the same restore.
//   3. The snapshot's catalog is read and checked against its manifest;
//      storage volumes, frontends and compute nodes are replaced from the yaml;
//      the restored snapshot's own job becomes FINISHED (never deleted by the
//      restore), other unfinished jobs ERROR; the lineage records where it came
//      from and (takeover) adopts the source's data.
//   4. Every tablet version the catalog names is read and every data file it
//      lists is HEADed through the (possibly replaced) volumes: nothing is
//      committed unless the whole snapshot is reachable there.
//   5. Clone: a pin per volume (pins/<new lineage>.pin) so the source's vacuum
//      keeps what the clone borrows.
//   6. The new lineage's first image, at the snapshot's version.
//   7. The lineage pointer clusters/<name>/lineage/ gets the new lineage: every
//      FE of the cluster follows it (old caches are discarded).
//   8. Takeover: a FenceLineage entry is appended to the source lineage's log,
//      so a still-running source commits and deletes nothing more.
//   9. done.json.
// Every step is idempotent, so a kill -9 anywhere followed by a restart with
// the same yaml/generation completes the same restore.
//
// Failpoints: restore.after_intent, restore.after_verify, restore.after_image,
// restore.after_lineage, restore.after_fence.
// Thread-safety: RunRestore is called once, from the FE's start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "objstore/object_store.h"
#include "objstore/open_object_store.h"
#include "restore/cluster_snapshot_yaml.h"

namespace strata::restore {

using StoreOpener = std::function<Result<std::shared_ptr<objstore::ObjectStore>>(const objstore::VolumeSpec&)>;

struct RestoreOptions {
  std::shared_ptr<objstore::ObjectStore> meta_store;  // the FE's metadata volume (fe.conf)
  objstore::VolumeSpec meta_volume;                   // its spec (fe.conf's builtin volume)
  std::string cluster_name;                           // fe.conf cluster_name
  std::string yaml_text;                              // conf/cluster_snapshot.yaml
  std::string generation;                             // RESTORE_CLUSTER_GENERATION ("" = key by content)
  std::string fe_name;                                // for the fence entry's writer field
  StoreOpener open;                                   // opens other volumes (yaml or image definitions)
  uint32_t verify_parallel = 32;
  std::function<int64_t()> now_ms;                    // null: the wall clock
};

struct RestoreOutcome {
  std::string key;
  bool already_done = false;     // an earlier run finished this restore; nothing was done now
  std::string cluster_id;        // the restored lineage
  std::string source_cluster_id;
  std::string snapshot_name;
  uint64_t snapshot_version = 0;
  RestoreMode mode = RestoreMode::kTakeover;
  uint64_t tablet_versions = 0;  // checked reachable
  int64_t elapsed_ms = 0;
};

// The restore key for `yaml_text` and `generation` (see step 1).
std::string RestoreKey(std::string_view yaml_text, std::string_view generation);

// Runs (or resumes, or skips) the restore. Errors: InvalidArgument for a bad
// yaml or snapshot path; NotFound when no complete snapshot is there;
// DataLoss when the snapshot is damaged or an object it needs is missing
// (naming it); FailedPrecondition for a clone that would take the source's
// own cluster name; store errors as they come (retryable ones may be retried
// by calling again).
Result<RestoreOutcome> RunRestore(const RestoreOptions& options);

}  // namespace strata::restore

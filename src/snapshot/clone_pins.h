// Clone pins (DESIGN invariant 4, §6): a cluster restored in clone mode
// borrows the source's tablet versions and data files. It writes, on every
// storage volume it borrows from,
//
//   pins/<clone cluster_id>.pin     JSON: who pins, from which snapshot, and
//                                   the tablet version keys borrowed there
//
// and every cluster's vacuum on that volume keeps what any pin lists (and the
// data files those versions list), even after the source drops the snapshot.
// Releasing the pin (`strata snapshot unpin`, or dropping the clone) deletes
// the object. Format: docs/formats/clone-pin.md.
//
// Thread-safety: free functions, as thread-safe as the store.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::snapshot {

inline constexpr uint32_t kClonePinFormatVersion = 1;
inline constexpr std::string_view kClonePinPrefix = "pins/";

struct ClonePin {
  std::string clone_cluster_id;
  std::string source_cluster_id;
  std::string snapshot_name;
  int64_t created_ms = 0;
  std::set<std::string> tablet_versions;  // tablet meta keys on this volume
};

std::string ClonePinKey(std::string_view clone_cluster_id);

// Put-if-absent; an existing pin of the same clone is kept (AlreadyExists is OK).
Status WriteClonePin(objstore::ObjectStore& store, const ClonePin& pin);
// Every pin on the volume. A pin that does not decode is DataLoss naming it:
// vacuum must stop rather than delete what an unreadable pin may protect.
Result<std::vector<ClonePin>> ReadClonePins(objstore::ObjectStore& store);
// Deletes the clone's pin (idempotent).
Status DeleteClonePin(objstore::ObjectStore& store, std::string_view clone_cluster_id);

}  // namespace strata::snapshot

// Lineage pointers: which lineage (cluster_id) is the current one for a named
// cluster on a volume. `clusters/<cluster_name>/lineage/<seq:20 digits>` holds
// a cluster_id; the highest seq is current. Bootstrap writes seq 1 with
// put-if-absent (one winner among racing FEs); a restore appends the next seq
// (DESIGN invariant 6: FEs follow the current lineage). Pointer format:
// docs/formats/meta-log.md, "Lineage pointers".
//
// Thread-safety: all functions are reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::meta {

struct LineagePointer {
  uint64_t seq = 0;
  std::string cluster_id;
};

// The current lineage; NotFound if the cluster has none yet.
Result<LineagePointer> CurrentLineage(objstore::ObjectStore& store, const std::string& cluster_name);

// Returns the current lineage, creating seq 1 with a fresh random cluster_id
// if there is none (racing callers all get the winner's).
Result<LineagePointer> EnsureLineage(objstore::ObjectStore& store, const std::string& cluster_name);

// Appends `cluster_id` as seq `expected_current_seq + 1`. AlreadyExists if
// someone else appended first; FailedPrecondition if seq
// `expected_current_seq` (> 0) does not exist (that would leave a gap);
// InvalidArgument for a bad name or cluster_id (1..128 bytes, no '/').
Status AppendLineage(objstore::ObjectStore& store, const std::string& cluster_name, uint64_t expected_current_seq,
                     const std::string& cluster_id);

// A new random cluster_id: 32 lowercase hex characters (128 bits).
std::string NewClusterId();

}  // namespace strata::meta

// The restore record: what makes a restore keyed, resumable and idempotent.
// Under the FE's metadata volume:
//   clusters/<cluster_name>/restores/<key>/intent.json   written first (put-if-absent)
//   clusters/<cluster_name>/restores/<key>/done.json     written last (put-if-absent)
// Both are JSON; the format is in docs/formats/restore-record.md.
//
// Thread-safety: free functions, as thread-safe as the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::restore {

inline constexpr uint32_t kRestoreRecordFormatVersion = 1;

struct RestoreIntent {
  std::string key;
  std::string generation;          // "" when keyed by the yaml's content
  std::string cluster_id;          // the new lineage
  std::string source_cluster_id;
  std::string snapshot_name;
  uint64_t snapshot_version = 0;
  std::string mode;                // "takeover" | "clone"
  int64_t started_ms = 0;
  // Takeover: the lineage the cluster followed when the restore began, if it
  // is not the snapshot's (e.g. an earlier restore's); it is fenced and
  // adopted too. "" when none.
  std::string replaced_cluster_id;
  // Point-in-time: the log version restored (the base above is the snapshot,
  // checkpoint image — snapshot_name "" — or empty catalog at 0 it starts
  // from); 0 = the snapshot itself.
  uint64_t target_version = 0;
};

struct RestoreDone {
  std::string key;
  std::string cluster_id;
  int64_t finished_ms = 0;
  uint64_t tablet_versions = 0;
};

std::string RestoreDir(std::string_view cluster_name, std::string_view key);  // ends with '/'

// NotFound when absent; DataLoss (naming the key) when it does not decode.
Result<RestoreIntent> ReadIntent(objstore::ObjectStore& store, std::string_view cluster_name, std::string_view key);
Result<RestoreDone> ReadDone(objstore::ObjectStore& store, std::string_view cluster_name, std::string_view key);

// Put-if-absent. If one exists already, the stored one is returned (a racing
// or earlier writer's choice wins), so callers always proceed with what is
// stored.
Result<RestoreIntent> WriteIntent(objstore::ObjectStore& store, std::string_view cluster_name,
                                  const RestoreIntent& intent);
Status WriteDone(objstore::ObjectStore& store, std::string_view cluster_name, const RestoreDone& done);

}  // namespace strata::restore

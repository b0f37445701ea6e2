// Compaction: merges a tablet's small rowsets into one, applying the delete
// predicates that cover them, so scans read fewer files and deletes stop
// costing at read time. It writes a new, not yet visible tablet version; the
// FE makes it visible with CommitTxn{kind = "compaction"} conditioned on the
// base version still being current (a load that committed meanwhile wins and
// the compaction output becomes garbage for vacuum).
//
// Policy (bounded): pick the longest run of rowsets starting at the oldest
// whose total size is <= input_bytes_max and count <= input_rowsets_max;
// compact only if the tablet has >= min_rowsets rowsets and the run has at
// least two, or the run covers delete predicates (some delete stamped above
// the oldest rowset's version and <= the run's newest). Merged rows keep
// rowset order. Deletes stamped <= the run's newest version are applied and
// dropped; newer ones stay. The run always starts at the oldest rowset: only
// then is it safe to drop the deletes it applied (they would still be owed
// to any older rowset left outside the run).
// Design notes: docs/design/compaction-vacuum.md.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "objstore/object_store.h"
#include "storage/tablet_meta.h"

namespace strata::storage {

struct CompactionPolicy {
  size_t min_rowsets = 5;
  size_t input_rowsets_max = 100;
  uint64_t input_bytes_max = 1ull << 30;  // sum of the run's RowsetMeta::size_bytes
};

struct CompactionPlan {
  size_t first = 0;  // rowsets [first, last) of the base; first is always 0
  size_t last = 0;
  bool worth_it = false;
};

CompactionPlan PlanCompaction(const TabletMeta& base, const CompactionPolicy& policy);

struct CompactionOutput {
  bool compacted = false;    // false: the plan was not worth it; nothing written
  std::string new_meta_key;  // TabletMetaKey(lineage, tablet_id, base.version + 1, txn_id)
  TabletMeta new_meta;
  uint64_t input_rowsets = 0;
  uint64_t input_bytes = 0;
  uint64_t output_rows = 0;   // rows in the merged rowset (0: every row was deleted)
  uint64_t output_bytes = 0;  // 0 when no merged rowset was written
};

// Reads the base version at `base_meta_key` (tablet `tablet_id`) and, if the
// plan is worth it, writes under `lineage`:
//   1. one merged data file, DataFileKey(lineage, tablet_id, txn_id, 0), whose
//      rowset is stamped with the run's newest rowset version (not base + 1:
//      deletes stamped later must still apply to its rows); none if every row
//      of the run is deleted;
//   2. the new version base.version + 1 at new_meta_key: [merged] +
//      base.rowsets[last..], the base's deletes stamped after the run.
// Nothing is visible until the FE commits new_meta_key.
//
// Idempotent: the same base and txn_id write the same bytes under the same
// names, so a retry after any failure (or a crash at the failpoints
// "compaction_after_data_file" / "compaction_after_meta") returns OK.
// Errors: InvalidArgument for an empty lineage or a txn_id NewTxnId did not
// make; ReadTabletMeta's and ScanRowsets' (DataLoss for a damaged input —
// then nothing is written); the store's; AlreadyExists if txn_id already
// named different output (a reused txn id).
Result<CompactionOutput> CompactTablet(objstore::ObjectStore& store, std::string_view lineage, uint64_t tablet_id,
                                       std::string_view base_meta_key, std::string_view txn_id,
                                       const CompactionPolicy& policy = {});

}  // namespace strata::storage

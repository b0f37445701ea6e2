// Restorable points of a lineage (issue 10): every complete snapshot, and the
// point-in-time window — the range of metadata log versions a restore with
// `target_version` / `target_time` can reach (docs/operations/restore.md).
//
// A version T is restorable from the log when some base B <= T exists — a
// complete snapshot, a checkpoint image, or the empty catalog at 0 when the
// log still starts at 1 — and every entry B+1..T is still in the log. So the
// window is [the lowest base B with B + 1 >= oldest entry, the newest entry]:
// the same rule restore::ChooseBase applies. The log may be kept longer than
// table data: vacuum keeps only tablet versions current within
// point_in_time_retention_seconds. With `window_ms` > 0 the window's start is
// raised to the version current at now - window_ms (the last entry committed
// at or before it), so every point reported has its data retained; with 0 the
// bounds are the log's alone (`data_bounded` false says so).
//
// `strata snapshot history` prints this (RunHistory); the FE's
// information_schema.point_in_time_window shows the same for its lineage.
//
// Thread-safety: free functions, as thread-safe as the store.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "snapshot/snapshot_store.h"

namespace strata::snapshot {

struct RestorableWindow {
  bool empty = true;               // no log range is restorable (only snapshots, if any)
  uint64_t oldest_version = 0;     // the oldest restorable log version (0: the empty catalog)
  int64_t oldest_time_ms = 0;      // its commit time; 0 when its entry is not in the log (version 0,
                                   // or a checkpoint/snapshot base just below the oldest entry)
  uint64_t newest_version = 0;     // the newest entry in the log
  int64_t newest_time_ms = 0;
  std::string oldest_base;         // what a restore to oldest_version starts from: "snapshot <name>",
                                   // "image <v>" or "empty catalog"
  uint64_t log_oldest_version = 0;  // the oldest entry present (0: empty log)
  bool data_bounded = false;        // the start was checked against window_ms (see above)
};

struct RestorableHistory {
  std::string cluster_id;
  std::vector<Manifest> snapshots;  // complete ones, oldest version first
  RestorableWindow window;
};

struct HistoryOptions {
  int64_t window_ms = 0;  // point_in_time_retention_seconds * 1000; 0: bounds from the log alone
  int64_t now_ms = 0;     // wall clock; needed when window_ms > 0
};

// The restorable points of `cluster_id`. Store errors as they come; DataLoss
// for a log entry that does not decode.
Result<RestorableHistory> ReadRestorableHistory(const std::shared_ptr<objstore::ObjectStore>& store,
                                                const std::string& cluster_id, const HistoryOptions& options);

// The lineages under the volume root that hold a metadata log or snapshots
// (other top-level prefixes, such as clusters/ and pins/, are skipped).
// ResourceExhausted past kScanLineagesMax prefixes.
Result<std::vector<std::string>> ListLineagesWithHistory(objstore::ObjectStore& store);

// `strata snapshot history`: prints the points of `cluster_id` (or of every
// lineage when ""), as text or JSON; returns a tool exit code (snapshot_tool.h).
struct HistoryCommand {
  std::string volume;
  std::string cluster_id;
  int64_t window_seconds = -1;  // -1: not given (bounds from the log alone)
  bool json = false;
  int64_t now_ms = 0;           // 0: the wall clock
};
int RunHistory(const std::shared_ptr<objstore::ObjectStore>& store, const HistoryCommand& command, std::ostream& out,
               std::ostream& err);

}  // namespace strata::snapshot

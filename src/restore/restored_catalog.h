// The catalog a restore starts the new lineage from: the snapshot's catalog
// with the yaml's replacements applied (restore.h step 3).
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include "common/result.h"
#include "meta/catalog/catalog.h"
#include "restore/cluster_snapshot_yaml.h"
#include "snapshot/snapshot_store.h"

namespace strata::restore {

struct RestoredFrom {
  std::string source_cluster_id;
  snapshot::Manifest manifest;  // the snapshot restored; name "" for a point-in-time base without one
  std::string key;              // the restore key
  RestoreMode mode = RestoreMode::kTakeover;
  int64_t restored_ms = 0;
  std::string replaced_cluster_id;  // takeover: the cluster's lineage before, if not the source
};

// - storage volumes named in the yaml replace (or join) the image's;
// - no leader (the first FE to start leads without waiting for a lease);
// - frontends and compute nodes are the yaml's (FEs and CNs register
//   themselves when they start; old entries would only show dead nodes);
// - every snapshot job is marked as living in the lineage it was taken in;
//   the restored snapshot's job is FINISHED (added if the image lacks it);
//   jobs that were still running become ERROR;
// - lineage: where it came from; a takeover adopts the source (and what the
//   source had adopted), a clone adopts nothing.
// DataLoss if the result's references do not hold (Catalog::FromState).
Result<meta::Catalog> BuildRestoredCatalog(const meta::CatalogState& image, const ClusterSnapshotConfig& config,
                                           const RestoredFrom& from);

}  // namespace strata::restore

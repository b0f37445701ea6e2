// The FE's restore start-up mode (DESIGN §6): `strata fe --cluster_snapshot`
// or env RESTORE_CLUSTER_SNAPSHOT=true reads cluster_snapshot.yaml from the
// directory of fe.conf (StarRocks: conf/cluster_snapshot.yaml) and runs
// restore::RunRestore before the metadata service starts; env
// RESTORE_CLUSTER_GENERATION keys it. GET
// /api/v2/get_cluster_snapshot_restore_state reports it:
//   {"cluster_snapshot_restore_state": "none" | "restoring" | "finished" | "failed",
//    "generation": "...", "key": "...", "cluster_id": "...", "error": "..."}
//
// Thread-safety: FeRestoreState is thread-safe; RunStartupRestore is called
// once from the FE's start-up.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "objstore/object_store.h"
#include "server/fe_config.h"
#include "server/http_server.h"

namespace strata::server {

struct FeRestoreRequest {
  bool requested = false;      // --cluster_snapshot or RESTORE_CLUSTER_SNAPSHOT=true
  std::string yaml_path;       // <dir of fe.conf>/cluster_snapshot.yaml
  std::string generation;      // RESTORE_CLUSTER_GENERATION
};

// From the flag and the environment (RESTORE_CLUSTER_SNAPSHOT "true"/"1",
// RESTORE_CLUSTER_GENERATION).
FeRestoreRequest RestoreRequestFor(const std::string& conf_path, bool flag);

class FeRestoreState {
 public:
  void Set(std::string state, std::string error = "");
  void SetIdentity(std::string generation, std::string key, std::string cluster_id);
  std::string state() const;
  HttpResponse Response() const;

 private:
  mutable std::mutex mu_;
  std::string state_ = "none";
  std::string error_;
  std::string generation_;
  std::string key_;
  std::string cluster_id_;
};

// Runs the restore (retrying store errors that may pass, up to ~1 minute);
// updates `state`. A bad yaml, a missing snapshot or a damaged one fails at
// once with the reason.
Status RunStartupRestore(const FeConfig& fe, const FeRestoreRequest& request,
                         std::shared_ptr<objstore::ObjectStore> store, FeRestoreState* state);

}  // namespace strata::server

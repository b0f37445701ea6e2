// What fe.conf implies for the catalog, made true by every FE at start-up,
// idempotently, through the forwarding CatalogWriter (so a follower's changes
// reach the leader):
//   - the volume fe.conf names (aws_s3_* keys, or Strata's storage_root for the
//     embedded local-directory volume) is described as `builtin_storage_volume`
//     and is the default when the cluster has none (StarRocks'
//     enable_load_volume_from_conf);
//   - this FE is listed among the frontends (SHOW FRONTENDS).
//
// Thread-safety: FeBootstrapKeeper runs its own thread; construct and destroy
// it from one thread.
#pragma once

#include <atomic>
#include <thread>

#include "meta/catalog/change.h"
#include "meta/service/meta_service.h"
#include "server/fe_config.h"
#include "sql/engine.h"

namespace strata::server {

inline constexpr const char* kBuiltinVolumeName = "builtin_storage_volume";

// The change that creates the builtin volume from fe.conf (if_not_exists).
meta::Change BuiltinVolumeChange(const FeConfig& fe);
// The change that lists this FE (named host:http_port) among the frontends.
meta::Change RegisterFrontendChange(const FeConfig& fe);

// One pass: submits whatever is missing. OK once everything is in place;
// the error of the first change that could not be committed otherwise (for
// example Unavailable while no leader is known).
Status EnsureFeBootstrap(const meta::MetaService& service, sql::CatalogWriter& writer, const FeConfig& fe);

// Retries EnsureFeBootstrap in the background until it succeeds or the keeper
// is destroyed. Readiness does not wait for it: a follower whose catalog is
// caught up serves reads even while no leader is reachable to record it.
class FeBootstrapKeeper {
 public:
  FeBootstrapKeeper(const meta::MetaService* service, sql::CatalogWriter* writer, FeConfig fe);
  ~FeBootstrapKeeper();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace strata::server

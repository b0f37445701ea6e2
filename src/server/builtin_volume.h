// The builtin storage volume: as StarRocks does with
// enable_load_volume_from_conf, the FE describes the volume fe.conf names
// (aws_s3_* keys, or Strata's storage_root for the embedded local-directory
// volume) in the catalog as `builtin_storage_volume`, and makes it the
// default volume when the cluster has none.
//
// Thread-safety: BuiltinVolumeKeeper runs its own thread; construct and
// destroy it from one thread.
#pragma once

#include <atomic>
#include <thread>

#include "meta/catalog/change.h"
#include "meta/service/meta_service.h"
#include "server/fe_config.h"

namespace strata::server {

inline constexpr const char* kBuiltinVolumeName = "builtin_storage_volume";

// The change that creates the builtin volume from fe.conf (if_not_exists).
meta::Change BuiltinVolumeChange(const FeConfig& fe);

// Brings the catalog to "builtin volume exists, and some volume is the
// default". Only the leader commits; on a follower it returns
// FailedPrecondition and the leader does the work. OK once done.
Status EnsureBuiltinVolume(meta::MetaService& service, const FeConfig& fe);

// Retries EnsureBuiltinVolume in the background until it succeeds or the
// keeper is destroyed (leadership may arrive at any time).
class BuiltinVolumeKeeper {
 public:
  BuiltinVolumeKeeper(meta::MetaService* service, FeConfig fe);
  ~BuiltinVolumeKeeper();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace strata::server

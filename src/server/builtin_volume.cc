#include "server/builtin_volume.h"

#include <chrono>

#include "common/logging.h"

namespace strata::server {

meta::Change BuiltinVolumeChange(const FeConfig& fe) {
  meta::CreateStorageVolume v;
  v.name = kBuiltinVolumeName;
  v.if_not_exists = true;
  v.comment = "created from fe.conf";
  v.locations = {fe.volume.location};
  if (fe.volume.location.starts_with("s3://")) {
    v.volume_type = meta::VolumeType::kS3;
    v.properties["aws.s3.endpoint"] = fe.volume.endpoint;
    v.properties["aws.s3.region"] = fe.volume.region;
    v.properties["aws.s3.enable_path_style_access"] = fe.volume.path_style ? "true" : "false";
    v.credentials["aws.s3.access_key"] = fe.volume.access_key;
    v.credentials["aws.s3.secret_key"] = fe.volume.secret_key;
  } else {
    v.volume_type = meta::VolumeType::kLocal;
  }
  return meta::Change{.body = std::move(v)};
}

Status EnsureBuiltinVolume(meta::MetaService& service, const FeConfig& fe) {
  auto [has_volume, has_default] = service.Read([](const meta::Catalog& c) {
    return std::pair{c.state().storage_volumes.count(kBuiltinVolumeName) > 0,
                     !c.state().default_storage_volume.empty()};
  });
  if (has_volume && has_default) return Status::OK();
  if (!service.IsLeader()) return FailedPrecondition("not the leader");
  if (!has_volume) {
    Result<meta::CommitResult> r = service.Submit(BuiltinVolumeChange(fe));
    if (!r.ok()) return r.status().WithContext("create " + std::string(kBuiltinVolumeName));
    STRATA_LOG(kInfo, "created {} at {} (version {})", kBuiltinVolumeName, fe.volume.location, r->version);
  }
  if (!has_default) {
    Result<meta::CommitResult> r =
        service.Submit(meta::Change{.body = meta::SetDefaultStorageVolume{.name = kBuiltinVolumeName}});
    if (!r.ok()) return r.status().WithContext("make " + std::string(kBuiltinVolumeName) + " the default");
  }
  return Status::OK();
}

BuiltinVolumeKeeper::BuiltinVolumeKeeper(meta::MetaService* service, FeConfig fe) {
  thread_ = std::thread([this, service, fe = std::move(fe)] {
    constexpr auto kRetryEvery = std::chrono::milliseconds(50);
    while (!stop_.load()) {
      Status s = EnsureBuiltinVolume(*service, fe);
      if (s.ok()) return;
      if (s.code() != StatusCode::kFailedPrecondition || s.message() != "not the leader") {
        STRATA_LOG(kWarn, "builtin storage volume: {}", s.ToString());
      }
      std::this_thread::sleep_for(kRetryEvery);
    }
  });
}

BuiltinVolumeKeeper::~BuiltinVolumeKeeper() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace strata::server

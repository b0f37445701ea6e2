#include "server/fe_bootstrap.h"

#include <chrono>

#include "common/logging.h"

namespace strata::server {
namespace {

// A change that is already true (created by an earlier start or another FE)
// counts as done.
Status Submit(sql::CatalogWriter& writer, meta::Change change, const char* what) {
  Result<meta::CommitResult> r = writer.Submit(std::move(change));
  if (r.ok() || r.status().code() == StatusCode::kAlreadyExists) return Status::OK();
  return r.status().WithContext(what);
}

}  // namespace

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

meta::Change RegisterFrontendChange(const FeConfig& fe) {
  return meta::Change{.body = meta::AddFrontend{.name = fe.host + ":" + std::to_string(fe.http_port),
                                                .host = fe.host,
                                                .edit_log_port = static_cast<uint32_t>(fe.edit_log_port),
                                                .http_port = static_cast<uint32_t>(fe.http_port),
                                                .query_port = static_cast<uint32_t>(fe.query_port),
                                                .rpc_port = static_cast<uint32_t>(fe.rpc_port),
                                                .role = meta::FrontendRole::kFollower}};
}

Status EnsureFeBootstrap(const meta::MetaService& service, sql::CatalogWriter& writer, const FeConfig& fe) {
  std::string fe_name = fe.host + ":" + std::to_string(fe.http_port);
  auto [has_volume, has_default, registered] = service.Read([&](const meta::Catalog& c) {
    return std::tuple{c.state().storage_volumes.count(kBuiltinVolumeName) > 0,
                      !c.state().default_storage_volume.empty(), c.state().frontends.count(fe_name) > 0};
  });
  if (!has_volume) STRATA_RETURN_IF_ERROR(Submit(writer, BuiltinVolumeChange(fe), "create builtin_storage_volume"));
  if (!has_default) {
    STRATA_RETURN_IF_ERROR(Submit(writer, meta::Change{.body = meta::SetDefaultStorageVolume{.name = kBuiltinVolumeName}},
                                  "make builtin_storage_volume the default"));
  }
  if (!registered) STRATA_RETURN_IF_ERROR(Submit(writer, RegisterFrontendChange(fe), "register this frontend"));
  return Status::OK();
}

FeBootstrapKeeper::FeBootstrapKeeper(const meta::MetaService* service, sql::CatalogWriter* writer, FeConfig fe) {
  thread_ = std::thread([this, service, writer, fe = std::move(fe)] {
    constexpr auto kRetryEvery = std::chrono::milliseconds(50);
    constexpr int kQuietAttempts = 100;  // ~5 s without a leader is normal at cluster start
    for (int attempt = 1; !stop_.load(); ++attempt) {
      Status s = EnsureFeBootstrap(*service, *writer, fe);
      if (s.ok()) return;
      if (attempt % kQuietAttempts == 0) STRATA_LOG(kWarn, "fe bootstrap (attempt {}): {}", attempt, s.ToString());
      std::this_thread::sleep_for(kRetryEvery);
    }
  });
}

FeBootstrapKeeper::~FeBootstrapKeeper() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace strata::server

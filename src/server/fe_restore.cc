#include "server/fe_restore.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "restore/restore.h"
#include "snapshot/snapshot_tool.h"

namespace strata::server {

FeRestoreRequest RestoreRequestFor(const std::string& conf_path, bool flag) {
  FeRestoreRequest r;
  const char* env = std::getenv("RESTORE_CLUSTER_SNAPSHOT");
  const std::string value = env == nullptr ? "" : env;
  r.requested = flag || value == "true" || value == "TRUE" || value == "True" || value == "1";
  std::filesystem::path dir = std::filesystem::path(conf_path).parent_path();
  r.yaml_path = (dir.empty() ? std::filesystem::path(".") : dir).append("cluster_snapshot.yaml").string();
  const char* gen = std::getenv("RESTORE_CLUSTER_GENERATION");
  r.generation = gen == nullptr ? "" : gen;
  return r;
}

void FeRestoreState::Set(std::string state, std::string error) {
  std::lock_guard lock(mu_);
  state_ = std::move(state);
  error_ = std::move(error);
}

void FeRestoreState::SetIdentity(std::string generation, std::string key, std::string cluster_id) {
  std::lock_guard lock(mu_);
  generation_ = std::move(generation);
  key_ = std::move(key);
  cluster_id_ = std::move(cluster_id);
}

std::string FeRestoreState::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

HttpResponse FeRestoreState::Response() const {
  std::lock_guard lock(mu_);
  nlohmann::json j{{"cluster_snapshot_restore_state", state_}, {"generation", generation_}, {"key", key_},
                   {"cluster_id", cluster_id_}};
  if (!error_.empty()) j["error"] = error_;
  return HttpResponse::Json(200, j.dump());
}

Status RunStartupRestore(const FeConfig& fe, const FeRestoreRequest& request,
                         std::shared_ptr<objstore::ObjectStore> store, FeRestoreState* state) {
  std::ifstream in(request.yaml_path);
  if (!in) {
    Status s = FailedPrecondition("restore requested (--cluster_snapshot / RESTORE_CLUSTER_SNAPSHOT) but " +
                                  request.yaml_path + " cannot be read");
    state->Set("failed", s.ToString());
    return s;
  }
  std::stringstream text;
  text << in.rdbuf();
  restore::RestoreOptions options{.meta_store = std::move(store), .meta_volume = fe.volume,
                                  .cluster_name = fe.cluster_name, .yaml_text = text.str(),
                                  .generation = request.generation,
                                  .fe_name = fe.host + ":" + std::to_string(fe.http_port),
                                  .open = snapshot::OpenToolStore};
  state->SetIdentity(request.generation, restore::RestoreKey(options.yaml_text, options.generation), "");
  state->Set("restoring");
  STRATA_LOG(kInfo, "fe: restore requested from {} (key {})", request.yaml_path,
             restore::RestoreKey(options.yaml_text, options.generation));
  constexpr int kAttemptsMax = 12;
  for (int attempt = 1;; ++attempt) {
    Result<restore::RestoreOutcome> r = restore::RunRestore(options);
    if (r.ok()) {
      state->SetIdentity(request.generation, r->key, r->cluster_id);
      state->Set("finished");
      if (r->already_done) {
        STRATA_LOG(kInfo, "fe: restore {} finished earlier (lineage {}); starting normally", r->key, r->cluster_id);
      } else {
        STRATA_LOG(kInfo,
                   "fe: restored snapshot {} of lineage {} (version {}, {} tablet versions checked) into lineage {}"
                   " ({}) in {} ms",
                   r->snapshot_name, r->source_cluster_id, r->snapshot_version, r->tablet_versions, r->cluster_id,
                   restore::RestoreModeName(r->mode), r->elapsed_ms);
      }
      return Status::OK();
    }
    const Status& s = r.status();
    const bool transient = s.retryable() || s.code() == StatusCode::kUnavailable;
    if (!transient || attempt >= kAttemptsMax) {
      state->Set("failed", s.ToString());
      return s.WithContext("restore from " + request.yaml_path);
    }
    STRATA_LOG(kWarn, "fe: restore attempt {} failed ({}); retrying", attempt, s.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
  }
}

}  // namespace strata::server

// The factory the FE wiring (server/) calls to get the SQL engine (engine.h is
// the contract). EngineOptions carries what the engine needs from the process
// that the catalog does not hold: the version strings clients see and the
// FE-local config for ADMIN SET/SHOW FRONTEND CONFIG.
//
// Thread-safety: NewEngine may be called from any thread; the Engine it returns
// is thread-safe (see engine.h). The callbacks in EngineOptions are called from
// session threads concurrently and must be thread-safe themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sql/engine.h"
#include "sql/info_schema.h"
#include "sql/table_data.h"

namespace strata::sql {

struct EngineOptions {
  // SELECT VERSION() / @@version; the MySQL handshake should send the same.
  std::string server_version = "8.0.33-strata";
  // SELECT @@version_comment.
  std::string version_comment = "Strata";
  // The lineage's cluster id: information_schema.cluster_snapshots.STORAGE_PATH
  // is <volume location>/<cluster_id>/meta/image/<snapshot name>.
  std::string cluster_id;

  // ADMIN SHOW FRONTEND CONFIG: every (key, value) of this FE's effective config.
  // The engine always adds its run-time mutable configs with their defaults
  // (automated_cluster_snapshot_interval_seconds = 600,
  // max_historical_automated_cluster_snapshot_jobs = 100; IsMutable true) and
  // the catalog's overrides (CatalogState::fe_config) win over both. Null: only
  // those.
  std::function<std::vector<std::pair<std::string, std::string>>()> list_fe_config;

  // ADMIN SET FRONTEND CONFIG ("k" = "v"). The engine first refuses a key ADMIN
  // SHOW FRONTEND CONFIG does not list (1105 "Config 'k' does not exist"; so
  // nothing unknown reaches the catalog), then calls this for each pair BEFORE
  // it submits the catalog's SetFrontendConfig change (which makes the override
  // cluster-wide and durable). Return InvalidArgument for a bad value
  // (-> ER_UNKNOWN_ERROR 1105 with the message); FailedPrecondition for an
  // immutable key. Null: only the engine's mutable configs are accepted.
  std::function<Status(const std::string& key, const std::string& value)> set_fe_config;

  // Table data for INSERT, DELETE and SELECT over tables (server/ wires the
  // load coordinator). Null: those statements answer ER_NOT_SUPPORTED_YET.
  // Must outlive the engine.
  TableData* table_data = nullptr;

  // CREATE CLUSTER SNAPSHOT waits up to this long for its job to finish (the
  // FE's snapshot runner does the work); 0: return once the job is queued.
  int64_t snapshot_wait_ms = 0;

  // Wall clock in ms for SHOW outputs (create times etc). Null: system clock.
  std::function<int64_t()> now_ms;

  // information_schema.point_in_time_window: called per query of that table
  // (it may read object storage). Null: the table says UNKNOWN.
  PointInTimeWindowSource point_in_time_window;
};

// `reader` and `writer` must outlive the engine and every session it creates.
std::unique_ptr<Engine> NewEngine(const CatalogReader* reader, CatalogWriter* writer, EngineOptions options);

// Engine::NewSession answers NotFound for an unknown database and
// PermissionDenied when the account may not use it (ER_DBACCESS_DENIED_ERROR).
//
// Engine::NewSession with the connection id the protocol layer sent in its
// handshake (CONNECTION_ID() returns it). `engine` must come from NewEngine.
// Engine::NewSession itself numbers sessions from 1.
Result<std::unique_ptr<Session>> NewSessionWithConnectionId(Engine* engine, const AuthInfo& account,
                                                             std::string_view database, uint64_t connection_id);

}  // namespace strata::sql

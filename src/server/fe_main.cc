#include "server/fe_main.h"

#include <algorithm>
#include <atomic>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "meta/log/lineage.h"
#include "meta/service/meta_service.h"
#include "server/cn/fe_compute_nodes.h"
#include "server/fe_bootstrap.h"
#include "server/fe_config.h"
#include "server/fe_drill_scheduler.h"
#include "server/fe_http.h"
#include "server/fe_pitr_window.h"
#include "server/fe_restore.h"
#include "server/load/data_maintenance.h"
#include "snapshot/snapshot_jobs.h"
#include "server/load/load_coordinator.h"
#include "server/load/sql_table_data.h"
#include "server/load/stream_load_http.h"
#include "server/http_server.h"
#include "server/meta_api.h"
#include "server/mysql/mysql_server.h"
#include "server/process_util.h"
#include "server/sql_catalog_access.h"
#include "sql/new_engine.h"
#include "storage/chunk_cache.h"
#include "storage/footer_cache.h"

namespace strata::server {
namespace {

void Fatal(const std::string& what) { FatalLine("strata fe", what); }

// Makes `dir` absolute and creates it (the meta cache, the embedded volume).
Result<std::string> EnsureDir(const std::string& dir, const char* what) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec);
  if (!ec) std::filesystem::create_directories(p, ec);
  if (ec) return FailedPrecondition(fmt::format("{} '{}': {}", what, dir, ec.message()));
  return p.lexically_normal().string();
}

Result<std::shared_ptr<objstore::ObjectStore>> OpenVolume(FeConfig& fe) {
  if (fe.volume.location.rfind("s3://", 0) != 0) {
    STRATA_ASSIGN_OR_RETURN(fe.volume.location, EnsureDir(fe.volume.location, "storage_root"));
  }
  auto store = objstore::OpenObjectStore(fe.volume);
  if (!store.ok()) return store.status().WithContext("open storage volume " + fe.volume.location);
  return store;
}

// Loads fe.conf; on failure prints why and sets *exit_code.
std::optional<FeConfig> LoadOrExplain(const std::string& path, int* exit_code) {
  return LoadConfigOrExplain<FeConfig>("strata fe", path, LoadFeConfig, exit_code);
}

meta::MetaServiceOptions ServiceOptions(const FeConfig& fe, std::shared_ptr<objstore::ObjectStore> store,
                                        std::string meta_dir) {
  meta::MetaServiceOptions o;
  o.store = std::move(store);
  o.cluster_name = fe.cluster_name;
  o.fe_name = fe.host + ":" + std::to_string(fe.http_port);
  o.cache_dir = std::move(meta_dir);
  o.lease_ms = fe.meta_lease_ms;
  o.poll_ms = fe.meta_poll_ms;
  o.checkpoint_entries = fe.meta_checkpoint_entries;
  o.checkpoint_interval_ms = fe.meta_checkpoint_interval_ms;
  o.pitr_window_ms = fe.point_in_time_retention_seconds * 1000;
  return o;
}

void LogIgnoredKeys(const FeConfig& fe) {
  if (!fe.log_dir.empty()) STRATA_LOG(kInfo, "LOG_DIR = {} is accepted; logs go to stderr", fe.log_dir);
  if (!fe.enable_load_volume_from_conf) {
    STRATA_LOG(kWarn, "enable_load_volume_from_conf = false: Strata loads the builtin volume from fe.conf anyway");
  }
}

// The SQL front door: the engine over the catalog and the MySQL listener on
// query_port. Members are destroyed in reverse order: the listener (which
// joins every connection) before the engine and the catalog access it uses.
struct SqlFrontDoor {
  std::unique_ptr<ServiceCatalogReader> reader;
  std::unique_ptr<ForwardingCatalogWriter> writer;
  // Table data: the load coordinator (INSERT, DELETE, stream load, scans).
  std::shared_ptr<storage::VolumeStores> stores;
  std::unique_ptr<LoadCoordinator> coordinator;
  // Tablet versions this FE wrote, so the snapshot job need not read them back.
  std::shared_ptr<snapshot::ObjectIndexCache> index_cache = std::make_shared<snapshot::ObjectIndexCache>();
  std::unique_ptr<SqlTableData> table_data;
  std::unique_ptr<sql::Engine> engine;
  std::unique_ptr<mysql::MysqlServer> listener;
};

Result<std::unique_ptr<SqlFrontDoor>> StartSqlFrontDoor(const FeConfig& fe, meta::MetaService* service,
                                                        MetaApi* meta, storage::TabletService& tablets) {
  auto door = std::make_unique<SqlFrontDoor>();
  door->reader = std::make_unique<ServiceCatalogReader>(service);
  door->writer = std::make_unique<ForwardingCatalogWriter>(meta, CatalogWriterOptions{});
  door->stores = std::make_shared<storage::VolumeStores>();
  ForwardingCatalogWriter* writer = door->writer.get();
  ServiceCatalogReader* reader = door->reader.get();
  door->coordinator = std::make_unique<LoadCoordinator>(
      LoadCoordinator::Options{.lineage = service->ClusterId(),
                               .builtin_volume = {.name = std::string(kBuiltinVolumeName), .spec = fe.volume},
                               .version_written =
                                   [cache = door->index_cache](const std::string& key, const storage::TabletMeta& meta,
                                                               uint64_t meta_bytes) {
                                     snapshot::IndexedVersion v{.meta_bytes = meta_bytes};
                                     for (const auto& r : meta.rowsets) v.files.emplace_back(r.data_file, r.size_bytes);
                                     cache->Note(key, std::move(v));
                                   }},
      [writer](meta::Change c) { return writer->Submit(std::move(c)); },
      [reader](const std::function<void(const meta::CatalogState&)>& fn) {
        reader->Read([&](const meta::Catalog& c) { fn(c.state()); });
      },
      tablets, door->stores);
  door->table_data = std::make_unique<SqlTableData>(*door->coordinator);
  sql::EngineOptions engine_options;
  engine_options.table_data = door->table_data.get();
  engine_options.snapshot_wait_ms = 120'000;
  engine_options.cluster_id = service->ClusterId();
  engine_options.list_fe_config = [fe] { return FeConfigEntries(fe); };
  engine_options.set_fe_config = CheckRuntimeFeConfig;
  engine_options.point_in_time_window =
      MakePointInTimeWindowSource(fe, [service] { return service->ClusterId(); });
  std::string server_version = engine_options.server_version;
  door->engine = sql::NewEngine(door->reader.get(), door->writer.get(), std::move(engine_options));
  mysql::MysqlServerOptions options;
  options.bind_host = fe.BindAddress();
  options.port = fe.query_port;
  options.connections_max = fe.qe_max_connection;
  options.connection.server_version = server_version;
  options.connection.wait_timeout_ms = fe.mysql_wait_timeout_seconds * 1000;
  // CONNECTION_ID() is the thread id the handshake announced.
  options.connection.new_session = sql::NewSessionWithConnectionId;
  door->listener = std::make_unique<mysql::MysqlServer>(options, door->engine.get());
  // A brand-new cluster: register the builtin volume (and this FE) before the
  // first client can run DDL that names it. Bounded: a follower that cannot
  // reach a leader serves reads anyway, and FeBootstrapKeeper keeps trying.
  constexpr int kBootstrapAttemptsMax = 100;  // x 100 ms
  for (int i = 0; i < kBootstrapAttemptsMax; ++i) {
    Status st = EnsureFeBootstrap(*service, *door->writer, fe);
    if (st.ok()) break;
    if (i + 1 == kBootstrapAttemptsMax) {
      STRATA_LOG(kWarn, "fe: serving before the builtin volume is registered: {}", st.ToString());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  STRATA_RETURN_IF_ERROR(door->listener->Start());
  return door;
}

// ---- compute nodes (src/server/cn/fe_compute_nodes.h) ----
cn::FeComputeNodesOptions ComputeNodesOptions(const FeConfig& fe) {
  cn::FeComputeNodesOptions o;
  o.bind_host = fe.BindAddress();
  o.rpc_port = fe.rpc_port;
  o.liveness_timeout_ms = fe.cn_liveness_timeout_ms;
  return o;
}
// ---- end compute nodes ----

// Serves until SIGTERM/SIGINT: HTTP is up first (health answers, the port is
// ours before the volume is touched), the metadata service joins once started.
int Serve(const FeConfig& fe, std::shared_ptr<objstore::ObjectStore> store, const std::string& meta_dir,
          const FeRestoreRequest& restore_request, const sigset_t& signals) {
  // Data file footers are decoded once per process, not once per scan (object names are immutable).
  storage::EnableFooterCache(storage::kFooterCacheBytesDefault);
  // Verified column chunks stay in memory between scans (chunk_cache.h).
  storage::EnableChunkCache(static_cast<uint64_t>(fe.chunk_cache_memory_bytes));
  std::string fe_name = fe.host + ":" + std::to_string(fe.http_port);
  DeferredMetaApi deferred;
  HttpServerOptions http;
  http.bind_host = fe.BindAddress();
  http.port = fe.http_port;
  // ---- compute nodes: the registry and compute_nodes.tablet_service() (the
  // storage::TabletService for loads and scans) exist from here on; heartbeats
  // are served once the catalog is (Start below). Outlives the HTTP server.
  cn::FeComputeNodes compute_nodes(ComputeNodesOptions(fe));
  HttpRouter router = BuildFeRouter(&deferred, FeHttpOptions{});
  router.Add("GET", "/api/cn",
             [&compute_nodes](const HttpRequest&) { return HttpResponse::Json(200, compute_nodes.NodesJson()); });
  // ---- end compute nodes ----
  // Stream load: answers 503 until the SQL front door (and its coordinator) is up.
  std::atomic<const StreamLoadDeps*> stream_load{nullptr};
  router.AddMatching("PUT", IsStreamLoadPath, [&stream_load](const HttpRequest& req) {
    const StreamLoadDeps* deps = stream_load.load();
    if (deps == nullptr) return HttpResponse::Json(503, R"({"Status":"Fail","Message":"the FE is starting"})");
    return HandleStreamLoad(*deps, req);
  });
  // Table data upkeep: /api/data/check (every current version readable) and
  // /api/data/maintenance (run a compaction round and a due vacuum now).
  std::atomic<DataMaintenance*> maintenance{nullptr};
  router.Add("GET", "/api/data/check", [&maintenance](const HttpRequest&) {
    DataMaintenance* m = maintenance.load();
    if (m == nullptr) return HttpResponse::Json(503, R"({"ok":false,"error":"the FE is starting"})");
    Status s = m->Check();
    nlohmann::json j{{"ok", s.ok()}};
    if (!s.ok()) j["error"] = s.ToString();
    return HttpResponse::Json(s.ok() ? 200 : 500, j.dump());
  });
  router.Add("POST", "/api/data/maintenance", [&maintenance](const HttpRequest& req) {
    DataMaintenance* m = maintenance.load();
    if (m == nullptr) return HttpResponse::Json(503, R"({"ok":false,"error":"the FE is starting"})");
    Status s = m->RunOnce(req.Param("vacuum") != "0");
    MaintenanceReport r = m->report();
    nlohmann::json j{{"ok", s.ok()}, {"compactions_committed", r.compactions_committed},
                     {"compactions_conflicted", r.compactions_conflicted}, {"vacuum_passes", r.vacuum_passes},
                     {"vacuum_deleted", r.vacuum_deleted}};
    if (!s.ok()) j["error"] = s.ToString();
    return HttpResponse::Json(s.ok() ? 200 : 500, j.dump());
  });
  // Restore (server/fe_restore.h): its state is served from the start.
  FeRestoreState restore_state;
  router.Add("GET", "/api/v2/get_cluster_snapshot_restore_state",
             [&restore_state](const HttpRequest&) { return restore_state.Response(); });
  http.body_max_bytes = static_cast<uint64_t>(fe.streaming_load_max_mb) << 20;
  http.read_timeout_ms = 300'000;
  HttpServer server(http, std::move(router));
  Status started = server.Start();
  if (!started.ok()) {
    Fatal(started.ToString());
    return kExitFailure;
  }
  if (restore_request.requested) {
    Status restored = RunStartupRestore(fe, restore_request, store, &restore_state);
    if (!restored.ok()) {
      // Stay up (unready) so the failure can be read from the restore-state
      // endpoint — the operator reports it — until told to stop.
      Fatal("restore failed; not serving: " + restored.ToString());
      WaitForStopSignal(signals);
      server.Stop();
      return kExitFailure;
    }
  }
  STRATA_LOG(kInfo, "fe: starting the metadata service (cluster {}, volume {}, meta_dir {})", fe.cluster_name,
             fe.volume.location, meta_dir);
  auto service = meta::MetaService::Start(ServiceOptions(fe, std::move(store), meta_dir));
  if (!service.ok()) {
    server.Stop();
    Fatal("cannot start the metadata service; refusing to serve: " + service.status().ToString());
    return kExitFailure;
  }
  auto api = MakeMetaApi(service->get(), fe_name);
  // The front door registers a new cluster's builtin volume before it opens
  // the MySQL port; the FE reports ready (and serves /api/meta) only after
  // that, so nothing a client reads first can change under it.
  auto sql_door = StartSqlFrontDoor(fe, service->get(), api.get(), compute_nodes.tablet_service());
  if (!sql_door.ok()) {
    server.Stop();
    (*service)->Stop();
    Fatal(sql_door.status().ToString());
    return kExitFailure;
  }
  deferred.Set(api.get());
  // ---- compute nodes: FeRpc on rpc_port (heartbeats register CNs via the writer) ----
  Status cn_started = compute_nodes.Start(service->get(), (*sql_door)->writer.get());
  if (!cn_started.ok()) {
    sql_door->reset();
    server.Stop();
    deferred.Set(nullptr);
    (*service)->Stop();
    Fatal(cn_started.ToString());
    return kExitFailure;
  }
  // ---- end compute nodes ----
  StreamLoadDeps stream_load_deps{.coordinator = (*sql_door)->coordinator.get(), .engine = (*sql_door)->engine.get(),
                                  .read_catalog = [reader = (*sql_door)->reader.get()](const auto& fn) {
                                    reader->Read([&](const meta::Catalog& c) { fn(c.state()); });
                                  }};
  stream_load.store(&stream_load_deps);
  meta::MetaService* svc = service->get();
  ForwardingCatalogWriter* writer = (*sql_door)->writer.get();
  snapshot::SnapshotRunner snapshots(
      snapshot::SnapshotRunnerOptions{.cluster_id = svc->ClusterId(), .cluster_name = fe.cluster_name,
                                      .retention_count = static_cast<size_t>(fe.automated_cluster_snapshot_retention_count),
                                      .is_leader = [svc] { return svc->IsLeader(); },
                                      .builtin_volume = {.name = std::string(kBuiltinVolumeName), .spec = fe.volume},
                                      .index_cache = (*sql_door)->index_cache},
      [writer](meta::Change c) { return writer->Submit(std::move(c)); },
      [svc] {
        std::optional<meta::Catalog> copy;
        svc->Read([&](const meta::Catalog& c) { copy = c; });
        return std::move(*copy);
      },
      (*sql_door)->stores);
  snapshots.Start();
  DataMaintenance data_maintenance(
      DataMaintenanceOptions{.lineage = svc->ClusterId(),
                             .interval_ms = fe.data_maintenance_interval_ms,
                             .vacuum_interval_ms = fe.vacuum_interval_ms,
                             // The point-in-time window keeps every version current in it: vacuum's grace
                             // (by creation time, by "seen current", and its start-up wait) covers it.
                             .vacuum_grace_ms = std::max(fe.vacuum_grace_ms, fe.point_in_time_retention_seconds * 1000),
                             .policy = {.min_rowsets = static_cast<size_t>(fe.compaction_min_rowsets)},
                             .is_leader = [svc] { return svc->IsLeader(); },
                             .extra_retained = [&snapshots] { return snapshots.Pins(); },
                             .adopted_lineages = [svc] {
                               return svc->Read([](const meta::Catalog& c) { return c.state().lineage.adopted_lineages; });
                             }},
      *(*sql_door)->coordinator, compute_nodes.tablet_service());
  data_maintenance.Start();
  std::unique_ptr<DrillScheduler> drills = MakeFeDrillScheduler(fe, [svc] { return svc->IsLeader(); });
  if (drills) drills->Start();
  maintenance.store(&data_maintenance);
  auto bootstrap = std::make_unique<FeBootstrapKeeper>(service->get(), (*sql_door)->writer.get(), fe);
  STRATA_LOG(kInfo, "fe {} up: cluster {} lineage {} at version {}, leader '{}'", fe_name, fe.cluster_name,
             (*service)->ClusterId(), (*service)->AppliedVersion(), (*service)->Leader());
  // Stops on SIGTERM/SIGINT, or when a restore supersedes this lineage
  // (then the process restarts into the new one: kExitRestart).
  int sig = WaitForStopSignalOr(signals, [svc] { return !svc->SupersededBy().empty(); });
  if (sig == 0) {
    STRATA_LOG(kWarn, "fe {}: lineage {} was superseded by {}; restarting to follow it", fe_name, svc->ClusterId(),
               svc->SupersededBy());
  } else {
    STRATA_LOG(kInfo, "fe {}: signal {}, shutting down", fe_name, sig);
  }
  bootstrap.reset();  // its thread may be mid-Submit: the service is still up
  compute_nodes.Stop();  // heartbeat handlers use the writer and the service
  stream_load.store(nullptr);
  maintenance.store(nullptr);
  server.Stop();  // stream loads in flight use the front door's coordinator
  data_maintenance.Stop();
  drills.reset();  // waits for a drill in progress
  snapshots.Stop();
  sql_door->reset();  // closes the MySQL connections first: they use the service
  server.Stop();
  deferred.Set(nullptr);
  // Last: nothing above can submit any more, so a leader's release of its
  // lease (MetaService::Stop) lets a follower take over at once.
  (*service)->Stop();
  STRATA_LOG(kInfo, "fe {}: stopped", fe_name);
  return sig == 0 ? kExitRestart : kExitOk;
}

}  // namespace

int RunFe(const FeRunOptions& options) {
  // Before any thread exists, so that every thread inherits the mask and the
  // signals reach only sigwait.
  const sigset_t signals = BlockStopSignals();

  int exit_code = kExitOk;
  std::optional<FeConfig> fe = LoadOrExplain(options.conf_path, &exit_code);
  if (!fe) return exit_code;
  LogIgnoredKeys(*fe);
  auto store = OpenVolume(*fe);
  if (!store.ok()) {
    Fatal(store.status().ToString());
    return kExitFailure;
  }
  auto meta_dir = EnsureDir(fe->meta_dir, "meta_dir");
  if (!meta_dir.ok()) {
    Fatal(meta_dir.status().ToString());
    return kExitFailure;
  }
  return Serve(*fe, *store, *meta_dir, RestoreRequestFor(options.conf_path, options.cluster_snapshot), signals);
}

int RunMetaNewLineage(const FeRunOptions& options) {
  int exit_code = kExitOk;
  std::optional<FeConfig> fe = LoadOrExplain(options.conf_path, &exit_code);
  if (!fe) return exit_code;
  auto store = OpenVolume(*fe);
  if (!store.ok()) {
    Fatal(store.status().ToString());
    return kExitFailure;
  }
  auto current = meta::CurrentLineage(**store, fe->cluster_name);
  if (!current.ok()) {
    Fatal("current lineage of cluster " + fe->cluster_name + ": " + current.status().ToString());
    return kExitFailure;
  }
  std::string cluster_id = meta::NewClusterId();
  Status appended = meta::AppendLineage(**store, fe->cluster_name, current->seq, cluster_id);
  if (!appended.ok()) {
    Fatal("append lineage: " + appended.ToString());
    return kExitFailure;
  }
  std::printf("cluster_name=%s seq=%llu cluster_id=%s previous=%s\n", fe->cluster_name.c_str(),
              static_cast<unsigned long long>(current->seq + 1), cluster_id.c_str(), current->cluster_id.c_str());
  return kExitOk;
}

}  // namespace strata::server

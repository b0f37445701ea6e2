#include "server/cn/cn_main.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "common/metrics.h"
#include "server/cn/cn_config.h"
#include "server/cn/cn_volume_cache.h"
#include "server/cn/fragment_runner.h"
#include "server/cn/grpc_server.h"
#include "server/cn/heartbeat_loop.h"
#include "server/cn/tablet_rpc_service.h"
#include "server/fe_config.h"
#include "server/fe_main.h"
#include "server/http_server.h"
#include "server/process_util.h"
#include "storage/chunk_cache.h"
#include "storage/footer_cache.h"
#include "storage/tablet_service.h"

namespace strata::server::cn {
namespace {

void Fatal(const std::string& what) { FatalLine("strata cn", what); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse StatusJson(const CnConfig& cn, int64_t started_ms, const HeartbeatLoop& heartbeats) {
  HeartbeatState s = heartbeats.State();
  nlohmann::json fes = nlohmann::json::object();
  for (const auto& [address, fe] : s.frontends) {
    fes[address] = {{"ok", fe.ok}, {"last_ok_ms", fe.last_ok_ms}, {"error", fe.error}};
  }
  nlohmann::json body{{"node_id", s.node_id},       {"registered", s.node_id != 0},
                      {"host", cn.host},            {"heartbeat_port", cn.heartbeat_service_port},
                      {"rpc_port", cn.rpc_port},    {"http_port", cn.http_port},
                      {"started_ms", started_ms},   {"leader", s.leader},
                      {"heartbeat_rounds", s.rounds}, {"frontends", std::move(fes)}};
  return HttpResponse::Json(200, body.dump());
}

HttpRouter CnRouter(const CnConfig& cn, int64_t started_ms, const HeartbeatLoop* heartbeats) {
  HttpRouter r;
  r.Add("GET", "/api/health", [](const HttpRequest&) { return HttpResponse::Json(200, R"({"status":"OK"})"); });
  r.Add("GET", "/metrics",
        [](const HttpRequest&) { return HttpResponse::Text(200, MetricsRegistry::Global().RenderPrometheus()); });
  r.Add("GET", "/api/status",
        [&cn, started_ms, heartbeats](const HttpRequest&) { return StatusJson(cn, started_ms, *heartbeats); });
  return r;
}

// Loads cn.conf and resolves the host; on failure prints why and sets *exit_code.
std::optional<CnConfig> LoadOrExplain(const std::string& path, int* exit_code) {
  return LoadConfigOrExplain<CnConfig>("strata cn", path, LoadCnConfig, exit_code);
}

// Serves until SIGTERM/SIGINT; the identity port is bound first so that a
// second CN claiming it fails before it heartbeats.
int Serve(const CnConfig& cn, const std::string& cache_dir, const sigset_t& signals) {
  const int64_t started_ms = NowMs();
  // Data file footers are decoded once per process, not once per scan (object names are immutable).
  storage::EnableFooterCache(storage::kFooterCacheBytesDefault);
  // Verified column chunks stay in memory between scans (chunk_cache.h).
  storage::EnableChunkCache(cn.chunk_cache_memory_bytes);
  auto stores = std::make_shared<storage::VolumeStores>(NewVolumeCacheWrap(cache_dir, cn.cache_capacity_bytes));
  std::unique_ptr<storage::TabletService> local = storage::NewLocalTabletService(stores);
  FragmentRunnerOnNode fragments(local.get());
  TabletRpcService tablet_rpc(local.get(), [&fragments](const storage::FragmentRequest& request,
                                                        const storage::FragmentSink& sink) {
    return fragments.Run(request, sink);
  });
  GrpcServerOptions grpc_options;
  grpc_options.addresses = {cn.BindAddress() + ":" + std::to_string(cn.rpc_port),
                            cn.BindAddress() + ":" + std::to_string(cn.heartbeat_service_port)};
  auto grpc_server = GrpcServer::Start(grpc_options, {&tablet_rpc});
  if (!grpc_server.ok()) {
    Fatal(grpc_server.status().ToString());
    return kExitFailure;
  }
  HeartbeatLoop heartbeats(HeartbeatLoopOptions{
      .fe_addresses = cn.fe_addresses,
      .self = NodeInfo{.host = cn.host, .heartbeat_port = static_cast<uint32_t>(cn.heartbeat_service_port),
                       .rpc_port = static_cast<uint32_t>(cn.rpc_port), .http_port = static_cast<uint32_t>(cn.http_port)},
      .started_ms = started_ms,
      .interval_ms = cn.heartbeat_interval_ms,
      .timeout_ms = cn.heartbeat_timeout_ms});
  HttpServerOptions http;
  http.bind_host = cn.BindAddress();
  http.port = cn.http_port;
  HttpServer http_server(http, CnRouter(cn, started_ms, &heartbeats));
  Status http_started = http_server.Start();
  if (!http_started.ok()) {
    (*grpc_server)->Stop();
    Fatal(http_started.ToString());
    return kExitFailure;
  }
  heartbeats.Start();
  std::string name = cn.host + ":" + std::to_string(cn.heartbeat_service_port);
  STRATA_LOG(kInfo, "cn {} up: tablet rpc on {}, http on {}, heartbeating {} FE(s) every {} ms; cache {} ({} bytes)",
             name, cn.rpc_port, cn.http_port, cn.fe_addresses.size(), cn.heartbeat_interval_ms,
             cn.cache_capacity_bytes == 0 ? "off" : cache_dir, cn.cache_capacity_bytes);
  int sig = WaitForStopSignal(signals);
  STRATA_LOG(kInfo, "cn {}: signal {}, shutting down", name, sig);
  heartbeats.Stop();
  http_server.Stop();
  (*grpc_server)->Stop();
  STRATA_LOG(kInfo, "cn {}: stopped", name);
  return kExitOk;
}

}  // namespace

int RunCn(const CnRunOptions& options) {
  const sigset_t signals = BlockStopSignals();

  int exit_code = kExitOk;
  std::optional<CnConfig> cn = LoadOrExplain(options.conf_path, &exit_code);
  if (!cn) return exit_code;
  if (!cn->log_dir.empty()) STRATA_LOG(kInfo, "LOG_DIR = {} is accepted; logs go to stderr", cn->log_dir);
  std::error_code ec;
  std::filesystem::path cache_dir = std::filesystem::absolute(cn->CacheDir(), ec);
  if (!ec && cn->cache_capacity_bytes > 0) std::filesystem::create_directories(cache_dir, ec);
  if (ec) {
    Fatal("cache directory '" + cn->CacheDir() + "': " + ec.message());
    return kExitFailure;
  }
  return Serve(*cn, cache_dir.lexically_normal().string(), signals);
}

}  // namespace strata::server::cn

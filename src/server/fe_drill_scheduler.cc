#include "server/fe_drill_scheduler.h"

#include <chrono>

#include "common/logging.h"
#include "common/metrics.h"
#include "objstore/retry/retrying_object_store.h"

namespace strata::server {
namespace {

MetricsRegistry& Metrics() { return MetricsRegistry::Global(); }

Result<std::shared_ptr<objstore::ObjectStore>> OpenRetrying(const objstore::VolumeSpec& spec) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> store, objstore::OpenObjectStore(spec));
  return std::shared_ptr<objstore::ObjectStore>(
      std::make_shared<objstore::RetryingObjectStore>(std::move(store), RetryPolicy{}));
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DrillScheduler::DrillScheduler(DrillSchedulerOptions options) : options_(std::move(options)) {
  Metrics().GetGauge("strata_drill_last_ok").Set(-1);
}

DrillScheduler::~DrillScheduler() { Stop(); }

void DrillScheduler::Start() {
  if (options_.interval_ms <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void DrillScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DrillScheduler::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stopping_; })) break;
    if (options_.is_leader && !options_.is_leader()) continue;
    lock.unlock();
    RunOnce();
    lock.lock();
  }
}

void DrillScheduler::RunOnce() {
  restore::DrillOptions o = options_.drill;
  o.scratch_name = "";  // a fresh scratch name per drill
  Result<restore::DrillReport> report = restore::RunDrill(o);
  const bool ok = report.ok() && report->ok();
  Metrics().GetGauge("strata_drill_last_ok").Set(ok ? 1 : 0);
  Metrics().GetGauge("strata_drill_last_finished_ms").Set(WallMs());
  if (report.ok()) Metrics().GetGauge("strata_drill_last_recovery_ms").Set(report->restore_ms);
  Metrics().GetCounter("strata_drill_runs_total", ok ? "result=\"passed\"" : "result=\"failed\"").Add();
  if (!report.ok()) {
    STRATA_LOG(kWarn, "scheduled drill could not run: {}", report.status().ToString());
  } else if (!report->ok()) {
    STRATA_LOG(kWarn, "scheduled drill FAILED: {}", report->problems.front());
  }
}

std::unique_ptr<DrillScheduler> MakeFeDrillScheduler(const FeConfig& fe, std::function<bool()> is_leader) {
  if (fe.drill_interval_seconds <= 0) return nullptr;
  auto store = OpenRetrying(fe.volume);
  if (!store.ok()) {
    STRATA_LOG(kWarn, "drill_interval_seconds is set but the volume cannot be opened: {}", store.status().ToString());
    return nullptr;
  }
  return std::make_unique<DrillScheduler>(DrillSchedulerOptions{
      .interval_ms = fe.drill_interval_seconds * 1000,
      .is_leader = std::move(is_leader),
      .drill = restore::DrillOptions{.meta_store = *store, .meta_volume = fe.volume, .cluster_name = fe.cluster_name,
                                     .open = OpenRetrying}});
}

}  // namespace strata::server

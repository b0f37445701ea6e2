// Scheduled DR drills in the FE (issue 10): with fe.conf drill_interval_seconds
// > 0 (off by default), the leading FE runs restore::RunDrill (restore/drill.h)
// on its own volume every that many seconds, while the cluster serves, and
// publishes the last result as metrics on /metrics:
//
//   strata_drill_last_ok               1 passed, 0 failed (or could not run); -1 before the first drill
//   strata_drill_last_recovery_ms      the last drill's recovery time (its restore)
//   strata_drill_last_finished_ms      wall clock when it ended
//   strata_drill_runs_total{result="passed"|"failed"}
//
// A cluster without a complete snapshot counts as failed (nothing to recover
// from). Followers never drill. The report is logged.
//
// Thread-safety: Start/Stop from one thread; the drill runs on its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "restore/drill.h"
#include "server/fe_config.h"

namespace strata::server {

struct DrillSchedulerOptions {
  int64_t interval_ms = 0;              // <= 0: never runs
  std::function<bool()> is_leader;
  restore::DrillOptions drill;          // what each drill runs with
};

class DrillScheduler {
 public:
  explicit DrillScheduler(DrillSchedulerOptions options);
  ~DrillScheduler();  // Stop()s
  void Start();
  void Stop();        // waits for a running drill to end

 private:
  void Loop();
  void RunOnce();

  DrillSchedulerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// The FE's scheduler: drills of fe.cluster_name on fe.volume every
// fe.drill_interval_seconds (null when that is 0, or the volume cannot be
// opened — logged).
std::unique_ptr<DrillScheduler> MakeFeDrillScheduler(const FeConfig& fe, std::function<bool()> is_leader);

}  // namespace strata::server

// LocalCluster: one `strata fe` and N `strata cn` child processes on
// 127.0.0.1, configured under one directory (local_config.h has the layout),
// started from this very binary and stopped by their PIDs — in the destructor
// too, so an error path never leaves a process behind.
//
// Waits are bounded and give up early when a stop signal arrives
// (child_process.h) or when a child exits; the error then carries the tail of
// that child's log.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "server/local/child_process.h"
#include "server/local/local_config.h"

namespace strata::server::local {

// The FE's restore mode (the lead's contract in src/restore): with this
// variable set to "true" the FE restores from cluster_snapshot.yaml beside
// its fe.conf before it serves; the same as `strata fe --cluster_snapshot`.
inline constexpr const char* kRestoreEnv = "RESTORE_CLUSTER_SNAPSHOT";
inline constexpr const char* kRestoreStatePath = "/api/v2/get_cluster_snapshot_restore_state";

class LocalCluster {
 public:
  // `executable` is the strata binary the children run.
  LocalCluster(LocalOptions options, PortLayout ports, std::string executable);
  ~LocalCluster();  // Stop()

  // Creates the directories, writes fe.conf and every cn.conf (0600) and
  // checks that every port is free on 127.0.0.1 (FailedPrecondition naming
  // the port and suggesting --port-base otherwise).
  Status Prepare();

  // Starts the FE; `restore` sets RESTORE_CLUSTER_SNAPSHOT=true, otherwise the
  // variable is removed from the FE's environment.
  Status StartFe(bool restore);
  Status StartCns();

  // Until GET /api/ready answers 200. DeadlineExceeded / FailedPrecondition
  // (a child exited) / Cancelled (stop signal).
  Status WaitFeReady(int64_t timeout_ms);
  // Until the FE's GET /api/cn shows every CN alive.
  Status WaitCnsRegistered(int64_t timeout_ms);
  // FailedPrecondition naming the first child that is no longer running.
  Status CheckChildren();

  // GET on the FE's HTTP port: (status, body). Unavailable when unreachable.
  Result<std::pair<int, std::string>> FeGet(const std::string& path, int64_t timeout_ms = 3000) const;
  // The FE's lineage: cluster_id from GET /api/meta/status.
  Result<std::string> ClusterId() const;

  // Stops the CNs, then the FE (SIGTERM; SIGKILL after the timeout); returns
  // one line per process ("cn0 (pid 123): exited with code 0"). Idempotent.
  std::vector<std::string> Stop();

  const LocalOptions& options() const { return options_; }
  const PortLayout& ports() const { return ports_; }
  Paths paths() const { return Paths{options_.dir}; }
  ChildProcess* fe() { return fe_.get(); }
  std::vector<ChildProcess*> cns();
  std::vector<std::string> LogPaths() const;

 private:
  Status Wait(const std::string& what, int64_t timeout_ms, const std::function<Result<bool>()>& done);

  LocalOptions options_;
  PortLayout ports_;
  std::string executable_;
  std::unique_ptr<ChildProcess> fe_;
  std::vector<std::unique_ptr<ChildProcess>> cns_;
};

// Writes `text` to `path` (mode 0600) through a temp file and rename.
Status WriteFileAtomically(const std::string& path, const std::string& text);

// FailedPrecondition if some TCP port in `ports` cannot be bound on 127.0.0.1.
Status CheckPortsFree(const std::vector<int>& ports);

}  // namespace strata::server::local

// Child processes of `strata local`: the FE and CNs it runs, each started
// from a known executable with its output appended to a log file, tracked by
// PID and stopped by PID — never by name.
//
// A child runs in its own process group (a Ctrl-C at the terminal reaches only
// `strata local`, which then stops the children in order) and gets SIGTERM if
// `strata local` itself dies (PR_SET_PDEATHSIG), so no child outlives it.
//
// Also the stop-signal flag: InstallStopSignalHandlers() makes SIGINT and
// SIGTERM set a flag that the foreground loops poll (StopSignalReceived()).
//
// Thread-safety: ChildProcess is used from one thread. The signal flag is
// async-signal-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace strata::server::local {

struct ChildSpec {
  std::string name;                // "fe", "cn0": for messages
  std::string executable;          // absolute path
  std::vector<std::string> args;   // after argv[0]
  std::string cwd;                 // must exist
  std::string log_path;            // appended to; created 0644
  std::vector<std::pair<std::string, std::string>> env_set;  // added to (or replacing in) this process's environment
  std::vector<std::string> env_unset;                         // removed from it
};

class ChildProcess {
 public:
  // Forks and execs. Unavailable if the log cannot be opened or fork fails;
  // an exec failure shows as an exit code of 127 (and a line in the log).
  static Result<std::unique_ptr<ChildProcess>> Spawn(const ChildSpec& spec);
  ~ChildProcess();  // Stop(kStopTimeoutMs) if still running

  static constexpr int64_t kStopTimeoutMs = 15000;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return spec_.name; }
  const std::string& log_path() const { return spec_.log_path; }

  // Reaps the child if it has exited (non-blocking).
  bool Running();
  // "exited with code 3" / "killed by signal 9" / "running".
  std::string DescribeExit();
  std::optional<int> exit_code() const { return exit_code_; }

  // Sends `sig` to the child's PID if it still runs.
  void Signal(int sig);
  // Waits until it exits or the deadline (MonotonicMs time) passes; true if exited.
  bool WaitUntil(int64_t deadline_ms);
  // SIGTERM, wait up to timeout_ms, then SIGKILL and wait.
  void Stop(int64_t timeout_ms);

  // The last `lines` lines of its log (for error messages).
  std::string LogTail(size_t lines) const;

 private:
  explicit ChildProcess(ChildSpec spec) : spec_(std::move(spec)) {}
  void Reap(int status);

  ChildSpec spec_;
  pid_t pid_ = -1;
  bool running_ = false;
  std::optional<int> exit_code_;    // exited normally
  std::optional<int> exit_signal_;  // killed by a signal
};

// Stops several children at once: SIGTERM to each (in the given order), then
// one shared deadline, then SIGKILL to any still running. Null entries are skipped.
void StopAll(const std::vector<ChildProcess*>& children, int64_t timeout_ms);

// The absolute path of the running executable (/proc/self/exe resolved).
Result<std::string> SelfExecutable();

void InstallStopSignalHandlers();
bool StopSignalReceived();
// Sleeps up to `ms`, returning early (false) when a stop signal arrives.
bool SleepUnlessStopped(int64_t ms);

}  // namespace strata::server::local

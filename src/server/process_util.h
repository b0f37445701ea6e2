// What `strata fe` and `strata cn` share as processes: fatal start-up lines on
// stderr, the log level from the config, the host from priority_networks, and
// waiting for SIGTERM/SIGINT.
// Thread-safety: call from the main thread during start-up / shutdown.
#pragma once

#include <signal.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "server/fe_config.h"  // PickPriorityAddress
#include "server/fe_main.h"    // kExitUsage

namespace strata::server {

// One line on stderr, whatever the log level: the operator must see why the
// process did not start even with sys_log_level = ERROR.
inline void FatalLine(const char* program, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program, what.c_str());
}

// sys_log_level (DEBUG, INFO, WARN/WARNING, anything else ERROR).
void ApplyLogLevel(const std::string& level);

// Blocks SIGTERM and SIGINT (for sigwait) and ignores SIGPIPE. Call before any
// thread exists, so that every thread inherits the mask; returns the set.
sigset_t BlockStopSignals();

// Blocks until SIGTERM or SIGINT (already blocked in every thread).
int WaitForStopSignal(const sigset_t& set);
// The same, but also returns 0 once `stop_early` is true (checked every 200 ms).
int WaitForStopSignalOr(const sigset_t& set, const std::function<bool()>& stop_early);

// Loads a config with `load`, applies its log level and resolves its host from
// priority_networks when host is not set. On failure prints why (as `program`)
// and sets *exit_code to kExitUsage.
template <typename Config, typename Load>
std::optional<Config> LoadConfigOrExplain(const char* program, const std::string& path, Load load, int* exit_code) {
  Result<Config> config = load(path);
  if (!config.ok()) {
    FatalLine(program, config.status().ToString());
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  ApplyLogLevel(config->sys_log_level);
  if (!config->host_set && !config->priority_networks.empty()) {
    auto picked = PickPriorityAddress(config->priority_networks);
    if (!picked.ok()) {
      FatalLine(program, picked.status().ToString());
      *exit_code = kExitUsage;
      return std::nullopt;
    }
    config->host = *picked;
  }
  return std::move(config).value();
}

}  // namespace strata::server

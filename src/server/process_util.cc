#include "server/process_util.h"

#include <cctype>

#include "common/logging.h"

namespace strata::server {

void ApplyLogLevel(const std::string& level) {
  std::string l;
  for (char c : level) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "debug") SetLogLevel(LogLevel::kDebug);
  else if (l == "info") SetLogLevel(LogLevel::kInfo);
  else if (l == "warn" || l == "warning") SetLogLevel(LogLevel::kWarn);
  else SetLogLevel(LogLevel::kError);
}

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

int WaitForStopSignal(const sigset_t& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

int WaitForStopSignalOr(const sigset_t& set, const std::function<bool()>& stop_early) {
  const timespec tick{.tv_sec = 0, .tv_nsec = 200'000'000};
  while (true) {
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig > 0) return sig;
    if (stop_early()) return 0;
  }
}

}  // namespace strata::server

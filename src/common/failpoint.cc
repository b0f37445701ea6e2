#include "common/failpoint.h"

#include "common/result.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::failpoint {
namespace {

struct Armed {
  Spec spec;
  int64_t hits = 0;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, Armed, std::less<>> armed;
  std::atomic<bool> any{false};
  std::once_flag env_once;
};

Registry& Reg() {
  static Registry* r = new Registry();  // never destroyed: failpoints may fire during exit
  return *r;
}

Result<Spec> ParseAction(std::string_view text) {
  Spec spec;
  if (size_t at = text.find('@'); at != std::string_view::npos) {
    std::string_view n = text.substr(at + 1);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), spec.nth_hit);
    if (ec != std::errc() || p != n.data() + n.size() || spec.nth_hit < 1) {
      return InvalidArgument("bad hit number '" + std::string(n) + "'");
    }
    text = text.substr(0, at);
  }
  if (text == "error") {
    spec.action = Action::kError;
  } else if (text == "crash") {
    spec.action = Action::kCrash;
  } else if (text.starts_with("sleep:")) {
    spec.action = Action::kSleep;
    std::string_view ms = text.substr(6);
    auto [p, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), spec.sleep_ms);
    if (ec != std::errc() || p != ms.data() + ms.size() || spec.sleep_ms < 0) {
      return InvalidArgument("bad sleep duration '" + std::string(ms) + "'");
    }
  } else {
    return InvalidArgument("unknown action '" + std::string(text) + "' (want error, crash or sleep:<ms>)");
  }
  return spec;
}

void ArmNoEnv(std::string_view name, Spec spec) {
  std::lock_guard lock(Reg().mu);
  Reg().armed[std::string(name)] = Armed{spec, 0};
  Reg().any.store(true);
}

// Parses a whole spec list and arms it, or arms nothing and says why. Does not
// look at STRATA_FAILPOINTS, so that LoadEnvOnce can use it from inside its
// call_once (re-entering that call_once from the same thread deadlocks).
Status ParseAndArm(std::string_view specs) {
  std::vector<std::pair<std::string, Spec>> parsed;
  constexpr size_t kSpecsMax = 1000;
  while (!specs.empty()) {
    size_t semi = specs.find(';');
    std::string_view item = specs.substr(0, semi);
    specs = semi == std::string_view::npos ? std::string_view() : specs.substr(semi + 1);
    if (item.empty()) continue;
    if (parsed.size() >= kSpecsMax) {
      return InvalidArgument("failpoint specs: more than " + std::to_string(kSpecsMax) + " items");
    }
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgument("failpoint spec '" + std::string(item) + "': want name=action[@n]");
    }
    Result<Spec> spec = ParseAction(item.substr(eq + 1));
    if (!spec.ok()) return spec.status().WithContext("failpoint spec '" + std::string(item) + "'");
    parsed.emplace_back(std::string(item.substr(0, eq)), *spec);
  }
  for (auto& [name, spec] : parsed) ArmNoEnv(name, spec);
  return Status::OK();
}

void LoadEnvOnce() {
  std::call_once(Reg().env_once, [] {
    const char* env = std::getenv("STRATA_FAILPOINTS");
    if (env == nullptr || *env == '\0') return;
    Status s = ParseAndArm(env);
    STRATA_CHECK(s.ok(), "bad STRATA_FAILPOINTS: " + s.message());
  });
}

}  // namespace

void Arm(std::string_view name, Spec spec) {
  LoadEnvOnce();
  ArmNoEnv(name, spec);
}

void Disarm(std::string_view name) {
  LoadEnvOnce();  // so that the environment's specs cannot come back armed after this
  std::lock_guard lock(Reg().mu);
  if (auto it = Reg().armed.find(name); it != Reg().armed.end()) Reg().armed.erase(it);
  Reg().any.store(!Reg().armed.empty());
}

void DisarmAll() {
  LoadEnvOnce();
  std::lock_guard lock(Reg().mu);
  Reg().armed.clear();
  Reg().any.store(false);
}

Status ArmFromString(std::string_view specs) {
  LoadEnvOnce();
  return ParseAndArm(specs);
}

int64_t HitCount(std::string_view name) {
  std::lock_guard lock(Reg().mu);
  auto it = Reg().armed.find(name);
  return it == Reg().armed.end() ? 0 : it->second.hits;
}

Status Hit(std::string_view name) {
  LoadEnvOnce();
  if (!Reg().any.load(std::memory_order_relaxed)) return Status::OK();
  Spec spec;
  {
    std::lock_guard lock(Reg().mu);
    auto it = Reg().armed.find(name);
    if (it == Reg().armed.end()) return Status::OK();
    it->second.hits++;
    if (it->second.spec.nth_hit != 0 && it->second.hits != it->second.spec.nth_hit) return Status::OK();
    spec = it->second.spec;
  }
  switch (spec.action) {
    case Action::kError:
      return Unavailable("failpoint " + std::string(name));
    case Action::kCrash:
      ::kill(::getpid(), SIGKILL);
      std::abort();  // not reached
    case Action::kSleep:
      std::this_thread::sleep_for(std::chrono::milliseconds(spec.sleep_ms));
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace strata::failpoint

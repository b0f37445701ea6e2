// Named failpoints: places in the code where a test can inject an error, a
// delay or a crash (process death without any clean-up), to prove that every
// step of a protocol is safe to be interrupted.
//
//   STRATA_FAILPOINT("local.put.before_link");   // in a function returning Status/Result
//
// Arming, from a test:
//   failpoint::Arm("local.put.before_link", {.action = failpoint::Action::kCrash});
// or, for a child process, with the environment variable read at the first hit:
//   STRATA_FAILPOINTS="local.put.before_link=crash;s3.put=error@2"
// Spec grammar: name=action[@n] where action is error|crash|sleep:<ms> and @n
// fires on the n-th hit only (1-based; without it, every hit fires).
//
// Cost when nothing is armed: one relaxed atomic load.
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::failpoint {

enum class Action { kError, kCrash, kSleep };

struct Spec {
  Action action = Action::kError;
  int64_t nth_hit = 0;    // 0: every hit fires; n > 0: only the n-th hit fires
  int64_t sleep_ms = 0;   // for kSleep
};

void Arm(std::string_view name, Spec spec);
void Disarm(std::string_view name);
void DisarmAll();

// Parses and arms a spec list (grammar above). InvalidArgument names the bad
// item and arms nothing.
Status ArmFromString(std::string_view specs);

// Number of times the named failpoint has been reached since it was armed.
int64_t HitCount(std::string_view name);

// Called at the failpoint. Returns Unavailable("failpoint <name>") when armed
// with kError, never returns when armed with kCrash (SIGKILL to self), sleeps
// then returns OK with kSleep, and returns OK when not armed.
Status Hit(std::string_view name);

}  // namespace strata::failpoint

#define STRATA_FAILPOINT(name) STRATA_RETURN_IF_ERROR(::strata::failpoint::Hit(name))

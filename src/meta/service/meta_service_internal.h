// Internals shared by meta_service.cc and meta_service_recovery.cc. Not part
// of the MetaService contract.
#pragma once

#include <future>
#include <string>
#include <vector>

#include "meta/service/meta_service.h"

namespace strata::meta {

struct MetaService::Pending {
  Change change;
  std::promise<Result<CommitResult>> done;
  int64_t submitted_at_us = 0;
};

// A batch whose append had an unknown outcome: it is resolved by reading the
// version back before anything else is committed.
struct MetaService::InDoubt {
  uint64_t version = 0;
  std::string payload;
  std::vector<std::shared_ptr<Pending>> batch;
  int attempts = 0;
};

// Bounds.
// Start-up fetches the log tail this many entries at a time: object stores
// answer in tens of milliseconds, so a 1,000-entry tail needs wide fan-out.
inline constexpr int kReplayParallelism = 32;
inline constexpr int kInDoubtAttemptsMax = 50;
// Stop reads an in-doubt append back at most this many times (poll_ms apart).
inline constexpr int kStopInDoubtAttemptsMax = 5;

}  // namespace strata::meta

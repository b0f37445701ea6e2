// Changes: the typed entries of the metadata log. Every catalog mutation is
// one Change; the log stores batches of them (one batch per log entry).
//
// The encoding is binary (common/coding.h), versioned per batch, and
// documented in docs/formats/meta-catalog.md (the batch is the log
// entry's payload; the framing is docs/formats/meta-log.md). JSON forms exist for the FE's admin endpoint and tests.
//
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "meta/catalog/model.h"

namespace strata::meta {

// LeaderChange and the other change structs are in model.h (ChangeBody).

// The full list of change types lives in model.h's ChangeBody variant; this
// wrapper adds what every change carries.
struct Change {
  ChangeBody body;
};

// What the leader writes as one log entry: the batch plus who wrote it. The
// nonce makes every batch's bytes unique, so a writer can recognise its own
// entry when reading back after a lost reply.
struct Batch {
  std::string writer_fe;
  uint64_t writer_term = 0;
  uint64_t nonce = 0;
  int64_t commit_time_ms = 0;  // the leader's wall clock; informational (PITR by time uses it later)
  std::vector<Change> changes;
};

std::string EncodeBatch(const Batch& batch);
// DataLoss for malformed bytes (never crashes on garbage).
Result<Batch> DecodeBatch(std::string_view bytes);

// JSON, for the admin endpoint: {"type": "create_database", "name": "db1", ...}.
// Field names are those of the change struct; enums are their upper-case
// names ("PRIMARY"); missing fields keep their defaults; unknown fields are
// errors. InvalidArgument naming the field for bad input. ChangeToJson masks
// secrets (credentials, password hashes) as "***", so it is not an inverse
// for changes that carry them; ChangeFromJson moves credential-looking volume
// properties (IsCredentialKey) into `credentials`.
Result<Change> ChangeFromJson(std::string_view json);
std::string ChangeToJson(const Change& change);

// A short human description for logs: "create_database db1".
std::string DescribeChange(const Change& change);

}  // namespace strata::meta

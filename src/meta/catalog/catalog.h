// Catalog: the state machine of the metadata log.
//
// Apply() is deterministic: given the same sequence of changes every replica
// reaches byte-identical state (EncodeImage() equal) and returns the same
// result for each change. An invalid change (a database that already exists, a
// table in a missing database, a term that is not current + 1, ...) returns its
// error and leaves the state unchanged — it is still "applied" in the sense
// that the log position advances. IDs are allocated from a counter in the
// state, so they are the same on every replica.
//
// Thread-safety: not thread-safe; the MetaService serialises Apply against
// readers with its own lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "meta/catalog/change.h"
#include "meta/catalog/model.h"

namespace strata::meta {

class Catalog {
 public:
  // A new cluster's catalog: version 0, user root@'%' and the built-in roles
  // (InitialCatalogState in model.h).
  Catalog();

  // Applies `change` as part of log entry `version`. Every change of one entry
  // carries the entry's version, so `version` may equal version(); a lower one
  // is FailedPrecondition and changes nothing. Returns the id the change
  // allocated (0 if none; for if_not_exists on an existing database/table/
  // partition, its id) or the reason it was rejected (InvalidArgument,
  // AlreadyExists, NotFound, FailedPrecondition). Accepted or rejected, the
  // catalog's version becomes `version`; a rejected change alters nothing else.
  // `commit_time_ms` (the batch's) stamps create times; it never affects
  // validation.
  Result<uint64_t> Apply(const Change& change, uint64_t version, int64_t commit_time_ms);

  // Marks `version` as applied even if the entry held no valid change. Never
  // moves the version backwards.
  void SetVersion(uint64_t version);
  uint64_t version() const;  // the last applied log version (0: empty catalog)

  const std::string& leader() const;  // fe_name of the current leader, "" before the first LeaderChange
  uint64_t term() const;

  // The whole state (the payload of docs/formats/meta-image.md; its layout is
  // docs/formats/meta-catalog.md). Deterministic: equal states, equal bytes.
  std::string EncodeImage() const;
  // DataLoss for malformed bytes or a state whose references do not hold.
  static Result<Catalog> DecodeImage(std::string_view bytes);
  // A catalog holding `state` (derived indexes rebuilt), checked like a
  // decoded image: DataLoss when its references do not hold. For restore,
  // which edits a snapshot's state before writing it as a new lineage's image.
  static Result<Catalog> FromState(CatalogState state);

  // A JSON view for the admin endpoint and tests; secrets are masked.
  std::string ToJson() const;

  const CatalogState& state() const;

 private:
  CatalogState state_;
};

}  // namespace strata::meta

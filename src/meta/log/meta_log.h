// MetaLog: the metadata log of one lineage in object storage (DESIGN
// invariant 2): `<cluster_id>/meta/log/<version:20 digits>`, each entry an
// opaque payload framed with magic, format version, lineage, version and a
// CRC-32C (docs/formats/meta-log.md).
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::meta {

class MetaLog {
 public:
  MetaLog(std::shared_ptr<objstore::ObjectStore> store, std::string cluster_id);

  // Writes the entry at `version` (>= 1) with put-if-absent. AlreadyExists if
  // that version is taken (by anyone). Unavailable when the outcome is
  // unknown after retries (the caller reads back to decide). InvalidArgument
  // for version 0. Exactly one PutIfAbsent, bracketed by the failpoints
  // meta.log.before_append and meta.log.after_append (the entry is durable).
  Status Append(uint64_t version, std::string_view payload);

  // The payload at `version`. NotFound if there is none; DataLoss if the
  // object is damaged or framed for another lineage/version.
  Result<std::string> Read(uint64_t version);

  // The highest version present, by listing from `at_least` (0 if none is
  // >= at_least). Lists only the 1000-version blocks from at_least upward
  // (one page each), relying on the log being gap-free above its oldest
  // image; see meta_log.cc for the one corner (debris of an interrupted
  // clean-up below the oldest image) where it may answer low, never high.
  Result<uint64_t> LastVersion(uint64_t at_least = 0);

  // The lowest version present (0 if the log is empty), by one small listing.
  Result<uint64_t> OldestVersion();

  // The versions present in [from, to], ascending, by listing.
  Result<std::vector<uint64_t>> ListVersions(uint64_t from, uint64_t to);

  // Deletes every entry with version <= `version` (clean-up behind an image),
  // oldest first in batches; `deleted` (optional) counts the keys deleted.
  // On error some entries may have been deleted; calling again is safe.
  Status DeleteThrough(uint64_t version, size_t* deleted = nullptr);

  const std::string& cluster_id() const { return cluster_id_; }
  // "<cluster_id>/meta/log/<version:020>"
  std::string KeyOf(uint64_t version) const;

 private:
  std::string Prefix() const;  // "<cluster_id>/meta/log/"
  // Versions in [from, to] under Prefix() + digit_prefix, ascending.
  Result<std::vector<uint64_t>> ListRange(const std::string& digit_prefix, uint64_t from, uint64_t to);

  std::shared_ptr<objstore::ObjectStore> store_;
  std::string cluster_id_;
};

// Frames and unframes one log entry (exposed for tests and `strata` tools).
std::string FrameLogEntry(std::string_view cluster_id, uint64_t version, std::string_view payload);
Result<std::string> UnframeLogEntry(std::string_view cluster_id, uint64_t version, std::string_view bytes);

}  // namespace strata::meta

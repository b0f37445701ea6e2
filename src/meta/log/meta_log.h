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
  // unknown after retries (the caller reads back to decide).
  Status Append(uint64_t version, std::string_view payload);

  // The payload at `version`. NotFound if there is none; DataLoss if the
  // object is damaged or framed for another lineage/version.
  Result<std::string> Read(uint64_t version);

  // The highest version present, by listing from `at_least` (0 if none).
  Result<uint64_t> LastVersion(uint64_t at_least = 0);

  // The versions present in [from, to], ascending, by listing.
  Result<std::vector<uint64_t>> ListVersions(uint64_t from, uint64_t to);

  // Deletes every entry with version <= `version` (clean-up behind an image).
  Status DeleteThrough(uint64_t version);

  const std::string& cluster_id() const { return cluster_id_; }
  // "<cluster_id>/meta/log/<version:020>"
  std::string KeyOf(uint64_t version) const;

 private:
  std::shared_ptr<objstore::ObjectStore> store_;
  std::string cluster_id_;
};

// Frames and unframes one log entry (exposed for tests and `strata` tools).
std::string FrameLogEntry(std::string_view cluster_id, uint64_t version, std::string_view payload);
Result<std::string> UnframeLogEntry(std::string_view cluster_id, uint64_t version, std::string_view bytes);

}  // namespace strata::meta

// Framing shared by the persistent records of the log layer: log entries,
// images and lineage pointers (docs/formats/meta-log.md, meta-image.md).
// Internal to src/meta/log/; callers use the Frame*/Unframe* functions of
// meta_log.h and image_store.h.
//
//   magic[8] | format_version fixed32 | cluster_id (varint len + bytes)
//   | version fixed64 | payload_length fixed64 | payload | crc32c fixed32
//
// The CRC-32C covers every byte before it and is always the last 4 bytes, in
// every format version, so damage is told apart from a newer format.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::meta::internal {

inline constexpr uint32_t kFrameFormatVersion = 1;
inline constexpr size_t kMagicBytes = 8;
inline constexpr size_t kClusterIdBytesMax = 128;

// One kind of framed record: its magic and a name for messages.
struct FrameKind {
  std::string_view magic;  // exactly kMagicBytes
  std::string_view name;   // "log entry", "image", "lineage pointer"
};

inline constexpr FrameKind kLogEntryKind{"STRATLOG", "log entry"};
inline constexpr FrameKind kImageKind{"STRATIMG", "image"};
inline constexpr FrameKind kLineageKind{"STRATLIN", "lineage pointer"};

// The parsed fields of a verified record; views into the input bytes.
struct FrameFields {
  std::string_view cluster_id;
  uint64_t version = 0;
  std::string_view payload;
};

std::string Frame(const FrameKind& kind, std::string_view cluster_id, uint64_t version, std::string_view payload);

// Verifies magic, checksum, format version and lengths. `key` names the
// object in messages. DataLoss for any damage; FailedPrecondition for a
// format version newer than this build reads. Never allocates more than the
// input size.
Result<FrameFields> ParseFrame(const FrameKind& kind, std::string_view key, std::string_view bytes);

// ParseFrame, then checks that the record belongs to `cluster_id` at
// `version` (a misplaced object is DataLoss) and returns a copy of the payload.
Result<std::string> Unframe(const FrameKind& kind, std::string_view key, std::string_view cluster_id,
                            uint64_t version, std::string_view bytes);

// "<version:020>": 20 zero-padded decimal digits.
std::string VersionDigits(uint64_t version);
// Parses exactly 20 decimal digits; false for anything else.
bool ParseVersionDigits(std::string_view digits, uint64_t* version);

}  // namespace strata::meta::internal

// Page compression codecs of the data file format (docs/formats/data-file.md).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata::storage {

// Persistent: the numeric values are written into page headers and footers.
enum class Compression : uint8_t { kNone = 0, kLz4 = 1, kZstd = 2 };
inline constexpr uint8_t kCompressionMax = 2;
std::string_view CompressionName(Compression c);

// Compresses `in` (kNone: copies it). zstd_level applies to kZstd only.
std::string Compress(Compression c, std::string_view in, int zstd_level);

// Decompresses `in` into exactly `size_bytes` bytes; DataLoss when the input
// is malformed or does not expand to exactly that size.
Status Decompress(Compression c, std::string_view in, size_t size_bytes, std::string* out);
// The same into out[0, size_bytes), which the caller owns (e.g. a buffer
// reused across pages, so that it is neither allocated nor zeroed per
// page). On error its contents are unspecified.
Status DecompressInto(Compression c, std::string_view in, char* out, size_t size_bytes);

}  // namespace strata::storage

// CRC-32C (Castagnoli), the checksum of every persistent format in Strata
// (docs/formats/). Software slice-by-8; about 1-2 GB/s on one core.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata {

// Extends `crc` (0 for a fresh checksum) with `data`.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

}  // namespace strata

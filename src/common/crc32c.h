// CRC-32C (Castagnoli), the checksum of every persistent format in Strata
// (docs/formats/). On x86-64 CPUs with SSE4.2 the CRC32 instruction computes
// it (several GB/s on one core; chosen once at run time); elsewhere a
// portable slice-by-8 (about 1-2 GB/s). Both give the same value.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata {

// Extends `crc` (0 for a fresh checksum) with `data`.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

// The two implementations behind Crc32cExtend, for tests that check they agree.
namespace crc32c_internal {
uint32_t ExtendPortable(uint32_t crc, std::string_view data);
// True if this CPU has the CRC32 instruction (SSE4.2) and this build can use it.
bool HardwareAvailable();
// Only when HardwareAvailable().
uint32_t ExtendHardware(uint32_t crc, std::string_view data);
}  // namespace crc32c_internal

}  // namespace strata

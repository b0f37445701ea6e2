// CRC-32C (Castagnoli), the checksum of every persistent format in Strata
// (docs/formats/). On x86-64 CPUs with SSE4.2 the CRC32 instruction computes
// it over three interleaved streams joined at the end (about 3x one stream:
// >10 GB/s on one core; chosen once at run time); elsewhere a portable
// slice-by-8 (about 1-2 GB/s). All give the same value.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
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
// Only when HardwareAvailable(). ExtendHardware interleaves three streams on
// long inputs; ExtendHardwareSerial is one stream (the reference it must match).
uint32_t ExtendHardware(uint32_t crc, std::string_view data);
uint32_t ExtendHardwareSerial(uint32_t crc, std::string_view data);

// Advances a raw CRC register (no pre/post inversion) over `zero_bytes` zero
// bytes in four table look-ups: how the three streams' registers are joined
// (the register after A|B is Apply_{|B|}(register after A) ^ register of B
// from 0). Building one takes O(32 * zero_bytes) steps.
class ZeroShift {
 public:
  explicit ZeroShift(size_t zero_bytes);
  uint32_t Apply(uint32_t c) const {
    return table_[0][c & 0xFF] ^ table_[1][(c >> 8) & 0xFF] ^ table_[2][(c >> 16) & 0xFF] ^ table_[3][c >> 24];
  }

 private:
  uint32_t table_[4][256];
};
}  // namespace crc32c_internal

}  // namespace strata

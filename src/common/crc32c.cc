#include "common/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define STRATA_CRC32C_X86 1
#endif

namespace strata {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // reflected Castagnoli polynomial

struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};

constexpr Tables kTables;

}  // namespace

namespace crc32c_internal {

// The CRC register (no pre/post inversion) is linear over GF(2) in its
// starting value: feeding `n` zero bytes maps it through a fixed 32x32 bit
// matrix. The table holds that map applied to each byte of the register.
ZeroShift::ZeroShift(size_t zero_bytes) {
  std::array<uint32_t, 32> image{};  // image[i]: bit i's register after the zeros
  for (int i = 0; i < 32; ++i) {
    uint32_t c = uint32_t{1} << i;
    for (size_t k = 0; k < zero_bytes; ++k) c = kTables.t[0][c & 0xFF] ^ (c >> 8);
    image[i] = c;
  }
  for (int byte = 0; byte < 4; ++byte) {
    for (uint32_t v = 0; v < 256; ++v) {
      uint32_t out = 0;
      for (int b = 0; b < 8; ++b) {
        if ((v >> b) & 1) out ^= image[byte * 8 + b];
      }
      table_[byte][v] = out;
    }
  }
}

}  // namespace crc32c_internal

namespace {

#ifdef STRATA_CRC32C_X86
// The CRC32 instruction computes exactly the reflected Castagnoli CRC step
// (no pre/post inversion), so it folds into the same state as the tables.

// Raw register `c` extended by `n` bytes at `p`, one dependent chain.
__attribute__((target("sse4.2"))) uint64_t SerialSse42(uint64_t c, const unsigned char* p, size_t n) {
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
  return c;
}

// The CRC32 instruction has a latency of 3 cycles but issues one per cycle:
// one chain of dependent CRC steps leaves two thirds of the unit idle. Three
// independent chains over three adjacent blocks of `Block` bytes run in
// parallel, and the blocks' registers are then joined: the register after
// A|B is Shift_|B|(reg(A)) ^ reg_from_0(B). Returns the register after every
// whole stripe of 3 * Block bytes; advances *p and *n past them.
template <size_t Block>
__attribute__((target("sse4.2"))) uint64_t Interleaved3(uint64_t c, const unsigned char** p, size_t* n,
                                                        const crc32c_internal::ZeroShift& shift) {
  static_assert(Block % 8 == 0);
  const unsigned char* q = *p;
  size_t left = *n;
  while (left >= 3 * Block) {  // bounded: each pass consumes 3 * Block bytes
    uint64_t c0 = c, c1 = 0, c2 = 0;
    for (size_t i = 0; i < Block; i += 8) {
      uint64_t w0, w1, w2;
      std::memcpy(&w0, q + i, 8);
      std::memcpy(&w1, q + Block + i, 8);
      std::memcpy(&w2, q + 2 * Block + i, 8);
      c0 = _mm_crc32_u64(c0, w0);
      c1 = _mm_crc32_u64(c1, w1);
      c2 = _mm_crc32_u64(c2, w2);
    }
    c = shift.Apply(shift.Apply(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1)) ^ static_cast<uint32_t>(c2);
    q += 3 * Block;
    left -= 3 * Block;
  }
  *p = q;
  *n = left;
  return c;
}

constexpr size_t kLongBlockBytes = 4096;  // stripes of 12 KiB: pages and footers
constexpr size_t kShortBlockBytes = 256;  // stripes of 768 B: what is left of them

struct Shifts {
  crc32c_internal::ZeroShift long_block{kLongBlockBytes};
  crc32c_internal::ZeroShift short_block{kShortBlockBytes};
};

const Shifts& GetShifts() {
  static const Shifts* shifts = new Shifts();  // built once (~0.2 ms), never freed
  return *shifts;
}

__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint64_t c = ~crc;
  // Align to 8 bytes so the 8-byte loads below never straddle a cache line.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
    --n;
  }
  if (n >= 3 * kShortBlockBytes) {
    const Shifts& shifts = GetShifts();
    c = Interleaved3<kLongBlockBytes>(c, &p, &n, shifts.long_block);
    c = Interleaved3<kShortBlockBytes>(c, &p, &n, shifts.short_block);
  }
  return ~static_cast<uint32_t>(SerialSse42(c, p, n));
}

__attribute__((target("sse4.2"))) uint32_t ExtendSse42Serial(uint32_t crc, std::string_view data) {
  return ~static_cast<uint32_t>(SerialSse42(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, std::string_view);

ExtendFn Choose() {
#ifdef STRATA_CRC32C_X86
  if (crc32c_internal::HardwareAvailable()) return &ExtendSse42;
#endif
  return &crc32c_internal::ExtendPortable;
}

}  // namespace

namespace crc32c_internal {

uint32_t ExtendPortable(uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint32_t c = ~crc;
  const auto& t = kTables.t;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian host (x86-64, arm64)
    uint32_t lo = static_cast<uint32_t>(word) ^ c;
    uint32_t hi = static_cast<uint32_t>(word >> 32);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return ~c;
}

bool HardwareAvailable() {
#ifdef STRATA_CRC32C_X86
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

uint32_t ExtendHardware(uint32_t crc, std::string_view data) {
#ifdef STRATA_CRC32C_X86
  return ExtendSse42(crc, data);
#else
  (void)data;
  (void)crc;
  __builtin_trap();  // callers check HardwareAvailable() first
#endif
}

uint32_t ExtendHardwareSerial(uint32_t crc, std::string_view data) {
#ifdef STRATA_CRC32C_X86
  return ExtendSse42Serial(crc, data);
#else
  (void)data;
  (void)crc;
  __builtin_trap();  // callers check HardwareAvailable() first
#endif
}

}  // namespace crc32c_internal

uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
  static const ExtendFn extend = Choose();  // once; thread-safe initialization
  return extend(crc, data);
}

}  // namespace strata

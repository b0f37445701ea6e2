// Byte-mask comparison kernels (compare_mask.h). Built with -O3 (CMakeLists)
// so that GCC vectorizes the loops; target_clones adds AVX-512 and AVX2
// versions beside the baseline one, picked once by the dynamic loader.
#include "query/compare_mask.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// The vector versions exist on x86-64 only; elsewhere the loops stay as the
// compiler vectorizes them for the baseline target.
#if defined(__x86_64__)
#define STRATA_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define STRATA_VECTOR_CLONES
#endif

namespace strata::query {
namespace {

// One loop per operator, so that the operator is not tested per row.
template <typename T>
inline void AndLoop(uint8_t* __restrict mask, const uint8_t* __restrict nulls, const T* __restrict v, size_t n,
                    CmpOp op, T x) {
  switch (op) {
    case CmpOp::kEq:
      for (size_t i = 0; i < n; ++i) mask[i] &= (nulls[i] == 0) & !(v[i] < x) & !(x < v[i]);
      return;
    case CmpOp::kNe:
      for (size_t i = 0; i < n; ++i) mask[i] &= (nulls[i] == 0) & ((v[i] < x) | (x < v[i]));
      return;
    case CmpOp::kLt:
      for (size_t i = 0; i < n; ++i) mask[i] &= (nulls[i] == 0) & (v[i] < x);
      return;
    case CmpOp::kLe:
      for (size_t i = 0; i < n; ++i) mask[i] &= (nulls[i] == 0) & !(x < v[i]);
      return;
    case CmpOp::kGt:
      for (size_t i = 0; i < n; ++i) mask[i] &= (nulls[i] == 0) & (x < v[i]);
      return;
    case CmpOp::kGe:
      for (size_t i = 0; i < n; ++i) mask[i] &= (nulls[i] == 0) & !(v[i] < x);
      return;
    case CmpOp::kNullSafeEq: return;
  }
}

}  // namespace

STRATA_VECTOR_CLONES
void AndCompareMask(uint8_t* mask, const uint8_t* nulls, const int64_t* values, size_t n, CmpOp op, int64_t x) {
  AndLoop(mask, nulls, values, n, op, x);
}

STRATA_VECTOR_CLONES
void AndCompareMask(uint8_t* mask, const uint8_t* nulls, const double* values, size_t n, CmpOp op, double x) {
  AndLoop(mask, nulls, values, n, op, x);
}

namespace {

// For each byte value b: the positions of its set bits, ascending (the rest
// zero), and how many there are. 2.3 KiB, built at compile time.
struct BitPositions {
  uint8_t at[256][8];
  uint8_t count[256];
};

constexpr BitPositions MakeBitPositions() {
  BitPositions t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned k = 0;
    for (unsigned j = 0; j < 8; ++j) {
      if ((b >> j) & 1u) t.at[b][k++] = static_cast<uint8_t>(j);
    }
    t.count[b] = static_cast<uint8_t>(k);
  }
  return t;
}

constexpr BitPositions kBitPositions = MakeBitPositions();

}  // namespace

size_t MaskToRows(const uint8_t* mask, size_t n, uint32_t first, uint32_t* out) {
  size_t k = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen rows at a time, without a branch on the mask: their bytes become
  // the bits of one word; per eight rows, the table's positions of the set
  // bits are widened to 32 bits, offset by the rows' first number and stored
  // as eight entries, of which the first count[b] are kept (the next store
  // starts there). The stores stay inside `out`: the entries written so far
  // (k) never exceed the rows looked at (i), and a store ends at most at
  // k + 8 <= i + 16 <= n.
  const __m128i zero = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(mask + i));
    const uint32_t bits = ~static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, zero))) & 0xFFFFu;
    for (uint32_t half = 0; half < 2; ++half) {
      const uint32_t b = (bits >> (8 * half)) & 0xFFu;
      const __m128i base = _mm_set1_epi32(static_cast<int>(first + static_cast<uint32_t>(i) + 8 * half));
      const __m128i at8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kBitPositions.at[b]));
      const __m128i at16 = _mm_unpacklo_epi8(at8, zero);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_add_epi32(_mm_unpacklo_epi16(at16, zero), base));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k + 4), _mm_add_epi32(_mm_unpackhi_epi16(at16, zero), base));
      k += kBitPositions.count[b];
    }
  }
#endif
  for (; i < n; ++i) {
    out[k] = first + static_cast<uint32_t>(i);
    k += mask[i] != 0;
  }
  return k;
}

}  // namespace strata::query

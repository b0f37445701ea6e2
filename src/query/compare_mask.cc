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

// Set bits of a 16-bit word without the popcnt instruction (not in the
// baseline x86-64 this is built for; __builtin_popcount would be a call).
inline uint32_t BitsSet16(uint32_t x) {
  x = x - ((x >> 1) & 0x5555u);
  x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
  x = (x + (x >> 4)) & 0x0F0Fu;
  return (x + (x >> 8)) & 0x1Fu;
}

}  // namespace

size_t MaskToRows(const uint8_t* mask, size_t n, uint32_t first, uint32_t* out) {
  size_t k = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen rows at a time: their mask bytes become the bits of one word. A
  // sparse block writes its set rows one by one (a selective filter: few
  // iterations), a dense one all sixteen rows branch-free.
  const __m128i zero = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(mask + i));
    uint32_t bits = ~static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, zero))) & 0xFFFFu;
    const uint32_t base = first + static_cast<uint32_t>(i);
    if (BitsSet16(bits) <= 6) {
      for (; bits != 0; bits &= bits - 1) out[k++] = base + static_cast<uint32_t>(__builtin_ctz(bits));
      continue;
    }
    for (uint32_t j = 0; j < 16; ++j) {
      out[k] = base + j;
      k += (bits >> j) & 1u;
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

// Byte-mask comparison kernels (compare_mask.h). Built with -O3 (CMakeLists)
// so that GCC vectorizes the loops; target_clones adds AVX-512 and AVX2
// versions beside the baseline one, picked once by the dynamic loader.
#include "query/compare_mask.h"

#include <cstring>

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

size_t MaskToRows(const uint8_t* mask, size_t n, uint32_t first, uint32_t* out) {
  size_t k = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, mask + i, 8);
    if (word == 0) continue;  // eight rows dropped at once (selective filters)
    for (size_t j = 0; j < 8; ++j) {
      out[k] = first + static_cast<uint32_t>(i + j);
      k += mask[i + j] != 0;
    }
  }
  for (; i < n; ++i) {
    out[k] = first + static_cast<uint32_t>(i);
    k += mask[i] != 0;
  }
  return k;
}

}  // namespace strata::query

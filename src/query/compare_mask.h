// Comparison kernels over typed column buffers that build a byte mask, for
// the first pass of a filter (select_rows.cc): while every row of a chunk is
// still selected, all of its column-vs-constant comparisons are ANDed into
// one mask per block of rows, then the mask becomes the row list once. The
// loops have no dependency from one row to the next, so the compiler turns
// them into vector code (built at -O3, with AVX-512 / AVX2 clones chosen at
// load time by the CPU; the plain x86-64 version otherwise).
//
// Comparisons are those of expr.cc: "equal" is "neither is less", so a
// DOUBLE NaN behaves there as it does in the row-at-a-time evaluation.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <cstddef>
#include <cstdint>

#include "query/expr.h"

namespace strata::query {

// mask[i] &= nulls[i] == 0 && values[i] op x, for i in [0, n). `op` is not
// kNullSafeEq (programmer error: the mask is left as it is).
void AndCompareMask(uint8_t* mask, const uint8_t* nulls, const int64_t* values, size_t n, CmpOp op, int64_t x);
void AndCompareMask(uint8_t* mask, const uint8_t* nulls, const double* values, size_t n, CmpOp op, double x);

// Writes first + i for each i in [0, n) with mask[i] != 0, ascending, to
// `out` (room for n entries); returns how many it wrote.
size_t MaskToRows(const uint8_t* mask, size_t n, uint32_t first, uint32_t* out);

}  // namespace strata::query

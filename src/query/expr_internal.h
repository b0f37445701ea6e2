// Helpers shared by the files that evaluate bound expressions (expr.cc,
// expr_arith.cc); not part of the engine's interface (expr.h is).
// Thread-safety: pure functions.
#pragma once

#include "query/expr.h"

namespace strata::query::expr_internal {

// Fails the statement with ER_DATA_OUT_OF_RANGE (1690) naming `t`.
[[noreturn]] void OutOfRange(const Type& t);
// The largest unscaled value of a DECIMAL of `precision` digits.
int128 DecimalMax(int precision);
// Rescales an unscaled decimal from scale `from` to `to`, rounding half away from zero.
int128 Rescale(int128 v, int from, int to);
// The value as a double (MySQL's numeric context: strings by their numeric
// prefix, dates as YYYYMMDD numbers).
double ToDouble(const Scalar& v, const Type& from);
// `e` over `ch`: a column reference is the chunk's column itself (no copy)
// when it has the representation `e` expects; anything else is evaluated
// into `holder` (EvaluateRef of expr.h).
const Column& EvalRef(const BoundExpr& e, const Chunk& ch, Column* holder);

// ExprOp::kArith over a chunk (expr_arith.cc).
Column EvalArith(const BoundExpr& e, const Chunk& ch);

}  // namespace strata::query::expr_internal

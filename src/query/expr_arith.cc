// Arithmetic over chunks (ExprOp::kArith, expr_internal.h): typed loops for
// BIGINT + - * and for DECIMAL + - * that need no rounding, and MySQL's
// per-row rules (ArithRow) for everything else: integer and decimal overflow
// is ER_DATA_OUT_OF_RANGE, x / 0 and x % 0 are NULL, DIV truncates, decimal
// division is exact to the binder's scale, rounded half away from zero.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "query/expr_internal.h"

namespace strata::query::expr_internal {
namespace {

int128 CheckedDecimal(int128 v, const Type& t) {
  if (v > DecimalMax(t.precision) || v < -DecimalMax(t.precision)) OutOfRange(t);
  return v;
}

// x op y for BIGINT (T = int64_t) or LARGEINT (int128) + - * %: nullopt
// for x % 0 (NULL); overflow is an error.
template <typename T>
std::optional<T> IntegerRow(ArithOp op, const Type& rt, T x, T y) {
  T z = 0;
  bool overflow = false;
  switch (op) {
    case ArithOp::kAdd: overflow = __builtin_add_overflow(x, y, &z); break;
    case ArithOp::kSub: overflow = __builtin_sub_overflow(x, y, &z); break;
    case ArithOp::kMul: overflow = __builtin_mul_overflow(x, y, &z); break;
    case ArithOp::kMod:
      if (y == 0) return std::nullopt;
      z = (y == -1) ? 0 : x % y;
      break;
    default: break;
  }
  if (overflow) OutOfRange(rt);
  return z;
}

Scalar ArithRow(ArithOp op, const Type& rt, const Column& a, const Column& b, size_t r) {
  const Type& at = a.type();
  const Type& bt = b.type();
  switch (rt.id) {
    case TypeId::kInt: {
      if (op == ArithOp::kIntDiv) {
        // DIV truncates toward zero; operands may be any numeric type.
        double y = ToDouble(b.At(r), bt);
        if (y == 0) return Scalar::Null();
        if (at.id == TypeId::kInt && bt.id == TypeId::kInt) {
          if (a.I64(r) == std::numeric_limits<int64_t>::min() && b.I64(r) == -1) OutOfRange(rt);
          return Scalar::I64(a.I64(r) / b.I64(r));
        }
        double q = std::trunc(ToDouble(a.At(r), at) / y);
        if (!(std::fabs(q) < 9.2e18)) OutOfRange(rt);
        return Scalar::I64(static_cast<int64_t>(q));
      }
      std::optional<int64_t> z = IntegerRow<int64_t>(op, rt, a.I64(r), b.I64(r));
      return z ? Scalar::I64(*z) : Scalar::Null();
    }
    case TypeId::kLargeInt: {
      std::optional<int128> z = IntegerRow<int128>(op, rt, a.I128(r), b.I128(r));
      return z ? Scalar::I128(*z) : Scalar::Null();
    }
    case TypeId::kDecimal: {
      // Operands were cast to decimals; scales as the binder chose.
      int128 x = a.I128(r), y = b.I128(r), z = 0;
      int sa = at.scale, sb = bt.scale;
      bool overflow = false;
      switch (op) {
        case ArithOp::kAdd:
        case ArithOp::kSub:
        case ArithOp::kMod: {
          x = Rescale(x, sa, rt.scale), y = Rescale(y, sb, rt.scale);
          if (op == ArithOp::kMod) {
            if (y == 0) return Scalar::Null();
            z = x % y;
          } else {
            overflow = op == ArithOp::kAdd ? __builtin_add_overflow(x, y, &z) : __builtin_sub_overflow(x, y, &z);
          }
          break;
        }
        case ArithOp::kMul:
          overflow = __builtin_mul_overflow(x, y, &z);
          if (!overflow) z = Rescale(z, sa + sb, rt.scale);
          break;
        case ArithOp::kDiv: {
          if (y == 0) return Scalar::Null();
          // x/10^sa / (y/10^sb) at scale s: x * 10^(s - sa + sb) / y, rounded.
          int shift = rt.scale - sa + sb;
          int128 num = x;
          int128 den = y;
          if (shift >= 0) {
            overflow = __builtin_mul_overflow(num, Pow10(std::min(shift, 38)), &num);
          } else {
            den *= Pow10(-shift);
          }
          if (overflow) break;
          int128 q = num / den, rem = num % den;
          if (rem < 0) rem = -rem;
          int128 ad = den < 0 ? -den : den;
          if (rem * 2 >= ad) q += ((num < 0) != (den < 0)) ? -1 : 1;
          z = q;
          break;
        }
        default: break;
      }
      if (overflow) OutOfRange(rt);
      return Scalar::I128(CheckedDecimal(z, rt));
    }
    case TypeId::kDouble: {
      double x = a.F64(r), y = b.F64(r);
      switch (op) {
        case ArithOp::kAdd: return Scalar::F64(x + y);
        case ArithOp::kSub: return Scalar::F64(x - y);
        case ArithOp::kMul: return Scalar::F64(x * y);
        case ArithOp::kDiv: return y == 0 ? Scalar::Null() : Scalar::F64(x / y);
        case ArithOp::kMod: return y == 0 ? Scalar::Null() : Scalar::F64(std::fmod(x, y));
        default: return Scalar::Null();
      }
    }
    default: return Scalar::Null();
  }
}

// DECIMAL + - with both operands at or below the result's scale (scaled up
// exactly by a power of ten: `1 - l_discount`), or * whose result scale is
// the sum of theirs: exact in int128 with no rounding (ArithRow's answer,
// checked against the result's precision the same way).
bool DecimalFastPath(const BoundExpr& e, const Column& a, const Column& b) {
  if (e.type.id != TypeId::kDecimal || a.type().id != TypeId::kDecimal || b.type().id != TypeId::kDecimal) return false;
  const int sa = a.type().scale, sb = b.type().scale, s = e.type.scale;
  if (e.arith == ArithOp::kMul) return sa + sb == s;
  return (e.arith == ArithOp::kAdd || e.arith == ArithOp::kSub) && sa <= s && sb <= s;
}

// The power of ten an operand of `operand`'s scale is multiplied by to reach
// the result's scale (0 when it is already there or above: * adds scales).
int ScaleUpExponent(const Type& operand, const Type& result) {
  return result.scale - std::min(operand.scale, result.scale);
}

// True if int128 cannot overflow in the fast path for any operands within
// their types' precisions (|x| < 10^p): a product needs pa + pb digits, a
// sum one more than its wider operand scaled to the result's scale.
bool DecimalArithFits(const BoundExpr& e, const Column& a, const Column& b) {
  const Type &ta = a.type(), &tb = b.type();
  const int s = e.type.scale;
  if (e.arith == ArithOp::kMul) return ta.precision + tb.precision <= kDecimalPrecisionMax;
  return std::max(ta.precision - ta.scale + s, tb.precision - tb.scale + s) + 1 <= kDecimalPrecisionMax;
}

// The fast path's loop. A_CONST / B_CONST: that side is one value for every
// row (read, and scaled, once before the loop); SCALE: operands are
// multiplied by ma / mb first (+ - only); CHECK: int128 overflow is possible
// (DecimalArithFits false); NARROW: both operands' precisions are at most 18
// (every value fits in 64 bits), so a product is one 64 x 64 -> 128-bit
// multiply. The result is always checked against its precision.
template <bool A_CONST, bool B_CONST, bool SCALE, bool CHECK, bool NARROW>
void DecimalArithLoop(const BoundExpr& e, const Column& a, const Column& b, size_t n, Column* out) {
  out->ResizeForOverwrite(n);
  uint8_t* __restrict on = out->mutable_nulls();
  int128* __restrict ov = out->mutable_i128();
  const int128 max = DecimalMax(e.type.precision);
  const uint8_t *an = a.nulls_data(), *bn = b.nulls_data();
  const int128 *av = a.i128_data(), *bv = b.i128_data();
  const int128 ma = Pow10(ScaleUpExponent(a.type(), e.type));
  const int128 mb = Pow10(ScaleUpExponent(b.type(), e.type));
  const ArithOp op = e.arith;
  // A constant side's value, scaled once (an overflow doing so is an error
  // for each row that is not NULL, as when it is scaled per row).
  bool overflow = false;
  int128 ca = 0, cb = 0;
  if constexpr (A_CONST) {
    ca = av[0];
    if constexpr (SCALE) overflow |= __builtin_mul_overflow(ca, ma, &ca);
  }
  if constexpr (B_CONST) {
    cb = bv[0];
    if constexpr (SCALE) overflow |= __builtin_mul_overflow(cb, mb, &cb);
  }
  for (size_t r = 0; r < n; ++r) {
    if (an[A_CONST ? 0 : r] | bn[B_CONST ? 0 : r]) {
      on[r] = 1;
      ov[r] = 0;
      continue;
    }
    int128 x = A_CONST ? ca : av[r], y = B_CONST ? cb : bv[r], z = 0;
    bool over = false;
    if constexpr (CHECK) {
      if constexpr (SCALE) {
        if constexpr (!A_CONST) over |= __builtin_mul_overflow(x, ma, &x);
        if constexpr (!B_CONST) over |= __builtin_mul_overflow(y, mb, &y);
      }
      if (op == ArithOp::kMul && x == static_cast<int64_t>(x) && y == static_cast<int64_t>(y)) {
        // Both fit in 64 bits (most values of wide types do): one widening
        // multiply, which cannot overflow int128; the precision check below holds.
        z = static_cast<int128>(static_cast<int64_t>(x)) * static_cast<int64_t>(y);
      } else {
        over |= op == ArithOp::kAdd   ? __builtin_add_overflow(x, y, &z)
                : op == ArithOp::kSub ? __builtin_sub_overflow(x, y, &z)
                                      : __builtin_mul_overflow(x, y, &z);
      }
    } else {
      if constexpr (SCALE) {
        if constexpr (!A_CONST) x *= ma;
        if constexpr (!B_CONST) y *= mb;
      }
      if constexpr (NARROW) {
        z = op == ArithOp::kAdd   ? x + y
            : op == ArithOp::kSub ? x - y
                                  : static_cast<int128>(static_cast<int64_t>(x)) * static_cast<int64_t>(y);
      } else {
        z = op == ArithOp::kAdd ? x + y : op == ArithOp::kSub ? x - y : x * y;
      }
    }
    if (overflow || over || z > max || z < -max) OutOfRange(e.type);
    ov[r] = z;
  }
}

template <bool SCALE, bool CHECK, bool NARROW>
void DecimalArithChecked(const BoundExpr& e, const Column& a, const Column& b, size_t n, Column* out) {
  if (a.is_constant() && b.is_constant()) return DecimalArithLoop<true, true, SCALE, CHECK, NARROW>(e, a, b, n, out);
  if (a.is_constant()) return DecimalArithLoop<true, false, SCALE, CHECK, NARROW>(e, a, b, n, out);
  if (b.is_constant()) return DecimalArithLoop<false, true, SCALE, CHECK, NARROW>(e, a, b, n, out);
  DecimalArithLoop<false, false, SCALE, CHECK, NARROW>(e, a, b, n, out);
}

// Values of a DECIMAL column fit in 64 bits when its precision is at most 18
// (|x| < 10^18 < 2^63); a product of two such is then one widening multiply.
constexpr int kNarrowDecimalPrecisionMax = 18;

// Bits that bound every 64-bit slot of narrow column `c` (one slot if it is
// a constant; NULL rows' slots too): |x| <= 2^bits. One OR per value: x
// for x >= 0, |x| - 1 for x < 0, so the OR of them is below 2^bits.
int MagnitudeBits(const Column& c) {
  const int64_t* v = c.i64_data();
  const size_t n = c.is_constant() ? 1 : c.Size();
  uint64_t m = 0;
  for (size_t i = 0; i < n; ++i) m |= static_cast<uint64_t>(v[i] ^ (v[i] >> 63));
  return m == 0 ? 0 : 64 - __builtin_clzll(m);
}

// The fast path over two narrow operands (Column::narrow; a constant side
// is one such value for every row), in 64 bits. CHECKED: an overflow of 64
// bits is possible (scaling included); each row's is gathered into one
// flag, branch-free, and on one in a non-NULL row the function returns false
// (*out is then garbage; the caller runs the 128-bit loop). Without CHECKED
// the operands' magnitudes rule overflow out. RANGE: the result may exceed
// its precision, an error as in the 128-bit loop. *out is narrow.
template <ArithOp OP, bool A_CONST, bool B_CONST, bool SCALE, bool CHECKED, bool RANGE>
bool DecimalArith64Loop(const BoundExpr& e, const Column& a, const Column& b, size_t n, Column* out) {
  out->ResizeForNarrowOverwrite(n);
  uint8_t* __restrict on = out->mutable_nulls();
  int64_t* __restrict ov = out->mutable_i64();
  const uint8_t *an = a.nulls_data(), *bn = b.nulls_data();
  const int64_t *av = a.i64_data(), *bv = b.i64_data();
  const auto ma = static_cast<int64_t>(Pow10(ScaleUpExponent(a.type(), e.type)));
  const auto mb = static_cast<int64_t>(Pow10(ScaleUpExponent(b.type(), e.type)));
  const int64_t max = RANGE ? static_cast<int64_t>(DecimalMax(e.type.precision)) : 0;
  bool over = false, out_of_range = false;
  for (size_t r = 0; r < n; ++r) {
    const size_t ia = A_CONST ? 0 : r, ib = B_CONST ? 0 : r;
    const uint8_t null = an[ia] | bn[ib];
    int64_t x = av[ia], y = bv[ib], z = 0;
    if constexpr (CHECKED) {
      bool o = false;
      if constexpr (SCALE) {
        o |= __builtin_mul_overflow(x, ma, &x);
        o |= __builtin_mul_overflow(y, mb, &y);
      }
      if constexpr (OP == ArithOp::kAdd) o |= __builtin_add_overflow(x, y, &z);
      else if constexpr (OP == ArithOp::kSub) o |= __builtin_sub_overflow(x, y, &z);
      else o |= __builtin_mul_overflow(x, y, &z);
      over |= o & !null;
    } else {
      if constexpr (SCALE) x *= ma, y *= mb;
      z = OP == ArithOp::kAdd ? x + y : OP == ArithOp::kSub ? x - y : x * y;
    }
    if constexpr (RANGE) out_of_range |= ((z > max) | (z < -max)) & !null;
    on[r] = null;
    ov[r] = null ? 0 : z;
  }
  if (over) return false;
  if (out_of_range) OutOfRange(e.type);
  return true;
}

template <ArithOp OP, bool SCALE, bool CHECKED, bool RANGE>
bool DecimalArith64Op(const BoundExpr& e, const Column& a, const Column& b, size_t n, Column* out) {
  if (a.is_constant()) return DecimalArith64Loop<OP, true, false, SCALE, CHECKED, RANGE>(e, a, b, n, out);
  if (b.is_constant()) return DecimalArith64Loop<OP, false, true, SCALE, CHECKED, RANGE>(e, a, b, n, out);
  return DecimalArith64Loop<OP, false, false, SCALE, CHECKED, RANGE>(e, a, b, n, out);
}

template <ArithOp OP, bool SCALE>
bool DecimalArith64Checks(const BoundExpr& e, const Column& a, const Column& b, size_t n, bool checked, bool range,
                          Column* out) {
  if (checked) {
    return range ? DecimalArith64Op<OP, SCALE, true, true>(e, a, b, n, out)
                 : DecimalArith64Op<OP, SCALE, true, false>(e, a, b, n, out);
  }
  return range ? DecimalArith64Op<OP, SCALE, false, true>(e, a, b, n, out)
               : DecimalArith64Op<OP, SCALE, false, false>(e, a, b, n, out);
}

// Both sides narrow, at least one not a constant, and the scale factors
// within 64 bits: the 64-bit loop, unchecked where the operands' magnitudes
// (MagnitudeBits, scale factors included) keep the result within 63 bits,
// and without the precision check where they keep it within the precision;
// false if it did not run or overflowed.
template <bool SCALE>
bool DecimalArith64(const BoundExpr& e, const Column& a, const Column& b, size_t n, Column* out) {
  Column na, nb;
  const Column* a64 = NarrowOrNull(a, &na);
  const Column* b64 = a64 ? NarrowOrNull(b, &nb) : nullptr;
  if (!a64 || !b64 || (a.is_constant() && b.is_constant())) return false;
  const int ea = ScaleUpExponent(a.type(), e.type), eb = ScaleUpExponent(b.type(), e.type);
  if (ea > kNarrowDecimalPrecisionMax || eb > kNarrowDecimalPrecisionMax) return false;
  // |result| <= 2^bits: a product's bits add up; a sum is at most one more
  // than its larger (scaled) operand.
  auto scale_bits = [](int exponent) {
    const auto m = static_cast<uint64_t>(Pow10(exponent));
    return m == 1 ? 0 : 64 - __builtin_clzll(m);  // m < 2^bits
  };
  const int ba = MagnitudeBits(*a64) + (SCALE ? scale_bits(ea) : 0);
  const int bb = MagnitudeBits(*b64) + (SCALE ? scale_bits(eb) : 0);
  const int bits = e.arith == ArithOp::kMul ? ba + bb : std::max(ba, bb) + 1;
  const bool checked = bits > 62;  // (bits >= ba, bb: the scaled operands fit too)
  const bool range = e.type.precision <= kNarrowDecimalPrecisionMax &&
                     (checked || (int128{1} << bits) > DecimalMax(e.type.precision));
  switch (e.arith) {
    case ArithOp::kAdd: return DecimalArith64Checks<ArithOp::kAdd, SCALE>(e, *a64, *b64, n, checked, range, out);
    case ArithOp::kSub: return DecimalArith64Checks<ArithOp::kSub, SCALE>(e, *a64, *b64, n, checked, range, out);
    case ArithOp::kMul: return DecimalArith64Checks<ArithOp::kMul, false>(e, *a64, *b64, n, checked, range, out);
    default: return false;
  }
}

template <bool SCALE>
void DecimalArith(const BoundExpr& e, const Column& a_in, const Column& b_in, size_t n, Column* out) {
  if (DecimalArith64<SCALE>(e, a_in, b_in, n, out)) return;
  Column wa, wb;  // the 128-bit loops read wide operands
  const Column& a = WideOf(a_in, &wa);
  const Column& b = WideOf(b_in, &wb);
  const bool narrow = e.arith == ArithOp::kMul && a.type().precision <= kNarrowDecimalPrecisionMax &&
                      b.type().precision <= kNarrowDecimalPrecisionMax;
  if (!DecimalArithFits(e, a, b)) return DecimalArithChecked<SCALE, true, false>(e, a, b, n, out);
  narrow ? DecimalArithChecked<SCALE, false, true>(e, a, b, n, out)
         : DecimalArithChecked<SCALE, false, false>(e, a, b, n, out);
}

}  // namespace

Column EvalArith(const BoundExpr& e, const Chunk& ch) {
  Column ha, hb;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  const Column& b = EvalRef(*e.args[1], ch, &hb);
  Column out(e.type);
  // The hot case gets its own loop: BIGINT + - * BIGINT.
  if (e.type.id == TypeId::kInt && a.type().id == TypeId::kInt && b.type().id == TypeId::kInt &&
      (e.arith == ArithOp::kAdd || e.arith == ArithOp::kSub || e.arith == ArithOp::kMul)) {
    out.Reserve(ch.rows);
    for (size_t r = 0; r < ch.rows; ++r) {
      if (a.IsNull(r) || b.IsNull(r)) {
        out.AppendNull();
        continue;
      }
      int64_t z = 0;
      bool overflow = e.arith == ArithOp::kAdd   ? __builtin_add_overflow(a.I64(r), b.I64(r), &z)
                      : e.arith == ArithOp::kSub ? __builtin_sub_overflow(a.I64(r), b.I64(r), &z)
                                                 : __builtin_mul_overflow(a.I64(r), b.I64(r), &z);
      if (overflow) OutOfRange(e.type);
      out.AppendI64(z);
    }
    return out;
  }
  if (DecimalFastPath(e, a, b)) {
    // DECIMAL + - * needing no rounding (SUM(price * (1 - discount))): one typed loop.
    const bool scale = e.arith != ArithOp::kMul && (a.type().scale != e.type.scale || b.type().scale != e.type.scale);
    scale ? DecimalArith<true>(e, a, b, ch.rows, &out) : DecimalArith<false>(e, a, b, ch.rows, &out);
    return out;
  }
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) {
    if (a.IsNull(r) || b.IsNull(r)) {
      out.AppendNull();
      continue;
    }
    out.Append(ArithRow(e.arith, e.type, a, b, r));
  }
  return out;
}

}  // namespace strata::query::expr_internal

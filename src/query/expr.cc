// Vectorized evaluation of bound expressions (expr.h).
#include "query/expr.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "common/check.h"
#include "query/expr_internal.h"
#include "query/functions.h"
#include "sql/mysql_errors.h"

namespace strata::query {
using namespace expr_internal;

namespace expr_internal {

[[noreturn]] void OutOfRange(const Type& t) {
  sql::Fail(sql::ER_DATA_OUT_OF_RANGE, TypeName(t) + " value is out of range");
}

int128 DecimalMax(int precision) { return Pow10(precision) - 1; }

// Rescales an unscaled decimal from scale `from` to `to`, rounding half away from zero.
int128 Rescale(int128 v, int from, int to) {
  if (to >= from) return v * Pow10(to - from);
  int128 p = Pow10(from - to);
  int128 q = v / p, r = v % p;
  if (r < 0) r = -r;
  if (r * 2 >= p) q += v < 0 ? -1 : 1;
  return q;
}

}  // namespace expr_internal

namespace {

int64_t DateToNumber(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return y * 10000 + m * 100 + d;
}

int64_t DateTimeToNumber(int64_t micros) {
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) rest += kMicrosPerDay, --days;
  int64_t sec = rest / kMicrosPerSecond;
  return DateToNumber(days) * 1000000 + sec / 3600 * 10000 + sec / 60 % 60 * 100 + sec % 60;
}

std::string ToText(const Scalar& v, const Type& from) {
  Column c(from);
  c.Append(v);
  return FormatCell(c, 0).value_or("");
}

}  // namespace

double expr_internal::ToDouble(const Scalar& v, const Type& from) {
  switch (from.id) {
    case TypeId::kInt: return static_cast<double>(v.i64);
    case TypeId::kLargeInt: return static_cast<double>(v.i128);
    case TypeId::kDecimal: return static_cast<double>(v.i128) / std::pow(10.0, from.scale);
    case TypeId::kDouble: return v.f64;
    case TypeId::kString: return StringToDouble(v.str);
    case TypeId::kDate: return static_cast<double>(DateToNumber(v.i64));
    case TypeId::kDateTime: return static_cast<double>(DateTimeToNumber(v.i64));
    case TypeId::kNull: return 0;
  }
  return 0;
}

namespace {

// The value as an unscaled decimal of `scale`; nullopt when it does not fit.
std::optional<int128> ToDecimal(const Scalar& v, const Type& from, int scale) {
  switch (from.id) {
    case TypeId::kInt: return static_cast<int128>(v.i64) * Pow10(scale);
    case TypeId::kLargeInt: return v.i128 * Pow10(scale);
    case TypeId::kDecimal: return Rescale(v.i128, from.scale, scale);
    case TypeId::kString: {
      auto d = ParseDecimal(v.str, scale);
      if (d) return d;
      return ToDecimal(Scalar::F64(StringToDouble(v.str)), Type::Double(), scale);
    }
    case TypeId::kDouble:
    case TypeId::kDate:
    case TypeId::kDateTime: {
      double d = std::round(ToDouble(v, from) * std::pow(10.0, scale));
      if (!(std::fabs(d) < 1e38)) return std::nullopt;
      return static_cast<int128>(d);
    }
    case TypeId::kNull: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Scalar CastScalar(const Scalar& v, const Type& from, const Type& to) {
  if (v.null || from.id == TypeId::kNull) return Scalar::Null();
  switch (to.id) {
    case TypeId::kNull: return Scalar::Null();
    case TypeId::kString: return Scalar::Str(ToText(v, from));
    case TypeId::kDouble: {
      double d = ToDouble(v, from);
      return Scalar::F64(to.is_float ? static_cast<float>(d) : d);
    }
    case TypeId::kInt: {
      if (from.id == TypeId::kInt) return Scalar::I64(v.i64);
      if (from.id == TypeId::kDate) return Scalar::I64(DateToNumber(v.i64));
      if (from.id == TypeId::kDateTime) return Scalar::I64(DateTimeToNumber(v.i64));
      if (from.id == TypeId::kLargeInt || from.id == TypeId::kDecimal) {
        int128 x = from.id == TypeId::kDecimal ? Rescale(v.i128, from.scale, 0) : v.i128;
        if (x > std::numeric_limits<int64_t>::max() || x < std::numeric_limits<int64_t>::min()) OutOfRange(to);
        return Scalar::I64(static_cast<int64_t>(x));
      }
      double d = std::round(ToDouble(v, from));
      if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) OutOfRange(to);
      return Scalar::I64(static_cast<int64_t>(d));
    }
    case TypeId::kLargeInt: {
      auto x = ToDecimal(v, from, 0);
      if (!x) OutOfRange(to);
      return Scalar::I128(*x);
    }
    case TypeId::kDecimal: {
      auto x = ToDecimal(v, from, to.scale);
      if (!x || *x > DecimalMax(to.precision) || *x < -DecimalMax(to.precision)) OutOfRange(to);
      return Scalar::I128(*x);
    }
    case TypeId::kDate: {
      if (from.id == TypeId::kDate) return v;
      if (from.id == TypeId::kDateTime) {
        int64_t d = v.i64 / kMicrosPerDay;
        if (v.i64 % kMicrosPerDay < 0) --d;
        return Scalar::I64(d);
      }
      auto d = ParseDate(from.id == TypeId::kString ? v.str : ToText(v, from));
      return d ? Scalar::I64(*d) : Scalar::Null();
    }
    case TypeId::kDateTime: {
      if (from.id == TypeId::kDateTime) return v;
      if (from.id == TypeId::kDate) return Scalar::I64(v.i64 * kMicrosPerDay);
      std::string text = from.id == TypeId::kString ? v.str : ToText(v, from);
      auto d = ParseDateTime(text);
      return d ? Scalar::I64(*d) : Scalar::Null();
    }
  }
  return Scalar::Null();
}

Column CastColumn(const Column& c, const Type& to) {
  if (c.type() == to) return c;
  const size_t n = c.Size();
  if (c.is_constant()) return Column::Constant(to, CastScalar(c.At(0), c.type(), to), n);
  // Same physical form and no value change: retype only.
  bool same_ints = c.type().id == TypeId::kInt && to.id == TypeId::kInt;
  bool same_doubles = c.type().id == TypeId::kDouble && to.id == TypeId::kDouble && !to.is_float;
  bool same_decimals = c.type().id == TypeId::kDecimal && to.id == TypeId::kDecimal && c.type().scale == to.scale &&
                       c.type().precision <= to.precision;
  bool same_strings = c.type().id == TypeId::kString && to.id == TypeId::kString;
  if (same_ints || same_doubles || same_decimals || same_strings) {
    Column out = c;
    out.Retype(to);
    return out;
  }
  Column out(to);
  out.Reserve(n);
  const TypeId from = c.type().id;
  // Numeric widenings without a Scalar per row.
  if (from == TypeId::kInt && (to.id == TypeId::kDecimal || to.id == TypeId::kLargeInt)) {
    const int128 scale = Pow10(to.id == TypeId::kDecimal ? to.scale : 0);
    const int128 max = to.id == TypeId::kDecimal ? DecimalMax(to.precision) : Pow10(38);
    out.ResizeForOverwrite(n);
    uint8_t* on = out.mutable_nulls();
    int128* ov = out.mutable_i128();
    const uint8_t* cn = c.nulls_data();
    const int64_t* cv = c.i64_data();
    bool out_of_range = false;
    for (size_t r = 0; r < n; ++r) {  // branch-free; a NULL row's value is 0
      const int128 v = static_cast<int128>(cv[r]) * scale;
      on[r] = cn[r];
      out_of_range |= (cn[r] == 0) & ((v > max) | (v < -max));
      ov[r] = cn[r] ? 0 : v;
    }
    if (out_of_range) OutOfRange(to);
    return out;
  }
  if ((from == TypeId::kInt || from == TypeId::kDecimal) && to.id == TypeId::kDouble && !to.is_float) {
    const double div = from == TypeId::kDecimal ? static_cast<double>(Pow10(c.type().scale)) : 1.0;
    for (size_t r = 0; r < n; ++r) {
      if (c.IsNull(r)) {
        out.AppendNull();
      } else {
        out.AppendF64(from == TypeId::kInt ? static_cast<double>(c.I64(r)) : static_cast<double>(c.I128(r)) / div);
      }
    }
    return out;
  }
  if (from == TypeId::kDate && to.id == TypeId::kDateTime) {
    for (size_t r = 0; r < n; ++r) c.IsNull(r) ? out.AppendNull() : out.AppendI64(c.I64(r) * kMicrosPerDay);
    return out;
  }
  for (size_t r = 0; r < n; ++r) out.Append(CastScalar(c.At(r), c.type(), to));
  return out;
}

BoundExprPtr BoundExpr::Clone() const {
  auto e = std::make_unique<BoundExpr>();
  e->op = op, e->type = type, e->column = column, e->value = value, e->cmp = cmp, e->arith = arith;
  e->negated = negated, e->has_else = has_else, e->name = name, e->set = set, e->text = text;
  for (const auto& a : args) e->args.push_back(a->Clone());
  return e;
}

bool SameExpr(const BoundExpr& a, const BoundExpr& b) {
  if (a.op != b.op || !(a.type == b.type) || a.column != b.column || a.cmp != b.cmp || a.arith != b.arith ||
      a.negated != b.negated || a.has_else != b.has_else || a.name != b.name || a.set != b.set ||
      a.args.size() != b.args.size() || a.value.null != b.value.null || a.value.i64 != b.value.i64 ||
      a.value.i128 != b.value.i128 || a.value.str != b.value.str ||
      (a.value.f64 != b.value.f64 && !(a.value.f64 != a.value.f64 && b.value.f64 != b.value.f64))) {
    return false;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!SameExpr(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

BoundExprPtr MakeColumnRef(size_t column, Type type, std::string text) {
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kColumn, e->column = column, e->type = type, e->text = std::move(text);
  return e;
}

BoundExprPtr MakeConst(Type type, Scalar value, std::string text) {
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kConst, e->type = type, e->value = std::move(value), e->text = std::move(text);
  return e;
}

BoundExprPtr MakeCast(BoundExprPtr e, const Type& to) {
  if (e->type == to) return e;
  if (e->op == ExprOp::kConst) {  // fold
    e->value = CastScalar(e->value, e->type, to);
    e->type = to;
    return e;
  }
  auto c = std::make_unique<BoundExpr>();
  c->op = ExprOp::kCast, c->type = to, c->text = e->text;
  c->args.push_back(std::move(e));
  return c;
}

// ---------------------------------------------------------------- comparisons

int CompareAt(const Column& a, size_t ra, const Column& b, size_t rb) {
  const Type& t = a.type();
  if (UsesI64(t)) {
    int64_t x = a.I64(ra), y = b.I64(rb);
    return x < y ? -1 : x > y;
  }
  if (UsesI128(t)) {
    int128 x = a.I128(ra), y = b.I128(rb);
    if (t.id == TypeId::kDecimal && b.type().scale != t.scale) {
      int s = std::max(t.scale, b.type().scale);
      x = Rescale(x, t.scale, s), y = Rescale(y, b.type().scale, s);
    }
    return x < y ? -1 : x > y;
  }
  if (t.id == TypeId::kDouble) {
    double x = a.F64(ra), y = b.F64(rb);
    return x < y ? -1 : x > y;
  }
  if (t.id == TypeId::kString) {
    int c = a.Str(ra).compare(b.Str(rb));
    return c < 0 ? -1 : c > 0;
  }
  return 0;
}

void EncodeKey(const Column& c, size_t r, std::string* out) {
  if (c.IsNull(r)) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  const Type& t = c.type();
  if (UsesI64(t)) {
    int64_t v = c.I64(r);
    out->append(reinterpret_cast<const char*>(&v), sizeof v);
  } else if (UsesI128(t)) {
    int128 v = c.I128(r);
    out->append(reinterpret_cast<const char*>(&v), sizeof v);
  } else if (t.id == TypeId::kDouble) {
    double v = c.F64(r);
    if (v == 0) v = 0;  // -0 == 0
    out->append(reinterpret_cast<const char*>(&v), sizeof v);
  } else if (t.id == TypeId::kString) {
    const std::string_view s = c.Str(r);
    uint32_t n = static_cast<uint32_t>(s.size());
    out->append(reinterpret_cast<const char*>(&n), sizeof n);
    out->append(s);
  }
}

bool IsTrueAt(const Column& c, size_t r) {
  if (c.IsNull(r)) return false;
  const Type& t = c.type();
  if (UsesI64(t)) return c.I64(r) != 0;
  if (UsesI128(t)) return c.I128(r) != 0;
  if (t.id == TypeId::kDouble) return c.F64(r) != 0;
  if (t.id == TypeId::kString) return StringToDouble(c.Str(r)) != 0;
  return false;
}

bool LikeMatchBinary(std::string_view text, std::string_view pattern) {
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      char pc = pattern[p];
      size_t step = 1;
      bool escaped = pc == '\\' && p + 1 < pattern.size();
      if (escaped) pc = pattern[p + 1], step = 2;
      if ((!escaped && pc == '_') || pc == text[t]) {
        p += step;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

Type UnifyTypes(const Type& a, const Type& b) {
  if (a.id == TypeId::kNull) return b;
  if (b.id == TypeId::kNull) return a;
  if (a.id == b.id) {
    if (a.id == TypeId::kDecimal) {
      int scale = std::max(a.scale, b.scale);
      int ints = std::max(a.precision - a.scale, b.precision - b.scale);
      return Type::Decimal(ints + scale, scale);
    }
    if (a.id == TypeId::kInt) return Type::Int(std::max(a.int_bytes, b.int_bytes));
    if (a.id == TypeId::kDouble) return Type::Double();
    return a;
  }
  if (a.id == TypeId::kString || b.id == TypeId::kString) return Type::String();
  if (IsTemporal(a) && IsTemporal(b)) return Type::DateTime();
  if (IsTemporal(a) || IsTemporal(b)) return Type::String();
  if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) return Type::Double();
  auto as_decimal = [](const Type& t) {
    if (t.id == TypeId::kDecimal) return t;
    return Type::Decimal(t.id == TypeId::kLargeInt ? 38 : 19, 0);
  };
  if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) return UnifyTypes(as_decimal(a), as_decimal(b));
  return Type::LargeInt();  // kInt with kLargeInt
}

CmpOp MirrorCmp(CmpOp op) {
  switch (op) {
    case CmpOp::kLt: return CmpOp::kGt;
    case CmpOp::kLe: return CmpOp::kGe;
    case CmpOp::kGt: return CmpOp::kLt;
    case CmpOp::kGe: return CmpOp::kLe;
    default: return op;
  }
}

Type ComparisonType(const Type& a, const Type& b) {
  if (a.id == TypeId::kNull) return b.id == TypeId::kNull ? Type::Int() : b;
  if (b.id == TypeId::kNull) return a;
  if (a.id == TypeId::kString && b.id == TypeId::kString) return Type::String();
  if (IsTemporal(a) && (IsTemporal(b) || b.id == TypeId::kString)) {
    return a.id == TypeId::kDateTime || b.id == TypeId::kDateTime ? Type::DateTime() : a;
  }
  if (IsTemporal(b) && a.id == TypeId::kString) return b;
  if (a.id == TypeId::kString || b.id == TypeId::kString || a.id == TypeId::kDouble || b.id == TypeId::kDouble) {
    return Type::Double();
  }
  if (IsTemporal(a) || IsTemporal(b)) return Type::Double();
  return UnifyTypes(a, b);
}

// ---------------------------------------------------------------- evaluation

// `e` over `ch`: a column reference is the chunk's column itself (no copy)
// when it has the representation `e` expects; anything else is evaluated
// into `holder`.
const Column& expr_internal::EvalRef(const BoundExpr& e, const Chunk& ch, Column* holder) {
  if (e.op == ExprOp::kColumn) {
    const Column& c = ch.columns[e.column];
    const Type& t = c.type();
    if (t.id == e.type.id && t.scale == e.type.scale && t.is_float == e.type.is_float) return c;
  }
  *holder = Evaluate(e, ch);
  return *holder;
}

namespace {

Column Fill(const Type& t, size_t rows) { return Column::Constant(t, Scalar::Null(), rows); }


template <typename Get, typename Cmp>
void CompareRows(bool null_safe, const Column& a, const Column& b, size_t n, Get get, Cmp cmp, Column* out) {
  out->ResizeForWrite(n);
  uint8_t* on = out->mutable_nulls();
  int64_t* ov = out->mutable_i64();
  for (size_t r = 0; r < n; ++r) {
    bool an = a.IsNull(r), bn = b.IsNull(r);
    if (an || bn) {
      if (null_safe) {
        ov[r] = an && bn;
      } else {
        on[r] = 1;
      }
      continue;
    }
    ov[r] = cmp(get(a, r), get(b, r));
  }
}

template <typename Get>
void CompareLoop(CmpOp op, const Column& a, const Column& b, size_t n, Get get, Column* out) {
  switch (op) {
    // Equal = neither is less (as the three-way CompareAt orders values).
    case CmpOp::kEq: return CompareRows(false, a, b, n, get, [](auto x, auto y) { return !(x < y) && !(y < x); }, out);
    case CmpOp::kNullSafeEq:
      return CompareRows(true, a, b, n, get, [](auto x, auto y) { return !(x < y) && !(y < x); }, out);
    case CmpOp::kNe: return CompareRows(false, a, b, n, get, [](auto x, auto y) { return x < y || y < x; }, out);
    case CmpOp::kLt: return CompareRows(false, a, b, n, get, [](auto x, auto y) { return x < y; }, out);
    case CmpOp::kLe: return CompareRows(false, a, b, n, get, [](auto x, auto y) { return !(y < x); }, out);
    case CmpOp::kGt: return CompareRows(false, a, b, n, get, [](auto x, auto y) { return y < x; }, out);
    case CmpOp::kGe: return CompareRows(false, a, b, n, get, [](auto x, auto y) { return !(x < y); }, out);
  }
}

// The typed buffer of a column of representation T (T = int64_t, int128, double).
template <typename T>
const T* ValuesOf(const Column& c) {
  if constexpr (std::is_same_v<T, int64_t>) return c.i64_data();
  else if constexpr (std::is_same_v<T, int128>) return c.i128_data();
  else return c.f64_data();
}

// One comparison over raw buffers, branch-free: a NULL operand gives NULL
// (value 0). A_CONST / B_CONST: that side is a constant column (row 0 for all).
template <bool A_CONST, bool B_CONST, typename T, typename Cmp>
void CompareRaw(const Column& a, const Column& b, size_t n, Cmp cmp, uint8_t* on, int64_t* ov) {
  const T* av = ValuesOf<T>(a);
  const T* bv = ValuesOf<T>(b);
  const uint8_t* an = a.nulls_data();
  const uint8_t* bn = b.nulls_data();
  for (size_t r = 0; r < n; ++r) {
    const size_t ia = A_CONST ? 0 : r, ib = B_CONST ? 0 : r;
    const uint8_t null = an[ia] | bn[ib];
    on[r] = null;
    ov[r] = static_cast<int64_t>(cmp(av[ia], bv[ib]) & !null);
  }
}

template <typename T, typename Cmp>
void CompareDispatch(const Column& a, const Column& b, size_t n, Cmp cmp, uint8_t* on, int64_t* ov) {
  if (a.is_constant() && b.is_constant()) return CompareRaw<true, true, T>(a, b, n, cmp, on, ov);
  if (a.is_constant()) return CompareRaw<true, false, T>(a, b, n, cmp, on, ov);
  if (b.is_constant()) return CompareRaw<false, true, T>(a, b, n, cmp, on, ov);
  CompareRaw<false, false, T>(a, b, n, cmp, on, ov);
}

// Integers, decimals and doubles under any operator but <=>: typed loops
// over the buffers. False if the case is not one of those.
template <typename T>
bool CompareFast(CmpOp op, const Column& a, const Column& b, size_t n, Column* out) {
  out->ResizeForWrite(n);
  uint8_t* on = out->mutable_nulls();
  int64_t* ov = out->mutable_i64();
  // As CompareLoop: equal = neither is less (doubles: NaN equals everything, as CompareAt).
  switch (op) {
    case CmpOp::kEq: CompareDispatch<T>(a, b, n, [](T x, T y) { return !(x < y) & !(y < x); }, on, ov); return true;
    case CmpOp::kNe: CompareDispatch<T>(a, b, n, [](T x, T y) { return (x < y) | (y < x); }, on, ov); return true;
    case CmpOp::kLt: CompareDispatch<T>(a, b, n, [](T x, T y) { return x < y; }, on, ov); return true;
    case CmpOp::kLe: CompareDispatch<T>(a, b, n, [](T x, T y) { return !(y < x); }, on, ov); return true;
    case CmpOp::kGt: CompareDispatch<T>(a, b, n, [](T x, T y) { return y < x; }, on, ov); return true;
    case CmpOp::kGe: CompareDispatch<T>(a, b, n, [](T x, T y) { return !(x < y); }, on, ov); return true;
    case CmpOp::kNullSafeEq: return false;
  }
  return false;
}

Column EvalCompare(const BoundExpr& e, const Chunk& ch) {
  Column ha, hb;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  const Column& b = EvalRef(*e.args[1], ch, &hb);
  Column out(Type::Int());
  const size_t n = ch.rows;
  const Type& t = a.type();
  if (UsesI64(t)) {
    if (CompareFast<int64_t>(e.cmp, a, b, n, &out)) return out;
    CompareLoop(e.cmp, a, b, n, [](const Column& c, size_t r) { return c.I64(r); }, &out);
  } else if (UsesI128(t)) {
    STRATA_CHECK(t.id != TypeId::kDecimal || a.type().scale == b.type().scale, "compare decimals of one scale");
    if (e.cmp != CmpOp::kNullSafeEq) {  // (which CompareFast does not take)
      Column na, nb;  // narrow forms of constant sides
      const Column* a64 = NarrowOrNull(a, &na);
      const Column* b64 = a64 ? NarrowOrNull(b, &nb) : nullptr;
      if (a64 && b64 && CompareFast<int64_t>(e.cmp, *a64, *b64, n, &out)) return out;
      Column wa, wb;  // wide copies of narrow sides
      if (CompareFast<int128>(e.cmp, WideOf(a, &wa), WideOf(b, &wb), n, &out)) return out;
    }
    CompareLoop(e.cmp, a, b, n, [](const Column& c, size_t r) { return c.I128(r); }, &out);
  } else if (t.id == TypeId::kDouble) {
    if (CompareFast<double>(e.cmp, a, b, n, &out)) return out;
    CompareLoop(e.cmp, a, b, n, [](const Column& c, size_t r) { return c.F64(r); }, &out);
  } else if (t.id == TypeId::kString) {
    CompareLoop(e.cmp, a, b, n, [](const Column& c, size_t r) -> std::string_view { return c.Str(r); }, &out);
  } else {
    out.Reserve(n);
    for (size_t r = 0; r < n; ++r) e.cmp == CmpOp::kNullSafeEq ? out.AppendI64(1) : out.AppendNull();
  }
  return out;
}

// Three-valued AND / OR of one row from (null, true) flags, without branches:
// AND is FALSE if either is FALSE, else NULL if either is NULL, else TRUE;
// OR is TRUE if either is TRUE, else NULL if either is NULL, else FALSE.
template <bool IS_AND>
inline void LogicRow(uint8_t an, uint8_t at, uint8_t bn, uint8_t bt, uint8_t* on, int64_t* ov) {
  if constexpr (IS_AND) {
    const uint8_t is_false = ((an ^ 1) & (at ^ 1)) | ((bn ^ 1) & (bt ^ 1));
    *on = (is_false ^ 1) & (an | bn);
    *ov = (is_false ^ 1) & (an ^ 1) & (bn ^ 1);
  } else {
    const uint8_t is_true = at | bt;
    *on = (is_true ^ 1) & (an | bn);
    *ov = is_true;
  }
}

template <bool IS_AND, bool A_CONST, bool B_CONST>
void LogicRaw(const Column& a, const Column& b, size_t n, uint8_t* on, int64_t* ov) {
  const uint8_t *an = a.nulls_data(), *bn = b.nulls_data();
  const int64_t *av = a.i64_data(), *bv = b.i64_data();
  for (size_t r = 0; r < n; ++r) {
    const size_t ia = A_CONST ? 0 : r, ib = B_CONST ? 0 : r;
    const uint8_t a_null = an[ia] != 0, b_null = bn[ib] != 0;
    const uint8_t a_true = (av[ia] != 0) & (a_null ^ 1), b_true = (bv[ib] != 0) & (b_null ^ 1);
    LogicRow<IS_AND>(a_null, a_true, b_null, b_true, on + r, ov + r);
  }
}

template <bool IS_AND>
void LogicDispatch(const Column& a, const Column& b, size_t n, uint8_t* on, int64_t* ov) {
  if (a.is_constant() && b.is_constant()) return LogicRaw<IS_AND, true, true>(a, b, n, on, ov);
  if (a.is_constant()) return LogicRaw<IS_AND, true, false>(a, b, n, on, ov);
  if (b.is_constant()) return LogicRaw<IS_AND, false, true>(a, b, n, on, ov);
  LogicRaw<IS_AND, false, false>(a, b, n, on, ov);
}

Column EvalLogic(const BoundExpr& e, const Chunk& ch) {
  Column ha, hb;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  const Column& b = EvalRef(*e.args[1], ch, &hb);
  Column out(Type::Int());
  out.ResizeForWrite(ch.rows);
  uint8_t* on = out.mutable_nulls();
  int64_t* ov = out.mutable_i64();
  const bool is_and = e.op == ExprOp::kAnd;
  if (UsesI64(a.type()) && UsesI64(b.type())) {
    is_and ? LogicDispatch<true>(a, b, ch.rows, on, ov) : LogicDispatch<false>(a, b, ch.rows, on, ov);
    return out;
  }
  for (size_t r = 0; r < ch.rows; ++r) {
    const uint8_t an = a.IsNull(r), bn = b.IsNull(r);
    const uint8_t at = !an && IsTrueAt(a, r), bt = !bn && IsTrueAt(b, r);
    is_and ? LogicRow<true>(an, at, bn, bt, on + r, ov + r) : LogicRow<false>(an, at, bn, bt, on + r, ov + r);
  }
  return out;
}

Column EvalNeg(const BoundExpr& e, const Chunk& ch) {
  Column ha;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  Column out(e.type);
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) {
    if (a.IsNull(r)) {
      out.AppendNull();
    } else if (UsesI64(e.type)) {
      if (a.I64(r) == std::numeric_limits<int64_t>::min()) OutOfRange(e.type);
      out.AppendI64(-a.I64(r));
    } else if (UsesI128(e.type)) {
      out.AppendI128(-a.I128(r));
    } else {
      out.AppendF64(-a.F64(r));
    }
  }
  return out;
}

Column EvalIn(const BoundExpr& e, const Chunk& ch) {
  Column hprobe;
  const Column& probe = EvalRef(*e.args[0], ch, &hprobe);
  std::vector<Column> list;
  for (size_t i = 1; i < e.args.size(); ++i) list.push_back(Evaluate(*e.args[i], ch));
  Column out(Type::Int());
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) {
    if (probe.IsNull(r)) {
      out.AppendNull();
      continue;
    }
    bool found = false, saw_null = false;
    for (const auto& c : list) {
      if (c.IsNull(r)) {
        saw_null = true;
      } else if (CompareAt(probe, r, c, r) == 0) {
        found = true;
        break;
      }
    }
    if (found) {
      out.AppendI64(!e.negated);
    } else if (saw_null) {
      out.AppendNull();
    } else {
      out.AppendI64(e.negated);
    }
  }
  return out;
}

Column EvalInSet(const BoundExpr& e, const Chunk& ch) {
  Column hprobe;
  const Column& probe = EvalRef(*e.args[0], ch, &hprobe);
  Column out(Type::Int());
  out.Reserve(ch.rows);
  std::string key;
  for (size_t r = 0; r < ch.rows; ++r) {
    if (probe.IsNull(r)) {
      // NULL IN (empty set) is false; NULL IN (anything) is NULL.
      if (e.set->keys.empty() && !e.set->has_null) {
        out.AppendI64(e.negated);
      } else {
        out.AppendNull();
      }
      continue;
    }
    key.clear();
    EncodeKey(probe, r, &key);
    if (e.set->keys.count(key)) {
      out.AppendI64(!e.negated);
    } else if (e.set->has_null) {
      out.AppendNull();
    } else {
      out.AppendI64(e.negated);
    }
  }
  return out;
}

// A LIKE pattern without '_' or '\\' is a plain string test: with '%' only
// at its ends one comparison or search; with '%' inside too (kSegments:
// '%special%requests%') its literal pieces found in order, each the
// leftmost occurrence after the one before (the first anchored at the start
// without a leading '%', the last at the end without a trailing one).
// kGeneral needs LikeMatchBinary.
struct LikeShape {
  enum Kind { kGeneral, kEquals, kPrefix, kSuffix, kContains, kSegments } kind = kGeneral;
  std::string_view needle;
  std::vector<std::string_view> segments;  // kSegments: the non-empty pieces between '%'s
  bool lead = false, trail = false;        // kSegments: the pattern starts / ends with '%'
};

LikeShape ShapeOf(std::string_view pattern) {
  if (pattern.find_first_of("_\\") != std::string_view::npos) return {};
  const bool lead = !pattern.empty() && pattern.front() == '%';
  const bool trail = pattern.size() > (lead ? 1u : 0u) && pattern.back() == '%';
  std::string_view mid = pattern.substr(lead ? 1 : 0);
  if (trail) mid.remove_suffix(1);
  if (mid.find('%') != std::string_view::npos) {
    LikeShape shape{.kind = LikeShape::kSegments, .lead = lead, .trail = trail};
    for (size_t start = 0; start <= mid.size();) {
      const size_t end = std::min(mid.find('%', start), mid.size());
      if (end > start) shape.segments.push_back(mid.substr(start, end - start));
      start = end + 1;
    }
    return shape;
  }
  if (lead && trail) return {LikeShape::kContains, mid};
  if (lead) return {LikeShape::kSuffix, mid};
  if (trail) return {LikeShape::kPrefix, mid};
  return {LikeShape::kEquals, mid};
}

// Byte loops: the needles of LIKE patterns are short, and a call to memcmp
// per row costs more than the compare.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool LikeSegments(const LikeShape& shape, std::string_view text) {
  const std::vector<std::string_view>& segs = shape.segments;
  size_t first = 0, end = segs.size(), pos = 0;
  if (!shape.lead) {  // segs is not empty: the pattern starts with a literal
    if (text.size() < segs[0].size() || !SameBytes(text.data(), segs[0].data(), segs[0].size())) return false;
    pos = segs[0].size();
    first = 1;
  }
  if (!shape.trail && end > first) --end;  // the last piece is matched at the end, below
  for (size_t i = first; i < end; ++i) {
    const size_t at = text.find(segs[i], pos);
    if (at == std::string_view::npos) return false;
    pos = at + segs[i].size();
  }
  if (shape.trail || end == segs.size()) return true;
  const std::string_view last = segs.back();
  return text.size() >= pos + last.size() && SameBytes(text.data() + text.size() - last.size(), last.data(), last.size());
}

bool LikeShaped(const LikeShape& shape, std::string_view text, std::string_view pattern) {
  const std::string_view n = shape.needle;
  switch (shape.kind) {
    case LikeShape::kEquals: return text.size() == n.size() && SameBytes(text.data(), n.data(), n.size());
    case LikeShape::kPrefix: return text.size() >= n.size() && SameBytes(text.data(), n.data(), n.size());
    case LikeShape::kSuffix:
      return text.size() >= n.size() && SameBytes(text.data() + text.size() - n.size(), n.data(), n.size());
    case LikeShape::kContains: return text.find(shape.needle) != std::string_view::npos;
    case LikeShape::kSegments: return LikeSegments(shape, text);
    case LikeShape::kGeneral: break;
  }
  return LikeMatchBinary(text, pattern);
}

Column EvalLike(const BoundExpr& e, const Chunk& ch) {
  Column ha, hp;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  const Column& p = EvalRef(*e.args[1], ch, &hp);
  Column out(Type::Int());
  if (p.is_constant() && !a.is_constant() && a.type().id == TypeId::kString && p.type().id == TypeId::kString) {
    // One pattern for every row: classify it once, then a typed loop.
    out.ResizeForWrite(ch.rows);
    uint8_t* on = out.mutable_nulls();
    int64_t* ov = out.mutable_i64();
    if (p.IsNull(0)) {
      std::fill(on, on + ch.rows, uint8_t{1});
      return out;
    }
    const std::string_view pattern = p.Str(0);
    const LikeShape shape = ShapeOf(pattern);
    const uint8_t* an = a.nulls_data();
    const std::string_view* av = a.str_data();
    for (size_t r = 0; r < ch.rows; ++r) {
      on[r] = an[r];
      ov[r] = !an[r] && (LikeShaped(shape, av[r], pattern) != e.negated);
    }
    return out;
  }
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) {
    if (a.IsNull(r) || p.IsNull(r)) {
      out.AppendNull();
    } else {
      out.AppendI64(LikeMatchBinary(a.Str(r), p.Str(r)) != e.negated);
    }
  }
  return out;
}

Column EvalCase(const BoundExpr& e, const Chunk& ch) {
  const size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
  std::vector<Column> whens, thens;
  for (size_t i = 0; i < pairs; ++i) {
    whens.push_back(Evaluate(*e.args[2 * i], ch));
    thens.push_back(Evaluate(*e.args[2 * i + 1], ch));
  }
  std::optional<Column> otherwise;
  if (e.has_else) otherwise = Evaluate(*e.args.back(), ch);
  Column out(e.type);
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) {
    bool done = false;
    for (size_t i = 0; i < pairs && !done; ++i) {
      if (IsTrueAt(whens[i], r)) {
        out.AppendFrom(thens[i], r);
        done = true;
      }
    }
    if (done) continue;
    if (otherwise) {
      out.AppendFrom(*otherwise, r);
    } else {
      out.AppendNull();
    }
  }
  return out;
}

Column EvalNot(const BoundExpr& e, const Chunk& ch) {
  Column ha;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  Column out(Type::Int());
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) a.IsNull(r) ? out.AppendNull() : out.AppendI64(!IsTrueAt(a, r));
  return out;
}

Column EvalIsNull(const BoundExpr& e, const Chunk& ch) {
  Column ha;
  const Column& a = EvalRef(*e.args[0], ch, &ha);
  Column out(Type::Int());
  out.Reserve(ch.rows);
  for (size_t r = 0; r < ch.rows; ++r) out.AppendI64(a.IsNull(r) != e.negated);
  return out;
}

}  // namespace

const Column& EvaluateRef(const BoundExpr& e, const Chunk& ch, Column* holder) { return EvalRef(e, ch, holder); }

Column Evaluate(const BoundExpr& e, const Chunk& ch) {
  switch (e.op) {
    case ExprOp::kColumn: {
      const Column& c = ch.columns[e.column];
      if (c.type() == e.type) return c;
      Column copy = c;
      copy.Retype(e.type);
      return copy;
    }
    case ExprOp::kConst: return Column::Constant(e.type, e.value, ch.rows);
    case ExprOp::kAnd:
    case ExprOp::kOr: return EvalLogic(e, ch);
    case ExprOp::kNot: return EvalNot(e, ch);
    case ExprOp::kIsNull: return EvalIsNull(e, ch);
    case ExprOp::kCompare: return EvalCompare(e, ch);
    case ExprOp::kArith: return EvalArith(e, ch);
    case ExprOp::kNeg: return EvalNeg(e, ch);
    case ExprOp::kIn: return EvalIn(e, ch);
    case ExprOp::kInSet: return EvalInSet(e, ch);
    case ExprOp::kLike: return EvalLike(e, ch);
    case ExprOp::kCase: return EvalCase(e, ch);
    case ExprOp::kCast: {
      Column held;
      return CastColumn(EvalRef(*e.args[0], ch, &held), e.type);
    }
    case ExprOp::kFunc: {
      std::vector<Column> args;
      for (const auto& a : e.args) args.push_back(Evaluate(*a, ch));
      return EvalFunction(e.name, e.type, args, ch.rows);
    }
  }
  return Fill(e.type, ch.rows);
}

}  // namespace strata::query

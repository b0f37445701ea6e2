// Query engine values (types.h).
#include "query/types.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "common/check.h"
#include "load/value_parse.h"

namespace strata::query {

Type Type::Decimal(int precision, int scale) {
  precision = std::clamp(precision, 1, kDecimalPrecisionMax);
  scale = std::clamp(scale, 0, precision);
  return Type{.id = TypeId::kDecimal, .precision = precision, .scale = scale};
}

bool IsNumeric(const Type& t) {
  return t.id == TypeId::kInt || t.id == TypeId::kLargeInt || t.id == TypeId::kDecimal || t.id == TypeId::kDouble;
}
bool IsTemporal(const Type& t) { return t.id == TypeId::kDate || t.id == TypeId::kDateTime; }

std::string TypeName(const Type& t) {
  switch (t.id) {
    case TypeId::kNull: return "NULL";
    case TypeId::kInt:
      return t.int_bytes == 1 ? "TINYINT" : t.int_bytes == 2 ? "SMALLINT" : t.int_bytes == 4 ? "INT" : "BIGINT";
    case TypeId::kLargeInt: return "LARGEINT";
    case TypeId::kDouble: return t.is_float ? "FLOAT" : "DOUBLE";
    case TypeId::kDecimal: return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kString: return "VARCHAR";
    case TypeId::kDate: return "DATE";
    case TypeId::kDateTime: return "DATETIME";
  }
  return "?";
}

sql::ColumnType WireType(const Type& t) {
  using W = sql::ColumnType;
  switch (t.id) {
    case TypeId::kNull: return W::kNull;
    case TypeId::kInt:
      return t.int_bytes == 1 ? W::kTiny : t.int_bytes == 2 ? W::kShort : t.int_bytes == 4 ? W::kLong : W::kLongLong;
    case TypeId::kLargeInt: return W::kVarString;  // as StarRocks: LARGEINT travels as text
    case TypeId::kDouble: return t.is_float ? W::kFloat : W::kDouble;
    case TypeId::kDecimal: return W::kNewDecimal;
    case TypeId::kString: return W::kVarString;
    case TypeId::kDate: return W::kDate;
    case TypeId::kDateTime: return W::kDateTime;
  }
  return W::kVarString;
}

Type FromStorage(const storage::ColumnType& t) {
  using D = storage::DataType;
  switch (t.type) {
    case D::kTinyInt: case D::kBoolean: return Type::Int(1);
    case D::kSmallInt: return Type::Int(2);
    case D::kInt: return Type::Int(4);
    case D::kBigInt: return Type::Int(8);
    case D::kLargeInt: return Type::LargeInt();
    case D::kFloat: return Type{.id = TypeId::kDouble, .is_float = true};
    case D::kDouble: return Type::Double();
    case D::kDecimal: return Type::Decimal(static_cast<int>(t.precision), static_cast<int>(t.scale));
    case D::kChar: case D::kVarchar: case D::kString: return Type::String();
    case D::kDate: return Type::Date();
    case D::kDateTime: return Type::DateTime();
  }
  return Type::String();
}

namespace {
struct Pow10Table {
  int128 values[39];
  Pow10Table() {
    values[0] = 1;
    for (int i = 1; i <= 38; ++i) values[i] = values[i - 1] * 10;
  }
};
const Pow10Table kPow10;
}  // namespace

int128 Pow10(int n) {
  STRATA_CHECK(n >= 0 && n <= 38, "Pow10 exponent out of range");
  return kPow10.values[n];
}

// ---------------------------------------------------------------- Column

Column Column::Constant(Type type, const Scalar& value, size_t rows) {
  Column c(type);
  c.Append(value);
  c.constant_ = true;
  c.constant_rows_ = rows;
  return c;
}

namespace {

// Appends copies of src's rows rows[0..n) to *dst, their bytes in one block
// (a coded src's entries once, its codes carried: StringColumn::AppendGathered).
void GatherStrings(const storage::StringColumn& src, const uint32_t* rows, size_t n, storage::StringColumn* dst) {
  dst->AppendGathered(src, rows, n);
}

// `len` kept rows that move together from row `from` down to row `to`.
struct RowRun {
  size_t to, from, len;
};
// Runs averaging at least this many rows move as blocks (Column::KeepRows).
constexpr size_t kMinAverageRunRows = 16;

// The runs of consecutive rows in rows[0..n) (ascending, distinct), past
// the rows already in place. False when they would average fewer than
// kMinAverageRunRows rows (*runs is then incomplete). rows[j] - j never
// decreases and is the same along a run, so each run's end is found by
// binary search.
bool RunsOf(const uint32_t* rows, size_t n, std::vector<RowRun>* runs) {
  const size_t max_runs = n / kMinAverageRunRows;
  auto shift = [rows](size_t j) { return rows[j] - j; };
  size_t i = 0;
  while (i < n) {
    // The first row past i whose shift is larger: [i, end) is one run.
    size_t lo = i + 1, hi = n;
    const size_t d = shift(i);
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (shift(mid) == d) lo = mid + 1;
      else hi = mid;
    }
    if (d != 0) {  // (a run with shift 0 is in place)
      if (runs->size() == max_runs) return false;
      runs->push_back(RowRun{.to = i, .from = rows[i], .len = lo - i});
    }
    i = lo;
  }
  return true;
}

}  // namespace

Scalar Column::At(size_t row) const {
  size_t i = Index(row);
  if (nulls_[i]) return Scalar::Null();
  if (UsesI64(type_)) return Scalar::I64(i64_[i]);
  if (UsesI128(type_)) return Scalar::I128(narrow_ ? int128{i64_[i]} : i128_[i]);
  if (type_.id == TypeId::kDouble) return Scalar::F64(f64_[i]);
  if (type_.id == TypeId::kString) return Scalar::Str(std::string(str_[i]));
  return Scalar::Null();
}

void Column::Widen() {
  if (!narrow_) return;
  i128_.resize(i64_.size());
  for (size_t i = 0; i < i64_.size(); ++i) i128_[i] = i64_[i];
  i64_ = Int64Values();
  narrow_ = false;
}

void Column::Reserve(size_t rows) {
  nulls_.reserve(rows);
  if (UsesI64(type_) || narrow_) i64_.reserve(rows);
  else if (UsesI128(type_)) i128_.reserve(rows);
  if (type_.id == TypeId::kDouble) f64_.reserve(rows);
  if (type_.id == TypeId::kString) str_.reserve(rows);
}

void Column::ResizeForWrite(size_t rows) {
  assert(!constant_);
  nulls_.assign(rows, 0);
  if (narrow_) {
    i64_ = Int64Values();
    narrow_ = false;
  }
  if (UsesI64(type_)) i64_.assign(rows, 0);
  if (UsesI128(type_)) i128_.assign(rows, 0);
  if (type_.id == TypeId::kDouble) f64_.assign(rows, 0);
  if (type_.id == TypeId::kString) {
    str_.clear();
    str_.resize(rows);
  }
}

void Column::ResizeForOverwrite(size_t rows) {
  if (!UsesI64(type_) && !UsesI128(type_)) return ResizeForWrite(rows);  // their vectors zero anyway
  assert(!constant_);
  nulls_.assign(rows, 0);
  if (narrow_) {
    i64_ = Int64Values();
    narrow_ = false;
  }
  if (UsesI64(type_)) i64_.resize(rows);
  else i128_.resize(rows);
}

void Column::ResizeForNarrowOverwrite(size_t rows) {
  assert(UsesI128(type_) && !constant_);
  nulls_.assign(rows, 0);
  i128_ = NoInitVector<int128>();
  narrow_ = true;
  i64_.resize(rows);
}

void Column::Append(const Scalar& v) {
  if (v.null || type_.id == TypeId::kNull) return AppendNull();
  if (UsesI64(type_)) return AppendI64(v.i64);
  if (UsesI128(type_)) return AppendI128(v.i128);
  if (type_.id == TypeId::kDouble) return AppendF64(v.f64);
  AppendStr(v.str);
}

void Column::AppendFrom(const Column& other, size_t row) {
  size_t i = other.Index(row);
  if (other.nulls_[i] || type_.id == TypeId::kNull) return AppendNull();
  if (UsesI64(type_)) return AppendI64(other.i64_[i]);
  if (UsesI128(type_)) return AppendI128(other.I128(row));
  if (type_.id == TypeId::kDouble) return AppendF64(other.f64_[i]);
  AppendStr(other.str_[i]);
}

Column Column::Gather(const uint32_t* rows, size_t n) const {
  Column out(type_);
  if (constant_) return Constant(type_, At(0), n);
  out.nulls_.resize(n);
  for (size_t i = 0; i < n; ++i) out.nulls_[i] = nulls_[rows[i]];
  auto gather = [&](auto& dst, const auto& src) {
    dst.resize(n);
    for (size_t i = 0; i < n; ++i) dst[i] = src[rows[i]];
  };
  out.narrow_ = narrow_;
  if (UsesI64(type_) || narrow_) gather(out.i64_, i64_);
  else if (UsesI128(type_)) gather(out.i128_, i128_);
  else if (type_.id == TypeId::kDouble) gather(out.f64_, f64_);
  else if (type_.id == TypeId::kString) GatherStrings(str_, rows, n, &out.str_);
  return out;
}

void Column::KeepRows(const uint32_t* rows, size_t n) {
  if (constant_) {
    constant_rows_ = n;
    return;
  }
  // rows[i] >= i (ascending, distinct), so row i is written only after it
  // was read. Rows kept in long runs (a filter that passes most rows) move
  // run by run (memmove), others one by one.
  std::vector<RowRun> runs;
  const bool by_runs = RunsOf(rows, n, &runs);
  auto keep = [&](auto& v) {
    if (by_runs) {
      using T = std::remove_reference_t<decltype(v[0])>;
      for (const RowRun& run : runs) std::memmove(&v[run.to], &v[run.from], run.len * sizeof(T));
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (rows[i] != i) v[i] = v[rows[i]];
      }
    }
    v.resize(n);
  };
  keep(nulls_);
  if (UsesI64(type_) || narrow_) keep(i64_);
  else if (UsesI128(type_)) keep(i128_);
  else if (type_.id == TypeId::kDouble) keep(f64_);
  else if (type_.id == TypeId::kString) str_.KeepRows(rows, n);  // with its codes
}

void Column::AppendColumn(const Column& other) {
  if (other.narrow_ && !narrow_ && nulls_.empty() && !constant_) {  // an empty column takes the 64-bit form
    i128_ = NoInitVector<int128>();
    narrow_ = true;
  }
  if (narrow_ && !other.narrow_) Widen();
  if (UsesI128(type_) && !narrow_ && other.narrow_) {  // wide += narrow: each value widened
    const size_t n = other.Size();
    nulls_.reserve(nulls_.size() + n);
    i128_.reserve(i128_.size() + n);
    for (size_t r = 0; r < n; ++r) {
      nulls_.push_back(other.nulls_[other.Index(r)]);
      i128_.push_back(other.i64_[other.Index(r)]);
    }
    return;
  }
  if (other.constant_) {  // the one value, Size() times
    const size_t n = other.Size();
    if (n == 0) return;
    nulls_.insert(nulls_.end(), n, other.nulls_[0]);
    if (type_.id == TypeId::kNull) return;
    if (UsesI64(type_) || narrow_) i64_.insert(i64_.end(), n, other.i64_[0]);
    else if (UsesI128(type_)) i128_.insert(i128_.end(), n, other.i128_[0]);
    else if (type_.id == TypeId::kDouble) f64_.insert(f64_.end(), n, other.f64_[0]);
    else {
      str_.ReserveBytes(other.str_[0].size());
      const std::string_view one = str_.StoreBytes(other.str_[0]);
      for (size_t i = 0; i < n; ++i) str_.AppendStoredView(one);
    }
    return;
  }
  nulls_.insert(nulls_.end(), other.nulls_.begin(), other.nulls_.end());
  if (type_.id == TypeId::kNull) return;
  if (UsesI64(type_) || narrow_) i64_.insert(i64_.end(), other.i64_.begin(), other.i64_.end());
  else if (UsesI128(type_)) i128_.insert(i128_.end(), other.i128_.begin(), other.i128_.end());
  else if (type_.id == TypeId::kDouble) f64_.insert(f64_.end(), other.f64_.begin(), other.f64_.end());
  else str_.Append(other.str_, 0, other.str_.size());
}

Column Column::Materialize() const {
  if (!constant_) return *this;
  Column out(type_);
  out.Reserve(constant_rows_);
  for (size_t r = 0; r < constant_rows_; ++r) out.AppendFrom(*this, r);
  return out;
}

uint64_t Column::ApproxBytes() const {
  uint64_t b = nulls_.size() + i64_.size() * 8 + i128_.size() * 16 + f64_.size() * 8;
  return b + str_.size() * sizeof(std::string_view) + str_.BlockBytes() + str_.CodeBytes();
}

uint64_t Chunk::ApproxBytes() const {
  uint64_t b = 0;
  for (const auto& c : columns) b += c.ApproxBytes();
  return b;
}

Column FromStorageVector(storage::ColumnVector&& v) {
  Type t = FromStorage(v.type());
  const storage::PhysicalKind kind = v.kind();
  storage::ColumnVector::Parts parts = v.Release();
  Column out(t);
  out.nulls_ = std::move(parts.nulls);
  switch (kind) {
    case storage::PhysicalKind::kInt64:
      out.narrow_ = UsesI128(t);
      out.i64_ = std::move(parts.ints);
      break;
    case storage::PhysicalKind::kInt128: out.i128_.assign(parts.wides.begin(), parts.wides.end()); break;
    case storage::PhysicalKind::kDouble: out.f64_ = std::move(parts.doubles); break;
    case storage::PhysicalKind::kBytes: out.str_ = std::move(parts.strings); break;
  }
  return out;
}

Column UnscaledFromStorage(storage::ColumnVector&& v) {
  STRATA_CHECK(v.kind() == storage::PhysicalKind::kInt64, "UnscaledFromStorage of a wide column");
  storage::ColumnVector::Parts parts = v.Release();
  Column out(Type::Int());
  out.nulls_ = std::move(parts.nulls);
  out.i64_ = std::move(parts.ints);
  return out;
}

Column DecimalFromUnscaled(const Column& unscaled, const Type& decimal, const uint32_t* rows, size_t n) {
  STRATA_CHECK(UsesI128(decimal) && UsesI64(unscaled.type()) && !unscaled.is_constant(), "DecimalFromUnscaled");
  Column out(decimal);
  out.narrow_ = true;
  out.nulls_.resize(n);
  out.i64_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out.nulls_[i] = unscaled.nulls_[rows[i]];
    out.i64_[i] = unscaled.i64_[rows[i]];
  }
  return out;
}

Column DecimalFromUnscaled(Column&& unscaled, const Type& decimal) {
  STRATA_CHECK(UsesI128(decimal) && UsesI64(unscaled.type()) && !unscaled.is_constant(), "DecimalFromUnscaled");
  Column out = std::move(unscaled);
  out.type_ = decimal;
  out.narrow_ = true;
  return out;
}

const Column* NarrowOrNull(const Column& c, Column* holder) {
  if (c.narrow()) return &c;
  if (!c.is_constant() || !UsesI128(c.type())) return nullptr;
  const bool null = c.IsNull(0);
  const int128 v = null ? 0 : c.I128(0);
  if (v != static_cast<int64_t>(v)) return nullptr;
  // One row standing for every row, as `c`.
  Column& h = *holder;
  h = Column(c.type());
  h.narrow_ = true;
  h.constant_ = true;
  h.constant_rows_ = c.Size();
  h.nulls_.assign(1, null ? 1 : 0);
  h.i64_.assign(1, static_cast<int64_t>(v));
  return holder;
}

const Column& WideOf(const Column& c, Column* holder) {
  if (!c.narrow()) return c;
  *holder = c;
  holder->Widen();
  return *holder;
}

// ---------------------------------------------------------------- text

std::string FormatInt128(int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  while (u > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string FormatDecimal(int128 unscaled, int scale) {
  bool neg = unscaled < 0;
  std::string digits = FormatInt128(neg ? -unscaled : unscaled);
  if (scale == 0) return (neg ? "-" : "") + digits;
  if (static_cast<int>(digits.size()) <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale, ".");
  return (neg ? "-" : "") + digits;
}

// MySQL prints the shortest digits that read back as the same value, in
// fixed notation for decimal exponents in [-15, 15), else as 1.5e20 / 1e-20.
std::string FormatDouble(double v, bool as_float) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  char buf[64];
  auto r = as_float ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific)
                    : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  STRATA_CHECK(r.ec == std::errc(), "to_chars of a double");
  std::string sci(buf, r.ptr);  // [-]d[.ddd]e[+-]NN
  size_t e = sci.find('e');
  int exp10 = std::atoi(sci.c_str() + e + 1);
  bool neg = sci[0] == '-';
  std::string digits;
  for (size_t i = neg ? 1 : 0; i < e; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  std::string out = neg ? "-" : "";
  if (exp10 >= 15 || exp10 < -15) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    return out + "e" + std::to_string(exp10);
  }
  if (exp10 < 0) return out + "0." + std::string(-exp10 - 1, '0') + digits;
  if (static_cast<int>(digits.size()) <= exp10 + 1) return out + digits + std::string(exp10 + 1 - digits.size(), '0');
  return out + digits.substr(0, exp10 + 1) + "." + digits.substr(exp10 + 1);
}

std::string FormatDate(int64_t days) { return load::FormatDateDays(days); }
std::string FormatDateTime(int64_t micros) { return load::FormatDateTimeMicros(micros); }

std::optional<std::string> FormatCell(const Column& c, size_t row) {
  if (c.IsNull(row)) return std::nullopt;
  const Type& t = c.type();
  switch (t.id) {
    case TypeId::kNull: return std::nullopt;
    case TypeId::kInt: return std::to_string(c.I64(row));
    case TypeId::kLargeInt: return FormatInt128(c.I128(row));
    case TypeId::kDecimal: return FormatDecimal(c.I128(row), t.scale);
    case TypeId::kDouble: return FormatDouble(c.F64(row), t.is_float);
    case TypeId::kString: return std::string(c.Str(row));
    case TypeId::kDate: return FormatDate(c.I64(row));
    case TypeId::kDateTime: return FormatDateTime(c.I64(row));
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- parsing

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// 'YYYYMMDD' -> 'YYYY-MM-DD'.
std::string Dashed(std::string_view s) {
  if (s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" + std::string(s.substr(6, 2));
  }
  return std::string(s);
}

}  // namespace

std::optional<int64_t> ParseDate(std::string_view text) {
  return load::ParseDateDays(Dashed(Trim(text)));
}

std::optional<int64_t> ParseDateTime(std::string_view text) {
  return load::ParseDateTimeMicros(Dashed(Trim(text)));
}

std::optional<int128> ParseDecimal(std::string_view text, int scale) {
  text = Trim(text);
  bool neg = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) neg = text[0] == '-', text.remove_prefix(1);
  int128 v = 0;
  int frac = 0, digits = 0;
  bool dot = false, any = false;
  int round_digit = -1;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (dot && frac >= scale) {
      if (round_digit < 0) round_digit = c - '0';
      continue;
    }
    if (dot) ++frac;
    if (v != 0 || c != '0') ++digits;
    if (digits > kDecimalPrecisionMax) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (!any) return std::nullopt;
  int exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    // Exponent form: go through double (rare in decimal contexts).
    double d = StringToDouble(text);
    double scaled = std::round(std::fabs(d) * std::pow(10.0, scale));
    if (!(scaled < 1e38)) return std::nullopt;
    int128 u = static_cast<int128>(scaled);
    return neg ? -u : u;
  }
  if (i != text.size()) return std::nullopt;
  (void)exp;
  for (; frac < scale; ++frac) {
    if (++digits > kDecimalPrecisionMax && v != 0) return std::nullopt;
    v *= 10;
  }
  if (round_digit >= 5) v += 1;
  return neg ? -v : v;
}

double StringToDouble(std::string_view text) {
  std::string s(Trim(text));
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return 0;
  return d;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace strata::query

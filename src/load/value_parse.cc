// Text <-> typed values (value_parse.h).
#include "load/value_parse.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/check.h"

namespace strata::load {
namespace {

using storage::DataType;
using storage::Datum;
using storage::int128;
using uint128 = unsigned __int128;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

std::string_view TrimBlank(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

int Digits(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

Status NotValid(const TableColumnType& type, std::string_view text) {
  return InvalidArgument(QuoteForMessage(text) + " is not a valid " + TypeName(type));
}
Status OutOfRange(const TableColumnType& type, std::string_view text) {
  return InvalidArgument(QuoteForMessage(text) + " is out of range for " + TypeName(type));
}

int128 Pow10(uint32_t n) {
  int128 v = 1;
  for (uint32_t i = 0; i < n; ++i) v *= 10;
  return v;
}

// The 128-bit integer in `s` ([+-]digits). nullopt if malformed; *overflow set
// when well-formed but outside int128.
std::optional<int128> ParseInt128(std::string_view s, bool* overflow) {
  *overflow = false;
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (!AllDigits(s)) return std::nullopt;
  const uint128 limit = (static_cast<uint128>(1) << 127) - (negative ? 0 : 1);
  uint128 v = 0;
  for (char c : s) {
    auto d = static_cast<uint128>(c - '0');
    if (v > (limit - d) / 10) {
      *overflow = true;
      return std::nullopt;
    }
    v = v * 10 + d;
  }
  if (negative) return v == (static_cast<uint128>(1) << 127) ? std::numeric_limits<int128>::min()
                                                             : -static_cast<int128>(v);
  return static_cast<int128>(v);
}

Result<Datum> ParseInteger(const TableColumnType& type, std::string_view s) {
  bool overflow = false;
  std::optional<int128> v = ParseInt128(s, &overflow);
  if (overflow) return OutOfRange(type, s);
  if (!v) return NotValid(type, s);
  if (type.type.type == DataType::kLargeInt) return Datum(*v);
  int64_t lo = 0, hi = 0;
  storage::Int64Range(type.type, &lo, &hi);
  if (*v < lo || *v > hi) return OutOfRange(type, s);
  return Datum(static_cast<int64_t>(*v));
}

Result<Datum> ParseFloating(const TableColumnType& type, std::string_view s) {
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc::result_out_of_range) return OutOfRange(type, s);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(v)) {
    return NotValid(type, s);
  }
  if (type.type.type == DataType::kFloat) {
    if (std::fabs(v) > std::numeric_limits<float>::max()) return OutOfRange(type, s);
    v = static_cast<double>(static_cast<float>(v));
  }
  return Datum(v);
}

// Exact DECIMAL(p,s): the unscaled value, rounded half away from zero at scale s.
Result<Datum> ParseDecimal(const TableColumnType& type, std::string_view s) {
  const uint32_t precision = type.type.precision, scale = type.type.scale;
  std::string_view t = s;
  bool negative = !t.empty() && t.front() == '-';
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) t.remove_prefix(1);
  size_t dot = t.find('.');
  std::string_view int_part = t.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  bool well_formed = (!int_part.empty() || !frac.empty()) && (int_part.empty() || AllDigits(int_part)) &&
                     (frac.empty() || AllDigits(frac));
  if (!well_formed) return NotValid(type, s);
  while (!int_part.empty() && int_part.front() == '0') int_part.remove_prefix(1);
  if (int_part.size() > precision - scale) return OutOfRange(type, s);
  int128 v = 0;
  for (char c : int_part) v = v * 10 + (c - '0');
  for (uint32_t i = 0; i < scale; ++i) v = v * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  if (frac.size() > scale && frac[scale] >= '5') ++v;
  if (v > Pow10(precision) - 1) return OutOfRange(type, s);
  if (negative) v = -v;
  if (precision > 18) return Datum(v);
  return Datum(static_cast<int64_t>(v));
}

Result<Datum> ParseBoolean(const TableColumnType& type, std::string_view s) {
  auto equals_ci = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return true;
  };
  if (s == "1" || equals_ci(s, "true")) return Datum(int64_t{1});
  if (s == "0" || equals_ci(s, "false")) return Datum(int64_t{0});
  return NotValid(type, s);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// "HH:MM:SS[.fraction]" -> microseconds into the day.
std::optional<int64_t> ParseTimeOfDay(std::string_view t) {
  constexpr size_t kFractionDigitsMax = 9;
  if (t.size() < 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
  if (!AllDigits(t.substr(0, 2)) || !AllDigits(t.substr(3, 2)) || !AllDigits(t.substr(6, 2))) return std::nullopt;
  int h = Digits(t.substr(0, 2)), mi = Digits(t.substr(3, 2)), sec = Digits(t.substr(6, 2));
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  int64_t micros = 0;
  if (t.size() > 8) {
    std::string_view frac = t.substr(9);
    if (t[8] != '.' || !AllDigits(frac) || frac.size() > kFractionDigitsMax) return std::nullopt;
    for (size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  }
  return ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond + micros;
}

std::string Int128ToString(int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  uint128 u = negative ? static_cast<uint128>(0) - static_cast<uint128>(v) : static_cast<uint128>(v);
  std::string out;
  while (u != 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (negative) out.push_back('-');
  return std::string(out.rbegin(), out.rend());
}

std::string FormatDecimal(int128 unscaled, uint32_t scale) {
  std::string digits = Int128ToString(unscaled < 0 ? -unscaled : unscaled);
  if (scale == 0) return (unscaled < 0 ? "-" : "") + digits;
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale, ".");
  return (unscaled < 0 ? "-" : "") + digits;
}

std::string FormatDouble(double v, bool as_float) {
  char buf[64];
  auto r = as_float ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                    : std::to_chars(buf, buf + sizeof buf, v);
  STRATA_CHECK(r.ec == std::errc(), "to_chars of a double");
  return std::string(buf, r.ptr);
}

}  // namespace

std::optional<int64_t> ParseDateDays(std::string_view v) {
  if (v.size() < 10 || v[4] != '-' || v[7] != '-') return std::nullopt;
  if (!AllDigits(v.substr(0, 4)) || !AllDigits(v.substr(5, 2)) || !AllDigits(v.substr(8, 2))) return std::nullopt;
  int y = Digits(v.substr(0, 4)), m = Digits(v.substr(5, 2)), d = Digits(v.substr(8, 2));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] || (m == 2 && d == 29 && !IsLeap(y))) {
    return std::nullopt;
  }
  if (v.size() > 10) {  // a DATETIME text: the time must be valid, then is dropped
    if ((v[10] != ' ' && v[10] != 'T') || !ParseTimeOfDay(v.substr(11))) return std::nullopt;
  }
  return DaysFromCivil(y, m, d);
}

std::optional<int64_t> ParseDateTimeMicros(std::string_view v) {
  std::optional<int64_t> days = ParseDateDays(v.substr(0, 10));
  if (!days || v.size() == 11) return std::nullopt;
  int64_t micros = 0;
  if (v.size() > 10) {
    if (v[10] != ' ' && v[10] != 'T') return std::nullopt;
    std::optional<int64_t> t = ParseTimeOfDay(v.substr(11));
    if (!t) return std::nullopt;
    micros = *t;
  }
  return *days * kSecondsPerDay * kMicrosPerSecond + micros;
}

std::string FormatDateDays(int64_t days) {
  int64_t y = 0, m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

std::string FormatDateTimeMicros(int64_t micros) {
  constexpr int64_t kMicrosPerDay = kSecondsPerDay * kMicrosPerSecond;
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) rest += kMicrosPerDay, --days;
  int64_t sec = rest / kMicrosPerSecond, frac = rest % kMicrosPerSecond;
  char buf[96];
  std::snprintf(buf, sizeof buf, " %02lld:%02lld:%02lld", static_cast<long long>(sec / 3600),
                static_cast<long long>(sec / 60 % 60), static_cast<long long>(sec % 60));
  std::string out = FormatDateDays(days) + buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  return out;
}

std::string QuoteForMessage(std::string_view text) {
  if (text.size() <= kMessageValueMaxBytes) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMessageValueMaxBytes)) + "...' (" + std::to_string(text.size()) +
         " bytes)";
}

Result<Datum> ParseValue(const TableColumnType& type, std::string_view text) {
  switch (type.type.type) {
    case DataType::kChar:
    case DataType::kVarchar:
    case DataType::kString:
      if (text.size() > type.max_length_bytes) {
        return InvalidArgument(QuoteForMessage(text) + " is " + std::to_string(text.size()) +
                               " bytes, longer than the " + std::to_string(type.max_length_bytes) +
                               " allowed by " + TypeName(type));
      }
      return Datum(std::string(text));
    default: break;
  }
  std::string_view s = TrimBlank(text);
  switch (type.type.type) {
    case DataType::kTinyInt:
    case DataType::kSmallInt:
    case DataType::kInt:
    case DataType::kBigInt:
    case DataType::kLargeInt: return ParseInteger(type, s);
    case DataType::kFloat:
    case DataType::kDouble: return ParseFloating(type, s);
    case DataType::kDecimal: return ParseDecimal(type, s);
    case DataType::kBoolean: return ParseBoolean(type, s);
    case DataType::kDate: {
      std::optional<int64_t> days = ParseDateDays(s);
      if (!days) return NotValid(type, text);
      return Datum(*days);
    }
    case DataType::kDateTime: {
      std::optional<int64_t> micros = ParseDateTimeMicros(s);
      if (!micros) return NotValid(type, text);
      return Datum(*micros);
    }
    default: return NotValid(type, text);
  }
}

void AppendDatum(storage::ColumnVector& column, Datum value) {
  switch (value.index()) {
    case 0: column.AppendNull(); return;
    case 1: column.AppendInt(std::get<int64_t>(value)); return;
    case 2: column.AppendWide(std::get<int128>(value)); return;
    case 3: column.AppendDouble(std::get<double>(value)); return;
    default: column.AppendString(std::move(std::get<std::string>(value))); return;
  }
}

Status AppendText(storage::ColumnVector& vector, const TableColumn& column, std::string_view text, bool is_null) {
  if (is_null) {
    if (!column.type.type.nullable) return InvalidArgument("column '" + column.name + "': NULL in a NOT NULL column");
    vector.AppendNull();
    return Status::OK();
  }
  Result<Datum> v = ParseValue(column.type, text);
  if (!v.ok()) return v.status().WithContext("column '" + column.name + "'");
  AppendDatum(vector, std::move(v).value());
  return Status::OK();
}

std::string FormatDatum(const TableColumnType& type, const Datum& value) {
  switch (value.index()) {
    case 0: return "NULL";
    case 2: {
      int128 v = std::get<int128>(value);
      return type.type.type == DataType::kDecimal ? FormatDecimal(v, type.type.scale) : Int128ToString(v);
    }
    case 3: return FormatDouble(std::get<double>(value), type.type.type == DataType::kFloat);
    case 4: return std::get<std::string>(value);
    default: break;
  }
  int64_t v = std::get<int64_t>(value);
  switch (type.type.type) {
    case DataType::kDecimal: return FormatDecimal(v, type.type.scale);
    case DataType::kDate: return FormatDateDays(v);
    case DataType::kDateTime: return FormatDateTimeMicros(v);
    default: return std::to_string(v);
  }
}

std::optional<std::string> FormatValue(const storage::ColumnVector& vector, const TableColumnType& type,
                                       size_t row) {
  STRATA_CHECK_LT(row, vector.size());
  if (vector.IsNull(row)) return std::nullopt;
  switch (vector.kind()) {
    case storage::PhysicalKind::kInt64: return FormatDatum(type, Datum(vector.GetInt(row)));
    case storage::PhysicalKind::kInt128: return FormatDatum(type, Datum(vector.GetWide(row)));
    case storage::PhysicalKind::kDouble: return FormatDatum(type, Datum(vector.GetDouble(row)));
    case storage::PhysicalKind::kBytes: return std::string(vector.GetString(row));
  }
  return std::nullopt;
}

}  // namespace strata::load

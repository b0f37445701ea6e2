// Scalar functions (functions.h).
#include "query/functions.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "query/expr.h"
#include "sql/mysql_errors.h"

namespace strata::query {
namespace {

using sql::Fail;

void Arity(const std::string& f, size_t n, size_t lo, size_t hi) {
  if (n < lo || n > hi) {
    Fail(sql::ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "Incorrect parameter count in the call to native function '" + f + "'");
  }
}

bool In(const std::string& f, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (f == n) return true;
  }
  return false;
}

Type Numeric(const Type& t) { return IsNumeric(t) ? t : Type::Double(); }

// Date parts of a DATE or DATETIME value (as days / micros).
struct DateParts {
  int64_t year;
  unsigned month, day;
  int64_t days;
  int64_t second_of_day;  // 0 for DATE
  int64_t micros;
};

DateParts Parts(const Column& c, size_t r) {
  DateParts p{};
  if (c.type().id == TypeId::kDateTime) {
    int64_t v = c.I64(r);
    p.days = v / kMicrosPerDay;
    int64_t rest = v % kMicrosPerDay;
    if (rest < 0) rest += kMicrosPerDay, --p.days;
    p.second_of_day = rest / kMicrosPerSecond;
    p.micros = rest % kMicrosPerSecond;
  } else {
    p.days = c.I64(r);
  }
  CivilFromDays(p.days, &p.year, &p.month, &p.day);
  return p;
}

int DaysInMonth(int64_t y, unsigned m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Adds `n` units to a DATE (days) or DATETIME (micros) value; nullopt outside years 1..9999.
std::optional<int64_t> AddInterval(const Column& c, size_t r, int64_t n, const std::string& unit) {
  bool datetime = c.type().id == TypeId::kDateTime;
  DateParts p = Parts(c, r);
  int64_t months = 0, micros = 0;
  if (unit == "YEAR") months = n * 12;
  else if (unit == "QUARTER") months = n * 3;
  else if (unit == "MONTH") months = n;
  else if (unit == "WEEK") micros = n * 7 * kMicrosPerDay;
  else if (unit == "DAY") micros = n * kMicrosPerDay;
  else if (unit == "HOUR") micros = n * 3600 * kMicrosPerSecond;
  else if (unit == "MINUTE") micros = n * 60 * kMicrosPerSecond;
  else if (unit == "SECOND") micros = n * kMicrosPerSecond;
  else if (unit == "MICROSECOND") micros = n;
  else Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'INTERVAL " + unit + "'");
  int64_t days = p.days;
  if (months != 0) {
    int64_t total = p.year * 12 + (p.month - 1) + months;
    int64_t y = total / 12;
    unsigned m = static_cast<unsigned>(total % 12) + 1;
    unsigned d = std::min<unsigned>(p.day, DaysInMonth(y, m));
    if (y < 1 || y > 9999) return std::nullopt;
    days = DaysFromCivil(y, m, d);
  }
  int64_t value = datetime ? days * kMicrosPerDay + p.second_of_day * kMicrosPerSecond + p.micros + micros
                           : days * kMicrosPerDay + micros;
  int64_t lo = DaysFromCivil(1, 1, 1) * kMicrosPerDay, hi = DaysFromCivil(10000, 1, 1) * kMicrosPerDay;
  if (value < lo || value >= hi) return std::nullopt;
  if (datetime) return value;
  return value / kMicrosPerDay - (value % kMicrosPerDay < 0 ? 1 : 0);
}

std::string DateFormat(const DateParts& p, const std::string& fmt) {
  static const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                  "August", "September", "October", "November", "December"};
  static const char* kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  int weekday = static_cast<int>(((p.days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday (3)
  std::string out;
  char buf[32];
  int64_t h = p.second_of_day / 3600, mi = p.second_of_day / 60 % 60, s = p.second_of_day % 60;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) {
      out.push_back(fmt[i]);
      continue;
    }
    char c = fmt[++i];
    switch (c) {
      case 'Y': std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(p.year)); break;
      case 'y': std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(p.year % 100)); break;
      case 'm': std::snprintf(buf, sizeof buf, "%02u", p.month); break;
      case 'c': std::snprintf(buf, sizeof buf, "%u", p.month); break;
      case 'd': std::snprintf(buf, sizeof buf, "%02u", p.day); break;
      case 'e': std::snprintf(buf, sizeof buf, "%u", p.day); break;
      case 'H': std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(h)); break;
      case 'k': std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(h)); break;
      case 'h': case 'I': std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(h % 12 == 0 ? 12 : h % 12)); break;
      case 'i': std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(mi)); break;
      case 's': case 'S': std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(s)); break;
      case 'f': std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(p.micros)); break;
      case 'p': std::snprintf(buf, sizeof buf, "%s", h < 12 ? "AM" : "PM"); break;
      case 'M': std::snprintf(buf, sizeof buf, "%s", kMonths[p.month - 1]); break;
      case 'b': std::snprintf(buf, sizeof buf, "%.3s", kMonths[p.month - 1]); break;
      case 'W': std::snprintf(buf, sizeof buf, "%s", kDays[weekday]); break;
      case 'a': std::snprintf(buf, sizeof buf, "%.3s", kDays[weekday]); break;
      case 'j': std::snprintf(buf, sizeof buf, "%03lld",
                              static_cast<long long>(p.days - DaysFromCivil(p.year, 1, 1) + 1)); break;
      case 'T': std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(h),
                              static_cast<long long>(mi), static_cast<long long>(s)); break;
      default: buf[0] = c, buf[1] = '\0'; break;
    }
    out += buf;
  }
  return out;
}

double RoundTo(double x, int64_t d) {
  double scale = std::pow(10.0, static_cast<double>(d));
  return d >= 0 ? std::round(x * scale) / scale : std::round(x / std::pow(10.0, -d)) * std::pow(10.0, -d);
}

int128 RoundDecimal(int128 v, int from_scale, int to_scale, bool truncate) {
  if (to_scale >= from_scale) return v * Pow10(to_scale - from_scale);
  int128 p = Pow10(from_scale - to_scale);
  int128 q = v / p, r = v % p;
  if (!truncate && (r < 0 ? -r : r) * 2 >= p) q += v < 0 ? -1 : 1;
  return q;
}

// Row-wise string functions (arguments already strings / ints as resolved).
Scalar StringFunction(const std::string& f, const std::vector<Column>& a, size_t r) {
  auto s = [&](size_t i) -> std::string { return std::string(a[i].Str(r)); };
  auto n = [&](size_t i) { return a[i].I64(r); };
  if (f == "UPPER" || f == "UCASE" || f == "LOWER" || f == "LCASE") {
    std::string out = s(0);
    bool up = f == "UPPER" || f == "UCASE";
    for (char& c : out) c = static_cast<char>(up ? std::toupper(static_cast<unsigned char>(c))
                                                 : std::tolower(static_cast<unsigned char>(c)));
    return Scalar::Str(out);
  }
  if (f == "SUBSTRING" || f == "SUBSTR" || f == "MID") {
    const std::string& x = s(0);
    int64_t pos = n(1), len = a.size() > 2 ? n(2) : static_cast<int64_t>(x.size());
    int64_t size = static_cast<int64_t>(x.size());
    if (pos == 0 || len <= 0) return Scalar::Str("");
    int64_t start = pos > 0 ? pos - 1 : size + pos;
    if (start < 0 || start >= size) return Scalar::Str("");
    return Scalar::Str(x.substr(static_cast<size_t>(start), static_cast<size_t>(std::min(len, size - start))));
  }
  if (f == "LEFT" || f == "RIGHT") {
    const std::string& x = s(0);
    int64_t len = std::clamp<int64_t>(n(1), 0, static_cast<int64_t>(x.size()));
    return Scalar::Str(f == "LEFT" ? x.substr(0, len) : x.substr(x.size() - len));
  }
  if (f == "TRIM" || f == "LTRIM" || f == "RTRIM") {
    std::string x = s(0);
    size_t b = 0, e = x.size();
    if (f != "RTRIM") while (b < e && x[b] == ' ') ++b;
    if (f != "LTRIM") while (e > b && x[e - 1] == ' ') --e;
    return Scalar::Str(x.substr(b, e - b));
  }
  if (f == "REPLACE") {
    std::string x = s(0);
    const std::string& from = s(1);
    const std::string& to = s(2);
    if (from.empty()) return Scalar::Str(x);
    std::string out;
    size_t i = 0;
    for (size_t j; (j = x.find(from, i)) != std::string::npos; i = j + from.size()) out += x.substr(i, j - i) + to;
    return Scalar::Str(out + x.substr(i));
  }
  if (f == "REVERSE") {
    std::string x = s(0);
    std::reverse(x.begin(), x.end());
    return Scalar::Str(x);
  }
  if (f == "LPAD" || f == "RPAD") {
    std::string x = s(0);
    int64_t len = n(1);
    const std::string& pad = s(2);
    if (len < 0) return Scalar::Null();
    if (static_cast<int64_t>(x.size()) >= len) return Scalar::Str(x.substr(0, len));
    if (pad.empty()) return Scalar::Null();
    std::string fill;
    while (static_cast<int64_t>(fill.size() + x.size()) < len) fill += pad;
    fill.resize(len - x.size());
    return Scalar::Str(f == "LPAD" ? fill + x : x + fill);
  }
  if (f == "REPEAT") {
    std::string out;
    for (int64_t i = 0; i < n(1) && out.size() < (1u << 20); ++i) out += s(0);
    return Scalar::Str(out);
  }
  if (f == "INSTR") return Scalar::I64(static_cast<int64_t>(s(0).find(s(1)) + 1));
  if (f == "LOCATE") {
    int64_t start = a.size() > 2 ? n(2) : 1;
    if (start < 1) return Scalar::I64(0);
    size_t p = s(1).find(s(0), static_cast<size_t>(start - 1));
    return Scalar::I64(p == std::string::npos ? 0 : static_cast<int64_t>(p) + 1);
  }
  if (f == "STRCMP") {
    int c = s(0).compare(s(1));
    return Scalar::I64(c < 0 ? -1 : c > 0);
  }
  if (f == "LENGTH" || f == "OCTET_LENGTH") return Scalar::I64(static_cast<int64_t>(s(0).size()));
  if (f == "CHAR_LENGTH" || f == "CHARACTER_LENGTH") {
    int64_t chars = 0;
    for (unsigned char c : s(0)) chars += (c & 0xC0) != 0x80;
    return Scalar::I64(chars);
  }
  if (f == "ASCII") return Scalar::I64(s(0).empty() ? 0 : static_cast<unsigned char>(s(0)[0]));
  return Scalar::Null();
}

}  // namespace

bool IsAggregateFunction(const std::string& name) {
  return In(name, {"COUNT", "SUM", "MIN", "MAX", "AVG", "ANY_VALUE"});
}

FunctionSignature ResolveFunction(const std::string& f, const std::vector<Type>& t,
                                  const std::vector<const Scalar*>& constant_args) {
  const size_t n = t.size();
  auto all = [&](const Type& x) { return std::vector<Type>(n, x); };
  // control
  if (f == "IF") {
    Arity(f, n, 3, 3);
    Type r = UnifyTypes(t[1], t[2]);
    return {r, {Type::Int(), r, r}};
  }
  if (f == "IFNULL" || f == "NVL" || f == "COALESCE") {
    Arity(f, n, f == "COALESCE" ? 1 : 2, f == "COALESCE" ? 1000 : 2);
    Type r = t[0];
    for (const auto& x : t) r = UnifyTypes(r, x);
    return {r, all(r)};
  }
  if (f == "NULLIF") {
    Arity(f, n, 2, 2);
    Type c = ComparisonType(t[0], t[1]);
    return {t[0], {c, c}};  // result re-typed below at evaluation
  }
  if (f == "GREATEST" || f == "LEAST") {
    Arity(f, n, 2, 1000);
    Type r = t[0];
    for (const auto& x : t) r = ComparisonType(r, x);
    return {r, all(r)};
  }
  // strings
  if (In(f, {"UPPER", "UCASE", "LOWER", "LCASE", "TRIM", "LTRIM", "RTRIM", "REVERSE"})) {
    Arity(f, n, 1, 1);
    return {Type::String(), {Type::String()}};
  }
  if (In(f, {"LENGTH", "OCTET_LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH", "ASCII"})) {
    Arity(f, n, 1, 1);
    return {Type::Int(), {Type::String()}};
  }
  if (f == "CONCAT") {
    Arity(f, n, 1, 1000);
    return {Type::String(), all(Type::String())};
  }
  if (f == "CONCAT_WS") {
    Arity(f, n, 2, 1000);
    return {Type::String(), all(Type::String())};
  }
  if (f == "SUBSTRING" || f == "SUBSTR" || f == "MID") {
    Arity(f, n, 2, 3);
    std::vector<Type> a{Type::String(), Type::Int(), Type::Int()};
    a.resize(n);
    return {Type::String(), a};
  }
  if (f == "LEFT" || f == "RIGHT" || f == "REPEAT") {
    Arity(f, n, 2, 2);
    return {Type::String(), {Type::String(), Type::Int()}};
  }
  if (f == "LPAD" || f == "RPAD") {
    Arity(f, n, 3, 3);
    return {Type::String(), {Type::String(), Type::Int(), Type::String()}};
  }
  if (f == "REPLACE") {
    Arity(f, n, 3, 3);
    return {Type::String(), all(Type::String())};
  }
  if (f == "INSTR" || f == "STRCMP") {
    Arity(f, n, 2, 2);
    return {Type::Int(), all(Type::String())};
  }
  if (f == "LOCATE") {
    Arity(f, n, 2, 3);
    std::vector<Type> a{Type::String(), Type::String(), Type::Int()};
    a.resize(n);
    return {Type::Int(), a};
  }
  // math
  if (f == "ABS") {
    Arity(f, n, 1, 1);
    Type r = Numeric(t[0]);
    return {r, {r}};
  }
  if (f == "SIGN") {
    Arity(f, n, 1, 1);
    return {Type::Int(), {Numeric(t[0])}};
  }
  if (f == "CEIL" || f == "CEILING" || f == "FLOOR") {
    Arity(f, n, 1, 1);
    Type in = Numeric(t[0]);
    if (in.id == TypeId::kDouble) return {Type::Double(), {in}};
    if (in.id == TypeId::kDecimal) {  // BIGINT when it fits, as MySQL
      int digits = in.precision - in.scale + 1;
      return {digits <= 18 ? Type::Int() : Type::Decimal(digits, 0), {in}};
    }
    return {in, {in}};
  }
  if (f == "ROUND" || f == "TRUNCATE") {
    Arity(f, n, f == "ROUND" ? 1 : 2, 2);
    Type in = Numeric(t[0]);
    int64_t d = n > 1 && constant_args[1] != nullptr && !constant_args[1]->null ? constant_args[1]->i64 : 0;
    if (n > 1 && constant_args[1] == nullptr && in.id != TypeId::kDouble) in = Type::Double();
    std::vector<Type> a{in, Type::Int()};
    a.resize(n);
    if (in.id == TypeId::kDecimal) {
      int scale = static_cast<int>(std::clamp<int64_t>(d, 0, 30));
      return {Type::Decimal(in.precision - in.scale + scale + 1, scale), a};
    }
    return {in.id == TypeId::kLargeInt ? in : in.id == TypeId::kInt ? Type::Int() : Type::Double(), a};
  }
  if (In(f, {"SQRT", "EXP", "LN", "LOG10", "LOG2", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "RADIANS",
             "DEGREES"})) {
    Arity(f, n, 1, 1);
    return {Type::Double(), {Type::Double()}};
  }
  if (f == "LOG") {
    Arity(f, n, 1, 2);
    return {Type::Double(), all(Type::Double())};
  }
  if (f == "POW" || f == "POWER" || f == "ATAN2") {
    Arity(f, n, 2, 2);
    return {Type::Double(), all(Type::Double())};
  }
  if (f == "PI") {
    Arity(f, n, 0, 0);
    return {Type::Double(), {}};
  }
  if (f == "MOD") {
    Arity(f, n, 2, 2);
    Type r = UnifyTypes(Numeric(t[0]), Numeric(t[1]));
    return {r, {r, r}};
  }
  // dates
  if (In(f, {"YEAR", "MONTH", "DAY", "DAYOFMONTH", "QUARTER", "DAYOFWEEK", "DAYOFYEAR", "WEEKDAY", "TO_DAYS"})) {
    Arity(f, n, 1, 1);
    Type in = t[0].id == TypeId::kDateTime ? Type::DateTime() : Type::Date();
    return {Type::Int(), {in}};
  }
  if (In(f, {"HOUR", "MINUTE", "SECOND"})) {
    Arity(f, n, 1, 1);
    return {Type::Int(), {Type::DateTime()}};
  }
  if (f == "DATE" || f == "LAST_DAY") {
    Arity(f, n, 1, 1);
    return {Type::Date(), {t[0].id == TypeId::kDateTime ? Type::DateTime() : Type::Date()}};
  }
  if (f == "DATEDIFF") {
    Arity(f, n, 2, 2);
    return {Type::Int(), {Type::Date(), Type::Date()}};
  }
  if (f == "DATE_FORMAT") {
    Arity(f, n, 2, 2);
    return {Type::String(), {Type::DateTime(), Type::String()}};
  }
  if (f == "DATE_ADD") {  // binder form: (date, amount, unit)
    Arity(f, n, 3, 3);
    std::string unit = constant_args[2] ? constant_args[2]->str : "DAY";
    bool date_unit = unit == "DAY" || unit == "WEEK" || unit == "MONTH" || unit == "QUARTER" || unit == "YEAR";
    Type base = t[0].id == TypeId::kDate && date_unit ? Type::Date() : Type::DateTime();
    if (t[0].id == TypeId::kString && date_unit) base = Type::Date();
    return {base, {base, Type::Int(), Type::String()}};
  }
  if (f == "UNIX_TIMESTAMP") {
    Arity(f, n, 1, 1);
    return {Type::Int(), {Type::DateTime()}};
  }
  if (f == "FROM_UNIXTIME") {
    Arity(f, n, 1, 1);
    return {Type::DateTime(), {Type::Int()}};
  }
  Fail(sql::ER_SP_DOES_NOT_EXIST, "FUNCTION " + f + " does not exist");
}

// The one-argument functions of a date's parts (DATE, YEAR, HOUR ...): the
// value from the parts, or null for any other name.
using DatePartFn = int64_t (*)(const DateParts&);
DatePartFn DatePartOf(const std::string& f) {
  static const std::map<std::string, DatePartFn, std::less<>> kParts = {
      {"DATE", [](const DateParts& p) -> int64_t { return p.days; }},
      {"LAST_DAY", [](const DateParts& p) { return DaysFromCivil(p.year, p.month, DaysInMonth(p.year, p.month)); }},
      {"YEAR", [](const DateParts& p) -> int64_t { return p.year; }},
      {"MONTH", [](const DateParts& p) -> int64_t { return p.month; }},
      {"DAY", [](const DateParts& p) -> int64_t { return p.day; }},
      {"DAYOFMONTH", [](const DateParts& p) -> int64_t { return p.day; }},
      {"QUARTER", [](const DateParts& p) -> int64_t { return (p.month - 1) / 3 + 1; }},
      {"DAYOFWEEK", [](const DateParts& p) -> int64_t { return ((p.days % 7) + 7 + 4) % 7 + 1; }},  // 1 = Sunday
      {"WEEKDAY", [](const DateParts& p) -> int64_t { return ((p.days % 7) + 7 + 3) % 7; }},        // 0 = Monday
      {"DAYOFYEAR", [](const DateParts& p) { return p.days - DaysFromCivil(p.year, 1, 1) + 1; }},
      // MySQL numbers 0000-01-01 day 1 and counts year 0 as 365 days: 1970-01-01 is day 719528.
      {"TO_DAYS", [](const DateParts& p) -> int64_t { return p.days + 719528; }},
      {"HOUR", [](const DateParts& p) -> int64_t { return p.second_of_day / 3600; }},
      {"MINUTE", [](const DateParts& p) -> int64_t { return p.second_of_day / 60 % 60; }},
      {"SECOND", [](const DateParts& p) -> int64_t { return p.second_of_day % 60; }},
  };
  auto it = kParts.find(f);
  return it == kParts.end() ? nullptr : it->second;
}

Column EvalFunction(const std::string& f, const Type& result, const std::vector<Column>& a, size_t rows) {
  Column out(result);
  out.Reserve(rows);
  if (DatePartFn part = DatePartOf(f)) {  // YEAR(d) ...: the function is looked up once, not per row
    const Column& d = a[0];
    for (size_t r = 0; r < rows; ++r) {
      if (d.IsNull(r)) {
        out.AppendNull();
      } else {
        out.AppendI64(part(Parts(d, r)));
      }
    }
    return out;
  }
  // Functions that look at NULL arguments themselves.
  if (f == "IF") {
    for (size_t r = 0; r < rows; ++r) out.AppendFrom(IsTrueAt(a[0], r) ? a[1] : a[2], r);
    return out;
  }
  if (f == "IFNULL" || f == "NVL" || f == "COALESCE") {
    for (size_t r = 0; r < rows; ++r) {
      size_t i = 0;
      while (i + 1 < a.size() && a[i].IsNull(r)) ++i;
      out.AppendFrom(a[i], r);
    }
    return out;
  }
  if (f == "CONCAT_WS") {
    for (size_t r = 0; r < rows; ++r) {
      if (a[0].IsNull(r)) {
        out.AppendNull();
        continue;
      }
      std::string s;
      bool first = true;
      for (size_t i = 1; i < a.size(); ++i) {
        if (a[i].IsNull(r)) continue;
        if (!first) s += a[0].Str(r);
        s += a[i].Str(r);
        first = false;
      }
      out.AppendStr(std::move(s));
    }
    return out;
  }
  if (f == "NULLIF") {
    Column first(result);
    for (size_t r = 0; r < rows; ++r) {
      bool equal = !a[0].IsNull(r) && !a[1].IsNull(r) && CompareAt(a[0], r, a[1], r) == 0;
      if (equal) {
        out.AppendNull();
      } else {
        out.Append(CastScalar(a[0].At(r), a[0].type(), result));
      }
    }
    return out;
  }
  for (size_t r = 0; r < rows; ++r) {
    bool any_null = false;
    for (const auto& c : a) any_null = any_null || c.IsNull(r);
    if (any_null) {
      out.AppendNull();
      continue;
    }
    if (f == "CONCAT") {
      std::string s;
      for (const auto& c : a) s += c.Str(r);
      out.AppendStr(std::move(s));
      continue;
    }
    if ((result.id == TypeId::kString && f != "DATE_FORMAT") || In(f, {"LENGTH", "OCTET_LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH", "ASCII",
                                                "INSTR", "LOCATE", "STRCMP"})) {
      out.Append(StringFunction(f, a, r));
      continue;
    }
    if (f == "GREATEST" || f == "LEAST") {
      size_t best = 0;
      for (size_t i = 1; i < a.size(); ++i) {
        int c = CompareAt(a[i], r, a[best], r);
        if (f == "GREATEST" ? c > 0 : c < 0) best = i;
      }
      out.AppendFrom(a[best], r);
      continue;
    }
    const Type& in = a.empty() ? result : a[0].type();
    if (f == "ABS") {
      if (UsesI64(in)) {
        if (a[0].I64(r) == std::numeric_limits<int64_t>::min()) {
          Fail(sql::ER_DATA_OUT_OF_RANGE, "BIGINT value is out of range");
        }
        out.AppendI64(std::abs(a[0].I64(r)));
      } else if (UsesI128(in)) {
        out.AppendI128(a[0].I128(r) < 0 ? -a[0].I128(r) : a[0].I128(r));
      } else {
        out.AppendF64(std::fabs(a[0].F64(r)));
      }
      continue;
    }
    if (f == "SIGN") {
      int s = UsesI64(in) ? (a[0].I64(r) > 0) - (a[0].I64(r) < 0)
              : UsesI128(in) ? (a[0].I128(r) > 0) - (a[0].I128(r) < 0)
                             : (a[0].F64(r) > 0) - (a[0].F64(r) < 0);
      out.AppendI64(s);
      continue;
    }
    if (f == "CEIL" || f == "CEILING" || f == "FLOOR") {
      bool ceil = f != "FLOOR";
      if (in.id == TypeId::kDouble) {
        out.AppendF64(ceil ? std::ceil(a[0].F64(r)) : std::floor(a[0].F64(r)));
      } else if (in.id == TypeId::kDecimal) {
        int128 p = Pow10(in.scale), v = a[0].I128(r), q = v / p, rem = v % p;
        if (rem != 0 && ceil && v > 0) ++q;
        if (rem != 0 && !ceil && v < 0) --q;
        UsesI64(result) ? out.AppendI64(static_cast<int64_t>(q)) : out.AppendI128(q);
      } else {
        out.AppendFrom(a[0], r);
      }
      continue;
    }
    if (f == "ROUND" || f == "TRUNCATE") {
      int64_t d = a.size() > 1 ? a[1].I64(r) : 0;
      bool trunc = f == "TRUNCATE";
      if (in.id == TypeId::kDecimal) {
        int128 v = RoundDecimal(a[0].I128(r), in.scale, std::min<int>(result.scale, in.scale), trunc);
        if (result.scale > in.scale) v *= Pow10(result.scale - in.scale);
        out.AppendI128(v);
      } else if (in.id == TypeId::kDouble) {
        double x = a[0].F64(r);
        double scale = std::pow(10.0, static_cast<double>(d));
        out.AppendF64(trunc ? std::trunc(x * scale) / scale : RoundTo(x, d));
      } else if (d >= 0) {
        out.AppendFrom(a[0], r);
      } else {
        int128 p = Pow10(static_cast<int>(std::min<int64_t>(-d, 38)));
        int128 v = UsesI64(in) ? a[0].I64(r) : a[0].I128(r);
        int128 q = trunc ? v / p : RoundDecimal(v, static_cast<int>(std::min<int64_t>(-d, 38)), 0, false);
        q *= p;
        UsesI64(result) ? out.AppendI64(static_cast<int64_t>(q)) : out.AppendI128(q);
      }
      continue;
    }
    if (f == "MOD") {
      Chunk ch;
      Column ca(a[0].type()), cb(a[1].type());
      ca.AppendFrom(a[0], r), cb.AppendFrom(a[1], r);
      BoundExpr e;
      e.op = ExprOp::kArith, e.arith = ArithOp::kMod, e.type = result;
      e.args.push_back(MakeColumnRef(0, a[0].type(), "")), e.args.push_back(MakeColumnRef(1, a[1].type(), ""));
      ch.columns = {ca, cb}, ch.rows = 1;
      out.AppendFrom(Evaluate(e, ch), 0);
      continue;
    }
    if (result.id == TypeId::kDouble) {
      double x = a.empty() ? 0 : a[0].F64(r);
      double v = 0;
      if (f == "SQRT") v = x < 0 ? NAN : std::sqrt(x);
      else if (f == "EXP") v = std::exp(x);
      else if (f == "LN") v = x <= 0 ? NAN : std::log(x);
      else if (f == "LOG") v = a.size() == 2 ? (x <= 0 || x == 1 || a[1].F64(r) <= 0 ? NAN : std::log(a[1].F64(r)) / std::log(x))
                                             : (x <= 0 ? NAN : std::log(x));
      else if (f == "LOG10") v = x <= 0 ? NAN : std::log10(x);
      else if (f == "LOG2") v = x <= 0 ? NAN : std::log2(x);
      else if (f == "POW" || f == "POWER") v = std::pow(x, a[1].F64(r));
      else if (f == "ATAN2") v = std::atan2(x, a[1].F64(r));
      else if (f == "PI") v = M_PI;
      else if (f == "SIN") v = std::sin(x);
      else if (f == "COS") v = std::cos(x);
      else if (f == "TAN") v = std::tan(x);
      else if (f == "ASIN") v = std::asin(x);
      else if (f == "ACOS") v = std::acos(x);
      else if (f == "ATAN") v = std::atan(x);
      else if (f == "RADIANS") v = x * M_PI / 180;
      else if (f == "DEGREES") v = x * 180 / M_PI;
      if (std::isnan(v)) {
        out.AppendNull();
      } else {
        out.AppendF64(v);
      }
      continue;
    }
    // dates
    if (f == "DATE_ADD") {
      auto v = AddInterval(a[0], r, a[1].I64(r), std::string(a[2].Str(r)));
      v ? out.AppendI64(*v) : out.AppendNull();
      continue;
    }
    if (f == "DATEDIFF") {
      out.AppendI64(a[0].I64(r) - a[1].I64(r));
      continue;
    }
    if (f == "UNIX_TIMESTAMP") {
      int64_t v = a[0].I64(r);
      out.AppendI64(v / kMicrosPerSecond - (v % kMicrosPerSecond < 0 ? 1 : 0));
      continue;
    }
    if (f == "FROM_UNIXTIME") {
      out.AppendI64(a[0].I64(r) * kMicrosPerSecond);
      continue;
    }
    if (f == "DATE_FORMAT") {
      out.AppendStr(DateFormat(Parts(a[0], r), std::string(a[1].Str(r))));
    } else {
      out.AppendNull();
    }
  }
  return out;
}

}  // namespace strata::query

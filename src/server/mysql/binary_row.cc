#include "server/mysql/binary_row.h"

#include <charconv>
#include <cstring>
#include <limits>

#include "server/mysql/wire.h"

namespace strata::server::mysql {

namespace {

using T = sql::ColumnType;

bool ParseInt(std::string_view s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDigits(std::string_view s, size_t pos, size_t n, uint32_t* v) {
  if (pos + n > s.size()) return false;
  uint32_t r = 0;
  for (size_t i = pos; i < pos + n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    r = r * 10 + static_cast<uint32_t>(s[i] - '0');
  }
  *v = r;
  return true;
}

struct Temporal {
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micro = 0;
};

// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS[.f{1,6}]".
bool ParseTemporal(std::string_view s, bool date_only, Temporal* t) {
  if (!ParseDigits(s, 0, 4, &t->year) || s.size() < 10 || s[4] != '-' || !ParseDigits(s, 5, 2, &t->month) ||
      s[7] != '-' || !ParseDigits(s, 8, 2, &t->day) || t->month > 12 || t->day > 31)
    return false;
  if (s.size() == 10) return true;
  if (date_only) return false;
  if (s.size() < 19 || (s[10] != ' ' && s[10] != 'T') || !ParseDigits(s, 11, 2, &t->hour) || s[13] != ':' ||
      !ParseDigits(s, 14, 2, &t->minute) || s[16] != ':' || !ParseDigits(s, 17, 2, &t->second) || t->hour > 23 ||
      t->minute > 59 || t->second > 59)
    return false;
  if (s.size() == 19) return true;
  size_t frac = s.size() - 20;
  if (s[19] != '.' || frac < 1 || frac > 6 || !ParseDigits(s, 20, frac, &t->micro)) return false;
  for (size_t i = frac; i < 6; i++) t->micro *= 10;
  return true;
}

bool FitsInt(std::string_view s, int bytes) {
  int64_t v;
  if (!ParseInt(s, &v)) return false;
  if (bytes == 8) return true;
  int64_t max = (int64_t{1} << (8 * bytes - 1)) - 1;
  return v >= -max - 1 && v <= max;
}

bool Fits(T type, std::string_view s) {
  double d;
  Temporal t;
  switch (type) {
    case T::kTiny: return FitsInt(s, 1);
    case T::kShort: return FitsInt(s, 2);
    case T::kLong: return FitsInt(s, 4);
    case T::kLongLong: return FitsInt(s, 8);
    case T::kFloat: case T::kDouble: return ParseDouble(s, &d);
    case T::kDate: return ParseTemporal(s, true, &t);
    case T::kDateTime: return ParseTemporal(s, false, &t);
    case T::kNull: return false;  // a NULL-typed column holding a value
    default: return true;         // sent as length-encoded text
  }
}

void PutTemporal(WireWriter& w, T type, std::string_view s) {
  Temporal t;
  ParseTemporal(s, type == T::kDate, &t);
  bool has_time = type == T::kDateTime && (t.hour || t.minute || t.second || t.micro);
  uint8_t len = t.micro ? 11 : has_time ? 7 : (t.year || t.month || t.day) ? 4 : 0;
  w.U8(len);
  if (len >= 4) {
    w.U16(static_cast<uint16_t>(t.year));
    w.U8(static_cast<uint8_t>(t.month));
    w.U8(static_cast<uint8_t>(t.day));
  }
  if (len >= 7) {
    w.U8(static_cast<uint8_t>(t.hour));
    w.U8(static_cast<uint8_t>(t.minute));
    w.U8(static_cast<uint8_t>(t.second));
  }
  if (len >= 11) w.U32(t.micro);
}

void PutValue(WireWriter& w, T type, std::string_view s) {
  int64_t i = 0;
  double d = 0;
  switch (type) {
    case T::kTiny: ParseInt(s, &i); w.Fixed(static_cast<uint64_t>(i), 1); return;
    case T::kShort: ParseInt(s, &i); w.Fixed(static_cast<uint64_t>(i), 2); return;
    case T::kLong: ParseInt(s, &i); w.Fixed(static_cast<uint64_t>(i), 4); return;
    case T::kLongLong: ParseInt(s, &i); w.Fixed(static_cast<uint64_t>(i), 8); return;
    case T::kFloat: {
      ParseDouble(s, &d);
      float f = static_cast<float>(d);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      w.U32(bits);
      return;
    }
    case T::kDouble: {
      ParseDouble(s, &d);
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      w.U64(bits);
      return;
    }
    case T::kDate: case T::kDateTime: PutTemporal(w, type, s); return;
    default: w.LenencStr(s); return;
  }
}

}  // namespace

std::vector<sql::ColumnType> BinaryWireTypes(const sql::ResultSet& result_set) {
  std::vector<T> types;
  for (const auto& c : result_set.columns) types.push_back(c.type);
  for (const auto& row : result_set.rows) {
    for (size_t i = 0; i < types.size() && i < row.size(); i++) {
      if (row[i] && types[i] != T::kVarString && !Fits(types[i], *row[i])) types[i] = T::kVarString;
    }
  }
  return types;
}

std::string BuildBinaryRow(const sql::Row& row, const std::vector<sql::ColumnType>& types) {
  WireWriter w;
  w.U8(0x00);
  size_t n = types.size();
  std::string bitmap((n + 7 + 2) / 8, '\0');
  for (size_t i = 0; i < n; i++) {
    if (i >= row.size() || !row[i]) bitmap[(i + 2) / 8] |= static_cast<char>(1 << ((i + 2) % 8));
  }
  w.Raw(bitmap);
  for (size_t i = 0; i < n && i < row.size(); i++) {
    if (row[i]) PutValue(w, types[i], *row[i]);
  }
  return w.Take();
}

}  // namespace strata::server::mysql

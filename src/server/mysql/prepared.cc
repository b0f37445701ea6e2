#include "server/mysql/prepared.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "server/mysql/wire.h"

namespace strata::server::mysql {

namespace {

// Skips a quoted run starting at sql[i] == quote; returns the index after
// the closing quote (or the end). Backslash escapes in '...' and "...".
size_t SkipQuoted(std::string_view sql, size_t i, char quote) {
  for (i++; i < sql.size(); i++) {
    if (sql[i] == '\\' && quote != '`') {
      i++;
      continue;
    }
    if (sql[i] == quote) return i + 1;
  }
  return sql.size();
}

size_t SkipToLineEnd(std::string_view sql, size_t i) {
  size_t nl = sql.find('\n', i);
  return nl == std::string_view::npos ? sql.size() : nl + 1;
}

bool IsLineCommentStart(std::string_view sql, size_t i) {
  if (sql[i] == '#') return true;
  return sql[i] == '-' && i + 1 < sql.size() && sql[i + 1] == '-' &&
         (i + 2 == sql.size() || static_cast<unsigned char>(sql[i + 2]) <= ' ');
}

}  // namespace

std::vector<size_t> FindPlaceholders(std::string_view sql) {
  std::vector<size_t> out;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      i = SkipQuoted(sql, i, c);
    } else if (IsLineCommentStart(sql, i)) {
      i = SkipToLineEnd(sql, i);
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      if (c == '?') out.push_back(i);
      i++;
    }
  }
  return out;
}

bool ReadStatementId(std::string_view body, uint32_t* id) { return WireReader(body).U32(id); }

std::string QuoteString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  for (char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\0') {
      out += "\\0";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

namespace {

// Binary-protocol type codes of parameters.
enum : uint8_t {
  kTDecimal = 0, kTTiny = 1, kTShort = 2, kTLong = 3, kTFloat = 4, kTDouble = 5, kTNull = 6, kTTimestamp = 7,
  kTLongLong = 8, kTInt24 = 9, kTDate = 10, kTTime = 11, kTDateTime = 12, kTYear = 13, kTNewDecimal = 246,
};

// A decimal's text is inlined only if it is a plain number.
bool IsNumericText(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  bool digit = false;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') digit = true;
    else if (!(c == '.' || ((c == '-' || c == '+') && (i == 0 || s[i - 1] == 'e' || s[i - 1] == 'E')) ||
               c == 'e' || c == 'E'))
      return false;
  }
  return digit;
}

bool DecodeInteger(WireReader& r, int bytes, bool is_unsigned, std::string* out) {
  uint64_t v;
  if (!r.Fixed(bytes, &v)) return false;
  if (is_unsigned) {
    *out = std::to_string(v);
  } else {
    int shift = 64 - 8 * bytes;
    int64_t s = static_cast<int64_t>(v << shift) >> shift;  // sign-extend
    *out = std::to_string(s);
  }
  return true;
}

bool DecodeTemporal(WireReader& r, uint8_t type, std::string* out) {
  uint8_t len;
  if (!r.U8(&len)) return false;
  std::string_view b;
  if (!r.Bytes(len, &b)) return false;
  WireReader t(b);
  if (type == kTTime) {
    uint8_t neg = 0, h = 0, m = 0, s = 0;
    uint32_t days = 0, micro = 0;
    if (len >= 8 && !(t.U8(&neg) && t.U32(&days) && t.U8(&h) && t.U8(&m) && t.U8(&s))) return false;
    if (len >= 12 && !t.U32(&micro)) return false;
    uint64_t hours = static_cast<uint64_t>(days) * 24 + h;
    *out = fmt::format("'{}{:02}:{:02}:{:02}", neg ? "-" : "", hours, m, s);
    *out += micro ? fmt::format(".{:06}'", micro) : "'";
    return true;
  }
  uint16_t y = 0;
  uint8_t mo = 0, d = 0, h = 0, mi = 0, s = 0;
  uint32_t micro = 0;
  if (len >= 4 && !(t.U16(&y) && t.U8(&mo) && t.U8(&d))) return false;
  if (len >= 7 && !(t.U8(&h) && t.U8(&mi) && t.U8(&s))) return false;
  if (len >= 11 && !t.U32(&micro)) return false;
  *out = fmt::format("'{:04}-{:02}-{:02}", y, mo, d);
  if (type != kTDate || len > 4) *out += fmt::format(" {:02}:{:02}:{:02}", h, mi, s);
  if (micro) *out += fmt::format(".{:06}", micro);
  *out += "'";
  return true;
}

// One parameter value of `type` from `r` as a SQL literal.
bool DecodeValue(WireReader& r, uint16_t type_and_flag, std::string* out, std::string* why) {
  uint8_t type = static_cast<uint8_t>(type_and_flag & 0xFF);
  bool is_unsigned = (type_and_flag & 0x8000) != 0;
  switch (type) {
    case kTNull: *out = "NULL"; return true;
    case kTTiny: return DecodeInteger(r, 1, is_unsigned, out);
    case kTShort: case kTYear: return DecodeInteger(r, 2, is_unsigned, out);
    case kTLong: case kTInt24: return DecodeInteger(r, 4, is_unsigned, out);
    case kTLongLong: return DecodeInteger(r, 8, is_unsigned, out);
    case kTFloat: case kTDouble: {
      uint64_t bits;
      if (!r.Fixed(type == kTFloat ? 4 : 8, &bits)) return false;
      double d;
      if (type == kTFloat) {
        float f;
        uint32_t b32 = static_cast<uint32_t>(bits);
        std::memcpy(&f, &b32, 4);
        d = f;
        if (std::isfinite(f)) *out = fmt::format("{}", f);
      } else {
        std::memcpy(&d, &bits, 8);
        if (std::isfinite(d)) *out = fmt::format("{}", d);
      }
      if (!std::isfinite(d)) {
        *why = "a floating-point parameter is NaN or infinite";
        return false;
      }
      return true;
    }
    case kTDate: case kTDateTime: case kTTimestamp: case kTTime: return DecodeTemporal(r, type, out);
    default: {  // strings, blobs, decimals, enums, sets, JSON, bits, geometry
      std::string_view s;
      if (!r.LenencStr(&s)) return false;
      *out = (type == kTDecimal || type == kTNewDecimal) && IsNumericText(s) ? std::string(s) : QuoteString(s);
      return true;
    }
  }
}

// Reads the NULL bitmap and, if sent, the parameter types.
bool ReadParamHeader(WireReader& r, PreparedStatement* stmt, std::string_view* null_bitmap, std::string* why) {
  size_t n = stmt->num_params();
  uint8_t bound = 0;
  if (!r.Bytes((n + 7) / 8, null_bitmap) || !r.U8(&bound)) {
    *why = "COM_STMT_EXECUTE: truncated parameter header";
    return false;
  }
  if (bound == 1) {
    stmt->param_types.assign(n, 0);
    for (size_t i = 0; i < n; i++) {
      uint16_t t;
      if (!r.U16(&t)) {
        *why = "COM_STMT_EXECUTE: truncated parameter types";
        return false;
      }
      stmt->param_types[i] = t;
    }
  } else if (stmt->param_types.size() != n) {
    *why = "COM_STMT_EXECUTE: parameter types never sent";
    return false;
  }
  return true;
}

}  // namespace

bool DecodeExecuteParams(std::string_view body, PreparedStatement* stmt, std::vector<std::string>* literals,
                         std::string* why) {
  WireReader r(body);
  uint32_t id, iterations;
  uint8_t flags;
  if (!r.U32(&id) || !r.U8(&flags) || !r.U32(&iterations)) {
    *why = "COM_STMT_EXECUTE: truncated header";
    return false;
  }
  literals->clear();
  size_t n = stmt->num_params();
  if (n == 0) return true;
  std::string_view null_bitmap;
  if (!ReadParamHeader(r, stmt, &null_bitmap, why)) return false;
  stmt->long_data.resize(n);
  literals->resize(n);
  for (size_t i = 0; i < n; i++) {
    bool is_null = (static_cast<uint8_t>(null_bitmap[i / 8]) >> (i % 8)) & 1;
    if (stmt->long_data[i]) {
      (*literals)[i] = QuoteString(*stmt->long_data[i]);  // its value is not in the packet
    } else if (is_null) {
      (*literals)[i] = "NULL";
    } else if (!DecodeValue(r, stmt->param_types[i], &(*literals)[i], why)) {
      if (why->empty()) *why = fmt::format("COM_STMT_EXECUTE: malformed value of parameter {}", i + 1);
      return false;
    }
  }
  for (auto& d : stmt->long_data) d.reset();  // long data lives until the execute that uses it
  return true;
}

std::string SubstituteParams(std::string_view sql, const std::vector<size_t>& placeholders,
                             const std::vector<std::string>& literals) {
  std::string out;
  size_t prev = 0;
  for (size_t i = 0; i < placeholders.size() && i < literals.size(); i++) {
    out.append(sql.substr(prev, placeholders[i] - prev));
    // "1-?" with -5 must not become "1--5" (a comment to some lexers).
    if (!literals[i].empty() && literals[i][0] == '-') out.push_back(' ');
    out.append(literals[i]);
    prev = placeholders[i] + 1;
  }
  out.append(sql.substr(prev));
  return out;
}

}  // namespace strata::server::mysql

// Expression evaluation (value.h).
#include "sql/value.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {
namespace {

bool IsNumericType(ColumnType t) {
  return t == ColumnType::kTiny || t == ColumnType::kShort || t == ColumnType::kLong ||
         t == ColumnType::kLongLong || t == ColumnType::kFloat || t == ColumnType::kDouble ||
         t == ColumnType::kNewDecimal;
}

// Parses a number literal: integers that fit int64 stay integers.
Value NumberValue(const std::string& text) {
  bool integer = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (integer && text.size() <= 18) return Value::Int(std::stoll(text));
  try {
    return Value::Double(std::stod(text));
  } catch (const std::exception&) {
    return Value::String(text);
  }
}

// A string as a number, MySQL-style (leading numeric prefix, else 0).
std::optional<double> NumericPrefix(const std::string& s) {
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  return d;
}

std::string NowText(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

Value Arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null();
  if (a.type == Value::Type::kInt && b.type == Value::Type::kInt && op != "/") {
    __int128 x = a.i, y = b.i, r = 0;
    if (op == "+") r = x + y;
    if (op == "-") r = x - y;
    if (op == "*") r = x * y;
    if (op == "%" || op == "MOD" || op == "DIV") {
      if (y == 0) return Value::Null();
      r = op == "DIV" ? x / y : x % y;
    }
    if (r >= INT64_MIN && r <= INT64_MAX) return Value::Int(static_cast<int64_t>(r));
  }
  double x = a.ToDouble(), y = b.ToDouble();
  if (op == "+") return Value::Double(x + y);
  if (op == "-") return Value::Double(x - y);
  if (op == "*") return Value::Double(x * y);
  if (y == 0) return Value::Null();
  if (op == "/") return Value::Double(x / y);
  if (op == "DIV") return Value::Int(static_cast<int64_t>(x / y));
  return Value::Double(std::fmod(x, y));
}

Value Compare(const std::string& op, const Value& a, const Value& b) {
  if (op == "<=>") {
    if (a.is_null() || b.is_null()) return Value::Int(a.is_null() && b.is_null());
    return Value::Int(CompareValues(a, b) == 0);
  }
  if (a.is_null() || b.is_null()) return Value::Null();
  int c = CompareValues(a, b);
  bool r = op == "=" ? c == 0 : op == "!=" ? c != 0 : op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
  return Value::Int(r);
}

Value Logic(const std::string& op, const Expr& e, const EvalScope& scope) {
  Value a = Eval(*e.args[0], scope);
  if (op == "AND" && !a.is_null() && !IsTrue(a)) return Value::Int(0);
  if (op == "OR" && IsTrue(a)) return Value::Int(1);
  Value b = Eval(*e.args[1], scope);
  if (op == "AND") {
    if (!b.is_null() && !IsTrue(b)) return Value::Int(0);
    return a.is_null() || b.is_null() ? Value::Null() : Value::Int(1);
  }
  if (IsTrue(b)) return Value::Int(1);
  return a.is_null() || b.is_null() ? Value::Null() : Value::Int(0);
}

Value Function(const Expr& e, const EvalScope& scope) {
  const std::string& f = e.text;
  if (auto v = scope.SessionFunction(f)) return *v;
  std::vector<Value> args;
  for (const auto& a : e.args) {
    if (a->kind == Expr::Kind::kStar) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + f + "(*)' here");
    args.push_back(Eval(*a, scope));
  }
  auto arity = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi) {
      Fail(ER_WRONG_ARGUMENTS, "Incorrect parameter count in the call to native function '" + f + "'");
    }
  };
  if (f == "NOW" || f == "CURRENT_TIMESTAMP" || f == "LOCALTIME" || f == "LOCALTIMESTAMP" || f == "SYSDATE") {
    return Value::String(NowText("%Y-%m-%d %H:%M:%S"));
  }
  if (f == "CURDATE" || f == "CURRENT_DATE") return Value::String(NowText("%Y-%m-%d"));
  if (f == "CURTIME" || f == "CURRENT_TIME") return Value::String(NowText("%H:%M:%S"));
  if (f == "UNIX_TIMESTAMP" && args.empty()) return Value::Int(static_cast<int64_t>(std::time(nullptr)));
  if (f == "CONCAT") {
    std::string out;
    for (const auto& a : args) {
      if (a.is_null()) return Value::Null();
      out += a.ToText();
    }
    return Value::String(out);
  }
  if (f == "UPPER" || f == "UCASE" || f == "LOWER" || f == "LCASE" || f == "LENGTH" || f == "CHAR_LENGTH") {
    arity(1, 1);
    if (args[0].is_null()) return Value::Null();
    std::string s = args[0].ToText();
    if (f == "LENGTH" || f == "CHAR_LENGTH") return Value::Int(static_cast<int64_t>(s.size()));
    return Value::String(f == "UPPER" || f == "UCASE" ? UpperAscii(s) : LowerAscii(s));
  }
  if (f == "IFNULL" || f == "COALESCE") {
    if (f == "IFNULL") arity(2, 2);
    for (const auto& a : args) {
      if (!a.is_null()) return a;
    }
    return Value::Null();
  }
  if (f == "IF") {
    arity(3, 3);
    return IsTrue(args[0]) ? args[1] : args[2];
  }
  Fail(ER_SP_DOES_NOT_EXIST, "FUNCTION " + LowerAscii(f) + " does not exist");
}

}  // namespace

Value Value::FromCell(const std::optional<std::string>& cell, ColumnType type) {
  if (!cell) return Null();
  if (IsNumericType(type)) {
    Value v = NumberValue(*cell);
    if (v.type == Type::kDouble) v.s = *cell;  // prints as stored (DECIMAL keeps its scale)
    if (v.type != Type::kString) return v;
  }
  return String(*cell);
}

std::optional<std::string> Value::ToCell() const {
  if (is_null()) return std::nullopt;
  return ToText();
}

std::string Value::ToText() const {
  switch (type) {
    case Type::kNull: return "NULL";
    case Type::kInt: return std::to_string(i);
    case Type::kDouble: {
      if (!s.empty()) return s;
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.15g", d);
      return buf;
    }
    case Type::kString: return s;
  }
  return "";
}

double Value::ToDouble() const {
  if (type == Type::kInt) return static_cast<double>(i);
  if (type == Type::kDouble) return d;
  if (type == Type::kString) return NumericPrefix(s).value_or(0);
  return 0;
}

ColumnType Value::WireType() const {
  switch (type) {
    case Type::kNull: return ColumnType::kNull;
    case Type::kInt: return ColumnType::kLongLong;
    case Type::kDouble: return ColumnType::kDouble;
    case Type::kString: return ColumnType::kVarString;
  }
  return ColumnType::kVarString;
}

bool IsTrue(const Value& v) {
  if (v.is_null()) return false;
  return v.ToDouble() != 0;
}

int CompareValues(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : (a.is_null() ? -1 : 1);
  bool a_num = a.type != Value::Type::kString;
  bool b_num = b.type != Value::Type::kString;
  if (a_num || b_num) {
    if (a.type == Value::Type::kInt && b.type == Value::Type::kInt) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    double x = a.ToDouble(), y = b.ToDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  std::string x = LowerAscii(a.s), y = LowerAscii(b.s);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool LikeMatch(std::string_view text, std::string_view pattern) {
  // Iterative wildcard match with backtracking to the last '%' (linear-ish, no recursion).
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
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
      if ((!escaped && pc == '_') || lower(pc) == lower(text[t])) {
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

Value Eval(const Expr& e, const EvalScope& scope) {
  switch (e.kind) {
    case Expr::Kind::kString: return Value::String(e.text);
    case Expr::Kind::kNumber: return NumberValue(e.text);
    case Expr::Kind::kNull: return Value::Null();
    case Expr::Kind::kBool: return Value::Int(e.text == "1");
    case Expr::Kind::kColumn: return scope.Column(e.qualifier, e.text);
    case Expr::Kind::kSysVar: return scope.SysVar(e.qualifier, e.text);
    case Expr::Kind::kUserVar: return scope.UserVar(e.text);
    case Expr::Kind::kFunc: return Function(e, scope);
    case Expr::Kind::kStar: Fail(ER_PARSE_ERROR, "'*' is not valid here");
    case Expr::Kind::kNot: {
      Value v = Eval(*e.args[0], scope);
      return v.is_null() ? v : Value::Int(!IsTrue(v));
    }
    case Expr::Kind::kNeg: {
      Value v = Eval(*e.args[0], scope);
      if (v.type == Value::Type::kInt && v.i != INT64_MIN) return Value::Int(-v.i);
      return v.is_null() ? v : Value::Double(-v.ToDouble());
    }
    case Expr::Kind::kIsNull: return Value::Int(Eval(*e.args[0], scope).is_null() != e.negated);
    case Expr::Kind::kIn: {
      Value v = Eval(*e.args[0], scope);
      if (v.is_null()) return v;
      bool found = false;
      for (size_t i = 1; i < e.args.size() && !found; ++i) found = CompareValues(v, Eval(*e.args[i], scope)) == 0;
      return Value::Int(found != e.negated);
    }
    case Expr::Kind::kBinary: {
      const std::string& op = e.text;
      if (op == "AND" || op == "OR") return Logic(op, e, scope);
      Value a = Eval(*e.args[0], scope);
      Value b = Eval(*e.args[1], scope);
      if (op == "LIKE") return a.is_null() || b.is_null() ? Value::Null() : Value::Int(LikeMatch(a.ToText(), b.ToText()));
      if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%" || op == "DIV" || op == "MOD") {
        return Arithmetic(op, a, b);
      }
      return Compare(op, a, b);
    }
  }
  return Value::Null();
}

}  // namespace strata::sql

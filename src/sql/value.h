// Value: what expressions evaluate to (NULL, integer, double or string), and
// the evaluator for the expression subset the engine runs (SELECT without
// tables, SELECT over information_schema, SET, SHOW ... WHERE). Names
// (columns, variables, session functions) are resolved by an EvalScope.
// String comparisons are case-insensitive, like MySQL's default collation.
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/engine.h"

namespace strata::sql {

struct Value {
  enum class Type { kNull, kInt, kDouble, kString } type = Type::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;  // kString: the value; kDouble from a cell: its exact text

  static Value Null() { return {}; }
  static Value Int(int64_t v) { return Value{.type = Type::kInt, .i = v}; }
  static Value Double(double v) { return Value{.type = Type::kDouble, .d = v}; }
  static Value String(std::string v) { return Value{.type = Type::kString, .s = std::move(v)}; }
  // A typed value from result-set text: numbers for numeric column types.
  static Value FromCell(const std::optional<std::string>& cell, ColumnType type);

  bool is_null() const { return type == Type::kNull; }
  std::optional<std::string> ToCell() const;  // text protocol form; nullopt for NULL
  std::string ToText() const;                 // "NULL" for NULL
  double ToDouble() const;
  ColumnType WireType() const;
};

// Resolves names during evaluation; each method throws SqlException for
// unknown names.
class EvalScope {
 public:
  virtual ~EvalScope() = default;
  virtual Value Column(const std::string& qualifier, const std::string& name) const = 0;
  virtual Value SysVar(const std::string& scope, const std::string& name) const = 0;
  virtual Value UserVar(const std::string& name) const = 0;
  // Session functions (DATABASE(), USER(), ...); nullopt if `name` is not one.
  virtual std::optional<Value> SessionFunction(const std::string& name) const = 0;
};

Value Eval(const Expr& e, const EvalScope& scope);
bool IsTrue(const Value& v);
// MySQL LIKE: % and _ wildcards, '\' escapes, case-insensitive.
bool LikeMatch(std::string_view text, std::string_view pattern);
// -1 / 0 / 1; numbers numerically, otherwise case-insensitive text. NULLs sort first.
int CompareValues(const Value& a, const Value& b);

}  // namespace strata::sql

// System variables: the ones MySQL clients, drivers and BI tools read or set
// on connect, with MySQL/StarRocks defaults. Sessions hold their values as
// text; SELECT @@x answers integers as BIGINT, the rest as VARCHAR.
//
// Thread-safety: the table is immutable; functions are pure.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sql/value.h"

namespace strata::sql {

enum class VarType { kInt, kBool, kString };

struct VarDef {
  std::string_view name;  // lower case
  VarType type;
  std::string_view default_value;  // version / version_comment come from EngineOptions
  bool read_only = false;
};

std::span<const VarDef> AllVariables();
const VarDef* FindVariable(std::string_view lower_name);

// The stored text for `v` assigned to `def`, or ER_WRONG_VALUE_FOR_VAR.
std::string NormalizeVariable(const VarDef& def, const Value& v);
// SELECT @@x: integers and booleans as BIGINT.
Value VariableValue(const VarDef& def, const std::string& stored);
// SHOW VARIABLES: booleans as ON/OFF.
std::string VariableDisplay(const VarDef& def, const std::string& stored);

}  // namespace strata::sql

// System variable table and conversions (variables.h).
#include "sql/variables.h"

#include <algorithm>
#include <array>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {
namespace {

constexpr VarType I = VarType::kInt;
constexpr VarType B = VarType::kBool;
constexpr VarType S = VarType::kString;

// Sorted by name (SHOW VARIABLES lists them in this order).
constexpr std::array kVariables = {
    VarDef{"auto_increment_increment", I, "1"},
    VarDef{"auto_increment_offset", I, "1"},
    VarDef{"autocommit", B, "1"},
    VarDef{"character_set_client", S, "utf8mb4"},
    VarDef{"character_set_connection", S, "utf8mb4"},
    VarDef{"character_set_database", S, "utf8mb4"},
    VarDef{"character_set_filesystem", S, "binary"},
    VarDef{"character_set_results", S, "utf8mb4"},
    VarDef{"character_set_server", S, "utf8mb4"},
    VarDef{"character_set_system", S, "utf8", true},
    VarDef{"collation_connection", S, "utf8mb4_general_ci"},
    VarDef{"collation_database", S, "utf8mb4_general_ci"},
    VarDef{"collation_server", S, "utf8mb4_general_ci"},
    VarDef{"default_storage_engine", S, "OLAP"},
    VarDef{"default_week_format", I, "0"},
    VarDef{"div_precision_increment", I, "4"},
    VarDef{"exec_mem_limit", I, "2147483648"},
    VarDef{"foreign_key_checks", B, "1"},
    VarDef{"group_concat_max_len", I, "1024"},
    VarDef{"have_query_cache", S, "YES", true},
    VarDef{"init_connect", S, ""},
    VarDef{"interactive_timeout", I, "3600"},
    VarDef{"language", S, "/starrocks/share/english/", true},
    VarDef{"license", S, "Apache License 2.0", true},
    VarDef{"lower_case_table_names", I, "0", true},
    VarDef{"max_allowed_packet", I, "33554432"},
    VarDef{"max_execution_time", I, "3000000"},
    VarDef{"net_buffer_length", I, "16384"},
    VarDef{"net_read_timeout", I, "60"},
    VarDef{"net_write_timeout", I, "60"},
    VarDef{"performance_schema", B, "0"},
    VarDef{"query_cache_size", I, "1048576"},
    VarDef{"query_cache_type", I, "0"},
    VarDef{"query_timeout", I, "300"},
    VarDef{"resource_group", S, ""},
    VarDef{"session_track_schema", B, "1"},
    VarDef{"session_track_state_change", B, "0"},
    VarDef{"session_track_system_variables", S, ""},
    VarDef{"session_track_transaction_info", S, "OFF"},
    VarDef{"sql_auto_is_null", B, "0"},
    VarDef{"sql_dialect", S, "StarRocks"},
    VarDef{"sql_mode", S, "ONLY_FULL_GROUP_BY"},
    VarDef{"sql_quote_show_create", B, "1"},
    VarDef{"sql_safe_updates", B, "0"},
    VarDef{"sql_select_limit", I, "9223372036854775807"},
    VarDef{"storage_engine", S, "olap"},
    VarDef{"system_time_zone", S, "UTC", true},
    VarDef{"time_zone", S, "SYSTEM"},
    VarDef{"transaction_isolation", S, "REPEATABLE-READ"},
    VarDef{"transaction_read_only", B, "0"},
    VarDef{"tx_isolation", S, "REPEATABLE-READ"},
    VarDef{"tx_read_only", B, "0"},
    VarDef{"version", S, "", true},
    VarDef{"version_comment", S, "", true},
    VarDef{"version_compile_machine", S, "x86_64", true},
    VarDef{"version_compile_os", S, "Linux", true},
    VarDef{"wait_timeout", I, "28800"},
};

[[noreturn]] void WrongValue(const VarDef& def, const Value& v) {
  Fail(ER_WRONG_VALUE_FOR_VAR, "Variable '" + std::string(def.name) + "' can't be set to the value of '" + v.ToText() + "'");
}

}  // namespace

std::span<const VarDef> AllVariables() { return kVariables; }

const VarDef* FindVariable(std::string_view lower_name) {
  auto it = std::find_if(kVariables.begin(), kVariables.end(), [&](const VarDef& d) { return d.name == lower_name; });
  return it == kVariables.end() ? nullptr : &*it;
}

std::string NormalizeVariable(const VarDef& def, const Value& v) {
  switch (def.type) {
    case VarType::kBool: {
      std::string t = UpperAscii(v.ToText());
      if (t == "1" || t == "ON" || t == "TRUE") return "1";
      if (t == "0" || t == "OFF" || t == "FALSE") return "0";
      WrongValue(def, v);
    }
    case VarType::kInt: {
      if (v.type == Value::Type::kInt) return std::to_string(v.i);
      std::string t = v.ToText();
      bool digits = !t.empty() && t.size() <= 19 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) WrongValue(def, v);
      return t;
    }
    case VarType::kString:
      if (v.is_null()) {
        // character_set_results = NULL is what JDBC sends: "no conversion".
        if (def.name == "character_set_results") return "";
        WrongValue(def, v);
      }
      return v.ToText();
  }
  WrongValue(def, v);
}

Value VariableValue(const VarDef& def, const std::string& stored) {
  if (def.type == VarType::kString) {
    if (stored.empty() && def.name == "character_set_results") return Value::Null();
    return Value::String(stored);
  }
  try {
    return Value::Int(std::stoll(stored));
  } catch (const std::exception&) {
    return Value::String(stored);
  }
}

std::string VariableDisplay(const VarDef& def, const std::string& stored) {
  if (def.type == VarType::kBool) return stored == "1" ? "ON" : "OFF";
  return stored;
}

}  // namespace strata::sql

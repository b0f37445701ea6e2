// MySQL error codes the SQL engine answers with, and SqlException: the one
// exception type used inside sql/ for query-ending user errors. It is thrown
// anywhere below Session::Execute and caught there once (session.cc), where it
// becomes a SqlError (engine.h). Nothing throws across Execute.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "sql/engine.h"

namespace strata::sql {

// Codes as in MySQL's mysqld_error.h.
inline constexpr uint16_t ER_DB_CREATE_EXISTS = 1007;
inline constexpr uint16_t ER_DB_DROP_EXISTS = 1008;
inline constexpr uint16_t ER_DBACCESS_DENIED_ERROR = 1044;
inline constexpr uint16_t ER_ACCESS_DENIED_ERROR = 1045;
inline constexpr uint16_t ER_NO_DB_ERROR = 1046;
inline constexpr uint16_t ER_BAD_DB_ERROR = 1049;
inline constexpr uint16_t ER_TABLE_EXISTS_ERROR = 1050;
inline constexpr uint16_t ER_BAD_TABLE_ERROR = 1051;
inline constexpr uint16_t ER_BAD_FIELD_ERROR = 1054;
inline constexpr uint16_t ER_DUP_FIELDNAME = 1060;
inline constexpr uint16_t ER_PARSE_ERROR = 1064;
inline constexpr uint16_t ER_EMPTY_QUERY = 1065;
inline constexpr uint16_t ER_INVALID_DEFAULT = 1067;
inline constexpr uint16_t ER_KEY_COLUMN_DOES_NOT_EXITS = 1072;
inline constexpr uint16_t ER_TOO_BIG_FIELDLENGTH = 1074;
inline constexpr uint16_t ER_UNKNOWN_ERROR = 1105;
inline constexpr uint16_t ER_UNKNOWN_TABLE = 1109;
inline constexpr uint16_t ER_FIELD_SPECIFIED_TWICE = 1110;
inline constexpr uint16_t ER_PASSWORD_NO_MATCH = 1133;
inline constexpr uint16_t ER_WRONG_VALUE_COUNT_ON_ROW = 1136;
inline constexpr uint16_t ER_NONEXISTING_GRANT = 1141;
inline constexpr uint16_t ER_TABLEACCESS_DENIED_ERROR = 1142;
inline constexpr uint16_t ER_ILLEGAL_GRANT_FOR_TABLE = 1144;
inline constexpr uint16_t ER_NO_SUCH_TABLE = 1146;
inline constexpr uint16_t ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
inline constexpr uint16_t ER_WRONG_ARGUMENTS = 1210;
inline constexpr uint16_t ER_SPECIFIC_ACCESS_DENIED_ERROR = 1227;
inline constexpr uint16_t ER_WRONG_VALUE_FOR_VAR = 1231;
inline constexpr uint16_t ER_NOT_SUPPORTED_YET = 1235;
inline constexpr uint16_t ER_INCORRECT_GLOBAL_LOCAL_VAR = 1238;
inline constexpr uint16_t ER_SP_DOES_NOT_EXIST = 1305;
inline constexpr uint16_t ER_TRUNCATED_WRONG_VALUE_FOR_FIELD = 1366;
inline constexpr uint16_t ER_PASSWORD_FORMAT = 1372;
inline constexpr uint16_t ER_CANNOT_USER = 1396;
inline constexpr uint16_t ER_TOO_BIG_PRECISION = 1426;
inline constexpr uint16_t ER_M_BIGGER_THAN_D = 1427;
inline constexpr uint16_t ER_DROP_PARTITION_NON_EXISTENT = 1507;
inline constexpr uint16_t ER_SAME_NAME_PARTITION = 1517;
inline constexpr uint16_t ER_TOO_LONG_FIELD_COMMENT = 1629;
inline constexpr uint16_t ER_UNKNOWN_PARTITION = 1735;
inline constexpr uint16_t ER_UNKNOWN_AUTHID = 3523;
inline constexpr uint16_t ER_ROLE_NOT_GRANTED = 3530;
// The query engine's (query/).
inline constexpr uint16_t ER_NON_UNIQ_ERROR = 1052;
inline constexpr uint16_t ER_WRONG_FIELD_WITH_GROUP = 1055;
inline constexpr uint16_t ER_INVALID_GROUP_FUNC_USE = 1111;
inline constexpr uint16_t ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT = 1222;
inline constexpr uint16_t ER_OPERAND_COLUMNS = 1241;
inline constexpr uint16_t ER_SUBQUERY_NO_1_ROW = 1242;
inline constexpr uint16_t ER_DERIVED_MUST_HAVE_ALIAS = 1248;
inline constexpr uint16_t ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT = 1582;
inline constexpr uint16_t ER_CAPACITY_EXCEEDED = 3170;  // the query's memory bound (exec_mem_limit)
inline constexpr uint16_t ER_DATA_OUT_OF_RANGE = 1690;
inline constexpr uint16_t ER_QUERY_TIMEOUT = 3024;
// KILL.
inline constexpr uint16_t ER_NO_SUCH_THREAD = 1094;
inline constexpr uint16_t ER_KILL_DENIED_ERROR = 1095;
inline constexpr uint16_t ER_QUERY_INTERRUPTED = 1317;

// The SQLSTATE MySQL sends with `code` (mysqld_error.h / the MySQL 8.0 error
// reference); every code above is listed. Anything else is HY000.
inline const char* SqlStateOf(uint16_t code) {
  switch (code) {
    case ER_ACCESS_DENIED_ERROR:
      return "28000";
    case ER_NO_DB_ERROR:
      return "3D000";
    case ER_DBACCESS_DENIED_ERROR:
    case ER_BAD_DB_ERROR:
    case ER_PARSE_ERROR:
    case ER_EMPTY_QUERY:
    case ER_INVALID_DEFAULT:
    case ER_KEY_COLUMN_DOES_NOT_EXITS:
    case ER_TOO_BIG_FIELDLENGTH:
    case ER_PASSWORD_NO_MATCH:
    case ER_NONEXISTING_GRANT:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_ILLEGAL_GRANT_FOR_TABLE:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    case ER_WRONG_VALUE_FOR_VAR:
    case ER_NOT_SUPPORTED_YET:
    case ER_SP_DOES_NOT_EXIST:
    case ER_TOO_BIG_PRECISION:
    case ER_M_BIGGER_THAN_D:
    case ER_FIELD_SPECIFIED_TWICE:
      return "42000";
    case ER_WRONG_VALUE_COUNT_ON_ROW:
      return "21S01";
    case ER_QUERY_INTERRUPTED:
      return "70100";
    case ER_TABLE_EXISTS_ERROR:
      return "42S01";
    case ER_BAD_TABLE_ERROR:
    case ER_UNKNOWN_TABLE:
    case ER_NO_SUCH_TABLE:
      return "42S02";
    case ER_DUP_FIELDNAME:
      return "42S21";
    case ER_BAD_FIELD_ERROR:
      return "42S22";
    case ER_DB_CREATE_EXISTS:
    case ER_DB_DROP_EXISTS:
    case ER_UNKNOWN_ERROR:
    case ER_UNKNOWN_SYSTEM_VARIABLE:
    case ER_WRONG_ARGUMENTS:
    case ER_INCORRECT_GLOBAL_LOCAL_VAR:
    case ER_PASSWORD_FORMAT:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_CANNOT_USER:
    case ER_DROP_PARTITION_NON_EXISTENT:
    case ER_SAME_NAME_PARTITION:
    case ER_TOO_LONG_FIELD_COMMENT:
    case ER_UNKNOWN_PARTITION:
    case ER_UNKNOWN_AUTHID:
    case ER_ROLE_NOT_GRANTED:
    default:
      return "HY000";
  }
}

// A query-ending user error. Thrown only inside sql/.
class SqlException : public std::runtime_error {
 public:
  SqlException(uint16_t code, std::string message) : std::runtime_error(message), code_(code) {}
  uint16_t code() const { return code_; }
  SqlError ToError() const { return SqlError{code_, SqlStateOf(code_), what()}; }

 private:
  uint16_t code_;
};

[[noreturn]] inline void Fail(uint16_t code, std::string message) { throw SqlException(code, std::move(message)); }

}  // namespace strata::sql

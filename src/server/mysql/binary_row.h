// The binary result-set rows COM_STMT_EXECUTE answers with. The SQL engine
// produces text values; this converts them to each column's binary encoding
// (integers little-endian, FLOAT/DOUBLE IEEE, DATE/DATETIME as length-prefixed
// fields, DECIMAL and strings as length-encoded text).
//
// A column whose declared type does not fit its values (an integer column
// holding "abc", a date "2024-13") is sent as VAR_STRING instead — its
// definition says so too — rather than as wrong bytes.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "sql/engine.h"

namespace strata::server::mysql {

// The type each column is sent with in the binary protocol.
std::vector<sql::ColumnType> BinaryWireTypes(const sql::ResultSet& result_set);

// One binary row: 0x00, the NULL bitmap (offset 2), the non-NULL values.
// `types` comes from BinaryWireTypes over the same result set.
std::string BuildBinaryRow(const sql::Row& row, const std::vector<sql::ColumnType>& types);

}  // namespace strata::server::mysql

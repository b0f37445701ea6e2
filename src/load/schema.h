// Load schema: the storage column types of a catalog table, derived from the
// SQL type strings in meta::ColumnDef (docs/operations/stream-load-formats.md).
//
//   STRATA_ASSIGN_OR_RETURN(auto schema, load::TableSchema(table));
//   // schema[i].type.type is the storage::ColumnType of table.columns[i]
//
// Type mapping (case-insensitive; "(...)" arguments as the SQL layer stores them):
//   TINYINT SMALLINT INT|INTEGER BIGINT LARGEINT FLOAT DOUBLE BOOLEAN|BOOL DATE DATETIME
//   DECIMAL DECIMALV2 DECIMALV3 DECIMAL32 DECIMAL64 DECIMAL128 [(p[,s])]  default (10,0), s default 0
//   CHAR[(n)]     n bytes, default 1, at most 255
//   VARCHAR[(n)]  n bytes, default 1 (as StarRocks), at most 1048576
//   STRING        at most 65533 bytes (as StarRocks)
// JSON, BINARY and VARBINARY have no storage type yet: Unimplemented.
//
// Thread-safety: pure functions over value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "meta/catalog/model.h"
#include "storage/column_vector.h"

namespace strata::load {

inline constexpr uint32_t kCharLengthMaxBytes = 255;
inline constexpr uint32_t kVarcharLengthMaxBytes = 1048576;
inline constexpr uint32_t kStringLengthMaxBytes = 65533;
inline constexpr uint32_t kDecimalPrecisionMax = 38;

// A column's storage type plus the load-time limits the storage type does not carry.
struct TableColumnType {
  storage::ColumnType type;
  uint32_t max_length_bytes = 0;  // CHAR/VARCHAR/STRING: longest accepted value; 0 for other types
  bool operator==(const TableColumnType&) const = default;
};

// One table column as the loader sees it.
struct TableColumn {
  std::string name;
  TableColumnType type;
  std::optional<std::string> default_value;  // as in the catalog ("CURRENT_TIMESTAMP" for DATETIME)
  bool is_key = false;
};

// The type of one column. InvalidArgument for a malformed or unknown type string
// (naming the column), Unimplemented for a type without a storage representation.
Result<TableColumnType> ColumnTypeFromSql(const meta::ColumnDef& column);

// Every column of `table`, in table order. Errors as ColumnTypeFromSql.
Result<std::vector<TableColumn>> TableSchema(const meta::Table& table);

// The storage schema (names and types) of a load schema, for the data file writer.
std::vector<storage::ColumnSchema> StorageSchema(const std::vector<TableColumn>& schema);

// Index of the column named `name` (ASCII case-insensitive, as StarRocks column
// names are), or nullopt.
std::optional<size_t> FindColumn(const std::vector<TableColumn>& schema, std::string_view name);

// "BIGINT", "DECIMAL(10,2)", "VARCHAR(64)": the type for messages.
std::string TypeName(const TableColumnType& type);

}  // namespace strata::load

// Helpers shared by the load unit tests: column and table builders.
// Thread-safety: test-only; single thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "load/schema.h"
#include "meta/catalog/model.h"

namespace strata::load::testing {

// The load type of a SQL type string (CHECK-fails the test on error).
inline TableColumnType SqlType(const std::string& sql, bool nullable = true) {
  meta::ColumnDef def{.name = "c", .type = sql, .nullable = nullable};
  Result<TableColumnType> t = ColumnTypeFromSql(def);
  STRATA_CHECK(t.ok(), t.status().ToString());
  return *t;
}

inline meta::ColumnDef Col(std::string name, std::string type, bool nullable = true,
                           std::optional<std::string> default_value = std::nullopt, bool is_key = false) {
  return meta::ColumnDef{.name = std::move(name), .type = std::move(type), .nullable = nullable,
                         .default_value = std::move(default_value), .is_key = is_key};
}

inline std::vector<TableColumn> Schema(const std::vector<meta::ColumnDef>& defs) {
  meta::Table t{.name = "t", .columns = defs};
  Result<std::vector<TableColumn>> s = TableSchema(t);
  STRATA_CHECK(s.ok(), s.status().ToString());
  return *s;
}

}  // namespace strata::load::testing

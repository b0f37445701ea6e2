// SqlTableData: sql::TableData over the LoadCoordinator — INSERT rows go
// through the same typing and routing as stream load (strict: any bad value
// fails the statement and writes nothing), DELETE conditions are typed by
// their column, SELECT reads every visible row.
//
// Thread-safety: thread-safe (the coordinator is).
#pragma once

#include "server/load/load_coordinator.h"
#include "sql/table_data.h"

namespace strata::server {

class SqlTableData final : public sql::TableData {
 public:
  explicit SqlTableData(LoadCoordinator& coordinator) : coordinator_(coordinator) {}
  Result<sql::InsertOutcome> Insert(sql::InsertRequest request) override;
  Result<sql::InsertOutcome> Delete(sql::DeleteRequest request) override;
  Result<sql::ResultSet> Scan(const std::string& db, const std::string& table, size_t rows_max) override;

 private:
  LoadCoordinator& coordinator_;
};

// The MySQL wire type of a loaded column type.
sql::ColumnType WireType(const load::TableColumnType& type);

}  // namespace strata::server

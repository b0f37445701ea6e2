// SqlTableData: sql::TableData over the LoadCoordinator — INSERT rows go
// through the same typing and routing as stream load (strict: any bad value
// fails the statement and writes nothing), DELETE conditions are typed by
// their column. SELECT runs on the query engine (query/) over a
// query::TableSource that resolves tables from the catalog and reads tablet
// versions from the table's storage volume (on this FE, through the volume's
// object store).
//
// Thread-safety: thread-safe (the coordinator is; queries share nothing).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "query/query_engine.h"
#include "query/table_source.h"
#include "server/load/load_coordinator.h"
#include "sql/table_data.h"

namespace strata::server {

class SqlTableData final : public sql::TableData, public sql::SelectRunner, public query::TableSource {
 public:
  explicit SqlTableData(LoadCoordinator& coordinator) : coordinator_(coordinator) {}
  Result<sql::InsertOutcome> Insert(sql::InsertRequest request) override;
  Result<sql::InsertOutcome> Delete(sql::DeleteRequest request) override;
  Result<sql::ResultSet> Scan(const std::string& db, const std::string& table, size_t rows_max) override;
  sql::SelectRunner* select_runner() override { return this; }

  // sql::SelectRunner: the query engine over this cluster's tables.
  sql::ResultSet Select(const sql::SelectRequest& request) override;

  // query::TableSource: NotFound for an unknown table; FailedPrecondition for
  // a schema this build cannot read.
  Result<query::TableInfo> Resolve(const std::string& db, const std::string& table) override;
  Status ScanTablet(const query::TableInfo& table, const query::TabletRef& tablet,
                    const storage::TabletScanOptions& options, const storage::RowsetSink& sink) override;
  Status ScanTabletBatches(const query::TableInfo& table, const query::TabletRef& tablet,
                           const storage::TabletScanOptions& options, const storage::BatchSink& sink) override;
  // From the tablet version's metadata (read through the volume's store and
  // remembered by key: keys are never reused, DESIGN invariant 1); nullopt
  // when it has delete predicates or cannot be read.
  std::optional<uint64_t> TabletRowCount(const query::TableInfo& table, const query::TabletRef& tablet) override;
  // On the compute nodes through the tablet service; Unimplemented when
  // there are none (the engine runs the fragment in this FE).
  Status RunFragment(const query::FragmentCall& call, const std::function<bool(query::Chunk&&)>& sink) override;

 private:
  static constexpr size_t kRowCountCacheMax = 100'000;  // entries; cleared whole when full
  LoadCoordinator& coordinator_;
  std::mutex row_counts_mu_;
  std::unordered_map<std::string, std::optional<uint64_t>> row_counts_;  // meta key -> exact rows
};

// The MySQL wire type of a loaded column type.
sql::ColumnType WireType(const load::TableColumnType& type);

}  // namespace strata::server

// Test helpers for the query engine: MemTableSource, a TableSource over an
// in-memory object store holding real data files and tablet metadata (so
// scans, projection and row-group pruning run the storage code), and a
// session scope without variables.
// Thread-safety: test-only; scans may run concurrently, set-up may not.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "objstore/mem/mem_object_store.h"
#include "query/table_source.h"
#include "sql/engine.h"
#include "sql/value.h"

namespace strata::query::testing {

struct TestPartition {
  std::string name;
  std::vector<std::string> lower, upper;  // empty = unbounded
};

class MemTableSource : public TableSource {
 public:
  // Columns as "name TYPE" pairs in SQL type syntax ("k INT", "d DECIMAL(10,2)").
  void CreateTable(const std::string& db, const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& columns,
                   const std::vector<std::string>& partition_columns = {},
                   const std::vector<TestPartition>& partitions = {}, size_t tablets_per_partition = 1);
  // Loads `rows` (text cells, nullopt = NULL) into tablet `tablet` of
  // `partition` ("" = the first) as one data file with row groups of
  // `row_group_rows` rows.
  void Load(const std::string& db, const std::string& name, const std::vector<std::vector<std::optional<std::string>>>& rows,
            const std::string& partition = "", uint64_t row_group_rows = 64 * 1024, size_t tablet = 0);

  // Join ordering takes `column` as what identifies table `name`'s rows (TableInfo::leading_key).
  void SetLeadingKey(const std::string& db, const std::string& name, const std::string& column);
  // Declares table `name` distributed by `columns` (TableInfo::distribution_columns): the
  // caller loads every row with the same values of them, within a partition, into one tablet.
  void SetDistribution(const std::string& db, const std::string& name, const std::vector<std::string>& columns);

  Result<TableInfo> Resolve(const std::string& db, const std::string& table) override;
  std::optional<uint64_t> TabletRowCount(const TableInfo& table, const TabletRef& tablet) override;
  Status ScanTablet(const TableInfo& table, const TabletRef& tablet, const storage::TabletScanOptions& options,
                    const storage::RowsetSink& sink) override;
  Status ScanTabletBatches(const TableInfo& table, const TabletRef& tablet, const storage::TabletScanOptions& options,
                           const storage::BatchSink& sink) override;

  bool knows_row_counts = true;            // false: TabletRowCount says nullopt (join order by the text)
  std::atomic<uint64_t> rows_returned{0};   // rows the storage handed back (after row-group pruning)
  std::atomic<uint64_t> tablets_scanned{0};

 private:
  objstore::MemObjectStore store_;
  std::map<std::string, TableInfo> tables_;  // "db.table"
  uint64_t next_tablet_ = 1;
};

// Runs `text` over `source` with current database "db" and no session.
sql::ResultSet RunSql(TableSource* source, const std::string& text);
// A result's rows as "a|b|NULL" lines, sorted.
std::vector<std::string> SortedRows(const sql::ResultSet& rs);
// EXPLAIN `text`: the plan's lines, each ending in "\n".
std::string ExplainText(TableSource* source, const std::string& text);

// Variables and session functions are unknown; columns too.
class NoSession : public sql::EvalScope {
 public:
  sql::Value Column(const std::string&, const std::string& n) const override;
  sql::Value SysVar(const std::string&, const std::string& n) const override;
  sql::Value UserVar(const std::string&) const override { return sql::Value::Null(); }
  std::optional<sql::Value> SessionFunction(const std::string& n) const override;
};

}  // namespace strata::query::testing

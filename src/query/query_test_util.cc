#include "query/query_test_util.h"

#include <algorithm>

#include "common/check.h"
#include "load/schema.h"
#include "load/value_parse.h"
#include "query/query_engine.h"
#include "sql/parser.h"
#include "sql/mysql_errors.h"
#include "storage/tablet_meta.h"

namespace strata::query::testing {

void MemTableSource::CreateTable(const std::string& db, const std::string& name,
                                 const std::vector<std::pair<std::string, std::string>>& columns,
                                 const std::vector<std::string>& partition_columns,
                                 const std::vector<TestPartition>& partitions, size_t tablets_per_partition) {
  TableInfo t{.db = db, .name = name, .partition_columns = partition_columns};
  for (const auto& [col, type] : columns) {
    auto parsed = load::ColumnTypeFromSql(meta::ColumnDef{.name = col, .type = type});
    STRATA_CHECK(parsed.ok(), parsed.status().ToString());
    t.columns.push_back(storage::ColumnSchema{.name = col, .type = parsed->type});
  }
  std::vector<TestPartition> parts = partitions;
  if (parts.empty()) parts.push_back(TestPartition{.name = name});
  for (const auto& p : parts) {
    t.partitions.push_back(TablePartition{.name = p.name, .lower = p.lower, .upper = p.upper,
                                          .tablets = {}});
    for (size_t i = 0; i < tablets_per_partition; ++i) {
      t.partitions.back().tablets.push_back(TabletRef{.tablet_id = next_tablet_++});
    }
  }
  tables_[db + "." + name] = std::move(t);
}

void MemTableSource::Load(const std::string& db, const std::string& name,
                          const std::vector<std::vector<std::optional<std::string>>>& rows,
                          const std::string& partition, uint64_t row_group_rows, size_t tablet_index) {
  TableInfo& t = tables_.at(db + "." + name);
  std::vector<storage::ColumnVector> cols;
  for (const auto& c : t.columns) cols.emplace_back(c.type);
  for (const auto& row : rows) {
    STRATA_CHECK(row.size() == t.columns.size(), "row width");
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i]) {
        cols[i].AppendNull();
        continue;
      }
      auto v = load::ParseValue(load::TableColumnType{.type = t.columns[i].type, .max_length_bytes = 1 << 20}, *row[i]);
      STRATA_CHECK(v.ok(), v.status().ToString());
      load::AppendDatum(cols[i], std::move(*v));
    }
  }
  TablePartition* p = &t.partitions[0];
  for (auto& candidate : t.partitions) {
    if (candidate.name == partition) p = &candidate;
  }
  TabletRef& tablet = p->tablets.at(tablet_index);
  storage::TabletMeta base{.tablet_id = tablet.tablet_id};
  if (!tablet.meta_key.empty()) base = *storage::ReadTabletMeta(store_, tablet.meta_key, tablet.tablet_id);
  std::string txn = storage::NewTxnId();
  storage::DataFileWriterOptions options{.row_group_rows_max = row_group_rows};
  auto rowset = storage::WriteRowset(store_, "lin", tablet.tablet_id, txn, 0, t.columns, cols, options);
  STRATA_CHECK(rowset.ok(), rowset.status().ToString());
  storage::TabletMeta next = storage::NextTabletVersion(base, txn, t.columns, {*rowset}, {});
  std::string key = storage::TabletMetaKey("lin", tablet.tablet_id, next.version, txn);
  STRATA_CHECK(storage::PutTabletMeta(store_, key, next).ok(), "put tablet meta");
  tablet.meta_key = key;
}

Result<TableInfo> MemTableSource::Resolve(const std::string& db, const std::string& table) {
  auto it = tables_.find(db + "." + table);
  if (it == tables_.end()) return NotFound("table " + db + "." + table);
  return it->second;
}

void MemTableSource::SetLeadingKey(const std::string& db, const std::string& name, const std::string& column) {
  TableInfo& t = tables_.at(db + "." + name);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == column) t.leading_key = i;
  }
  STRATA_CHECK(t.leading_key.has_value(), "no column " + column);
}

void MemTableSource::SetDistribution(const std::string& db, const std::string& name,
                                     const std::vector<std::string>& columns) {
  TableInfo& t = tables_.at(db + "." + name);
  t.distribution_columns.clear();
  for (const auto& column : columns) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name == column) t.distribution_columns.push_back(i);
    }
  }
  STRATA_CHECK(t.distribution_columns.size() == columns.size(), "unknown distribution column");
}

std::optional<uint64_t> MemTableSource::TabletRowCount(const TableInfo&, const TabletRef& tablet) {
  if (!knows_row_counts) return std::nullopt;
  if (tablet.meta_key.empty()) return 0;
  auto meta = storage::ReadTabletMeta(store_, tablet.meta_key, tablet.tablet_id);
  if (!meta.ok() || !meta->deletes.empty()) return std::nullopt;
  return meta->num_rows();
}

Status MemTableSource::ScanTablet(const TableInfo& table, const TabletRef& tablet,
                                  const storage::TabletScanOptions& options, const storage::RowsetSink& sink) {
  ++tablets_scanned;
  STRATA_ASSIGN_OR_RETURN(storage::TabletMeta meta, storage::ReadTabletMeta(store_, tablet.meta_key, tablet.tablet_id));
  return storage::ScanTablet(store_, meta, options, [&](std::vector<storage::ColumnVector>&& cols) {
    rows_returned += cols.empty() ? 0 : cols[0].size();
    return sink(std::move(cols));
  });
}

Status MemTableSource::ScanTabletBatches(const TableInfo&, const TabletRef& tablet,
                                         const storage::TabletScanOptions& options, const storage::BatchSink& sink) {
  ++tablets_scanned;
  STRATA_ASSIGN_OR_RETURN(storage::TabletMeta meta, storage::ReadTabletMeta(store_, tablet.meta_key, tablet.tablet_id));
  return storage::ScanTabletBatches(store_, meta, options, [&](storage::ScanBatch& batch) {
    rows_returned += batch.columns() == 0 ? 0 : batch.rows();
    return sink(batch);
  });
}

sql::ResultSet RunSql(TableSource* source, const std::string& text) {
  sql::Statement st = sql::Parse(text);
  auto* select = std::get_if<sql::SelectStmt>(&st);
  STRATA_CHECK(select != nullptr, "not a SELECT: " + text);
  static const NoSession session;
  QueryEngine engine(source);
  return engine.Select(*select, SelectOptions{.current_db = "db", .session = &session});
}

std::vector<std::string> SortedRows(const sql::ResultSet& rs) {
  std::vector<std::string> out;
  for (const auto& row : rs.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ExplainText(TableSource* source, const std::string& text) {
  std::string out;
  for (const auto& row : RunSql(source, "EXPLAIN " + text).rows) out += row[0].value_or("") + "\n";
  return out;
}

sql::Value NoSession::Column(const std::string&, const std::string& n) const {
  sql::Fail(sql::ER_BAD_FIELD_ERROR, "Unknown column '" + n + "'");
}
sql::Value NoSession::SysVar(const std::string&, const std::string& n) const {
  if (n == "exec_mem_limit") return sql::Value::Int(1 << 30);
  sql::Fail(sql::ER_UNKNOWN_SYSTEM_VARIABLE, "Unknown system variable '" + n + "'");
}
std::optional<sql::Value> NoSession::SessionFunction(const std::string& n) const {
  if (n == "DATABASE") return sql::Value::String("db");
  return std::nullopt;
}

}  // namespace strata::query::testing

#include "server/load/sql_table_data.h"

#include <chrono>
#include <map>

#include "load/value_parse.h"
#include "query/fragment_codec.h"
#include "storage/tablet_meta.h"

namespace strata::server {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<storage::DeleteOp> DeleteOpOf(const std::string& op) {
  static const std::map<std::string, storage::DeleteOp> kOps = {
      {"=", storage::DeleteOp::kEq},          {"!=", storage::DeleteOp::kNe},
      {"<", storage::DeleteOp::kLt},          {"<=", storage::DeleteOp::kLe},
      {">", storage::DeleteOp::kGt},          {">=", storage::DeleteOp::kGe},
      {"IN", storage::DeleteOp::kIn},         {"NOT IN", storage::DeleteOp::kNotIn},
      {"IS NULL", storage::DeleteOp::kIsNull}, {"IS NOT NULL", storage::DeleteOp::kIsNotNull}};
  auto it = kOps.find(op);
  if (it == kOps.end()) return InvalidArgument("unsupported delete operator " + op);
  return it->second;
}

}  // namespace

sql::ColumnType WireType(const load::TableColumnType& type) {
  using D = storage::DataType;
  switch (type.type.type) {
    case D::kTinyInt: case D::kBoolean: return sql::ColumnType::kTiny;
    case D::kSmallInt: return sql::ColumnType::kShort;
    case D::kInt: return sql::ColumnType::kLong;
    case D::kBigInt: return sql::ColumnType::kLongLong;
    case D::kFloat: return sql::ColumnType::kFloat;
    case D::kDouble: return sql::ColumnType::kDouble;
    case D::kDecimal: return sql::ColumnType::kNewDecimal;
    case D::kDate: return sql::ColumnType::kDate;
    case D::kDateTime: return sql::ColumnType::kDateTime;
    default: return sql::ColumnType::kVarString;  // LARGEINT, CHAR, VARCHAR, STRING
  }
}

Result<sql::InsertOutcome> SqlTableData::Insert(sql::InsertRequest request) {
  STRATA_ASSIGN_OR_RETURN(DataTarget target, coordinator_.Resolve(request.db, request.table));
  load::BuilderOptions options{.columns = request.columns, .now_micros = NowMicros()};
  STRATA_ASSIGN_OR_RETURN(load::RowBatchBuilder builder, load::RowBatchBuilder::Make(target.schema, options));
  for (size_t r = 0; r < request.rows.size(); ++r) {
    load::SourceRow row{.record_number = r + 1, .line_number = r + 1};
    for (const auto& cell : request.rows[r]) {
      row.fields.push_back(load::SourceField{.text = cell ? std::string_view(*cell) : std::string_view(),
                                             .is_null = !cell.has_value()});
      row.size_bytes += cell ? cell->size() : 0;
    }
    builder.Add(row);
  }
  load::LoadBatch batch = builder.Finish();
  if (batch.rows_filtered > 0) {
    std::string first = batch.errors.empty() ? "a row was rejected" : batch.errors.front();
    return InvalidArgument("INSERT rejected " + std::to_string(batch.rows_filtered) + " row(s), nothing was written: " +
                           first);
  }
  STRATA_ASSIGN_OR_RETURN(LoadOutcome out, coordinator_.Load(target, std::move(batch), request.label, "insert", 0.0));
  return sql::InsertOutcome{.rows = out.rows_loaded, .label = out.label, .txn_id = out.txn_id,
                            .version = out.commit_version};
}

Result<sql::InsertOutcome> SqlTableData::Delete(sql::DeleteRequest request) {
  STRATA_ASSIGN_OR_RETURN(DataTarget target, coordinator_.Resolve(request.db, request.table));
  std::vector<storage::DeleteCondition> conditions;
  for (const auto& c : request.conditions) {
    auto index = load::FindColumn(target.schema, c.column);
    if (!index) return InvalidArgument("Unknown column '" + c.column + "' in delete condition");
    const load::TableColumn& col = target.schema[*index];
    STRATA_ASSIGN_OR_RETURN(storage::DeleteOp op, DeleteOpOf(c.op));
    storage::DeleteCondition cond{.column = col.name, .op = op};
    for (const auto& text : c.values) {
      auto v = load::ParseValue(col.type, text);
      if (!v.ok()) return v.status().WithContext("delete condition on column " + col.name);
      cond.values.push_back(std::move(*v));
    }
    conditions.push_back(std::move(cond));
  }
  STRATA_ASSIGN_OR_RETURN(LoadOutcome out, coordinator_.Delete(target, request.partitions, std::move(conditions), ""));
  return sql::InsertOutcome{.rows = 0, .label = out.label, .txn_id = out.txn_id, .version = out.commit_version};
}

Result<sql::ResultSet> SqlTableData::Scan(const std::string& db, const std::string& table, size_t rows_max) {
  STRATA_ASSIGN_OR_RETURN(DataTarget target, coordinator_.Resolve(db, table));
  sql::ResultSet rs;
  for (const auto& c : target.schema) {
    rs.columns.push_back(sql::ResultColumn{.name = c.name, .type = WireType(c.type), .table = table, .schema = db});
  }
  Status s = coordinator_.Scan(target, [&](std::vector<storage::ColumnVector>&& cols) -> Status {
    const size_t rows = cols.empty() ? 0 : cols[0].size();
    if (rs.rows.size() + rows > rows_max) {
      return ResourceExhausted("table " + table + " has more than " + std::to_string(rows_max) +
                               " rows; the full-scan engine cannot return it (the query engine can)");
    }
    for (size_t r = 0; r < rows; ++r) {
      sql::Row row;
      for (size_t c = 0; c < cols.size(); ++c) row.push_back(load::FormatValue(cols[c], target.schema[c].type, r));
      rs.rows.push_back(std::move(row));
    }
    return Status::OK();
  });
  STRATA_RETURN_IF_ERROR(s);
  return rs;
}

sql::ResultSet SqlTableData::Select(const sql::SelectRequest& request) {
  query::QueryEngine engine(this);
  query::SelectOptions options{.current_db = request.current_db, .session = request.session,
                               .memory_limit_bytes = request.memory_limit_bytes,
                               .check_interrupt = request.check_interrupt,
                               .stream = request.stream};
  return engine.Select(*request.stmt, options);
}

Result<query::TableInfo> SqlTableData::Resolve(const std::string& db, const std::string& table) {
  STRATA_ASSIGN_OR_RETURN(DataTarget target, coordinator_.Resolve(db, table));
  query::TableInfo info{.db = target.db, .name = target.table.name,
                        .partition_columns = target.table.partition_columns};
  for (const auto& c : target.schema) info.columns.push_back(storage::ColumnSchema{.name = c.name, .type = c.type.type});
  for (const auto& c : target.table.columns) {
    if (!c.is_key) continue;
    for (size_t i = 0; i < info.columns.size(); ++i) {
      if (info.columns[i].name == c.name) info.leading_key = i;
    }
    break;
  }
  for (const auto& name : target.table.distribution_columns) {
    for (size_t i = 0; i < info.columns.size(); ++i) {
      if (info.columns[i].name == name) info.distribution_columns.push_back(i);
    }
  }
  if (info.distribution_columns.size() != target.table.distribution_columns.size()) info.distribution_columns.clear();
  for (const auto& p : target.partitions) {
    query::TablePartition part{.name = p.name, .lower = p.lower, .upper = p.upper};
    for (size_t b = 0; b < p.tablet_ids.size(); ++b) {
      part.tablets.push_back(query::TabletRef{.tablet_id = p.tablet_ids[b],
                                              .meta_key = b < p.tablet_meta.size() ? p.tablet_meta[b] : ""});
    }
    info.partitions.push_back(std::move(part));
  }
  info.source_state = std::make_shared<const DataTarget>(std::move(target));
  return info;
}

Status SqlTableData::ScanTablet(const query::TableInfo& table, const query::TabletRef& tablet,
                                const storage::TabletScanOptions& options, const storage::RowsetSink& sink) {
  const auto* target = static_cast<const DataTarget*>(table.source_state.get());
  if (tablet.meta_key.empty()) return Status::OK();  // an empty tablet
  // Through the tablet service, so scans run on the compute node that owns the
  // tablet (its cache) and fail over like loads do.
  return coordinator_.ScanTablet(storage::ScanTabletRequest{.volume = target->volume, .tablet_id = tablet.tablet_id,
                                                            .meta_key = tablet.meta_key, .options = options},
                                 sink);
}

Status SqlTableData::ScanTabletBatches(const query::TableInfo& table, const query::TabletRef& tablet,
                                       const storage::TabletScanOptions& options, const storage::BatchSink& sink) {
  const auto* target = static_cast<const DataTarget*>(table.source_state.get());
  if (tablet.meta_key.empty()) return Status::OK();  // an empty tablet
  return coordinator_.ScanTabletBatches(
      storage::ScanTabletRequest{.volume = target->volume, .tablet_id = tablet.tablet_id, .meta_key = tablet.meta_key,
                                 .options = options},
      sink);
}

std::optional<uint64_t> SqlTableData::TabletRowCount(const query::TableInfo& table, const query::TabletRef& tablet) {
  if (tablet.meta_key.empty()) return 0;
  {
    std::lock_guard<std::mutex> lock(row_counts_mu_);
    auto it = row_counts_.find(tablet.meta_key);
    if (it != row_counts_.end()) return it->second;
  }
  const auto* target = static_cast<const DataTarget*>(table.source_state.get());
  auto store = coordinator_.Store(target->volume);
  if (!store.ok()) return std::nullopt;
  auto meta = storage::ReadTabletMeta(**store, tablet.meta_key, tablet.tablet_id);
  if (!meta.ok()) return std::nullopt;  // the scan will report it
  std::optional<uint64_t> rows;
  if (meta->deletes.empty()) rows = meta->num_rows();
  std::lock_guard<std::mutex> lock(row_counts_mu_);
  if (row_counts_.size() >= kRowCountCacheMax) row_counts_.clear();
  row_counts_.emplace(tablet.meta_key, rows);
  return rows;
}

Status SqlTableData::RunFragment(const query::FragmentCall& call, const std::function<bool(query::Chunk&&)>& sink) {
  const auto* target = static_cast<const DataTarget*>(call.table.source_state.get());
  STRATA_ASSIGN_OR_RETURN(std::string fragment, query::EncodeFragment(call.fragment));
  storage::FragmentRequest request{.volume = target->volume,
                                   .fragment = std::move(fragment),
                                   .memory_limit_bytes = call.memory_limit_bytes,
                                   .should_stop = call.should_stop};
  for (const auto& t : call.tablets) {
    request.tablets.push_back(storage::FragmentRequest::Tablet{.tablet_id = t.tablet_id, .meta_key = t.meta_key});
  }
  return coordinator_.RunFragment(request, [&](std::string&& bytes) -> Status {
    STRATA_ASSIGN_OR_RETURN(query::Chunk chunk, query::DecodeChunk(bytes));
    if (!sink(std::move(chunk))) return Aborted("the query needs no more rows");
    return Status::OK();
  });
}

}  // namespace strata::server

// SessionImpl: Execute (parse, dispatch, error conversion), USE, COM_FIELD_LIST,
// variables and session functions, and the shared result helpers.
#include <ctime>

#include "sql/mysql_errors.h"
#include "sql/parser.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"
#include "sql/variables.h"

namespace strata::sql {

ResultColumn Col(std::string name, ColumnType type) { return ResultColumn{.name = std::move(name), .type = type}; }

ResultSet MakeResultSet(std::initializer_list<std::string_view> names) {
  ResultSet rs;
  for (auto n : names) rs.columns.push_back(Col(std::string(n)));
  return rs;
}

ExecResult WithResultSet(ResultSet rs) {
  ExecResult r;
  r.has_result_set = true;
  r.result_set = std::move(rs);
  return r;
}

ExecResult Ok(uint64_t affected) {
  ExecResult r;
  r.affected_rows = affected;
  return r;
}

std::string FormatTimeMs(int64_t ms) {
  if (ms <= 0) return "";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

namespace {

// Resolves a result row's columns by name; everything else goes to `outer`.
class RowScope : public EvalScope {
 public:
  RowScope(const ResultSet& rs, const Row& row, const EvalScope& outer) : rs_(rs), row_(row), outer_(outer) {}
  Value Column(const std::string& qualifier, const std::string& name) const override {
    for (size_t i = 0; i < rs_.columns.size(); ++i) {
      if (LowerAscii(rs_.columns[i].name) == LowerAscii(name)) return Value::FromCell(row_[i], rs_.columns[i].type);
    }
    Fail(ER_BAD_FIELD_ERROR, "Unknown column '" + name + "' in 'where clause'");
  }
  Value SysVar(const std::string& s, const std::string& n) const override { return outer_.SysVar(s, n); }
  Value UserVar(const std::string& n) const override { return outer_.UserVar(n); }
  std::optional<Value> SessionFunction(const std::string& n) const override { return outer_.SessionFunction(n); }

 private:
  const ResultSet& rs_;
  const Row& row_;
  const EvalScope& outer_;
};

}  // namespace

void FilterRows(ResultSet& rs, const std::optional<std::string>& like, const Expr* where, const EvalScope& outer) {
  std::vector<Row> kept;
  for (auto& row : rs.rows) {
    if (like && (row.empty() || !row[0] || !LikeMatch(*row[0], *like))) continue;
    if (where != nullptr && !IsTrue(Eval(*where, RowScope(rs, row, outer)))) continue;
    kept.push_back(std::move(row));
  }
  rs.rows = std::move(kept);
}

SessionImpl::SessionImpl(EngineImpl* engine, meta::UserIdentity account, std::string database,
                         uint64_t connection_id)
    : engine_(engine), account_(std::move(account)), database_(std::move(database)), connection_id_(connection_id),
      control_(std::make_shared<SessionControl>()) {
  control_->connection_id = connection_id_;
  control_->account = account_;
  engine_->RegisterSession(control_);
}

SessionImpl::~SessionImpl() {
  SetKillHook(nullptr);
  engine_->UnregisterSession(connection_id_, control_.get());
}

void SessionImpl::SetKillHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(control_->hook_mu);
  control_->hook = std::move(hook);
}

void SessionImpl::CheckKilled(const SessionControl& control) {
  if (control.kill_query.load(std::memory_order_relaxed) || control.kill_connection.load(std::memory_order_relaxed)) {
    Fail(ER_QUERY_INTERRUPTED, "Query execution was interrupted");
  }
}

// MySQL: a user may kill its own connections; others' need a system
// privilege (here: root, or OPERATE as StarRocks). KILL QUERY of a session
// with nothing running does nothing (the flag is cleared when its next
// statement starts).
ExecResult SessionImpl::Run(const KillStmt& s) {
  std::shared_ptr<SessionControl> target = engine_->FindSession(s.connection_id);
  const std::string id = std::to_string(s.connection_id);
  if (target == nullptr) Fail(ER_NO_SUCH_THREAD, "Unknown thread id: " + id);
  if (!(target->account == account_)) {
    PrivilegeChecker checker = Checker(engine_->State());
    if (!checker.IsRoot() && !checker.Has("OPERATE", meta::ObjectType::kSystem, "")) {
      Fail(ER_KILL_DENIED_ERROR, "You are not owner of thread " + id);
    }
  }
  if (s.query_only) {
    if (target.get() != control_.get()) target->kill_query.store(true);
    return Ok();
  }
  target->kill_connection.store(true);
  {
    std::lock_guard<std::mutex> lock(target->hook_mu);
    if (target->hook && target.get() != control_.get()) target->hook();
  }
  if (target.get() == control_.get()) Fail(ER_QUERY_INTERRUPTED, "Query execution was interrupted");
  return Ok();
}

ExecOutcome SessionImpl::Execute(std::string_view sql) { return Execute(sql, nullptr); }

ExecOutcome SessionImpl::Execute(std::string_view sql, ResultStream* stream) {
  pending_warnings_.clear();
  control_->kill_query.store(false);  // a KILL QUERY ends the statement it meets, not the next one
  try {
    ExecOutcome out = ExecuteStatement(sql, stream);
    if (auto* r = std::get_if<ExecResult>(&out)) {
      r->warnings = static_cast<uint16_t>(std::min<size_t>(pending_warnings_.size(), UINT16_MAX));
    }
    return out;
  } catch (const SqlException& e) {
    warnings_ = {Warning{.level = "Error", .code = e.code(), .message = e.what()}};
    return e.ToError();
  } catch (const std::exception& e) {  // bad_alloc, out_of_range...: still an answer, never a crash
    warnings_ = {Warning{.level = "Error", .code = ER_UNKNOWN_ERROR, .message = e.what()}};
    return SqlError{ER_UNKNOWN_ERROR, "HY000", std::string("internal error: ") + e.what()};
  }
}

ExecOutcome SessionImpl::ExecuteStatement(std::string_view sql, ResultStream* stream) {
  Statement stmt = Parse(sql);
  auto* show = std::get_if<ShowStmt>(&stmt);
  bool keeps_warnings = show != nullptr && show->what == ShowStmt::What::kWarnings;
  // Only a top-level SELECT streams (never the SELECT of an INSERT ... SELECT).
  struct StreamScope {
    ResultStream*& slot;
    ~StreamScope() { slot = nullptr; }
  } scope{stream_};
  stream_ = std::holds_alternative<SelectStmt>(stmt) ? stream : nullptr;
  ExecResult r = std::visit([&](const auto& s) { return Run(s); }, stmt);
  if (!keeps_warnings) warnings_ = std::move(pending_warnings_);
  return r;
}

ExecOutcome SessionImpl::UseDatabase(std::string_view database) {
  try {
    return Run(UseStmt{.db = std::string(database)});
  } catch (const SqlException& e) {
    return e.ToError();
  }
}

ExecOutcome SessionImpl::FieldList(std::string_view table) {
  try {
    ShowStmt s{.what = ShowStmt::What::kColumns};
    s.table.table = std::string(table);
    meta::CatalogState st = engine_->State();
    ResultSet desc = ShowColumns(s, st);
    ResultSet out;
    for (const auto& row : desc.rows) {
      out.columns.push_back(ResultColumn{.name = row[0].value_or(""), .table = std::string(table), .schema = database_});
    }
    return WithResultSet(std::move(out));
  } catch (const SqlException& e) {
    return e.ToError();
  }
}

ExecResult SessionImpl::Run(const UseStmt& s) {
  if (s.db == kInfoSchema) {
    database_ = s.db;
    return Ok();
  }
  meta::CatalogState st = engine_->State();
  if (!st.database_ids.contains(s.db)) Fail(ER_BAD_DB_ERROR, "Unknown database '" + s.db + "'");
  PrivilegeChecker checker = Checker(st);
  if (!checker.HasAnyOnDatabase(s.db)) {
    Fail(ER_DBACCESS_DENIED_ERROR, "Access denied for user " + AccountText() + " to database '" + s.db + "'");
  }
  database_ = s.db;
  return Ok();
}

ExecResult SessionImpl::Run(const UnsupportedStmt& s) {
  if (s.table) {
    meta::CatalogState st = engine_->State();
    std::string db;
    const meta::Table& t = FindTable(st, *s.table, &db);
    Checker(st).RequireTable(s.privilege, s.privilege, db, t.name);
  }
  Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + s.what + "'");
}

ExecResult SessionImpl::Run(const TransactionStmt&) { return Ok(); }

std::string SessionImpl::ResolveDb(const std::string& db) const {
  if (!db.empty()) return db;
  if (database_.empty()) Fail(ER_NO_DB_ERROR, "No database selected");
  return database_;
}

const meta::Table& SessionImpl::FindTable(const meta::CatalogState& st, const TableName& name,
                                          std::string* db_out) const {
  std::string db = ResolveDb(name.db);
  auto db_it = st.database_ids.find(db);
  if (db_it == st.database_ids.end()) Fail(ER_BAD_DB_ERROR, "Unknown database '" + db + "'");
  const meta::Database& d = st.databases.at(db_it->second);
  auto t = d.table_ids.find(name.table);
  if (t == d.table_ids.end()) Fail(ER_NO_SUCH_TABLE, "Table '" + db + "." + name.table + "' doesn't exist");
  *db_out = db;
  return st.tables.at(t->second);
}

meta::CommitResult SessionImpl::Submit(meta::ChangeBody body, const StatusMapper& mapper) {
  auto r = engine_->writer().Submit(meta::Change{.body = std::move(body)});
  if (r.ok()) return *r;
  const Status& st = r.status();
  if (st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kDeadlineExceeded) {
    Fail(ER_UNKNOWN_ERROR, "the metadata service is unavailable, retry: " + st.message());
  }
  if (mapper) mapper(st);
  Fail(ER_UNKNOWN_ERROR, st.message());
}

void SessionImpl::AddNote(uint16_t code, std::string message) {
  pending_warnings_.push_back(Warning{.level = "Note", .code = code, .message = std::move(message)});
}

std::string SessionImpl::SessionVariable(const std::string& name) const {
  if (auto it = vars_.find(name); it != vars_.end()) return it->second;
  return engine_->GlobalVariable(name);
}

Value SessionImpl::Column(const std::string&, const std::string& name) const {
  Fail(ER_BAD_FIELD_ERROR, "Unknown column '" + name + "' in 'field list'");
}

Value SessionImpl::SysVar(const std::string& scope, const std::string& name) const {
  const VarDef* def = FindVariable(name);
  if (def == nullptr) Fail(ER_UNKNOWN_SYSTEM_VARIABLE, "Unknown system variable '" + name + "'");
  std::string v = scope == "global" ? engine_->GlobalVariable(name) : SessionVariable(name);
  return VariableValue(*def, v);
}

Value SessionImpl::UserVar(const std::string& name) const {
  auto it = user_vars_.find(name);
  return it == user_vars_.end() ? Value::Null() : it->second;
}

std::optional<Value> SessionImpl::SessionFunction(const std::string& name) const {
  if (name == "DATABASE" || name == "SCHEMA") return database_.empty() ? Value::Null() : Value::String(database_);
  if (name == "USER" || name == "SESSION_USER" || name == "SYSTEM_USER") {
    return Value::String(account_.name + "@" + account_.host);
  }
  if (name == "CURRENT_USER") return Value::String(AccountText());
  if (name == "VERSION") return Value::String(engine_->options().server_version);
  if (name == "CONNECTION_ID") return Value::Int(static_cast<int64_t>(connection_id_));
  if (name == "LAST_INSERT_ID") return Value::Int(0);
  if (name == "ROW_COUNT") return Value::Int(-1);
  if (name == "FOUND_ROWS") return Value::Int(0);
  if (name == "CURRENT_ROLE") return Value::String("NONE");
  return std::nullopt;
}

}  // namespace strata::sql

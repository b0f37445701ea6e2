// Executing SELECT and SET. A SELECT that reads user tables, or uses a
// clause the minimal evaluator here lacks (GROUP BY, DISTINCT, UNION, joins,
// subqueries, EXPLAIN), goes to the query engine (TableData::select_runner,
// query/) after the SELECT privilege is checked on every table it names;
// SELECT without tables and over information_schema run here.
#include <algorithm>
#include <chrono>
#include <map>

#include "sql/info_schema.h"
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"
#include "sql/variables.h"

namespace strata::sql {
namespace {

constexpr size_t kMaxResultRows = 1'000'000;

// Columns of the current row (if any); everything else goes to the session.
class SelectScope : public EvalScope {
 public:
  SelectScope(const ResultSet* rs, const Row* row, const EvalScope& outer) : rs_(rs), row_(row), outer_(outer) {}
  Value Column(const std::string& qualifier, const std::string& name) const override {
    if (rs_ != nullptr) {
      for (size_t i = 0; i < rs_->columns.size(); ++i) {
        if (LowerAscii(rs_->columns[i].name) == LowerAscii(name)) return Value::FromCell((*row_)[i], rs_->columns[i].type);
      }
    }
    Fail(ER_BAD_FIELD_ERROR, "Unknown column '" + name + "' in 'field list'");
  }
  Value SysVar(const std::string& s, const std::string& n) const override { return outer_.SysVar(s, n); }
  Value UserVar(const std::string& n) const override { return outer_.UserVar(n); }
  std::optional<Value> SessionFunction(const std::string& n) const override { return outer_.SessionFunction(n); }

 private:
  const ResultSet* rs_;
  const Row* row_;
  const EvalScope& outer_;
};

bool IsCount(const Expr& e) { return e.kind == Expr::Kind::kFunc && e.text == "COUNT"; }

// Output columns: * expands to the table's columns.
std::vector<ResultColumn> OutputColumns(const SelectStmt& s, const ResultSet* table) {
  std::vector<ResultColumn> out;
  for (const auto& item : s.items) {
    const Expr& e = *item.expr;
    bool star = e.kind == Expr::Kind::kStar || (e.kind == Expr::Kind::kColumn && e.text == "*");
    if (star) {
      if (table == nullptr) Fail(ER_NO_DB_ERROR, "No tables used");
      out.insert(out.end(), table->columns.begin(), table->columns.end());
      continue;
    }
    ResultColumn c{.name = !item.alias.empty() ? item.alias : e.kind == Expr::Kind::kColumn ? e.text : e.source};
    c.type = ColumnType::kVarString;
    if (table != nullptr && e.kind == Expr::Kind::kColumn) {
      for (const auto& tc : table->columns) {
        if (LowerAscii(tc.name) == LowerAscii(e.text)) c.type = tc.type, c.table = tc.table, c.schema = tc.schema;
      }
    }
    if (IsCount(e)) c.type = ColumnType::kLongLong;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Value> Project(const SelectStmt& s, const ResultSet* table, const Row* row, const EvalScope& scope) {
  std::vector<Value> out;
  for (const auto& item : s.items) {
    const Expr& e = *item.expr;
    if (e.kind == Expr::Kind::kStar || (e.kind == Expr::Kind::kColumn && e.text == "*")) {
      for (size_t i = 0; i < table->columns.size(); ++i) out.push_back(Value::FromCell((*row)[i], table->columns[i].type));
      continue;
    }
    out.push_back(Eval(e, scope));
  }
  return out;
}

Value SortKey(const OrderItem& o, const SelectStmt& s, const std::vector<ResultColumn>& cols,
              const std::vector<Value>& projected, const EvalScope& scope) {
  const Expr& e = *o.expr;
  if (e.kind == Expr::Kind::kNumber) {
    size_t n = std::strtoull(e.text.c_str(), nullptr, 10);
    if (n == 0 || n > projected.size()) Fail(ER_BAD_FIELD_ERROR, "Unknown column '" + e.text + "' in 'order clause'");
    return projected[n - 1];
  }
  if (e.kind == Expr::Kind::kColumn) {
    for (size_t i = 0; i < s.items.size() && i < cols.size(); ++i) {
      if (!s.items[i].alias.empty() && LowerAscii(s.items[i].alias) == LowerAscii(e.text)) return projected[i];
    }
  }
  return Eval(e, scope);
}

void CollectTables(const SelectStmt& s, std::vector<TableName>* out, bool* subquery);

void CollectTables(const Expr& e, std::vector<TableName>* out, bool* subquery) {
  if (e.subquery) {
    *subquery = true;
    CollectTables(*e.subquery, out, subquery);
  }
  for (const auto& a : e.args) {
    if (a) CollectTables(*a, out, subquery);
  }
}

void CollectTables(const TableRef& r, std::vector<TableName>* out, bool* subquery) {
  switch (r.kind) {
    case TableRef::Kind::kTable: out->push_back(r.name); break;
    case TableRef::Kind::kSubquery: *subquery = true, CollectTables(*r.subquery, out, subquery); break;
    case TableRef::Kind::kJoin:
      CollectTables(*r.left, out, subquery);
      CollectTables(*r.right, out, subquery);
      if (r.on) CollectTables(*r.on, out, subquery);
      break;
  }
}

// Every table a statement reads (FROM items, derived tables, subqueries,
// UNION branches); *subquery tells whether it has subqueries.
void CollectTables(const SelectStmt& s, std::vector<TableName>* out, bool* subquery) {
  if (s.from_ref) {
    CollectTables(*s.from_ref, out, subquery);
  } else if (s.from) {
    out->push_back(*s.from);
  }
  for (const auto& i : s.items) CollectTables(*i.expr, out, subquery);
  for (const auto* e : {s.where.get(), s.having.get()}) {
    if (e) CollectTables(*e, out, subquery);
  }
  for (const auto& g : s.group_by) CollectTables(*g, out, subquery);
  for (const auto& o : s.order_by) CollectTables(*o.expr, out, subquery);
  for (const auto& b : s.union_branches) CollectTables(*b, out, subquery);
}

bool HasAggregateOtherThanCount(const Expr& e) {
  if (e.kind == Expr::Kind::kFunc && (e.text == "SUM" || e.text == "MIN" || e.text == "MAX" || e.text == "AVG" ||
                                      (e.text == "COUNT" && e.distinct))) {
    return true;
  }
  return std::any_of(e.args.begin(), e.args.end(), [](const ExprPtr& a) { return a && HasAggregateOtherThanCount(*a); });
}

// Clauses only the query engine runs.
bool NeedsQueryEngine(const SelectStmt& s, bool subquery) {
  return subquery || s.distinct || !s.group_by.empty() || s.having || !s.union_branches.empty() || s.explain ||
         (s.from_ref && s.from_ref->kind != TableRef::Kind::kTable) ||
         std::any_of(s.items.begin(), s.items.end(), [](const SelectItem& i) { return HasAggregateOtherThanCount(*i.expr); });
}

uint64_t ParseU64(const std::string& text, uint64_t fallback) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  return end != text.c_str() && v > 0 ? v : fallback;
}

}  // namespace

ExecResult SessionImpl::RunQueryEngine(const SelectStmt& s, const std::vector<TableName>& tables) {
  meta::CatalogState st = engine_->State();
  for (const auto& name : tables) {
    std::string resolved;
    const meta::Table& t = FindTable(st, name, &resolved);
    Checker(st).RequireTable("SELECT", "SELECT", resolved, t.name);
  }
  TableData* data = engine_->options().table_data;
  SelectRunner* runner = data != nullptr ? data->select_runner() : nullptr;
  if (runner == nullptr) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'SELECT over tables' here");
  uint64_t timeout_s = ParseU64(SessionVariable("query_timeout"), 300);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  SelectRequest request{.stmt = &s, .current_db = database_, .session = this,
                        .memory_limit_bytes = ParseU64(SessionVariable("exec_mem_limit"), 2ull << 30),
                        .stream = stream_};
  stream_ = nullptr;  // one result set per statement
  request.check_interrupt = [deadline, timeout_s, control = control_] {
    CheckKilled(*control);
    if (std::chrono::steady_clock::now() > deadline) {
      Fail(ER_QUERY_TIMEOUT, "Query execution was interrupted, maximum statement execution time exceeded (query_timeout " +
                                 std::to_string(timeout_s) + " s)");
    }
  };
  return WithResultSet(runner->Select(request));
}

ExecResult SessionImpl::Run(const SelectStmt& s) {
  {
    std::vector<TableName> tables;
    bool subquery = false;
    CollectTables(s, &tables, &subquery);
    bool info_schema = false, user_table = false;
    for (const auto& t : tables) {
      bool is_info = LowerAscii(t.db.empty() ? database_ : t.db) == kInfoSchema;
      info_schema = info_schema || is_info;
      user_table = user_table || !is_info;
    }
    if (user_table || NeedsQueryEngine(s, subquery)) {
      if (info_schema) {
        Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'information_schema tables in joins, "
                                   "subqueries, UNION, GROUP BY or with user tables'");
      }
      return RunQueryEngine(s, tables);
    }
  }
  std::optional<ResultSet> table;
  if (s.from) {
    std::string db = ResolveDb(s.from->db);
    meta::CatalogState st = engine_->State();
    if (LowerAscii(db) != kInfoSchema) {
      std::string resolved;
      const meta::Table& t = FindTable(st, *s.from, &resolved);
      Checker(st).RequireTable("SELECT", "SELECT", resolved, t.name);
      if (engine_->options().table_data == nullptr) {
        Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'SELECT over tables' here");
      }
      // A full scan into rows: the minimal engine until the query engine lands.
      auto scanned = engine_->options().table_data->Scan(resolved, t.name, kMaxResultRows);
      if (!scanned.ok()) Fail(ER_UNKNOWN_ERROR, scanned.status().ToString());
      table = std::move(*scanned);
    } else {
      PrivilegeChecker checker = Checker(st);
      table = BuildInfoSchemaTable(
          LowerAscii(s.from->table),
          InfoSchemaContext{.state = st, .checker = checker, .cluster_id = engine_->options().cluster_id,
                            .point_in_time_window = engine_->options().point_in_time_window});
      if (!table) Fail(ER_UNKNOWN_TABLE, "Unknown table '" + s.from->table + "' in information_schema");
    }
  }
  const ResultSet* src = table ? &*table : nullptr;
  ResultSet out;
  out.columns = OutputColumns(s, src);
  bool aggregate = std::any_of(s.items.begin(), s.items.end(), [](const SelectItem& i) { return IsCount(*i.expr); });
  std::vector<std::pair<std::vector<Value>, std::vector<Value>>> rows;  // (projected, sort keys)
  Row empty_row;
  size_t input_rows = src ? src->rows.size() : 1;
  int64_t count = 0;
  for (size_t r = 0; r < input_rows; ++r) {
    const Row* row = src ? &src->rows[r] : &empty_row;
    SelectScope scope(src, row, *this);
    if (s.where && !IsTrue(Eval(*s.where, scope))) continue;
    ++count;
    if (aggregate) continue;
    std::vector<Value> projected = Project(s, src, row, scope);
    std::vector<Value> keys;
    for (const auto& o : s.order_by) keys.push_back(SortKey(o, s, out.columns, projected, scope));
    rows.emplace_back(std::move(projected), std::move(keys));
    if (rows.size() > kMaxResultRows) Fail(ER_UNKNOWN_ERROR, "result too large");
  }
  if (aggregate) {
    std::vector<Value> v;
    for (const auto& item : s.items) {
      if (!IsCount(*item.expr)) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'mixing COUNT with other columns'");
      v.push_back(Value::Int(count));
    }
    rows.emplace_back(std::move(v), std::vector<Value>{});
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    for (size_t i = 0; i < s.order_by.size(); ++i) {
      int c = CompareValues(a.second[i], b.second[i]);
      if (c != 0) return s.order_by[i].desc ? c > 0 : c < 0;
    }
    return false;
  });
  uint64_t limit = s.limit.value_or(UINT64_MAX);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i < s.offset) continue;
    if (out.rows.size() >= limit) break;
    Row r;
    for (const auto& v : rows[i].first) r.push_back(v.ToCell());
    out.rows.push_back(std::move(r));
  }
  if (!src) {  // without a table, the types come from the values
    for (size_t i = 0; i < out.columns.size() && !rows.empty(); ++i) out.columns[i].type = rows[0].first[i].WireType();
  }
  return WithResultSet(std::move(out));
}

ExecResult SessionImpl::Run(const SetStmt& s) {
  // Validate every assignment first: a failing SET changes nothing.
  struct Pending {
    bool global = false;
    bool user = false;
    std::string name;
    std::string text;
    Value value;
  };
  std::vector<Pending> todo;
  for (const auto& a : s.assignments) {
    using K = SetAssignment::Kind;
    if (a.kind == K::kNames) {
      for (const char* v : {"character_set_client", "character_set_connection", "character_set_results"}) {
        todo.push_back(Pending{.name = v, .text = a.name});
      }
      continue;
    }
    Value v = Eval(*a.value, *this);
    if (a.kind == K::kUser) {
      todo.push_back(Pending{.user = true, .name = a.name, .value = v});
      continue;
    }
    const VarDef* def = FindVariable(a.name);
    if (def == nullptr) Fail(ER_UNKNOWN_SYSTEM_VARIABLE, "Unknown system variable '" + a.name + "'");
    if (def->read_only) Fail(ER_INCORRECT_GLOBAL_LOCAL_VAR, "Variable '" + a.name + "' is a read only variable");
    bool global = a.scope == "global";
    if (global) Checker(engine_->State()).RequireSystem("OPERATE");
    std::string text = v.type == Value::Type::kString && UpperAscii(v.s) == "DEFAULT"
                           ? (global ? std::string(def->default_value) : engine_->GlobalVariable(a.name))
                           : NormalizeVariable(*def, v);
    if (a.name == "tx_isolation" || a.name == "transaction_isolation") {
      text = UpperAscii(text);
      std::replace(text.begin(), text.end(), ' ', '-');
      if (text != "READ-UNCOMMITTED" && text != "READ-COMMITTED" && text != "REPEATABLE-READ" &&
          text != "SERIALIZABLE") {
        Fail(ER_WRONG_VALUE_FOR_VAR, "Variable '" + a.name + "' can't be set to the value of '" + v.ToText() + "'");
      }
    }
    todo.push_back(Pending{.global = global, .name = a.name, .text = text});
    // Each of these has an alias that reads the same value.
    static const std::map<std::string, std::string> kAliases = {
        {"tx_isolation", "transaction_isolation"}, {"transaction_isolation", "tx_isolation"},
        {"tx_read_only", "transaction_read_only"}, {"transaction_read_only", "tx_read_only"}};
    if (auto alias = kAliases.find(a.name); alias != kAliases.end()) {
      todo.push_back(Pending{.global = global, .name = alias->second, .text = text});
    }
  }
  for (auto& p : todo) {
    if (p.user) {
      user_vars_[p.name] = std::move(p.value);
    } else if (p.global) {
      engine_->SetGlobalVariable(p.name, p.text);
    } else {
      vars_[p.name] = p.text;
    }
  }
  return Ok();
}

}  // namespace strata::sql

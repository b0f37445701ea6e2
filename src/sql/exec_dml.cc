// Executing INSERT and DELETE through TableData (table_data.h), and the
// mapping of their storage errors to MySQL error codes.
#include <algorithm>
#include <set>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"

namespace strata::sql {
namespace {

[[noreturn]] void FailData(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: Fail(ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, s.message());
    case StatusCode::kNotFound: Fail(ER_NO_SUCH_TABLE, s.message());
    default: Fail(ER_UNKNOWN_ERROR, s.ToString());
  }
}

TableData& Data(EngineImpl& engine, const std::string& what) {
  if (engine.options().table_data == nullptr) {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + what + "' here (no table data service)");
  }
  return *engine.options().table_data;
}

// A numeric literal's exact text (big integers and decimals must not pass
// through a double); nullopt for anything else.
std::optional<std::string> ExactNumber(const Expr& e) {
  if (e.kind == Expr::Kind::kNumber) return e.text;
  if (e.kind == Expr::Kind::kNeg && e.args.size() == 1 && e.args[0]->kind == Expr::Kind::kNumber) {
    return "-" + e.args[0]->text;
  }
  return std::nullopt;
}

std::optional<std::string> Cell(const Expr& e, const EvalScope& scope) {
  if (auto exact = ExactNumber(e)) return exact;
  return Eval(e, scope).ToCell();
}

bool IsLiteral(const Expr& e) {
  using K = Expr::Kind;
  if (e.kind == K::kNeg) return e.args.size() == 1 && e.args[0]->kind == K::kNumber;
  return e.kind == K::kString || e.kind == K::kNumber || e.kind == K::kBool;
}

void Flatten(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == Expr::Kind::kBinary && e.text == "AND") {
    Flatten(*e.args[0], out);
    Flatten(*e.args[1], out);
    return;
  }
  out->push_back(&e);
}

[[noreturn]] void BadCondition(const Expr& e) {
  Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'DELETE condition " + e.source +
                                 "' (conditions are column op constant, IN, IS [NOT] NULL, joined by AND)");
}

DeleteConditionText ToCondition(const Expr& e, const EvalScope& scope) {
  using K = Expr::Kind;
  DeleteConditionText c;
  if (e.args.empty() || e.args[0]->kind != K::kColumn) BadCondition(e);
  c.column = e.args[0]->text;
  if (e.kind == K::kIsNull) {
    c.op = e.negated ? "IS NOT NULL" : "IS NULL";
    return c;
  }
  static const std::set<std::string> kOps = {"=", "!=", "<>", "<", "<=", ">", ">="};
  if (e.kind == K::kBinary && kOps.contains(e.text) && IsLiteral(*e.args[1])) {
    c.op = e.text == "<>" ? "!=" : e.text;
    c.values.push_back(*Cell(*e.args[1], scope));
    return c;
  }
  if (e.kind == K::kIn) {
    c.op = e.negated ? "NOT IN" : "IN";
    for (size_t i = 1; i < e.args.size(); ++i) {
      if (!IsLiteral(*e.args[i])) BadCondition(e);
      c.values.push_back(*Cell(*e.args[i], scope));
    }
    return c;
  }
  BadCondition(e);
}

std::string InsertInfo(const InsertOutcome& r) {
  return "{'label':'" + r.label + "', 'status':'VISIBLE', 'txnId':'" + r.txn_id + "'}";
}

}  // namespace

ExecResult SessionImpl::Run(const InsertStmt& s) {
  meta::CatalogState st = engine_->State();
  std::string db;
  const meta::Table& t = FindTable(st, s.table, &db);
  Checker(st).RequireTable("INSERT", "INSERT", db, t.name);
  TableData& data = Data(*engine_, "INSERT");
  std::set<std::string> seen;
  for (const auto& c : s.columns) {
    bool known = std::any_of(t.columns.begin(), t.columns.end(),
                             [&](const meta::ColumnDef& d) { return LowerAscii(d.name) == LowerAscii(c); });
    if (!known) Fail(ER_BAD_FIELD_ERROR, "Unknown column '" + c + "' in 'field list'");
    if (!seen.insert(LowerAscii(c)).second) Fail(ER_FIELD_SPECIFIED_TWICE, "Column '" + c + "' specified twice");
  }
  const size_t width = s.columns.empty() ? t.columns.size() : s.columns.size();
  InsertRequest req{.db = db, .table = t.name, .label = s.label, .columns = s.columns};
  if (s.select) {
    ExecResult selected = Run(*s.select);
    if (selected.result_set.columns.size() != width) {
      Fail(ER_WRONG_VALUE_COUNT_ON_ROW, "Column count doesn't match value count at row 1");
    }
    req.rows = std::move(selected.result_set.rows);
  } else {
    for (size_t r = 0; r < s.values.size(); ++r) {
      if (s.values[r].size() != width) {
        Fail(ER_WRONG_VALUE_COUNT_ON_ROW, "Column count doesn't match value count at row " + std::to_string(r + 1));
      }
      Row row;
      for (const auto& e : s.values[r]) row.push_back(Cell(*e, *this));
      req.rows.push_back(std::move(row));
    }
  }
  auto r = data.Insert(std::move(req));
  if (!r.ok()) FailData(r.status());
  ExecResult out = Ok(r->rows);
  out.info = InsertInfo(*r);
  return out;
}

ExecResult SessionImpl::Run(const DeleteStmt& s) {
  meta::CatalogState st = engine_->State();
  std::string db;
  const meta::Table& t = FindTable(st, s.table, &db);
  Checker(st).RequireTable("DELETE", "DELETE", db, t.name);
  TableData& data = Data(*engine_, "DELETE");
  for (const auto& p : s.partitions) {
    if (!t.partition_ids.contains(p)) Fail(ER_UNKNOWN_PARTITION, "Unknown partition '" + p + "' in table '" + t.name + "'");
  }
  std::vector<const Expr*> conjuncts;
  Flatten(*s.where, &conjuncts);
  DeleteRequest req{.db = db, .table = t.name, .partitions = s.partitions};
  for (const Expr* e : conjuncts) req.conditions.push_back(ToCondition(*e, *this));
  auto r = data.Delete(std::move(req));
  if (!r.ok()) FailData(r.status());
  ExecResult out = Ok(0);
  out.info = InsertInfo(*r);
  return out;
}

}  // namespace strata::sql

// The binder: turns a parsed SELECT (sql/ast.h) into a physical plan
// (plan.h) over the tables a TableSource names. It resolves names (tables,
// aliases, columns; ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR, ER_NON_UNIQ_ERROR),
// types every expression and inserts the casts MySQL's rules imply, splits
// aggregation (GROUP BY, HAVING; ER_WRONG_FIELD_WITH_GROUP for a bare column
// that is not grouped), and plans joins (equi-join keys become hash keys),
// DISTINCT, ORDER BY (aliases, ordinals, hidden sort columns), LIMIT/OFFSET
// and UNION [ALL]. It pushes WHERE conjuncts down to the scans they read,
// where comparisons of a column with a constant prune partitions (by range)
// and row groups (by min/max), and marks the columns each scan must read.
//
// Uncorrelated subqueries (IN, EXISTS, scalar) run while binding, through
// BindContext::run_subquery; their results become constants. Correlated ones
// (naming a column of the enclosing query) in WHERE or in the select list of
// a query without aggregation become joins (subquery.cc): semi / anti /
// null-aware anti joins for [NOT] EXISTS and [NOT] IN conditions, mark joins
// for EXISTS / IN inside other expressions, and a join with a grouped
// aggregate for a scalar subquery with an aggregate (COUNT over no rows is
// 0). Other correlated forms fail with ER_NOT_SUPPORTED_YET. Comma-joined
// tables are joined in an order the WHERE equalities connect (join_order.cc).
//
// Errors: SqlException with MySQL codes. Thread-safety: one Binder per query.
#pragma once

#include <functional>
#include <string>

#include "query/plan.h"
#include "sql/ast.h"
#include "sql/value.h"

namespace strata::query {

struct SubqueryResult {
  std::vector<OutputColumn> columns;
  Chunk rows;
};

struct BindContext {
  TableSource* source = nullptr;
  std::string current_db;                      // "" -> ER_NO_DB_ERROR for unqualified tables
  const sql::EvalScope* session = nullptr;     // @@variables, @user variables, DATABASE(), USER() ...
  std::function<SubqueryResult(const sql::SelectStmt&)> run_subquery;
};

PlanPtr BindQuery(const sql::SelectStmt& stmt, BindContext& ctx);

// The WHERE conjuncts of a scan that prune partitions and row groups (exposed
// for tests): fills spec.partitions and spec.predicates from `conjuncts`
// (over the scan's output columns).
void PlanScanPruning(const std::vector<const BoundExpr*>& conjuncts, ScanSpec* spec);

}  // namespace strata::query

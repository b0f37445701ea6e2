// Internal to the binder: the Binder class, split across binder.cc (FROM,
// SELECT cores, aggregation, ORDER BY, UNION), bind_expr.cc (expressions)
// and pushdown.cc (moving WHERE conjuncts to the scans, join keys, pruning).
//
// Thread-safety: one Binder per query, one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/binder.h"

namespace strata::query {

// One column a name can resolve to.
struct ScopeColumn {
  std::string table;  // alias (or table name), lower case
  std::string name;   // as defined
  Type type;
  std::string origin_table;
  std::string origin_db;
  bool hidden = false;          // a USING column's right copy: only reachable qualified
  bool outer = false;           // an enclosing query's (a correlated reference): found only
                                // when no inner column has the name
  ScanSpec* scan = nullptr;     // the scan reading it, if any (to mark it read)
  size_t scan_column = 0;
};

struct Scope {
  std::vector<ScopeColumn> columns;
};

// Binding after aggregation: expressions refer to the aggregate's output
// (group keys, then aggregates).
struct AggBinding {
  const Scope* input = nullptr;
  std::vector<std::string> key_texts;  // canonical text of each GROUP BY expression
  std::vector<Type> key_types;
  std::vector<AggSpec> aggs;
  std::vector<std::string> agg_texts;
  // Select-list aliases usable in HAVING / ORDER BY: alias -> item expression.
  std::vector<std::pair<std::string, const sql::Expr*>> aliases;
};

class Binder {
 public:
  explicit Binder(BindContext& ctx) : ctx_(ctx) {}

  PlanPtr BindQuery(const sql::SelectStmt& s);

  // ---- expressions (bind_expr.cc)
  // Binds `e` over `scope`; with `agg`, over the aggregate's output instead
  // (group keys and aggregates; bare columns must be grouped).
  BoundExprPtr Bind(const sql::Expr& e, const Scope& scope, AggBinding* agg = nullptr);
  // Canonical text of an expression (columns by their resolved position) to
  // match GROUP BY expressions and repeated aggregates.
  std::string Canonical(const sql::Expr& e, const Scope& scope);
  static bool HasAggregate(const sql::Expr& e);

  // ---- WHERE and correlated subqueries (subquery.cc)
  // Binds the WHERE clause over `plan` (whose output `scope` describes) and
  // pushes its conjuncts down. A correlated [NOT] EXISTS or [NOT] IN conjunct
  // becomes a semi / anti / null-aware anti join with the subquery's FROM
  // (inside another expression: a mark join); a correlated scalar subquery
  // with an aggregate becomes a join with the aggregate grouped by the
  // correlation keys. Such joins append hidden columns to `scope` and to the
  // plan's output. Other correlated forms fail with ER_NOT_SUPPORTED_YET.
  PlanPtr BindWhere(const sql::Expr& where, PlanPtr plan, Scope* scope);
  // Joins the correlated subqueries of a select list (of a query without
  // aggregation) so that the items bind to their values.
  PlanPtr JoinSelectSubqueries(const std::vector<sql::SelectItem>& items, PlanPtr plan, Scope* scope);

 private:
  // A correlated subquery's FROM, bound, and its WHERE conjuncts split by
  // whether they name the enclosing query's columns.
  struct PreparedSubquery {
    PlanPtr plan;
    Scope scope;
    std::vector<const sql::Expr*> local, correlated;
    bool outer_elsewhere = false;  // the select list, GROUP BY or HAVING names outer columns
  };
  // The prepared form of `sub` if it refers to `outer`'s columns, else null
  // (kept in prepared_ until taken).
  PreparedSubquery* Prepare(const sql::SelectStmt& sub, const Scope& outer);
  std::unique_ptr<PreparedSubquery> TakePrepared(const sql::SelectStmt& sub);
  PlanPtr BindConjuncts(const std::vector<const sql::Expr*>& conjuncts, PlanPtr plan, Scope* scope);
  // A semi / anti join, or with `mark` a mark join whose column stands for
  // `e` (registered in substitutes_).
  PlanPtr JoinExistsOrIn(const sql::Expr& e, bool negated, bool mark, PlanPtr plan, Scope* scope);
  // Joins every correlated subquery inside `e` and registers the column
  // holding its value in substitutes_. `conjunct`: the WHERE conjunct `e` is
  // part of (outer rows it rejects may be dropped), null for a select item
  // (every outer row stays).
  PlanPtr JoinSubqueries(const sql::Expr& e, const sql::Expr* conjunct, PlanPtr plan, Scope* scope);
  PlanPtr JoinScalar(const sql::Expr& e, const sql::Expr* conjunct, PlanPtr plan, Scope* scope);
  PlanPtr JoinScalarRow(const sql::Expr& e, std::unique_ptr<PreparedSubquery> p, PlanPtr plan, Scope* scope);
  bool HasCorrelatedSubquery(const sql::Expr& e, const Scope& scope);

  PlanPtr BindSelectCore(const sql::SelectStmt& s, bool with_order_limit);
  PlanPtr BindFrom(const sql::TableRef& ref, Scope* scope);
  PlanPtr BindTable(const sql::TableRef& ref, Scope* scope);
  PlanPtr BindJoin(const sql::TableRef& ref, Scope* scope);
  PlanPtr BindUnion(const sql::SelectStmt& s);

  BoundExprPtr BindColumn(const sql::Expr& e, const Scope& scope, size_t* index_out = nullptr);
  BoundExprPtr BindFunction(const sql::Expr& e, const Scope& scope, AggBinding* agg);
  BoundExprPtr BindAggregate(const sql::Expr& e, const Scope& scope, AggBinding* agg);
  BoundExprPtr BindBinary(const sql::Expr& e, const Scope& scope, AggBinding* agg);
  BoundExprPtr BindSubquery(const sql::Expr& e, const Scope& scope, AggBinding* agg);
  BoundExprPtr BindLiteral(const sql::Expr& e);
  BoundExprPtr BindSession(const sql::Expr& e);

  BindContext& ctx_;
  std::map<const sql::SelectStmt*, std::unique_ptr<PreparedSubquery>> prepared_;
  // Expressions already computed by a join below (correlated scalar subqueries).
  std::vector<std::pair<const sql::Expr*, BoundExprPtr>> substitutes_;
};

// ---- helpers shared by the binder's files
BoundExprPtr MakeCompare(sql::Expr::Kind kind, const std::string& op, BoundExprPtr a, BoundExprPtr b);
BoundExprPtr MakeCompareOp(CmpOp op, BoundExprPtr a, BoundExprPtr b);
BoundExprPtr MakeAnd(BoundExprPtr a, BoundExprPtr b);  // a or b may be null
// Casts unless the values already have the representation `to` needs.
BoundExprPtr CastIfNeeded(BoundExprPtr e, const Type& to);
void SplitConjuncts(BoundExprPtr e, std::vector<BoundExprPtr>* out);
// Every column index `e` reads.
void ReferencedColumns(const BoundExpr& e, std::vector<size_t>* out);
// Adds `delta` to every column index of `e`.
void ShiftColumns(BoundExpr* e, int64_t delta);

// Places `conjuncts` (over `node`'s output columns) as low in the tree as
// they can go (pushdown.cc); returns the new root.
PlanPtr PushDownFilters(PlanPtr node, std::vector<BoundExprPtr> conjuncts);
// PushDownFilters for a WHERE clause (join_order.cc): first takes out of each
// OR the conjuncts all its branches share, then orders the tables under
// `plan`'s inner joins (comma joins, [INNER | CROSS] JOIN ... ON, whose
// conditions join the WHERE's): by estimated rows when `source` knows every table's size (the join
// that leaves the fewest rows first, the smaller side built), else in an
// order where WHERE equalities connect each table to the ones before it. The
// output keeps the written column order.
PlanPtr PlanConjuncts(PlanPtr plan, std::vector<BoundExprPtr> conjuncts, TableSource* source);

// A semi, anti or mark join keeps only the build columns its keys and
// residual read (subquery.cc).
void NarrowBuildSide(PlanNode* join);
// `inner` (a correlated aggregate subquery's rows, grouped later by
// `inner_keys`) semi-joined with the table of `outer` (the outer plan) that
// its `outer_keys` come from unchanged, when there is one and it is
// estimated smaller (key_transfer.cc); else `inner` as it is.
PlanPtr FilterByOuterKeys(PlanPtr inner, const std::vector<const BoundExpr*>& inner_keys, const PlanNode& outer,
                          const std::vector<const BoundExpr*>& outer_keys, TableSource* source);

// ---- row estimates for join ordering (join_estimate.cc); no column
// statistics: shares by the filter's shape, table sizes from tablet metadata.
// The share of rows a filter keeps (0..1).
double FilterShare(const BoundExpr& e);
// A scan's table rows (its partitions), nullopt when the source cannot tell.
std::optional<double> TableRows(const ScanSpec& spec, TableSource* source);
// The rows `n` produces, nullopt when some table's size is unknown.
std::optional<double> EstimateRows(const PlanNode& n, TableSource* source);
// True when both sides' rows are known and `a` is estimated to produce fewer
// than `b` (the side a hash join should build).
bool EstimatedSmaller(const PlanNode& a, const PlanNode& b, TableSource* source);
// The rows under `n`'s filters and projections (a table's size before its filters).
std::optional<double> BaseRows(const PlanNode& n, TableSource* source);
// An equi-join's rows when one side's key is unique (the smaller table's):
// each of the `fk_rows` finds a partner with the chance the unique side's
// filters left it, pk_rows / pk_base_rows.
double JoinedRows(double fk_rows, double pk_rows, double pk_base_rows);
// An equi-join's rows when neither side's key is known to be unique: each
// pair matches with an equality's share.
double ManyToManyRows(double x_rows, double y_rows);
// A hash join of left and right: equality conjuncts between the sides become
// keys, the rest the residual (pushdown.cc).
PlanPtr MakeJoin(PlanPtr left, PlanPtr right, PlanNode::JoinType type, std::vector<BoundExprPtr> on_conjuncts);
PlanPtr MakeFilter(PlanPtr child, BoundExprPtr predicate);
PlanPtr MakeProject(PlanPtr child, std::vector<BoundExprPtr> exprs, std::vector<OutputColumn> output);

}  // namespace strata::query

// WHERE clauses and correlated subqueries (binder_internal.h): a subquery
// that names a column of its enclosing query is not run while binding (as
// uncorrelated ones are, bind_expr.cc) but planned as a join:
//
//   [NOT] EXISTS (SELECT .. FROM t WHERE t.k = o.k AND ..)  -> semi / anti join on t.k = o.k
//   x [NOT] IN (SELECT y FROM t WHERE t.k = o.k)            -> semi / null-aware anti join
//   x < (SELECT AGG(..) FROM t WHERE t.k = o.k AND ..)      -> join with the aggregate of t
//                                                             grouped by t.k, on t.k = o.k
//   o.a > 1 OR EXISTS (..), SELECT x IN (..)                 -> mark join: every outer row,
//                                                             with EXISTS / IN's value
//
// The subquery's WHERE conjuncts that do not name outer columns filter its
// FROM (below the join); the correlated ones become the join's keys (the
// equalities) and residual. A scalar subquery's value over no rows is what
// its expression gives for an empty group (COUNT(*) is 0, SUM is NULL), so a
// LEFT join gives outer rows without a group that value (the "count bug");
// the join is inner only when a NULL value fails the WHERE condition anyway.
// Correlated subqueries may sit anywhere inside a WHERE condition, or in the
// select list of a query without GROUP BY or aggregates.
#include <algorithm>
#include <functional>
#include <set>

#include "common/check.h"
#include "query/binder_internal.h"
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::query {

using sql::Expr;
using sql::Fail;
using K = sql::Expr::Kind;

namespace {

[[noreturn]] void Unsupported(const std::string& what) {
  Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + what + "'");
}

void SplitAnd(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == K::kBinary && e.text == "AND") {
    SplitAnd(*e.args[0], out);
    SplitAnd(*e.args[1], out);
    return;
  }
  out->push_back(&e);
}

bool Resolves(const Expr& column, const Scope& scope) {
  std::string name = sql::LowerAscii(column.text), table = sql::LowerAscii(column.qualifier);
  return std::any_of(scope.columns.begin(), scope.columns.end(), [&](const ScopeColumn& c) {
    return sql::LowerAscii(c.name) == name && (table.empty() ? !c.hidden : c.table == table);
  });
}

// Does `e` name a column that `outer` has and `inner` lacks? Nested
// subqueries are not looked into (a reference two levels out stays unknown).
bool RefersOuter(const Expr& e, const Scope& inner, const Scope& outer) {
  if (e.kind == K::kColumn) return e.text != "*" && !Resolves(e, inner) && Resolves(e, outer);
  return std::any_of(e.args.begin(), e.args.end(),
                     [&](const sql::ExprPtr& a) { return a && RefersOuter(*a, inner, outer); });
}

bool RefersInner(const Expr& e, const Scope& inner) {
  if (e.kind == K::kColumn) return e.text != "*" && Resolves(e, inner);
  return std::any_of(e.args.begin(), e.args.end(), [&](const sql::ExprPtr& a) { return a && RefersInner(*a, inner); });
}

bool IsSubquery(const Expr& e) { return e.kind == K::kFunc && e.subquery != nullptr; }

// The outer columns (flagged) then the inner ones: a join's left ++ right.
Scope Combined(const Scope& outer, const Scope& inner) {
  Scope s = outer;
  for (auto& c : s.columns) c.outer = true;
  s.columns.insert(s.columns.end(), inner.columns.begin(), inner.columns.end());
  return s;
}

// A hidden scope column for each column a join appended to the plan.
void AppendHidden(const PlanNode& plan, size_t from, Scope* scope) {
  for (size_t i = from; i < plan.output.size(); ++i) {
    scope->columns.push_back(ScopeColumn{.table = "#subquery", .name = "#subquery" + std::to_string(i),
                                         .type = plan.output[i].type, .hidden = true});
  }
}

// Is `conjunct` false or NULL whenever `sub`'s value is NULL? True for a
// comparison whose operand reaches `sub` through arithmetic only.
bool NullRejects(const Expr& conjunct, const Expr* sub) {
  std::function<bool(const Expr&)> strict = [&](const Expr& e) {
    if (&e == sub) return true;
    static const std::set<std::string> kArith = {"+", "-", "*", "/", "DIV", "%", "MOD"};
    if (e.kind == K::kBinary && kArith.count(e.text) > 0) return strict(*e.args[0]) || strict(*e.args[1]);
    return e.kind == K::kNeg && strict(*e.args[0]);
  };
  static const std::set<std::string> kCompare = {"=", "!=", "<", "<=", ">", ">="};
  return conjunct.kind == K::kBinary && kCompare.count(conjunct.text) > 0 &&
         (strict(*conjunct.args[0]) || strict(*conjunct.args[1]));
}

void RemapColumns(BoundExpr* e, size_t from, const std::vector<size_t>& to) {
  if (e->op == ExprOp::kColumn && e->column >= from) e->column = from + to[e->column - from];
  for (auto& a : e->args) RemapColumns(a.get(), from, to);
}

}  // namespace

// A semi, anti or mark join never outputs the right side's columns: the
// build side keeps only those its keys and residual read (a scan's output
// has every column of the table, the unread ones NULL).
void NarrowBuildSide(PlanNode* join) {
  const size_t lw = join->children[0]->output.size();
  const PlanNode& right = *join->children[1];
  std::vector<size_t> used;
  for (const auto& k : join->right_keys) ReferencedColumns(*k, &used);
  if (join->predicate) {
    std::vector<size_t> cols;
    ReferencedColumns(*join->predicate, &cols);
    for (size_t c : cols) {
      if (c >= lw) used.push_back(c - lw);
    }
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  if (used.size() == right.output.size()) return;
  std::vector<size_t> to(right.output.size(), 0);
  std::vector<BoundExprPtr> exprs;
  std::vector<OutputColumn> out;
  for (size_t i = 0; i < used.size(); ++i) {
    to[used[i]] = i;
    exprs.push_back(MakeColumnRef(used[i], right.output[used[i]].type, right.output[used[i]].name));
    out.push_back(right.output[used[i]]);
  }
  if (exprs.empty()) {  // keyless EXISTS: one constant column keeps the row count
    exprs.push_back(MakeConst(Type::Int(), Scalar::I64(1), "1"));
    out.push_back(OutputColumn{.name = "1", .type = Type::Int()});
  }
  for (auto& k : join->right_keys) RemapColumns(k.get(), 0, to);
  if (join->predicate) RemapColumns(join->predicate.get(), lw, to);
  join->children[1] = MakeProject(std::move(join->children[1]), std::move(exprs), std::move(out));
}

Binder::PreparedSubquery* Binder::Prepare(const sql::SelectStmt& sub, const Scope& outer) {
  if (auto it = prepared_.find(&sub); it != prepared_.end()) return it->second.get();
  if (!sub.union_branches.empty() || (!sub.from_ref && !sub.from)) return nullptr;
  auto p = std::make_unique<PreparedSubquery>();
  Binder inner(ctx_);
  if (sub.from_ref) {
    p->plan = inner.BindFrom(*sub.from_ref, &p->scope);
  } else {
    sql::TableRef ref;
    ref.name = *sub.from;
    p->plan = inner.BindTable(ref, &p->scope);
  }
  std::vector<const Expr*> conjuncts;
  if (sub.where) SplitAnd(*sub.where, &conjuncts);
  for (const Expr* c : conjuncts) {
    (RefersOuter(*c, p->scope, outer) ? p->correlated : p->local).push_back(c);
  }
  for (const auto& item : sub.items) p->outer_elsewhere = p->outer_elsewhere || RefersOuter(*item.expr, p->scope, outer);
  for (const auto& g : sub.group_by) p->outer_elsewhere = p->outer_elsewhere || RefersOuter(*g, p->scope, outer);
  if (sub.having) p->outer_elsewhere = p->outer_elsewhere || RefersOuter(*sub.having, p->scope, outer);
  if (p->correlated.empty() && !p->outer_elsewhere) return nullptr;
  PreparedSubquery* raw = p.get();
  prepared_[&sub] = std::move(p);
  return raw;
}

std::unique_ptr<Binder::PreparedSubquery> Binder::TakePrepared(const sql::SelectStmt& sub) {
  auto it = prepared_.find(&sub);
  STRATA_CHECK(it != prepared_.end());
  auto p = std::move(it->second);
  prepared_.erase(it);
  return p;
}

bool Binder::HasCorrelatedSubquery(const Expr& e, const Scope& scope) {
  if (IsSubquery(e)) return Prepare(*e.subquery, scope) != nullptr;
  return std::any_of(e.args.begin(), e.args.end(),
                     [&](const sql::ExprPtr& a) { return a && HasCorrelatedSubquery(*a, scope); });
}

PlanPtr Binder::BindWhere(const Expr& where, PlanPtr plan, Scope* scope) {
  std::vector<const Expr*> conjuncts;
  SplitAnd(where, &conjuncts);
  return BindConjuncts(conjuncts, std::move(plan), scope);
}

PlanPtr Binder::BindConjuncts(const std::vector<const Expr*>& conjuncts, PlanPtr plan, Scope* scope) {
  std::vector<BoundExprPtr> plain;
  std::vector<std::pair<const Expr*, bool>> semi;  // EXISTS / IN subquery, negated
  std::vector<const Expr*> joined;                  // conjuncts with other correlated subqueries
  for (const Expr* c : conjuncts) {
    const Expr* target = c;
    bool negated = false;
    while (target->kind == K::kNot) target = target->args[0].get(), negated = !negated;
    if (IsSubquery(*target) && target->text != "SUBQUERY" && Prepare(*target->subquery, *scope) != nullptr) {
      semi.emplace_back(target, negated != target->negated);
    } else if (HasCorrelatedSubquery(*c, *scope)) {
      joined.push_back(c);
    } else {
      SplitConjuncts(Bind(*c, *scope), &plain);
    }
  }
  plan = PlanConjuncts(std::move(plan), std::move(plain), ctx_.source);
  for (const auto& [e, negated] : semi) plan = JoinExistsOrIn(*e, negated, false, std::move(plan), scope);
  for (const Expr* c : joined) {
    plan = JoinSubqueries(*c, c, std::move(plan), scope);
    std::vector<BoundExprPtr> bound;
    SplitConjuncts(Bind(*c, *scope), &bound);
    plan = PushDownFilters(std::move(plan), std::move(bound));
  }
  return plan;
}

PlanPtr Binder::JoinExistsOrIn(const Expr& e, bool negated, bool mark, PlanPtr plan, Scope* scope) {
  const sql::SelectStmt& sub = *e.subquery;
  std::unique_ptr<PreparedSubquery> p = TakePrepared(sub);
  const bool in = e.text == "IN_SUBQUERY";
  const std::string what = in ? "IN" : "EXISTS";
  if (p->outer_elsewhere) Unsupported("outer columns in the select list, GROUP BY or HAVING of a correlated subquery");
  bool aggregated = !sub.group_by.empty() || sub.having ||
                    std::any_of(sub.items.begin(), sub.items.end(), [](const sql::SelectItem& i) { return HasAggregate(*i.expr); });
  if (aggregated) Unsupported("GROUP BY, HAVING or aggregates in a correlated " + what + " subquery");
  if (sub.limit || sub.offset > 0) Unsupported("LIMIT in a correlated " + what + " subquery");
  PlanPtr right = BindConjuncts(p->local, std::move(p->plan), &p->scope);
  const size_t lw = plan->output.size();
  Scope combined = Combined(*scope, p->scope);
  std::vector<BoundExprPtr> on;
  for (const Expr* c : p->correlated) SplitConjuncts(Bind(*c, combined), &on);
  BoundExprPtr probe, value;
  if (in) {
    if (sub.items.size() != 1 || sub.items[0].expr->kind == K::kStar) Fail(sql::ER_OPERAND_COLUMNS, "Operand should contain 1 column(s)");
    probe = Bind(*e.args[0], *scope);
    value = Bind(*sub.items[0].expr, p->scope);
    ShiftColumns(value.get(), static_cast<int64_t>(lw));
  }
  using JT = PlanNode::JoinType;
  JT type = mark ? (in ? JT::kMarkIn : JT::kMarkExists) : !negated ? JT::kSemi : in ? JT::kNullAwareAnti : JT::kAnti;
  const bool in_pair_last = type == JT::kNullAwareAnti || type == JT::kMarkIn;
  if (in && !in_pair_last) on.push_back(MakeCompareOp(CmpOp::kEq, std::move(probe), std::move(value)));
  PlanPtr join = MakeJoin(std::move(plan), std::move(right), type, std::move(on));
  if (in_pair_last) {  // the IN pair is the last key pair
    Type t = ComparisonType(probe->type, value->type);
    ShiftColumns(value.get(), -static_cast<int64_t>(lw));
    join->left_keys.push_back(MakeCast(std::move(probe), t));
    join->right_keys.push_back(MakeCast(std::move(value), t));
  }
  NarrowBuildSide(join.get());
  if ((type == JT::kSemi || type == JT::kAnti) && !join->left_keys.empty()) {
    join->build_left = EstimatedSmaller(*join->children[0], *join->children[1], ctx_.source);
  }
  if (mark) {  // the expression reads the mark column
    AppendHidden(*join, lw, scope);
    const std::string text = e.source.empty() ? "(subquery)" : e.source;
    BoundExprPtr m = MakeColumnRef(lw, Type::Int(), text);
    if (e.negated) {
      auto n = std::make_unique<BoundExpr>();
      n->op = ExprOp::kNot, n->type = Type::Int(), n->text = text;
      n->args.push_back(std::move(m));
      m = std::move(n);
    }
    substitutes_.emplace_back(&e, std::move(m));
  }
  return join;
}

PlanPtr Binder::JoinSelectSubqueries(const std::vector<sql::SelectItem>& items, PlanPtr plan, Scope* scope) {
  for (const auto& item : items) {
    if (HasCorrelatedSubquery(*item.expr, *scope)) plan = JoinSubqueries(*item.expr, nullptr, std::move(plan), scope);
  }
  return plan;
}

PlanPtr Binder::JoinSubqueries(const Expr& e, const Expr* conjunct, PlanPtr plan, Scope* scope) {
  if (IsSubquery(e)) {
    if (Prepare(*e.subquery, *scope) == nullptr) return plan;  // uncorrelated: runs while binding
    if (e.text == "SUBQUERY") return JoinScalar(e, conjunct, std::move(plan), scope);
    return JoinExistsOrIn(e, e.negated, true, std::move(plan), scope);
  }
  for (const auto& a : e.args) {
    if (a) plan = JoinSubqueries(*a, conjunct, std::move(plan), scope);
  }
  return plan;
}

// A scalar subquery without an aggregate: a LEFT join with its rows that
// fails when an outer row has two; the value is NULL when it has none.
PlanPtr Binder::JoinScalarRow(const Expr& e, std::unique_ptr<PreparedSubquery> p, PlanPtr plan, Scope* scope) {
  const sql::SelectStmt& sub = *e.subquery;
  PlanPtr right = BindConjuncts(p->local, std::move(p->plan), &p->scope);
  // Right: its columns, then a marker (NULL after the join: no row).
  const size_t rw = right->output.size();
  std::vector<BoundExprPtr> exprs;
  std::vector<OutputColumn> out = right->output;
  for (size_t i = 0; i < rw; ++i) exprs.push_back(MakeColumnRef(i, out[i].type, out[i].name));
  exprs.push_back(MakeConst(Type::Int(), Scalar::I64(1), "1"));
  out.push_back(OutputColumn{.name = "#matched", .type = Type::Int()});
  Scope inner = p->scope;
  inner.columns.push_back(ScopeColumn{.table = "#subquery", .name = "#matched", .type = Type::Int(), .hidden = true});
  right = MakeProject(std::move(right), std::move(exprs), std::move(out));
  const size_t lw = plan->output.size();
  Scope combined = Combined(*scope, inner);
  std::vector<BoundExprPtr> on;
  for (const Expr* c : p->correlated) SplitConjuncts(Bind(*c, combined), &on);
  BoundExprPtr value = Bind(*sub.items[0].expr, p->scope);
  ShiftColumns(value.get(), static_cast<int64_t>(lw));
  PlanPtr join = MakeJoin(std::move(plan), std::move(right), PlanNode::JoinType::kLeftSingle, std::move(on));
  AppendHidden(*join, lw, scope);
  // CASE WHEN #matched IS NULL THEN NULL ELSE value END
  const std::string text = e.source.empty() ? "(subquery)" : e.source;
  auto unmatched = std::make_unique<BoundExpr>();
  unmatched->op = ExprOp::kIsNull, unmatched->type = Type::Int(), unmatched->text = "#matched IS NULL";
  unmatched->args.push_back(MakeColumnRef(lw + rw, Type::Int(), "#matched"));
  auto c = std::make_unique<BoundExpr>();
  c->op = ExprOp::kCase, c->has_else = true, c->type = value->type, c->text = text;
  c->args.push_back(std::move(unmatched));
  c->args.push_back(MakeConst(value->type, Scalar::Null(), "NULL"));
  c->args.push_back(std::move(value));
  substitutes_.emplace_back(&e, std::move(c));
  return join;
}

PlanPtr Binder::JoinScalar(const Expr& e, const Expr* conjunct, PlanPtr plan, Scope* scope) {
  const sql::SelectStmt& sub = *e.subquery;
  std::unique_ptr<PreparedSubquery> p = TakePrepared(sub);
  if (p->outer_elsewhere) Unsupported("outer columns in the select list, GROUP BY or HAVING of a correlated subquery");
  if (sub.items.size() != 1 || sub.items[0].expr->kind == K::kStar) Fail(sql::ER_OPERAND_COLUMNS, "Operand should contain 1 column(s)");
  if (!sub.group_by.empty() || sub.having || sub.distinct || sub.limit || sub.offset > 0) {
    Unsupported("GROUP BY, HAVING, DISTINCT or LIMIT in a correlated scalar subquery");
  }
  if (!HasAggregate(*sub.items[0].expr)) return JoinScalarRow(e, std::move(p), std::move(plan), scope);
  // Group the subquery's rows by the inner side of each correlated equality.
  std::vector<const Expr*> inner_sides, outer_sides;
  for (const Expr* c : p->correlated) {
    bool eq = c->kind == K::kBinary && c->text == "=";
    for (int side = 0; eq && side < 2; ++side) {
      const Expr& a = *c->args[side];
      const Expr& b = *c->args[1 - side];
      if (!RefersOuter(a, p->scope, *scope) && RefersOuter(b, p->scope, *scope) && !RefersInner(b, p->scope)) {
        inner_sides.push_back(&a), outer_sides.push_back(&b);
        break;
      }
      if (side == 1) eq = false;
    }
    if (!eq) Unsupported("a correlated scalar subquery whose correlation is not an equality");
  }
  PlanPtr right = BindConjuncts(p->local, std::move(p->plan), &p->scope);
  AggBinding agg;
  agg.input = &p->scope;
  std::vector<BoundExprPtr> keys, outer_keys;
  for (const Expr* k : inner_sides) {
    keys.push_back(Bind(*k, p->scope));
    agg.key_texts.push_back(Canonical(*k, p->scope));
    agg.key_types.push_back(keys.back()->type);
  }
  {  // only the groups of keys the outer rows can hold are computed
    std::vector<const BoundExpr*> inner_raw, outer_raw;
    for (size_t i = 0; i < keys.size(); ++i) {
      outer_keys.push_back(Bind(*outer_sides[i], *scope));
      inner_raw.push_back(keys[i].get()), outer_raw.push_back(outer_keys[i].get());
    }
    right = FilterByOuterKeys(std::move(right), inner_raw, *plan, outer_raw, ctx_.source);
  }
  BoundExprPtr value = Bind(*sub.items[0].expr, p->scope, &agg);
  const size_t nkeys = keys.size();
  // The value over no rows: COUNTs 0, other aggregates NULL, keys NULL.
  Chunk empty_group{.rows = 1};
  for (size_t i = 0; i < nkeys; ++i) empty_group.columns.push_back(Column::Constant(agg.key_types[i], Scalar::Null(), 1));
  for (const auto& a : agg.aggs) {
    bool count = a.func == AggFunc::kCount || a.func == AggFunc::kCountStar;
    empty_group.columns.push_back(Column::Constant(a.type, count ? Scalar::I64(0) : Scalar::Null(), 1));
  }
  Scalar when_empty = Evaluate(*value, empty_group).At(0);

  auto a = std::make_unique<PlanNode>();
  a->kind = PlanNode::Kind::kAggregate;
  for (const auto& k : keys) a->output.push_back(OutputColumn{.name = k->text, .type = k->type});
  for (const auto& spec : agg.aggs) a->output.push_back(OutputColumn{.name = spec.text, .type = spec.type});
  a->group_keys = std::move(keys);
  a->aggs = std::move(agg.aggs);
  a->children.push_back(std::move(right));
  std::vector<BoundExprPtr> exprs;
  std::vector<OutputColumn> out;
  for (size_t i = 0; i < nkeys; ++i) {
    exprs.push_back(MakeColumnRef(i, a->output[i].type, a->output[i].name));
    out.push_back(a->output[i]);
  }
  const Type value_type = value->type;
  const std::string text = e.source.empty() ? "(subquery)" : e.source;
  out.push_back(OutputColumn{.name = text, .type = value_type});
  exprs.push_back(std::move(value));
  out.push_back(OutputColumn{.name = "#matched", .type = Type::Int()});
  exprs.push_back(MakeConst(Type::Int(), Scalar::I64(1), "1"));
  PlanPtr grouped = MakeProject(std::move(a), std::move(exprs), std::move(out));

  const size_t lw = plan->output.size();
  std::vector<BoundExprPtr> on;
  for (size_t i = 0; i < nkeys; ++i) {
    on.push_back(MakeCompareOp(CmpOp::kEq, Bind(*outer_sides[i], *scope),
                               MakeColumnRef(lw + i, grouped->output[i].type, grouped->output[i].name)));
  }
  using JT = PlanNode::JoinType;
  // Outer rows without a group see `when_empty`; an inner join drops them when that cannot pass.
  const bool inner = when_empty.null && conjunct != nullptr && NullRejects(*conjunct, &e);
  PlanPtr join = MakeJoin(std::move(plan), std::move(grouped), inner ? JT::kInner : JT::kLeft, std::move(on));
  AppendHidden(*join, lw, scope);
  BoundExprPtr column = MakeColumnRef(lw + nkeys, value_type, text);
  if (!when_empty.null) {  // CASE WHEN matched IS NULL THEN <value over no rows> ELSE value END
    auto unmatched = std::make_unique<BoundExpr>();
    unmatched->op = ExprOp::kIsNull, unmatched->type = Type::Int(), unmatched->text = "#matched IS NULL";
    unmatched->args.push_back(MakeColumnRef(lw + nkeys + 1, Type::Int(), "#matched"));
    auto c = std::make_unique<BoundExpr>();
    c->op = ExprOp::kCase, c->has_else = true, c->type = value_type, c->text = text;
    c->args.push_back(std::move(unmatched));
    c->args.push_back(MakeConst(value_type, when_empty, "(value over no rows)"));
    c->args.push_back(std::move(column));
    column = std::move(c);
  }
  substitutes_.emplace_back(&e, std::move(column));
  return join;
}

}  // namespace strata::query

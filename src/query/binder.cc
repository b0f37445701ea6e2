// The binder (binder.h): FROM items, SELECT cores, aggregation, ORDER BY,
// LIMIT and UNION. Expressions: bind_expr.cc; pushdown: pushdown.cc.
#include "query/binder.h"

#include <algorithm>

#include "query/binder_internal.h"
#include "query/functions.h"
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::query {

using sql::Expr;
using sql::Fail;
using K = sql::Expr::Kind;

namespace {

constexpr uint16_t ER_FIELD_IN_ORDER_NOT_SELECT = 3065;
constexpr size_t kJoinDepthMax = 64;

bool IsStar(const Expr& e) { return e.kind == K::kStar || (e.kind == K::kColumn && e.text == "*"); }

OutputColumn OutputOf(const ScopeColumn& c) {
  return OutputColumn{.name = c.name, .type = c.type, .table = c.origin_table, .schema = c.origin_db};
}

std::string ItemName(const sql::SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  if (item.expr->kind == K::kColumn) return item.expr->text;
  return item.expr->source.empty() ? item.expr->text : item.expr->source;
}

}  // namespace

PlanPtr MakeFilter(PlanPtr child, BoundExprPtr predicate) {
  auto n = std::make_unique<PlanNode>();
  n->kind = PlanNode::Kind::kFilter;
  n->output = child->output;
  n->predicate = std::move(predicate);
  n->children.push_back(std::move(child));
  return n;
}

PlanPtr MakeProject(PlanPtr child, std::vector<BoundExprPtr> exprs, std::vector<OutputColumn> output) {
  auto n = std::make_unique<PlanNode>();
  n->kind = PlanNode::Kind::kProject;
  n->exprs = std::move(exprs);
  n->output = std::move(output);
  n->children.push_back(std::move(child));
  return n;
}

PlanPtr BindQuery(const sql::SelectStmt& stmt, BindContext& ctx) {
  Binder b(ctx);
  return b.BindQuery(stmt);
}

PlanPtr Binder::BindQuery(const sql::SelectStmt& s) {
  if (!s.union_branches.empty()) return BindUnion(s);
  return BindSelectCore(s, true);
}

// ---------------------------------------------------------------- FROM

PlanPtr Binder::BindTable(const sql::TableRef& ref, Scope* scope) {
  std::string db = ref.name.db.empty() ? ctx_.current_db : ref.name.db;
  if (db.empty()) Fail(sql::ER_NO_DB_ERROR, "No database selected");
  if (sql::LowerAscii(db) == "information_schema") {
    Fail(sql::ER_NOT_SUPPORTED_YET,
         "This version of Strata doesn't yet support 'information_schema tables in joins, subqueries or GROUP BY'");
  }
  auto info = ctx_.source->Resolve(db, ref.name.table);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      Fail(sql::ER_NO_SUCH_TABLE, "Table '" + db + "." + ref.name.table + "' doesn't exist");
    }
    Fail(sql::ER_UNKNOWN_ERROR, info.status().ToString());
  }
  auto n = std::make_unique<PlanNode>();
  n->kind = PlanNode::Kind::kScan;
  n->scan.table = std::move(*info);
  n->scan.alias = ref.alias.empty() ? ref.name.table : ref.alias;
  n->scan.read.assign(n->scan.table.columns.size(), false);
  for (size_t i = 0; i < n->scan.table.partitions.size(); ++i) n->scan.partitions.push_back(i);
  for (size_t i = 0; i < n->scan.table.columns.size(); ++i) {
    const auto& c = n->scan.table.columns[i];
    Type t = FromStorage(c.type);
    n->output.push_back(OutputColumn{.name = c.name, .type = t, .table = n->scan.alias, .schema = db});
    scope->columns.push_back(ScopeColumn{.table = sql::LowerAscii(n->scan.alias), .name = c.name, .type = t,
                                         .origin_table = n->scan.alias, .origin_db = db, .scan = &n->scan,
                                         .scan_column = i});
  }
  return n;
}

PlanPtr Binder::BindJoin(const sql::TableRef& ref, Scope* scope) {
  using JT = sql::TableRef::JoinType;
  Scope left_scope, right_scope;
  PlanPtr left = BindFrom(*ref.left, &left_scope);
  PlanPtr right = BindFrom(*ref.right, &right_scope);
  bool swapped = ref.join == JT::kRight;  // a RIGHT JOIN runs as a LEFT JOIN with the sides swapped
  Scope combined;
  const Scope& first = swapped ? right_scope : left_scope;
  const Scope& second = swapped ? left_scope : right_scope;
  combined.columns = first.columns;
  combined.columns.insert(combined.columns.end(), second.columns.begin(), second.columns.end());
  const size_t first_width = first.columns.size();
  std::vector<BoundExprPtr> conjuncts;
  for (const auto& name : ref.using_columns) {
    auto find = [&](const Scope& s, size_t base) -> size_t {
      for (size_t i = 0; i < s.columns.size(); ++i) {
        if (!s.columns[i].hidden && sql::LowerAscii(s.columns[i].name) == sql::LowerAscii(name)) return base + i;
      }
      Fail(sql::ER_BAD_FIELD_ERROR, "Unknown column '" + name + "' in 'from clause'");
    };
    size_t l = find(left_scope, swapped ? right_scope.columns.size() : 0);
    size_t r = find(right_scope, swapped ? 0 : first_width);
    for (size_t i : {l, r}) {
      if (combined.columns[i].scan) combined.columns[i].scan->read[combined.columns[i].scan_column] = true;
    }
    combined.columns[r].hidden = true;  // the right copy is only reachable qualified
    conjuncts.push_back(MakeCompareOp(CmpOp::kEq, MakeColumnRef(l, combined.columns[l].type, name),
                                      MakeColumnRef(r, combined.columns[r].type, name)));
  }
  if (ref.on) SplitConjuncts(Bind(*ref.on, combined), &conjuncts);
  PlanNode::JoinType type = ref.join == JT::kCross   ? PlanNode::JoinType::kCross
                            : ref.join == JT::kInner ? PlanNode::JoinType::kInner
                                                     : PlanNode::JoinType::kLeft;
  PlanPtr join = swapped ? MakeJoin(std::move(right), std::move(left), type, std::move(conjuncts))
                         : MakeJoin(std::move(left), std::move(right), type, std::move(conjuncts));
  if (join->join == PlanNode::JoinType::kLeft && !join->left_keys.empty()) {  // the smaller side is built
    join->build_left = EstimatedSmaller(*join->children[0], *join->children[1], ctx_.source);
  }
  if (!swapped) {
    *scope = std::move(combined);
    return join;
  }
  // Back to the written order: the left item's columns, then the right's.
  std::vector<BoundExprPtr> exprs;
  std::vector<OutputColumn> output;
  const size_t rw = right_scope.columns.size();
  for (size_t i = 0; i < left_scope.columns.size(); ++i) {
    exprs.push_back(MakeColumnRef(rw + i, join->output[rw + i].type, left_scope.columns[i].name));
    output.push_back(join->output[rw + i]);
  }
  for (size_t i = 0; i < rw; ++i) {
    exprs.push_back(MakeColumnRef(i, join->output[i].type, right_scope.columns[i].name));
    output.push_back(join->output[i]);
  }
  scope->columns = left_scope.columns;
  scope->columns.insert(scope->columns.end(), right_scope.columns.begin(), right_scope.columns.end());
  for (auto& c : scope->columns) c.hidden = false;
  for (size_t i = 0; i < combined.columns.size(); ++i) {
    if (!combined.columns[i].hidden) continue;
    size_t written = i < rw ? left_scope.columns.size() + i : i - rw;
    scope->columns[written].hidden = true;
  }
  return MakeProject(std::move(join), std::move(exprs), std::move(output));
}

PlanPtr Binder::BindFrom(const sql::TableRef& ref, Scope* scope) {
  static thread_local size_t depth = 0;
  if (depth >= kJoinDepthMax) Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support joins this deep");
  struct DepthScope {
    DepthScope() { ++depth; }
    ~DepthScope() { --depth; }
  } guard;
  switch (ref.kind) {
    case sql::TableRef::Kind::kTable: return BindTable(ref, scope);
    case sql::TableRef::Kind::kJoin: return BindJoin(ref, scope);
    case sql::TableRef::Kind::kSubquery: {
      Binder inner(ctx_);
      PlanPtr plan = inner.BindQuery(*ref.subquery);
      for (auto& c : plan->output) {
        scope->columns.push_back(ScopeColumn{.table = sql::LowerAscii(ref.alias), .name = c.name, .type = c.type,
                                             .origin_table = ref.alias, .origin_db = ""});
      }
      for (auto& c : plan->output) c.table = ref.alias, c.schema = "";
      return plan;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------- SELECT

PlanPtr Binder::BindSelectCore(const sql::SelectStmt& s, bool with_order_limit) {
  Scope scope;
  PlanPtr plan;
  if (s.from_ref) {
    plan = BindFrom(*s.from_ref, &scope);
  } else if (s.from) {
    sql::TableRef ref;
    ref.name = *s.from;
    plan = BindTable(ref, &scope);
  } else {
    plan = std::make_unique<PlanNode>();
    plan->kind = PlanNode::Kind::kOneRow;
  }
  if (s.where) {
    if (HasAggregate(*s.where)) Fail(sql::ER_INVALID_GROUP_FUNC_USE, "Invalid use of group function");
    plan = BindWhere(*s.where, std::move(plan), &scope);
  } else {
    plan = PlanConjuncts(std::move(plan), {}, ctx_.source);  // JOIN ... ON: ordered as the WHERE would be
  }

  // Aggregation.
  bool aggregated = !s.group_by.empty() || (s.having != nullptr) ||
                    std::any_of(s.items.begin(), s.items.end(), [](const sql::SelectItem& i) { return HasAggregate(*i.expr); }) ||
                    (with_order_limit && std::any_of(s.order_by.begin(), s.order_by.end(),
                                                     [](const sql::OrderItem& o) { return HasAggregate(*o.expr); }));
  AggBinding agg;
  agg.input = &scope;
  for (const auto& item : s.items) {
    if (!item.alias.empty()) agg.aliases.emplace_back(item.alias, item.expr.get());
  }
  std::vector<BoundExprPtr> group_keys;
  if (aggregated) {
    for (const auto& g : s.group_by) {
      const Expr* key = g.get();
      // GROUP BY 2 / GROUP BY alias refer to select items.
      if (g->kind == K::kNumber) {
        size_t n = std::strtoull(g->text.c_str(), nullptr, 10);
        if (n == 0 || n > s.items.size() || IsStar(*s.items[n - 1].expr)) {
          Fail(sql::ER_BAD_FIELD_ERROR, "Unknown column '" + g->text + "' in 'group statement'");
        }
        key = s.items[n - 1].expr.get();
      } else if (g->kind == K::kColumn && g->qualifier.empty()) {
        bool is_input = std::any_of(scope.columns.begin(), scope.columns.end(), [&](const ScopeColumn& c) {
          return sql::LowerAscii(c.name) == sql::LowerAscii(g->text);
        });
        for (const auto& [alias, item] : agg.aliases) {
          if (!is_input && sql::LowerAscii(alias) == sql::LowerAscii(g->text)) key = item;
        }
      }
      if (HasAggregate(*key)) Fail(sql::ER_INVALID_GROUP_FUNC_USE, "Can't group on '" + g->text + "'");
      BoundExprPtr bound = Bind(*key, scope);
      agg.key_texts.push_back(Canonical(*key, scope));
      agg.key_types.push_back(bound->type);
      group_keys.push_back(std::move(bound));
    }
  }
  AggBinding* post = aggregated ? &agg : nullptr;
  if (!aggregated) plan = JoinSelectSubqueries(s.items, std::move(plan), &scope);

  // Select list (aggregates register into `agg` as they are bound).
  std::vector<BoundExprPtr> exprs;
  std::vector<OutputColumn> output;
  std::vector<std::string> item_names;  // per output column: the name ORDER BY may use
  for (const auto& item : s.items) {
    const Expr& e = *item.expr;
    if (IsStar(e)) {
      if (aggregated) Fail(sql::ER_WRONG_FIELD_WITH_GROUP, "'*' isn't in GROUP BY");
      std::string table = sql::LowerAscii(e.qualifier);
      bool any = false;
      for (size_t i = 0; i < scope.columns.size(); ++i) {
        const ScopeColumn& c = scope.columns[i];
        if (table.empty() ? c.hidden : c.table != table) continue;
        if (c.scan) c.scan->read[c.scan_column] = true;
        exprs.push_back(MakeColumnRef(i, c.type, c.name));
        output.push_back(OutputOf(c));
        item_names.push_back(c.name);
        any = true;
      }
      if (!any) Fail(table.empty() ? sql::ER_NO_DB_ERROR : sql::ER_BAD_TABLE_ERROR,
                     table.empty() ? "No tables used" : "Unknown table '" + e.qualifier + "'");
      continue;
    }
    BoundExprPtr b = Bind(e, scope, post);
    OutputColumn col{.name = ItemName(item), .type = b->type};
    if (e.kind == K::kColumn && !aggregated) {
      size_t index = 0;
      BindColumn(e, scope, &index);
      col.table = scope.columns[index].origin_table, col.schema = scope.columns[index].origin_db;
    }
    output.push_back(col);
    item_names.push_back(col.name);
    exprs.push_back(std::move(b));
  }
  const size_t visible = exprs.size();

  BoundExprPtr having;
  if (s.having) having = Bind(*s.having, scope, post);

  // ORDER BY: output columns by ordinal or name, else expressions (hidden columns).
  std::vector<SortKey> sort_keys;
  if (with_order_limit) {
    for (const auto& o : s.order_by) {
      const Expr& e = *o.expr;
      std::optional<size_t> column;
      if (e.kind == K::kNumber) {
        size_t n = std::strtoull(e.text.c_str(), nullptr, 10);
        if (n == 0 || n > visible) Fail(sql::ER_BAD_FIELD_ERROR, "Unknown column '" + e.text + "' in 'order clause'");
        column = n - 1;
      } else if (e.kind == K::kColumn && e.qualifier.empty()) {
        for (size_t i = 0; i < s.items.size() && !column; ++i) {
          if (!s.items[i].alias.empty() && sql::LowerAscii(s.items[i].alias) == sql::LowerAscii(e.text)) {
            for (size_t k = 0; k < visible; ++k) {
              if (item_names[k] == s.items[i].alias) column = k;
            }
          }
        }
      }
      if (!column) {
        BoundExprPtr b = Bind(e, scope, post);
        for (size_t k = 0; k < exprs.size() && !column; ++k) {
          if (exprs[k]->text == b->text && exprs[k]->type == b->type && exprs[k]->op == b->op &&
              exprs[k]->column == b->column) {
            column = k;
          }
        }
        if (!column) {
          if (s.distinct) {
            Fail(ER_FIELD_IN_ORDER_NOT_SELECT, "Expression of ORDER BY clause is not in SELECT list, "
                                               "references column which is not in SELECT list; this is incompatible with DISTINCT");
          }
          output.push_back(OutputColumn{.name = b->text, .type = b->type});
          exprs.push_back(std::move(b));
          column = exprs.size() - 1;
        }
      }
      sort_keys.push_back(SortKey{.column = *column, .desc = o.desc});
    }
  }

  if (aggregated) {
    auto a = std::make_unique<PlanNode>();
    a->kind = PlanNode::Kind::kAggregate;
    for (size_t i = 0; i < group_keys.size(); ++i) {
      a->output.push_back(OutputColumn{.name = group_keys[i]->text, .type = group_keys[i]->type});
    }
    for (const auto& spec : agg.aggs) a->output.push_back(OutputColumn{.name = spec.text, .type = spec.type});
    a->group_keys = std::move(group_keys);
    a->aggs = std::move(agg.aggs);
    a->children.push_back(std::move(plan));
    plan = std::move(a);
    if (having) plan = MakeFilter(std::move(plan), std::move(having));
  }
  plan = MakeProject(std::move(plan), std::move(exprs), output);
  if (s.distinct) {
    auto d = std::make_unique<PlanNode>();
    d->kind = PlanNode::Kind::kDistinct;
    d->output = plan->output;
    d->children.push_back(std::move(plan));
    plan = std::move(d);
  }
  if (!sort_keys.empty()) {
    auto sort = std::make_unique<PlanNode>();
    sort->kind = PlanNode::Kind::kSort;
    sort->output = plan->output;
    sort->sort_keys = std::move(sort_keys);
    if (s.limit) sort->limit = *s.limit + s.offset;
    sort->children.push_back(std::move(plan));
    plan = std::move(sort);
  }
  if (with_order_limit && (s.limit || s.offset > 0)) {
    auto l = std::make_unique<PlanNode>();
    l->kind = PlanNode::Kind::kLimit;
    l->output = plan->output;
    l->limit = s.limit;
    l->offset = s.offset;
    l->children.push_back(std::move(plan));
    plan = std::move(l);
  }
  if (output.size() > visible) {  // drop the hidden sort columns
    std::vector<BoundExprPtr> keep;
    std::vector<OutputColumn> keep_out(output.begin(), output.begin() + static_cast<long>(visible));
    for (size_t i = 0; i < visible; ++i) keep.push_back(MakeColumnRef(i, output[i].type, output[i].name));
    plan = MakeProject(std::move(plan), std::move(keep), std::move(keep_out));
  }
  return plan;
}

// ---------------------------------------------------------------- UNION

PlanPtr Binder::BindUnion(const sql::SelectStmt& s) {
  std::vector<PlanPtr> branches;
  branches.push_back(BindSelectCore(s, false));
  for (const auto& b : s.union_branches) {
    Binder inner(ctx_);
    branches.push_back(inner.BindQuery(*b));
  }
  const size_t width = branches[0]->output.size();
  std::vector<Type> types(width, Type::Null());
  for (const auto& b : branches) {
    if (b->output.size() != width) {
      Fail(sql::ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT, "The used SELECT statements have a different number of columns");
    }
    for (size_t i = 0; i < width; ++i) types[i] = UnifyTypes(types[i], b->output[i].type);
  }
  auto u = std::make_unique<PlanNode>();
  u->kind = PlanNode::Kind::kUnion;
  for (size_t i = 0; i < width; ++i) {
    u->output.push_back(OutputColumn{.name = branches[0]->output[i].name, .type = types[i]});
  }
  for (auto& b : branches) {
    std::vector<BoundExprPtr> casts;
    for (size_t i = 0; i < width; ++i) {
      auto ref = MakeColumnRef(i, b->output[i].type, b->output[i].name);
      casts.push_back(b->output[i].type == types[i] ? std::move(ref) : MakeCast(std::move(ref), types[i]));
    }
    u->children.push_back(MakeProject(std::move(b), std::move(casts), u->output));
  }
  PlanPtr plan = std::move(u);
  if (std::any_of(s.union_distinct.begin(), s.union_distinct.end(), [](bool d) { return d; })) {
    auto d = std::make_unique<PlanNode>();
    d->kind = PlanNode::Kind::kDistinct;
    d->output = plan->output;
    d->children.push_back(std::move(plan));
    plan = std::move(d);
  }
  if (!s.order_by.empty()) {
    Scope scope;
    for (const auto& c : plan->output) scope.columns.push_back(ScopeColumn{.name = c.name, .type = c.type});
    auto sort = std::make_unique<PlanNode>();
    sort->kind = PlanNode::Kind::kSort;
    sort->output = plan->output;
    for (const auto& o : s.order_by) {
      size_t column = 0;
      if (o.expr->kind == K::kNumber) {
        column = std::strtoull(o.expr->text.c_str(), nullptr, 10);
        if (column == 0 || column > width) {
          Fail(sql::ER_BAD_FIELD_ERROR, "Unknown column '" + o.expr->text + "' in 'order clause'");
        }
        --column;
      } else if (o.expr->kind == K::kColumn) {
        sql::Expr bare;
        bare.kind = K::kColumn, bare.text = o.expr->text;
        BindColumn(bare, scope, &column);
      } else {
        Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'ORDER BY an expression of a UNION'");
      }
      sort->sort_keys.push_back(SortKey{.column = column, .desc = o.desc});
    }
    if (s.limit) sort->limit = *s.limit + s.offset;
    sort->children.push_back(std::move(plan));
    plan = std::move(sort);
  }
  if (s.limit || s.offset > 0) {
    auto l = std::make_unique<PlanNode>();
    l->kind = PlanNode::Kind::kLimit;
    l->output = plan->output;
    l->limit = s.limit;
    l->offset = s.offset;
    l->children.push_back(std::move(plan));
    plan = std::move(l);
  }
  return plan;
}

}  // namespace strata::query

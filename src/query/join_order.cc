// Planning a WHERE clause's conjuncts over a FROM list (binder_internal.h):
// the order in which comma-joined tables are joined, conditions every branch
// of an OR repeats, and the filters an OR over several tables implies for
// each one (AddImpliedLeafFilters).
//
// FROM a, b, c binds as (a CROSS b) CROSS c; a JOIN b ON x as an inner join
// whose condition is one more conjunct (inner joins are taken apart into
// their tables and conditions; outer, semi and anti joins stay whole, as one
// table of the list). When the source knows every
// table's size, the joins are chosen greedily by estimated rows
// (join_estimate.cc): each step joins the two groups of tables, connected by
// a WHERE equality, whose join leaves the fewest rows, the smaller group
// being the build side (TPC-H Q7: nation filtered to two rows joins supplier
// first, and that small result is built before lineitem streams through it,
// instead of lineitem's filtered rows being built). A cross join only when
// nothing connects. The tree may be bushy.
//
// Without sizes: when the WHERE equalities connect each table to the ones
// written before it, that order stays. Otherwise (TPC-H Q2 writes part,
// supplier, partsupp: part and supplier only meet through partsupp) the
// tables are joined greedily: first the one most equalities name, then each
// time the first table an equality connects to those already joined.
//
// Either way a projection on top restores the written column order, so the
// scope and every bound expression above are unchanged.
#include <algorithm>

#include "query/binder_internal.h"

namespace strata::query {
namespace {

using JT = PlanNode::JoinType;

// An inner or cross join: its conditions are conjuncts over its columns
// like the WHERE's, so the tables under it can be joined in any order.
bool IsInnerJoin(const PlanNode& n) {
  return n.kind == PlanNode::Kind::kHashJoin && (n.join == JT::kCross || n.join == JT::kInner);
}

// The leaves under a tree of inner joins, left to right; the joins' keys
// and residuals become conjuncts over the leaves' columns (`base`: where
// `node`'s columns start among them).
void CollectLeaves(PlanPtr node, size_t base, std::vector<PlanPtr>* leaves, std::vector<BoundExprPtr>* conditions) {
  if (!IsInnerJoin(*node)) {
    leaves->push_back(std::move(node));
    return;
  }
  const size_t lw = node->children[0]->output.size();
  for (size_t i = 0; i < node->left_keys.size(); ++i) {
    ShiftColumns(node->left_keys[i].get(), static_cast<int64_t>(base));
    ShiftColumns(node->right_keys[i].get(), static_cast<int64_t>(base + lw));
    conditions->push_back(MakeCompareOp(CmpOp::kEq, std::move(node->left_keys[i]), std::move(node->right_keys[i])));
  }
  if (node->predicate) {
    ShiftColumns(node->predicate.get(), static_cast<int64_t>(base));
    SplitConjuncts(std::move(node->predicate), conditions);
  }
  CollectLeaves(std::move(node->children[0]), base, leaves, conditions);
  CollectLeaves(std::move(node->children[1]), base + lw, leaves, conditions);
}

// The leaves (by index) whose columns `e` reads; `starts[i]` is leaf i's first column.
std::vector<size_t> LeavesOf(const BoundExpr& e, const std::vector<size_t>& starts) {
  std::vector<size_t> cols, out;
  ReferencedColumns(e, &cols);
  for (size_t c : cols) {
    size_t leaf = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), c) - starts.begin()) - 1;
    if (std::find(out.begin(), out.end(), leaf) == out.end()) out.push_back(leaf);
  }
  return out;
}

// An equality between two single leaves: the pair, else nullopt.
std::optional<std::pair<size_t, size_t>> EquiLeaves(const BoundExpr& e, const std::vector<size_t>& starts) {
  if (e.op != ExprOp::kCompare || e.cmp != CmpOp::kEq) return std::nullopt;
  std::vector<size_t> a = LeavesOf(*e.args[0], starts), b = LeavesOf(*e.args[1], starts);
  if (a.size() != 1 || b.size() != 1 || a[0] == b[0]) return std::nullopt;
  return std::make_pair(a[0], b[0]);
}

void RemapColumns(BoundExpr* e, const std::vector<size_t>& to) {
  if (e->op == ExprOp::kColumn) e->column = to[e->column];
  for (auto& a : e->args) RemapColumns(a.get(), to);
}

void SplitOr(BoundExprPtr e, std::vector<BoundExprPtr>* out) {
  if (e->op == ExprOp::kOr) {
    SplitOr(std::move(e->args[0]), out);
    SplitOr(std::move(e->args[1]), out);
    return;
  }
  out->push_back(std::move(e));
}

BoundExprPtr MakeOr(BoundExprPtr a, BoundExprPtr b) {
  if (!a) return b;
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kOr, e->type = Type::Int(), e->text = "(" + a->text + " OR " + b->text + ")";
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

// (A AND B) OR (A AND C) -> A AND (B OR C): appends the conjuncts `e` stands for.
void FactorOr(BoundExprPtr e, std::vector<BoundExprPtr>* out) {
  std::vector<BoundExprPtr> disjuncts;
  SplitOr(e->Clone(), &disjuncts);
  std::vector<std::vector<BoundExprPtr>> branches(disjuncts.size());
  for (size_t i = 0; i < disjuncts.size(); ++i) SplitConjuncts(std::move(disjuncts[i]), &branches[i]);
  std::vector<BoundExprPtr> common;
  for (size_t k = 0; k < branches[0].size(); ++k) {
    const BoundExpr& candidate = *branches[0][k];
    bool everywhere = std::all_of(branches.begin() + 1, branches.end(), [&](const std::vector<BoundExprPtr>& b) {
      return std::any_of(b.begin(), b.end(), [&](const BoundExprPtr& x) { return x && SameExpr(*x, candidate); });
    });
    if (everywhere) common.push_back(candidate.Clone());
  }
  if (common.empty()) {
    out->push_back(std::move(e));
    return;
  }
  BoundExprPtr rest;
  bool always = false;  // a branch had nothing but common conjuncts: the OR of the rests is true
  for (auto& b : branches) {
    BoundExprPtr branch;
    for (auto& x : b) {
      bool is_common = std::any_of(common.begin(), common.end(), [&](const BoundExprPtr& c) { return SameExpr(*c, *x); });
      if (!is_common) branch = MakeAnd(std::move(branch), std::move(x));
    }
    if (!branch) always = true;
    if (!always) rest = MakeOr(std::move(rest), std::move(branch));
  }
  for (auto& c : common) out->push_back(std::move(c));
  if (!always) out->push_back(std::move(rest));
}

// True if `e` can be evaluated on rows the query would not otherwise have
// tested without a new error: comparisons, IN, LIKE, IS NULL and logic over
// columns and constants; arithmetic, casts and functions only of constants.
bool SafeToImply(const BoundExpr& e) {
  switch (e.op) {
    case ExprOp::kColumn:
    case ExprOp::kConst:
    case ExprOp::kCompare:
    case ExprOp::kIn:
    case ExprOp::kLike:
    case ExprOp::kIsNull:
    case ExprOp::kAnd:
    case ExprOp::kOr:
    case ExprOp::kNot:
      break;
    default: {
      std::vector<size_t> cols;
      ReferencedColumns(e, &cols);
      return cols.empty();
    }
  }
  return std::all_of(e.args.begin(), e.args.end(), [](const BoundExprPtr& a) { return SafeToImply(*a); });
}

// For an OR over several leaves, (A1 AND B1) OR (A2 AND B2) with Ai reading
// leaf a only: the filter A1 OR A2 that leaf a's rows must pass for the OR
// to hold, one per leaf that every branch constrains. Appended to `out`; the
// OR itself stays, so the result is unchanged — the implied filters go down
// to their leaf's scan (TPC-H Q19: lineitem's and part's own conditions are
// tested before the join instead of on every joined pair).
void AddImpliedLeafFilters(const BoundExpr& e, const std::vector<size_t>& starts, std::vector<BoundExprPtr>* out) {
  std::vector<BoundExprPtr> disjuncts;
  SplitOr(e.Clone(), &disjuncts);
  if (disjuncts.size() < 2) return;
  std::vector<std::vector<BoundExprPtr>> branches(disjuncts.size());
  for (size_t i = 0; i < disjuncts.size(); ++i) SplitConjuncts(std::move(disjuncts[i]), &branches[i]);
  if (LeavesOf(e, starts).size() < 2) return;  // one leaf: the OR itself goes down
  for (size_t leaf = 0; leaf < starts.size(); ++leaf) {
    BoundExprPtr implied;
    bool every_branch = true;
    for (const auto& branch : branches) {
      BoundExprPtr part;
      for (const auto& x : branch) {
        if (LeavesOf(*x, starts) == std::vector<size_t>{leaf} && SafeToImply(*x)) part = MakeAnd(std::move(part), x->Clone());
      }
      if (!part) {
        every_branch = false;
        break;
      }
      implied = MakeOr(std::move(implied), std::move(part));
    }
    if (every_branch) out->push_back(std::move(implied));
  }
}

// The order to join leaves in (see the file comment).
std::vector<size_t> JoinOrder(size_t n, const std::vector<std::pair<size_t, size_t>>& edges) {
  auto connected = [&](size_t leaf, const std::vector<bool>& joined) {
    return std::any_of(edges.begin(), edges.end(), [&](const std::pair<size_t, size_t>& e) {
      return (e.first == leaf && joined[e.second]) || (e.second == leaf && joined[e.first]);
    });
  };
  std::vector<bool> joined(n, false);
  joined[0] = true;
  bool written_ok = true;
  for (size_t i = 1; i < n && written_ok; ++i) {
    written_ok = connected(i, joined);
    joined[i] = true;
  }
  std::vector<size_t> order;
  if (written_ok) {
    for (size_t i = 0; i < n; ++i) order.push_back(i);
    return order;
  }
  std::vector<size_t> degree(n, 0);
  for (const auto& [a, b] : edges) ++degree[a], ++degree[b];
  size_t first = static_cast<size_t>(std::max_element(degree.begin(), degree.end()) - degree.begin());
  joined.assign(n, false);
  joined[first] = true;
  order.push_back(first);
  while (order.size() < n) {
    std::optional<size_t> next;
    for (size_t i = 0; i < n && !next; ++i) {
      if (!joined[i] && connected(i, joined)) next = i;
    }
    for (size_t i = 0; i < n && !next; ++i) {
      if (!joined[i]) next = i;
    }
    joined[*next] = true;
    order.push_back(*next);
  }
  return order;
}

// A WHERE equality between leaves a and b; a_key / b_key: that side is a
// bare column, its leaf's leading key (TableInfo::leading_key).
struct KeyEdge {
  size_t a = 0, b = 0;
  bool a_key = false, b_key = false;
};

// Is `e` (a side of an equality) leaf `leaf`'s leading key column?
bool IsLeadingKey(const BoundExpr& e, const PlanNode& leaf, size_t start) {
  return e.op == ExprOp::kColumn && leaf.kind == PlanNode::Kind::kScan && leaf.scan.table.leading_key &&
         e.column == start + *leaf.scan.table.leading_key;
}

// A group of joined leaves: its plan's columns are its leaves' columns, in
// `leaves` order.
struct Group {
  PlanPtr plan;
  std::vector<size_t> leaves;
  double rows = 0;
};

// Joins the leaves by estimated rows (see the file comment); the leaf order
// of the result's columns goes to `order`.
PlanPtr JoinBySize(std::vector<PlanPtr> leaves, const std::vector<double>& rows, const std::vector<double>& base,
                   const std::vector<KeyEdge>& edges, std::vector<size_t>* order) {
  std::vector<Group> groups;
  std::vector<size_t> group_of(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    group_of[i] = i;
    groups.push_back(Group{.plan = std::move(leaves[i]), .leaves = {i}, .rows = rows[i]});
  }
  // The rows of joining groups x and y; nullopt when no equality connects them.
  auto joined = [&](size_t x, size_t y) -> std::optional<double> {
    std::optional<double> best;
    for (KeyEdge e : edges) {
      if (group_of[e.a] == y && group_of[e.b] == x) std::swap(e.a, e.b), std::swap(e.a_key, e.b_key);
      if (group_of[e.a] != x || group_of[e.b] != y) continue;
      // A side's leading key identifies its rows (the smaller table's, when both are keys).
      double r = 0;
      if (e.a_key && (!e.b_key || base[e.a] <= base[e.b])) {
        r = JoinedRows(groups[y].rows, groups[x].rows, base[e.a]);
      } else if (e.b_key) {
        r = JoinedRows(groups[x].rows, groups[y].rows, base[e.b]);
      } else {
        r = ManyToManyRows(groups[x].rows, groups[y].rows);
      }
      best = best ? std::min(*best, r) : r;
    }
    return best;
  };
  std::vector<size_t> live;
  for (size_t i = 0; i < groups.size(); ++i) live.push_back(i);
  while (live.size() > 1) {
    size_t bx = 0, by = 0;
    double best_rows = 0;
    bool best_connected = false, found = false;
    for (size_t i = 0; i < live.size(); ++i) {
      for (size_t j = i + 1; j < live.size(); ++j) {
        const size_t x = live[i], y = live[j];
        std::optional<double> r = joined(x, y);
        const bool connected = r.has_value();
        const double out = connected ? *r : groups[x].rows * groups[y].rows;
        if (!found || (connected && !best_connected) || (connected == best_connected && out < best_rows)) {
          bx = x, by = y, best_rows = out, best_connected = connected, found = true;
        }
      }
    }
    if (groups[bx].rows < groups[by].rows) std::swap(bx, by);  // the smaller one is built
    Group& probe = groups[bx];
    Group& build = groups[by];
    probe.plan = MakeJoin(std::move(probe.plan), std::move(build.plan), JT::kCross, {});
    for (size_t leaf : build.leaves) {
      probe.leaves.push_back(leaf);
      group_of[leaf] = bx;
    }
    probe.rows = best_rows;
    live.erase(std::find(live.begin(), live.end(), by));
  }
  *order = groups[live[0]].leaves;
  return std::move(groups[live[0]].plan);
}

// Each leaf's estimated rows after the conjuncts that read it alone, and
// before them; false when some leaf's size is unknown.
bool EstimateLeaves(const std::vector<PlanPtr>& leaves, const std::vector<size_t>& starts,
                    const std::vector<BoundExprPtr>& conjuncts, TableSource* source, std::vector<double>* rows,
                    std::vector<double>* base) {
  for (const auto& leaf : leaves) {
    std::optional<double> r = EstimateRows(*leaf, source);
    std::optional<double> b = BaseRows(*leaf, source);
    if (!r || !b) return false;
    rows->push_back(*r);
    base->push_back(*b);
  }
  for (const auto& c : conjuncts) {
    std::vector<size_t> on = LeavesOf(*c, starts);
    if (on.size() == 1) (*rows)[on[0]] *= FilterShare(*c);
  }
  return true;
}

}  // namespace

PlanPtr PlanConjuncts(PlanPtr plan, std::vector<BoundExprPtr> conjuncts, TableSource* source) {
  std::vector<BoundExprPtr> factored;
  for (auto& c : conjuncts) {
    if (c->op == ExprOp::kOr) {
      FactorOr(std::move(c), &factored);
    } else {
      factored.push_back(std::move(c));
    }
  }
  conjuncts = std::move(factored);
  if (!IsInnerJoin(*plan)) return PushDownFilters(std::move(plan), std::move(conjuncts));

  const std::vector<OutputColumn> written = plan->output;
  std::vector<PlanPtr> leaves;
  CollectLeaves(std::move(plan), 0, &leaves, &conjuncts);
  std::vector<size_t> starts;
  size_t width = 0;
  for (const auto& l : leaves) starts.push_back(width), width += l->output.size();
  std::vector<BoundExprPtr> implied;
  for (const auto& c : conjuncts) {
    if (c->op == ExprOp::kOr) AddImpliedLeafFilters(*c, starts, &implied);
  }
  for (auto& c : implied) conjuncts.push_back(std::move(c));
  std::vector<std::pair<size_t, size_t>> edges;
  for (const auto& c : conjuncts) {
    if (auto e = EquiLeaves(*c, starts)) edges.push_back(*e);
  }
  std::vector<size_t> order;
  PlanPtr tree;
  std::vector<double> rows, base;
  if (EstimateLeaves(leaves, starts, conjuncts, source, &rows, &base)) {
    std::vector<KeyEdge> keyed;
    for (const auto& c : conjuncts) {
      auto e = EquiLeaves(*c, starts);
      if (!e) continue;
      // EquiLeaves' pair follows the equality's sides.
      keyed.push_back(KeyEdge{.a = e->first, .b = e->second,
                              .a_key = IsLeadingKey(*c->args[0], *leaves[e->first], starts[e->first]),
                              .b_key = IsLeadingKey(*c->args[1], *leaves[e->second], starts[e->second])});
    }
    tree = JoinBySize(std::move(leaves), rows, base, keyed, &order);
  } else {
    order = JoinOrder(leaves.size(), edges);
    for (size_t leaf : order) {
      tree = tree ? MakeJoin(std::move(tree), std::move(leaves[leaf]), JT::kCross, {}) : std::move(leaves[leaf]);
    }
  }
  // Written column -> joined column.
  std::vector<size_t> to(width);
  size_t at = 0;
  for (size_t leaf : order) {
    const size_t end = leaf + 1 < starts.size() ? starts[leaf + 1] : width;
    for (size_t c = starts[leaf]; c < end; ++c) to[c] = at++;
  }
  for (auto& c : conjuncts) RemapColumns(c.get(), to);
  tree = PushDownFilters(std::move(tree), std::move(conjuncts));
  bool identity = true;
  for (size_t i = 0; i < width; ++i) identity = identity && to[i] == i;
  if (identity) return tree;
  std::vector<BoundExprPtr> exprs;
  for (size_t i = 0; i < width; ++i) exprs.push_back(MakeColumnRef(to[i], written[i].type, written[i].name));
  return MakeProject(std::move(tree), std::move(exprs), written);
}

}  // namespace strata::query

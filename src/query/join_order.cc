// Planning a WHERE clause's conjuncts over a FROM list (binder_internal.h):
// the order in which comma-joined tables are joined, conditions every branch
// of an OR repeats, and the filters an OR over several tables implies for
// each one (AddImpliedLeafFilters).
//
// FROM a, b, c binds as (a CROSS b) CROSS c. When the WHERE equalities
// connect each table to the ones written before it, that order stays (the
// user's order is predictable). Otherwise (TPC-H Q2 writes part, supplier,
// partsupp: part and supplier only meet through partsupp) the tables are
// joined greedily: first the one most equalities name, then each time the
// first table an equality connects to those already joined; a cross join
// only when nothing connects. A projection on top restores the written
// column order, so the scope and every bound expression above are unchanged.
#include <algorithm>

#include "query/binder_internal.h"

namespace strata::query {
namespace {

using JT = PlanNode::JoinType;

bool IsBareCross(const PlanNode& n) {
  return n.kind == PlanNode::Kind::kHashJoin && n.join == JT::kCross && n.left_keys.empty() && !n.predicate;
}

void CollectLeaves(PlanPtr node, std::vector<PlanPtr>* leaves) {
  if (!IsBareCross(*node)) {
    leaves->push_back(std::move(node));
    return;
  }
  CollectLeaves(std::move(node->children[0]), leaves);
  CollectLeaves(std::move(node->children[1]), leaves);
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

bool SameExpr(const BoundExpr& a, const BoundExpr& b) {
  if (a.op != b.op || !(a.type == b.type) || a.column != b.column || a.cmp != b.cmp || a.arith != b.arith ||
      a.negated != b.negated || a.has_else != b.has_else || a.name != b.name || a.set != b.set ||
      a.args.size() != b.args.size()) {
    return false;
  }
  if (a.op == ExprOp::kConst && (a.text != b.text || a.value.null != b.value.null)) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!SameExpr(*a.args[i], *b.args[i])) return false;
  }
  return true;
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

}  // namespace

PlanPtr PlanConjuncts(PlanPtr plan, std::vector<BoundExprPtr> conjuncts) {
  std::vector<BoundExprPtr> factored;
  for (auto& c : conjuncts) {
    if (c->op == ExprOp::kOr) {
      FactorOr(std::move(c), &factored);
    } else {
      factored.push_back(std::move(c));
    }
  }
  conjuncts = std::move(factored);
  if (!IsBareCross(*plan) || conjuncts.empty()) return PushDownFilters(std::move(plan), std::move(conjuncts));

  const std::vector<OutputColumn> written = plan->output;
  std::vector<PlanPtr> leaves;
  CollectLeaves(std::move(plan), &leaves);
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
  std::vector<size_t> order = JoinOrder(leaves.size(), edges);
  // Written column -> joined column.
  std::vector<size_t> to(width);
  size_t at = 0;
  for (size_t leaf : order) {
    for (size_t i = 0; i < leaves[leaf]->output.size(); ++i) to[starts[leaf] + i] = at++;
  }
  PlanPtr tree;
  for (size_t leaf : order) {
    tree = tree ? MakeJoin(std::move(tree), std::move(leaves[leaf]), JT::kCross, {}) : std::move(leaves[leaf]);
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

// Filtering a correlated aggregate's input by the outer keys
// (binder_internal.h: FilterByOuterKeys). A scalar subquery with an
// aggregate becomes a join of the outer rows with the subquery grouped by
// its correlation keys (subquery.cc); every group is computed, though only
// the groups of keys the outer rows hold are joined. When an outer key is a
// column that comes unchanged from one table of the outer query (through
// filters, projections and inner joins), that table with its own filters
// bounds the keys that can matter: the subquery's rows are semi-joined with
// it first, so the aggregate sees only their rows. Every group that is kept
// is computed from all its rows (a row passes by its key alone), so each
// outer row still meets exactly the value it would have met. TPC-H Q17
// aggregates lineitem for the ~2,000 parts of one brand and container
// instead of all 200,000.
#include "query/binder_internal.h"

namespace strata::query {
namespace {

using Kind = PlanNode::Kind;
using JT = PlanNode::JoinType;

// The table (a scan, or a filter right over one) whose column `column` of
// `n`'s output carries unchanged; null when it cannot be traced.
const PlanNode* KeySource(const PlanNode& n, size_t column, size_t* source_column) {
  switch (n.kind) {
    case Kind::kScan:
      *source_column = column;
      return &n;
    case Kind::kFilter:
      if (n.children[0]->kind == Kind::kScan) {
        *source_column = column;
        return &n;
      }
      return KeySource(*n.children[0], column, source_column);
    case Kind::kProject: {
      const BoundExpr& e = *n.exprs[column];
      return e.op == ExprOp::kColumn ? KeySource(*n.children[0], e.column, source_column) : nullptr;
    }
    case Kind::kHashJoin: {
      const size_t lw = n.children[0]->output.size();
      if (column < lw) return KeySource(*n.children[0], column, source_column);  // every join keeps the left's values
      if (n.join == JT::kInner || n.join == JT::kCross) return KeySource(*n.children[1], column - lw, source_column);
      return nullptr;
    }
    default: return nullptr;
  }
}

PlanPtr CloneSource(const PlanNode& n) {
  auto c = std::make_unique<PlanNode>();
  c->kind = n.kind;
  c->output = n.output;
  if (n.kind == Kind::kScan) {
    c->scan = n.scan;
    return c;
  }
  c->predicate = n.predicate->Clone();
  c->children.push_back(CloneSource(*n.children[0]));
  return c;
}

}  // namespace

PlanPtr FilterByOuterKeys(PlanPtr inner, const std::vector<const BoundExpr*>& inner_keys, const PlanNode& outer,
                          const std::vector<const BoundExpr*>& outer_keys, TableSource* source) {
  const PlanNode* table = nullptr;
  std::vector<BoundExprPtr> on;
  const size_t iw = inner->output.size();
  for (size_t i = 0; i < outer_keys.size(); ++i) {
    if (outer_keys[i]->op != ExprOp::kColumn) continue;
    size_t column = 0;
    const PlanNode* found = KeySource(outer, outer_keys[i]->column, &column);
    if (found == nullptr || (table != nullptr && found != table)) continue;  // keys of one table only
    table = found;
    const OutputColumn& oc = found->output[column];
    on.push_back(MakeCompareOp(CmpOp::kEq, inner_keys[i]->Clone(), MakeColumnRef(iw + column, oc.type, oc.name)));
  }
  if (table == nullptr) return inner;
  // Only worth it when the outer table is the smaller side (it is built; the subquery's rows stream).
  if (!EstimatedSmaller(*table, *inner, source)) return inner;
  PlanPtr join = MakeJoin(std::move(inner), CloneSource(*table), JT::kSemi, std::move(on));
  NarrowBuildSide(join.get());
  return join;
}

}  // namespace strata::query

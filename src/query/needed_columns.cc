// Column needs, root to leaves (needed_columns.h).
#include "query/needed_columns.h"

namespace strata::query {
namespace {

using Kind = PlanNode::Kind;
using JT = PlanNode::JoinType;
using Needed = std::vector<bool>;

void Refs(const BoundExpr* e, Needed& into, size_t offset = 0) {
  if (e == nullptr) return;
  if (e->op == ExprOp::kColumn && e->column >= offset && e->column - offset < into.size()) into[e->column - offset] = true;
  for (const auto& a : e->args) Refs(a.get(), into, offset);
}

Needed All(size_t n) { return Needed(n, true); }

void Mark(PlanNode& n, const Needed& out);

void MarkJoin(PlanNode& n, const Needed& out) {
  const size_t lw = n.children[0]->output.size();
  const size_t rw = n.children[1]->output.size();
  const bool decides = n.join == JT::kSemi || n.join == JT::kAnti || n.join == JT::kNullAwareAnti ||
                       n.join == JT::kMarkExists || n.join == JT::kMarkIn;
  // The columns of a joined pair (probe then build) that must hold values.
  Needed pair(lw + rw, false);
  for (size_t i = 0; i < lw && i < out.size(); ++i) pair[i] = out[i];
  if (!decides) {
    for (size_t j = 0; j < rw && lw + j < out.size(); ++j) pair[lw + j] = out[lw + j];
  }
  Refs(n.predicate.get(), pair);
  n.pair_needed = pair;
  Needed left(pair.begin(), pair.begin() + static_cast<long>(lw));
  Needed right(pair.begin() + static_cast<long>(lw), pair.end());
  for (const auto& k : n.left_keys) Refs(k.get(), left);
  for (const auto& k : n.right_keys) Refs(k.get(), right);
  Mark(*n.children[0], left);
  Mark(*n.children[1], right);
}

// `out`: which of n's output columns the node above reads.
void Mark(PlanNode& n, const Needed& out) {
  switch (n.kind) {
    case Kind::kScan:
    case Kind::kOneRow: return;
    case Kind::kFilter:
    case Kind::kSort:
    case Kind::kLimit:
    case Kind::kExchange: {
      Needed in = out;
      in.resize(n.children[0]->output.size(), false);
      Refs(n.predicate.get(), in);
      for (const SortKey& k : n.sort_keys) {
        if (k.column < in.size()) in[k.column] = true;
      }
      return Mark(*n.children[0], in);
    }
    case Kind::kProject: {  // only the expressions read above are evaluated
      n.needed_outputs.assign(n.exprs.size(), false);
      Needed in(n.children[0]->output.size(), false);
      for (size_t i = 0; i < n.exprs.size(); ++i) {
        if (i >= out.size() || !out[i]) continue;
        n.needed_outputs[i] = true;
        Refs(n.exprs[i].get(), in);
      }
      return Mark(*n.children[0], in);
    }
    case Kind::kAggregate: {
      Needed in(n.children[0]->output.size(), false);
      for (const auto& k : n.group_keys) Refs(k.get(), in);
      for (const auto& a : n.aggs) {
        Refs(a.arg.get(), in);
        Refs(a.arg2.get(), in);
      }
      return Mark(*n.children[0], in);
    }
    case Kind::kDistinct: return Mark(*n.children[0], All(n.children[0]->output.size()));
    case Kind::kUnion:
      for (auto& c : n.children) {
        Needed in = out;
        in.resize(c->output.size(), false);
        Mark(*c, in);
      }
      return;
    case Kind::kHashJoin: return MarkJoin(n, out);
  }
}

}  // namespace

void MarkNeededColumns(PlanNode& root) { Mark(root, All(root.output.size())); }

}  // namespace strata::query

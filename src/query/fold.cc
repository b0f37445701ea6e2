// Constant folding (fold.h).
#include "query/fold.h"

#include <exception>

namespace strata::query {

BoundExprPtr FoldConstants(BoundExprPtr e) {
  if (e == nullptr || e->op == ExprOp::kColumn || e->op == ExprOp::kConst) return e;
  bool constant = true;
  for (auto& a : e->args) {
    a = FoldConstants(std::move(a));
    constant = constant && a->op == ExprOp::kConst;
  }
  if (!constant) return e;
  Chunk one;
  one.rows = 1;
  try {
    Column v = Evaluate(*e, one);
    return MakeConst(e->type, v.At(0), e->text);
  } catch (const std::exception&) {
    return e;  // evaluated per row instead, where its error belongs
  }
}

void FoldPlan(PlanNode& plan) {
  auto fold = [](BoundExprPtr& e) { e = FoldConstants(std::move(e)); };
  fold(plan.predicate);
  for (auto& e : plan.exprs) fold(e);
  for (auto& e : plan.group_keys) fold(e);
  for (auto& e : plan.left_keys) fold(e);
  for (auto& e : plan.right_keys) fold(e);
  for (auto& a : plan.aggs) {
    fold(a.arg);
    fold(a.arg2);
  }
  for (auto& c : plan.children) FoldPlan(*c);
}

}  // namespace strata::query

// Constant folding: an expression subtree that reads no column has one value
// for every row, so it is computed once, when the plan is made, instead of
// once per row (`DATE '1994-01-01' + INTERVAL 1 YEAR`, `0.06 - 0.01`), and
// scan pruning sees the constant. Every function of the engine is
// deterministic within a statement (NOW() and the session functions are
// constants already), so every such subtree folds. A subtree whose
// evaluation fails (overflow, ...) is left as it is: the error then comes
// when, and only if, a row needs it.
//
// Thread-safety: pure functions of what they own.
#pragma once

#include "query/plan.h"

namespace strata::query {

BoundExprPtr FoldConstants(BoundExprPtr e);
// Folds every expression of every node of `plan`.
void FoldPlan(PlanNode& plan);

}  // namespace strata::query

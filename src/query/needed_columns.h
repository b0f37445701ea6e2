// Which columns a hash join must carry. A join's output is every column of
// both inputs, but the nodes above usually read a few of them: MarkNeededColumns
// walks the plan from the root, works out which columns each node's parent
// reads (plus what its own expressions read), and records on every HASH JOIN
// the probe and build columns a joined pair must hold (PlanNode::pair_needed).
// The join then stores and gathers only those; the others are NULL constants
// that no node above reads. Positions never change, so no expression moves.
// A PROJECT likewise records the outputs read above (needed_outputs) and
// evaluates only those: a projection that restores a join's written column
// order (join_order.cc) names every column but does not make them needed.
//
// Thread-safety: mutates the plan it is given (before it runs).
#pragma once

#include "query/plan.h"

namespace strata::query {

void MarkNeededColumns(PlanNode& root);

}  // namespace strata::query

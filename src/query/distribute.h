// Distribution: rewrites a bound plan so that the work over a scan that can
// run where the scanned tablets live does, in fragments (an EXCHANGE node's
// child: a chain of filters and projections over one scan, topped by a
// partial aggregate or a top-N). The executor runs a fragment on the compute
// nodes that own its tablets (TableSource::RunFragment) or, with none, on
// this process's cores, one fragment instance per worker; the node above the
// EXCHANGE merges what the instances return.
//
//   AGGREGATE(keys, aggs) over chain          TOP-N(k) over chain
//     => AGGREGATE(keys, merge aggs)           => TOP-N(k)
//          EXCHANGE                                 EXCHANGE
//            AGGREGATE(keys, partial aggs)            TOP-N(k)
//              chain                                    chain
//
// Partial / merge pairs: COUNT -> count, then kCountMerge (a sum that is 0
// over no rows); SUM, MIN, MAX, ANY_VALUE -> the same function twice; AVG ->
// SUM and COUNT of the argument, then kAvgMerge. Aggregates that are all
// DISTINCT over one argument x keep their functions above the EXCHANGE and
// the fragment groups by the keys and x (each fragment sends every pair
// once). Other aggregates with DISTINCT are not split, nor a bare COUNT(*)
// over a scan (the executor answers it from tablet metadata). Any other
// chain with a filter becomes a fragment as it is (EXCHANGE over the
// chain): its filters run on the compute nodes; in-process it runs as it
// would unsplit. The rewritten plan returns exactly the rows the original
// does.
//
// Thread-safety: pure function of the plan it owns.
#pragma once

#include "query/plan.h"

namespace strata::query {

PlanPtr Distribute(PlanPtr plan);

}  // namespace strata::query

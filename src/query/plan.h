// Physical plans: a tree of PlanNodes the binder builds (binder.h) and the
// executor runs (executor.h). Every node produces chunks whose columns are
// its `output`, in order; expressions of a node refer to the columns of its
// input (for joins: the left child's columns, then the right child's).
//
// Thread-safety: immutable once built.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/expr.h"
#include "query/table_source.h"
#include "storage/data_file_reader.h"

namespace strata::query {

struct OutputColumn {
  std::string name;
  Type type;
  std::string table;   // origin table (alias), may be empty
  std::string schema;  // origin database, may be empty
};

// kCountMerge and kAvgMerge are the second phase of a split aggregation
// (distribute.h): the sum of partial counts (0 over no rows), and the
// average of partial (sum, count) pairs.
enum class AggFunc { kCountStar, kCount, kSum, kMin, kMax, kAvg, kAnyValue, kCountMerge, kAvgMerge };

struct AggSpec {
  AggFunc func = AggFunc::kCountStar;
  bool distinct = false;
  BoundExprPtr arg;   // null for COUNT(*); kAvgMerge: the partial sums
  BoundExprPtr arg2;  // kAvgMerge: the partial counts
  Type type;         // result
  std::string text;  // for EXPLAIN
};

struct SortKey {
  size_t column = 0;
  bool desc = false;
};

struct ScanSpec {
  TableInfo table;
  std::string alias;
  std::vector<bool> read;                      // per table column: read it (else NULL-filled)
  std::vector<size_t> partitions;              // indexes into table.partitions that survive pruning
  std::vector<storage::Predicate> predicates;  // min/max pruning
  std::vector<std::string> predicate_text;     // for EXPLAIN
};

struct PlanNode {
  enum class Kind {
    kScan,       // scan
    kOneRow,     // one row, no columns (SELECT without FROM)
    kFilter,     // predicate over children[0]
    kProject,    // exprs over children[0]
    kAggregate,  // group_keys + aggs over children[0]; output = keys then aggs
    kSort,       // sort_keys over children[0]; limit (top-N) if set
    kLimit,      // offset, limit
    kDistinct,   // distinct rows of children[0]
    kHashJoin,   // children[0] (probe) with children[1] (build)
    kUnion,      // UNION ALL of children (same output types)
    kExchange,   // children[0] is a fragment (a plan over one scan, distribute.h) run where
                 // the scanned tablets live; its rows arrive here in no defined order
  } kind = Kind::kOneRow;

  std::vector<OutputColumn> output;
  std::vector<std::unique_ptr<PlanNode>> children;

  ScanSpec scan;
  BoundExprPtr predicate;            // kFilter; kHashJoin residual (over left+right columns)
  std::vector<BoundExprPtr> exprs;   // kProject
  // kProject: the outputs a node above reads (needed_columns.h); the others
  // are not evaluated but NULL constants. Empty: all of them.
  std::vector<bool> needed_outputs;
  std::vector<BoundExprPtr> group_keys;
  std::vector<AggSpec> aggs;
  std::vector<SortKey> sort_keys;
  std::optional<uint64_t> limit;     // kSort (top-N: offset + limit rows) / kLimit
  uint64_t offset = 0;               // kLimit

  // kSemi / kAnti (EXISTS, IN / NOT EXISTS): the left rows with some / no
  // right row passing keys and residual; output = the left's columns only.
  // kNullAwareAnti (NOT IN): the last key pair is the IN comparison, the
  // others correlate; a left row is kept when no correlated right row passing
  // the residual has an equal or NULL value, and none exists if its own value
  // is NULL (MySQL: NOT IN over a NULL is never true).
  // kMarkExists / kMarkIn (EXISTS, IN inside other expressions): every left
  // row, plus an INT column: EXISTS 1/0; IN (last key pair as for
  // kNullAwareAnti) 1, 0 or NULL as MySQL's IN.
  // kLeftSingle: kLeft where a left row with two partners is an error
  // (ER_SUBQUERY_NO_1_ROW: a scalar subquery's rows).
  enum class JoinType {
    kInner, kLeft, kCross, kSemi, kAnti, kNullAwareAnti, kMarkExists, kMarkIn, kLeftSingle
  } join = JoinType::kInner;
  std::vector<BoundExprPtr> left_keys;   // over children[0]'s columns
  std::vector<BoundExprPtr> right_keys;  // over children[1]'s columns
  // kHashJoin: the probe then build columns a joined pair must hold values
  // for (needed_columns.h); the others are NULL constants nothing reads.
  // Empty: all of them.
  std::vector<bool> pair_needed;
  // kSemi / kAnti / kLeft: the left side (estimated smaller) is built and the
  // right side's rows mark what they find (EXISTS over a large table; a LEFT
  // JOIN of a small table with a large one); else the right side is built,
  // as for every other join.
  bool build_left = false;
  // kAggregate merging an EXCHANGE's partial groups: true when no group can
  // come from two fragment instances (distribute.h: the GROUP BY holds the
  // table's distribution columns), so each partial row is a group of its
  // own and is finished without a hash lookup.
  bool groups_disjoint = false;
};

using PlanPtr = std::unique_ptr<PlanNode>;

// The plan as EXPLAIN prints it: one line per node, children indented.
std::vector<std::string> ExplainPlan(const PlanNode& root);

}  // namespace strata::query

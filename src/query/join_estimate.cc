// Row-count estimates for ordering joins (binder_internal.h). There are no
// column statistics: a table's rows come from its tablets' metadata (a few
// tablets read, the rest assumed alike), and each filter keeps a fixed share
// of them by its shape (equality 1/10, a range 1/3, ...). The numbers only
// rank alternatives: which side of a join is smaller, which join shrinks
// the rows most. A wrong guess costs time, never a different answer.
#include <algorithm>
#include <cmath>

#include "query/binder_internal.h"

namespace strata::query {
namespace {

constexpr size_t kTabletsSampled = 16;  // metadata reads per table, at most

constexpr double kEqualShare = 0.1;
constexpr double kRangeShare = 1.0 / 3;
constexpr double kLikeShare = 0.25;
constexpr double kNullShare = 0.05;
constexpr double kUnknownShare = 0.5;
constexpr double kGroupShare = 0.1;  // groups per input row of a GROUP BY

bool ReadsColumns(const BoundExpr& e) {
  std::vector<size_t> cols;
  ReferencedColumns(e, &cols);
  return !cols.empty();
}

}  // namespace

double FilterShare(const BoundExpr& e) {
  switch (e.op) {
    case ExprOp::kAnd: return FilterShare(*e.args[0]) * FilterShare(*e.args[1]);
    case ExprOp::kOr: {
      const double a = FilterShare(*e.args[0]), b = FilterShare(*e.args[1]);
      return a + b - a * b;
    }
    case ExprOp::kNot: return std::clamp(1 - FilterShare(*e.args[0]), kNullShare, 1.0);
    case ExprOp::kCompare: {
      if (!ReadsColumns(e)) return 1;  // folded away or constant: no row-dependent share
      switch (e.cmp) {
        case CmpOp::kEq:
        case CmpOp::kNullSafeEq: return kEqualShare;
        case CmpOp::kNe: return 1 - kEqualShare;
        default: return kRangeShare;
      }
    }
    case ExprOp::kIn: {
      const double share = std::min(kUnknownShare, kEqualShare * static_cast<double>(e.args.size() - 1));
      return e.negated ? 1 - share : share;
    }
    case ExprOp::kInSet: return e.negated ? 1 - kUnknownShare / 2 : kUnknownShare / 2;
    case ExprOp::kLike: return e.negated ? 1 - kLikeShare : kLikeShare;
    case ExprOp::kIsNull: return e.negated ? 1 - kNullShare : kNullShare;
    default: return kUnknownShare;
  }
}

std::optional<double> TableRows(const ScanSpec& spec, TableSource* source) {
  if (source == nullptr) return std::nullopt;
  std::vector<const TabletRef*> with_data;
  for (size_t p : spec.partitions) {
    for (const TabletRef& t : spec.table.partitions[p].tablets) {
      if (!t.meta_key.empty()) with_data.push_back(&t);
    }
  }
  if (with_data.empty()) return 0.0;
  // An even spread of at most kTabletsSampled tablets stands for all of them.
  const size_t sampled = std::min(with_data.size(), kTabletsSampled);
  double rows = 0;
  for (size_t i = 0; i < sampled; ++i) {
    std::optional<uint64_t> n = source->TabletRowCount(spec.table, *with_data[i * with_data.size() / sampled]);
    if (!n) return std::nullopt;
    rows += static_cast<double>(*n);
  }
  return rows * static_cast<double>(with_data.size()) / static_cast<double>(sampled);
}

std::optional<double> EstimateRows(const PlanNode& n, TableSource* source) {
  using Kind = PlanNode::Kind;
  using JT = PlanNode::JoinType;
  auto child = [&](size_t i) { return EstimateRows(*n.children[i], source); };
  switch (n.kind) {
    case Kind::kScan: return TableRows(n.scan, source);
    case Kind::kOneRow: return 1.0;
    case Kind::kFilter: {
      auto rows = child(0);
      if (rows) *rows *= FilterShare(*n.predicate);
      return rows;
    }
    case Kind::kProject:
    case Kind::kExchange: return child(0);
    case Kind::kAggregate: {
      auto rows = child(0);
      if (rows) *rows = n.group_keys.empty() ? 1.0 : std::max(1.0, *rows * kGroupShare);
      return rows;
    }
    case Kind::kDistinct: {
      auto rows = child(0);
      if (rows) *rows = std::max(1.0, *rows * kUnknownShare);
      return rows;
    }
    case Kind::kSort:
    case Kind::kLimit: {
      auto rows = child(0);
      if (rows && n.limit) *rows = std::min(*rows, static_cast<double>(*n.limit));
      return rows;
    }
    case Kind::kUnion: {
      double total = 0;
      for (size_t i = 0; i < n.children.size(); ++i) {
        auto rows = child(i);
        if (!rows) return std::nullopt;
        total += *rows;
      }
      return total;
    }
    case Kind::kHashJoin: {
      auto left = child(0), right = child(1);
      if (!left || !right) return std::nullopt;
      double rows = *left;
      if (n.join == JT::kCross) {
        rows = *left * *right;
      } else if (n.join == JT::kInner) {
        rows = std::max(*left, *right);  // one side's key is the other's reference, most often
      } else if (n.join == JT::kSemi || n.join == JT::kAnti || n.join == JT::kNullAwareAnti) {
        rows = *left * kUnknownShare;
      }
      if (n.predicate) rows *= FilterShare(*n.predicate);
      return rows;
    }
  }
  return std::nullopt;
}

bool EstimatedSmaller(const PlanNode& a, const PlanNode& b, TableSource* source) {
  const std::optional<double> ra = EstimateRows(a, source), rb = EstimateRows(b, source);
  return ra && rb && *ra < *rb;
}

std::optional<double> BaseRows(const PlanNode& n, TableSource* source) {
  const PlanNode* p = &n;
  while ((p->kind == PlanNode::Kind::kFilter || p->kind == PlanNode::Kind::kProject) && !p->children.empty()) {
    p = p->children[0].get();
  }
  return EstimateRows(*p, source);
}

double JoinedRows(double fk_rows, double pk_rows, double pk_base_rows) {
  if (pk_base_rows < 1) pk_base_rows = 1;
  return std::max(1.0, fk_rows * pk_rows / pk_base_rows);
}

double ManyToManyRows(double x_rows, double y_rows) { return std::max(1.0, x_rows * y_rows * kEqualShare); }

}  // namespace strata::query

// Moving WHERE conjuncts down the plan, building hash joins from equality
// conjuncts, and pruning partitions and row groups at scans
// (binder_internal.h).
#include <algorithm>

#include "query/fold.h"
#include "query/binder_internal.h"
#include "sql/mysql_errors.h"

namespace strata::query {
namespace {

bool AllBelow(const std::vector<size_t>& cols, size_t width) {
  return std::all_of(cols.begin(), cols.end(), [&](size_t c) { return c < width; });
}
bool AllAtOrAbove(const std::vector<size_t>& cols, size_t width) {
  return std::all_of(cols.begin(), cols.end(), [&](size_t c) { return c >= width; });
}

BoundExprPtr AndAll(std::vector<BoundExprPtr> conjuncts) {
  BoundExprPtr out;
  for (auto& c : conjuncts) out = MakeAnd(std::move(out), std::move(c));
  return out;
}

// Can `e` (a conjunct over left ++ right) be a hash key pair? Fills the sides.
bool AsEquiKey(const BoundExpr& e, size_t left_width, BoundExprPtr* left, BoundExprPtr* right) {
  if (e.op != ExprOp::kCompare || e.cmp != CmpOp::kEq) return false;
  std::vector<size_t> a, b;
  ReferencedColumns(*e.args[0], &a);
  ReferencedColumns(*e.args[1], &b);
  if (a.empty() || b.empty()) return false;
  const BoundExpr* l = nullptr;
  const BoundExpr* r = nullptr;
  if (AllBelow(a, left_width) && AllAtOrAbove(b, left_width)) {
    l = e.args[0].get(), r = e.args[1].get();
  } else if (AllBelow(b, left_width) && AllAtOrAbove(a, left_width)) {
    l = e.args[1].get(), r = e.args[0].get();
  } else {
    return false;
  }
  *left = l->Clone();
  *right = r->Clone();
  ShiftColumns(right->get(), -static_cast<int64_t>(left_width));
  return true;
}

// The storage datum for a constant compared with a column of `type`; nullopt
// when the constant cannot prune (wrong representation, FLOAT, NULL).
std::optional<storage::Datum> PruningDatum(const storage::ColumnType& type, const BoundExpr& constant) {
  if (constant.op != ExprOp::kConst || constant.value.null) return std::nullopt;
  Type ct = FromStorage(type);
  if (constant.type.id != ct.id) return std::nullopt;
  if (ct.id == TypeId::kDecimal && constant.type.scale != ct.scale) return std::nullopt;
  if (ct.id == TypeId::kDouble && ct.is_float) return std::nullopt;
  switch (storage::KindOf(type)) {
    case storage::PhysicalKind::kInt64:
      if (UsesI128(ct)) {
        int128 v = constant.value.i128;
        if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
        return storage::Datum(static_cast<int64_t>(v));
      }
      return storage::Datum(constant.value.i64);
    case storage::PhysicalKind::kInt128: return storage::Datum(constant.value.i128);
    case storage::PhysicalKind::kDouble: return storage::Datum(constant.value.f64);
    case storage::PhysicalKind::kBytes: return storage::Datum(constant.value.str);
  }
  return std::nullopt;
}

// Does [lower, upper) of a partition (texts; empty = unbounded) hold any value v with `v op x`?
bool RangeCanMatch(const TablePartition& p, const Type& type, CmpOp op, const Scalar& x) {
  Column value(type);
  value.Append(x);
  auto bound = [&](const std::vector<std::string>& b) -> std::optional<Column> {
    if (b.empty()) return std::nullopt;
    Scalar v = CastScalar(Scalar::Str(b[0]), Type::String(), type);
    if (v.null) return std::nullopt;
    Column c(type);
    c.Append(v);
    return c;
  };
  std::optional<Column> lo = bound(p.lower), hi = bound(p.upper);
  // lo <= v < hi
  switch (op) {
    case CmpOp::kEq:
      return (!lo || CompareAt(*lo, 0, value, 0) <= 0) && (!hi || CompareAt(value, 0, *hi, 0) < 0);
    case CmpOp::kLt: return !lo || CompareAt(*lo, 0, value, 0) < 0;
    case CmpOp::kLe: return !lo || CompareAt(*lo, 0, value, 0) <= 0;
    case CmpOp::kGt:
    case CmpOp::kGe: return !hi || CompareAt(value, 0, *hi, 0) < 0;
    default: return true;
  }
}

storage::CompareOp StorageOp(CmpOp op) {
  switch (op) {
    case CmpOp::kLt: return storage::CompareOp::kLt;
    case CmpOp::kLe: return storage::CompareOp::kLe;
    case CmpOp::kGt: return storage::CompareOp::kGt;
    case CmpOp::kGe: return storage::CompareOp::kGe;
    default: return storage::CompareOp::kEq;
  }
}

}  // namespace

void SplitConjuncts(BoundExprPtr e, std::vector<BoundExprPtr>* out) {
  if (e->op == ExprOp::kAnd) {
    SplitConjuncts(std::move(e->args[0]), out);
    SplitConjuncts(std::move(e->args[1]), out);
    return;
  }
  out->push_back(FoldConstants(std::move(e)));  // so pruning sees `d < DATE '...' + INTERVAL 1 YEAR` as a constant
}

void ReferencedColumns(const BoundExpr& e, std::vector<size_t>* out) {
  if (e.op == ExprOp::kColumn) out->push_back(e.column);
  for (const auto& a : e.args) ReferencedColumns(*a, out);
}

void ShiftColumns(BoundExpr* e, int64_t delta) {
  if (e->op == ExprOp::kColumn) e->column = static_cast<size_t>(static_cast<int64_t>(e->column) + delta);
  for (auto& a : e->args) ShiftColumns(a.get(), delta);
}

void PlanScanPruning(const std::vector<const BoundExpr*>& conjuncts, ScanSpec* spec) {
  const TableInfo& t = spec->table;
  std::optional<size_t> part_col;
  if (t.partition_columns.size() == 1) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name == t.partition_columns[0]) part_col = i;
    }
  }
  for (const BoundExpr* c : conjuncts) {
    // column op constant (either side), or column IN (constants)
    std::vector<std::pair<CmpOp, const BoundExpr*>> tests;
    const BoundExpr* col = nullptr;
    if (c->op == ExprOp::kCompare && c->cmp != CmpOp::kNe && c->cmp != CmpOp::kNullSafeEq) {
      if (c->args[0]->op == ExprOp::kColumn && c->args[1]->op == ExprOp::kConst) {
        col = c->args[0].get(), tests.emplace_back(c->cmp, c->args[1].get());
      } else if (c->args[1]->op == ExprOp::kColumn && c->args[0]->op == ExprOp::kConst) {
        col = c->args[1].get(), tests.emplace_back(MirrorCmp(c->cmp), c->args[0].get());
      }
    } else if (c->op == ExprOp::kIn && !c->negated && c->args[0]->op == ExprOp::kColumn) {
      col = c->args[0].get();
      for (size_t i = 1; i < c->args.size(); ++i) {
        if (c->args[i]->op != ExprOp::kConst) col = nullptr;
      }
      if (col) {
        for (size_t i = 1; i < c->args.size(); ++i) tests.emplace_back(CmpOp::kEq, c->args[i].get());
      }
    }
    if (col == nullptr || tests.empty()) continue;
    const size_t ci = col->column;
    const storage::ColumnSchema& schema = t.columns[ci];
    // Partitions by range.
    if (part_col && *part_col == ci) {
      std::vector<size_t> kept;
      for (size_t p : spec->partitions) {
        bool any = false;
        for (const auto& [op, k] : tests) {
          if (k->value.null) continue;
          any = any || RangeCanMatch(t.partitions[p], k->type, op, k->value);
        }
        if (any) kept.push_back(p);
      }
      spec->partitions = std::move(kept);
    }
    // Row groups by min/max: one comparison (an IN list prunes by its range).
    if (tests.size() == 1) {
      if (auto d = PruningDatum(schema.type, *tests[0].second)) {
        spec->predicates.push_back(storage::Predicate{.column = schema.name, .op = StorageOp(tests[0].first), .value = *d});
        spec->predicate_text.push_back(c->text);
      }
    }
  }
}

PlanPtr MakeJoin(PlanPtr left, PlanPtr right, PlanNode::JoinType type, std::vector<BoundExprPtr> on_conjuncts) {
  const size_t lw = left->output.size();
  auto j = std::make_unique<PlanNode>();
  j->kind = PlanNode::Kind::kHashJoin;
  j->join = type;
  using JT = PlanNode::JoinType;
  const bool filters = type == JT::kSemi || type == JT::kAnti || type == JT::kNullAwareAnti;
  const bool marks = type == JT::kMarkExists || type == JT::kMarkIn;
  j->output = left->output;
  if (marks) j->output.push_back(OutputColumn{.name = "#mark", .type = Type::Int()});
  if (!filters && !marks) j->output.insert(j->output.end(), right->output.begin(), right->output.end());
  if (type == PlanNode::JoinType::kLeft) {
    for (size_t i = lw; i < j->output.size(); ++i) j->output[i].type = j->output[i].type;  // NULL-extended
  }
  std::vector<BoundExprPtr> residual, right_only, left_only;
  for (auto& c : on_conjuncts) {
    BoundExprPtr lk, rk;
    std::vector<size_t> cols;
    ReferencedColumns(*c, &cols);
    if (AsEquiKey(*c, lw, &lk, &rk)) {
      j->left_keys.push_back(std::move(lk));
      j->right_keys.push_back(std::move(rk));
    } else if (!cols.empty() && AllAtOrAbove(cols, lw)) {
      ShiftColumns(c.get(), -static_cast<int64_t>(lw));
      right_only.push_back(std::move(c));  // filters the build side (inner and left joins alike)
    } else if (!cols.empty() && AllBelow(cols, lw) && (type == JT::kInner || type == JT::kCross || type == JT::kSemi)) {
      left_only.push_back(std::move(c));
    } else {
      residual.push_back(std::move(c));
    }
  }
  if (!right_only.empty()) right = PushDownFilters(std::move(right), std::move(right_only));
  if (!left_only.empty()) left = PushDownFilters(std::move(left), std::move(left_only));
  if (type == PlanNode::JoinType::kCross && !j->left_keys.empty()) j->join = PlanNode::JoinType::kInner;
  j->predicate = AndAll(std::move(residual));
  j->children.push_back(std::move(left));
  j->children.push_back(std::move(right));
  return j;
}

PlanPtr PushDownFilters(PlanPtr node, std::vector<BoundExprPtr> conjuncts) {
  if (conjuncts.empty()) return node;
  if (node->kind == PlanNode::Kind::kScan) {
    std::vector<const BoundExpr*> raw;
    for (const auto& c : conjuncts) raw.push_back(c.get());
    PlanScanPruning(raw, &node->scan);
    return MakeFilter(std::move(node), AndAll(std::move(conjuncts)));
  }
  if (node->kind == PlanNode::Kind::kFilter) {
    SplitConjuncts(std::move(node->predicate), &conjuncts);
    return PushDownFilters(std::move(node->children[0]), std::move(conjuncts));
  }
  using JT = PlanNode::JoinType;
  if (node->kind == PlanNode::Kind::kHashJoin && node->join != JT::kInner && node->join != JT::kLeft &&
      node->join != JT::kCross) {
    // Semi, anti and mark joins pass the left's rows unchanged: filters of
    // the left's columns go below them (not one that reads the mark).
    const size_t lw = node->children[0]->output.size();
    std::vector<BoundExprPtr> to_left, stay;
    for (auto& c : conjuncts) {
      std::vector<size_t> cols;
      ReferencedColumns(*c, &cols);
      (!cols.empty() && AllBelow(cols, lw) ? to_left : stay).push_back(std::move(c));
    }
    node->children[0] = PushDownFilters(std::move(node->children[0]), std::move(to_left));
    if (stay.empty()) return node;
    return MakeFilter(std::move(node), AndAll(std::move(stay)));
  }
  if (node->kind == PlanNode::Kind::kHashJoin) {
    const size_t lw = node->children[0]->output.size();
    bool left_join = node->join == PlanNode::JoinType::kLeft;
    std::vector<BoundExprPtr> to_left, to_right, stay;
    for (auto& c : conjuncts) {
      std::vector<size_t> cols;
      ReferencedColumns(*c, &cols);
      if (!cols.empty() && AllBelow(cols, lw)) {
        to_left.push_back(std::move(c));
      } else if (!cols.empty() && AllAtOrAbove(cols, lw) && !left_join) {
        ShiftColumns(c.get(), -static_cast<int64_t>(lw));
        to_right.push_back(std::move(c));
      } else if (!left_join) {
        BoundExprPtr lk, rk;
        if (AsEquiKey(*c, lw, &lk, &rk)) {
          node->left_keys.push_back(std::move(lk));
          node->right_keys.push_back(std::move(rk));
          if (node->join == PlanNode::JoinType::kCross) node->join = PlanNode::JoinType::kInner;
        } else {
          node->predicate = MakeAnd(std::move(node->predicate), std::move(c));
        }
      } else {
        stay.push_back(std::move(c));
      }
    }
    node->children[0] = PushDownFilters(std::move(node->children[0]), std::move(to_left));
    node->children[1] = PushDownFilters(std::move(node->children[1]), std::move(to_right));
    if (stay.empty()) return node;
    return MakeFilter(std::move(node), AndAll(std::move(stay)));
  }
  return MakeFilter(std::move(node), AndAll(std::move(conjuncts)));
}

}  // namespace strata::query

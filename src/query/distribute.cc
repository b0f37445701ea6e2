// Splitting aggregates and top-N over scans into fragments (distribute.h).
#include "query/distribute.h"

#include <algorithm>

#include "query/fragment_codec.h"

namespace strata::query {
namespace {

using Kind = PlanNode::Kind;

// Filters and projections down to a scan.
bool IsScanChain(const PlanNode& n) {
  const PlanNode* p = &n;
  while (p->kind == Kind::kFilter || p->kind == Kind::kProject) p = p->children[0].get();
  return p->kind == Kind::kScan;
}

// Every aggregate is DISTINCT over one and the same argument (COUNT(DISTINCT x), SUM(DISTINCT x) ...).
bool DistinctSplittable(const PlanNode& agg) {
  if (!IsScanChain(*agg.children[0]) || agg.aggs.empty()) return false;
  for (const AggSpec& a : agg.aggs) {
    if (!a.distinct || a.arg == nullptr || !SameExpr(*a.arg, *agg.aggs[0].arg)) return false;
  }
  return true;
}

bool Splittable(const PlanNode& agg) {
  if (!IsScanChain(*agg.children[0])) return false;
  bool all_count_star = true;
  for (const AggSpec& a : agg.aggs) {
    if (a.distinct) return false;
    if (a.func == AggFunc::kCountMerge || a.func == AggFunc::kAvgMerge) return false;
    all_count_star = all_count_star && a.func == AggFunc::kCountStar;
  }
  // COUNT(*) over the bare scan: answered from tablet metadata.
  const bool metadata_count = all_count_star && agg.group_keys.empty() && agg.children[0]->kind == Kind::kScan;
  return !metadata_count;
}

PlanPtr MakeExchange(PlanPtr fragment) {
  auto ex = std::make_unique<PlanNode>();
  ex->kind = Kind::kExchange;
  ex->output = fragment->output;
  ex->children.push_back(std::move(fragment));
  return ex;
}

AggSpec PartialAgg(AggFunc func, const BoundExpr* arg, Type type, const std::string& text) {
  AggSpec a;
  a.func = func;
  if (arg != nullptr) a.arg = arg->Clone();
  a.type = type;
  a.text = "partial " + text;
  return a;
}

// The aggregate below the exchange: `agg`'s input and GROUP BY keys (its
// own keys become references to the partial's first columns); no aggregates yet.
PlanPtr PartialWithKeys(PlanNode& agg) {
  auto partial = std::make_unique<PlanNode>();
  partial->kind = Kind::kAggregate;
  partial->children.push_back(std::move(agg.children[0]));
  agg.children.clear();
  for (size_t k = 0; k < agg.group_keys.size(); ++k) {
    partial->output.push_back(agg.output[k]);
    partial->group_keys.push_back(std::move(agg.group_keys[k]));
    agg.group_keys[k] = MakeColumnRef(k, agg.output[k].type, agg.output[k].name);
  }
  return partial;
}

// The scan column that output column `column` of `chain` (filters and
// projections over a scan) passes on unchanged; nullopt when it is computed.
std::optional<size_t> ScanColumn(const PlanNode& chain, size_t column) {
  const PlanNode* p = &chain;
  for (; p->kind == Kind::kFilter || p->kind == Kind::kProject; p = p->children[0].get()) {
    if (p->kind == Kind::kFilter) continue;
    const BoundExpr& e = *p->exprs.at(column);
    if (e.op != ExprOp::kColumn) return std::nullopt;
    column = e.column;
  }
  return column;
}

// True when no group of `agg` (over a chain) can have rows in two tablets:
// its keys include every distribution column as it is stored, and every
// partition column too unless one partition is read. A tablet is read whole
// by one fragment instance, so the instances' partial groups are then disjoint.
bool GroupsDisjoint(const PlanNode& agg) {
  const PlanNode& chain = *agg.children[0];
  const PlanNode& scan_node = FragmentScan(chain);
  const ScanSpec& scan = scan_node.scan;
  if (scan.table.distribution_columns.empty()) return false;
  std::vector<size_t> keyed;  // scan columns grouped on as they are
  for (const auto& k : agg.group_keys) {
    if (k->op != ExprOp::kColumn) continue;
    if (auto c = ScanColumn(chain, k->column); c && scan_node.output[*c].type == k->type) keyed.push_back(*c);
  }
  auto grouped = [&](size_t c) { return std::find(keyed.begin(), keyed.end(), c) != keyed.end(); };
  for (size_t d : scan.table.distribution_columns) {
    if (!grouped(d)) return false;
  }
  if (scan.partitions.size() <= 1) return true;
  for (const auto& name : scan.table.partition_columns) {
    bool found = false;
    for (size_t c = 0; c < scan.table.columns.size() && !found; ++c) {
      found = scan.table.columns[c].name == name && grouped(c);
    }
    if (!found) return false;
  }
  return true;
}

// AGGREGATE over a chain => merge AGGREGATE over EXCHANGE over partial AGGREGATE.
PlanPtr SplitAggregate(PlanPtr agg) {
  agg->groups_disjoint = !agg->group_keys.empty() && GroupsDisjoint(*agg);
  PlanPtr partial = PartialWithKeys(*agg);
  std::vector<AggSpec> merges;
  for (AggSpec& a : agg->aggs) {
    auto col = [&](const Type& t) {
      return MakeColumnRef(partial->output.size() - 1, t, partial->output.back().name);
    };
    auto add_partial = [&](AggSpec p) {
      partial->output.push_back(OutputColumn{.name = p.text, .type = p.type});
      partial->aggs.push_back(std::move(p));
    };
    AggSpec m;
    m.func = a.func;
    m.type = a.type;
    m.text = a.text;
    switch (a.func) {
      case AggFunc::kCountStar:
      case AggFunc::kCount:
        add_partial(PartialAgg(a.func, a.arg.get(), Type::Int(), a.text));
        m.func = AggFunc::kCountMerge;
        m.arg = col(Type::Int());
        break;
      case AggFunc::kAvg: {
        const Type& in = a.arg->type;
        Type sum = in.id == TypeId::kDecimal ? Type::Decimal(kDecimalPrecisionMax, in.scale) : Type::Double();
        add_partial(PartialAgg(AggFunc::kSum, a.arg.get(), sum, "SUM of " + a.text));
        m.arg = col(sum);
        add_partial(PartialAgg(AggFunc::kCount, a.arg.get(), Type::Int(), "COUNT of " + a.text));
        m.arg2 = col(Type::Int());
        m.func = AggFunc::kAvgMerge;
        break;
      }
      default:  // SUM, MIN, MAX, ANY_VALUE: the same function over the partial values
        add_partial(PartialAgg(a.func, a.arg.get(), a.type, a.text));
        m.arg = col(a.type);
        break;
    }
    merges.push_back(std::move(m));
  }
  agg->aggs = std::move(merges);
  agg->children.push_back(MakeExchange(std::move(partial)));
  return agg;
}

// AGGREGATE(keys, f(DISTINCT x)...) over a chain => the same aggregate over
// EXCHANGE over AGGREGATE(keys + x): each fragment sends every (keys, x)
// once; the DISTINCT above removes what several fragments share.
PlanPtr SplitDistinct(PlanPtr agg) {
  PlanPtr partial = PartialWithKeys(*agg);
  const size_t keys = agg->group_keys.size();
  const BoundExpr& x = *agg->aggs[0].arg;
  partial->output.push_back(OutputColumn{.name = "distinct " + x.text, .type = x.type});
  partial->group_keys.push_back(x.Clone());
  for (AggSpec& a : agg->aggs) a.arg = MakeColumnRef(keys, a.arg->type, a.arg->text);
  agg->children.push_back(MakeExchange(std::move(partial)));
  return agg;
}

// TOP-N over a chain => TOP-N over EXCHANGE over TOP-N.
PlanPtr SplitTopN(PlanPtr sort) {
  auto inner = std::make_unique<PlanNode>();
  inner->kind = Kind::kSort;
  inner->output = sort->output;
  inner->sort_keys = sort->sort_keys;
  inner->limit = sort->limit;
  inner->children.push_back(std::move(sort->children[0]));
  sort->children.clear();
  sort->children.push_back(MakeExchange(std::move(inner)));
  return sort;
}

// A chain that filters: worth running where the tablets are (fewer rows travel).
bool IsFilteringChain(const PlanNode& n) {
  bool filters = false;
  const PlanNode* p = &n;
  for (; p->kind == Kind::kFilter || p->kind == Kind::kProject; p = p->children[0].get()) {
    filters = filters || p->kind == Kind::kFilter;
  }
  return filters && p->kind == Kind::kScan;
}

PlanPtr DistributeNode(PlanPtr plan) {
  if (plan->kind == Kind::kAggregate && Splittable(*plan)) return SplitAggregate(std::move(plan));
  if (plan->kind == Kind::kAggregate && DistinctSplittable(*plan)) return SplitDistinct(std::move(plan));
  if (plan->kind == Kind::kSort && plan->limit && IsScanChain(*plan->children[0])) return SplitTopN(std::move(plan));
  for (auto& child : plan->children) {
    child = IsFilteringChain(*child) ? MakeExchange(std::move(child)) : DistributeNode(std::move(child));
  }
  return plan;
}

}  // namespace

PlanPtr Distribute(PlanPtr plan) {
  if (IsFilteringChain(*plan)) return MakeExchange(std::move(plan));
  return DistributeNode(std::move(plan));
}

}  // namespace strata::query

// Selection-vector filtering (select_rows.h).
#include "query/select_rows.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string_view>

#include "query/binder_internal.h"
#include "query/compare_mask.h"

namespace strata::query {
namespace {

// The selection being refined: while `all`, every row of the chunk is
// selected and `rows` is only scratch space of chunk.rows entries; else the
// first `count` entries of `rows` are the selected rows, ascending.
struct Selection {
  std::vector<uint32_t>& rows;
  size_t n;
  bool all = true;
  size_t count = 0;

  size_t size() const { return all ? n : count; }
  // Keeps the selected rows r with keep(r); `keep` is branch-free friendly.
  template <typename Keep>
  void Refine(Keep keep) {
    uint32_t* out = rows.data();
    size_t m = 0;
    if (all) {
      for (size_t r = 0; r < n; ++r) {
        out[m] = static_cast<uint32_t>(r);
        m += keep(r);
      }
    } else {
      for (size_t i = 0; i < count; ++i) {
        const uint32_t r = out[i];
        out[m] = r;
        m += keep(r);
      }
    }
    all = false;
    count = m;
  }
  void Clear() {
    all = false;
    count = 0;
  }
};

void Conjuncts(const BoundExpr& e, std::vector<const BoundExpr*>* out) {
  if (e.op == ExprOp::kAnd) {
    Conjuncts(*e.args[0], out);
    Conjuncts(*e.args[1], out);
    return;
  }
  out->push_back(&e);
}

// A chunk column that `ref` (a column reference) reads as it is, or null.
const Column* DirectColumn(const BoundExpr& ref, const Chunk& ch) {
  if (ref.op != ExprOp::kColumn || ref.column >= ch.columns.size()) return nullptr;
  const Column& c = ch.columns[ref.column];
  const Type& t = c.type();
  if (t.id != ref.type.id || t.scale != ref.type.scale || t.is_float != ref.type.is_float) return nullptr;
  return &c;
}

// `column op value` for a comparison of a column with a constant (either
// side); false if `e` is not one.
bool AsColumnCompare(const BoundExpr& e, const Chunk& ch, const Column** column, CmpOp* op, const BoundExpr** value) {
  if (e.op != ExprOp::kCompare || e.cmp == CmpOp::kNullSafeEq) return false;
  const BoundExpr& a = *e.args[0];
  const BoundExpr& b = *e.args[1];
  if (a.op == ExprOp::kColumn && b.op == ExprOp::kConst) {
    *column = DirectColumn(a, ch), *op = e.cmp, *value = &b;
  } else if (a.op == ExprOp::kConst && b.op == ExprOp::kColumn) {
    *column = DirectColumn(b, ch), *op = MirrorCmp(e.cmp), *value = &a;
  } else {
    return false;
  }
  if (*column == nullptr) return false;
  const Type& t = (*column)->type();
  const Type& v = (*value)->type;
  const bool typed = UsesI64(t) || UsesI128(t) || t.id == TypeId::kDouble || t.id == TypeId::kString;
  return typed && v.id == t.id && v.scale == t.scale;
}

bool IsCheap(const BoundExpr& e, const Chunk& ch) {
  const Column* c;
  CmpOp op;
  const BoundExpr* v;
  if (AsColumnCompare(e, ch, &c, &op, &v)) return true;
  return e.op == ExprOp::kIsNull && DirectColumn(*e.args[0], ch) != nullptr;
}

// Keeps the rows where `values[r] op x` (NULL rows never); the comparisons
// are those of expr.cc (equal = neither is less).
template <typename T, typename V>
void RefineCompare(Selection& sel, const Column& c, CmpOp op, const V& x) {
  const uint8_t* nulls = c.nulls_data();
  const T* values;
  if constexpr (std::is_same_v<T, int64_t>) values = c.i64_data();
  else if constexpr (std::is_same_v<T, int128>) values = c.i128_data();
  else if constexpr (std::is_same_v<T, double>) values = c.f64_data();
  else values = c.str_data();
  auto run = [&](auto cmp) {
    if (c.is_constant()) {  // one value for every row
      if (nulls[0] || !cmp(values[0])) sel.Clear();
      return;
    }
    sel.Refine([&](size_t r) { return (nulls[r] == 0) & cmp(values[r]); });
  };
  switch (op) {
    case CmpOp::kEq: return run([&](const auto& y) { return !(y < x) & !(x < y); });
    case CmpOp::kNe: return run([&](const auto& y) { return (y < x) | (x < y); });
    case CmpOp::kLt: return run([&](const auto& y) { return y < x; });
    case CmpOp::kLe: return run([&](const auto& y) { return !(x < y); });
    case CmpOp::kGt: return run([&](const auto& y) { return x < y; });
    case CmpOp::kGe: return run([&](const auto& y) { return !(y < x); });
    case CmpOp::kNullSafeEq: return;
  }
}

void RunCheap(Selection& sel, const BoundExpr& e, const Chunk& ch) {
  if (e.op == ExprOp::kIsNull) {
    const Column& c = *DirectColumn(*e.args[0], ch);
    const uint8_t* nulls = c.nulls_data();
    const uint8_t want = e.negated ? 0 : 1;  // IS NOT NULL keeps the non-NULL rows
    if (c.is_constant()) {
      if ((nulls[0] != 0) != (want == 1)) sel.Clear();
      return;
    }
    sel.Refine([&](size_t r) { return (nulls[r] != 0) == want; });
    return;
  }
  const Column* c;
  CmpOp op;
  const BoundExpr* v;
  AsColumnCompare(e, ch, &c, &op, &v);
  const Scalar& x = v->value;
  if (x.null) return sel.Clear();  // comparing with NULL is NULL for every row
  const Type& t = c->type();
  if (UsesI64(t)) return RefineCompare<int64_t>(sel, *c, op, x.i64);
  if (UsesI128(t) && c->narrow()) {  // 64-bit values: compared as such when the constant fits too
    const auto x64 = static_cast<int64_t>(x.i128);
    if (x.i128 == x64) return RefineCompare<int64_t>(sel, *c, op, x64);
    return RefineCompare<int64_t>(sel, *c, op, x.i128);
  }
  if (UsesI128(t)) return RefineCompare<int128>(sel, *c, op, x.i128);
  if (t.id == TypeId::kDouble) return RefineCompare<double>(sel, *c, op, x.f64);
  // Strings compare byte-wise (std::string's compare is memcmp).
  RefineCompare<std::string_view>(sel, *c, op, std::string_view(x.str));
}


// Keeps the selected rows r where keep (evaluated over `rows_of_keep`: the
// chunk's rows when `dense`, else the selected rows in order) is true.
void RefineByColumn(Selection& sel, const Column& keep, bool dense) {
  if (keep.is_constant()) {
    if (!IsTrueAt(keep, 0)) sel.Clear();
    return;
  }
  if (!UsesI64(keep.type())) {
    if (dense) return sel.Refine([&](size_t r) { return IsTrueAt(keep, r); });
    size_t i = 0;
    return sel.Refine([&](size_t) { return IsTrueAt(keep, i++); });
  }
  const uint8_t* nulls = keep.nulls_data();
  const int64_t* v = keep.i64_data();
  if (dense) return sel.Refine([&](size_t r) { return (v[r] != 0) & (nulls[r] == 0); });
  size_t i = 0;
  sel.Refine([&](size_t) {
    const bool k = (v[i] != 0) & (nulls[i] == 0);
    ++i;
    return k;
  });
}

// The coded string column (Column::str_codes) that `e` tests against
// constants only (`s op 'x'`, `s [NOT] IN ('x', ...)`, `s [NOT] LIKE 'p'`),
// with fewer dictionary entries than there are `selected` rows; else null. Such a
// test depends on the row's value alone and raises no error for one value
// that it would not raise for any (a bad LIKE pattern fails every row), so
// it can be evaluated once per entry.
const Column* CodedOperand(const BoundExpr& e, const Chunk& ch, size_t selected) {
  if (e.op != ExprOp::kCompare && e.op != ExprOp::kIn && e.op != ExprOp::kLike) return nullptr;
  const BoundExpr* ref = nullptr;
  for (const BoundExprPtr& a : e.args) {
    if (a->op == ExprOp::kConst) continue;
    if (a->op != ExprOp::kColumn || ref != nullptr) return nullptr;
    ref = a.get();
  }
  const Column* c = ref ? DirectColumn(*ref, ch) : nullptr;
  if (c == nullptr || c->type().id != TypeId::kString || c->str_codes() == nullptr) return nullptr;
  return c->str_entries().size() < selected ? c : nullptr;
}

// Keeps the selected rows for which `e` (CodedOperand: a test of coded
// column `c`) is true: `e` is evaluated over a chunk of c's entries and one
// NULL, and each row takes its entry's answer (a NULL row the NULL's).
void RunPerEntry(Selection& sel, const BoundExpr& e, const Chunk& ch, const Column& c) {
  const std::vector<std::string_view>& entries = c.str_entries();
  const size_t d = entries.size();
  Chunk values;
  values.rows = d + 1;
  values.columns.reserve(ch.columns.size());
  for (const Column& other : ch.columns) {
    if (&other != &c) {
      values.columns.push_back(Column::Constant(other.type(), Scalar::Null(), d + 1));
      continue;
    }
    Column v(c.type());
    v.Reserve(d + 1);
    for (std::string_view x : entries) v.AppendStr(x);
    v.AppendNull();
    values.columns.push_back(std::move(v));
  }
  Column holder;
  const Column& answers = EvaluateRef(e, values, &holder);
  std::vector<uint8_t> pass(d + 1);
  for (size_t i = 0; i <= d; ++i) pass[i] = IsTrueAt(answers, i);
  const uint32_t* codes = c.str_codes();
  const uint8_t* nulls = c.nulls_data();
  const uint8_t null_pass = pass[d];
  sel.Refine([&](size_t r) { return nulls[r] ? null_pass : pass[codes[r]]; });
}

void RunGeneral(Selection& sel, const BoundExpr& e, const Chunk& ch) {
  if (sel.all || sel.count * 2 > sel.n) {  // most rows still in: evaluate over the chunk as it is
    Column holder;
    const Column& keep = EvaluateRef(e, ch, &holder);
    return RefineByColumn(sel, keep, true);
  }
  const std::vector<bool> used = ColumnsRead(e, ch.columns.size());
  const std::vector<uint32_t> picked(sel.rows.begin(), sel.rows.begin() + sel.count);
  Chunk sub;
  sub.rows = picked.size();
  sub.columns.reserve(ch.columns.size());
  for (size_t c = 0; c < ch.columns.size(); ++c) {
    sub.columns.push_back(used[c] ? ch.columns[c].Gather(picked)
                                  : Column::Constant(ch.columns[c].type(), Scalar::Null(), sub.rows));
  }
  Column holder;
  const Column& keep = EvaluateRef(e, sub, &holder);
  RefineByColumn(sel, keep, false);
}

// A cheap conjunct the mask pass takes: a non-constant integer-backed or
// DOUBLE column compared with a non-NULL constant.
bool IsMaskable(const BoundExpr& e, const Chunk& ch) {
  const Column* c;
  CmpOp op;
  const BoundExpr* v;
  if (!AsColumnCompare(e, ch, &c, &op, &v) || c->is_constant() || v->value.null) return false;
  return UsesI64(c->type()) || c->type().id == TypeId::kDouble;
}

// Rows per block of the mask pass: the mask (2 KiB) stays in L1 while every
// conjunct is ANDed into it.
constexpr size_t kMaskBlockRows = 2048;

// The first pass, while every row is selected: all `maskable` conjuncts
// (IsMaskable) are tested over each block of rows into one mask, which then
// becomes the selection.
void RunMasked(Selection& sel, const std::vector<const BoundExpr*>& maskable, const Chunk& ch) {
  struct Test {
    const Column* column;
    CmpOp op;
    const Scalar* value;
  };
  std::vector<Test> tests;
  for (const BoundExpr* e : maskable) {
    Test t;
    const BoundExpr* v;
    AsColumnCompare(*e, ch, &t.column, &t.op, &v);
    t.value = &v->value;
    tests.push_back(t);
  }
  uint8_t mask[kMaskBlockRows];
  uint32_t* out = sel.rows.data();
  size_t count = 0;
  for (size_t first = 0; first < sel.n; first += kMaskBlockRows) {  // bounded by the chunk's rows
    const size_t n = std::min(kMaskBlockRows, sel.n - first);
    std::memset(mask, 1, n);
    for (const Test& t : tests) {
      const uint8_t* nulls = t.column->nulls_data() + first;
      if (UsesI64(t.column->type())) AndCompareMask(mask, nulls, t.column->i64_data() + first, n, t.op, t.value->i64);
      else AndCompareMask(mask, nulls, t.column->f64_data() + first, n, t.op, t.value->f64);
    }
    count += MaskToRows(mask, n, static_cast<uint32_t>(first), out + count);
  }
  sel.all = false;
  sel.count = count;
}

}  // namespace

void SelectRows(const BoundExpr& predicate, const Chunk& chunk, std::vector<uint32_t>* rows) {
  std::vector<const BoundExpr*> all;
  Conjuncts(predicate, &all);
  SelectRowsOf(all, chunk, rows);
}

std::vector<const BoundExpr*> ConjunctsOf(const BoundExpr& predicate) {
  std::vector<const BoundExpr*> out;
  Conjuncts(predicate, &out);
  return out;
}

void SelectRowsOf(std::span<const BoundExpr* const> conjuncts, const Chunk& chunk, std::vector<uint32_t>* rows) {
  const size_t n = chunk.rows;
  rows->resize(n);
  if (n == 0) return;
  std::vector<const BoundExpr*> all(conjuncts.begin(), conjuncts.end());
  Selection sel{*rows, n};
  // Numeric column-vs-constant tests first, all in one masked pass over the chunk.
  const auto maskable_end =
      std::stable_partition(all.begin(), all.end(), [&](const BoundExpr* e) { return IsMaskable(*e, chunk); });
  if (maskable_end != all.begin()) {
    RunMasked(sel, std::vector<const BoundExpr*>(all.begin(), maskable_end), chunk);
    all.erase(all.begin(), maskable_end);
  }
  // Then the other cheap tests (stable: the written order otherwise).
  std::stable_partition(all.begin(), all.end(), [&](const BoundExpr* e) { return IsCheap(*e, chunk); });
  for (const BoundExpr* e : all) {
    if (!sel.all && sel.count == 0) break;
    if (const Column* coded = CodedOperand(*e, chunk, sel.size())) RunPerEntry(sel, *e, chunk, *coded);
    else if (IsCheap(*e, chunk)) RunCheap(sel, *e, chunk);
    else RunGeneral(sel, *e, chunk);
  }
  if (sel.all) {
    std::iota(rows->begin(), rows->end(), 0u);
    return;
  }
  rows->resize(sel.count);
}

std::vector<bool> ColumnsRead(const BoundExpr& e, size_t columns) {
  std::vector<size_t> refs;
  ReferencedColumns(e, &refs);  // binder_internal.h
  std::vector<bool> used(columns, false);
  for (size_t c : refs) {
    if (c < columns) used[c] = true;
  }
  return used;
}

namespace {

// Column `c` of a compare with a constant: the column reference and the constant, else nulls.
bool ColumnAndConstant(const BoundExpr& e, BoundExpr** column, BoundExpr** constant) {
  if (e.op != ExprOp::kCompare || e.cmp == CmpOp::kNullSafeEq) return false;
  BoundExpr* a = e.args[0].get();
  BoundExpr* b = e.args[1].get();
  if (a->op == ExprOp::kColumn && b->op == ExprOp::kConst) {
    *column = a, *constant = b;
    return true;
  }
  if (b->op == ExprOp::kColumn && a->op == ExprOp::kConst) {
    *column = b, *constant = a;
    return true;
  }
  return false;
}

// Marks in `other_use` the candidate columns `e` reads other than compared
// with a constant of their own type (or tested for NULL).
void FindOtherUses(const BoundExpr& e, const std::vector<Type>& types, std::vector<bool>* other_use) {
  BoundExpr *column = nullptr, *constant = nullptr;
  if (ColumnAndConstant(e, &column, &constant) && column->column < types.size()) {
    const Type& t = types[column->column];
    const Type& v = constant->type;
    const bool fits = constant->value.null ||
                      (constant->value.i128 >= INT64_MIN && constant->value.i128 <= INT64_MAX);
    if (!(column->type == t && v.id == TypeId::kDecimal && v.scale == t.scale && fits)) (*other_use)[column->column] = true;
    return;
  }
  if (e.op == ExprOp::kIsNull && e.args[0]->op == ExprOp::kColumn) return;
  if (e.op == ExprOp::kColumn && e.column < other_use->size()) (*other_use)[e.column] = true;
  for (const auto& a : e.args) FindOtherUses(*a, types, other_use);
}

void Unscale(BoundExpr* e, const std::vector<bool>& narrow) {
  BoundExpr *column = nullptr, *constant = nullptr;
  if (ColumnAndConstant(*e, &column, &constant) && column->column < narrow.size() && narrow[column->column]) {
    column->type = Type::Int();
    constant->type = Type::Int();
    if (!constant->value.null) constant->value.i64 = static_cast<int64_t>(constant->value.i128);
    return;
  }
  if (e->op == ExprOp::kIsNull && e->args[0]->op == ExprOp::kColumn && e->args[0]->column < narrow.size() &&
      narrow[e->args[0]->column]) {
    e->args[0]->type = Type::Int();
    return;
  }
  for (auto& a : e->args) Unscale(a.get(), narrow);
}

}  // namespace

BoundExprPtr NarrowDecimalFilter(const BoundExpr& filter, const std::vector<storage::ColumnSchema>& columns,
                                 std::vector<bool>* narrow) {
  std::vector<Type> types;
  std::vector<bool> candidate(columns.size(), false);
  for (size_t i = 0; i < columns.size(); ++i) {
    types.push_back(FromStorage(columns[i].type));
    candidate[i] = types[i].id == TypeId::kDecimal && storage::KindOf(columns[i].type) == storage::PhysicalKind::kInt64;
  }
  std::vector<bool> other_use(columns.size(), false);
  FindOtherUses(filter, types, &other_use);
  const std::vector<bool> read = ColumnsRead(filter, columns.size());
  narrow->assign(columns.size(), false);
  bool any = false;
  for (size_t i = 0; i < columns.size(); ++i) {
    (*narrow)[i] = candidate[i] && read[i] && !other_use[i];
    any = any || (*narrow)[i];
  }
  if (!any) return nullptr;
  BoundExprPtr out = filter.Clone();
  Unscale(out.get(), *narrow);
  return out;
}

}  // namespace strata::query

// A filter run in stages over a scan batch (scan_filter.h).
#include "query/scan_filter.h"

#include <algorithm>
#include <memory>
#include <numeric>

#include "common/check.h"
#include "query/select_rows.h"

namespace strata::query {
namespace {

// A comparison of a column with a constant, or a column's IS [NOT] NULL:
// what SelectRows tests straight on the column's buffer.
bool ComparesWithConstant(const BoundExpr& e) {
  if (e.op == ExprOp::kIsNull) return e.args[0]->op == ExprOp::kColumn;
  if (e.op != ExprOp::kCompare) return false;
  const ExprOp a = e.args[0]->op, b = e.args[1]->op;
  return (a == ExprOp::kColumn && b == ExprOp::kConst) || (a == ExprOp::kConst && b == ExprOp::kColumn);
}

// For each row of `sub` (ascending, a subset of `of`): its position in `of`.
std::vector<uint32_t> PositionsIn(const std::vector<uint32_t>& of, const std::vector<uint32_t>& sub) {
  std::vector<uint32_t> out(sub.size());
  size_t j = 0;
  for (size_t i = 0; i < sub.size(); ++i) {
    while (of[j] < sub[i]) ++j;  // bounded: sub[i] is in `of`
    out[i] = static_cast<uint32_t>(j);
  }
  return out;
}

// Rows a selection keeps; null stands for every row of the batch.
using Rows = std::shared_ptr<const std::vector<uint32_t>>;

// A column the filter has decoded: its values at rows `at`.
struct Held {
  bool decoded = false;
  Column column;
  Rows at;
};

}  // namespace

StagedFilter::StagedFilter(const BoundExpr& filter, std::vector<bool> unscaled, size_t table_columns)
    : unscaled_(std::move(unscaled)) {
  unscaled_.resize(table_columns, false);
  std::vector<Stage> single;  // one per column, in the order the conjuncts name them
  Stage rest;
  for (const BoundExpr* c : ConjunctsOf(filter)) {
    const std::vector<bool> reads = ColumnsRead(*c, table_columns);
    std::vector<size_t> columns;
    for (size_t i = 0; i < reads.size(); ++i) {
      if (reads[i]) columns.push_back(i);
    }
    if (columns.size() != 1) {
      rest.conjuncts.push_back(c);
      for (size_t col : columns) {
        if (std::find(rest.columns.begin(), rest.columns.end(), col) == rest.columns.end()) rest.columns.push_back(col);
      }
      continue;
    }
    auto it = std::find_if(single.begin(), single.end(), [&](const Stage& s) { return s.columns[0] == columns[0]; });
    if (it == single.end()) it = single.insert(single.end(), Stage{.columns = columns});
    it->conjuncts.push_back(c);
  }
  // Stages whose every test runs on the column's buffer first.
  std::stable_partition(single.begin(), single.end(), [](const Stage& s) {
    return std::all_of(s.conjuncts.begin(), s.conjuncts.end(), [](const BoundExpr* e) { return ComparesWithConstant(*e); });
  });
  stages_ = std::move(single);
  if (!rest.conjuncts.empty()) stages_.push_back(std::move(rest));
}

Result<Chunk> StagedFilter::Apply(storage::ScanBatch& batch, const ScanLayout& layout) const {
  const size_t n = batch.rows();
  const size_t ncols = layout.types.size();
  std::vector<Held> held(ncols);
  Rows cur;  // null: every row still passes
  auto kept = [&] { return cur ? cur->size() : n; };
  // Column c of the batch at the rows still passing: decoded there the first
  // time, else narrowed from the rows it was decoded at.
  auto bring = [&](size_t c) -> Status {
    Held& h = held[c];
    if (!h.decoded && (layout.batch_column[c] < 0 || !layout.wanted[c])) {  // not read: NULL (as ToChunk gives)
      h.column = Column::Constant(unscaled_[c] ? Type::Int() : layout.types[c], Scalar::Null(), kept());
      h.decoded = true;
      h.at = cur;
    } else if (!h.decoded) {
      const int k = layout.batch_column[c];
      Result<storage::ColumnVector> v = cur ? batch.ColumnAt(k, *cur) : batch.Column(k);
      if (!v.ok()) return v.status();
      h.column = unscaled_[c] ? UnscaledFromStorage(std::move(*v)) : FromStorageVector(std::move(*v));
      h.decoded = true;
      h.at = cur;
    } else if (h.at != cur) {
      h.column = h.at ? h.column.Gather(PositionsIn(*h.at, *cur)) : h.column.Gather(*cur);
      h.at = cur;
    }
    return Status::OK();
  };
  std::vector<uint32_t> picked;
  for (const Stage& stage : stages_) {
    const size_t m = kept();
    if (m == 0) break;
    Chunk sub;  // the stage's columns; the others, which its conjuncts never touch, empty placeholders
    sub.rows = m;
    sub.columns.resize(ncols);
    for (size_t c : stage.columns) {
      STRATA_RETURN_IF_ERROR(bring(c));
      std::swap(sub.columns[c], held[c].column);
    }
    SelectRowsOf(stage.conjuncts, sub, &picked);
    for (size_t c : stage.columns) std::swap(sub.columns[c], held[c].column);
    if (picked.size() == m) continue;  // every row still passes
    auto next = std::make_shared<std::vector<uint32_t>>(picked.size());
    for (size_t i = 0; i < picked.size(); ++i) (*next)[i] = cur ? (*cur)[picked[i]] : picked[i];
    cur = std::move(next);
  }
  const size_t m = kept();
  Chunk out;
  out.rows = m;
  out.columns.reserve(ncols);
  // Most rows passed: the other columns are decoded whole and keep them in place.
  const bool dense = m * 4 >= n * 3;
  for (size_t c = 0; c < ncols; ++c) {
    const int k = layout.batch_column[c];
    if (m == 0 || k < 0 || !layout.wanted[c]) {
      out.columns.push_back(Column::Constant(layout.types[c], Scalar::Null(), m));
      continue;
    }
    Held& h = held[c];
    if (h.decoded) {
      std::vector<uint32_t> at;  // positions of the passing rows in h.column
      if (h.at != cur) at = h.at ? PositionsIn(*h.at, *cur) : *cur;
      if (unscaled_[c]) {
        if (h.at == cur) at.resize(m), std::iota(at.begin(), at.end(), 0u);
        out.columns.push_back(WidenUnscaled(h.column, layout.types[c], at.data(), m));
      } else {
        out.columns.push_back(h.at == cur ? std::move(h.column) : h.column.Gather(at));
      }
      continue;
    }
    if (!cur || !dense) {
      Result<storage::ColumnVector> v = cur ? batch.ColumnAt(k, *cur) : batch.Column(k);
      if (!v.ok()) return v.status();
      out.columns.push_back(FromStorageVector(std::move(*v)));
      continue;
    }
    Result<storage::ColumnVector> v = batch.Column(k);
    if (!v.ok()) return v.status();
    if (v->kind() == storage::PhysicalKind::kInt64 && UsesI128(layout.types[c])) {  // widened anyway: while picking
      StorageParts p = ReleaseStorage(std::move(*v));
      out.columns.push_back(GatherStorage(p, cur->data(), m));
    } else {
      out.columns.push_back(FromStorageVector(std::move(*v)));
      out.columns.back().KeepRows(cur->data(), m);
    }
  }
  return out;
}

}  // namespace strata::query

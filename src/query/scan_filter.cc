// A filter run in stages over a scan batch (scan_filter.h).
#include "query/scan_filter.h"

#include <algorithm>

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

// The rows still passing, narrowed stage by stage. Generation 0 is every
// row of the batch; each narrowing starts the next generation and records
// where its rows were in the one before, so a column decoded in an earlier
// generation is brought to the current rows by composing those steps.
class Survivors {
 public:
  explicit Survivors(size_t batch_rows) : batch_rows_(batch_rows) {}
  size_t generation() const { return steps_.size(); }
  bool all() const { return steps_.empty(); }
  size_t size() const { return all() ? batch_rows_ : rows_.size(); }
  // The batch rows still passing (valid when !all()).
  const std::vector<uint32_t>& rows() const { return rows_; }
  // Keeps the current rows at `positions` (ascending).
  void Keep(const std::vector<uint32_t>& positions) {
    std::vector<uint32_t> next(positions.size());
    if (all()) {
      next = positions;
    } else {
      for (size_t i = 0; i < positions.size(); ++i) next[i] = rows_[positions[i]];
    }
    rows_ = std::move(next);
    steps_.push_back(positions);
  }
  // The current rows' positions among the rows of generation g (< generation()).
  std::vector<uint32_t> PositionsIn(size_t g) const {
    if (g == 0) return rows_;
    std::vector<uint32_t> p = steps_.back();
    for (size_t i = steps_.size() - 1; i-- > g;) {
      for (uint32_t& x : p) x = steps_[i][x];
    }
    return p;
  }

 private:
  size_t batch_rows_;
  std::vector<uint32_t> rows_;
  std::vector<std::vector<uint32_t>> steps_;  // steps_[i]: generation i+1's rows as positions in generation i's
};

// A column the filter has decoded: its values at the rows of generation `at`.
struct Held {
  bool decoded = false;
  Column column;
  size_t at = 0;
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
  Survivors cur(n);
  // Column c of the batch at the rows still passing: decoded there the first
  // time, else narrowed from the rows it was decoded at.
  auto bring = [&](size_t c) -> Status {
    Held& h = held[c];
    if (h.decoded) {
      if (h.at != cur.generation()) h.column = h.column.Gather(cur.PositionsIn(h.at));
    } else if (layout.batch_column[c] < 0 || !layout.wanted[c]) {  // not read: NULL (as ToChunk gives)
      h.column = Column::Constant(unscaled_[c] ? Type::Int() : layout.types[c], Scalar::Null(), cur.size());
    } else {
      const int k = layout.batch_column[c];
      Result<storage::ColumnVector> v = cur.all() ? batch.Column(k) : batch.ColumnAt(k, cur.rows());
      if (!v.ok()) return v.status();
      h.column = unscaled_[c] ? UnscaledFromStorage(std::move(*v)) : FromStorageVector(std::move(*v));
    }
    h.decoded = true;
    h.at = cur.generation();
    return Status::OK();
  };
  std::vector<uint32_t> picked;
  for (const Stage& stage : stages_) {
    const size_t m = cur.size();
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
    if (picked.size() < m) cur.Keep(picked);
  }
  const size_t m = cur.size();
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
      const bool current = h.at == cur.generation();
      std::vector<uint32_t> at;  // the passing rows' positions in h.column
      if (!current) at = cur.PositionsIn(h.at);
      if (unscaled_[c]) {
        out.columns.push_back(current ? DecimalFromUnscaled(std::move(h.column), layout.types[c])
                                      : DecimalFromUnscaled(h.column, layout.types[c], at.data(), m));
      } else if (!current && h.at == 0 && dense) {  // whole and most rows passed: they stay in place
        h.column.KeepRows(at.data(), m);
        out.columns.push_back(std::move(h.column));
      } else {
        out.columns.push_back(current ? std::move(h.column) : h.column.Gather(at));
      }
      continue;
    }
    if (cur.all() || !dense) {
      Result<storage::ColumnVector> v = cur.all() ? batch.Column(k) : batch.ColumnAt(k, cur.rows());
      if (!v.ok()) return v.status();
      out.columns.push_back(FromStorageVector(std::move(*v)));
      continue;
    }
    Result<storage::ColumnVector> v = batch.Column(k);
    if (!v.ok()) return v.status();
    out.columns.push_back(FromStorageVector(std::move(*v)));
    out.columns.back().KeepRows(cur.rows().data(), m);
  }
  return out;
}

}  // namespace strata::query

#include "storage/scan_batch.h"

#include "common/check.h"

namespace strata::storage {

Result<std::vector<ColumnVector>> ScanBatch::TakeAll() {
  std::vector<ColumnVector> out;
  out.reserve(columns());
  for (size_t k = 0; k < columns(); ++k) {
    STRATA_ASSIGN_OR_RETURN(ColumnVector c, Column(k));
    out.push_back(std::move(c));
  }
  return out;
}

void DecodedBatch::Take(size_t k) {
  STRATA_CHECK(k < columns_.size() && !taken_[k], "a batch column is taken once");
  taken_[k] = true;
}

Result<ColumnVector> DecodedBatch::Column(size_t k) {
  Take(k);
  return std::move(columns_[k]);
}

Result<ColumnVector> DecodedBatch::ColumnAt(size_t k, std::span<const uint32_t> rows) {
  Take(k);
  ColumnVector out = PickRows(columns_[k], rows);
  columns_[k] = ColumnVector(columns_[k].type());
  return out;
}

ColumnVector PickRows(const ColumnVector& column, std::span<const uint32_t> rows) {
  ColumnVector out(column.type());
  out.Reserve(rows.size());
  size_t i = 0;
  while (i < rows.size()) {  // bounded: each pass appends >= 1 row
    STRATA_CHECK(rows[i] < column.size() && (i == 0 || rows[i] > rows[i - 1]), "rows ascending, in the column");
    size_t j = i + 1;
    while (j < rows.size() && rows[j] == rows[j - 1] + 1) ++j;  // a run of consecutive rows: one append
    STRATA_CHECK(rows[j - 1] < column.size(), "rows in the column");
    out.AppendRange(column, rows[i], rows[j - 1] + 1);
    i = j;
  }
  return out;
}

}  // namespace strata::storage

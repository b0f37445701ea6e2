// ScanBatch: one batch of a tablet scan (tablet_io.h) whose columns are
// decoded when the reader asks for them. A reader that filters rows decodes
// the columns its filter reads first and the others only at the rows that
// passed (ColumnAt), instead of every value of every column.
//
// Columns are indexed like TabletScanOptions::columns. Each column may be
// taken once (Column or ColumnAt). A batch is valid only during the sink
// call that receives it.
//
// Errors: DataLoss for damaged pages (naming the key, column, row group and
// page), as a whole-batch decode would give.
// Thread-safety: one batch, one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/result.h"
#include "storage/column_vector.h"

namespace strata::storage {

class ScanBatch {
 public:
  virtual ~ScanBatch() = default;
  virtual size_t rows() const = 0;
  virtual size_t columns() const = 0;
  // Every row of column k.
  virtual Result<ColumnVector> Column(size_t k) = 0;
  // Rows rows[0..n) of column k (ascending, distinct, each < rows()): a
  // vector of n rows, the i-th being row rows[i].
  virtual Result<ColumnVector> ColumnAt(size_t k, std::span<const uint32_t> rows) = 0;
  // Every column, every row (each column taken).
  Result<std::vector<ColumnVector>> TakeAll();
};

// A batch of columns decoded already (vectors of one size): what a scan hands
// on when delete predicates had to look at the rows first, and what a scan
// received over the network is.
class DecodedBatch final : public ScanBatch {
 public:
  explicit DecodedBatch(std::vector<ColumnVector>&& columns)
      : columns_(std::move(columns)), rows_(columns_.empty() ? 0 : columns_[0].size()), taken_(columns_.size()) {}
  size_t rows() const override { return rows_; }
  size_t columns() const override { return columns_.size(); }
  Result<ColumnVector> Column(size_t k) override;
  Result<ColumnVector> ColumnAt(size_t k, std::span<const uint32_t> rows) override;

 private:
  std::vector<ColumnVector> columns_;
  size_t rows_;  // columns_ may have been taken since
  std::vector<bool> taken_;
  void Take(size_t k);
};

// Receives the visible rows of a scan a batch at a time (see RowsetSink in
// tablet_io.h for the batches' sizes); a non-OK status stops the scan and is
// returned.
using BatchSink = std::function<Status(ScanBatch& batch)>;

// The rows of `column` at rows[0..n) (ascending), as a new vector.
ColumnVector PickRows(const ColumnVector& column, std::span<const uint32_t> rows);

}  // namespace strata::storage

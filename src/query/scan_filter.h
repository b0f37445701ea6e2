// A filter fused into a table scan (executor.cc), run in stages over a scan
// batch whose columns are decoded on demand (storage/scan_batch.h), so that
// a selective filter leaves most values undecoded:
//   1. the conjuncts that read one column, a column at a time (those that
//      only compare it with constants or test it for NULL first, then in
//      written order): the column is decoded at the rows the stages before
//      kept (the first one at every row) and its conjuncts run over them;
//   2. the conjuncts that read several columns (or none), over the rows
//      still kept, their columns decoded there;
//   3. the columns the filter does not read, decoded at the rows that passed.
// Splitting a WHERE into its AND-ed conjuncts and testing them in any order
// on fewer rows gives the same rows (select_rows.h).
//
// Thread-safety: Apply is const; one StagedFilter serves every scan thread.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "query/expr.h"
#include "query/types.h"
#include "storage/scan_batch.h"

namespace strata::query {

// How a scan's batch columns map to the table's columns.
struct ScanLayout {
  std::vector<int> batch_column;  // per table column: its index in the batch, -1 when not read
  std::vector<bool> wanted;       // per table column: the query uses it (else a NULL constant)
  std::vector<Type> types;        // per table column: the engine type the scan produces
};

class StagedFilter {
 public:
  // `filter` is over the table's `table_columns` columns. `unscaled` (empty:
  // none) marks the DECIMAL columns it reads as their unscaled BIGINT values
  // (NarrowDecimalFilter, select_rows.h); they are widened back for output.
  // The filter must outlive this object.
  StagedFilter(const BoundExpr& filter, std::vector<bool> unscaled, size_t table_columns);

  // The rows of `batch` that pass, as a chunk of every table column (NULL
  // constants where the layout does not want one). Errors: the batch's
  // (damaged pages); the filter's own errors are thrown, as Evaluate does.
  Result<Chunk> Apply(storage::ScanBatch& batch, const ScanLayout& layout) const;

 private:
  struct Stage {
    std::vector<const BoundExpr*> conjuncts;
    std::vector<size_t> columns;  // the table columns they read
  };
  std::vector<Stage> stages_;
  std::vector<bool> unscaled_;
};

}  // namespace strata::query

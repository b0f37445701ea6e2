// Filtering with a selection vector: the rows of a chunk for which a WHERE /
// HAVING / ON predicate is true, computed without evaluating every
// sub-expression over every row.
//
// A predicate is split into its AND-ed conjuncts (a row is kept only when all
// are true; FALSE and NULL both drop it, so the split is exact). Cheap
// conjuncts run first: a comparison of a column with a constant
// (`l_shipdate >= DATE '1994-01-01'`, `l_quantity < 24`) or `col IS [NOT]
// NULL` is tested directly on the column's typed buffer, and only on the rows
// the conjuncts before it kept. Any other conjunct is evaluated with
// Evaluate() — over the whole chunk while most rows are still selected, else
// over a chunk of only the surviving rows and only the columns it reads. A
// test of a string column that carries dictionary codes (Column::str_codes)
// against constants (=, <>, <, IN, LIKE, ...) is evaluated once per entry of
// the dictionary and each row takes its entry's answer.
//
// Evaluating a conjunct over fewer rows can only avoid errors (e.g. an
// overflow on a row another conjunct rejects), never add one; MySQL does not
// fix the order in which conjuncts are tested either.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "query/expr.h"

namespace strata::query {

// The rows of `chunk` (ascending) where `predicate` is true (non-NULL, non-zero).
void SelectRows(const BoundExpr& predicate, const Chunk& chunk, std::vector<uint32_t>* rows);

// A predicate's AND-ed conjuncts, in written order.
std::vector<const BoundExpr*> ConjunctsOf(const BoundExpr& predicate);
// SelectRows over the AND of `conjuncts` (none: every row).
void SelectRowsOf(std::span<const BoundExpr* const> conjuncts, const Chunk& chunk, std::vector<uint32_t>* rows);

// Which of a chunk's `columns` columns `e` reads (its column references).
std::vector<bool> ColumnsRead(const BoundExpr& e, size_t columns);

// For a filter fused into a scan (over the table's columns): the DECIMAL
// columns stored in 64 bits (precision <= 18) that the filter only compares
// with constants of their scale or tests for NULL are tested on their
// unscaled values, not widened to 128 bits first. Returns the filter with
// those columns read as BIGINT (UnscaledFromStorage) and its constants
// unscaled, and marks the columns in `narrow`; null when there is none.
BoundExprPtr NarrowDecimalFilter(const BoundExpr& filter, const std::vector<storage::ColumnSchema>& columns,
                                 std::vector<bool>* narrow);

}  // namespace strata::query

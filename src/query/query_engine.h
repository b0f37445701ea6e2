// The query engine's entry point: a SELECT statement that reads tables in,
// a MySQL result set out (or its EXPLAIN). Binds (binder.h), runs
// (executor.h) and prints every value as MySQL does for its type. Small
// results come back whole; large ones stream (SelectOptions::stream).
//
//   query::QueryEngine engine(&table_source);
//   sql::ResultSet rs = engine.Select(stmt, {.current_db = "db", .session = &scope});
//
// Errors: SqlException with MySQL codes (unknown tables and columns, type
// errors, ER_CAPACITY_EXCEEDED past memory_limit_bytes).
// Thread-safety: thread-safe (no state between queries); each call runs on
// the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "query/executor.h"
#include "query/table_source.h"
#include "sql/ast.h"
#include "sql/engine.h"
#include "sql/value.h"

namespace strata::query {

struct SelectOptions {
  std::string current_db;
  const sql::EvalScope* session = nullptr;
  uint64_t memory_limit_bytes = 2ull << 30;  // exec_mem_limit
  std::function<void()> check_interrupt;     // may throw to end the query
  // Non-null: once the rows pass kStreamAfterRows or kStreamAfterBytes they
  // go to `stream` as they are produced (the result says `streamed`) and
  // stop counting against memory_limit_bytes.
  sql::ResultStream* stream = nullptr;
};

inline constexpr size_t kStreamAfterRows = 4096;
inline constexpr uint64_t kStreamAfterBytes = 1 << 20;

class QueryEngine {
 public:
  explicit QueryEngine(TableSource* source) : source_(source) {}
  // Runs `stmt` (stmt.explain: returns the plan, one line per row, column
  // "Explain String").
  sql::ResultSet Select(const sql::SelectStmt& stmt, const SelectOptions& options);

 private:
  TableSource* source_;
};

}  // namespace strata::query

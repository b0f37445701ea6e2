// TableData: how the SQL layer reads and writes table data. server/
// implements it with the load coordinator (transactions over tablets in
// object storage); tests may use an in-memory fake.
//
// Errors: NotFound (unknown table), InvalidArgument (a value that does not fit
// its column — the whole statement writes nothing), AlreadyExists (label
// used), Aborted (conflicts persisted), Unavailable / DataLoss from storage.
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sql/ast.h"
#include "sql/engine.h"

namespace strata::sql {

struct InsertRequest {
  std::string db;
  std::string table;
  std::string label;                 // "" -> generated
  std::vector<std::string> columns;  // names, in row order; empty -> every table column
  std::vector<Row> rows;             // text cells; nullopt = NULL
};

struct InsertOutcome {
  uint64_t rows = 0;
  std::string label;
  std::string txn_id;
  uint64_t version = 0;
};

// One DELETE condition: `column op values` with values as text (typed by the
// column); op is one of = != < <= > >= IN "NOT IN" "IS NULL" "IS NOT NULL".
struct DeleteConditionText {
  std::string column;
  std::string op;
  std::vector<std::string> values;
};

struct DeleteRequest {
  std::string db;
  std::string table;
  std::vector<std::string> partitions;  // empty: all
  std::vector<DeleteConditionText> conditions;
};

class EvalScope;  // sql/value.h

// A SELECT for the query engine (query/): statements that read tables, or use
// clauses the minimal evaluator lacks (GROUP BY, DISTINCT, UNION, joins,
// subqueries, EXPLAIN). The session has checked the SELECT privilege on every
// table the statement names.
struct SelectRequest {
  const SelectStmt* stmt = nullptr;
  std::string current_db;                  // "" -> none
  const EvalScope* session = nullptr;      // variables and session functions
  uint64_t memory_limit_bytes = 0;         // exec_mem_limit
  std::function<void()> check_interrupt;   // throws SqlException to end the query (timeout)
  ResultStream* stream = nullptr;          // non-null: large results may stream (ResultSet::streamed)
};

// Runs SELECTs over tables. Unlike TableData's Result-returning methods, it
// throws SqlException (MySQL error codes), as the rest of the SQL layer does.
class SelectRunner {
 public:
  virtual ~SelectRunner() = default;
  virtual ResultSet Select(const SelectRequest& request) = 0;
};

class TableData {
 public:
  virtual ~TableData() = default;
  virtual Result<InsertOutcome> Insert(InsertRequest request) = 0;
  virtual Result<InsertOutcome> Delete(DeleteRequest request) = 0;
  // Every visible row (text cells), columns named and typed for the wire.
  // ResourceExhausted past rows_max rows.
  virtual Result<ResultSet> Scan(const std::string& db, const std::string& table, size_t rows_max) = 0;
  // The query engine over these tables; null: only the full scan above.
  virtual SelectRunner* select_runner() { return nullptr; }
};

}  // namespace strata::sql

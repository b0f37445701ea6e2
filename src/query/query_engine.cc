// The query engine's entry point (query_engine.h).
#include "query/query_engine.h"

#include "query/binder.h"
#include "query/distribute.h"
#include "query/fold.h"
#include "query/needed_columns.h"

namespace strata::query {

sql::ResultSet QueryEngine::Select(const sql::SelectStmt& stmt, const SelectOptions& options) {
  MemoryTracker memory(options.memory_limit_bytes);
  BindContext bind{.source = source_, .current_db = options.current_db, .session = options.session};
  // Uncorrelated subqueries run while binding, under the same memory bound.
  bind.run_subquery = [&](const sql::SelectStmt& sub) {
    PlanPtr plan = BindQuery(sub, bind);
    FoldPlan(*plan);
    plan = Distribute(std::move(plan));
    MarkNeededColumns(*plan);
    ExecContext ctx{.source = source_, .memory = &memory, .check_interrupt = options.check_interrupt};
    SubqueryResult r;
    r.columns = plan->output;
    r.rows = RunToChunk(*plan, ctx);
    return r;
  };
  PlanPtr plan = BindQuery(stmt, bind);
  FoldPlan(*plan);
  plan = Distribute(std::move(plan));
  MarkNeededColumns(*plan);
  sql::ResultSet rs;
  if (stmt.explain) {
    rs.columns.push_back(sql::ResultColumn{.name = "Explain String"});
    for (auto& line : ExplainPlan(*plan)) rs.rows.push_back(sql::Row{std::move(line)});
    return rs;
  }
  for (const auto& c : plan->output) {
    rs.columns.push_back(sql::ResultColumn{.name = c.name, .type = WireType(c.type), .table = c.table, .schema = c.schema});
  }
  ExecContext ctx{.source = source_, .memory = &memory, .check_interrupt = options.check_interrupt};
  // Rows become text as they arrive (the chunk is not kept); past the
  // stream threshold they go to the client batch by batch.
  class TextSink : public Sink {
   public:
    TextSink(sql::ResultSet* rs, MemoryTracker* memory, sql::ResultStream* stream)
        : rs_(rs), memory_(memory), stream_(stream) {}
    bool Push(Chunk chunk) override {
      uint64_t bytes = 0;
      std::vector<sql::Row> rows;
      rows.reserve(chunk.rows);
      for (size_t r = 0; r < chunk.rows; ++r) {
        sql::Row row;
        row.reserve(chunk.columns.size());
        for (const auto& c : chunk.columns) {
          row.push_back(FormatCell(c, r));
          bytes += 32 + (row.back() ? row.back()->size() : 0);
        }
        rows.push_back(std::move(row));
      }
      if (rs_->streamed) return stream_->Rows(std::move(rows));
      const bool large = rs_->rows.size() + rows.size() >= kStreamAfterRows || held_bytes_ + bytes >= kStreamAfterBytes;
      if (stream_ == nullptr || !large) {
        memory_->Consume(bytes);
        held_bytes_ += bytes;
        for (auto& row : rows) rs_->rows.push_back(std::move(row));
        return true;
      }
      // Large: what is held and this chunk go out now, the rest as it comes.
      for (auto& row : rows) rs_->rows.push_back(std::move(row));
      rs_->streamed = true;
      const bool more = stream_->Begin(*rs_);
      rs_->rows.clear();
      rs_->rows.shrink_to_fit();
      memory_->Release(held_bytes_);
      return more;
    }
    void Finish() override {}

   private:
    sql::ResultSet* rs_;
    MemoryTracker* memory_;
    sql::ResultStream* stream_;
    uint64_t held_bytes_ = 0;
  } sink(&rs, &memory, options.stream);
  Run(*plan, sink, ctx);
  return rs;
}

}  // namespace strata::query

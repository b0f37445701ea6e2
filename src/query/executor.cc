// The executor (executor.h): scan, filter, project, limit, distinct, sort,
// union. Aggregation: aggregate.cc; joins: hash_join.cc.
#include "query/executor.h"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "sql/mysql_errors.h"

namespace strata::query {

void MemoryTracker::Consume(uint64_t bytes) {
  used_bytes_ += bytes;
  if (used_bytes_ > limit_bytes_) {
    sql::Fail(sql::ER_CAPACITY_EXCEEDED,
              "Memory of the query exceeded exec_mem_limit (" + std::to_string(limit_bytes_) +
                  " bytes); raise it with SET exec_mem_limit = <bytes> or narrow the query");
  }
}

void AppendRow(Chunk& dst, const Chunk& src, size_t row) {
  for (size_t c = 0; c < dst.columns.size(); ++c) dst.columns[c].AppendFrom(src.columns[c], row);
  ++dst.rows;
}

Chunk EmptyChunk(const std::vector<OutputColumn>& columns) {
  Chunk c;
  for (const auto& col : columns) c.columns.emplace_back(col.type);
  return c;
}

namespace {

Chunk GatherRows(const Chunk& in, const std::vector<uint32_t>& rows) {
  Chunk out;
  out.rows = rows.size();
  for (const auto& c : in.columns) out.columns.push_back(c.Gather(rows));
  return out;
}

// ---------------------------------------------------------------- scan

void RunScan(const PlanNode& n, Sink& out, ExecContext& ctx) {
  const ScanSpec& spec = n.scan;
  const TableInfo& t = spec.table;
  storage::TabletScanOptions options;
  std::vector<size_t> read_columns;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (spec.read[i]) read_columns.push_back(i);
  }
  if (read_columns.empty() && !t.columns.empty()) read_columns.push_back(0);  // rows still need counting
  for (size_t i : read_columns) options.columns.push_back(t.columns[i].name);
  options.predicates = spec.predicates;
  bool stopped = false;
  std::exception_ptr error;
  for (size_t p : spec.partitions) {
    for (const TabletRef& tablet : t.partitions[p].tablets) {
      if (tablet.meta_key.empty()) continue;
      ++ctx.stats.tablets_scanned;
      Status s = ctx.source->ScanTablet(t, tablet, options, [&](std::vector<storage::ColumnVector>&& vectors) -> Status {
        try {
          if (ctx.check_interrupt) ctx.check_interrupt();
          Chunk chunk;
          chunk.rows = vectors.empty() ? 0 : vectors[0].size();
          if (chunk.rows == 0) return Status::OK();
          size_t next = 0;
          for (size_t i = 0; i < t.columns.size(); ++i) {
            if (next < read_columns.size() && read_columns[next] == i && spec.read[i]) {
              chunk.columns.push_back(FromStorageVector(vectors[next++]));
            } else {
              if (next < read_columns.size() && read_columns[next] == i) ++next;
              chunk.columns.push_back(Column::Constant(n.output[i].type, Scalar::Null(), chunk.rows));
            }
          }
          ++ctx.stats.batches_scanned;
          ctx.stats.rows_scanned += chunk.rows;
          if (!out.Push(std::move(chunk))) {
            stopped = true;
            return Aborted("the query needs no more rows");
          }
          return Status::OK();
        } catch (...) {
          error = std::current_exception();
          return Aborted("the query ended");
        }
      });
      if (error) std::rethrow_exception(error);
      if (stopped) {
        out.Finish();
        return;
      }
      if (!s.ok()) sql::Fail(sql::ER_UNKNOWN_ERROR, "reading table " + t.db + "." + t.name + ": " + s.ToString());
    }
  }
  out.Finish();
}

// ---------------------------------------------------------------- streaming operators

class FilterSink : public Sink {
 public:
  FilterSink(const BoundExpr& predicate, Sink& out) : predicate_(predicate), out_(out) {}
  bool Push(Chunk chunk) override {
    Column keep = Evaluate(predicate_, chunk);
    std::vector<uint32_t> rows;
    rows.reserve(chunk.rows);
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (IsTrueAt(keep, r)) rows.push_back(static_cast<uint32_t>(r));
    }
    if (rows.empty()) return true;
    if (rows.size() == chunk.rows) return out_.Push(std::move(chunk));
    return out_.Push(GatherRows(chunk, rows));
  }
  void Finish() override { out_.Finish(); }

 private:
  const BoundExpr& predicate_;
  Sink& out_;
};

class ProjectSink : public Sink {
 public:
  ProjectSink(const std::vector<BoundExprPtr>& exprs, Sink& out) : exprs_(exprs), out_(out) {}
  bool Push(Chunk chunk) override {
    Chunk projected;
    projected.rows = chunk.rows;
    for (const auto& e : exprs_) projected.columns.push_back(Evaluate(*e, chunk));
    return out_.Push(std::move(projected));
  }
  void Finish() override { out_.Finish(); }

 private:
  const std::vector<BoundExprPtr>& exprs_;
  Sink& out_;
};

class LimitSink : public Sink {
 public:
  LimitSink(uint64_t offset, std::optional<uint64_t> limit, Sink& out) : skip_(offset), limit_(limit), out_(out) {}
  bool Push(Chunk chunk) override {
    if (limit_ && taken_ >= *limit_) return false;
    std::vector<uint32_t> rows;
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (skip_ > 0) {
        --skip_;
        continue;
      }
      if (limit_ && taken_ >= *limit_) break;
      rows.push_back(static_cast<uint32_t>(r));
      ++taken_;
    }
    bool more = !limit_ || taken_ < *limit_;
    if (!rows.empty() && !out_.Push(GatherRows(chunk, rows))) return false;
    return more;
  }
  void Finish() override { out_.Finish(); }

 private:
  uint64_t skip_;
  std::optional<uint64_t> limit_;
  uint64_t taken_ = 0;
  Sink& out_;
};

class DistinctSink : public Sink {
 public:
  DistinctSink(Sink& out, ExecContext& ctx) : out_(out), ctx_(ctx) {}
  bool Push(Chunk chunk) override {
    std::vector<uint32_t> rows;
    std::string key;
    for (size_t r = 0; r < chunk.rows; ++r) {
      key.clear();
      for (const auto& c : chunk.columns) EncodeKey(c, r, &key);
      if (seen_.insert(key).second) {
        ctx_.memory->Consume(key.size() + 48);
        rows.push_back(static_cast<uint32_t>(r));
      }
    }
    if (rows.empty()) return true;
    return out_.Push(GatherRows(chunk, rows));
  }
  void Finish() override { out_.Finish(); }

 private:
  Sink& out_;
  ExecContext& ctx_;
  std::unordered_set<std::string> seen_;
};

// MySQL orders NULLs first ascending and last descending.
class SortSink : public Sink {
 public:
  SortSink(const PlanNode& node, Sink& out, ExecContext& ctx)
      : node_(node), out_(out), ctx_(ctx), rows_(EmptyChunk(node.output)) {}
  bool Push(Chunk chunk) override {
    uint64_t before = rows_.ApproxBytes();
    for (size_t r = 0; r < chunk.rows; ++r) AppendRow(rows_, chunk, r);
    ctx_.memory->Consume(rows_.ApproxBytes() - before);
    return true;
  }
  void Finish() override {
    std::vector<uint32_t> order(rows_.rows);
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
    auto less = [&](uint32_t a, uint32_t b) {
      for (const SortKey& k : node_.sort_keys) {
        const Column& c = rows_.columns[k.column];
        bool an = c.IsNull(a), bn = c.IsNull(b);
        int cmp = an || bn ? (an == bn ? 0 : an ? -1 : 1) : CompareAt(c, a, c, b);
        if (cmp != 0) return k.desc ? cmp > 0 : cmp < 0;
      }
      return a < b;  // stable
    };
    size_t keep = order.size();
    if (node_.limit && *node_.limit < order.size()) {
      keep = *node_.limit;
      std::partial_sort(order.begin(), order.begin() + static_cast<long>(keep), order.end(), less);
    } else {
      std::sort(order.begin(), order.end(), less);
    }
    for (size_t start = 0; start < keep; start += kOutputBatchRows) {
      std::vector<uint32_t> batch(order.begin() + static_cast<long>(start),
                                  order.begin() + static_cast<long>(std::min(keep, start + kOutputBatchRows)));
      if (!out_.Push(GatherRows(rows_, batch))) break;
    }
    out_.Finish();
  }

 private:
  const PlanNode& node_;
  Sink& out_;
  ExecContext& ctx_;
  Chunk rows_;
};

// Forwards every child's rows; finishes downstream after the last child.
class UnionSink : public Sink {
 public:
  UnionSink(size_t children, Sink& out) : remaining_(children), out_(out) {}
  bool Push(Chunk chunk) override {
    if (stopped_) return false;
    stopped_ = !out_.Push(std::move(chunk));
    return !stopped_;
  }
  void Finish() override {
    if (--remaining_ == 0) out_.Finish();
  }
  bool stopped() const { return stopped_; }

 private:
  size_t remaining_;
  Sink& out_;
  bool stopped_ = false;
};

class CollectSink : public Sink {
 public:
  CollectSink(Chunk* out, ExecContext& ctx) : out_(out), ctx_(ctx) {}
  bool Push(Chunk chunk) override {
    uint64_t before = out_->ApproxBytes();
    for (size_t r = 0; r < chunk.rows; ++r) AppendRow(*out_, chunk, r);
    ctx_.memory->Consume(out_->ApproxBytes() - before);
    return true;
  }
  void Finish() override {}

 private:
  Chunk* out_;
  ExecContext& ctx_;
};

}  // namespace

void Run(const PlanNode& n, Sink& out, ExecContext& ctx) {
  using Kind = PlanNode::Kind;
  switch (n.kind) {
    case Kind::kScan: return RunScan(n, out, ctx);
    case Kind::kOneRow: {
      Chunk one;
      one.rows = 1;
      out.Push(std::move(one));
      return out.Finish();
    }
    case Kind::kFilter: {
      FilterSink f(*n.predicate, out);
      return Run(*n.children[0], f, ctx);
    }
    case Kind::kProject: {
      ProjectSink p(n.exprs, out);
      return Run(*n.children[0], p, ctx);
    }
    case Kind::kLimit: {
      if (n.limit && *n.limit == 0) return out.Finish();
      LimitSink l(n.offset, n.limit, out);
      return Run(*n.children[0], l, ctx);
    }
    case Kind::kDistinct: {
      DistinctSink d(out, ctx);
      return Run(*n.children[0], d, ctx);
    }
    case Kind::kSort: {
      SortSink s(n, out, ctx);
      return Run(*n.children[0], s, ctx);
    }
    case Kind::kAggregate: {
      auto a = NewAggregateSink(n, out, ctx);
      return Run(*n.children[0], *a, ctx);
    }
    case Kind::kHashJoin: return RunHashJoin(n, out, ctx);
    case Kind::kUnion: {
      UnionSink u(n.children.size(), out);
      for (const auto& child : n.children) {
        if (u.stopped()) {
          u.Finish();
          continue;
        }
        Run(*child, u, ctx);
      }
      return;
    }
  }
}

Chunk RunToChunk(const PlanNode& plan, ExecContext& ctx) {
  Chunk out = EmptyChunk(plan.output);
  CollectSink sink(&out, ctx);
  Run(plan, sink, ctx);
  return out;
}

}  // namespace strata::query

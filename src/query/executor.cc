// The executor (executor.h): scan, filter, project, limit, distinct, sort,
// union. Aggregation: aggregate.cc; joins: hash_join.cc.
#include "query/executor.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <exception>
#include <unordered_set>

#include "common/failpoint.h"
#include "query/binder_internal.h"
#include "query/fragment_codec.h"
#include "query/scan_filter.h"
#include "query/select_rows.h"
#include "sql/mysql_errors.h"

namespace strata::query {

void MemoryTracker::Consume(uint64_t bytes) {
  if (used_bytes_.fetch_add(bytes) + bytes > limit_bytes_) {
    sql::Fail(sql::ER_CAPACITY_EXCEEDED,
              "Memory of the query exceeded exec_mem_limit (" + std::to_string(limit_bytes_) +
                  " bytes); raise it with SET exec_mem_limit = <bytes> or narrow the query");
  }
}

const TabletRef* TabletQueue::Next() {
  if (stopped_.load()) return nullptr;
  size_t i = next_.fetch_add(1);
  return i < tablets_.size() ? &tablets_[i] : nullptr;
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

void AppendChunk(Chunk& dst, const Chunk& src) {
  for (size_t c = 0; c < dst.columns.size(); ++c) dst.columns[c].AppendColumn(src.columns[c]);
  dst.rows += src.rows;
}

// ---------------------------------------------------------------- scan

struct ScanShared {
  const PlanNode& node;
  const std::vector<size_t>& read_columns;
  const storage::TabletScanOptions& options;
  Sink& out;
  ExecContext& ctx;
  // A filter fused into the scan (the plan's Filter right above it), run in
  // stages as the batch's columns are decoded; null: none.
  const StagedFilter* filter = nullptr;
  const ScanLayout* layout = nullptr;
  std::atomic<bool> stop{false};
  std::mutex mu;                // guards error, stats below
  std::exception_ptr error;     // the first exception of any task
  ExecStats stats;
};

// The engine chunk of one scanned batch: read columns taken without a copy,
// the others NULL constants.
Chunk ToChunk(const ScanShared& sh, std::vector<storage::ColumnVector>&& vectors) {
  const ScanSpec& spec = sh.node.scan;
  Chunk chunk;
  chunk.rows = vectors.empty() ? 0 : vectors[0].size();
  size_t next = 0;
  for (size_t i = 0; i < spec.table.columns.size(); ++i) {
    if (next < sh.read_columns.size() && sh.read_columns[next] == i && spec.read[i]) {
      chunk.columns.push_back(FromStorageVector(std::move(vectors[next++])));
    } else {
      if (next < sh.read_columns.size() && sh.read_columns[next] == i) ++next;
      chunk.columns.push_back(Column::Constant(sh.node.output[i].type, Scalar::Null(), chunk.rows));
    }
  }
  return chunk;
}

// The chunk a batch hands on: its rows that pass the fused filter (decoding
// only what the filter's stages need), else every row. Empty chunks are not
// pushed. False once the sink wants no more rows.
Result<bool> PushBatch(const ScanShared& sh, storage::ScanBatch& batch) {
  if (sh.filter == nullptr) {
    STRATA_ASSIGN_OR_RETURN(std::vector<storage::ColumnVector> vectors, batch.TakeAll());
    return sh.out.Push(ToChunk(sh, std::move(vectors)));
  }
  STRATA_ASSIGN_OR_RETURN(Chunk chunk, sh.filter->Apply(batch, *sh.layout));
  if (chunk.rows == 0) return true;
  return sh.out.Push(std::move(chunk));
}

// Scans one tablet into sh.out; false once the query should stop (no more
// rows wanted, or an error recorded in sh.error).
bool ScanOne(ScanShared& sh, const TabletRef& tablet) {
  const TableInfo& t = sh.node.scan.table;
  ExecStats local;
  ++local.tablets_scanned;
  bool wanted_no_more = false;
  std::exception_ptr error;
  Status s = sh.ctx.source->ScanTabletBatches(t, tablet, sh.options, [&](storage::ScanBatch& batch) -> Status {
    if (sh.stop.load(std::memory_order_relaxed)) return Aborted("the query ended");
    // Tests slow scans down here (sleep:<ms>) to KILL a query mid-flight.
    STRATA_FAILPOINT("query.scan.batch");
    try {
      if (sh.ctx.check_interrupt) sh.ctx.check_interrupt();
      const size_t scanned = batch.columns() == 0 ? 0 : batch.rows();
      if (scanned == 0) return Status::OK();
      ++local.batches_scanned;
      local.rows_scanned += scanned;
      Result<bool> more = PushBatch(sh, batch);
      if (!more.ok()) return more.status();  // a damaged page: reported as the scan's error
      if (!*more) {
        wanted_no_more = true;
        return Aborted("the query needs no more rows");
      }
      return Status::OK();
    } catch (...) {
      error = std::current_exception();
      return Aborted("the query ended");
    }
  });
  if (!error && !wanted_no_more && !s.ok() && !sh.stop.load()) {
    try {
      sql::Fail(sql::ER_UNKNOWN_ERROR, "reading table " + t.db + "." + t.name + ": " + s.ToString());
    } catch (...) {
      error = std::current_exception();
    }
  }
  std::lock_guard<std::mutex> lock(sh.mu);
  sh.stats.tablets_scanned += local.tablets_scanned;
  sh.stats.batches_scanned += local.batches_scanned;
  sh.stats.rows_scanned += local.rows_scanned;
  if (error && !sh.error) sh.error = error;
  if (error || wanted_no_more) sh.stop.store(true);
  return !sh.stop.load();
}

// Scan tasks run at once: one per tablet, at most one per core.
size_t ScanThreads(size_t tablets) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min({tablets, cores, kScanThreadsMax});
}

// Reads every tablet of the surviving partitions. With `concurrent`, the
// sink accepts pushes from several threads at once (the pipeline up to a
// locked breaker) and tablets are scanned by up to ScanThreads tasks, taken
// in order from a shared cursor; otherwise one after another in order.
void RunScan(const PlanNode& n, Sink& out, ExecContext& ctx, bool concurrent, const BoundExpr* filter = nullptr) {
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
  std::vector<const TabletRef*> tablets;
  for (size_t p : spec.partitions) {
    for (const TabletRef& tablet : t.partitions[p].tablets) {
      if (!tablet.meta_key.empty()) tablets.push_back(&tablet);
    }
  }
  ScanShared sh{.node = n, .read_columns = read_columns, .options = options, .out = out, .ctx = ctx};
  ScanLayout layout;
  BoundExprPtr narrow_filter;
  std::optional<StagedFilter> staged;
  if (filter) {
    std::vector<bool> narrow;
    narrow_filter = NarrowDecimalFilter(*filter, t.columns, &narrow);
    for (size_t i = 0; i < narrow.size() && narrow_filter; ++i) {
      if (narrow[i] && !spec.read[i]) narrow_filter = nullptr;  // its column would be a NULL constant
    }
    if (!narrow_filter) narrow.clear();
    staged.emplace(narrow_filter ? *narrow_filter : *filter, std::move(narrow), t.columns.size());
    layout.batch_column.assign(t.columns.size(), -1);
    for (size_t k = 0; k < read_columns.size(); ++k) layout.batch_column[read_columns[k]] = static_cast<int>(k);
    layout.wanted = spec.read;
    for (const OutputColumn& c : n.output) layout.types.push_back(c.type);
    sh.filter = &*staged;
    sh.layout = &layout;
  }
  const size_t threads = concurrent && ctx.tablets == nullptr ? ScanThreads(tablets.size()) : 1;
  if (ctx.tablets != nullptr) {  // a fragment instance: tablets from the fragment's queue, one at a time
    while (const TabletRef* tablet = ctx.tablets->Next()) {
      if (!ScanOne(sh, *tablet)) break;
    }
  } else if (threads <= 1) {
    for (const TabletRef* tablet : tablets) {
      if (!ScanOne(sh, *tablet)) break;
    }
  } else {
    std::atomic<size_t> cursor{0};
    auto task = [&] {
      for (size_t i = cursor++; i < tablets.size(); i = cursor++) {  // bounded by the tablet count
        if (!ScanOne(sh, *tablets[i])) return;
      }
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < threads; ++w) pool.emplace_back(task);
    task();
    for (auto& th : pool) th.join();
  }
  ctx.stats.tablets_scanned += sh.stats.tablets_scanned;
  ctx.stats.batches_scanned += sh.stats.batches_scanned;
  ctx.stats.rows_scanned += sh.stats.rows_scanned;
  if (sh.error) std::rethrow_exception(sh.error);
  out.Finish();
}

// Serializes pushes from concurrent scan tasks into a breaker that is not
// thread-safe (aggregate); Finish comes once, after every task ended.
class LockedSink : public Sink {
 public:
  explicit LockedSink(Sink& out) : out_(out) {}
  bool Push(Chunk chunk) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return false;
    stopped_ = !out_.Push(std::move(chunk));
    return !stopped_;
  }
  void Finish() override { out_.Finish(); }

 private:
  Sink& out_;
  std::mutex mu_;
  bool stopped_ = false;
};

// ---------------------------------------------------------------- streaming operators

class FilterSink : public Sink {
 public:
  FilterSink(const BoundExpr& predicate, Sink& out) : predicate_(predicate), out_(out) {}
  bool Push(Chunk chunk) override {
    std::vector<uint32_t> rows;
    SelectRows(predicate_, chunk, &rows);
    if (rows.empty()) return true;
    if (rows.size() == chunk.rows) return out_.Push(std::move(chunk));
    return out_.Push(GatherRows(chunk, rows));
  }
  void Finish() override { out_.Finish(); }

 private:
  const BoundExpr& predicate_;
  Sink& out_;
};

// A bare column that no other expression reads moves to the output instead
// of being copied (a join's column order restored, a subquery's columns).
class ProjectSink : public Sink {
 public:
  // Evaluates node.exprs; an output no node above reads (node.needed_outputs)
  // is a NULL constant instead.
  ProjectSink(const PlanNode& node, Sink& out) : node_(node), out_(out) {
    const auto& exprs = node_.exprs;
    std::vector<size_t> reads;
    for (size_t i = 0; i < exprs.size(); ++i) {
      if (Needed(i)) ReferencedColumns(*exprs[i], &reads);
    }
    for (size_t i = 0; i < exprs.size(); ++i) {
      const BoundExpr& e = *exprs[i];
      moves_.push_back(Needed(i) && e.op == ExprOp::kColumn && std::count(reads.begin(), reads.end(), e.column) == 1);
    }
  }
  bool Push(Chunk chunk) override {
    Chunk projected;
    projected.rows = chunk.rows;
    const auto& exprs = node_.exprs;
    for (size_t i = 0; i < exprs.size(); ++i) {
      if (!Needed(i)) {
        projected.columns.push_back(Column::Constant(node_.output[i].type, Scalar::Null(), chunk.rows));
      } else if (moves_[i]) {
        projected.columns.push_back(std::move(chunk.columns[exprs[i]->column]));
      } else {
        projected.columns.push_back(Evaluate(*exprs[i], chunk));
      }
    }
    return out_.Push(std::move(projected));
  }
  void Finish() override { out_.Finish(); }

 private:
  bool Needed(size_t i) const { return node_.needed_outputs.empty() || node_.needed_outputs[i]; }

  const PlanNode& node_;
  std::vector<bool> moves_;  // per expression: a bare column read by no other needed expression
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
    if (node_.limit && chunk.rows > *node_.limit) chunk = TopRows(chunk, *node_.limit);
    ctx_.memory->Consume(chunk.ApproxBytes());
    AppendChunk(rows_, chunk);
    if (node_.limit && rows_.rows >= 2 * *node_.limit + kOutputBatchRows) rows_ = TopRows(rows_, *node_.limit);
    return true;
  }
  void Finish() override {
    std::vector<uint32_t> order = Order(rows_, node_.limit);
    const size_t keep = order.size();
    for (size_t start = 0; start < keep; start += kOutputBatchRows) {
      std::vector<uint32_t> batch(order.begin() + static_cast<long>(start),
                                  order.begin() + static_cast<long>(std::min(keep, start + kOutputBatchRows)));
      if (!out_.Push(GatherRows(rows_, batch))) break;
    }
    out_.Finish();
  }

 private:
  // The first `limit` (all without one) row numbers of `rows` in sort order;
  // ties keep arrival order.
  std::vector<uint32_t> Order(const Chunk& rows, std::optional<uint64_t> limit) const {
    std::vector<uint32_t> order(rows.rows);
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
    auto less = [&](uint32_t a, uint32_t b) {
      for (const SortKey& k : node_.sort_keys) {
        const Column& c = rows.columns[k.column];
        bool an = c.IsNull(a), bn = c.IsNull(b);
        int cmp = an || bn ? (an == bn ? 0 : an ? -1 : 1) : CompareAt(c, a, c, b);
        if (cmp != 0) return k.desc ? cmp > 0 : cmp < 0;
      }
      return a < b;  // stable
    };
    if (limit && *limit < order.size()) {
      std::partial_sort(order.begin(), order.begin() + static_cast<long>(*limit), order.end(), less);
      order.resize(*limit);
    } else {
      std::sort(order.begin(), order.end(), less);
    }
    return order;
  }
  // The first `limit` rows of `rows` in sort order, in that order: top-N
  // keeps only what can still make the cut (ties keep arrival order, so the
  // result is the one a full sort would give).
  Chunk TopRows(const Chunk& rows, uint64_t limit) const { return GatherRows(rows, Order(rows, limit)); }

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
    ctx_.memory->Consume(chunk.ApproxBytes());
    AppendChunk(*out_, chunk);
    return true;
  }
  void Finish() override {}

 private:
  Chunk* out_;
  ExecContext& ctx_;
};


// COUNT(*) with nothing else over a bare scan (no WHERE, no GROUP BY): the
// sum of the tablets' row counts when the source knows every one exactly.
bool TryCountFromMetadata(const PlanNode& n, Sink& out, ExecContext& ctx) {
  if (ctx.tablets != nullptr) return false;  // a fragment instance counts only its share
  if (!n.group_keys.empty() || n.aggs.empty() || n.children.size() != 1) return false;
  const PlanNode& child = *n.children[0];
  if (child.kind != PlanNode::Kind::kScan) return false;
  for (const AggSpec& a : n.aggs) {
    if (a.func != AggFunc::kCountStar) return false;
  }
  const TableInfo& t = child.scan.table;
  uint64_t total = 0;
  for (size_t p : child.scan.partitions) {
    for (const TabletRef& tablet : t.partitions[p].tablets) {
      if (tablet.meta_key.empty()) continue;
      std::optional<uint64_t> rows = ctx.source->TabletRowCount(t, tablet);
      if (!rows) return false;
      total += *rows;
    }
  }
  if (ctx.check_interrupt) ctx.check_interrupt();
  Chunk chunk;
  chunk.rows = 1;
  for (const AggSpec& a : n.aggs) {
    Column c(a.type);
    c.AppendI64(static_cast<int64_t>(total));
    chunk.columns.push_back(std::move(c));
  }
  out.Push(std::move(chunk));
  out.Finish();
  return true;
}

void RunExchange(const PlanNode& n, Sink& out, ExecContext& ctx, bool concurrent);

// `concurrent`: `out` accepts pushes from several threads at once.
void RunNode(const PlanNode& n, Sink& out, ExecContext& ctx, bool concurrent) {
  using Kind = PlanNode::Kind;
  switch (n.kind) {
    case Kind::kScan: return RunScan(n, out, ctx, concurrent);
    case Kind::kOneRow: {
      Chunk one;
      one.rows = 1;
      out.Push(std::move(one));
      return out.Finish();
    }
    case Kind::kFilter: {  // stateless: as concurrent as its output
      // Right above a scan, the scan applies it (converting only the rows that pass).
      if (n.children[0]->kind == Kind::kScan) return RunScan(*n.children[0], out, ctx, concurrent, n.predicate.get());
      FilterSink f(*n.predicate, out);
      return RunNode(*n.children[0], f, ctx, concurrent);
    }
    case Kind::kProject: {  // stateless: as concurrent as its output
      ProjectSink p(n, out);
      return RunNode(*n.children[0], p, ctx, concurrent);
    }
    case Kind::kLimit: {
      if (n.limit && *n.limit == 0) return out.Finish();
      LimitSink l(n.offset, n.limit, out);
      return RunNode(*n.children[0], l, ctx, false);
    }
    case Kind::kDistinct: {
      DistinctSink d(out, ctx);
      return RunNode(*n.children[0], d, ctx, false);
    }
    case Kind::kSort: {
      SortSink s(n, out, ctx);
      return RunNode(*n.children[0], s, ctx, false);
    }
    case Kind::kAggregate: {
      if (TryCountFromMetadata(n, out, ctx)) return;
      // Groups come out in no defined order, so rows may arrive from
      // several scan tasks at once (serialized by the lock).
      auto a = NewAggregateSink(n, out, ctx);
      LockedSink locked(*a);
      return RunNode(*n.children[0], locked, ctx, true);
    }
    case Kind::kHashJoin: return RunHashJoin(n, out, ctx, concurrent);
    case Kind::kExchange: return RunExchange(n, out, ctx, concurrent);
    case Kind::kUnion: {
      UnionSink u(n.children.size(), out);
      for (const auto& child : n.children) {
        if (u.stopped()) {
          u.Finish();
          continue;
        }
        RunNode(*child, u, ctx, false);
      }
      return;
    }
  }
}

// One fragment instance's output: rows go on to the shared (locked) sink,
// Finish is the fragment's to call once every instance is done.
class InstanceSink : public Sink {
 public:
  InstanceSink(Sink& shared, TabletQueue& queue) : shared_(shared), queue_(queue) {}
  bool Push(Chunk chunk) override {
    if (shared_.Push(std::move(chunk))) return true;
    queue_.Stop();  // no more rows wanted: the other instances stop too
    return false;
  }
  void Finish() override {}

 private:
  Sink& shared_;
  TabletQueue& queue_;
};

// The tablets of the surviving partitions that hold data.
std::vector<TabletRef> FragmentTablets(const PlanNode& fragment) {
  const ScanSpec& spec = FragmentScan(fragment).scan;
  std::vector<TabletRef> tablets;
  for (size_t p : spec.partitions) {
    for (const TabletRef& t : spec.table.partitions[p].tablets) {
      if (!t.meta_key.empty()) tablets.push_back(t);
    }
  }
  return tablets;
}

// EXCHANGE: the fragment on the compute nodes that own its tablets, else
// here: a partial aggregate or top-N one instance per worker, a plain chain
// of filters and projections as any scan pipeline (in tablet order unless
// `concurrent`).
void RunExchange(const PlanNode& n, Sink& out, ExecContext& ctx, bool concurrent) {
  const PlanNode& fragment = *n.children[0];
  std::vector<TabletRef> tablets = FragmentTablets(fragment);
  if (tablets.empty()) return out.Finish();
  LockedSink locked(out);
  std::mutex mu;
  std::exception_ptr error;  // the first exception of the sink or the interrupt check
  auto keep = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mu);
    if (!error) error = e;
  };
  auto should_stop = [&] {
    try {
      if (ctx.check_interrupt) ctx.check_interrupt();
      std::lock_guard<std::mutex> lock(mu);
      return error != nullptr;
    } catch (...) {
      keep(std::current_exception());
      return true;
    }
  };
  std::atomic<uint64_t> chunks{0};  // the sink runs on several threads at once
  auto sink = [&](Chunk&& chunk) {
    try {
      chunks.fetch_add(1, std::memory_order_relaxed);
      return locked.Push(std::move(chunk));
    } catch (...) {
      keep(std::current_exception());
      return false;
    }
  };
  const TableInfo& table = FragmentScan(fragment).scan.table;
  Status s = ctx.source->RunFragment(FragmentCall{.table = table, .tablets = tablets, .fragment = fragment,
                                                  .memory_limit_bytes = ctx.memory->limit_bytes(),
                                                  .should_stop = should_stop},
                                     sink);
  if (s.code() == StatusCode::kUnimplemented) {
    const bool merges = fragment.kind == PlanNode::Kind::kAggregate || fragment.kind == PlanNode::Kind::kSort;
    if (!merges) return RunNode(fragment, out, ctx, concurrent);
    return RunFragment(fragment, std::move(tablets), out, ctx);
  }
  if (error) std::rethrow_exception(error);
  if (auto marked = FindSqlErrorMark(s.message())) sql::Fail(marked->first, marked->second);
  if (!s.ok() && s.code() != StatusCode::kAborted) {  // Aborted: no more rows were wanted
    sql::Fail(sql::ER_UNKNOWN_ERROR, "reading table " + table.db + "." + table.name + ": " + s.ToString());
  }
  ctx.stats.tablets_scanned += tablets.size();
  ctx.stats.batches_scanned += chunks.load();
  out.Finish();
}

}  // namespace

void RunFragment(const PlanNode& fragment, std::vector<TabletRef> tablets, Sink& out, ExecContext& ctx) {
  TabletQueue queue(std::move(tablets));
  LockedSink locked(out);
  std::mutex mu;
  std::exception_ptr error;
  ExecStats stats;
  auto instance = [&] {
    ExecContext mine{.source = ctx.source, .memory = ctx.memory, .check_interrupt = ctx.check_interrupt, .tablets = &queue};
    InstanceSink sink(locked, queue);
    try {
      RunNode(fragment, sink, mine, false);
    } catch (...) {
      queue.Stop();
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mu);
    stats.tablets_scanned += mine.stats.tablets_scanned;
    stats.batches_scanned += mine.stats.batches_scanned;
    stats.rows_scanned += mine.stats.rows_scanned;
  };
  const size_t workers = ScanThreads(queue.size());
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(instance);
  instance();
  for (auto& th : pool) th.join();
  ctx.stats.tablets_scanned += stats.tablets_scanned;
  ctx.stats.batches_scanned += stats.batches_scanned;
  ctx.stats.rows_scanned += stats.rows_scanned;
  if (error) std::rethrow_exception(error);
  out.Finish();
}

void Run(const PlanNode& n, Sink& out, ExecContext& ctx) { RunNode(n, out, ctx, false); }
void RunConcurrent(const PlanNode& n, Sink& out, ExecContext& ctx) { RunNode(n, out, ctx, true); }

Chunk RunToChunk(const PlanNode& plan, ExecContext& ctx) {
  Chunk out = EmptyChunk(plan.output);
  CollectSink sink(&out, ctx);
  Run(plan, sink, ctx);
  return out;
}

}  // namespace strata::query

// The executor: runs a plan (plan.h) as a push pipeline of operators over
// chunks. A scan pushes each batch it reads through filters and projections
// to the next pipeline breaker (aggregate, sort, distinct, join build side),
// which pushes its own output on when its input is done. A downstream
// operator that needs no more rows (LIMIT) answers false and the scans stop
// reading.
//
// Memory: every operator that keeps rows (aggregate, sort, distinct, join
// build, the result) charges a per-query MemoryTracker; past its limit the
// query ends with ER_CAPACITY_EXCEEDED (3170) naming exec_mem_limit, never an
// OOM kill. Errors: SqlException (the storage's errors become ER_UNKNOWN_ERROR
// with their message).
//
// Thread-safety: one query per executor call. A scan feeding an aggregate
// runs one task per tablet on up to kScanThreadsMax threads (bounded by the
// cores); filters and projections between them run on those threads, the
// aggregate behind a lock. A fragment (distribute.h) runs one instance per
// worker thread, each with its own operators, the workers taking tablets
// from one queue. ExecContext::check_interrupt, the TableSource and the
// MemoryTracker are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "query/plan.h"
#include "query/table_source.h"

namespace strata::query {

class MemoryTracker {
 public:
  explicit MemoryTracker(uint64_t limit_bytes) : limit_bytes_(limit_bytes) {}
  // Adds `bytes` to the query's usage; throws ER_CAPACITY_EXCEEDED past the limit.
  void Consume(uint64_t bytes);
  // Gives back what an earlier Consume charged (rows sent to the client).
  void Release(uint64_t bytes) { used_bytes_.fetch_sub(bytes); }
  uint64_t used_bytes() const { return used_bytes_.load(); }
  uint64_t limit_bytes() const { return limit_bytes_; }

 private:
  uint64_t limit_bytes_;
  std::atomic<uint64_t> used_bytes_{0};
};

// The tablets a fragment's instances read, handed out one at a time.
class TabletQueue {
 public:
  explicit TabletQueue(std::vector<TabletRef> tablets) : tablets_(std::move(tablets)) {}
  // The next tablet to read; null when all are taken or Stop was called.
  const TabletRef* Next();
  void Stop() { stopped_.store(true); }
  size_t size() const { return tablets_.size(); }

 private:
  std::vector<TabletRef> tablets_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stopped_{false};
};

struct ExecStats {
  uint64_t tablets_scanned = 0;
  uint64_t rows_scanned = 0;
  uint64_t batches_scanned = 0;
};

struct ExecContext {
  TableSource* source = nullptr;
  MemoryTracker* memory = nullptr;
  ExecStats stats;
  // Polled between batches; throwing from it (KILL, timeout) ends the query.
  std::function<void()> check_interrupt;
  // Inside a fragment instance: the scan reads these tablets (not its
  // partitions), on the instance's thread.
  TabletQueue* tablets = nullptr;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Takes the rows of `chunk`; false when no more rows are wanted.
  virtual bool Push(Chunk chunk) = 0;
  // No more rows will come (called exactly once).
  virtual void Finish() = 0;
};

// Runs `plan`, pushing its rows into `out` and then calling out.Finish().
void Run(const PlanNode& plan, Sink& out, ExecContext& ctx);
// Run, where `out` accepts pushes from several threads at once: scans read
// their tablets in parallel, rows arrive in no defined order.
void RunConcurrent(const PlanNode& plan, Sink& out, ExecContext& ctx);

// Runs `fragment` (distribute.h) over `tablets` in this process: one
// instance per worker (up to one per core), pushing every instance's rows
// into `out` (serialized), then out.Finish() once.
void RunFragment(const PlanNode& fragment, std::vector<TabletRef> tablets, Sink& out, ExecContext& ctx);

// Runs `plan` and returns all its rows as one chunk (memory charged).
Chunk RunToChunk(const PlanNode& plan, ExecContext& ctx);

// Appends row `row` of `src` to `dst` (same column types).
void AppendRow(Chunk& dst, const Chunk& src, size_t row);
// An empty chunk with the plan's output column types.
Chunk EmptyChunk(const std::vector<OutputColumn>& columns);

// Operators in their own files (aggregate.cc, hash_join.cc).
std::unique_ptr<Sink> NewAggregateSink(const PlanNode& node, Sink& out, ExecContext& ctx);
// `concurrent`: `out` accepts pushes from several threads at once (the probe
// side then runs in parallel; the build side always does).
void RunHashJoin(const PlanNode& node, Sink& out, ExecContext& ctx, bool concurrent);

inline constexpr size_t kOutputBatchRows = 4096;
// Scan tasks of one scan at most (also bounded by the cores and the tablets).
inline constexpr size_t kScanThreadsMax = 16;

}  // namespace strata::query

// PlanPrefetch and RangePrefetcher (range_prefetch.h).
#include "storage/range_prefetch.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>

#include <fmt/format.h>

#include "common/check.h"
#include "common/metrics.h"

namespace strata::storage {
namespace {

struct BlockSpan {
  uint64_t first = 0;  // block indices, inclusive
  uint64_t last = 0;
};

void CheckOptions(const PrefetchOptions& o) {
  STRATA_CHECK(o.align_bytes > 0 && o.unit_bytes_initial > 0 && o.unit_bytes_max > 0, "prefetch sizes");
  STRATA_CHECK(o.in_flight_max >= 1 && o.in_flight_max <= kPrefetchInFlightLimit, "prefetch in_flight_max");
  STRATA_CHECK(o.ahead_bytes_initial > 0 && o.ahead_bytes_max >= o.ahead_bytes_initial, "prefetch window");
}

// The needed blocks of `reads`, merged across gaps of at most gap_blocks.
std::vector<BlockSpan> NeededSpans(const std::vector<ByteRange>& reads, uint64_t align, uint64_t gap_blocks) {
  std::vector<BlockSpan> spans;
  for (const ByteRange& r : reads) {
    if (r.length > 0) spans.push_back({r.offset / align, (r.offset + r.length - 1) / align});
  }
  std::sort(spans.begin(), spans.end(), [](const BlockSpan& a, const BlockSpan& b) { return a.first < b.first; });
  std::vector<BlockSpan> merged;
  for (const BlockSpan& s : spans) {
    if (!merged.empty() && s.first <= merged.back().last + 1 + gap_blocks) {
      merged.back().last = std::max(merged.back().last, s.last);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

// Splits the span holding both blocks cut - 1 and cut (spans are disjoint and sorted).
std::vector<BlockSpan> CutSpans(std::vector<BlockSpan> spans, uint64_t cut) {
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].first < cut && cut <= spans[i].last) {
      spans.insert(spans.begin() + static_cast<std::ptrdiff_t>(i) + 1, BlockSpan{cut, spans[i].last});
      spans[i].last = cut - 1;
      break;
    }
  }
  return spans;
}

// Cuts the spans into units: the first at most unit_bytes_initial, each next
// one at most twice the previous limit, up to unit_bytes_max.
std::vector<FetchUnit> CutUnits(const std::vector<BlockSpan>& spans, uint64_t size_bytes, const PrefetchOptions& o) {
  std::vector<FetchUnit> units;
  uint64_t limit = std::min(o.unit_bytes_initial, o.unit_bytes_max);
  for (const BlockSpan& s : spans) {
    uint64_t start = s.first;
    while (start <= s.last) {  // bounded: each pass takes >= 1 block
      const uint64_t blocks = std::max<uint64_t>(1, limit / o.align_bytes);
      const uint64_t end = std::min(s.last, start + blocks - 1);
      const uint64_t from = start * o.align_bytes;
      const uint64_t to = std::min(size_bytes, (end + 1) * o.align_bytes);
      units.push_back(FetchUnit{.offset = from, .length = to - from});
      start = end + 1;
      limit = std::min(o.unit_bytes_max, limit * 2);
    }
  }
  return units;
}

// The unit holding byte `at` (units ascending and disjoint), or units.size().
size_t UnitOf(const std::vector<FetchUnit>& units, uint64_t at) {
  auto it = std::upper_bound(units.begin(), units.end(), at,
                             [](uint64_t v, const FetchUnit& u) { return v < u.offset; });
  if (it == units.begin()) return units.size();
  const size_t u = static_cast<size_t>(it - units.begin()) - 1;
  return at < units[u].offset + units[u].length ? u : units.size();
}

// Fills the read -> unit maps and each unit's first/last read.
void MapReads(PrefetchPlan* plan) {
  const size_t n = plan->reads.size();
  plan->read_first_unit.assign(n, 1);
  plan->read_last_unit.assign(n, 0);
  std::vector<bool> seen(plan->units.size(), false);
  for (size_t i = 0; i < n; ++i) {
    const ByteRange& r = plan->reads[i];
    if (r.length == 0) continue;
    const size_t first = UnitOf(plan->units, r.offset);
    const size_t last = UnitOf(plan->units, r.offset + r.length - 1);
    STRATA_CHECK(first < plan->units.size() && last < plan->units.size() && first <= last, "read outside the plan");
    for (size_t u = first; u <= last; ++u) {
      if (u < last) STRATA_CHECK_EQ(plan->units[u].offset + plan->units[u].length, plan->units[u + 1].offset);
      if (!seen[u]) plan->units[u].first_read = i;
      seen[u] = true;
      plan->units[u].last_read = i;
    }
    plan->read_first_unit[i] = first;
    plan->read_last_unit[i] = last;
  }
}

std::vector<size_t> OrderBy(const std::vector<FetchUnit>& units, size_t FetchUnit::*read) {
  std::vector<size_t> order(units.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return units[a].*read != units[b].*read ? units[a].*read < units[b].*read : a < b;
  });
  return order;
}

struct PrefetchCounters {
  Counter& fetched_bytes = MetricsRegistry::Global().GetCounter("strata_storage_prefetch_bytes_total");
  Counter& gets = MetricsRegistry::Global().GetCounter("strata_storage_prefetch_gets_total");
  Counter& gets_inline = MetricsRegistry::Global().GetCounter("strata_storage_prefetch_inline_gets_total");
  Counter& wait_us = MetricsRegistry::Global().GetCounter("strata_storage_prefetch_wait_microseconds_total");
  Counter& planned_bytes = MetricsRegistry::Global().GetCounter("strata_storage_prefetch_planned_bytes_total");
};

PrefetchCounters& Counters() {
  static PrefetchCounters* counters = new PrefetchCounters();
  return *counters;
}

}  // namespace

uint64_t PrefetchPlan::FetchBytes() const {
  uint64_t total = 0;
  for (const FetchUnit& u : units) total += u.length;
  return total;
}

PrefetchOptions ScanPrefetchOptions(const objstore::ObjectStore& store) {
  PrefetchOptions o;
  const std::string_view backend = store.BackendName();
  if (backend == "local" || backend == "mem") o.gap_bytes_max = 0;
  return o;
}

PrefetchPlan PlanPrefetch(std::vector<ByteRange> reads, uint64_t size_bytes, const PrefetchOptions& options,
                          uint64_t cut_at_bytes) {
  CheckOptions(options);
  STRATA_CHECK_LE(reads.size(), kPrefetchReadsMax);
  for (const ByteRange& r : reads) {
    STRATA_CHECK(r.offset <= size_bytes && r.length <= size_bytes - r.offset, "prefetch read outside the object");
  }
  PrefetchPlan plan;
  plan.reads = std::move(reads);
  const std::vector<BlockSpan> spans = CutSpans(
      NeededSpans(plan.reads, options.align_bytes, options.gap_bytes_max / options.align_bytes),
      cut_at_bytes / options.align_bytes);
  plan.units = CutUnits(spans, size_bytes, options);
  // A unit made only of gap blocks is needed by no read: drop it.
  MapReads(&plan);
  std::vector<FetchUnit> needed;
  for (size_t u = 0; u < plan.units.size(); ++u) {
    const FetchUnit& unit = plan.units[u];
    bool used = false;
    for (size_t i = unit.first_read; i <= unit.last_read && !used; ++i) {  // bounded by the reads
      used = plan.read_first_unit[i] <= u && u <= plan.read_last_unit[i];
    }
    if (used) needed.push_back(FetchUnit{.offset = unit.offset, .length = unit.length});
  }
  if (needed.size() != plan.units.size()) {
    plan.units = std::move(needed);
    MapReads(&plan);
  }
  plan.fetch_order = OrderBy(plan.units, &FetchUnit::first_read);
  plan.release_order = OrderBy(plan.units, &FetchUnit::last_read);
  return plan;
}

// ---- RangePrefetcher ----

struct RangePrefetcher::State {
  enum class Phase { kIdle, kQueued, kFetching, kDone, kReleased };
  struct Unit {
    Phase phase = Phase::kIdle;
    Status status;
    std::string bytes;
  };

  objstore::ObjectStore* store = nullptr;
  std::string key;
  PrefetchPlan plan;
  PrefetchOptions options;
  IoExecutor* executor = nullptr;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<Unit> units;   // like plan.units
  size_t next_fetch = 0;     // into plan.fetch_order: the next unit to consider starting
  size_t next_release = 0;   // into plan.release_order
  size_t in_flight = 0;      // units queued or fetching
  size_t fetching = 0;       // GETs running now (on the executor or inline)
  uint64_t held_bytes = 0;   // units queued, fetching or done, not yet released
  uint64_t window_bytes = 0;
  bool cancelled = false;
  Stats stats;

  // Starts the next units in fetch order while the bounds allow. Needs mu.
  void PumpLocked(const std::shared_ptr<State>& self);
  // Records the outcome of unit u's GET. Needs mu.
  void FinishLocked(size_t u, Result<std::string> got);
  // Fetches unit u in the calling thread; mu held on entry and exit.
  void FetchInline(size_t u, std::unique_lock<std::mutex>& lock);
  static void RunTask(const std::shared_ptr<State>& self, size_t u);
};

void RangePrefetcher::State::PumpLocked(const std::shared_ptr<State>& self) {
  for (; next_fetch < plan.fetch_order.size() && !cancelled; ++next_fetch) {  // bounded by the units
    const size_t u = plan.fetch_order[next_fetch];
    if (units[u].phase != Phase::kIdle) continue;  // fetched on demand already
    const uint64_t len = plan.units[u].length;
    if (in_flight >= options.in_flight_max || (held_bytes > 0 && held_bytes + len > window_bytes)) return;
    // The executor's budget is shared by every scan; one unit is always allowed.
    if (!executor->TryHold(len, /*always=*/held_bytes == 0)) return;
    units[u].phase = Phase::kQueued;
    in_flight++;
    held_bytes += len;
    stats.held_bytes_max = std::max(stats.held_bytes_max, held_bytes);
    if (!executor->TrySubmit([self, u] { RunTask(self, u); })) {
      units[u].phase = Phase::kIdle;  // the executor is full: the scan will fetch it itself
      in_flight--;
      held_bytes -= len;
      executor->Unhold(len);
      return;
    }
  }
}

void RangePrefetcher::State::FinishLocked(size_t u, Result<std::string> got) {
  const FetchUnit& unit = plan.units[u];
  Unit& out = units[u];
  const std::string what = fmt::format("{} bytes [{}, {})", key, unit.offset, unit.offset + unit.length);
  if (!got.ok()) {
    // A range past the end means the object is shorter than its recorded size.
    out.status = got.status().code() == StatusCode::kInvalidArgument
                     ? DataLoss("object shorter than expected: " + got.status().message()).WithContext(what)
                     : got.status().WithContext(what);
  } else if (got->size() != unit.length) {
    out.status = DataLoss(fmt::format("short read: got {} of {} bytes (truncated object?)", got->size(), unit.length))
                     .WithContext(what);
  } else {
    out.bytes = std::move(got).value();
    stats.fetched_bytes += unit.length;
    Counters().fetched_bytes.Add(unit.length);
  }
  out.phase = Phase::kDone;
  stats.units_fetched++;
  Counters().gets.Add();
}

void RangePrefetcher::State::FetchInline(size_t u, std::unique_lock<std::mutex>& lock) {
  units[u].phase = Phase::kFetching;
  in_flight++;
  fetching++;
  held_bytes += plan.units[u].length;
  (void)executor->TryHold(plan.units[u].length, /*always=*/true);
  stats.held_bytes_max = std::max(stats.held_bytes_max, held_bytes);
  stats.units_inline++;
  Counters().gets_inline.Add();
  lock.unlock();
  Result<std::string> got = store->GetRange(key, plan.units[u].offset, plan.units[u].length);
  lock.lock();
  FinishLocked(u, std::move(got));
  fetching--;
  in_flight--;
  cv.notify_all();
}

void RangePrefetcher::State::RunTask(const std::shared_ptr<State>& self, size_t u) {
  State& s = *self;
  std::unique_lock lock(s.mu);
  if (s.cancelled) {  // the scan ended: do nothing (the store may be gone)
    s.units[u].phase = Phase::kIdle;
    s.in_flight--;
    s.held_bytes -= s.plan.units[u].length;
    s.executor->Unhold(s.plan.units[u].length);
    return;
  }
  s.units[u].phase = Phase::kFetching;
  s.fetching++;
  lock.unlock();
  Result<std::string> got = s.store->GetRange(s.key, s.plan.units[u].offset, s.plan.units[u].length);
  lock.lock();
  s.FinishLocked(u, std::move(got));
  s.fetching--;
  s.in_flight--;
  s.PumpLocked(self);
  s.cv.notify_all();
}

RangePrefetcher::RangePrefetcher(objstore::ObjectStore& store, std::string key, PrefetchPlan plan,
                                 const PrefetchOptions& options, IoExecutor& executor)
    : state_(std::make_shared<State>()) {
  CheckOptions(options);
  State& s = *state_;
  s.store = &store;
  s.key = std::move(key);
  s.plan = std::move(plan);
  s.options = options;
  s.executor = &executor;
  s.units.resize(s.plan.units.size());
  s.window_bytes = options.ahead_bytes_initial;
  uint64_t planned = 0;
  for (const ByteRange& r : s.plan.reads) planned += r.length;
  Counters().planned_bytes.Add(planned);
  std::lock_guard lock(s.mu);
  s.PumpLocked(state_);
}

RangePrefetcher::~RangePrefetcher() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  s.cancelled = true;
  // Queued tasks see `cancelled` and return; only running GETs are waited for.
  s.cv.wait(lock, [&] { return s.fetching == 0; });
  // Give the executor's budget back for what was fetched; queued units give
  // theirs back when their task runs.
  for (size_t u = 0; u < s.units.size(); ++u) {
    if (s.units[u].phase != State::Phase::kDone) continue;
    s.units[u].phase = State::Phase::kReleased;
    s.held_bytes -= s.plan.units[u].length;
    s.executor->Unhold(s.plan.units[u].length);
    std::string().swap(s.units[u].bytes);
  }
}

size_t RangePrefetcher::reads() const { return state_->plan.reads.size(); }

bool RangePrefetcher::AllStarted() const {
  std::lock_guard lock(state_->mu);
  return state_->next_fetch >= state_->plan.fetch_order.size();
}

RangePrefetcher::Stats RangePrefetcher::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

Result<std::string_view> RangePrefetcher::Read(size_t i) {
  std::vector<std::string_view> out;
  STRATA_RETURN_IF_ERROR(ReadSpan(i, 1, &out));
  return out[0];
}

Status RangePrefetcher::ReadSpan(size_t first, size_t n, std::vector<std::string_view>* out) {
  State& s = *state_;
  STRATA_CHECK(n >= 1 && first + n <= s.plan.reads.size() && first >= next_read_, "RangePrefetcher::Read out of order");
  next_read_ = first + n;
  out->assign(n, std::string_view());
  if (scratch_.size() < n) scratch_.resize(n);
  std::unique_lock lock(s.mu);
  // Free what no read from `first` on needs; every unit used up widens the window.
  for (; s.next_release < s.plan.release_order.size(); ++s.next_release) {  // bounded by the units
    const size_t u = s.plan.release_order[s.next_release];
    if (s.plan.units[u].last_read >= first) break;
    State::Unit& unit = s.units[u];
    if (unit.phase == State::Phase::kQueued || unit.phase == State::Phase::kFetching) break;  // skipped reads
    if (unit.phase == State::Phase::kDone) {
      s.held_bytes -= s.plan.units[u].length;
      s.executor->Unhold(s.plan.units[u].length);
    }
    unit.phase = State::Phase::kReleased;
    std::string().swap(unit.bytes);
    s.window_bytes = std::min(s.options.ahead_bytes_max, s.window_bytes * 2);
  }
  s.PumpLocked(state_);
  for (size_t k = 0; k < n; ++k) {
    const size_t i = first + k;
    const ByteRange range = s.plan.reads[i];
    if (range.length == 0) continue;
    const size_t first_unit = s.plan.read_first_unit[i], last_unit = s.plan.read_last_unit[i];
    for (size_t u = first_unit; u <= last_unit; ++u) {
      if (s.units[u].phase == State::Phase::kIdle) s.FetchInline(u, lock);
      if (s.units[u].phase != State::Phase::kDone) {
        const auto start = std::chrono::steady_clock::now();
        s.cv.wait(lock, [&] { return s.units[u].phase == State::Phase::kDone; });
        const auto waited =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
        s.stats.wait_us += static_cast<uint64_t>(waited.count());
        Counters().wait_us.Add(static_cast<uint64_t>(waited.count()));
      }
      if (!s.units[u].status.ok()) return s.units[u].status;
    }
    if (first_unit == last_unit) {
      const FetchUnit& unit = s.plan.units[first_unit];
      (*out)[k] = std::string_view(s.units[first_unit].bytes).substr(range.offset - unit.offset, range.length);
      continue;
    }
    std::string& scratch = scratch_[k];
    scratch.clear();
    scratch.reserve(range.length);
    for (size_t u = first_unit; u <= last_unit; ++u) {
      const FetchUnit& unit = s.plan.units[u];
      const uint64_t from = std::max(range.offset, unit.offset);
      const uint64_t to = std::min(range.offset + range.length, unit.offset + unit.length);
      scratch.append(s.units[u].bytes, from - unit.offset, to - from);
    }
    STRATA_CHECK_EQ(scratch.size(), range.length);
    (*out)[k] = std::string_view(scratch);
  }
  return Status::OK();
}

}  // namespace strata::storage

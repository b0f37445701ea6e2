// Hash joins (executor.h): the right child (build side) is read whole into a
// hash table on its key values; the left child's rows (probe side) stream
// through it. A NULL key never matches. The residual condition is evaluated
// over each candidate pair; a LEFT join emits an unmatched probe row once,
// with NULLs for the right side. A join without keys (CROSS, or only
// non-equality conditions) pairs every row with every build row.
//
// Semi and anti joins (EXISTS, IN, NOT EXISTS) emit each probe row at most
// once, without build columns: when some (semi) or no (anti) candidate passes
// the residual. The null-aware anti join (NOT IN) hashes the build side on
// the correlation keys only (all but the last key pair) and keeps each
// build row's IN value, NULLs included, to apply MySQL's NOT IN rules. Mark
// joins (EXISTS and IN inside other expressions) emit every probe row with
// one more column: EXISTS true/false, or IN true/false/NULL. A single-row
// LEFT join (a scalar subquery without an aggregate) fails with
// ER_SUBQUERY_NO_1_ROW when a probe row has two partners.
#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "common/check.h"
#include "query/executor.h"
#include "query/join_table.h"
#include "sql/mysql_errors.h"

namespace strata::query {
namespace {

constexpr size_t kPairsPerBatchMax = 16 * 1024;

using JT = PlanNode::JoinType;

// Joins that emit each probe row at most once, without build columns.
bool Decides(JT t) {
  return t == JT::kSemi || t == JT::kAnti || t == JT::kNullAwareAnti || t == JT::kMarkExists || t == JT::kMarkIn;
}
bool HasInPair(JT t) { return t == JT::kNullAwareAnti || t == JT::kMarkIn; }

// The key pairs that hash: for [NOT] IN all but the IN pair.
size_t HashedKeys(const PlanNode& node) {
  return HasInPair(node.join) ? node.left_keys.size() - 1 : node.left_keys.size();
}

// What the candidates passing the residual tell about a probe row.
enum : uint8_t {
  kNone = 0,     // none (EXISTS false; IN false)
  kUnknown = 1,  // IN: a NULL on either side, no equal value (IN is NULL)
  kFound = 2,    // EXISTS true; IN: an equal value
};

// Whether a joined pair must hold column `i` (probe columns first, then
// build columns; needed_columns.h). The others are NULL constants.
bool PairNeeds(const PlanNode& node, size_t i) { return node.pair_needed.empty() || node.pair_needed[i]; }

// The joined pairs (left row left_rows[i], right row right_rows[i]): the
// left columns then the right ones, NULL constants where no pair needs them.
Chunk PairRows(const PlanNode& node, const std::vector<Column>& left, const std::vector<uint32_t>& left_rows,
               const std::vector<Column>& right, const std::vector<uint32_t>& right_rows) {
  Chunk out;
  out.rows = left_rows.size();
  auto add = [&](const Column& c, size_t i, const std::vector<uint32_t>& rows) {
    out.columns.push_back(PairNeeds(node, i) ? c.Gather(rows) : Column::Constant(c.type(), Scalar::Null(), out.rows));
  };
  for (size_t i = 0; i < left.size(); ++i) add(left[i], i, left_rows);
  for (size_t j = 0; j < right.size(); ++j) add(right[j], left.size() + j, right_rows);
  return out;
}

// The pairs (rows of `pairs`) for which the join's residual is true; all without one.
std::vector<uint32_t> PassingPairs(const PlanNode& node, const Chunk& pairs) {
  std::vector<uint32_t> keep;
  if (!node.predicate) {
    keep.resize(pairs.rows);
    for (size_t i = 0; i < pairs.rows; ++i) keep[i] = static_cast<uint32_t>(i);
    return keep;
  }
  Column ok = Evaluate(*node.predicate, pairs);
  for (size_t i = 0; i < pairs.rows; ++i) {
    if (IsTrueAt(ok, i)) keep.push_back(static_cast<uint32_t>(i));
  }
  return keep;
}

// Pushes the rows `keep` of `pairs` to `out` (nothing when none).
bool PushKept(Chunk pairs, const std::vector<uint32_t>& keep, Sink& out) {
  if (keep.empty()) return true;
  if (keep.size() == pairs.rows) return out.Push(std::move(pairs));
  Chunk kept;
  kept.rows = keep.size();
  for (const auto& c : pairs.columns) kept.columns.push_back(c.Gather(keep));
  return out.Push(std::move(kept));
}

// Builds `table` from the rows added (JoinTable::Finish), charging what it grew by.
void FinishTable(JoinTable* table, ExecContext& ctx) {
  const uint64_t before = table->ApproxBytes();
  table->Finish();
  const uint64_t after = table->ApproxBytes();
  ctx.memory->Consume(after > before ? after - before : 0);
}

struct BuildSide {
  Chunk rows;        // kept only when a probe needs them (see keep_rows)
  size_t count = 0;  // rows read (NULL keys included)
  size_t stored = 0; // rows stored (every row without a NULL key): the row numbers in `table`
  // Semi and anti joins without a residual only look keys up: no rows kept.
  bool keep_rows = true;
  JoinTable table;  // keyed joins
  explicit BuildSide(const std::vector<Type>& key_types) : table(key_types) {}
  Column in_values;  // kNullAwareAnti, kMarkIn: each row's IN value
};

// Thread-safe: keys are evaluated in parallel, rows stored one chunk at a time.
class BuildSink : public Sink {
 public:
  BuildSink(const PlanNode& node, BuildSide* build, ExecContext& ctx) : node_(node), build_(build), ctx_(ctx) {}
  bool Push(Chunk chunk) override {
    std::vector<Column> keys;
    const size_t hashed = HashedKeys(node_);
    for (size_t i = 0; i < hashed; ++i) keys.push_back(Evaluate(*node_.right_keys[i], chunk));
    std::optional<Column> in_values;
    if (hashed < node_.right_keys.size()) in_values = Evaluate(*node_.right_keys.back(), chunk);
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t table_bytes = build_->table.ApproxBytes();
    std::vector<uint32_t> kept;  // the chunk's rows stored (appended in one go below)
    kept.reserve(chunk.rows);
    const uint32_t first_row = static_cast<uint32_t>(build_->stored);
    for (size_t r = 0; r < chunk.rows; ++r) {
      ++build_->count;
      bool null_key = false;
      for (const auto& c : keys) null_key = null_key || c.IsNull(r);
      if (null_key) continue;  // can never match
      if (in_values) build_->in_values.Append(in_values->At(r));
      ++build_->stored;
      kept.push_back(static_cast<uint32_t>(r));
    }
    if (!keys.empty()) build_->table.AddBatch(keys, kept, first_row);
    if (build_->keep_rows && !kept.empty()) {
      const size_t lw = node_.children[0]->output.size();
      for (size_t c = 0; c < chunk.columns.size(); ++c) {
        if (!PairNeeds(node_, lw + c)) continue;  // never read: not stored
        Column& dst = build_->rows.columns[c];
        if (kept.size() == chunk.rows) {
          dst.AppendColumn(chunk.columns[c]);
        } else {
          dst.AppendColumn(chunk.columns[c].Gather(kept));
        }
      }
      build_->rows.rows += kept.size();
    }
    // The rows kept cost what the chunk's stored columns do (measured on the
    // chunk: the whole build side would be quadratic to measure again per chunk).
    uint64_t stored_bytes = 0;
    if (build_->keep_rows) {
      const size_t lw = node_.children[0]->output.size();
      for (size_t c = 0; c < chunk.columns.size(); ++c) {
        if (PairNeeds(node_, lw + c)) stored_bytes += chunk.columns[c].ApproxBytes();
      }
    }
    const uint64_t grown = build_->table.ApproxBytes();
    ctx_.memory->Consume(stored_bytes + (grown > table_bytes ? grown - table_bytes : 0));
    return true;
  }
  void Finish() override {}

 private:
  const PlanNode& node_;
  BuildSide* build_;
  ExecContext& ctx_;
  std::mutex mu_;
};

// Thread-safe when `out` is: the build side is only read.
class ProbeSink : public Sink {
 public:
  ProbeSink(const PlanNode& node, const BuildSide& build, Sink& out)
      : node_(node), build_(build), out_(out), left_width_(node.children[0]->output.size()) {}

  bool Push(Chunk chunk) override {
    std::vector<Column> keys;
    const size_t hashed = HashedKeys(node_);
    for (size_t i = 0; i < hashed; ++i) keys.push_back(Evaluate(*node_.left_keys[i], chunk));
    std::optional<Column> in_probe;
    if (hashed < node_.left_keys.size()) in_probe = Evaluate(*node_.left_keys.back(), chunk);
    const bool single = node_.join == JT::kLeftSingle;
    const bool left_join = node_.join == JT::kLeft || single;
    std::vector<uint8_t> pairs_per_row;  // kLeftSingle: a second passing pair is an error
    if (single) pairs_per_row.assign(chunk.rows, 0);
    const bool filters = Decides(node_.join);
    // Per probe row: kNone, kUnknown or kFound (for joins that emit build columns: kFound when any pair passed).
    std::vector<uint8_t> matched(chunk.rows, kNone);
    auto match = [&](uint32_t probe, uint32_t build) {
      if (!in_probe) {
        matched[probe] = kFound;
        return;
      }
      const Column& y = build_.in_values;
      if (in_probe->IsNull(probe) || y.IsNull(build)) {
        matched[probe] = std::max<uint8_t>(matched[probe], kUnknown);
      } else if (CompareAt(*in_probe, probe, y, build) == 0) {
        matched[probe] = kFound;
      }
    };
    std::vector<uint32_t> probe_rows, build_rows;
    probe_rows.reserve(std::min(chunk.rows, kPairsPerBatchMax));
    build_rows.reserve(std::min(chunk.rows, kPairsPerBatchMax));
    std::vector<uint32_t> first, last;  // per probe row: its key's build rows
    if (!keys.empty()) build_.table.Probe(keys, chunk.rows, &first, &last);
    auto flush = [&]() -> bool {
      if (probe_rows.empty()) return true;
      if (filters && !node_.predicate) {
        for (size_t i = 0; i < probe_rows.size(); ++i) match(probe_rows[i], build_rows[i]);
        probe_rows.clear(), build_rows.clear();
        return true;
      }
      Chunk pairs = PairRows(node_, chunk.columns, probe_rows, build_.rows.columns, build_rows);
      const std::vector<uint32_t> keep = PassingPairs(node_, pairs);
      for (uint32_t i : keep) {
        match(probe_rows[i], build_rows[i]);
        if (single && ++pairs_per_row[probe_rows[i]] > 1) {
          sql::Fail(sql::ER_SUBQUERY_NO_1_ROW, "Subquery returns more than 1 row");
        }
      }
      probe_rows.clear(), build_rows.clear();
      if (filters) return true;
      return PushKept(std::move(pairs), keep, out_);
    };
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (!keys.empty()) {
        if (first[r] == JoinTable::kEnd) continue;  // no partner, or a NULL key
        if (filters && !node_.predicate && !in_probe) {  // a key match decides
          matched[r] = kFound;
          continue;
        }
      } else if (filters && !node_.predicate && !in_probe) {
        matched[r] = build_.count > 0 ? kFound : kNone;  // EXISTS over an uncorrelated right side
        continue;
      } else {
        for (size_t b = 0; b < build_.stored; ++b) {
          probe_rows.push_back(static_cast<uint32_t>(r));
          build_rows.push_back(static_cast<uint32_t>(b));
          if (probe_rows.size() >= kPairsPerBatchMax && !flush()) return false;
        }
        continue;
      }
      for (uint32_t b = first[r];; b = build_.table.Next(b)) {
        probe_rows.push_back(static_cast<uint32_t>(r));
        build_rows.push_back(b);
        if (probe_rows.size() >= kPairsPerBatchMax && !flush()) return false;
        if (b == last[r]) break;
      }
    }
    if (!flush()) return false;
    if (filters) return PushFiltered(chunk, matched);
    if (left_join) {
      std::vector<uint32_t> unmatched;
      for (size_t r = 0; r < chunk.rows; ++r) {
        if (!matched[r]) unmatched.push_back(static_cast<uint32_t>(r));
      }
      if (!unmatched.empty()) {
        Chunk out;
        out.rows = unmatched.size();
        for (size_t i = 0; i < chunk.columns.size(); ++i) {
          const Column& c = chunk.columns[i];
          out.columns.push_back(PairNeeds(node_, i) ? c.Gather(unmatched) : Column::Constant(c.type(), Scalar::Null(), out.rows));
        }
        for (size_t i = left_width_; i < node_.output.size(); ++i) {
          out.columns.push_back(Column::Constant(node_.output[i].type, Scalar::Null(), out.rows));
        }
        if (!out_.Push(std::move(out))) return false;
      }
    }
    return true;
  }
  void Finish() override { out_.Finish(); }

 private:
  // The probe rows a semi join keeps (found) or an anti join keeps (none);
  // a mark join keeps all, with the mark.
  bool PushFiltered(const Chunk& chunk, const std::vector<uint8_t>& matched) {
    if (node_.join == JT::kMarkExists || node_.join == JT::kMarkIn) {
      Chunk out = chunk;
      Column mark(Type::Int());
      for (size_t r = 0; r < chunk.rows; ++r) {
        if (matched[r] == kUnknown) {
          mark.AppendNull();
        } else {
          mark.Append(Scalar::I64(matched[r] == kFound ? 1 : 0));
        }
      }
      out.columns.push_back(std::move(mark));
      return out_.Push(std::move(out));
    }
    const bool semi = node_.join == JT::kSemi;
    std::vector<uint32_t> rows;
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (semi ? matched[r] == kFound : matched[r] == kNone) rows.push_back(static_cast<uint32_t>(r));
    }
    if (rows.empty()) return true;
    Chunk out;
    out.rows = rows.size();
    for (const auto& c : chunk.columns) out.columns.push_back(c.Gather(rows));
    return out_.Push(std::move(out));
  }

  const PlanNode& node_;
  const BuildSide& build_;
  Sink& out_;
  size_t left_width_;
};

// kSemi / kAnti / kLeft with build_left (plan.h): the left rows are stored
// and hashed on their keys, the right rows probe and mark the left rows they
// find (with a residual: those of the pairs it is true for; kLeft also sends
// those pairs on as they are found); at the end the left rows found (semi) or
// not (anti, and kLeft with NULLs on the right; NULL keys included) go out in
// their arrival order. Thread-safe: the store is locked per chunk; probes only
// mark (relaxed atomics: a mark is set, never cleared).
class LeftStore : public Sink {
 public:
  LeftStore(const PlanNode& node, const std::vector<Type>& key_types, ExecContext& ctx)
      : node_(node), table_(key_types), ctx_(ctx), rows_(EmptyChunk(node.children[0]->output)) {}

  bool Push(Chunk chunk) override {
    std::vector<Column> keys;
    for (const auto& k : node_.left_keys) keys.push_back(Evaluate(*k, chunk));
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t table_bytes = table_.ApproxBytes();
    uint64_t stored_bytes = 0;
    std::vector<uint32_t> hashed;  // the rows with no NULL key
    hashed.reserve(chunk.rows);
    for (size_t r = 0; r < chunk.rows; ++r) {
      bool null_key = false;
      for (const auto& c : keys) null_key = null_key || c.IsNull(r);
      if (!null_key) hashed.push_back(static_cast<uint32_t>(r));
    }
    table_.AddRowsAt(keys, hashed, static_cast<uint32_t>(rows_.rows));  // build rows = stored rows
    for (size_t c = 0; c < chunk.columns.size(); ++c) {
      if (!PairNeeds(node_, c)) continue;  // never read: not stored
      stored_bytes += chunk.columns[c].ApproxBytes();
      rows_.columns[c].AppendColumn(chunk.columns[c]);
    }
    rows_.rows += chunk.rows;
    const uint64_t grown = table_.ApproxBytes();
    ctx_.memory->Consume(stored_bytes + (grown > table_bytes ? grown - table_bytes : 0));
    return true;
  }
  void Finish() override {
    FinishTable(&table_, ctx_);
    marked_ = std::make_unique<std::atomic<uint8_t>[]>(rows_.rows);
    for (size_t r = 0; r < rows_.rows; ++r) marked_[r].store(0, std::memory_order_relaxed);
  }

  // Marks the stored rows whose keys rows of `chunk` (the right side) hold;
  // for kLeft also pushes those pairs to `out` (false: no more rows wanted).
  bool Mark(const Chunk& chunk, Sink* out) {
    std::vector<Column> keys;
    for (const auto& k : node_.right_keys) keys.push_back(Evaluate(*k, chunk));
    std::vector<uint32_t> first, last;
    table_.Probe(keys, chunk.rows, &first, &last);
    if (node_.join == JT::kLeft) return JoinPairs(chunk, first, last, *out);
    if (node_.predicate) {
      MarkPassing(chunk, first, last);
      return true;
    }
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (first[r] == JoinTable::kEnd || marked_[first[r]].load(std::memory_order_relaxed)) continue;
      for (uint32_t b = first[r];; b = table_.Next(b)) {  // the key's rows: all or none are marked
        marked_[b].store(1, std::memory_order_relaxed);
        if (b == last[r]) break;
      }
    }
    return true;
  }

  // kLeft: every pair (stored row, row of `chunk`) with equal keys and a true
  // residual goes to `out`, its stored row marked as matched.
  bool JoinPairs(const Chunk& chunk, const std::vector<uint32_t>& first, const std::vector<uint32_t>& last, Sink& out) {
    std::vector<uint32_t> stored, probe;
    auto flush = [&] {
      if (stored.empty()) return true;
      Chunk pairs = PairRows(node_, rows_.columns, stored, chunk.columns, probe);
      const std::vector<uint32_t> keep = PassingPairs(node_, pairs);
      for (uint32_t i : keep) marked_[stored[i]].store(1, std::memory_order_relaxed);
      stored.clear(), probe.clear();
      return PushKept(std::move(pairs), keep, out);
    };
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (first[r] == JoinTable::kEnd) continue;
      for (uint32_t b = first[r];; b = table_.Next(b)) {
        stored.push_back(b), probe.push_back(static_cast<uint32_t>(r));
        if (b == last[r]) break;
      }
      if (stored.size() >= kPairsPerBatchMax && !flush()) return false;
    }
    return flush();
  }

  // With a residual: marks the stored rows of the pairs (stored row, row of
  // `chunk`) with equal keys for which the residual is true.
  void MarkPassing(const Chunk& chunk, const std::vector<uint32_t>& first, const std::vector<uint32_t>& last) {
    std::vector<uint32_t> stored, probe;
    auto flush = [&] {
      if (stored.empty()) return;
      Chunk pairs = PairRows(node_, rows_.columns, stored, chunk.columns, probe);
      for (uint32_t i : PassingPairs(node_, pairs)) marked_[stored[i]].store(1, std::memory_order_relaxed);
      stored.clear(), probe.clear();
    };
    for (size_t r = 0; r < chunk.rows; ++r) {
      if (first[r] == JoinTable::kEnd) continue;
      for (uint32_t b = first[r];; b = table_.Next(b)) {
        if (!marked_[b].load(std::memory_order_relaxed)) stored.push_back(b), probe.push_back(static_cast<uint32_t>(r));
        if (b == last[r]) break;
      }
      if (stored.size() >= kPairsPerBatchMax) flush();
    }
    flush();
  }

  // The stored rows marked (semi) or not (anti; kLeft: with NULLs for the
  // right side's columns), in batches.
  bool Emit(Sink& out) {
    const bool semi = node_.join == JT::kSemi;
    const size_t lw = rows_.columns.size();
    std::vector<uint32_t> rows;
    auto flush = [&] {
      if (rows.empty()) return true;
      Chunk batch;
      batch.rows = rows.size();
      for (size_t c = 0; c < rows_.columns.size(); ++c) {
        batch.columns.push_back(PairNeeds(node_, c) ? rows_.columns[c].Gather(rows)
                                                    : Column::Constant(rows_.columns[c].type(), Scalar::Null(), rows.size()));
      }
      if (node_.join == JT::kLeft) {
        for (size_t j = lw; j < node_.output.size(); ++j) {
          batch.columns.push_back(Column::Constant(node_.output[j].type, Scalar::Null(), rows.size()));
        }
      }
      rows.clear();
      return out.Push(std::move(batch));
    };
    for (size_t r = 0; r < rows_.rows; ++r) {
      if ((marked_[r].load(std::memory_order_relaxed) != 0) == semi) rows.push_back(static_cast<uint32_t>(r));
      if (rows.size() >= kEmitBatchRows && !flush()) return false;
    }
    return flush();
  }
  size_t rows() const { return rows_.rows; }

 private:
  static constexpr size_t kEmitBatchRows = 64 * 1024;
  const PlanNode& node_;
  JoinTable table_;
  ExecContext& ctx_;
  Chunk rows_;
  std::unique_ptr<std::atomic<uint8_t>[]> marked_;
  std::mutex mu_;
};

class MarkSink : public Sink {
 public:
  MarkSink(LeftStore& store, Sink& out) : store_(store), out_(out) {}
  bool Push(Chunk chunk) override { return store_.Mark(chunk, &out_); }
  void Finish() override {}

 private:
  LeftStore& store_;
  Sink& out_;  // kLeft: the joined pairs
};

// `concurrent`: `out` accepts pushes from several threads (kLeft pushes pairs while the right side is read).
void RunLeftBuilt(const PlanNode& node, const std::vector<Type>& key_types, Sink& out, ExecContext& ctx,
                  bool concurrent) {
  LeftStore store(node, key_types, ctx);
  RunConcurrent(*node.children[0], store, ctx);
  if (store.rows() > 0) {
    MarkSink mark(store, out);
    if (node.join != JT::kLeft || concurrent) {
      RunConcurrent(*node.children[1], mark, ctx);
    } else {
      Run(*node.children[1], mark, ctx);
    }
    store.Emit(out);
  }
  out.Finish();
}

}  // namespace

void RunHashJoin(const PlanNode& node, Sink& out, ExecContext& ctx, bool concurrent) {
  std::vector<Type> key_types;
  for (size_t i = 0; i < HashedKeys(node); ++i) {
    // One representation on both sides (the binder casts to a common type); else the keys go as bytes.
    const bool same = UsesI64(node.left_keys[i]->type) == UsesI64(node.right_keys[i]->type);
    key_types.push_back(same ? node.right_keys[i]->type : Type::String());
  }
  if (node.build_left) {
    STRATA_CHECK((node.join == JT::kSemi || node.join == JT::kAnti || node.join == JT::kLeft) && !node.left_keys.empty());
    return RunLeftBuilt(node, key_types, out, ctx, concurrent);
  }
  BuildSide build(key_types);
  build.rows = EmptyChunk(node.children[1]->output);
  build.keep_rows = !Decides(node.join) || node.predicate != nullptr;
  if (HasInPair(node.join)) {
    STRATA_CHECK(!node.right_keys.empty());
    build.in_values = Column(node.right_keys.back()->type);
  }
  BuildSink b(node, &build, ctx);
  RunConcurrent(*node.children[1], b, ctx);
  if (!node.left_keys.empty()) FinishTable(&build.table, ctx);
  const bool keeps_unmatched = node.join != JT::kInner && node.join != JT::kCross && node.join != JT::kSemi;
  if (build.count == 0 && !keeps_unmatched) {
    out.Finish();  // nothing can match: the probe side is not read
    return;
  }
  ProbeSink p(node, build, out);
  if (concurrent) return RunConcurrent(*node.children[0], p, ctx);
  Run(*node.children[0], p, ctx);
}

}  // namespace strata::query

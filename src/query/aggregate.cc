// Hash aggregation (executor.h): groups rows by the encoded values of the
// GROUP BY keys and folds each aggregate's argument into per-group state.
// SUM and AVG of integers and decimals are exact (128-bit); of doubles,
// double. Without GROUP BY there is exactly one group, even over no rows.
// kCountMerge / kAvgMerge fold the partial counts and (sum, count) pairs of
// a split aggregation (distribute.h).
#include <cmath>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "query/executor.h"
#include "sql/mysql_errors.h"

namespace strata::query {
namespace {

struct AggState {
  int64_t count = 0;           // non-NULL inputs (rows for COUNT(*))
  int128 sum_i128 = 0;         // decimal sums (unscaled at the argument's scale)
  double sum_f64 = 0;
  bool has_value = false;      // MIN / MAX / ANY_VALUE hold a value
  uint32_t value_row = 0;      // ... in the aggregate's value column
  std::unique_ptr<std::unordered_set<std::string>> distinct;
};

// Open-addressing map from int64 keys to group ids (linear probing,
// power-of-two capacity, at most half full).
class IntGroupMap {
 public:
  IntGroupMap() { Rehash(kInitialSlots); }
  // The group of `key`, made by `make()` the first time the key is seen.
  template <typename Make>
  uint32_t FindOrAdd(int64_t key, Make make) {
    size_t i = Slot(key);
    while (used_[i]) {  // bounded: the table is never full
      if (keys_[i] == key) return groups_[i];
      i = (i + 1) & mask_;
    }
    uint32_t g = make();
    used_[i] = 1;
    keys_[i] = key;
    groups_[i] = g;
    if (++size_ * 2 > keys_.size()) Rehash(keys_.size() * 2);
    return g;
  }

 private:
  static constexpr size_t kInitialSlots = 64;
  size_t Slot(int64_t key) const {
    uint64_t h = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (h >> 29)) & mask_;
  }
  void Rehash(size_t slots) {
    std::vector<int64_t> keys = std::move(keys_);
    std::vector<uint32_t> groups = std::move(groups_);
    std::vector<uint8_t> used = std::move(used_);
    keys_.assign(slots, 0);
    groups_.assign(slots, 0);
    used_.assign(slots, 0);
    mask_ = slots - 1;
    for (size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) continue;
      size_t j = Slot(keys[i]);
      while (used_[j]) j = (j + 1) & mask_;
      used_[j] = 1;
      keys_[j] = keys[i];
      groups_[j] = groups[i];
    }
  }
  std::vector<int64_t> keys_;
  std::vector<uint32_t> groups_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

class AggregateSink : public Sink {
 public:
  AggregateSink(const PlanNode& node, Sink& out, ExecContext& ctx) : node_(node), out_(out), ctx_(ctx) {
    for (const auto& k : node.group_keys) keys_.emplace_back(k->type);
    for (const auto& a : node.aggs) values_.emplace_back(a.arg ? a.arg->type : Type::Int());
    states_.resize(node.aggs.size());
    if (node.group_keys.empty()) NewGroup();  // the one group, rows or not
  }

  bool Push(Chunk chunk) override {
    std::vector<Column> key_cols, arg_cols;
    for (const auto& k : node_.group_keys) key_cols.push_back(Evaluate(*k, chunk));
    for (const auto& a : node_.aggs) arg_cols.push_back(a.arg ? Evaluate(*a.arg, chunk) : Column());
    GroupIds(key_cols, chunk.rows);
    for (size_t a = 0; a < node_.aggs.size(); ++a) {
      if (node_.aggs[a].func == AggFunc::kAvgMerge) {
        MergeAvg(a, arg_cols[a], Evaluate(*node_.aggs[a].arg2, chunk), chunk.rows);
      } else {
        UpdateAll(a, arg_cols[a], chunk.rows);
      }
    }
    return true;
  }

  void Finish() override {
    const size_t groups = group_count_;
    for (size_t start = 0; start < groups; start += kOutputBatchRows) {
      size_t end = std::min(groups, start + kOutputBatchRows);
      Chunk chunk;
      chunk.rows = end - start;
      std::vector<uint32_t> rows;
      for (size_t g = start; g < end; ++g) rows.push_back(static_cast<uint32_t>(g));
      for (const auto& k : keys_) chunk.columns.push_back(k.Gather(rows));
      for (size_t a = 0; a < node_.aggs.size(); ++a) chunk.columns.push_back(Result(a, start, end));
      if (!out_.Push(std::move(chunk))) break;
    }
    out_.Finish();
  }

 private:
  uint32_t NewGroup() {
    for (auto& s : states_) {
      s.emplace_back();
    }
    return static_cast<uint32_t>(group_count_++);
  }

  // The group of every row into gids_ (new groups get their key values).
  void GroupIds(const std::vector<Column>& key_cols, size_t rows) {
    gids_.assign(rows, 0);
    if (key_cols.empty()) return;
    auto added = [&](size_t r, size_t key_bytes) {
      uint32_t g = NewGroup();
      for (size_t k = 0; k < key_cols.size(); ++k) keys_[k].AppendFrom(key_cols[k], r);
      ctx_.memory->Consume(key_bytes * 2 + 64 + 64 * node_.aggs.size());
      return g;
    };
    const Column& first = key_cols[0];
    if (key_cols.size() == 1 && (UsesI64(first.type()) || first.type().id == TypeId::kString)) {
      const bool ints = UsesI64(first.type());
      for (size_t r = 0; r < rows; ++r) {
        if (first.IsNull(r)) {
          if (!null_group_) null_group_ = added(r, 8);
          gids_[r] = *null_group_;
        } else if (ints) {
          gids_[r] = int_groups_.FindOrAdd(first.I64(r), [&] { return added(r, 8); });
        } else {
          const std::string& v = first.Str(r);
          auto it = str_groups_.find(std::string_view(v));
          if (it == str_groups_.end()) it = str_groups_.emplace(v, added(r, v.size())).first;
          gids_[r] = it->second;
        }
      }
      return;
    }
    std::string key;
    for (size_t r = 0; r < rows; ++r) {
      key.clear();
      for (const auto& c : key_cols) EncodeKey(c, r, &key);
      auto it = groups_.find(key);
      if (it == groups_.end()) it = groups_.emplace(key, added(r, key.size())).first;
      gids_[r] = it->second;
    }
  }

  // Folds partial (sum, count) pairs into AVG state `a` (a NULL sum has count 0).
  void MergeAvg(size_t a, const Column& sums, const Column& counts, size_t rows) {
    std::vector<AggState>& st = states_[a];
    const bool exact = UsesI128(sums.type());
    for (size_t r = 0; r < rows; ++r) {
      if (sums.IsNull(r)) continue;
      AggState& s = st[gids_[r]];
      s.count += counts.I64(r);
      if (!exact) {
        s.sum_f64 += sums.F64(r);
      } else if (__builtin_add_overflow(s.sum_i128, sums.I128(r), &s.sum_i128)) {
        sql::Fail(sql::ER_DATA_OUT_OF_RANGE, "DECIMAL value is out of range in '" + node_.aggs[a].text + "'");
      }
    }
  }

  // Folds every row of `arg` into aggregate `a` (tight loops for the common cases).
  void UpdateAll(size_t a, const Column& arg, size_t rows) {
    const AggSpec& spec = node_.aggs[a];
    std::vector<AggState>& st = states_[a];
    if (spec.func == AggFunc::kCountStar) {
      for (size_t r = 0; r < rows; ++r) ++st[gids_[r]].count;
      return;
    }
    if (spec.func == AggFunc::kCountMerge) {
      for (size_t r = 0; r < rows; ++r) {
        if (!arg.IsNull(r)) st[gids_[r]].count += arg.I64(r);
      }
      return;
    }
    if (!spec.distinct && spec.func == AggFunc::kCount) {
      for (size_t r = 0; r < rows; ++r) st[gids_[r]].count += !arg.IsNull(r);
      return;
    }
    if (!spec.distinct && (spec.func == AggFunc::kSum || spec.func == AggFunc::kAvg)) {
      if (UsesI128(arg.type())) {
        for (size_t r = 0; r < rows; ++r) {
          if (arg.IsNull(r)) continue;
          AggState& s = st[gids_[r]];
          ++s.count;
          if (__builtin_add_overflow(s.sum_i128, arg.I128(r), &s.sum_i128)) {
            sql::Fail(sql::ER_DATA_OUT_OF_RANGE, "DECIMAL value is out of range in '" + spec.text + "'");
          }
        }
      } else {
        for (size_t r = 0; r < rows; ++r) {
          if (arg.IsNull(r)) continue;
          AggState& s = st[gids_[r]];
          ++s.count;
          s.sum_f64 += arg.F64(r);
        }
      }
      return;
    }
    if (!spec.distinct && (spec.func == AggFunc::kMin || spec.func == AggFunc::kMax) && TypedMinMax(a)) {
      const bool is_min = spec.func == AggFunc::kMin;
      if (UsesI64(arg.type())) {
        for (size_t r = 0; r < rows; ++r) {
          if (arg.IsNull(r)) continue;
          AggState& s = st[gids_[r]];
          const int128 v = arg.I64(r);
          if (!s.has_value || (is_min ? v < s.sum_i128 : v > s.sum_i128)) s.sum_i128 = v;
          s.has_value = true;
        }
      } else {
        for (size_t r = 0; r < rows; ++r) {
          if (arg.IsNull(r)) continue;
          AggState& s = st[gids_[r]];
          const double v = arg.F64(r);
          if (!s.has_value || (is_min ? CompareDouble(v, s.sum_f64) < 0 : CompareDouble(v, s.sum_f64) > 0)) {
            s.sum_f64 = v;
          }
          s.has_value = true;
        }
      }
      return;
    }
    for (size_t r = 0; r < rows; ++r) Update(a, gids_[r], arg, r);
  }

  // MIN / MAX of an integer, date or double argument keep the value in the
  // state itself (sum_i128 / sum_f64) instead of the value column.
  bool TypedMinMax(size_t a) const {
    const AggSpec& spec = node_.aggs[a];
    return spec.arg && (UsesI64(spec.arg->type) || spec.arg->type.id == TypeId::kDouble);
  }
  // As CompareAt orders doubles.
  static int CompareDouble(double x, double y) { return x < y ? -1 : x > y; }

  void Update(size_t a, uint32_t group, const Column& arg, size_t r) {
    const AggSpec& spec = node_.aggs[a];
    AggState& s = states_[a][group];
    if (spec.func == AggFunc::kCountStar) {
      ++s.count;
      return;
    }
    if (arg.IsNull(r)) return;
    if (spec.distinct) {
      if (!s.distinct) s.distinct = std::make_unique<std::unordered_set<std::string>>();
      std::string key;
      EncodeKey(arg, r, &key);
      if (!s.distinct->insert(key).second) return;
      ctx_.memory->Consume(key.size() + 48);
    }
    ++s.count;
    switch (spec.func) {
      case AggFunc::kSum:
      case AggFunc::kAvg:
        if (UsesI128(arg.type())) {
          if (__builtin_add_overflow(s.sum_i128, arg.I128(r), &s.sum_i128)) {
            sql::Fail(sql::ER_DATA_OUT_OF_RANGE, "DECIMAL value is out of range in '" + spec.text + "'");
          }
        } else {
          s.sum_f64 += arg.F64(r);
        }
        break;
      case AggFunc::kMin:
      case AggFunc::kMax:
      case AggFunc::kAnyValue: {
        Column& values = values_[a];
        if (!s.has_value) {
          s.has_value = true;
          s.value_row = static_cast<uint32_t>(values.Size());
          values.AppendFrom(arg, r);
          ctx_.memory->Consume(32);
          break;
        }
        if (spec.func == AggFunc::kAnyValue) break;
        int c = CompareAt(arg, r, values, s.value_row);
        if ((spec.func == AggFunc::kMin && c < 0) || (spec.func == AggFunc::kMax && c > 0)) {
          // Replace in place: append the new value and point at it (the old one is garbage).
          s.value_row = static_cast<uint32_t>(values.Size());
          values.AppendFrom(arg, r);
        }
        break;
      }
      default: break;
    }
  }

  Column Result(size_t a, size_t start, size_t end) {
    const AggSpec& spec = node_.aggs[a];
    Column out(spec.type);
    for (size_t g = start; g < end; ++g) {
      const AggState& s = states_[a][g];
      switch (spec.func) {
        case AggFunc::kCountStar:
        case AggFunc::kCount:
        case AggFunc::kCountMerge: out.AppendI64(s.count); break;
        case AggFunc::kSum:
          if (s.count == 0) {
            out.AppendNull();
          } else if (spec.type.id == TypeId::kDouble) {
            out.AppendF64(s.sum_f64);
          } else {
            out.AppendI128(s.sum_i128);
          }
          break;
        case AggFunc::kAvg:
        case AggFunc::kAvgMerge:
          if (s.count == 0) {
            out.AppendNull();
          } else if (spec.type.id == TypeId::kDouble) {
            out.AppendF64(s.sum_f64 / static_cast<double>(s.count));
          } else {
            // sum (at the argument's scale) / count, at the result's scale, rounded half away from zero.
            int shift = spec.type.scale - spec.arg->type.scale;
            int128 num = s.sum_i128 * Pow10(shift), den = s.count;
            int128 q = num / den, rem = num % den;
            if ((rem < 0 ? -rem : rem) * 2 >= den) q += num < 0 ? -1 : 1;
            out.AppendI128(q);
          }
          break;
        case AggFunc::kMin:
        case AggFunc::kMax:
        case AggFunc::kAnyValue:
          if (!s.has_value) {
            out.AppendNull();
          } else if (!spec.distinct && spec.func != AggFunc::kAnyValue && TypedMinMax(a)) {
            if (UsesI64(spec.arg->type)) {
              out.AppendI64(static_cast<int64_t>(s.sum_i128));
            } else {
              out.AppendF64(s.sum_f64);
            }
          } else {
            out.AppendFrom(values_[a], s.value_row);
          }
          break;
      }
    }
    return out;
  }

  const PlanNode& node_;
  Sink& out_;
  ExecContext& ctx_;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  std::unordered_map<std::string, uint32_t> groups_;  // encoded keys (several columns)
  IntGroupMap int_groups_;                             // one integer / date key
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> str_groups_;  // one string key
  std::optional<uint32_t> null_group_;
  std::vector<uint32_t> gids_;  // per row of the chunk being folded
  size_t group_count_ = 0;
  std::vector<Column> keys_;                   // one row per group
  std::vector<Column> values_;                 // MIN / MAX values per aggregate
  std::vector<std::vector<AggState>> states_;  // [aggregate][group]
};

}  // namespace

std::unique_ptr<Sink> NewAggregateSink(const PlanNode& node, Sink& out, ExecContext& ctx) {
  return std::make_unique<AggregateSink>(node, out, ctx);
}

}  // namespace strata::query

// Hash aggregation (executor.h): groups rows by the encoded values of the
// GROUP BY keys and folds each aggregate's argument into per-group state.
// SUM and AVG of integers and decimals are exact (128-bit); of doubles,
// double. Without GROUP BY there is exactly one group, even over no rows.
// kCountMerge / kAvgMerge fold the partial counts and (sum, count) pairs of
// a split aggregation (distribute.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "query/executor.h"
#include "query/flat_hash.h"
#include "sql/mysql_errors.h"

namespace strata::query {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// The distinct values of one aggregate's argument in one group, kept by
// their physical form: integers / dates / datetimes as int64, decimals and
// LARGEINT as int128, doubles by their bits (-0 as 0), strings as strings.
class DistinctSet {
 public:
  explicit DistinctSet(const Type& t) {
    if (UsesI128(t)) set_.emplace<FlatSet<int128>>();
    else if (t.id == TypeId::kString) set_.emplace<StringSet>();
    else set_.emplace<FlatSet<int64_t>>();  // integers, dates, double bits (kNull never inserts)
  }
  // True if row `r` of `c` (not NULL) was not in the set yet; adds the bytes
  // a new entry costs to *bytes.
  bool Insert(const Column& c, size_t r, uint64_t* bytes) {
    if (auto* s = std::get_if<FlatSet<int64_t>>(&set_)) {
      int64_t key;
      if (c.type().id == TypeId::kDouble) {
        double v = c.F64(r);
        if (v == 0) v = 0;  // -0 == 0
        std::memcpy(&key, &v, sizeof key);
      } else {
        key = c.I64(r);
      }
      if (!s->Insert(key)) return false;
      *bytes += FlatSet<int64_t>::kBytesPerEntry;
      return true;
    }
    if (auto* s = std::get_if<FlatSet<int128>>(&set_)) {
      if (!s->Insert(c.I128(r))) return false;
      *bytes += FlatSet<int128>::kBytesPerEntry;
      return true;
    }
    auto& strings = std::get<StringSet>(set_);
    const std::string_view v = c.Str(r);
    if (strings.find(v) != strings.end()) return false;
    strings.emplace(v);
    *bytes += v.size() + 48;
    return true;
  }
  // The set of an integer / date / datetime argument.
  FlatSet<int64_t>* ints() { return std::get_if<FlatSet<int64_t>>(&set_); }

 private:
  std::variant<FlatSet<int64_t>, FlatSet<int128>, StringSet> set_;
};

struct AggState {
  int64_t count = 0;           // non-NULL inputs (rows for COUNT(*))
  int128 sum_i128 = 0;         // decimal sums (unscaled at the argument's scale)
  double sum_f64 = 0;
  bool has_value = false;      // MIN / MAX / ANY_VALUE hold a value
  uint32_t value_row = 0;      // ... in the aggregate's value column
  std::unique_ptr<DistinctSet> distinct;
};

// GROUP BY keys that pack into PackedGroupMap words: every key an integer,
// date, datetime, decimal, LARGEINT, double or string (a string packs as its
// id in a per-key dictionary), at most kWordsMax words in all (one for the
// NULL flags). 0 if they do not.
size_t PackedKeyWords(const std::vector<BoundExprPtr>& keys) {
  if (keys.size() < 2 || keys.size() > 63) return 0;
  size_t words = 1;
  for (const auto& k : keys) {
    if (UsesI64(k->type) || k->type.id == TypeId::kDouble || k->type.id == TypeId::kString) words += 1;
    else if (UsesI128(k->type)) words += 2;
    else return 0;
  }
  return words <= PackedGroupMap::kWordsMax ? words : 0;
}

// `e` with every subtree equal to `sub` replaced by a reference to column
// `column`; null when `e` has no such subtree.
BoundExprPtr ReplaceSubtree(const BoundExpr& e, const BoundExpr& sub, size_t column) {
  if (SameExpr(e, sub)) return MakeColumnRef(column, e.type, e.text);
  BoundExprPtr out;
  for (size_t k = 0; k < e.args.size(); ++k) {
    BoundExprPtr replaced = ReplaceSubtree(*e.args[k], sub, column);
    if (!replaced) continue;
    if (!out) out = e.Clone();
    out->args[k] = std::move(replaced);
  }
  return out;
}

class AggregateSink : public Sink {
 public:
  AggregateSink(const PlanNode& node, Sink& out, ExecContext& ctx)
      : node_(node), out_(out), ctx_(ctx), packed_groups_(PackedKeyWords(node.group_keys)) {
    for (const auto& k : node.group_keys) keys_.emplace_back(k->type);
    for (const auto& a : node.aggs) values_.emplace_back(a.arg ? a.arg->type : Type::Int());
    best_strings_.resize(node.aggs.size());
    states_.resize(node.aggs.size());
    if (packed_groups_.words() > 0) {  // a dictionary per string key (PackedGroupIds)
      key_dicts_.resize(node.group_keys.size());
      dict_sizes_.resize(node.group_keys.size(), 0);
    }
    if (node.group_keys.empty()) NewGroup();  // the one group, rows or not
    ShareStates();
    ShareArguments();
  }

  bool Push(Chunk chunk) override {
    // Column references are read in place (no copy of the chunk's columns).
    const size_t nk = node_.group_keys.size(), na = node_.aggs.size();
    const bool share = shared_count_ > 0 && chunk.columns.size() == input_columns_;
    // Room for the shared arguments first: pointers into the chunk's columns are taken below.
    if (share) chunk.columns.reserve(input_columns_ + shared_count_);
    std::vector<Column> holders(nk + na);
    std::vector<const Column*> key_cols(nk), arg_cols(na, nullptr);
    for (size_t k = 0; k < nk; ++k) key_cols[k] = &EvaluateRef(*node_.group_keys[k], chunk, &holders[k]);
    for (size_t a = 0; a < na; ++a) {
      if (state_of_[a] != a) continue;  // read from another aggregate's state
      const BoundExpr* arg = share && rewritten_[a] ? rewritten_[a].get() : node_.aggs[a].arg.get();
      // SUM / AVG of an integer (bound as SUM(CAST(x AS DECIMAL(38, 0)))) fold
      // the integers themselves: the widening is done as they are added.
      if (arg && !(share && shared_[a]) && FoldsIntegersWidened(node_.aggs[a], *arg)) arg = arg->args[0].get();
      if (arg) arg_cols[a] = &EvaluateRef(*arg, chunk, &holders[nk + a]);
      if (share && shared_[a]) {  // the next column past the input's, as ShareArguments numbered it
        chunk.columns.push_back(arg_cols[a] == &holders[nk + a] ? std::move(holders[nk + a]) : *arg_cols[a]);
        arg_cols[a] = &chunk.columns.back();
      }
    }
    GroupIds(key_cols, chunk.rows);
    for (size_t a = 0; a < na; ++a) {
      if (state_of_[a] != a) continue;
      if (node_.aggs[a].func == AggFunc::kAvgMerge) {
        Column held;
        MergeAvg(a, *arg_cols[a], EvaluateRef(*node_.aggs[a].arg2, chunk, &held), chunk.rows);
      } else if (node_.group_keys.empty()) {
        UpdateAll<true>(a, arg_cols[a], chunk.rows);
      } else {
        UpdateAll<false>(a, arg_cols[a], chunk.rows);
      }
    }
    if (pending_bytes_ > 0) {
      const uint64_t bytes = pending_bytes_;
      pending_bytes_ = 0;
      ctx_.memory->Consume(bytes);
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
  // Aggregates that fold the same argument into the same state fold it once:
  // an exact repeat (a split AVG's partial SUM next to the query's own SUM),
  // SUM and AVG of one argument (both keep count and sum), and COUNT of an
  // argument that a SUM or AVG folds (its count is theirs). state_of_[a] is
  // the aggregate whose state `a` reads (a itself when it folds).
  void ShareStates() {
    const auto& aggs = node_.aggs;
    const size_t na = aggs.size();
    state_of_.resize(na);
    auto sum_like = [](AggFunc f) { return f == AggFunc::kSum || f == AggFunc::kAvg; };
    auto same_arg = [](const AggSpec& x, const AggSpec& y) {
      if (x.distinct != y.distinct || (x.arg == nullptr) != (y.arg == nullptr)) return false;
      if ((x.arg2 == nullptr) != (y.arg2 == nullptr)) return false;
      return (x.arg == nullptr || SameExpr(*x.arg, *y.arg)) && (x.arg2 == nullptr || SameExpr(*x.arg2, *y.arg2));
    };
    for (size_t a = 0; a < na; ++a) {
      state_of_[a] = a;
      for (size_t b = 0; b < a; ++b) {
        const bool alike = aggs[a].func == aggs[b].func || (sum_like(aggs[a].func) && sum_like(aggs[b].func));
        if (state_of_[b] == b && alike && same_arg(aggs[a], aggs[b])) {
          state_of_[a] = b;
          break;
        }
      }
    }
    for (size_t a = 0; a < na; ++a) {  // COUNT(x) reads SUM(x)'s or AVG(x)'s count
      if (aggs[a].func != AggFunc::kCount || state_of_[a] != a) continue;
      for (size_t b = 0; b < na; ++b) {
        if (state_of_[b] == b && sum_like(aggs[b].func) && same_arg(aggs[a], aggs[b])) {
          for (size_t& s : state_of_) {
            if (s == a) s = b;  // a and the COUNTs that read it
          }
          break;
        }
      }
    }
  }

  // Arithmetic that one aggregate's argument shares with a later one
  // (SUM(price * (1 - discount)) and SUM(price * (1 - discount) * (1 + tax)))
  // is evaluated once per chunk: the earlier argument's column is appended to
  // the chunk (shared arguments in aggregate order, past the input's
  // columns) and the later argument is rewritten to read it.
  void ShareArguments() {
    const size_t na = node_.aggs.size();
    rewritten_.resize(na);
    shared_.assign(na, false);
    if (node_.children.empty()) return;
    input_columns_ = node_.children[0]->output.size();
    auto candidate = [&](size_t i) {
      const AggSpec& a = node_.aggs[i];
      return a.arg != nullptr && a.func != AggFunc::kAvgMerge && state_of_[i] == i;
    };
    // An argument as it will be evaluated (reading the shared columns before it).
    auto form = [&](size_t i) -> const BoundExpr& { return rewritten_[i] ? *rewritten_[i] : *node_.aggs[i].arg; };
    size_t column = input_columns_;
    for (size_t i = 0; i < na; ++i) {
      if (!candidate(i) || form(i).op != ExprOp::kArith) continue;
      for (size_t j = i + 1; j < na; ++j) {
        if (!candidate(j)) continue;
        if (BoundExprPtr replaced = ReplaceSubtree(form(j), form(i), column)) {
          rewritten_[j] = std::move(replaced);
          shared_[i] = true;
        }
      }
      column += shared_[i];
    }
    shared_count_ = column - input_columns_;
  }

  uint32_t NewGroup() {
    for (auto& s : states_) {
      s.emplace_back();
    }
    return static_cast<uint32_t>(group_count_++);
  }

  // The group of every row into gids_ (new groups get their key values).
  // Without GROUP BY every row is group 0 and gids_ is not used.
  void GroupIds(const std::vector<const Column*>& key_cols, size_t rows) {
    if (key_cols.empty()) return;
    gids_.resize(rows);
    auto added = [&](size_t r, size_t key_bytes) {
      uint32_t g = NewGroup();
      for (size_t k = 0; k < key_cols.size(); ++k) keys_[k].AppendFrom(*key_cols[k], r);
      pending_bytes_ += key_bytes * 2 + 64 + 64 * node_.aggs.size();
      return g;
    };
    // One key: the group of its NULL rows, made by the first of them.
    auto null_group = [&](size_t r) {
      if (!null_group_) null_group_ = added(r, 8);
      return *null_group_;
    };
    if (node_.groups_disjoint) {  // each row a group of its own (PlanNode::groups_disjoint)
      for (size_t r = 0; r < rows; ++r) gids_[r] = added(r, 8 * key_cols.size());
      return;
    }
    const Column& first = *key_cols[0];
    if (key_cols.size() == 1 && first.str_codes() != nullptr) {
      // One coded string key: each entry's group is looked up once per chunk.
      const uint32_t* codes = first.str_codes();
      const uint8_t* nulls = first.nulls_data();
      entry_gids_.assign(first.str_entries().size(), kNoGroup);
      for (size_t r = 0; r < rows; ++r) {
        if (nulls[r]) {
          gids_[r] = null_group(r);
          continue;
        }
        uint32_t& g = entry_gids_[codes[r]];
        if (g == kNoGroup) {
          const std::string_view v = first.str_entries()[codes[r]];  // (the views may not be built)
          g = str_groups_.FindOrAdd(v, [&] { return added(r, v.size()); });
        }
        gids_[r] = g;
      }
      return;
    }
    if (key_cols.size() == 1 && UsesI64(first.type())) {
      // A row with the key of the row before (data sorted or clustered by
      // the key: lineitem by l_orderkey) takes its group without a lookup.
      bool have_last = false;
      int64_t last_key = 0;
      uint32_t last_gid = 0;
      for (size_t r = 0; r < rows; ++r) {
        if (first.IsNull(r)) {
          gids_[r] = null_group(r);
          continue;
        }
        const int64_t key = first.I64(r);
        if (!have_last || key != last_key) {
          last_gid = int_groups_.FindOrAdd(key, [&] { return added(r, 8); });
          last_key = key, have_last = true;
        }
        gids_[r] = last_gid;
      }
      return;
    }
    if (key_cols.size() == 1 && first.type().id == TypeId::kString) {
      for (size_t r = 0; r < rows; ++r) {
        if (first.IsNull(r)) {
          gids_[r] = null_group(r);
        } else {
          const std::string_view v = first.Str(r);
          gids_[r] = str_groups_.FindOrAdd(v, [&] { return added(r, v.size()); });
        }
      }
      return;
    }
    if (packed_groups_.words() > 0 && CodedGroupIds(key_cols, rows, added)) return;
    if (packed_groups_.words() > 0) return PackedGroupIds(key_cols, rows, added);
    std::string key;
    for (size_t r = 0; r < rows; ++r) {
      key.clear();
      for (const Column* c : key_cols) EncodeKey(*c, r, &key);
      auto it = groups_.find(key);
      if (it == groups_.end()) it = groups_.emplace(key, added(r, key.size())).first;
      gids_[r] = it->second;
    }
  }

  // Several keys, every one a coded string column (StringColumn::coded)
  // whose entries, with NULL as one more value, make at most
  // kCodedCombinationsMax combinations (and no more than the chunk's rows):
  // a row's keys are then one number below that, and each number's group is
  // looked up (its row's key packed as PackedGroupIds packs it) the first
  // time the chunk has it. False (nothing done) when the keys are not so.
  static constexpr size_t kCodedCombinationsMax = 4096;
  template <typename Added>
  bool CodedGroupIds(const std::vector<const Column*>& key_cols, size_t rows, Added& added) {
    size_t combinations = 1;
    for (const Column* c : key_cols) {
      if (c->str_codes() == nullptr) return false;
      combinations *= c->str_entries().size() + 1;
      if (combinations > kCodedCombinationsMax || combinations > rows) return false;
    }
    combination_.assign(rows, 0);
    size_t stride = 1;
    for (const Column* c : key_cols) {
      const uint32_t* codes = c->str_codes();
      const uint8_t* nulls = c->nulls_data();
      const auto null_code = static_cast<uint32_t>(c->str_entries().size());
      const auto step = static_cast<uint32_t>(stride);
      uint32_t* out = combination_.data();
      for (size_t r = 0; r < rows; ++r) out[r] += (nulls[r] ? null_code : codes[r]) * step;
      stride *= null_code + 1;
    }
    entry_gids_.assign(combinations, kNoGroup);
    const size_t words = packed_groups_.words();
    uint64_t key[PackedGroupMap::kWordsMax];
    for (size_t r = 0; r < rows; ++r) {
      uint32_t& g = entry_gids_[combination_[r]];
      if (g == kNoGroup) {
        key[0] = 0;
        for (size_t k = 0; k < key_cols.size(); ++k) PackKeyColumn(*key_cols[k], k, r, 1, words, k + 1, key);
        g = packed_groups_.FindOrAdd(key, [&] { return added(r, words * 8); });
      }
      gids_[r] = g;
    }
    return true;
  }

  // Several fixed-width keys: word 0 holds key k's NULL flag in bit k, then
  // each key's value (one word; two for int128; a string of up to 7 bytes
  // inline, a longer one as its id in key_dicts_[k]); a NULL value is all
  // zero and a double -0 is 0, so equal keys pack to equal words.
  static constexpr size_t kInlineKeyBytes = 7;
  // Keys are packed a block of rows at a time, key column by key column (the
  // column's type is looked at once per block, not once per row).
  static constexpr size_t kKeyBlockRows = 256;
  template <typename Added>
  void PackedGroupIds(const std::vector<const Column*>& key_cols, size_t rows, Added& added) {
    const size_t words = packed_groups_.words();
    uint64_t keys[kKeyBlockRows * PackedGroupMap::kWordsMax];
    for (size_t first = 0; first < rows; first += kKeyBlockRows) {  // bounded by rows
      const size_t n = std::min(kKeyBlockRows, rows - first);
      for (size_t i = 0; i < n; ++i) keys[i * words] = 0;
      size_t w = 1;
      for (size_t k = 0; k < key_cols.size(); ++k) {
        PackKeyColumn(*key_cols[k], k, first, n, words, w, keys);
        w += UsesI128(key_cols[k]->type()) ? 2 : 1;
      }
      // A row whose key equals the row before's takes its group without a
      // lookup (rows of a few groups often come in runs).
      uint32_t last_gid = 0;
      const uint64_t* last_key = nullptr;
      for (size_t i = 0; i < n; ++i) {
        const uint64_t* key = &keys[i * words];
        bool same = last_key != nullptr;
        for (size_t j = 0; j < words && same; ++j) same = key[j] == last_key[j];  // (std::equal calls memcmp)
        if (!same) {
          last_gid = packed_groups_.FindOrAdd(key, [&] { return added(first + i, words * 8); });
          last_key = key;
        }
        gids_[first + i] = last_gid;
      }
    }
  }

  // Key `k` of rows [first, first + n) of the chunk into word `w` of each
  // row's key (and the next word for int128), its NULL flag into bit k of
  // word 0; row i's key is keys[i * words, (i + 1) * words).
  void PackKeyColumn(const Column& c, size_t k, size_t first, size_t n, size_t words, size_t w, uint64_t* keys) {
    const size_t step = c.is_constant() ? 0 : 1;  // a constant's value is at index 0
    const uint8_t* nulls = c.nulls_data();
    auto null_at = [&](size_t i) { return nulls[(first + i) * step] != 0; };
    for (size_t i = 0; i < n; ++i) keys[i * words] |= uint64_t{null_at(i)} << k;
    uint64_t* out = keys + w;
    if (UsesI128(c.type()) && c.narrow()) {  // the same words as the value held in 128 bits
      const int64_t* v = c.i64_data();
      for (size_t i = 0; i < n; ++i) {
        const int64_t x = null_at(i) ? 0 : v[(first + i) * step];
        out[i * words] = static_cast<uint64_t>(x);
        out[i * words + 1] = x < 0 ? ~uint64_t{0} : 0;
      }
    } else if (UsesI128(c.type())) {
      const int128* v = c.i128_data();
      for (size_t i = 0; i < n; ++i) {
        const auto x = null_at(i) ? 0 : static_cast<unsigned __int128>(v[(first + i) * step]);
        out[i * words] = static_cast<uint64_t>(x);
        out[i * words + 1] = static_cast<uint64_t>(x >> 64);
      }
    } else if (c.type().id == TypeId::kDouble) {
      const double* v = c.f64_data();
      for (size_t i = 0; i < n; ++i) {
        double x = null_at(i) ? 0 : v[(first + i) * step];
        if (x == 0) x = 0;  // -0 == 0
        std::memcpy(&out[i * words], &x, 8);
      }
    } else if (c.type().id == TypeId::kString) {
      if (const uint32_t* codes = c.str_codes()) {  // its entries (the views may not be built)
        const std::string_view* entries = c.str_entries().data();
        for (size_t i = 0; i < n; ++i) {
          out[i * words] = null_at(i) ? 0 : StringKeyWord(entries[codes[first + i]], k);
        }
        return;
      }
      const std::string_view* v = c.str_data();
      for (size_t i = 0; i < n; ++i) out[i * words] = null_at(i) ? 0 : StringKeyWord(v[(first + i) * step], k);
    } else {
      const int64_t* v = c.i64_data();
      for (size_t i = 0; i < n; ++i) out[i * words] = null_at(i) ? 0 : static_cast<uint64_t>(v[(first + i) * step]);
    }
  }

  // A string key's word: up to kInlineKeyBytes bytes themselves with the
  // length in the top byte, a longer one its id in key_dicts_[k] with the top
  // bit set (an inline word's top byte is <= 7).
  uint64_t StringKeyWord(std::string_view v, size_t k) {
    if (v.empty()) return 0;  // (an empty view may have no bytes to load)
    if (v.size() <= kInlineKeyBytes) {
      // One 8-byte load: a column's string is followed by readable bytes
      // (StringColumn::kReadableTailBytes); those past size() are masked off.
      static_assert(storage::StringColumn::kReadableTailBytes >= 8);
      uint64_t word;
      std::memcpy(&word, v.data(), 8);
      word &= (uint64_t{1} << (8 * v.size())) - 1;
      return word | uint64_t{v.size()} << 56;
    }
    StringGroupMap& dict = key_dicts_[k];
    return (uint64_t{1} << 63) | dict.FindOrAdd(v, [&] {
             pending_bytes_ += v.size() + 48;
             return dict_sizes_[k]++;
           });
  }

  // Folds partial (sum, count) pairs into AVG state `a` (a NULL sum has count 0).
  void MergeAvg(size_t a, const Column& sums, const Column& counts, size_t rows) {
    std::vector<AggState>& st = states_[a];
    const bool exact = UsesI128(sums.type());
    const bool one_group = node_.group_keys.empty();  // gids_ unused
    for (size_t r = 0; r < rows; ++r) {
      if (sums.IsNull(r)) continue;
      AggState& s = st[one_group ? 0 : gids_[r]];
      s.count += counts.I64(r);
      if (!exact) {
        s.sum_f64 += sums.F64(r);
      } else if (__builtin_add_overflow(s.sum_i128, sums.I128(r), &s.sum_i128)) {
        sql::Fail(sql::ER_DATA_OUT_OF_RANGE, "DECIMAL value is out of range in '" + node_.aggs[a].text + "'");
      }
    }
  }

  // Folds every row of `arg` (null for COUNT(*)) into aggregate `a`, tight
  // loops for the common cases. kOne: there is one group (no GROUP BY).
  template <bool kOne>
  void UpdateAll(size_t a, const Column* argp, size_t rows) {
    const AggSpec& spec = node_.aggs[a];
    std::vector<AggState>& st = states_[a];
    auto group = [&](size_t r) -> uint32_t {
      if constexpr (kOne) return 0;
      else return gids_[r];
    };
    if (spec.func == AggFunc::kCountStar) {
      if constexpr (kOne) {
        st[0].count += static_cast<int64_t>(rows);
      } else {
        for (size_t r = 0; r < rows; ++r) ++st[gids_[r]].count;
      }
      return;
    }
    const Column& arg = *argp;
    // Row r's value is at index r * step (a constant column has one row).
    const size_t step = arg.is_constant() ? 0 : 1;
    const uint8_t* nulls = arg.nulls_data();
    if (spec.func == AggFunc::kCountMerge) {
      for (size_t r = 0; r < rows; ++r) {
        if (!nulls[r * step]) st[group(r)].count += arg.I64(r);
      }
      return;
    }
    if (spec.func == AggFunc::kCount && !spec.distinct) {
      if constexpr (kOne) {
        int64_t n = 0;
        for (size_t r = 0; r < rows; ++r) n += !nulls[r * step];
        st[0].count += n;
      } else {
        for (size_t r = 0; r < rows; ++r) st[gids_[r]].count += !nulls[r * step];
      }
      return;
    }
    if (spec.func == AggFunc::kCount && spec.distinct) {
      if (kOne && UsesI64(arg.type())) {  // the common COUNT(DISTINCT int) without GROUP BY: one set, typed
        AggState& s = st[0];
        if (!s.distinct) s.distinct = std::make_unique<DistinctSet>(arg.type());
        FlatSet<int64_t>& set = *s.distinct->ints();
        const int64_t* v = arg.i64_data();
        const size_t before = set.size();
        for (size_t r = 0; r < rows; ++r) {
          if (!nulls[r * step]) set.Insert(v[r * step]);
        }
        s.count += static_cast<int64_t>(set.size() - before);
        pending_bytes_ += (set.size() - before) * FlatSet<int64_t>::kBytesPerEntry;
        return;
      }
      for (size_t r = 0; r < rows; ++r) {
        if (nulls[r * step]) continue;
        AggState& s = st[group(r)];
        if (!s.distinct) s.distinct = std::make_unique<DistinctSet>(arg.type());
        s.count += s.distinct->Insert(arg, r, &pending_bytes_);
      }
      return;
    }
    if (!spec.distinct && (spec.func == AggFunc::kSum || spec.func == AggFunc::kAvg)) {
      if (UsesI128(arg.type()) && !arg.narrow()) {
        SumI128<kOne>(spec, st, arg.i128_data(), nulls, step, rows);
      } else if (UsesI64(arg.type()) || arg.narrow()) {  // narrow decimals; FoldsIntegersWidened
        SumI128<kOne>(spec, st, arg.i64_data(), nulls, step, rows);
      } else {
        const double* v = arg.f64_data();
        for (size_t r = 0; r < rows; ++r) {
          if (nulls[r * step]) continue;
          AggState& s = st[group(r)];
          ++s.count;
          s.sum_f64 += v[r * step];
        }
      }
      return;
    }
    if (!spec.distinct && (spec.func == AggFunc::kMin || spec.func == AggFunc::kMax) && TypedMinMax(a)) {
      const bool is_min = spec.func == AggFunc::kMin;
      if (UsesI64(arg.type())) {
        const int64_t* v = arg.i64_data();
        for (size_t r = 0; r < rows; ++r) {
          if (nulls[r * step]) continue;
          AggState& s = st[group(r)];
          const int128 x = v[r * step], cur = s.sum_i128;
          const bool take = !s.has_value | (is_min ? x < cur : x > cur);  // random input: no branch to mispredict
          s.sum_i128 = take ? x : cur;
          s.has_value = true;
        }
      } else {
        const double* v = arg.f64_data();
        for (size_t r = 0; r < rows; ++r) {
          if (nulls[r * step]) continue;
          AggState& s = st[group(r)];
          const double x = v[r * step], cur = s.sum_f64;
          const bool take = !s.has_value | (is_min ? CompareDouble(x, cur) < 0 : CompareDouble(x, cur) > 0);
          s.sum_f64 = take ? x : cur;
          s.has_value = true;
        }
      }
      return;
    }
    if (StringMinMaxState(a)) return StringMinMax<kOne>(a, arg, rows);
    for (size_t r = 0; r < rows; ++r) Update(a, group(r), arg, r);
  }

  // As std::string_view::compare, the first bytes compared inline (most
  // comparisons of unrelated strings end there).
  static int CompareBytes(std::string_view x, std::string_view y) {
    if (!x.empty() && !y.empty() && x[0] != y[0]) {
      return static_cast<unsigned char>(x[0]) < static_cast<unsigned char>(y[0]) ? -1 : 1;
    }
    return x.compare(y);
  }
  // MIN / MAX of strings (not DISTINCT): each group's value is a string of
  // its own in best_strings_[a], overwritten when a row beats it (compared
  // as bytes, no copy otherwise).
  bool StringMinMaxState(size_t a) const {
    const AggSpec& spec = node_.aggs[a];
    return spec.arg && spec.arg->type.id == TypeId::kString && !spec.distinct &&
           (spec.func == AggFunc::kMin || spec.func == AggFunc::kMax);
  }
  template <bool kOne>
  void StringMinMax(size_t a, const Column& arg, size_t rows) {
    const bool is_min = node_.aggs[a].func == AggFunc::kMin;
    std::vector<AggState>& st = states_[a];
    std::vector<std::string>& best_values = best_strings_[a];
    const size_t step = arg.is_constant() ? 0 : 1;
    const uint8_t* nulls = arg.nulls_data();
    const std::string_view* v = nullptr;  // the rows' views: not built for a coded column read by its codes
    auto beats = [is_min](std::string_view x, const std::string& best) {
      const int c = CompareBytes(x, best);
      return is_min ? c < 0 : c > 0;
    };
    auto take = [this](std::string& best, std::string_view x) {
      if (x.size() > best.capacity()) pending_bytes_ += x.size();
      best.assign(x);
    };
    // Value x of a row of group state s: the group's first, or compared with its best.
    auto offer = [&](AggState& s, std::string_view x) {
      if (!s.has_value) {
        s.has_value = true;
        s.value_row = static_cast<uint32_t>(best_values.size());
        best_values.emplace_back(x);
        pending_bytes_ += x.size() + 32;
        return;
      }
      std::string& best = best_values[s.value_row];
      if (beats(x, best)) take(best, x);
    };
    size_t r = 0;
    if constexpr (kOne) {
      if (const uint32_t* codes = arg.str_codes()) {
        // A coded column: which entries the rows have, then each of those
        // compared once.
        const std::vector<std::string_view>& entries = arg.str_entries();
        entry_seen_.assign(entries.size(), 0);
        int64_t present = 0;
        for (; r < rows; ++r) {
          const uint8_t here = !nulls[r];
          entry_seen_[codes[r]] |= here;
          present += here;
        }
        AggState& s = st[0];
        s.count += present;
        for (size_t e = 0; e < entries.size(); ++e) {
          if (entry_seen_[e]) offer(s, entries[e]);
        }
        return;
      }
      v = arg.str_data();
      // One group: its state in locals. A row viewing the same bytes as the
      // row before (a dictionary page's rows view its entries) cannot beat
      // the value that row left, and is not compared; nor is a row viewing
      // the bytes the best value was last found equal to (its entry, when
      // rows of other entries come between). Views stay valid and their
      // bytes unchanged for the call, so equal views mean equal bytes.
      AggState& s = st[0];
      if (!s.has_value) {
        while (r < rows && nulls[r * step]) ++r;
        if (r == rows) return;
        s.has_value = true;
        s.value_row = static_cast<uint32_t>(best_values.size());
        best_values.emplace_back(v[r * step]);
        pending_bytes_ += v[r * step].size() + 32;
        ++s.count;
        ++r;
      }
      std::string& best = best_values[s.value_row];
      int64_t count = s.count;
      const char* last_data = nullptr;
      size_t last_size = SIZE_MAX;  // no row's size: the first row is compared
      const char* best_data = nullptr;
      size_t best_size = SIZE_MAX;  // a view whose bytes equal `best`'s
      for (; r < rows; ++r) {
        if (nulls[r * step]) continue;
        ++count;
        const std::string_view x = v[r * step];
        if (x.data() == last_data && x.size() == last_size) continue;
        last_data = x.data(), last_size = x.size();
        if (x.data() == best_data && x.size() == best_size) continue;
        const int c = CompareBytes(x, best);
        if (is_min ? c > 0 : c < 0) continue;
        if (c != 0) take(best, x);
        best_data = x.data(), best_size = x.size();
      }
      s.count = count;
      return;
    }
    v = arg.str_data();
    for (; r < rows; ++r) {
      if (nulls[r * step]) continue;
      AggState& s = st[gids_[r]];
      ++s.count;
      offer(s, v[r * step]);
    }
  }

  // SUM / AVG of an integer argument whose bound form widens it to
  // DECIMAL(38, 0) (scale 0: the unscaled value is the integer itself).
  static bool FoldsIntegersWidened(const AggSpec& spec, const BoundExpr& arg) {
    return !spec.distinct && (spec.func == AggFunc::kSum || spec.func == AggFunc::kAvg) &&
           arg.op == ExprOp::kCast && arg.type.id == TypeId::kDecimal && arg.type.scale == 0 &&
           arg.args.size() == 1 && arg.args[0]->type.id == TypeId::kInt;
  }

  // SUM / AVG into the int128 state: of wide decimals (T = int128, overflow
  // checked), or of 64-bit values (T = int64_t: narrow decimals, integers
  // FoldsIntegersWidened; their sum cannot overflow, fewer than 2^63 rows of
  // magnitude at most 2^63 staying below 2^126). With one group the sum and
  // count stay in registers for the whole chunk.
  template <bool kOne, typename T>
  void SumI128(const AggSpec& spec, std::vector<AggState>& st, const T* v, const uint8_t* nulls, size_t step,
               size_t rows) {
    auto add = [&spec](int128& sum, T x) {
      if constexpr (std::is_same_v<T, int128>) {
        if (__builtin_add_overflow(sum, x, &sum)) {
          sql::Fail(sql::ER_DATA_OUT_OF_RANGE, "DECIMAL value is out of range in '" + spec.text + "'");
        }
      } else {
        sum += x;
      }
    };
    if constexpr (kOne) {
      int128 sum = st[0].sum_i128;
      int64_t count = st[0].count;
      for (size_t r = 0; r < rows; ++r) {
        if (nulls[r * step]) continue;
        ++count;
        add(sum, v[r * step]);
      }
      st[0].sum_i128 = sum;
      st[0].count = count;
    } else {
      for (size_t r = 0; r < rows; ++r) {
        if (nulls[r * step]) continue;
        AggState& s = st[gids_[r]];
        ++s.count;
        add(s.sum_i128, v[r * step]);
      }
    }
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
      if (!s.distinct) s.distinct = std::make_unique<DistinctSet>(arg.type());
      if (!s.distinct->Insert(arg, r, &pending_bytes_)) return;
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
      const AggState& s = states_[state_of_[a]][g];
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
          } else if (StringMinMaxState(state_of_[a])) {
            out.AppendStr(best_strings_[state_of_[a]][s.value_row]);
          } else {
            out.AppendFrom(values_[state_of_[a]], s.value_row);
          }
          break;
      }
    }
    return out;
  }

  const PlanNode& node_;
  Sink& out_;
  ExecContext& ctx_;
  std::unordered_map<std::string, uint32_t> groups_;  // encoded keys (several columns, not all fixed-width)
  PackedGroupMap packed_groups_;                      // several fixed-width keys (words() 0: not used)
  IntGroupMap int_groups_;                            // one integer / date key
  StringGroupMap str_groups_;                         // one string key
  std::vector<StringGroupMap> key_dicts_;             // packed keys: string key k's value -> id
  std::vector<uint32_t> dict_sizes_;                  // ids given per key_dicts_ entry
  std::optional<uint32_t> null_group_;
  std::vector<uint32_t> gids_;  // per row of the chunk being folded
  // Coded string keys (GroupIds, CodedGroupIds): per entry (or combination
  // of entries) of the chunk being folded, its group or kNoGroup; and per
  // row, its combination.
  static constexpr uint32_t kNoGroup = UINT32_MAX;
  std::vector<uint32_t> entry_gids_;
  std::vector<uint32_t> combination_;
  std::vector<uint8_t> entry_seen_;  // StringMinMax of a coded column: per entry, whether a row has it
  std::vector<size_t> state_of_;  // ShareStates: per aggregate, the one whose state it reads
  // ShareArguments: per aggregate, its argument reading shared columns (or
  // null), and whether its own column is shared; the input's column count.
  std::vector<BoundExprPtr> rewritten_;
  std::vector<bool> shared_;
  size_t input_columns_ = 0;
  size_t shared_count_ = 0;
  uint64_t pending_bytes_ = 0;  // memory of new groups / distinct values, charged once per chunk
  size_t group_count_ = 0;
  std::vector<Column> keys_;                   // one row per group
  std::vector<Column> values_;                 // MIN / MAX values per aggregate
  std::vector<std::vector<std::string>> best_strings_;  // StringMinMaxState: per aggregate, per group
  std::vector<std::vector<AggState>> states_;  // [aggregate][group]
};

}  // namespace

std::unique_ptr<Sink> NewAggregateSink(const PlanNode& node, Sink& out, ExecContext& ctx) {
  return std::make_unique<AggregateSink>(node, out, ctx);
}

}  // namespace strata::query

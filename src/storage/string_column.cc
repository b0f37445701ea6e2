#include "storage/string_column.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace strata::storage {

namespace {
constexpr size_t kFirstBlockBytes = 256;
constexpr size_t kLargestGrownBlockBytes = size_t{1} << 20;
}  // namespace

StringColumn::StringColumn(std::initializer_list<std::string_view> values) {
  views_.reserve(values.size());
  for (std::string_view v : values) push_back(v);
}

StringColumn::StringColumn(const StringColumn& other) { *this = other; }

StringColumn& StringColumn::operator=(const StringColumn& other) {
  if (this == &other) return *this;
  clear();
  const std::vector<std::string_view>& from = other.Views();
  size_t bytes = 0;
  for (std::string_view v : from) bytes += v.size();
  ReserveBytes(bytes);
  views_.reserve(from.size());
  for (std::string_view v : from) push_back(v);
  return *this;
}

StringColumn::StringColumn(StringColumn&& other) noexcept { *this = std::move(other); }

StringColumn& StringColumn::operator=(StringColumn&& other) noexcept {
  if (this == &other) return *this;
  views_ = std::move(other.views_);
  blocks_ = std::move(other.blocks_);
  next_ = std::exchange(other.next_, nullptr);
  left_ = std::exchange(other.left_, 0);
  block_bytes_ = std::exchange(other.block_bytes_, 0);
  coded_ = std::exchange(other.coded_, false);
  views_pending_.store(other.views_pending_.exchange(false, std::memory_order_acq_rel), std::memory_order_release);
  codes_ = std::move(other.codes_);
  entries_ = std::move(other.entries_);
  other.views_.clear();
  other.blocks_.clear();
  other.codes_.clear();
  other.entries_.clear();
  return *this;
}

void StringColumn::AppendCodedViews(const std::string_view* stored, size_t entry_count, const uint32_t* index,
                                    size_t n) {
  AppendCodedViews(stored, entry_count, NoInitVector<uint32_t>(index, index + n));
}

void StringColumn::AppendCodedViews(const std::string_view* stored, size_t entry_count, NoInitVector<uint32_t>&& index) {
  if (!empty()) return AppendStoredViews(stored, index.data(), index.size());
  coded_ = true;
  entries_.assign(stored, stored + entry_count);
  codes_ = std::move(index);
  views_.clear();
  views_pending_.store(true, std::memory_order_release);
}

void StringColumn::AppendGathered(const StringColumn& other, const uint32_t* rows, size_t n) {
  if (empty() && other.coded_ && other.entries_.size() <= n) {
    size_t bytes = 0;
    for (std::string_view e : other.entries_) bytes += e.size();
    ReserveBytes(bytes);
    std::vector<std::string_view> entries(other.entries_.size());
    for (size_t e = 0; e < entries.size(); ++e) entries[e] = Copy(other.entries_[e]);
    NoInitVector<uint32_t> codes(n);
    for (size_t i = 0; i < n; ++i) codes[i] = other.codes_[rows[i]];
    coded_ = true;
    entries_ = std::move(entries);
    codes_ = std::move(codes);
    views_.clear();
    views_pending_.store(true, std::memory_order_release);
    return;
  }
  const std::string_view* from = other.data();
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) bytes += from[rows[i]].size();
  ReserveBytes(bytes);
  ReserveMore(n);
  for (size_t i = 0; i < n; ++i) push_back(from[rows[i]]);
}

void StringColumn::KeepRows(const uint32_t* rows, size_t n) {
  // rows[i] >= i (ascending, distinct), so row i is written only after it was read.
  if (!ViewsPending()) {
    for (size_t i = 0; i < n; ++i) views_[i] = views_[rows[i]];
    views_.resize(n);
  }
  if (!coded_) return;
  for (size_t i = 0; i < n; ++i) codes_[i] = codes_[rows[i]];
  codes_.resize(n);
}

void StringColumn::BuildViews() const {
  std::lock_guard<std::mutex> lock(build_mu_);
  if (!views_pending_.load(std::memory_order_relaxed)) return;  // another reader built them
  AppendViewsOf(entries_.data(), codes_.data(), codes_.size(), &views_);  // views_ is empty while pending
  views_pending_.store(false, std::memory_order_release);
}

void StringColumn::DropCodesSlow() {
  if (ViewsPending()) BuildViews();
  coded_ = false;
  NoInitVector<uint32_t>().swap(codes_);  // (assigning {} would keep the capacity)
  std::vector<std::string_view>().swap(entries_);
}

void StringColumn::Append(const StringColumn& other, size_t begin, size_t end) {
  DropCodes();
  const std::string_view* from = other.data();
  size_t bytes = 0;
  for (size_t i = begin; i < end; ++i) bytes += from[i].size();
  ReserveBytes(bytes);
  ReserveMore(end - begin);
  for (size_t i = begin; i < end; ++i) push_back(from[i]);
}

void StringColumn::ReserveMore(size_t rows) {
  const size_t need = size() + rows;
  if (need > views_.capacity()) views_.reserve(std::max(need, 2 * views_.capacity()));
}

void StringColumn::ReserveBytes(size_t bytes) {
  if (bytes > left_) NewBlock(bytes);
}

void StringColumn::clear() {
  views_pending_.store(false, std::memory_order_release);  // (no views to build: every row goes)
  DropCodes();
  views_.clear();
  blocks_.clear();
  next_ = nullptr;
  left_ = 0;
  block_bytes_ = 0;
}

void StringColumn::NewBlock(size_t at_least) {
  // Blocks grow with what the column holds (fewer, larger blocks for large
  // columns), up to 1 MiB unless one value or reservation needs more.
  const size_t grown = std::clamp<size_t>(block_bytes_, kFirstBlockBytes, kLargestGrownBlockBytes);
  const size_t size = std::max(at_least, grown);
  blocks_.push_back(std::unique_ptr<char[]>(new char[size + kReadableTailBytes]));
  next_ = blocks_.back().get();
  left_ = size;
  block_bytes_ += size;
}

bool StringColumn::operator==(const StringColumn& other) const {
  const std::vector<std::string_view>&a = Views(), &b = other.Views();
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace strata::storage

// The strings of one column: a view per row into byte blocks the column
// owns. Appending a value copies its bytes to the end of the column's last
// block (a new block when it is full: blocks never move, so every view stays
// valid while the column lives), so a string costs no allocation of its own
// and a column is freed block by block, not value by value.
//
// Used by storage::ColumnVector (what pages decode into) and by the query
// engine's Column, so that a scanned column reaches the engine without a copy.
//
// Semantics follow std::vector<std::string> where the names agree, with
// values read as std::string_view. A copy copies the bytes (the copy owns
// its own blocks); a move takes them. Views handed out (operator[], data())
// stay valid until the column is destroyed, assigned to or cleared; appending
// does not invalidate them (resize/reserve may move the view array itself,
// not the bytes).
//
// Reading past a value: the 8 bytes from a non-empty value's first byte are
// always readable (blocks end with kReadableTailBytes of padding), so a
// short value can be loaded as one word and masked. An empty value's view
// may have no data pointer.
//
// Dictionary codes (optional): a column whose rows all view the entries of
// one dictionary stored in it (a DICTIONARY page's, copied in once) may also
// keep each row's entry number. coded() is then true, entries() are the
// stored entries and codes()[i] is row i's entry: entries()[codes()[i]] is
// the very view (*this)[i]. Code that can work once per entry instead of
// once per row reads them (GROUP BY keys, MIN / MAX). Only AppendCodedViews
// into an empty column codes it, and only KeepRows and AppendGathered (into
// an empty column) carry codes; every other change of the rows (any other
// append, resize, MutableViews, a copy) drops them, the views staying as
// they are. A move keeps them.
//
// A coded column's views are built when first read (operator[], data(),
// back(), begin(), end(), a copy, an append from it): code that reads only
// codes() never pays for them, and KeepRows then moves only codes.
//
// Thread-safety: a value type; one writer, or many readers (the first read
// of a coded column's views builds them under a lock).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/no_init_vector.h"

namespace strata::storage {

class StringColumn {
 public:
  static constexpr size_t kReadableTailBytes = 8;

  StringColumn() = default;
  StringColumn(std::initializer_list<std::string_view> values);
  StringColumn(const StringColumn& other);
  StringColumn& operator=(const StringColumn& other);
  // The moved-from column is empty (and appends to blocks of its own).
  StringColumn(StringColumn&& other) noexcept;
  StringColumn& operator=(StringColumn&& other) noexcept;
  ~StringColumn() = default;

  size_t size() const { return ViewsPending() ? codes_.size() : views_.size(); }
  bool empty() const { return size() == 0; }
  std::string_view operator[](size_t i) const { return Views()[i]; }
  std::string_view back() const { return Views().back(); }
  const std::string_view* data() const { return Views().data(); }
  const std::string_view* begin() const { return Views().data(); }
  const std::string_view* end() const { return Views().data() + Views().size(); }

  // Appends a copy of `v`'s bytes (`v` may point into this column).
  void push_back(std::string_view v) {
    DropCodes();
    views_.push_back(Copy(v));
  }
  void emplace_back(const char* p, size_t n) { push_back(std::string_view(p, n)); }
  void emplace_back() {
    DropCodes();
    views_.emplace_back();
  }
  // Bytes kept by the column without a row of their own, and rows that view
  // them: a decoder copies a page's dictionary once (StoreBytes) and appends
  // each row as a view of its entry (AppendStoredView), so that equal values
  // share their bytes. AppendStoredView's `v` must be a view StoreBytes
  // returned on this column (or part of one; empty is allowed).
  std::string_view StoreBytes(std::string_view v) { return Copy(v); }
  void AppendStoredView(std::string_view v) {
    DropCodes();
    views_.push_back(v);
  }
  // Appends n rows, row i a view of stored[index[i]] (each entry as
  // AppendStoredView's `v`): a dictionary page's rows in one step.
  void AppendStoredViews(const std::string_view* stored, const uint32_t* index, size_t n) {
    DropCodes();
    AppendViewsOf(stored, index, n, &views_);
  }
  // As AppendStoredViews (every index[i] < entry_count); into an empty
  // column it also codes the column, with stored[0, entry_count) as its
  // entries and index as the rows' codes.
  void AppendCodedViews(const std::string_view* stored, size_t entry_count, const uint32_t* index, size_t n);
  // The same with the indices handed over: into an empty column they become
  // its codes without a copy.
  void AppendCodedViews(const std::string_view* stored, size_t entry_count, NoInitVector<uint32_t>&& index);
  // Appends copies of other's rows rows[0, n) (any order, repeats allowed;
  // `other` is not this column). Into an empty column from a coded one with
  // no more entries than rows, the entries' bytes are copied once and the
  // rows view them, coded; otherwise each row's bytes are copied.
  void AppendGathered(const StringColumn& other, const uint32_t* rows, size_t n);
  // Keeps rows rows[0, n) (ascending, distinct) in place, with their codes.
  void KeepRows(const uint32_t* rows, size_t n);

  bool coded() const { return coded_; }
  const uint32_t* codes() const { return codes_.data(); }
  const std::vector<std::string_view>& entries() const { return entries_; }
  // Appends rows [begin, end) of `other` (copies of their bytes).
  void Append(const StringColumn& other, size_t begin, size_t end);
  // New rows are empty strings; shrinking keeps the bytes (until cleared).
  void resize(size_t n) {
    DropCodes();
    views_.resize(n);
  }
  void reserve(size_t n) { views_.reserve(n); }  // (pending views: room for them once built)
  // Room for `rows` more rows, growing geometrically (repeated appends of
  // batches stay linear, unlike reserve(size() + rows)).
  void ReserveMore(size_t rows);
  size_t capacity() const { return views_.capacity(); }
  // Room for `bytes` more bytes of values in one block, so that the next
  // appends totalling at most that many allocate nothing.
  void ReserveBytes(size_t bytes);
  // Drops every row and frees the blocks.
  void clear();

  // The views themselves, for code that reorders rows in place (moving a
  // view to another row, or replacing it with an empty view). Only views of
  // this column's own rows may be stored: a view of other bytes would dangle.
  std::vector<std::string_view>& MutableViews() {
    DropCodes();
    return views_;
  }

  // Bytes of the blocks held (the values' bytes and the free room after
  // them): what the column costs beyond its views, for budgets.
  uint64_t BlockBytes() const { return block_bytes_; }
  // Bytes of the codes and entries kept (0 when not coded).
  uint64_t CodeBytes() const { return codes_.capacity() * 4 + entries_.capacity() * sizeof(std::string_view); }

  bool operator==(const StringColumn& other) const;

 private:
  // A view of a copy of `v` in this column's blocks.
  std::string_view Copy(std::string_view v) {
    if (v.empty()) return {};
    if (v.size() > left_) NewBlock(v.size());
    char* p = next_;
    __builtin_memcpy(p, v.data(), v.size());
    next_ += v.size();
    left_ -= v.size();
    return {p, v.size()};
  }
  void NewBlock(size_t at_least);
  // Appends to `views` a view of stored[index[i]] for each i < n (also what
  // BuildViews does, from the codes, into the empty views of a const column).
  static void AppendViewsOf(const std::string_view* stored, const uint32_t* index, size_t n,
                            std::vector<std::string_view>* views) {
    const size_t old = views->size();
    views->resize(old + n);
    std::string_view* out = views->data() + old;
    for (size_t i = 0; i < n; ++i) out[i] = stored[index[i]];
  }
  // Builds the views first when they are pending.
  void DropCodes() {
    if (coded_) DropCodesSlow();
  }
  void DropCodesSlow();
  bool ViewsPending() const { return views_pending_.load(std::memory_order_acquire); }
  const std::vector<std::string_view>& Views() const {
    if (ViewsPending()) BuildViews();
    return views_;
  }
  void BuildViews() const;

  // Empty while views_pending_ (a coded column whose views are not built:
  // codes_ has the rows); built from codes_ and entries_ by BuildViews.
  mutable std::vector<std::string_view> views_;
  mutable std::atomic<bool> views_pending_{false};
  mutable std::mutex build_mu_;  // held by BuildViews
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;  // free bytes of the last block: [next_, next_ + left_)
  size_t left_ = 0;
  uint64_t block_bytes_ = 0;
  bool coded_ = false;               // codes_ and entries_ describe the rows
  NoInitVector<uint32_t> codes_;     // per row, when coded_
  std::vector<std::string_view> entries_;
};

}  // namespace strata::storage

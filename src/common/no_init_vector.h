// Vectors of plain numbers whose value-less growth leaves the new elements
// uninitialized: resize() then allocates (or extends) without zeroing, for
// buffers every new element of which is written right after (a decoder
// unpacking a page's values straight into a column, a gather). Explicit
// values (assign(n, 0), insert(pos, n, 0), push_back) behave as usual, so only
// code that resizes and then writes every new element may rely on it.
//
// Thread-safety: as std::vector.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace strata {

template <typename T>
struct NoInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = NoInitAllocator<U>;
  };
  NoInitAllocator() = default;
  template <typename U>
  NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <typename T>
using NoInitVector = std::vector<T, NoInitAllocator<T>>;

// The integer values of a column (storage::ColumnVector, query::Column): one
// type on both sides, so a scan hands its buffers to the engine by a move.
using Int64Values = NoInitVector<int64_t>;

}  // namespace strata

// Built as C++23 (common/CMakeLists.txt: its own object library) for
// std::string::resize_and_overwrite; the rest of the tree is C++20, and
// std::string's layout is the same in both.
#include "common/uninit_string.h"

namespace strata {

std::string UninitializedString(size_t size) {
  std::string s;
  // The requested size, not the operation's second argument: GCC 12's
  // libstdc++ passes the grown capacity there when it reallocates.
  s.resize_and_overwrite(size, [size](char*, size_t) { return size; });
  return s;
}

}  // namespace strata

// A std::string of a given size whose bytes are not initialized: for a
// buffer that a read (pread, a copy) overwrites at once. Zero-filling a
// multi-megabyte read buffer first cost about a tenth of a warm scan.
//
// Thread-safety: a free function.
#pragma once

#include <cstddef>
#include <string>

namespace strata {

// A string of `size` bytes with unspecified contents (the caller writes
// every byte before reading any).
std::string UninitializedString(size_t size);

}  // namespace strata

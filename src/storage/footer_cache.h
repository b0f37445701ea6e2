// A process-wide cache of decoded data file footers (data_file_reader.h),
// keyed by object name and size. Object names are immutable (DESIGN §3.1: a
// name is never written twice with different content), so an entry never
// goes stale. Only the footer is remembered: a scan still reads every chunk
// it needs from the store and checks its CRCs, so a damaged or missing data
// file is still an error; what is saved is the footer's GET and decoding
// (most of the CPU of a query that min/max pruning leaves with nothing to read).
//
// Off (capacity 0) until EnableFooterCache: the servers turn it on; unit
// tests, which reuse names with other bytes, do not. Least recently used
// entries go first once their rough bytes pass the capacity.
//
// Thread-safety: all functions are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "storage/data_file_format.h"

namespace strata::storage {

// Sets the cache's capacity in bytes (0 turns it off and empties it).
void EnableFooterCache(uint64_t capacity_bytes);
// The default the servers use.
inline constexpr uint64_t kFooterCacheBytesDefault = 64ull << 20;

// The footer of object `key` of `size_bytes` bytes, or null.
std::shared_ptr<const FileFooter> FindFooter(std::string_view key, uint64_t size_bytes);
// Adds (or replaces) the footer, which holds about `approx_bytes` of memory;
// does nothing while the cache is off or when it alone exceeds the capacity.
void AddFooter(std::string_view key, uint64_t size_bytes, std::shared_ptr<const FileFooter> footer,
               uint64_t approx_bytes);

}  // namespace strata::storage

// Read-ahead for scans of one immutable object (a data file): the scan says
// up front which byte ranges it will read and in which order (PlanPrefetch),
// and a RangePrefetcher fetches them in a few large ranged GETs, several in
// flight on the IoExecutor, ahead of the scan, while the scan decodes what
// arrived. Why: a scan that reads one column chunk after another, each with
// a GET of its own, leaves the object store idle while it decodes and the
// CPU idle while it waits; an S3 server serves a few large GETs in flight
// several times faster than one small GET at a time.
//
// The plan: the needed bytes are rounded out to aligned blocks of
// `align_bytes` (the CN disk cache's block size, so that two GETs never fetch
// the same cache block), blocks separated by at most `gap_bytes_max` of
// unneeded bytes are read together, and the result is cut into units (one GET
// each) of at most `unit_bytes_max`; the first units are smaller
// (`unit_bytes_initial`, doubling) so that the scan can start decoding soon.
// Units are fetched in the order the scan first needs them.
//
// Memory: the bytes of units fetched or in flight and still needed are at
// most the window (`ahead_bytes_initial`, doubling as units are used up, up
// to `ahead_bytes_max`), except that the units the current read needs are
// always fetched (by the scan thread itself when the window or the executor
// has no room: one GET more than in_flight_max), and a unit is kept until the
// last read that needs it has been asked for. A unit's buffer is freed as soon as the scan moves past it.
//
// Errors (Read): the store's errors for the unit's GET (with the key and the
// range as context; not retried here — the store's own retries apply);
// DataLoss when the object is shorter than the plan says (a damaged or
// truncated object is an error, never wrong bytes). After an error the scan
// is expected to stop.
//
// Thread-safety: one RangePrefetcher is used by one scan thread; its fetches
// run on the executor's threads. The store must be safe to call from many
// threads and must outlive the prefetcher; the destructor waits for the GETs
// already running (never for queued ones, which then do nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "storage/io_executor.h"

namespace strata::storage {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct PrefetchOptions {
  uint64_t align_bytes = 4096;               // unit boundaries fall on multiples of this (> 0)
  uint64_t unit_bytes_initial = 2ull << 20;  // the first unit's largest size (> 0)
  uint64_t unit_bytes_max = 8ull << 20;      // one GET reads at most this (rounded down to blocks, >= 1 block)
  uint64_t gap_bytes_max = 1 << 20;          // unneeded bytes read rather than split a GET
  size_t in_flight_max = 3;                  // GETs of one prefetcher queued or running (1..kInFlightLimit)
  uint64_t ahead_bytes_initial = 16ull << 20;
  uint64_t ahead_bytes_max = 48ull << 20;
};

// The options a tablet scan uses on `store` (the defaults): GETs of the bytes
// the scan needs, on 4 KiB boundaries (the CN disk cache's block size, so
// that two GETs never fetch the same cache block). Chunks of the columns read
// are ~100 KB at SF 1, so rounding them out to larger blocks fetched several
// times the bytes decoded (1 MiB: 139 MB for TPC-H Q6's 35 MB). Stores reached
// over the network read across gaps of up to 1 MiB rather than start another
// GET (measured on Ceph RGW: TPC-H Q3 cold 968 -> 798 ms with 1 MiB instead of
// 256 KiB, 294 -> 184 GETs for 70 -> 93 MB); a local directory or memory
// ("local", "mem" backends) never reads a gap.
PrefetchOptions ScanPrefetchOptions(const objstore::ObjectStore& store);

inline constexpr size_t kPrefetchInFlightLimit = 64;
// Reads of one plan; a larger scan of one file is cut into several plans.
inline constexpr size_t kPrefetchReadsMax = size_t{1} << 22;

// One GET of the plan.
struct FetchUnit {
  uint64_t offset = 0;
  uint64_t length = 0;
  size_t first_read = 0;  // the first and last read that need it
  size_t last_read = 0;
};

struct PrefetchPlan {
  std::vector<ByteRange> reads;         // in the order the scan asks for them
  std::vector<FetchUnit> units;         // ascending by offset, disjoint, each needed by some read
  std::vector<size_t> read_first_unit;  // per read: the units [first, last] covering it;
  std::vector<size_t> read_last_unit;   // first > last for an empty read
  std::vector<size_t> fetch_order;      // unit indices by first_read, then offset
  std::vector<size_t> release_order;    // unit indices by last_read, then offset

  uint64_t FetchBytes() const;
};

// Plans the GETs for `reads` of an object of `size_bytes`. Every read must
// lie inside [0, size_bytes) (programmer error otherwise: callers take the
// ranges from a verified footer), at most kPrefetchReadsMax of them.
// No unit spans the block boundary at or below `cut_at_bytes`: a scan passes
// where the bytes its footer read fetched begin, which the disk cache holds
// as one extent already; a GET spanning both would come back from the cache
// in two pieces copied together into a new buffer.
PrefetchPlan PlanPrefetch(std::vector<ByteRange> reads, uint64_t size_bytes, const PrefetchOptions& options,
                          uint64_t cut_at_bytes = UINT64_MAX);

class RangePrefetcher {
 public:
  // Starts the first fetches at once. `options` must be the ones the plan was
  // made with.
  RangePrefetcher(objstore::ObjectStore& store, std::string key, PrefetchPlan plan, const PrefetchOptions& options,
                  IoExecutor& executor);
  ~RangePrefetcher();
  RangePrefetcher(const RangePrefetcher&) = delete;
  RangePrefetcher& operator=(const RangePrefetcher&) = delete;

  size_t reads() const;
  // True once every unit has been started (queued, fetching or done): the
  // scan may start reading its next object without exceeding its bounds by
  // more than one window.
  bool AllStarted() const;

  // The bytes of plan.reads[i], exactly its length. `i` must be larger than
  // the previous call's (reads may be skipped). The view is valid until the
  // next Read / ReadSpan or the destruction. Errors: see the header comment.
  Result<std::string_view> Read(size_t i);
  // The bytes of plan.reads[first, first + n) into out[0, n), all valid at
  // once (a row group's column chunks, decoded batch by batch) until the next
  // Read / ReadSpan or the destruction; `first` as Read's `i`, n >= 1.
  Status ReadSpan(size_t first, size_t n, std::vector<std::string_view>* out);

  struct Stats {
    uint64_t fetched_bytes = 0;   // bytes of units fetched successfully
    uint64_t units_fetched = 0;   // GETs issued (on the executor or inline)
    uint64_t units_inline = 0;    // of which the scan thread ran itself (executor full, or not yet started)
    uint64_t wait_us = 0;         // time Read spent waiting for fetches
    uint64_t held_bytes_max = 0;  // the most bytes of units fetched or in flight and not yet released
  };
  Stats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  size_t next_read_ = 0;  // the smallest index Read may be asked for
  std::vector<std::string> scratch_;  // per read of a span: one spanning several units is copied here
};

}  // namespace strata::storage

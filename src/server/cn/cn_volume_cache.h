// The compute node's disk cache per storage volume (DESIGN §1: a CN keeps "a
// local disk cache of immutable objects only"): a VolumeStores::Wrap that puts
// each volume store the CN opens behind an objstore::CachingObjectStore.
//
// Only tablet objects (keys containing "/data/tablets/": tablet metadata and
// data files, immutable by DESIGN invariant 1) are cached. Each volume gets
// its own directory <cache_dir>/volume_<n>, n in order of first use, with
// capacity_bytes of its own; at most kCachedVolumesMax volumes are cached
// (further ones are read uncached). Because object names never repeat across
// volumes, a directory that serves another volume after a restart holds
// nothing that can be read by mistake. A cache that cannot open leaves the
// volume uncached (logged): the object store is the truth.
//
// Thread-safety: the returned function may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/tablet_service.h"

namespace strata::server::cn {

inline constexpr int kCachedVolumesMax = 4;

// True for the keys the cache keeps.
bool IsCacheableTabletObject(std::string_view key);

// nullptr (no cache) when capacity_bytes is 0. `cache_dir` must exist.
storage::VolumeStores::Wrap NewVolumeCacheWrap(std::string cache_dir, uint64_t capacity_bytes);

}  // namespace strata::server::cn

#include "server/cn/cn_volume_cache.h"

#include <atomic>
#include <memory>

#include "common/logging.h"
#include "objstore/cache/caching_object_store.h"

namespace strata::server::cn {

bool IsCacheableTabletObject(std::string_view key) { return key.find("/data/tablets/") != std::string_view::npos; }

storage::VolumeStores::Wrap NewVolumeCacheWrap(std::string cache_dir, uint64_t capacity_bytes) {
  if (capacity_bytes == 0) return nullptr;
  auto next = std::make_shared<std::atomic<int>>(0);
  return [next, capacity_bytes, cache_dir = std::move(cache_dir)](std::shared_ptr<objstore::ObjectStore> backing)
             -> Result<std::shared_ptr<objstore::ObjectStore>> {
    int n = next->fetch_add(1);
    if (n >= kCachedVolumesMax) {
      STRATA_LOG(kWarn, "cn: more than {} storage volumes in use; volume #{} is read without the disk cache",
                 kCachedVolumesMax, n);
      return backing;
    }
    objstore::CachingObjectStoreOptions options;
    options.dir = cache_dir + "/volume_" + std::to_string(n);
    options.capacity_bytes = capacity_bytes;
    options.cacheable = IsCacheableTabletObject;
    auto cache = objstore::CachingObjectStore::Open(std::move(options), backing);
    if (!cache.ok()) {
      STRATA_LOG(kWarn, "cn: disk cache for volume #{} unusable, reading uncached: {}", n, cache.status().ToString());
      return backing;
    }
    return std::shared_ptr<objstore::ObjectStore>(std::move(cache).value());
  };
}

}  // namespace strata::server::cn

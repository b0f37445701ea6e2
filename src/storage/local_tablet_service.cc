// LocalTabletService and VolumeStores (tablet_service.h).
#include <fmt/format.h>

#include "storage/tablet_service.h"

namespace strata::storage {

Result<std::shared_ptr<objstore::ObjectStore>> VolumeStores::Get(const VolumeRef& volume) {
  const std::string id = volume.name + "\n" + volume.spec.location + "\n" + volume.spec.endpoint;
  std::lock_guard lock(mu_);
  if (auto it = stores_.find(id); it != stores_.end()) return it->second;
  auto store = objstore::OpenObjectStore(volume.spec);
  if (!store.ok()) return store.status().WithContext("open storage volume " + volume.name);
  std::shared_ptr<objstore::ObjectStore> s = *store;
  if (wrap_) {
    STRATA_ASSIGN_OR_RETURN(s, wrap_(std::move(s)));
  }
  stores_.emplace(id, s);
  return s;
}

namespace {

class LocalTabletService final : public TabletService {
 public:
  explicit LocalTabletService(std::shared_ptr<VolumeStores> stores) : stores_(std::move(stores)) {}

  Result<RowsetMeta> WriteRowset(const WriteRowsetRequest& r) override {
    STRATA_ASSIGN_OR_RETURN(auto store, stores_->Get(r.volume));
    return storage::WriteRowset(*store, r.lineage, r.tablet_id, r.txn_id, r.seq, r.schema, r.columns);
  }

  Status ScanTablet(const ScanTabletRequest& r, const RowsetSink& sink) override {
    STRATA_ASSIGN_OR_RETURN(auto store, stores_->Get(r.volume));
    STRATA_ASSIGN_OR_RETURN(TabletMeta meta, ReadTabletMeta(*store, r.meta_key, r.tablet_id));
    return storage::ScanTablet(*store, meta, r.options, sink);
  }

  Status ScanTabletBatches(const ScanTabletRequest& r, const BatchSink& sink) override {
    STRATA_ASSIGN_OR_RETURN(auto store, stores_->Get(r.volume));
    STRATA_ASSIGN_OR_RETURN(TabletMeta meta, ReadTabletMeta(*store, r.meta_key, r.tablet_id));
    return storage::ScanTabletBatches(*store, meta, r.options, sink);
  }

  Result<CompactionOutput> Compact(const CompactRequest& r) override {
    STRATA_ASSIGN_OR_RETURN(auto store, stores_->Get(r.volume));
    return CompactTablet(*store, r.lineage, r.tablet_id, r.base_meta_key, r.txn_id, r.policy);
  }

 private:
  std::shared_ptr<VolumeStores> stores_;
};

}  // namespace

std::unique_ptr<TabletService> NewLocalTabletService(std::shared_ptr<VolumeStores> stores) {
  return std::make_unique<LocalTabletService>(std::move(stores));
}

}  // namespace strata::storage

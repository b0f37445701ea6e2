#include "server/fe_pitr_window.h"

#include <algorithm>
#include <chrono>

#include "objstore/open_object_store.h"
#include "objstore/retry/retrying_object_store.h"
#include "snapshot/snapshot_history.h"

namespace strata::server {

sql::PointInTimeWindowSource MakePointInTimeWindowSource(const FeConfig& fe, std::function<std::string()> cluster_id) {
  const int64_t retention_seconds = fe.point_in_time_retention_seconds;
  const int64_t grace_ms = std::max(fe.vacuum_grace_ms, retention_seconds * 1000);
  std::shared_ptr<objstore::ObjectStore> store;
  std::string open_error;
  if (auto opened = objstore::OpenObjectStore(fe.volume); opened.ok()) {
    store = std::make_shared<objstore::RetryingObjectStore>(std::move(*opened), RetryPolicy{});
  } else {
    open_error = opened.status().ToString();
  }
  return [retention_seconds, grace_ms, store, open_error, cluster_id = std::move(cluster_id)] {
    sql::PointInTimeWindowInfo info{.retention_seconds = retention_seconds, .data_grace_seconds = grace_ms / 1000};
    if (store == nullptr) {
      info.message = "cannot open the storage volume: " + open_error;
      return info;
    }
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    auto h = snapshot::ReadRestorableHistory(store, cluster_id(),
                                             snapshot::HistoryOptions{.window_ms = grace_ms, .now_ms = now_ms});
    if (!h.ok()) {
      info.message = h.status().ToString();
      return info;
    }
    const snapshot::RestorableWindow& w = h->window;
    if (w.empty) {
      info.message = w.log_oldest_version == 0 ? "no metadata log on the volume"
                                               : "no snapshot or image lies under the oldest retained log entry";
      return info;
    }
    info.restorable = true;
    info.oldest_version = w.oldest_version;
    info.oldest_time_ms = w.oldest_time_ms;
    info.newest_version = w.newest_version;
    info.newest_time_ms = w.newest_time_ms;
    info.oldest_base = w.oldest_base;
    return info;
  };
}

}  // namespace strata::server

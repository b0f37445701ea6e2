// The FE's source for information_schema.point_in_time_window (issue 10): the
// window setting from fe.conf and the restorable range of the lineage this FE
// follows, read from the volume on each call by snapshot::ReadRestorableHistory
// (a listing and a few log reads). The window's start is bounded by how long
// vacuum keeps replaced table data here: max(vacuum_grace_ms,
// point_in_time_retention_seconds) — the same grace fe_main.cc gives vacuum.
//
// Thread-safety: the returned function may be called from any session thread
// (the store is thread-safe; the cluster id is read through `cluster_id`).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "objstore/object_store.h"
#include "server/fe_config.h"
#include "sql/info_schema.h"

namespace strata::server {

// Opens its own handle on fe.volume (the FE's metadata volume); `cluster_id`
// returns the lineage the FE follows now. Errors opening or reading the volume
// come back in the row (UNAVAILABLE).
sql::PointInTimeWindowSource MakePointInTimeWindowSource(const FeConfig& fe, std::function<std::string()> cluster_id);

}  // namespace strata::server

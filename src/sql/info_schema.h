// information_schema: virtual tables built from the catalog on demand, with
// MySQL's column names and types (plus StarRocks' cluster_snapshots and
// cluster_snapshot_jobs, and Strata's point_in_time_window). Rows the account
// may not see are left out.
//
// Thread-safety: pure functions over a caller-owned CatalogState.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meta/catalog/model.h"
#include "sql/engine.h"
#include "sql/privileges.h"

namespace strata::sql {

std::vector<std::string> InfoSchemaTableNames();

// information_schema.point_in_time_window (issue 10): the FE's window setting
// and the range of log versions a point-in-time restore of this lineage can
// reach now (snapshot/snapshot_history.h computes it). One row.
struct PointInTimeWindowInfo {
  int64_t retention_seconds = 0;  // fe.conf point_in_time_retention_seconds (0: off)
  int64_t data_grace_seconds = 0; // how long vacuum keeps replaced table data (>= retention_seconds)
  bool restorable = false;        // false: no log range restorable now (see message)
  uint64_t oldest_version = 0;
  int64_t oldest_time_ms = 0;     // 0: unknown (its entry was cleaned up, or version 0)
  uint64_t newest_version = 0;
  int64_t newest_time_ms = 0;
  std::string oldest_base;        // what a restore to oldest_version starts from
  std::string message;            // why not restorable, or a read error
};
using PointInTimeWindowSource = std::function<PointInTimeWindowInfo()>;

struct InfoSchemaContext {
  const meta::CatalogState& state;
  const PrivilegeChecker& checker;
  std::string cluster_id;
  PointInTimeWindowSource point_in_time_window;  // null: the table shows the window as unknown
};

// The table's rows, or nullopt when `lower_name` is not an information_schema table.
std::optional<ResultSet> BuildInfoSchemaTable(std::string_view lower_name, const InfoSchemaContext& ctx);

}  // namespace strata::sql

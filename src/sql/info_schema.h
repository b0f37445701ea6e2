// information_schema: virtual tables built from the catalog on demand, with
// MySQL's column names and types (plus StarRocks' cluster_snapshots and
// cluster_snapshot_jobs). Rows the account may not see are left out.
//
// Thread-safety: pure functions over a caller-owned CatalogState.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meta/catalog/model.h"
#include "sql/engine.h"
#include "sql/privileges.h"

namespace strata::sql {

std::vector<std::string> InfoSchemaTableNames();

struct InfoSchemaContext {
  const meta::CatalogState& state;
  const PrivilegeChecker& checker;
  std::string cluster_id;
};

// The table's rows, or nullopt when `lower_name` is not an information_schema table.
std::optional<ResultSet> BuildInfoSchemaTable(std::string_view lower_name, const InfoSchemaContext& ctx);

}  // namespace strata::sql

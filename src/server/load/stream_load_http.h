// Stream load over HTTP, StarRocks-compatible:
//   PUT /api/{db}/{table}/_stream_load   (HTTP basic auth, body = CSV or JSON)
// Headers: label, format (csv|json), column_separator, row_delimiter, columns,
// max_filter_ratio, skip_header, enclose, escape, trim_space,
// strip_outer_array, jsonpaths. The answer is StarRocks' JSON result
// (Status Success | Fail | "Label Already Exists", counts, LoadBytes,
// LoadTimeMs, Message), with HTTP 200 as StarRocks does; bad requests
// (auth, unknown table, bad headers) also carry Status Fail.
//
// Thread-safety: the handler is thread-safe.
#pragma once

#include <functional>
#include <string>

#include "server/http_server.h"
#include "server/load/load_coordinator.h"
#include "sql/engine.h"

namespace strata::server {

struct StreamLoadDeps {
  LoadCoordinator* coordinator = nullptr;
  sql::Engine* engine = nullptr;  // accounts (LookupUser)
  // Reads the catalog (privileges).
  std::function<void(const std::function<void(const meta::CatalogState&)>&)> read_catalog;
};

// True for ".../_stream_load" paths this handler serves.
bool IsStreamLoadPath(const std::string& path);
HttpResponse HandleStreamLoad(const StreamLoadDeps& deps, const HttpRequest& request);

}  // namespace strata::server

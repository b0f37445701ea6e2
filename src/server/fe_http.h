// The FE's HTTP endpoints (docs/operations/fe.md has their JSON):
//
//   GET  /api/health          200 {"status":"OK"} while the process runs
//   GET  /api/ready           200 when the metadata service is ready, else 503
//                             (also GET /api/health?ready)
//   GET  /metrics             Prometheus text: the process registry + the meta service
//   POST /api/meta/change     submit one catalog change (JSON, meta::ChangeFromJson);
//                             a follower forwards it to the leader, then waits
//                             until it has applied the result (read-your-writes)
//   POST /api/meta/change_internal
//                             leader only: one catalog change as the binary
//                             meta::EncodeBatch of a one-change Batch (secrets
//                             intact, unlike JSON); what a follower's SQL
//                             writes forward (sql_catalog_access.h). Same
//                             answers as /api/meta/change; a non-leader
//                             answers 421 (never forwards again)
//   GET  /api/meta/catalog    the catalog with version, leader, is_leader, cluster_id
//   GET  /api/meta/status     version, leader, is_leader, ready, cluster_id, fe_name
//   POST /api/meta/checkpoint write an image now (leader only)
//
// Thread-safety: the handlers are thread-safe if the MetaApi is.
#pragma once

#include <cstdint>

#include "server/http_server.h"
#include "server/meta_api.h"

namespace strata::server {

struct FeHttpOptions {
  int64_t forward_timeout_ms = 10000;  // the whole forwarded call to the leader
  int64_t wait_applied_ms = 10000;     // a follower waiting for the leader's version
};

// The header a follower sets when forwarding, so that a request is forwarded
// at most once (a second hop answers 421 instead of bouncing around).
inline constexpr const char* kForwardedHeader = "X-Strata-Forwarded-By";

inline constexpr const char* kInternalChangePath = "/api/meta/change_internal";

// `meta` must outlive the router.
HttpRouter BuildFeRouter(MetaApi* meta, FeHttpOptions options);

}  // namespace strata::server

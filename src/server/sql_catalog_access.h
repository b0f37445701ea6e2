// How the SQL engine (sql/engine.h) reaches the catalog on this FE:
//   - reads run on the metadata service's catalog under its shared lock;
//   - writes go to MetaService::Submit on the leader; on a follower they are
//     forwarded to the leader's internal endpoint POST /api/meta/change_internal
//     (fe_http.h) as the binary EncodeBatch of a one-change Batch — binary
//     because the JSON form masks secrets (storage volume credentials, password
//     hashes) — and this FE then waits until it has applied the leader's
//     version, so the writer's next read sees the change (read-your-writes).
//
// Errors of Submit: the change's own rejection (AlreadyExists, NotFound, ...)
// as the leader reported it; Unavailable when no leader is known, the leader
// cannot be reached (outcome unknown: the message says so) or the FE is still
// starting; DeadlineExceeded when the leader committed but this FE has not
// applied the version within wait_applied_ms.
//
// Thread-safety: both classes are thread-safe (the engine calls them from
// every session thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "meta/service/meta_service.h"
#include "server/http_server.h"
#include "server/meta_api.h"
#include "sql/engine.h"

namespace strata::server {

class ServiceCatalogReader final : public sql::CatalogReader {
 public:
  explicit ServiceCatalogReader(const meta::MetaService* service) : service_(service) {}
  void Read(const std::function<void(const meta::Catalog&)>& reader) const override {
    service_->Read([&](const meta::Catalog& c) { reader(c); });
  }

 private:
  const meta::MetaService* service_;
};

struct CatalogWriterOptions {
  int64_t forward_timeout_ms = 10000;  // the forwarded call to the leader
  int64_t wait_applied_ms = 10000;     // this FE catching up with the leader's version
};

// The HTTP call to the leader (a seam for tests; HttpPost in production).
using LeaderPost = std::function<Result<HttpResponse>(const std::string& host_port, const std::string& path,
                                                      const std::string& body, const HttpCallOptions& options)>;

class ForwardingCatalogWriter final : public sql::CatalogWriter {
 public:
  // `meta` must outlive the writer; `post` defaults to HttpPost.
  ForwardingCatalogWriter(MetaApi* meta, CatalogWriterOptions options, LeaderPost post = nullptr);
  Result<meta::CommitResult> Submit(meta::Change change) override;

 private:
  Result<meta::CommitResult> Forward(const meta::Change& change);

  MetaApi* meta_;
  CatalogWriterOptions options_;
  LeaderPost post_;
};

// The leader's side of /api/meta/change_internal's answer, parsed: the
// status the leader's Submit returned, and the version a follower must apply
// before its reads reflect it (0 if none). For fe_http.cc and its tests.
struct InternalChangeAnswer {
  Status status;
  meta::CommitResult result;
};
InternalChangeAnswer ParseInternalChangeAnswer(const HttpResponse& response);

}  // namespace strata::server

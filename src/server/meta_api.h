// MetaApi: what the FE's HTTP handlers need from the metadata service — a
// seam so that handlers are unit-tested over a fake, and the real FE passes an
// adapter over meta::MetaService (MakeMetaApi).
//
// Thread-safety: implementations must allow every method from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "meta/catalog/change.h"
#include "meta/service/meta_service.h"

namespace strata::server {

// The catalog as of one applied version, read under one lock.
struct CatalogView {
  std::string json;  // Catalog::ToJson(): secrets masked
  uint64_t version = 0;
};

class MetaApi {
 public:
  virtual ~MetaApi() = default;

  // InvalidArgument naming the field for a malformed body; nothing is submitted.
  virtual Result<meta::Change> ParseChange(std::string_view json) const = 0;
  // As meta::MetaService::Submit.
  virtual Result<meta::CommitResult> Submit(meta::Change change) = 0;
  virtual Status WaitApplied(uint64_t version, int64_t timeout_ms) = 0;
  virtual bool IsLeader() const = 0;
  virtual std::string Leader() const = 0;  // "host:port", "" if unknown
  virtual std::string FeName() const = 0;  // this FE's "host:port"
  virtual uint64_t AppliedVersion() const = 0;
  virtual std::string ClusterId() const = 0;
  virtual bool Ready() const = 0;
  virtual CatalogView ReadCatalog() const = 0;
  virtual Result<uint64_t> Checkpoint() = 0;
  virtual std::string MetricsText() const = 0;
  // False while the FE is still starting (no metadata service yet): the
  // handlers answer 503 instead of reading.
  virtual bool Started() const { return true; }
};

// Serves HTTP before the metadata service exists (so /api/health answers and
// the port is taken before the FE touches the volume): forwards to the target
// once Set(), and until then reports "starting" — not ready, no leader,
// Submit/Checkpoint/WaitApplied Unavailable.
class DeferredMetaApi final : public MetaApi {
 public:
  // `target` must stay valid until Set(nullptr) returns and no request is in
  // flight (stop the HTTP server first).
  void Set(MetaApi* target) { target_.store(target); }

  Result<meta::Change> ParseChange(std::string_view json) const override;
  Result<meta::CommitResult> Submit(meta::Change change) override;
  Status WaitApplied(uint64_t version, int64_t timeout_ms) override;
  bool IsLeader() const override;
  std::string Leader() const override;
  std::string FeName() const override;
  uint64_t AppliedVersion() const override;
  std::string ClusterId() const override;
  bool Ready() const override;
  CatalogView ReadCatalog() const override;
  Result<uint64_t> Checkpoint() override;
  std::string MetricsText() const override;
  bool Started() const override { return target_.load() != nullptr; }

 private:
  std::atomic<MetaApi*> target_{nullptr};
};

// An adapter over a running service; `service` must outlive the adapter.
std::unique_ptr<MetaApi> MakeMetaApi(meta::MetaService* service, std::string fe_name);

}  // namespace strata::server

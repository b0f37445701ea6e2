#include "server/meta_api.h"

#include <utility>

namespace strata::server {
namespace {

class ServiceMetaApi final : public MetaApi {
 public:
  ServiceMetaApi(meta::MetaService* service, std::string fe_name) : service_(service), fe_name_(std::move(fe_name)) {}

  Result<meta::Change> ParseChange(std::string_view json) const override { return meta::ChangeFromJson(json); }
  Result<meta::CommitResult> Submit(meta::Change change) override { return service_->Submit(std::move(change)); }
  Status WaitApplied(uint64_t version, int64_t timeout_ms) override {
    return service_->WaitApplied(version, timeout_ms);
  }
  bool IsLeader() const override { return service_->IsLeader(); }
  std::string Leader() const override { return service_->Leader(); }
  std::string FeName() const override { return fe_name_; }
  uint64_t AppliedVersion() const override { return service_->AppliedVersion(); }
  std::string ClusterId() const override { return service_->ClusterId(); }
  bool Ready() const override { return service_->Ready(); }
  CatalogView ReadCatalog() const override {
    return service_->Read([](const meta::Catalog& c) { return CatalogView{c.ToJson(), c.version()}; });
  }
  Result<uint64_t> Checkpoint() override { return service_->Checkpoint(); }
  std::string MetricsText() const override { return service_->MetricsText(); }

 private:
  meta::MetaService* service_;
  std::string fe_name_;
};

}  // namespace

namespace {
Status Starting() { return Unavailable("the FE is starting (metadata service not up yet); retry"); }
}  // namespace

Result<meta::Change> DeferredMetaApi::ParseChange(std::string_view json) const {
  MetaApi* t = target_.load();
  return t ? t->ParseChange(json) : meta::ChangeFromJson(json);
}
Result<meta::CommitResult> DeferredMetaApi::Submit(meta::Change change) {
  MetaApi* t = target_.load();
  return t ? t->Submit(std::move(change)) : Result<meta::CommitResult>(Starting());
}
Status DeferredMetaApi::WaitApplied(uint64_t version, int64_t timeout_ms) {
  MetaApi* t = target_.load();
  return t ? t->WaitApplied(version, timeout_ms) : Starting();
}
bool DeferredMetaApi::IsLeader() const {
  MetaApi* t = target_.load();
  return t && t->IsLeader();
}
std::string DeferredMetaApi::Leader() const {
  MetaApi* t = target_.load();
  return t ? t->Leader() : std::string();
}
std::string DeferredMetaApi::FeName() const {
  MetaApi* t = target_.load();
  return t ? t->FeName() : std::string();
}
uint64_t DeferredMetaApi::AppliedVersion() const {
  MetaApi* t = target_.load();
  return t ? t->AppliedVersion() : 0;
}
std::string DeferredMetaApi::ClusterId() const {
  MetaApi* t = target_.load();
  return t ? t->ClusterId() : std::string();
}
bool DeferredMetaApi::Ready() const {
  MetaApi* t = target_.load();
  return t && t->Ready();
}
CatalogView DeferredMetaApi::ReadCatalog() const {
  MetaApi* t = target_.load();
  return t ? t->ReadCatalog() : CatalogView{};
}
Result<uint64_t> DeferredMetaApi::Checkpoint() {
  MetaApi* t = target_.load();
  return t ? t->Checkpoint() : Result<uint64_t>(Starting());
}
std::string DeferredMetaApi::MetricsText() const {
  MetaApi* t = target_.load();
  return t ? t->MetricsText() : std::string();
}

std::unique_ptr<MetaApi> MakeMetaApi(meta::MetaService* service, std::string fe_name) {
  return std::make_unique<ServiceMetaApi>(service, std::move(fe_name));
}

}  // namespace strata::server

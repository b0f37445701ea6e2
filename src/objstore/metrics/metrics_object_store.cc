#include "objstore/metrics/metrics_object_store.h"

#include <chrono>

#include <fmt/format.h>

namespace strata::objstore {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t MicrosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

class MetricsMultipartUpload : public MultipartUpload {
 public:
  MetricsMultipartUpload(MetricsObjectStore* owner, std::unique_ptr<MultipartUpload> base)
      : owner_(owner), base_(std::move(base)) {}
  Status UploadPart(std::string_view data) override {
    auto start = Clock::now();
    Status s = base_->UploadPart(data);
    owner_->Record("multipart_part", s, MicrosSince(start), 0, s.ok() ? data.size() : 0);
    return s;
  }
  Status Complete() override {
    auto start = Clock::now();
    Status s = base_->Complete();
    owner_->Record("multipart_complete", s, MicrosSince(start), 0, 0);
    return s;
  }
  Status Abort() override {
    auto start = Clock::now();
    Status s = base_->Abort();
    owner_->Record("multipart_abort", s, MicrosSince(start), 0, 0);
    return s;
  }

 private:
  MetricsObjectStore* owner_;
  std::unique_ptr<MultipartUpload> base_;
};

}  // namespace

MetricsObjectStore::MetricsObjectStore(std::shared_ptr<ObjectStore> base, MetricsRegistry* registry)
    : base_(std::move(base)), registry_(registry) {
  STRATA_CHECK(base_ != nullptr && registry_ != nullptr);
}

void MetricsObjectStore::Record(std::string_view op, const Status& status, uint64_t micros, uint64_t read_bytes,
                                uint64_t written_bytes) {
  std::string backend = fmt::format("backend=\"{}\"", base_->BackendName());
  std::string labels = fmt::format("{},op=\"{}\"", backend, op);
  registry_->GetCounter("strata_objstore_requests_total", labels).Add();
  registry_->GetHistogram("strata_objstore_request_seconds", labels).Observe(micros);
  if (!status.ok()) {
    registry_->GetCounter("strata_objstore_errors_total",
                          fmt::format("{},code=\"{}\"", labels, StatusCodeName(status.code())))
        .Add();
  }
  if (read_bytes > 0) registry_->GetCounter("strata_objstore_read_bytes_total", backend).Add(read_bytes);
  if (written_bytes > 0) registry_->GetCounter("strata_objstore_written_bytes_total", backend).Add(written_bytes);
}

Status MetricsObjectStore::Put(std::string_view key, std::string_view data) {
  auto start = Clock::now();
  Status s = base_->Put(key, data);
  Record("put", s, MicrosSince(start), 0, s.ok() ? data.size() : 0);
  return s;
}

Status MetricsObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  auto start = Clock::now();
  Status s = base_->PutIfAbsent(key, data);
  Record("put_if_absent", s, MicrosSince(start), 0, s.ok() ? data.size() : 0);
  return s;
}

Result<std::string> MetricsObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  auto start = Clock::now();
  Result<std::string> r = base_->GetRange(key, offset, length);
  Record("get", r.status(), MicrosSince(start), r.ok() ? r->size() : 0, 0);
  return r;
}

Result<ObjectMeta> MetricsObjectStore::Head(std::string_view key) {
  auto start = Clock::now();
  Result<ObjectMeta> r = base_->Head(key);
  Record("head", r.status(), MicrosSince(start), 0, 0);
  return r;
}

Result<ListPage> MetricsObjectStore::List(const ListOptions& options) {
  auto start = Clock::now();
  Result<ListPage> r = base_->List(options);
  Record("list", r.status(), MicrosSince(start), 0, 0);
  return r;
}

Status MetricsObjectStore::DeleteBatch(std::span<const std::string> keys) {
  auto start = Clock::now();
  Status s = base_->DeleteBatch(keys);
  Record("delete", s, MicrosSince(start), 0, 0);
  return s;
}

Result<std::unique_ptr<MultipartUpload>> MetricsObjectStore::StartMultipart(std::string_view key) {
  auto start = Clock::now();
  Result<std::unique_ptr<MultipartUpload>> r = base_->StartMultipart(key);
  Record("multipart_start", r.status(), MicrosSince(start), 0, 0);
  if (!r.ok()) return r;
  return std::unique_ptr<MultipartUpload>(new MetricsMultipartUpload(this, std::move(r).value()));
}

}  // namespace strata::objstore

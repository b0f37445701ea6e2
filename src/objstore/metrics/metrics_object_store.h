// MetricsObjectStore: counts every call of another ObjectStore, its errors by
// code, the bytes moved and its latency, into a MetricsRegistry:
//   strata_objstore_requests_total{backend,op}
//   strata_objstore_errors_total{backend,op,code}
//   strata_objstore_read_bytes_total{backend} / strata_objstore_written_bytes_total{backend}
//   strata_objstore_request_seconds{backend,op}   (histogram)
// `op` is one of put, put_if_absent, get, head, list, delete, multipart_start,
// multipart_part, multipart_complete, multipart_abort.
//
// Thread-safety: as the wrapped store; instruments are atomic.
#pragma once

#include <memory>

#include "common/metrics.h"
#include "objstore/object_store.h"

namespace strata::objstore {

class MetricsObjectStore : public ObjectStore {
 public:
  MetricsObjectStore(std::shared_ptr<ObjectStore> base, MetricsRegistry* registry = &MetricsRegistry::Global());

  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return base_->BackendName(); }

  // Records one call; public so the multipart wrapper can use it.
  void Record(std::string_view op, const Status& status, uint64_t micros, uint64_t read_bytes,
              uint64_t written_bytes);

 private:
  std::shared_ptr<ObjectStore> base_;
  MetricsRegistry* registry_;
};

}  // namespace strata::objstore

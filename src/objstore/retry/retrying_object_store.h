// RetryingObjectStore: retries the retryable failures (Status::retryable())
// of another ObjectStore with bounded, jittered back-off (RetryPolicy).
//
// Which calls are retried: every idempotent one — Put (the same bytes twice
// is one Put), GetRange, Head, List, DeleteBatch (missing keys are fine),
// StartMultipart — and PutIfAbsent, with care: if an earlier attempt failed
// ambiguously (the write may have landed) and a retry then finds the key
// taken, the wrapper reads the object back; if it holds exactly our bytes the
// put is reported OK, otherwise AlreadyExists. That is only sound when the
// content identifies its writer (log entries carry the writer's id and a
// nonce), which every Strata caller of PutIfAbsent guarantees.
// MultipartUpload calls are not retried here: parts are appended in order, so
// a blind retry could add a part twice; backends retry parts internally where
// that is idempotent (S3 re-sends the same part number), and callers restart
// the whole upload otherwise.
//
// Thread-safety: as the wrapped store.
#pragma once

#include <memory>

#include "common/retry_policy.h"
#include "objstore/object_store.h"

namespace strata::objstore {

class RetryingObjectStore : public ObjectStore {
 public:
  RetryingObjectStore(std::shared_ptr<ObjectStore> base, RetryPolicy policy);

  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return base_->BackendName(); }

 private:
  // Runs `call` under the policy, keeping its last result.
  template <typename R, typename F>
  R Retry(F&& call);

  std::shared_ptr<ObjectStore> base_;
  RetryPolicy policy_;
};

}  // namespace strata::objstore

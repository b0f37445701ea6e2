#include "objstore/retry/retrying_object_store.h"

#include <optional>

#include "common/logging.h"

namespace strata::objstore {

RetryingObjectStore::RetryingObjectStore(std::shared_ptr<ObjectStore> base, RetryPolicy policy)
    : base_(std::move(base)), policy_(policy) {
  STRATA_CHECK(base_ != nullptr);
  STRATA_CHECK_GE(policy_.attempts_max, 1);
}

template <typename R, typename F>
R RetryingObjectStore::Retry(F&& call) {
  std::optional<R> last;
  Status s = policy_.Run([&] {
    last.emplace(call());
    if constexpr (std::is_same_v<R, Status>) {
      return *last;
    } else {
      return last->status();
    }
  });
  if constexpr (std::is_same_v<R, Status>) {
    return s;
  } else {
    if (!s.ok()) return R(s);
    return std::move(*last);
  }
}

Status RetryingObjectStore::Put(std::string_view key, std::string_view data) {
  return Retry<Status>([&] { return base_->Put(key, data); });
}

Status RetryingObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  bool ambiguous = false;  // an earlier attempt may have written the object
  Status s = policy_.Run([&] {
    Status attempt = base_->PutIfAbsent(key, data);
    if (attempt.retryable()) ambiguous = true;
    return attempt;
  });
  if (s.code() != StatusCode::kAlreadyExists || !ambiguous) return s;
  // Did our own lost attempt win? Compare the stored bytes with ours.
  Result<std::string> stored = Retry<Result<std::string>>([&] { return base_->Get(key); });
  if (!stored.ok()) {
    return Unavailable("put-if-absent " + std::string(key) +
                       ": outcome unknown (an attempt may have landed and the read-back failed: " +
                       stored.status().ToString() + ")");
  }
  if (*stored == data) {
    STRATA_LOG(kDebug, "put-if-absent {}: an earlier attempt had landed; reporting success", key);
    return Status::OK();
  }
  return s;
}

Result<std::string> RetryingObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  return Retry<Result<std::string>>([&] { return base_->GetRange(key, offset, length); });
}

Result<ObjectMeta> RetryingObjectStore::Head(std::string_view key) {
  return Retry<Result<ObjectMeta>>([&] { return base_->Head(key); });
}

Result<ListPage> RetryingObjectStore::List(const ListOptions& options) {
  return Retry<Result<ListPage>>([&] { return base_->List(options); });
}

Status RetryingObjectStore::DeleteBatch(std::span<const std::string> keys) {
  return Retry<Status>([&] { return base_->DeleteBatch(keys); });
}

Result<std::unique_ptr<MultipartUpload>> RetryingObjectStore::StartMultipart(std::string_view key) {
  return Retry<Result<std::unique_ptr<MultipartUpload>>>([&] { return base_->StartMultipart(key); });
}

}  // namespace strata::objstore

#include "objstore/fault/fault_injection_object_store.h"

#include <chrono>
#include <thread>

namespace strata::objstore {
namespace {

Status Injected(std::string_view op, FaultKind kind, int64_t call) {
  return Unavailable(std::string("injected fault (") + (kind == FaultKind::kFailBefore ? "fail" : "lost reply") +
                     ") on call " + std::to_string(call) + ": " + std::string(op));
}

class FaultMultipartUpload : public MultipartUpload {
 public:
  FaultMultipartUpload(FaultInjectionObjectStore* owner, std::unique_ptr<MultipartUpload> base)
      : owner_(owner), base_(std::move(base)) {}

  Status UploadPart(std::string_view data) override {
    return Run("multipart.upload_part", [&] { return base_->UploadPart(data); });
  }
  Status Complete() override {
    return Run("multipart.complete", [&] { return base_->Complete(); });
  }
  Status Abort() override {
    return Run("multipart.abort", [&] { return base_->Abort(); });
  }

 private:
  template <typename F>
  Status Run(std::string_view op, F&& call) {
    int64_t call_no = owner_->calls() + 1;
    std::optional<FaultKind> fault = owner_->NextCall(op);
    if (fault == FaultKind::kFailBefore) return Injected(op, *fault, call_no);
    Status s = call();
    if (fault == FaultKind::kLoseReply) return Injected(op, *fault, call_no);
    return s;
  }
  FaultInjectionObjectStore* owner_;
  std::unique_ptr<MultipartUpload> base_;
};

template <typename T>
T FailureAs(Status s) {
  if constexpr (std::is_same_v<T, Status>) {
    return s;
  } else {
    return T(std::move(s));
  }
}

}  // namespace

FaultInjectionObjectStore::FaultInjectionObjectStore(std::shared_ptr<ObjectStore> base) : base_(std::move(base)) {
  STRATA_CHECK(base_ != nullptr);
}

void FaultInjectionObjectStore::FailNthCall(int64_t n, FaultKind kind) {
  STRATA_CHECK_GE(n, 1);
  std::lock_guard lock(mu_);
  nth_[n] = kind;
}

void FaultInjectionObjectStore::FailWithProbability(double p, uint64_t seed, FaultKind kind) {
  STRATA_CHECK(p >= 0 && p <= 1, "probability out of [0, 1]");
  std::lock_guard lock(mu_);
  probability_ = p;
  probability_kind_ = kind;
  rng_.seed(seed);
}

void FaultInjectionObjectStore::Reset() {
  std::lock_guard lock(mu_);
  nth_.clear();
  probability_ = 0;
  calls_.store(0);
  faults_.store(0);
  latency_ms_.store(0);
}

std::optional<FaultKind> FaultInjectionObjectStore::NextCall(std::string_view op) {
  if (int64_t ms = latency_ms_.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  std::lock_guard lock(mu_);
  int64_t n = ++calls_;
  std::optional<FaultKind> fault;
  if (auto it = nth_.find(n); it != nth_.end()) {
    fault = it->second;
  } else if (probability_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < probability_) {
    fault = probability_kind_;
  }
  if (fault) faults_++;
  return fault;
}

template <typename R, typename F>
R FaultInjectionObjectStore::Intercept(std::string_view op, F&& call) {
  int64_t call_no = calls_.load() + 1;
  std::optional<FaultKind> fault = NextCall(op);
  if (fault == FaultKind::kFailBefore) return FailureAs<R>(Injected(op, *fault, call_no));
  R result = call();
  if (fault == FaultKind::kLoseReply) return FailureAs<R>(Injected(op, *fault, call_no));
  return result;
}

Status FaultInjectionObjectStore::Put(std::string_view key, std::string_view data) {
  return Intercept<Status>("put", [&] { return base_->Put(key, data); });
}

Status FaultInjectionObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  return Intercept<Status>("put_if_absent", [&] { return base_->PutIfAbsent(key, data); });
}

Result<std::string> FaultInjectionObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  return Intercept<Result<std::string>>("get", [&] { return base_->GetRange(key, offset, length); });
}

Result<ObjectMeta> FaultInjectionObjectStore::Head(std::string_view key) {
  return Intercept<Result<ObjectMeta>>("head", [&] { return base_->Head(key); });
}

Result<ListPage> FaultInjectionObjectStore::List(const ListOptions& options) {
  return Intercept<Result<ListPage>>("list", [&] { return base_->List(options); });
}

Status FaultInjectionObjectStore::DeleteBatch(std::span<const std::string> keys) {
  return Intercept<Status>("delete", [&] { return base_->DeleteBatch(keys); });
}

Result<std::unique_ptr<MultipartUpload>> FaultInjectionObjectStore::StartMultipart(std::string_view key) {
  using R = Result<std::unique_ptr<MultipartUpload>>;
  return Intercept<R>("multipart.start", [&]() -> R {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MultipartUpload> upload, base_->StartMultipart(key));
    return std::unique_ptr<MultipartUpload>(new FaultMultipartUpload(this, std::move(upload)));
  });
}

}  // namespace strata::objstore

#include "objstore/mem/mem_object_store.h"

#include <chrono>
#include <functional>

namespace strata::objstore {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class MemMultipartUpload : public MultipartUpload {
 public:
  MemMultipartUpload(MemObjectStore* store, std::string key) : store_(store), key_(std::move(key)) {}
  ~MemMultipartUpload() override { (void)Abort(); }

  Status UploadPart(std::string_view data) override {
    if (done_) return FailedPrecondition("multipart upload of " + key_ + " is already finished");
    STRATA_RETURN_IF_ERROR(ValidateNextPart(key_, parts_, last_part_bytes_));
    data_.append(data);
    last_part_bytes_ = data.size();
    parts_++;
    return Status::OK();
  }
  Status Complete() override {
    if (done_) return FailedPrecondition("multipart upload of " + key_ + " is already finished");
    if (parts_ == 0) return InvalidArgument("multipart upload of " + key_ + " has no parts");
    done_ = true;
    return store_->Put(key_, data_);
  }
  Status Abort() override {
    done_ = true;
    data_.clear();
    return Status::OK();
  }

 private:
  MemObjectStore* store_;
  std::string key_;
  std::string data_;
  uint64_t last_part_bytes_ = 0;
  int parts_ = 0;
  bool done_ = false;
};

}  // namespace

Result<ListPage> BuildListPage(const ListOptions& options, const NextKeyFn& next_key) {
  STRATA_RETURN_IF_ERROR(ValidateListOptions(options));
  ListPage page;
  // A key never ends with '/', so a continuation ending with '/' is a common
  // prefix: resume at the first key past everything under it ('0' follows '/').
  std::string bound = options.continuation.empty() ? options.prefix : options.continuation;
  bool inclusive = options.continuation.empty();
  auto skip_past_prefix = [&](const std::string& common) {
    bound = common.substr(0, common.size() - 1) + '0';
    inclusive = true;
  };
  if (!options.continuation.empty() && options.continuation.back() == '/') skip_past_prefix(options.continuation);
  if (bound < options.prefix) {
    bound = options.prefix;
    inclusive = true;
  }
  ObjectMeta meta;
  std::string last_returned;
  int entries = 0;
  bool more = false;
  while (next_key(bound, inclusive, &meta) && meta.key.starts_with(options.prefix)) {
    if (entries == options.max_keys) {
      more = true;
      break;
    }
    size_t d = options.delimiter.empty() ? std::string::npos : meta.key.find('/', options.prefix.size());
    if (d != std::string::npos) {
      std::string common = meta.key.substr(0, d + 1);
      page.common_prefixes.push_back(common);
      last_returned = common;
      skip_past_prefix(common);
    } else {
      last_returned = meta.key;
      bound = meta.key;
      inclusive = false;
      page.objects.push_back(std::move(meta));
    }
    entries++;
  }
  if (more) page.next_continuation = last_returned;
  return page;
}

Status MemObjectStore::Put(std::string_view key, std::string_view data) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  objects_[std::string(key)] = Object{std::string(data), NowMs()};
  return Status::OK();
}

Status MemObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto [it, inserted] = objects_.try_emplace(std::string(key), Object{std::string(data), NowMs()});
  if (!inserted) return AlreadyExists("object " + std::string(key) + " already exists");
  return Status::OK();
}

Result<std::string> MemObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound("object " + std::string(key) + " does not exist");
  const std::string& data = it->second.data;
  if (offset > data.size() || (offset == data.size() && offset != 0)) {
    return InvalidArgument("range start " + std::to_string(offset) + " is past the end of " + std::string(key) +
                           " (" + std::to_string(data.size()) + " bytes)");
  }
  return data.substr(offset, length);
}

Result<ObjectMeta> MemObjectStore::Head(std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound("object " + std::string(key) + " does not exist");
  return ObjectMeta{it->first, it->second.data.size(), it->second.last_modified_ms};
}

Result<ListPage> MemObjectStore::List(const ListOptions& options) {
  std::lock_guard lock(mu_);
  return BuildListPage(options, [&](const std::string& bound, bool inclusive, ObjectMeta* out) {
    auto it = inclusive ? objects_.lower_bound(bound) : objects_.upper_bound(bound);
    if (it == objects_.end()) return false;
    *out = ObjectMeta{it->first, it->second.data.size(), it->second.last_modified_ms};
    return true;
  });
}

Status MemObjectStore::DeleteBatch(std::span<const std::string> keys) {
  if (keys.size() > kDeleteBatchMax) {
    return InvalidArgument("delete batch of " + std::to_string(keys.size()) + " keys exceeds " +
                           std::to_string(kDeleteBatchMax));
  }
  for (const auto& k : keys) STRATA_RETURN_IF_ERROR(ValidateKey(k));
  std::lock_guard lock(mu_);
  for (const auto& k : keys) objects_.erase(k);
  return Status::OK();
}

Result<std::unique_ptr<MultipartUpload>> MemObjectStore::StartMultipart(std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  return std::unique_ptr<MultipartUpload>(new MemMultipartUpload(this, std::string(key)));
}

}  // namespace strata::objstore

#include "objstore/object_store.h"

#include <algorithm>

namespace strata::objstore {

Status ValidateKey(std::string_view key) {
  if (key.empty()) return InvalidArgument("object key is empty");
  if (key.size() > kKeyBytesMax) {
    return InvalidArgument("object key is " + std::to_string(key.size()) + " bytes, more than " +
                           std::to_string(kKeyBytesMax));
  }
  if (key.find('\0') != std::string_view::npos) return InvalidArgument("object key contains NUL");
  if (key.front() == '/') return InvalidArgument("object key '" + std::string(key) + "' starts with '/'");
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    size_t end = slash == std::string_view::npos ? key.size() : slash;
    std::string_view segment = key.substr(start, end - start);
    bool last = slash == std::string_view::npos;
    if (segment.empty() && !last) {
      return InvalidArgument("object key '" + std::string(key) + "' has an empty path segment");
    }
    if (segment.empty() && last) {
      return InvalidArgument("object key '" + std::string(key) + "' ends with '/'");
    }
    if (segment == "." || segment == "..") {
      return InvalidArgument("object key '" + std::string(key) + "' has a '.' or '..' segment");
    }
    if (last) break;
    start = slash + 1;
  }
  return Status::OK();
}

Status ValidateListOptions(const ListOptions& options) {
  if (options.max_keys < 1 || options.max_keys > kListPageMax) {
    return InvalidArgument("list max_keys " + std::to_string(options.max_keys) + " is outside 1.." +
                           std::to_string(kListPageMax));
  }
  if (!options.delimiter.empty() && options.delimiter != "/") {
    return InvalidArgument("list delimiter must be empty or '/', got '" + options.delimiter + "'");
  }
  return Status::OK();
}

Status ValidateNextPart(std::string_view key, int parts_so_far, uint64_t last_part_bytes) {
  if (parts_so_far > 0 && last_part_bytes < kMultipartPartMinBytes) {
    return InvalidArgument("multipart part " + std::to_string(parts_so_far) + " of " + std::string(key) + " is " +
                           std::to_string(last_part_bytes) + " bytes; only the last part may be under " +
                           std::to_string(kMultipartPartMinBytes));
  }
  if (parts_so_far >= kMultipartPartsMax) return InvalidArgument("too many multipart parts for " + std::string(key));
  return Status::OK();
}

Result<std::vector<ObjectMeta>> ListAll(ObjectStore& store, std::string_view prefix, size_t objects_max) {
  std::vector<ObjectMeta> all;
  ListOptions options;
  options.prefix = std::string(prefix);
  // Bounded: each page makes progress, and the total is capped by objects_max.
  while (true) {
    STRATA_ASSIGN_OR_RETURN(ListPage page, store.List(options));
    for (auto& m : page.objects) all.push_back(std::move(m));
    if (all.size() > objects_max) {
      return ResourceExhausted("more than " + std::to_string(objects_max) + " objects under '" +
                               std::string(prefix) + "'");
    }
    if (page.next_continuation.empty()) break;
    options.continuation = std::move(page.next_continuation);
  }
  return all;
}

Result<size_t> DeletePrefix(ObjectStore& store, std::string_view prefix) {
  STRATA_ASSIGN_OR_RETURN(std::vector<ObjectMeta> all, ListAll(store, prefix));
  std::vector<std::string> batch;
  for (size_t i = 0; i < all.size(); ++i) {
    batch.push_back(all[i].key);
    if (batch.size() == kDeleteBatchMax || i + 1 == all.size()) {
      STRATA_RETURN_IF_ERROR(store.DeleteBatch(batch));
      batch.clear();
    }
  }
  return all.size();
}

Status PutMultipart(ObjectStore& store, std::string_view key, std::string_view data, uint64_t part_bytes) {
  if (part_bytes < kMultipartPartMinBytes) {
    return InvalidArgument("multipart part size " + std::to_string(part_bytes) + " is below the minimum " +
                           std::to_string(kMultipartPartMinBytes));
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MultipartUpload> upload, store.StartMultipart(key));
  size_t offset = 0;
  do {
    size_t n = std::min<size_t>(part_bytes, data.size() - offset);
    Status s = upload->UploadPart(data.substr(offset, n));
    if (!s.ok()) {
      (void)upload->Abort();
      return s.WithContext("multipart put " + std::string(key));
    }
    offset += n;
  } while (offset < data.size());
  Status s = upload->Complete();
  if (!s.ok()) {
    (void)upload->Abort();
    return s.WithContext("multipart put " + std::string(key));
  }
  return Status::OK();
}

}  // namespace strata::objstore

// MemObjectStore: an in-memory ObjectStore for unit tests of the modules
// above objstore. Same semantics as every other backend (it passes the
// conformance suite), nothing durable.
//
// Thread-safety: all methods are safe to call concurrently (one mutex).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "objstore/object_store.h"

namespace strata::objstore {

class MemObjectStore : public ObjectStore {
 public:
  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return "mem"; }

 private:
  struct Object {
    std::string data;
    int64_t last_modified_ms = 0;
  };
  std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;
};

// Builds one page of a listing from an ordered view of the keys. Shared by
// backends that list from an ordered in-process view (mem, local).
// `next_key(bound, inclusive, out)` sets *out to the first key >= bound
// (inclusive) or > bound, and returns false when there is none.
// Continuation tokens are the last key or common prefix returned.
using NextKeyFn = std::function<bool(const std::string& bound, bool inclusive, ObjectMeta* out)>;
Result<ListPage> BuildListPage(const ListOptions& options, const NextKeyFn& next_key);

}  // namespace strata::objstore

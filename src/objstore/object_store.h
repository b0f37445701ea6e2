// ObjectStore: the narrow interface to where every durable byte of Strata
// lives (DESIGN §2). It has no rename and no directories, on purpose, so that
// what works on the local-directory backend also works on S3.
//
// Keys: 1..1024 bytes of UTF-8, no NUL, not starting with '/', no empty
// path segment ("a//b") and no "." or ".." segment (ValidateKey). '/' is only a
// convention that List's delimiter understands.
//
// Atomicity: every write is all-or-nothing. A reader sees either the whole
// previous object (or none) or the whole new one, never a torn object, even if
// the writer crashes midway.
//
// Errors (every method): InvalidArgument for a bad key or argument; NotFound
// for a missing object; Unauthenticated / PermissionDenied for bad
// credentials; FailedPrecondition when the bucket/root does not exist;
// Unavailable (retryable) for transient failures such as an unreachable
// endpoint, 5xx or throttling after the backend's own bounded retries;
// DataLoss when stored bytes fail verification. Messages never contain
// credentials.
//
// Thread-safety: every implementation is safe to call from many threads at
// once; concurrent writers of one key are serialised by the backend (the last
// Put wins; exactly one PutIfAbsent wins).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace strata::objstore {

// What Head and List report about one object.
struct ObjectMeta {
  std::string key;
  uint64_t size_bytes = 0;
  int64_t last_modified_ms = 0;  // wall clock, milliseconds since the epoch
};

struct ListOptions {
  std::string prefix;             // only keys starting with this
  std::string delimiter;          // "" or "/": roll keys up into common prefixes
  std::string continuation;       // "" for the first page, else ListPage::next_continuation
  int max_keys = 1000;            // 1..1000 entries (objects + prefixes) per page
};

struct ListPage {
  std::vector<ObjectMeta> objects;          // ascending by key (byte order)
  std::vector<std::string> common_prefixes; // ascending; only with a delimiter
  std::string next_continuation;            // empty when this is the last page
};

// An in-progress multipart put. Parts are appended in call order; the object
// becomes visible, whole, only when Complete() returns OK. A destroyed upload
// that was not completed is aborted (best effort).
//
// Not thread-safe: one upload is driven by one thread.
class MultipartUpload {
 public:
  virtual ~MultipartUpload() = default;
  // Every part but the last must be at least kMultipartPartMinBytes (S3's
  // rule, enforced on every backend so tests catch it everywhere).
  virtual Status UploadPart(std::string_view data) = 0;
  virtual Status Complete() = 0;
  // Releases everything uploaded so far; idempotent.
  virtual Status Abort() = 0;
};

inline constexpr uint64_t kMultipartPartMinBytes = 5ull << 20;
inline constexpr int kMultipartPartsMax = 10000;
inline constexpr size_t kKeyBytesMax = 1024;
inline constexpr int kListPageMax = 1000;
inline constexpr size_t kDeleteBatchMax = 1000;
inline constexpr uint64_t kReadToEnd = UINT64_MAX;

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Writes the whole object, replacing any previous one atomically.
  virtual Status Put(std::string_view key, std::string_view data) = 0;

  // Writes the object only if no object has that key. AlreadyExists if one
  // does (the existing object is untouched). Exactly one of many concurrent
  // callers (threads or processes) wins.
  virtual Status PutIfAbsent(std::string_view key, std::string_view data) = 0;

  // Reads `length` bytes from `offset` (kReadToEnd: to the end). A range that
  // starts past the end is InvalidArgument; one that runs past the end is
  // truncated. Reading an empty object from offset 0 gives "".
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) = 0;

  virtual Result<ObjectMeta> Head(std::string_view key) = 0;

  // One page of the listing. Page size is at most options.max_keys.
  virtual Result<ListPage> List(const ListOptions& options) = 0;

  // Deletes up to kDeleteBatchMax keys. Missing keys are not an error
  // (idempotent). On error some keys may have been deleted.
  virtual Status DeleteBatch(std::span<const std::string> keys) = 0;

  // Starts a multipart put of `key` (overwrite semantics, like Put).
  virtual Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) = 0;

  // A short name for logs and metrics: "mem", "local", "s3".
  virtual std::string_view BackendName() const = 0;

  // Convenience: the whole object.
  Result<std::string> Get(std::string_view key) { return GetRange(key, 0, kReadToEnd); }
  Status Delete(std::string_view key) {
    std::string k(key);
    return DeleteBatch(std::span<const std::string>(&k, 1));
  }
};

// InvalidArgument describing what is wrong with `key`, or OK.
Status ValidateKey(std::string_view key);
// InvalidArgument when options are out of range (max_keys, delimiter other than "" or "/").
Status ValidateListOptions(const ListOptions& options);

// The rule every backend enforces before accepting part number `parts_so_far`
// + 1 of an upload of `key`: every part but the last is at least
// kMultipartPartMinBytes, and there are at most kMultipartPartsMax parts.
// InvalidArgument when the upload cannot take another part.
Status ValidateNextPart(std::string_view key, int parts_so_far, uint64_t last_part_bytes);

// Lists every object under `prefix` (no delimiter), following continuations.
// Gives up with ResourceExhausted past `objects_max` objects.
Result<std::vector<ObjectMeta>> ListAll(ObjectStore& store, std::string_view prefix,
                                        size_t objects_max = 10'000'000);

// Deletes every object under `prefix`, in batches. Returns how many it listed.
Result<size_t> DeletePrefix(ObjectStore& store, std::string_view prefix);

// Writes `data` with a multipart upload in parts of `part_bytes`, aborting
// the upload on any failure.
Status PutMultipart(ObjectStore& store, std::string_view key, std::string_view data,
                    uint64_t part_bytes = 8ull << 20);

}  // namespace strata::objstore

// S3ObjectStore: the ObjectStore backend for any S3-compatible service (AWS
// S3, Ceph RADOS Gateway, MinIO), speaking the REST API over libcurl with our
// own AWS Signature V4 (sigv4.h), path-style or virtual-host addressing.
//
// Keys are relative to S3Options::prefix inside the bucket: key "a/b" with
// prefix "vol1" is the S3 object "vol1/a/b".
//
// Retries: every request is retried by this class with options.retry (jittered
// exponential back-off) on transport failures, 5xx, 429/503 SlowDown and
// 409 ConditionalRequestConflict; then Unavailable (or ResourceExhausted when
// throttled). Nothing else is retried.
//
// PutIfAbsent and ambiguous failures: when an attempt failed in a way that may
// have written the object (timeout, reset, 5xx) and the retry gets 412, the
// winner may be our own first attempt. We then GET the object: if its bytes
// equal ours we return OK, else AlreadyExists; if that read fails, Unavailable
// ("outcome unknown"). (Identical bytes written by
// another writer also count as ours; with immutable names that is harmless.)
// CompleteMultipartUpload is handled the same way: a retry that finds the
// upload gone (NoSuchUpload) after an ambiguous attempt returns OK when the
// object now has exactly the uploaded size.
//
// Errors (beyond object_store.h's contract):
//   Unauthenticated   wrong secret / unknown access key / clock skew
//                     ("S3 rejected the credentials for bucket B at endpoint E (SignatureDoesNotMatch)")
//   PermissionDenied  AccessDenied
//   FailedPrecondition NoSuchBucket ("bucket B does not exist at E"), wrong region
//   NotFound          missing key; NoSuchUpload
//   InvalidArgument   range past the end (416), bad key/options, bad part sizes
//   Unavailable / ResourceExhausted after retries (unreachable endpoint, 5xx, throttling)
// Messages and logs never contain the access key, the secret or signatures.
//
// Thread-safety: all ObjectStore methods may be called concurrently; a
// MultipartUpload is driven by one thread. Logging: DEBUG per request, WARN
// when retries are exhausted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/retry_policy.h"
#include "common/secret.h"
#include "objstore/object_store.h"
#include "objstore/s3/http_client.h"

namespace strata::objstore::s3 {

enum class S3Addressing {
  kPath,         // http://host/bucket/key
  kVirtualHost,  // http://bucket.host/key (path-style when the endpoint is an IP address)
};

struct S3Options {
  std::string endpoint;  // "http://host[:port]" or "https://host[:port]"
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;  // key prefix inside the bucket, may be empty; '/' is added
  Secret access_key;
  Secret secret_key;
  S3Addressing addressing = S3Addressing::kPath;
  int64_t connect_timeout_ms = 2000;
  // Stall timeout; total time is scaled by payload size (http_client.h).
  int64_t request_timeout_ms = 30000;
  RetryPolicy retry;
  size_t idle_connections_max = 16;
};

class S3MultipartUpload;

class S3ObjectStore : public ObjectStore {
 public:
  // Validates options (InvalidArgument naming the field); no network I/O.
  static Result<std::unique_ptr<S3ObjectStore>> Open(S3Options options);

  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return "s3"; }

  // Creates the bucket (tests, tooling). OK if we already own it;
  // AlreadyExists if someone else does.
  Status CreateBucket();

  // One S3 request before signing. Public for S3MultipartUpload only.
  struct Call {
    explicit Call(std::string method_in, std::string object_in = {}, HeaderList query_in = {},
                  std::string_view body_in = {})
        : method(std::move(method_in)), object(std::move(object_in)), query(std::move(query_in)), body(body_in) {}
    std::string method;
    std::string object;  // full S3 key inside the bucket; "" for the bucket itself
    HeaderList query;
    HeaderList headers;  // signed and sent besides host/x-amz-date/x-amz-content-sha256
    std::string_view body;
    uint64_t expected_response_bytes = 0;  // UINT64_MAX: unknown
    uint64_t response_bytes_max = 64ull << 20;
  };

 private:
  friend class S3MultipartUpload;
  S3ObjectStore(S3Options options, std::string scheme, std::string host_port, std::string root);

  // Sends `call` with retries. OK means a final HTTP answer is in `response`
  // (any status); `ambiguous` (optional) is set when an earlier attempt may
  // have taken effect on the server.
  Status Execute(const Call& call, HttpResponse* response, bool* ambiguous = nullptr);
  HttpRequest Sign(const Call& call, const std::string& payload_sha256) const;
  // The Status for a final non-2xx answer to `what` (e.g. "get a/b").
  Status MapError(std::string_view what, const HttpResponse& response) const;
  Status MapErrorCode(std::string_view what, long status_code, const std::string& code,  // NOLINT
                      const std::string& message) const;
  // For HEAD's body-less 403/404: a 1-byte GET tells which error it was.
  Status ProbeHeadError(const std::string& object, std::string_view what, const HttpResponse& head);
  Status PutImpl(std::string_view key, std::string_view data, bool if_absent);
  Result<std::string> FullKey(std::string_view key) const;

  const S3Options options_;
  const std::string scheme_;     // "http" or "https"
  const std::string host_port_;  // endpoint host[:port]
  const std::string root_;       // normalized prefix: "" or "p/"
  HttpClient http_;
};

}  // namespace strata::objstore::s3

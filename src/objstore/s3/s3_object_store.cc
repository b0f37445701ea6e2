#include "objstore/s3/s3_object_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "common/failpoint.h"
#include "common/logging.h"
#include "objstore/s3/s3_xml.h"

namespace strata::objstore::s3 {
namespace {

constexpr uint64_t kGetBytesMax = 16ull << 30;  // bound on one GET body
constexpr int kCompleteAttemptsMax = 3;         // 200-with-<Error> retries of CompleteMultipartUpload

bool IsRetryableCode(std::string_view code) {
  return code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable" ||
         code == "RequestTimeout" || code == "ConditionalRequestConflict" || code == "OperationAborted";
}

bool IsThrottle(long status, std::string_view code) {  // NOLINT(runtime/int)
  return status == 429 || code == "SlowDown" || code == "TooManyRequests";
}

std::string ErrorCodeOf(const HttpResponse& r) {
  if (r.body.empty()) return {};
  auto e = ParseError(r.body);
  return e.ok() ? e->code : std::string();
}

// A retryable answer as a Status, or OK when the answer is final.
Status RetryableAnswer(const HttpResponse& r) {
  std::string code = ErrorCodeOf(r);
  std::string what = "HTTP " + std::to_string(r.status_code) + (code.empty() ? "" : " " + code);
  if (IsThrottle(r.status_code, code)) return ResourceExhausted("S3 is throttling (" + what + ")");
  if (r.status_code >= 500 || ((r.status_code == 409 || r.status_code == 400) && IsRetryableCode(code))) {
    return Unavailable("S3 answered " + what);
  }
  return Status::OK();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "Fri, 01 Mar 2024 12:34:56 GMT" → ms since the epoch (0 if unparsable).
int64_t ParseHttpDateMs(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  return end == nullptr ? 0 : static_cast<int64_t>(timegm(&tm)) * 1000;
}

Result<uint64_t> ParseContentLength(const std::string& text) {
  if (text.empty() || text.size() > 19) return Internal("S3 sent a bad Content-Length '" + text + "'");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Internal("S3 sent a bad Content-Length '" + text + "'");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

Status ValidateBucketName(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return InvalidArgument("S3 bucket name must be 3..63 characters");
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
      return InvalidArgument("S3 bucket name '" + bucket + "' has a character other than a-z 0-9 . - _");
    }
  }
  return Status::OK();
}

// "1.2.3.4", "1.2.3.4:80", "[::1]:80" (host part only is checked).
bool IsIpLiteral(std::string_view host_port) {
  if (host_port.starts_with('[')) return true;
  std::string_view host = host_port.substr(0, host_port.find(':'));
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

HttpClientOptions MakeHttpOptions(const S3Options& options) {
  HttpClientOptions http;
  http.connect_timeout_ms = options.connect_timeout_ms;
  http.request_timeout_ms = options.request_timeout_ms;
  http.idle_handles_max = options.idle_connections_max;
  return http;
}

}  // namespace

// ---------------------------------------------------------------------------
// Construction

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(S3Options options) {
  std::string_view ep = options.endpoint;
  std::string scheme;
  if (ep.starts_with("http://")) {
    scheme = "http";
  } else if (ep.starts_with("https://")) {
    scheme = "https";
  } else {
    return InvalidArgument("S3 endpoint '" + options.endpoint + "' must start with http:// or https://");
  }
  ep.remove_prefix(scheme.size() + 3);
  while (ep.ends_with('/')) ep.remove_suffix(1);
  if (ep.empty() || ep.find_first_of("/?#@ ") != std::string_view::npos) {
    return InvalidArgument("S3 endpoint '" + options.endpoint + "' must be scheme://host[:port] with no path");
  }
  STRATA_RETURN_IF_ERROR(ValidateBucketName(options.bucket));
  if (options.region.empty()) return InvalidArgument("S3 region is empty");
  if (options.access_key.empty() || options.secret_key.empty()) {
    return InvalidArgument("S3 access key or secret key is empty");
  }
  if (options.connect_timeout_ms <= 0 || options.request_timeout_ms <= 0 || options.retry.attempts_max < 1) {
    return InvalidArgument("S3 timeouts and retry attempts must be positive");
  }
  std::string_view prefix = options.prefix;
  while (prefix.starts_with('/')) prefix.remove_prefix(1);
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  std::string root(prefix);
  if (!root.empty()) {
    STRATA_RETURN_IF_ERROR(ValidateKey(root).WithContext("S3 prefix"));
    root += '/';
  }
  std::string host_port(ep);
  if (options.addressing == S3Addressing::kVirtualHost && IsIpLiteral(host_port)) {
    // Like the AWS SDKs: an IP address cannot carry the bucket as a subdomain.
    options.addressing = S3Addressing::kPath;
  }
  return std::unique_ptr<S3ObjectStore>(
      new S3ObjectStore(std::move(options), std::move(scheme), std::move(host_port), std::move(root)));
}

S3ObjectStore::S3ObjectStore(S3Options options, std::string scheme, std::string host_port, std::string root)
    : options_(std::move(options)),
      scheme_(std::move(scheme)),
      host_port_(std::move(host_port)),
      root_(std::move(root)),
      http_(MakeHttpOptions(options_)) {}

Result<std::string> S3ObjectStore::FullKey(std::string_view key) const {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  std::string full = root_ + std::string(key);
  if (full.size() > kKeyBytesMax) {
    return InvalidArgument("object key '" + std::string(key) + "' with the volume prefix exceeds " +
                           std::to_string(kKeyBytesMax) + " bytes");
  }
  return full;
}

// ---------------------------------------------------------------------------
// Requests: signing, retries, error mapping

HttpRequest S3ObjectStore::Sign(const Call& call, const std::string& payload_sha256) const {
  bool virtual_host = options_.addressing == S3Addressing::kVirtualHost;
  std::string host = virtual_host ? options_.bucket + "." + host_port_ : host_port_;
  std::string path = virtual_host ? "/" : "/" + options_.bucket + (call.object.empty() ? "" : "/");
  path += UriEncode(call.object, /*encode_slash=*/false);
  std::string amz_date = FormatAmzDate(std::time(nullptr));

  SigV4Request sig;
  sig.method = call.method;
  sig.canonical_uri = path;
  sig.query = call.query;
  sig.payload_sha256_hex = payload_sha256;
  sig.headers = {{"host", host}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", payload_sha256}};
  sig.headers.insert(sig.headers.end(), call.headers.begin(), call.headers.end());
  SigV4Credentials creds{options_.access_key, options_.secret_key, options_.region};

  HttpRequest req;
  req.method = call.method;
  req.url = scheme_ + "://" + host + path;
  if (!call.query.empty()) req.url += "?" + CanonicalQueryString(call.query);
  req.headers = sig.headers;
  req.headers.emplace_back("authorization", AuthorizationHeader(sig, creds, amz_date));
  req.body = call.body;
  req.expected_response_bytes = call.expected_response_bytes;
  req.response_bytes_max = call.response_bytes_max;
  return req;
}

Status S3ObjectStore::Execute(const Call& call, HttpResponse* response, bool* ambiguous) {
  const std::string payload_sha256 = call.body.empty() ? std::string(kEmptyPayloadSha256) : Sha256Hex(call.body);
  const RetryPolicy& retry = options_.retry;
  Status last;
  for (int attempt = 0; attempt < retry.attempts_max; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(retry.BackoffMs(attempt - 1)));
    int64_t start_ms = NowMs();
    Status sent = http_.Send(Sign(call, payload_sha256), response);
    STRATA_LOG(kDebug, "S3 {} {}/{} attempt {} -> {} in {} ms", call.method, options_.bucket, call.object,
               attempt + 1, sent.ok() ? std::to_string(response->status_code) : sent.message(), NowMs() - start_ms);
    if (sent.ok()) {
      last = RetryableAnswer(*response);
      if (last.ok()) return Status::OK();
      // A throttled request was not executed; other 5xx may have been.
      if (ambiguous != nullptr && last.code() != StatusCode::kResourceExhausted) *ambiguous = true;
    } else {
      last = sent;
      if (ambiguous != nullptr && response->maybe_sent) *ambiguous = true;
    }
  }
  STRATA_LOG(kWarn, "S3 {} {}/{} at {} failed after {} attempts: {}", call.method, options_.bucket, call.object,
             options_.endpoint, retry.attempts_max, last.ToString());
  return last.WithContext("after " + std::to_string(retry.attempts_max) + " attempts");
}

Status S3ObjectStore::MapErrorCode(std::string_view what, long status, const std::string& code,  // NOLINT
                                   const std::string& message) const {
  const std::string ctx(what);
  const std::string where = "bucket " + options_.bucket + " at endpoint " + options_.endpoint;
  if (code == "NoSuchBucket") {
    return FailedPrecondition(ctx + ": bucket " + options_.bucket + " does not exist at " + options_.endpoint);
  }
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "InvalidToken" ||
      code == "ExpiredToken") {
    return Unauthenticated(ctx + ": S3 rejected the credentials for " + where + " (" + code + ")");
  }
  if (code == "RequestTimeTooSkewed") {
    return Unauthenticated(ctx + ": S3 rejected the request time for " + where +
                           " (RequestTimeTooSkewed: check this machine's clock)");
  }
  if (code == "AccessDenied" || (code.empty() && status == 403)) {
    return PermissionDenied(ctx + ": S3 denied access to " + where + " (" + (code.empty() ? "HTTP 403" : code) +
                            ")");
  }
  if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" || status == 301) {
    return FailedPrecondition(ctx + ": " + where + " is not in region " + options_.region + " (" +
                              (code.empty() ? "HTTP 301" : code) + ")");
  }
  if (code == "NoSuchKey") return NotFound(ctx + ": object does not exist");
  if (code.empty() && status == 404) {
    return FailedPrecondition(ctx + ": HTTP 404 without an S3 error code from " + options_.endpoint +
                              " (not an S3 endpoint, or the wrong addressing style?)");
  }
  if (code == "NoSuchUpload") return NotFound(ctx + ": multipart upload does not exist (aborted or completed)");
  if (status == 416 || code == "InvalidRange") return InvalidArgument(ctx + ": range start is past the end");
  std::string detail = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
  if (IsThrottle(status, code)) return ResourceExhausted(ctx + ": S3 is throttling (" + detail + ")");
  if (status >= 500 || IsRetryableCode(code)) return Unavailable(ctx + ": " + detail);
  if (status >= 400 && status < 500) return InvalidArgument(ctx + ": S3 rejected the request (" + detail + ")");
  return Internal(ctx + ": unexpected S3 answer (" + detail + ")");
}

Status S3ObjectStore::MapError(std::string_view what, const HttpResponse& response) const {
  S3Error e;
  if (!response.body.empty()) {
    auto parsed = ParseError(response.body);
    if (parsed.ok()) e = std::move(parsed).value();
  }
  return MapErrorCode(what, response.status_code, e.code, e.message);
}

Status S3ObjectStore::ProbeHeadError(const std::string& object, std::string_view what, const HttpResponse& head) {
  Call probe("GET", object);
  probe.headers = {{"range", "bytes=0-0"}};
  HttpResponse r;
  if (Execute(probe, &r).ok() && r.status_code >= 400 && r.status_code != 416) return MapError(what, r);
  if (head.status_code == 404) return NotFound(std::string(what) + ": object does not exist");
  return MapError(what, head);
}

// ---------------------------------------------------------------------------
// Objects

Status S3ObjectStore::Put(std::string_view key, std::string_view data) {
  STRATA_FAILPOINT("s3.put");
  return PutImpl(key, data, /*if_absent=*/false);
}

Status S3ObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  STRATA_FAILPOINT("s3.put_if_absent");
  return PutImpl(key, data, /*if_absent=*/true);
}

Status S3ObjectStore::PutImpl(std::string_view key, std::string_view data, bool if_absent) {
  STRATA_ASSIGN_OR_RETURN(std::string object, FullKey(key));
  const std::string what = (if_absent ? "put-if-absent " : "put ") + std::string(key);
  Call call("PUT", object, {}, data);
  if (if_absent) call.headers.emplace_back("if-none-match", "*");
  HttpResponse r;
  bool ambiguous = false;
  STRATA_RETURN_IF_ERROR(Execute(call, &r, &ambiguous).WithContext(what));
  if (r.status_code == 200) return Status::OK();
  if (if_absent && r.status_code == 412) {
    if (ambiguous) {
      // Our earlier attempt may be the one that created it: compare bytes.
      auto existing = GetRange(key, 0, kReadToEnd);
      if (!existing.ok()) {
        return Unavailable(what + ": outcome unknown (an attempt failed ambiguously, then 412, and reading the "
                           "object back failed: " + existing.status().message() + ")");
      }
      if (*existing == data) {
        STRATA_LOG(kInfo, "S3 put-if-absent {}: 412 after an ambiguous attempt, object holds our bytes", key);
        return Status::OK();
      }
    }
    return AlreadyExists(what + ": object already exists");
  }
  return MapError(what, r);
}

Result<std::string> S3ObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  STRATA_FAILPOINT("s3.get");
  STRATA_ASSIGN_OR_RETURN(std::string object, FullKey(key));
  const std::string what = "get " + std::string(key);
  if (length == 0) {  // S3 cannot express an empty range: check the offset with HEAD
    STRATA_ASSIGN_OR_RETURN(ObjectMeta meta, Head(key));
    if (offset > meta.size_bytes || (offset == meta.size_bytes && offset != 0)) {
      return InvalidArgument(what + ": range start " + std::to_string(offset) + " is past the end (" +
                             std::to_string(meta.size_bytes) + " bytes)");
    }
    return std::string();
  }
  bool to_end = length == kReadToEnd || offset + length < offset;
  Call call("GET", object);
  if (offset != 0 || !to_end) {
    std::string range = "bytes=" + std::to_string(offset) + "-";
    if (!to_end) range += std::to_string(offset + length - 1);
    call.headers.emplace_back("range", range);
  }
  call.expected_response_bytes = to_end ? UINT64_MAX : std::min(length, kGetBytesMax);
  call.response_bytes_max = to_end ? kGetBytesMax : std::min(length, kGetBytesMax) + (64 << 10);
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(Execute(call, &r).WithContext(what));
  if (r.status_code == 206) {
    if (!to_end && r.body.size() > length) return Internal(what + ": S3 returned more bytes than asked");
    return std::move(r.body);
  }
  if (r.status_code == 200) {  // whole object (no Range sent, or the server ignored it)
    if (offset > r.body.size() || (offset == r.body.size() && offset != 0)) {
      return InvalidArgument(what + ": range start " + std::to_string(offset) + " is past the end");
    }
    return offset == 0 && to_end ? std::move(r.body) : r.body.substr(offset, length);
  }
  // Any non-empty object satisfies a range starting at 0, so 416 there means empty.
  if (r.status_code == 416 && offset == 0) return std::string();
  if (r.status_code == 416) {
    return InvalidArgument(what + ": range start " + std::to_string(offset) + " is past the end of the object");
  }
  return MapError(what, r);
}

Result<ObjectMeta> S3ObjectStore::Head(std::string_view key) {
  STRATA_FAILPOINT("s3.head");
  STRATA_ASSIGN_OR_RETURN(std::string object, FullKey(key));
  const std::string what = "head " + std::string(key);
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(Execute(Call("HEAD", object), &r).WithContext(what));
  if (r.status_code == 403 || r.status_code == 404) return ProbeHeadError(object, what, r);
  if (r.status_code != 200) return MapError(what, r);
  STRATA_ASSIGN_OR_RETURN(uint64_t size, ParseContentLength(r.Header("content-length")));
  return ObjectMeta{std::string(key), size, ParseHttpDateMs(r.Header("last-modified"))};
}

Result<ListPage> S3ObjectStore::List(const ListOptions& options) {
  STRATA_FAILPOINT("s3.list");
  STRATA_RETURN_IF_ERROR(ValidateListOptions(options));
  const std::string what = "list '" + options.prefix + "'";
  Call call("GET");
  call.query = {{"list-type", "2"},
                {"prefix", root_ + options.prefix},
                {"max-keys", std::to_string(options.max_keys)},
                {"encoding-type", "url"}};
  if (!options.delimiter.empty()) call.query.emplace_back("delimiter", options.delimiter);
  if (!options.continuation.empty()) call.query.emplace_back("continuation-token", options.continuation);
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(Execute(call, &r).WithContext(what));
  if (r.status_code != 200) return MapError(what, r);
  auto parsed = ParseListBucketResult(r.body);
  if (!parsed.ok()) return Unavailable(what + ": bad S3 listing: " + parsed.status().message());
  ListPage page;
  for (ObjectMeta& m : parsed->objects) {
    if (!m.key.starts_with(root_)) return Internal(what + ": S3 listed a key outside the prefix");
    m.key.erase(0, root_.size());
    page.objects.push_back(std::move(m));
  }
  for (std::string& p : parsed->common_prefixes) {
    if (!p.starts_with(root_)) return Internal(what + ": S3 listed a prefix outside the prefix");
    page.common_prefixes.push_back(p.substr(root_.size()));
  }
  if (parsed->is_truncated) page.next_continuation = std::move(parsed->next_continuation_token);
  return page;
}

Status S3ObjectStore::DeleteBatch(std::span<const std::string> keys) {
  STRATA_FAILPOINT("s3.delete");
  if (keys.size() > kDeleteBatchMax) {
    return InvalidArgument("delete batch of " + std::to_string(keys.size()) + " keys exceeds " +
                           std::to_string(kDeleteBatchMax));
  }
  if (keys.empty()) return Status::OK();
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>";
  for (const auto& k : keys) {
    STRATA_ASSIGN_OR_RETURN(std::string object, FullKey(k));
    body += "<Object><Key>" + XmlEscape(object) + "</Key></Object>";
  }
  body += "</Delete>";
  const std::string what = "delete " + std::to_string(keys.size()) + " keys (first " + keys[0] + ")";
  Call call("POST", "", {{"delete", ""}}, body);
  call.headers = {{"content-md5", Md5Base64(body)}, {"content-type", "application/xml"}};
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(Execute(call, &r).WithContext(what));
  if (r.status_code != 200) return MapError(what, r);
  auto errors = ParseDeleteResult(r.body);
  if (!errors.ok()) return Unavailable(what + ": bad S3 answer: " + errors.status().message());
  size_t failed = 0;
  Status first;
  for (const DeleteError& e : *errors) {
    if (e.code == "NoSuchKey") continue;  // already gone: fine
    if (failed++ == 0) first = MapErrorCode("delete " + e.key.substr(std::min(e.key.size(), root_.size())),
                                           e.code == "AccessDenied" ? 403 : 500, e.code, e.message);
  }
  if (failed == 0) return Status::OK();
  return first.WithContext(what + ": " + std::to_string(failed) + " keys failed; first");
}

Status S3ObjectStore::CreateBucket() {
  std::string body;
  if (options_.region != "us-east-1") {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           XmlEscape(options_.region) + "</LocationConstraint></CreateBucketConfiguration>";
  }
  const std::string what = "create bucket " + options_.bucket;
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(Execute(Call("PUT", "", {}, body), &r).WithContext(what));
  if (r.status_code == 200) return Status::OK();
  std::string code = ErrorCodeOf(r);
  if (code == "BucketAlreadyOwnedByYou") return Status::OK();
  if (code == "BucketAlreadyExists") return AlreadyExists(what + ": the bucket belongs to another account");
  return MapError(what, r);
}

// ---------------------------------------------------------------------------
// Multipart uploads

// One CreateMultipartUpload .. Complete/Abort. Not thread-safe (one driver).
class S3MultipartUpload : public MultipartUpload {
 public:
  S3MultipartUpload(S3ObjectStore* store, std::string key, std::string object, std::string upload_id)
      : store_(store), key_(std::move(key)), object_(std::move(object)), upload_id_(std::move(upload_id)) {}
  ~S3MultipartUpload() override {
    if (!done_) (void)Abort();
  }

  Status UploadPart(std::string_view data) override;
  Status Complete() override;
  Status Abort() override;

 private:
  Status CompleteOnce(const std::string& body, bool* ambiguous);

  S3ObjectStore* store_;
  const std::string key_;
  const std::string object_;
  const std::string upload_id_;
  std::vector<std::string> etags_;
  uint64_t last_part_bytes_ = 0;
  uint64_t total_bytes_ = 0;
  bool done_ = false;
};

Status S3MultipartUpload::UploadPart(std::string_view data) {
  STRATA_FAILPOINT("s3.upload_part");
  if (done_) return FailedPrecondition("multipart upload of " + key_ + " is already finished");
  STRATA_RETURN_IF_ERROR(ValidateNextPart(key_, static_cast<int>(etags_.size()), last_part_bytes_));
  const std::string part_number = std::to_string(etags_.size() + 1);
  const std::string what = "upload part " + part_number + " of " + key_;
  S3ObjectStore::Call call("PUT", object_, {{"partNumber", part_number}, {"uploadId", upload_id_}}, data);
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(store_->Execute(call, &r).WithContext(what));
  if (r.status_code != 200) return store_->MapError(what, r);
  std::string etag = r.Header("etag");
  if (etag.empty()) return Unavailable(what + ": S3 answered without an ETag");
  etags_.push_back(std::move(etag));
  last_part_bytes_ = data.size();
  total_bytes_ += data.size();
  return Status::OK();
}

Status S3MultipartUpload::CompleteOnce(const std::string& body, bool* ambiguous) {
  const std::string what = "complete multipart upload of " + key_;
  S3ObjectStore::Call call("POST", object_, {{"uploadId", upload_id_}}, body);
  call.headers = {{"content-type", "application/xml"}};
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(store_->Execute(call, &r, ambiguous).WithContext(what));
  if (r.status_code == 200) {
    S3Error e;
    Status s = ParseCompleteMultipartUploadResult(r.body, &e);
    if (s.ok()) return s;
    if (e.code.empty()) return Unavailable(what + ": bad S3 answer: " + s.message());
    *ambiguous = *ambiguous || IsRetryableCode(e.code);
    return store_->MapErrorCode(what, IsRetryableCode(e.code) ? 500 : 400, e.code, e.message);
  }
  if (*ambiguous && ErrorCodeOf(r) == "NoSuchUpload") {
    // An earlier attempt may have completed it: accept when the size matches.
    auto meta = store_->Head(key_);
    if (meta.ok() && meta->size_bytes == total_bytes_) return Status::OK();
  }
  return store_->MapError(what, r);
}

Status S3MultipartUpload::Complete() {
  STRATA_FAILPOINT("s3.complete_multipart");
  if (done_) return FailedPrecondition("multipart upload of " + key_ + " is already finished");
  if (etags_.empty()) return InvalidArgument("multipart upload of " + key_ + " has no parts");
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload>";
  for (size_t i = 0; i < etags_.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags_[i]) +
            "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  bool ambiguous = false;
  Status s;
  for (int attempt = 0; attempt < kCompleteAttemptsMax; ++attempt) {
    s = CompleteOnce(body, &ambiguous);
    if (s.ok() || !s.retryable()) break;
  }
  if (s.ok()) {
    done_ = true;
    return s;
  }
  (void)Abort();
  return s;
}

Status S3MultipartUpload::Abort() {
  if (done_) return Status::OK();
  done_ = true;
  const std::string what = "abort multipart upload of " + key_;
  S3ObjectStore::Call call("DELETE", object_, {{"uploadId", upload_id_}});
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(store_->Execute(call, &r).WithContext(what));
  if (r.status_code == 204 || r.status_code == 200 || r.status_code == 404) return Status::OK();
  return store_->MapError(what, r);
}

Result<std::unique_ptr<MultipartUpload>> S3ObjectStore::StartMultipart(std::string_view key) {
  STRATA_FAILPOINT("s3.start_multipart");
  STRATA_ASSIGN_OR_RETURN(std::string object, FullKey(key));
  const std::string what = "start multipart upload of " + std::string(key);
  HttpResponse r;
  STRATA_RETURN_IF_ERROR(
      Execute(Call("POST", object, {{"uploads", ""}}), &r).WithContext(what));
  if (r.status_code != 200) return MapError(what, r);
  auto upload_id = ParseInitiateMultipartUploadResult(r.body);
  if (!upload_id.ok()) return Unavailable(what + ": bad S3 answer: " + upload_id.status().message());
  return std::unique_ptr<MultipartUpload>(
      new S3MultipartUpload(this, std::string(key), std::move(object), std::move(upload_id).value()));
}

}  // namespace strata::objstore::s3

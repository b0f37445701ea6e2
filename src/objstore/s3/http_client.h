// HttpClient: the small HTTP/1.1 client the S3 backend sends its signed
// requests through, over libcurl easy handles.
//
// Connections are reused: finished handles go back to a bounded pool
// (idle_handles_max) and keep their connection cache; when more requests are
// in flight than the pool holds, extra handles are created and freed after
// use. curl_global_init runs once per process. Requests never use libcurl's
// own SigV4 (the caller signs), never send "Expect: 100-continue", and use
// CURLOPT_NOSIGNAL so timeouts work in threads.
//
// Timeouts: connect_timeout_ms bounds connection set-up. A transfer is cut
// when it moves fewer than low_speed_bytes_per_s for request_timeout_ms
// (stall detection), and its total time is capped at request_timeout_ms plus
// the time to move its payload at min_throughput_bytes_per_s, so large
// objects get proportionally more time while a hung server cannot hold a
// thread forever.
//
// Errors: Send returns Unavailable for transport failures (connection refused,
// DNS, TLS, reset, timeout); HTTP error statuses are not errors here, they are
// returned in the response for the caller to interpret. The message names the
// method and host, never headers (which carry credentials).
//
// Thread-safety: Send may be called from many threads at once.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "objstore/s3/sigv4.h"

namespace strata::objstore::s3 {

struct HttpClientOptions {
  int64_t connect_timeout_ms = 2000;
  int64_t request_timeout_ms = 30000;
  int64_t low_speed_bytes_per_s = 1024;
  int64_t min_throughput_bytes_per_s = 1 << 20;
  size_t idle_handles_max = 16;
  // CURLOPT_RESOLVE entries ("host:port:address"), e.g. for virtual-host
  // addressing against a test server.
  std::vector<std::string> resolve;
};

struct HttpRequest {
  std::string method;     // GET, HEAD, PUT, POST, DELETE
  std::string url;        // fully encoded
  HeaderList headers;     // sent as given (names as given)
  std::string_view body;  // PUT/POST payload; must outlive Send
  // Expected response payload size, for the total-time cap; 0 when small or
  // unknown (then only stall detection applies beyond request_timeout_ms).
  uint64_t expected_response_bytes = 0;
  uint64_t response_bytes_max = 64ull << 20;  // larger bodies fail the request
};

struct HttpResponse {
  long status_code = 0;  // NOLINT(runtime/int): libcurl's type
  HeaderList headers;    // names lower-cased, values trimmed
  std::string body;
  // After a transport failure: false only when the request surely never
  // reached the server (connect or DNS failure), so a retry cannot duplicate it.
  bool maybe_sent = false;

  // Value of the first header with this lower-case name, or "".
  std::string Header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and fills `response`. See the header comment for errors.
  Status Send(const HttpRequest& request, HttpResponse* response);

 private:
  void* Acquire();             // a CURL*, reset, from the pool or new
  void Release(void* handle);  // back to the pool, or freed when it is full

  const HttpClientOptions options_;
  void* resolve_list_ = nullptr;  // curl_slist*
  std::mutex mu_;
  std::vector<void*> idle_;  // guarded by mu_; at most idle_handles_max
};

}  // namespace strata::objstore::s3

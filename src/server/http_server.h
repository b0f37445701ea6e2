// HttpServer: the FE's (and later the CN's) HTTP edge — health, metrics and
// the admin endpoints — over cpp-httplib, behind a small interface so that
// handlers are plain functions from HttpRequest to HttpResponse and can be
// unit-tested through HttpRouter::Dispatch without a socket.
//
// Limits (every queue and wait is bounded, CONVENTIONS "Errors"):
//   - threads_max worker threads; at most queue_max accepted connections wait
//     for a worker — beyond that the accept loop blocks, so further clients
//     wait in the kernel's listen backlog (back-pressure, no unbounded queue);
//   - request bodies above body_max_bytes get 413 without reaching a handler;
//   - read/write timeouts per socket operation; idle keep-alive connections
//     are closed after keep_alive_timeout_ms.
//
// Thread-safety: HttpRouter is built before Start() and read-only afterwards;
// handlers run concurrently on the worker threads and must be thread-safe.
// Start() and Stop() are called from one controlling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.h"

namespace httplib {
class Server;
}

namespace strata::server {

struct HttpRequest {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // without the query string
  std::multimap<std::string, std::string> params;  // decoded query parameters
  std::multimap<std::string, std::string> headers; // as received (names as sent)
  std::string body;

  bool HasParam(const std::string& key) const { return params.count(key) > 0; }
  std::string Param(const std::string& key) const;   // "" if absent
  std::string Header(const std::string& name) const; // case-insensitive; "" if absent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;

  static HttpResponse Json(int status, std::string body) { return {status, "application/json", std::move(body)}; }
  static HttpResponse Text(int status, std::string body) { return {status, "text/plain; version=0.0.4", std::move(body)}; }
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Exact-path routing by method. 404 for an unknown path, 405 for a known path
// with another method.
class HttpRouter {
 public:
  void Add(std::string method, std::string path, HttpHandler handler);
  // Serves `method` on every path `matches` accepts that no exact route has
  // (e.g. /api/{db}/{table}/_stream_load). Tried in the order added.
  void AddMatching(std::string method, std::function<bool(const std::string& path)> matches, HttpHandler handler);
  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  struct Matching {
    std::string method;
    std::function<bool(const std::string&)> matches;
    HttpHandler handler;
  };
  std::map<std::pair<std::string, std::string>, HttpHandler> routes_;  // (path, method)
  std::vector<Matching> matching_;
};

struct HttpServerOptions {
  std::string bind_host = "127.0.0.1";
  int port = 8030;  // 0: pick a free port (tests); see HttpServer::port()
  int threads_max = 16;
  int queue_max = 64;
  int backlog = 128;  // kernel listen backlog: connections waiting beyond queue_max
  uint64_t body_max_bytes = 8u << 20;
  int64_t read_timeout_ms = 5000;
  int64_t write_timeout_ms = 5000;
  int64_t keep_alive_timeout_ms = 2000;
  int keep_alive_requests_max = 100;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpRouter router);
  ~HttpServer();  // Stop()s

  // Binds and starts serving on a background thread. Unavailable naming the
  // address when the port cannot be bound (in use, bad address).
  Status Start();
  // The bound port (useful with options.port = 0). Valid after Start().
  int port() const { return port_; }
  // Stops accepting, finishes requests in flight, joins the threads. Idempotent.
  void Stop();

 private:
  HttpServerOptions options_;
  std::shared_ptr<const HttpRouter> router_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
};

// A bounded HTTP/1.1 client call (used to forward admin requests to the
// leader). `host_port` is "host:port". Unavailable when the peer cannot be
// reached or does not answer within the timeouts (the request may or may not
// have been processed).
struct HttpCallOptions {
  int64_t connect_timeout_ms = 1000;
  int64_t read_timeout_ms = 10000;
  int64_t write_timeout_ms = 5000;
  std::multimap<std::string, std::string> headers;
};
Result<HttpResponse> HttpPost(const std::string& host_port, const std::string& path, const std::string& body,
                              const HttpCallOptions& options);
Result<HttpResponse> HttpGet(const std::string& host_port, const std::string& path, const HttpCallOptions& options);

}  // namespace strata::server

#include "server/http_server.h"

#include <httplib.h>
#include <strings.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "common/logging.h"

namespace strata::server {
namespace {

// httplib's ThreadPool queues without bound; this one blocks the accept loop
// once `queue_max` connections are waiting, so load beyond the limit waits in
// the kernel's listen backlog instead of in our memory.
class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(int threads, int queue_max) : queue_max_(static_cast<size_t>(queue_max)) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return jobs_.size() < queue_max_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    work_cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    work_cv_.notify_all();
    space_cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shutdown and drained: every accepted socket got served and closed
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      space_cv_.notify_one();
      fn();
    }
  }

  const size_t queue_max_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

// httplib listens with a backlog of 5 (a compile-time constant of the
// library), so a burst of clients while every worker is busy overflows it and
// their SYNs are dropped (a 1 s retransmit). Linux lets listen() be called
// again on a bound socket to raise the backlog.
class Listener : public httplib::Server {
 public:
  bool RaiseBacklog(int backlog) { return ::listen(svr_sock_, backlog) == 0; }
};

// httplib's default sets SO_REUSEPORT, which lets a second process bind the
// same port and silently split the traffic; a port must belong to one FE.
void SocketOptions(int sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

// Everything but the body.
HttpRequest FromHttplib(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  for (const auto& [k, v] : req.params) out.params.emplace(k, v);
  for (const auto& [k, v] : req.headers) out.headers.emplace(k, v);
  return out;
}

// Reads the body straight into `out` (a stream load's body can be GBs: no
// second copy, and one allocation of Content-Length bytes instead of
// growing). httplib enforces the payload limit and sets 413 / 400 in `res`
// when reading fails; false then.
bool ReadBody(const httplib::Request& req, const httplib::ContentReader& read, uint64_t body_max_bytes,
              std::string* out) {
  const std::string length = req.get_header_value("Content-Length");
  if (!length.empty()) {
    char* end = nullptr;
    uint64_t n = std::strtoull(length.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && n <= body_max_bytes) out->reserve(n);
  }
  return read([out](const char* data, size_t size) {
    out->append(data, size);
    return true;
  });
}

void ToHttplib(const HttpResponse& in, httplib::Response& res) {
  res.status = in.status;
  res.set_content(in.body, in.content_type.c_str());
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  // Only fixed ASCII strings reach here; no escaping needed.
  return fmt::format(R"({{"ok":false,"code":"{}","message":"{}"}})", code, message);
}

template <typename Setter>
void SetTimeoutMs(Setter setter, int64_t ms) {
  setter(static_cast<time_t>(ms / 1000), static_cast<time_t>((ms % 1000) * 1000));
}

Result<std::pair<std::string, int>> SplitHostPort(const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    return InvalidArgument(fmt::format("malformed address '{}' (want host:port)", host_port));
  }
  int port = 0;
  for (size_t i = colon + 1; i < host_port.size(); ++i) {
    char c = host_port[i];
    if (c < '0' || c > '9' || port > 65535) return InvalidArgument(fmt::format("malformed port in '{}'", host_port));
    port = port * 10 + (c - '0');
  }
  if (port <= 0 || port > 65535) return InvalidArgument(fmt::format("port out of range in '{}'", host_port));
  return std::make_pair(host_port.substr(0, colon), port);
}

}  // namespace

std::string HttpRequest::Param(const std::string& key) const {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

std::string HttpRequest::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return {};
}

void HttpRouter::Add(std::string method, std::string path, HttpHandler handler) {
  routes_[{std::move(path), std::move(method)}] = std::move(handler);
}

HttpResponse HttpRouter::Dispatch(const HttpRequest& request) const {
  auto it = routes_.find({request.path, request.method});
  if (it != routes_.end()) return it->second(request);
  auto any = routes_.lower_bound({request.path, std::string()});
  if (any != routes_.end() && any->first.first == request.path) {
    return HttpResponse::Json(405, ErrorJson("MethodNotAllowed", "method not allowed for this path"));
  }
  bool path_known = false;
  for (const auto& m : matching_) {
    if (!m.matches(request.path)) continue;
    if (m.method == request.method) return m.handler(request);
    path_known = true;
  }
  if (path_known) return HttpResponse::Json(405, ErrorJson("MethodNotAllowed", "method not allowed for this path"));
  return HttpResponse::Json(404, ErrorJson("NotFound", "no such endpoint"));
}

void HttpRouter::AddMatching(std::string method, std::function<bool(const std::string&)> matches,
                             HttpHandler handler) {
  matching_.push_back(Matching{std::move(method), std::move(matches), std::move(handler)});
}

HttpServer::HttpServer(HttpServerOptions options, HttpRouter router)
    : options_(std::move(options)), router_(std::make_shared<const HttpRouter>(std::move(router))) {
  STRATA_CHECK(options_.threads_max > 0 && options_.queue_max > 0, "HttpServer needs threads and a queue");
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  STRATA_CHECK(server_ == nullptr, "HttpServer::Start called twice");
  auto listener = std::make_unique<Listener>();
  Listener& s = *listener;
  server_ = std::move(listener);
  int threads = options_.threads_max, queue = options_.queue_max;
  s.new_task_queue = [threads, queue] { return new BoundedTaskQueue(threads, queue); };
  s.set_payload_max_length(options_.body_max_bytes);
  SetTimeoutMs([&](time_t sec, time_t usec) { s.set_read_timeout(sec, usec); }, options_.read_timeout_ms);
  SetTimeoutMs([&](time_t sec, time_t usec) { s.set_write_timeout(sec, usec); }, options_.write_timeout_ms);
  s.set_keep_alive_timeout(std::max<time_t>(1, options_.keep_alive_timeout_ms / 1000));
  s.set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_requests_max));
  s.set_tcp_nodelay(true);
  s.set_socket_options(SocketOptions);

  auto router = router_;
  auto handle = [router](const httplib::Request& req, httplib::Response& res) {
    HttpRequest request = FromHttplib(req);
    request.body = req.body;
    ToHttplib(router->Dispatch(request), res);
  };
  const uint64_t body_max_bytes = options_.body_max_bytes;
  auto handle_body = [router, body_max_bytes](const httplib::Request& req, httplib::Response& res,
                                              const httplib::ContentReader& read) {
    HttpRequest request = FromHttplib(req);
    if (!ReadBody(req, read, body_max_bytes, &request.body)) {
      if (res.status == 413) {
        ToHttplib(HttpResponse::Json(413, ErrorJson("PayloadTooLarge", "request body too large")), res);
      } else {
        ToHttplib(HttpResponse::Json(400, ErrorJson("BadRequest", "could not read the request body")), res);
      }
      return;
    }
    ToHttplib(router->Dispatch(request), res);
  };
  // Every method goes through our router so that 404/405 are ours.
  const std::string all = ".*";
  s.Get(all, handle).Post(all, handle_body).Put(all, handle_body).Delete(all, handle);
  s.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    STRATA_LOG(kError, "http: exception while handling {} {}", req.method, req.path);
    ToHttplib(HttpResponse::Json(500, ErrorJson("Internal", "internal error")), res);
  });

  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.bind_host);
    if (port_ <= 0) port_ = 0;
  } else if (s.bind_to_port(options_.bind_host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ == 0) {
    server_.reset();
    return Unavailable(fmt::format("http: cannot bind {}:{} (address in use or not local)", options_.bind_host,
                                   options_.port));
  }
  if (!s.RaiseBacklog(options_.backlog)) {
    STRATA_LOG(kWarn, "http: could not raise the listen backlog to {}", options_.backlog);
  }
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the listen loop runs, so wait for it (bounded).
  constexpr int kStartWaitsMax = 5000;
  for (int i = 0; i < kStartWaitsMax && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  STRATA_CHECK(server_->is_running(), "http: listen loop did not start within 5 s");
  STRATA_LOG(kInfo, "http: serving on {}:{} ({} threads)", options_.bind_host, port_, options_.threads_max);
  return Status::OK();
}

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
  server_.reset();
}

namespace {

Result<HttpResponse> Call(const std::string& host_port, const HttpCallOptions& options,
                          const std::function<httplib::Result(httplib::Client&, const httplib::Headers&)>& call) {
  STRATA_ASSIGN_OR_RETURN(auto hp, SplitHostPort(host_port));
  httplib::Client client(hp.first, hp.second);
  SetTimeoutMs([&](time_t s, time_t us) { client.set_connection_timeout(s, us); }, options.connect_timeout_ms);
  SetTimeoutMs([&](time_t s, time_t us) { client.set_read_timeout(s, us); }, options.read_timeout_ms);
  SetTimeoutMs([&](time_t s, time_t us) { client.set_write_timeout(s, us); }, options.write_timeout_ms);
  httplib::Headers headers;
  for (const auto& [k, v] : options.headers) headers.emplace(k, v);
  httplib::Result res = call(client, headers);
  if (!res) {
    return Unavailable(fmt::format("http call to {} failed: {}", host_port, httplib::to_string(res.error())));
  }
  HttpResponse out;
  out.status = res->status;
  out.content_type = res->get_header_value("Content-Type");
  out.body = res->body;
  return out;
}

}  // namespace

Result<HttpResponse> HttpPost(const std::string& host_port, const std::string& path, const std::string& body,
                              const HttpCallOptions& options) {
  return Call(host_port, options, [&](httplib::Client& c, const httplib::Headers& h) {
    return c.Post(path, h, body, "application/json");
  });
}

Result<HttpResponse> HttpGet(const std::string& host_port, const std::string& path, const HttpCallOptions& options) {
  return Call(host_port, options, [&](httplib::Client& c, const httplib::Headers& h) { return c.Get(path, h); });
}

}  // namespace strata::server

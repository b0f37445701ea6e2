#include "objstore/s3/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/check.h"

namespace strata::objstore::s3 {
namespace {

std::once_flag g_curl_init_once;

// Larger receive chunks mean fewer write callbacks and copies for big GETs.
constexpr long kReceiveBufferBytes = 512 * 1024;  // NOLINT(runtime/int)

struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  size_t body_sent = 0;
  bool too_large = false;
};

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->response->body.size() + n > t->request->response_bytes_max) {
    t->too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = std::min(size * count, t->request->body.size() - t->body_sent);
  std::copy_n(t->request->body.data() + t->body_sent, n, buffer);
  t->body_sent += n;
  return n;
}

// Rewinding (curl may resend the body on a reused connection that died).
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->request->body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  t->body_sent = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();  // a new response (after 100 Continue)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = Trim(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = Trim(line.substr(colon + 1));
  if (name == "content-length") {
    // Size the body once instead of growing it by doubling (a 16 MiB GET
    // would otherwise copy ~16 MiB more and touch twice the memory).
    uint64_t length = std::strtoull(value.c_str(), nullptr, 10);
    if (length <= t->request->response_bytes_max) t->response->body.reserve(length);
  }
  t->response->headers.emplace_back(std::move(name), std::move(value));
  return n;
}

std::string HostOf(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  return std::string(url.substr(start, end == std::string_view::npos ? url.npos : end - start));
}

}  // namespace

std::string HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  std::call_once(g_curl_init_once, [] {
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    STRATA_CHECK(rc == CURLE_OK, "curl_global_init failed");
  });
  curl_slist* list = nullptr;
  for (const auto& entry : options_.resolve) list = curl_slist_append(list, entry.c_str());
  resolve_list_ = list;
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_slist_free_all(static_cast<curl_slist*>(resolve_list_));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  STRATA_CHECK(h != nullptr, "curl_easy_init failed");
  return h;
}

void HttpClient::Release(void* handle) {
  // Reset clears options but keeps the connection and DNS caches.
  curl_easy_reset(static_cast<CURL*>(handle));
  {
    std::lock_guard lock(mu_);
    if (idle_.size() < options_.idle_handles_max) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Status HttpClient::Send(const HttpRequest& request, HttpResponse* response) {
  *response = HttpResponse{};
  CURL* h = static_cast<CURL*>(Acquire());
  Transfer t{&request, response};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes_per_s));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(options_.request_timeout_ms / 1000)));
  if (request.expected_response_bytes != UINT64_MAX) {
    uint64_t bytes = request.body.size() + request.expected_response_bytes;
    uint64_t extra_ms = bytes * 1000 / static_cast<uint64_t>(std::max<int64_t>(1, options_.min_throughput_bytes_per_s));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms + extra_ms));
  }
  if (resolve_list_ != nullptr) curl_easy_setopt(h, CURLOPT_RESOLVE, static_cast<curl_slist*>(resolve_list_));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);

  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, OnSeek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    STRATA_CHECK(request.body.empty(), "body with method " + request.method);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode rc = curl_easy_perform(h);
  long status = 0;  // NOLINT(runtime/int)
  long request_size = 0;  // NOLINT(runtime/int)
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
  curl_slist_free_all(headers);
  Release(h);

  if (rc != CURLE_OK) {
    response->maybe_sent = request_size > 0;
    std::string what = t.too_large ? "response larger than " + std::to_string(request.response_bytes_max) + " bytes"
                                   : std::string(curl_easy_strerror(rc));
    if (error_buffer[0] != '\0' && !t.too_large) what += std::string(" (") + error_buffer + ")";
    return Unavailable("HTTP " + request.method + " to " + HostOf(request.url) + " failed: " + what);
  }
  response->status_code = status;
  return Status::OK();
}

}  // namespace strata::objstore::s3

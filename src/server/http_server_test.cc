#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace strata::server {
namespace {

HttpRouter EchoRouter() {
  HttpRouter r;
  r.Add("GET", "/hello", [](const HttpRequest& req) {
    return HttpResponse::Json(200, "{\"hello\":\"" + req.Param("name") + "\"}");
  });
  r.Add("POST", "/echo", [](const HttpRequest& req) {
    return HttpResponse::Json(201, req.body + "|" + req.Header("x-test"));
  });
  r.Add("GET", "/slow", [](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return HttpResponse::Text(200, "slow");
  });
  return r;
}

TEST(HttpRouterTest, DispatchesByPathAndMethod) {
  HttpRouter r = EchoRouter();
  HttpRequest req;
  req.method = "GET";
  req.path = "/hello";
  req.params.emplace("name", "x");
  HttpResponse res = r.Dispatch(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "{\"hello\":\"x\"}");
  req.method = "POST";
  EXPECT_EQ(r.Dispatch(req).status, 405);
  req.path = "/nope";
  EXPECT_EQ(r.Dispatch(req).status, 404);
}

TEST(HttpRequestTest, HeaderLookupIgnoresCase) {
  HttpRequest req;
  req.headers.emplace("X-Strata-Thing", "v");
  EXPECT_EQ(req.Header("x-strata-thing"), "v");
  EXPECT_EQ(req.Header("missing"), "");
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions o) {
    o.port = 0;
    server_ = std::make_unique<HttpServer>(o, EchoRouter());
    ASSERT_TRUE(server_->Start().ok());
    addr_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  std::unique_ptr<HttpServer> server_;
  std::string addr_;
};

TEST_F(HttpServerTest, ServesGetAndPost) {
  StartServer({});
  auto got = HttpGet(addr_, "/hello?name=strata", {});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "{\"hello\":\"strata\"}");
  EXPECT_EQ(got->content_type, "application/json");
  HttpCallOptions call;
  call.headers.emplace("X-Test", "hdr");
  auto posted = HttpPost(addr_, "/echo", "body", call);
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->status, 201);
  EXPECT_EQ(posted->body, "body|hdr");
  auto missing = HttpGet(addr_, "/missing", {});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpServerTest, RejectsOversizedBodies) {
  HttpServerOptions o;
  o.body_max_bytes = 1024;
  StartServer(o);
  auto small = HttpPost(addr_, "/echo", std::string(1000, 'a'), {});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 201);
  auto big = HttpPost(addr_, "/echo", std::string(4096, 'a'), {});
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
}

TEST_F(HttpServerTest, ServesManyClientsWithFewThreads) {
  HttpServerOptions o;
  o.threads_max = 2;
  o.queue_max = 2;
  StartServer(o);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 12; ++i) {
    clients.emplace_back([&] {
      auto r = HttpGet(addr_, "/slow", {});
      if (r.ok() && r->status == 200 && r->body == "slow") ok++;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 12);
}

TEST_F(HttpServerTest, StopIsIdempotentAndClosesThePort) {
  StartServer({});
  server_->Stop();
  server_->Stop();
  HttpCallOptions call;
  call.connect_timeout_ms = 300;
  auto r = HttpGet(addr_, "/hello", call);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST_F(HttpServerTest, PortInUseIsUnavailable) {
  StartServer({});
  HttpServerOptions o;
  o.port = server_->port();
  HttpServer second(o, EchoRouter());
  Status st = second.Start();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find(std::to_string(o.port)), std::string::npos);
}

TEST(HttpClientTest, MalformedAddressIsInvalidArgument) {
  EXPECT_EQ(HttpGet("nohostport", "/", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpGet("h:99999", "/", {}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::server

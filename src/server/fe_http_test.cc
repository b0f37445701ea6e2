#include "server/fe_http.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

namespace strata::server {
namespace {

using nlohmann::json;

// A MetaApi whose answers the test sets.
class FakeMetaApi : public MetaApi {
 public:
  Result<meta::Change> ParseChange(std::string_view body) const override {
    if (body == "bad") return InvalidArgument("type: missing");
    return meta::Change{};
  }
  Result<meta::CommitResult> Submit(meta::Change) override {
    submits++;
    return submit_result;
  }
  Status WaitApplied(uint64_t version, int64_t) override {
    std::lock_guard lock(mu);
    waited_for = version;
    return wait_status;
  }
  bool IsLeader() const override { return is_leader; }
  std::string Leader() const override { return leader; }
  std::string FeName() const override { return fe_name; }
  uint64_t AppliedVersion() const override { return applied; }
  std::string ClusterId() const override { return "c0ffee"; }
  bool Ready() const override { return ready; }
  CatalogView ReadCatalog() const override { return {R"({"databases":[{"name":"db1"}]})", applied}; }
  Result<uint64_t> Checkpoint() override { return checkpoint_result; }
  std::string MetricsText() const override { return "strata_meta_version 7\n"; }

  Result<meta::CommitResult> submit_result = meta::CommitResult{5, 42};
  Result<uint64_t> checkpoint_result = uint64_t{7};
  Status wait_status;
  bool is_leader = true;
  bool ready = true;
  std::string leader = "127.0.0.1:1";
  std::string fe_name = "127.0.0.1:1";
  uint64_t applied = 7;
  int submits = 0;
  std::mutex mu;
  uint64_t waited_for = 0;
};

HttpResponse Call(const HttpRouter& r, std::string method, std::string path, std::string body = "") {
  HttpRequest req;
  req.method = std::move(method);
  size_t q = path.find('?');
  if (q != std::string::npos) {
    req.params.emplace(path.substr(q + 1), "");
    path.resize(q);
  }
  req.path = std::move(path);
  req.body = std::move(body);
  return r.Dispatch(req);
}

TEST(FeHttpTest, HealthAndReadiness) {
  FakeMetaApi meta;
  HttpRouter r = BuildFeRouter(&meta, {});
  EXPECT_EQ(json::parse(Call(r, "GET", "/api/health").body), json({{"status", "OK"}}));
  EXPECT_EQ(Call(r, "GET", "/api/ready").status, 200);
  meta.ready = false;
  EXPECT_EQ(Call(r, "GET", "/api/ready").status, 503);
  EXPECT_EQ(Call(r, "GET", "/api/health?ready").status, 503);
  EXPECT_EQ(Call(r, "GET", "/api/health").status, 200);
}

TEST(FeHttpTest, MetricsIncludeTheService) {
  FakeMetaApi meta;
  HttpResponse res = Call(BuildFeRouter(&meta, {}), "GET", "/metrics");
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("strata_meta_version 7"), std::string::npos);
  EXPECT_EQ(res.content_type.rfind("text/plain", 0), 0u);
}

TEST(FeHttpTest, ChangeOnTheLeader) {
  FakeMetaApi meta;
  HttpRouter r = BuildFeRouter(&meta, {});
  HttpResponse ok = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body), json({{"ok", true}, {"version", 5}, {"id", 42}}));

  meta.submit_result = AlreadyExists("database db1 exists");
  HttpResponse rejected = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(rejected.status, 200);
  json body = json::parse(rejected.body);
  EXPECT_EQ(body["ok"], false);
  EXPECT_EQ(body["code"], "AlreadyExists");
  EXPECT_EQ(body["version"], 7);

  meta.submit_result = Unavailable("not committed; retry");
  HttpResponse unavailable = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(json::parse(unavailable.body)["code"], "Unavailable");

  int before = meta.submits;
  HttpResponse bad = Call(r, "POST", "/api/meta/change", "bad");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["code"], "InvalidArgument");
  EXPECT_EQ(meta.submits, before);
}

TEST(FeHttpTest, FollowerWithoutLeaderAnswers421) {
  FakeMetaApi meta;
  meta.is_leader = false;
  meta.leader = "";
  HttpResponse res = Call(BuildFeRouter(&meta, {}), "POST", "/api/meta/change", "{}");
  EXPECT_EQ(res.status, 421);
  EXPECT_EQ(json::parse(res.body)["code"], "NoLeader");
  EXPECT_EQ(meta.submits, 0);
}

// A follower forwards to the leader over real HTTP and waits for the version.
TEST(FeHttpTest, FollowerForwardsAndWaits) {
  FakeMetaApi leader_meta;
  leader_meta.submit_result = meta::CommitResult{9, 3};
  HttpServerOptions o;
  o.port = 0;
  HttpServer leader(o, BuildFeRouter(&leader_meta, {}));
  ASSERT_TRUE(leader.Start().ok());
  std::string leader_addr = "127.0.0.1:" + std::to_string(leader.port());
  leader_meta.leader = leader_meta.fe_name = leader_addr;

  FakeMetaApi follower;
  follower.is_leader = false;
  follower.leader = leader_addr;
  follower.fe_name = "127.0.0.1:2";
  HttpRouter r = BuildFeRouter(&follower, {});
  HttpResponse res = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body), json({{"ok", true}, {"version", 9}, {"id", 3}}));
  EXPECT_EQ(follower.waited_for, 9u);
  EXPECT_EQ(follower.submits, 0);
  EXPECT_EQ(leader_meta.submits, 1);

  follower.wait_status = DeadlineExceeded("waited 10 ms");
  HttpResponse late = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(late.status, 503);
  EXPECT_EQ(json::parse(late.body)["code"], "DeadlineExceeded");
  EXPECT_EQ(json::parse(late.body)["version"], 9);

  // The leader is no longer the leader: the forwarded request is not forwarded again.
  leader_meta.is_leader = false;
  leader_meta.leader = "127.0.0.1:2";
  HttpResponse hop = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(hop.status, 421);

  leader.Stop();
  HttpResponse gone = Call(r, "POST", "/api/meta/change", "{}");
  EXPECT_EQ(gone.status, 503);
  EXPECT_NE(json::parse(gone.body)["message"].get<std::string>().find("outcome unknown"), std::string::npos);
}

TEST(FeHttpTest, CatalogAndStatus) {
  FakeMetaApi meta;
  HttpRouter r = BuildFeRouter(&meta, {});
  json catalog = json::parse(Call(r, "GET", "/api/meta/catalog").body);
  EXPECT_EQ(catalog["version"], 7);
  EXPECT_EQ(catalog["cluster_id"], "c0ffee");
  EXPECT_EQ(catalog["is_leader"], true);
  EXPECT_EQ(catalog["catalog"]["databases"][0]["name"], "db1");
  json status = json::parse(Call(r, "GET", "/api/meta/status").body);
  EXPECT_EQ(status["ready"], true);
  EXPECT_EQ(status["leader"], "127.0.0.1:1");
  EXPECT_EQ(status["fe_name"], "127.0.0.1:1");
}

// Before the metadata service is up: alive, not ready, nothing read or written.
TEST(FeHttpTest, StartingFe) {
  DeferredMetaApi deferred;
  HttpRouter r = BuildFeRouter(&deferred, {});
  EXPECT_EQ(Call(r, "GET", "/api/health").status, 200);
  EXPECT_EQ(Call(r, "GET", "/api/ready").status, 503);
  EXPECT_EQ(Call(r, "GET", "/api/meta/catalog").status, 503);
  EXPECT_EQ(Call(r, "POST", "/api/meta/change", R"({"type":"create_database","name":"x"})").status, 503);
  EXPECT_EQ(Call(r, "POST", "/api/meta/checkpoint").status, 503);
  EXPECT_EQ(json::parse(Call(r, "GET", "/api/meta/status").body)["started"], false);
  FakeMetaApi meta;
  deferred.Set(&meta);
  EXPECT_EQ(Call(r, "GET", "/api/ready").status, 200);
  EXPECT_EQ(Call(r, "POST", "/api/meta/change", "{}").status, 200);
  EXPECT_EQ(meta.submits, 1);
  deferred.Set(nullptr);
}

TEST(FeHttpTest, Checkpoint) {
  FakeMetaApi meta;
  HttpRouter r = BuildFeRouter(&meta, {});
  HttpResponse ok = Call(r, "POST", "/api/meta/checkpoint");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body)["version"], 7);
  meta.checkpoint_result = FailedPrecondition("not the leader");
  EXPECT_EQ(Call(r, "POST", "/api/meta/checkpoint").status, 409);
  EXPECT_EQ(Call(r, "GET", "/api/meta/checkpoint").status, 405);
}

}  // namespace
}  // namespace strata::server

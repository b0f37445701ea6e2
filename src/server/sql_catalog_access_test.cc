// The SQL engine's catalog writer: leader submits, follower forwards the
// binary change to /api/meta/change_internal and waits for the version.
#include "server/sql_catalog_access.h"

#include <gtest/gtest.h>

#include <mutex>

#include "server/fe_http.h"

namespace strata::server {
namespace {

class FakeMeta : public MetaApi {
 public:
  Result<meta::Change> ParseChange(std::string_view) const override { return InvalidArgument("unused"); }
  Result<meta::CommitResult> Submit(meta::Change change) override {
    submitted.push_back(std::move(change));
    return submit_result;
  }
  Status WaitApplied(uint64_t version, int64_t) override {
    waited_for = version;
    return wait_status;
  }
  bool IsLeader() const override { return is_leader; }
  std::string Leader() const override { return leader; }
  std::string FeName() const override { return fe_name; }
  uint64_t AppliedVersion() const override { return applied; }
  std::string ClusterId() const override { return "c"; }
  bool Ready() const override { return true; }
  CatalogView ReadCatalog() const override { return {}; }
  Result<uint64_t> Checkpoint() override { return uint64_t{0}; }
  std::string MetricsText() const override { return ""; }

  Result<meta::CommitResult> submit_result = meta::CommitResult{9, 77};
  Status wait_status;
  bool is_leader = false;
  std::string leader = "10.0.0.1:8030";
  std::string fe_name = "10.0.0.2:8030";
  uint64_t applied = 12;
  uint64_t waited_for = 0;
  std::vector<meta::Change> submitted;
};

meta::Change SecretVolume() {
  meta::CreateStorageVolume v;
  v.name = "sv1";
  v.locations = {"s3://bucket/p"};
  v.credentials["aws.s3.secret_key"] = Secret("TOP-SECRET");
  return meta::Change{v};
}

// Posts straight into a leader's router (no socket).
LeaderPost IntoRouter(const HttpRouter* router, std::string* seen_path) {
  return [router, seen_path](const std::string&, const std::string& path, const std::string& body,
                             const HttpCallOptions& call) -> Result<HttpResponse> {
    *seen_path = path;
    HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.body = body;
    for (const auto& [k, v] : call.headers) req.headers.emplace(k, v);
    return router->Dispatch(req);
  };
}

TEST(SqlCatalogAccessTest, LeaderSubmitsDirectly) {
  FakeMeta meta;
  meta.is_leader = true;
  ForwardingCatalogWriter writer(&meta, {}, [](auto&&...) -> Result<HttpResponse> { return Internal("no forward"); });
  auto r = writer.Submit(SecretVolume());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 9u);
  EXPECT_EQ(meta.submitted.size(), 1u);
}

TEST(SqlCatalogAccessTest, FollowerForwardsBinaryChangeWithSecretsAndWaits) {
  FakeMeta leader;
  leader.is_leader = true;
  HttpRouter router = BuildFeRouter(&leader, {});
  FakeMeta follower;
  std::string path;
  ForwardingCatalogWriter writer(&follower, {}, IntoRouter(&router, &path));
  auto r = writer.Submit(SecretVolume());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(path, "/api/meta/change_internal");
  EXPECT_EQ(r->version, 9u);
  EXPECT_EQ(r->id, 77u);
  EXPECT_EQ(follower.waited_for, 9u);  // read-your-writes
  ASSERT_EQ(leader.submitted.size(), 1u);
  const auto& v = std::get<meta::CreateStorageVolume>(leader.submitted[0].body);
  EXPECT_EQ(v.credentials.at("aws.s3.secret_key").Reveal(), "TOP-SECRET");  // not masked in transit
}

TEST(SqlCatalogAccessTest, RejectionComesBackWithItsCodeAfterWaiting) {
  FakeMeta leader;
  leader.is_leader = true;
  leader.submit_result = AlreadyExists("database db1 exists");
  HttpRouter router = BuildFeRouter(&leader, {});
  FakeMeta follower;
  std::string path;
  ForwardingCatalogWriter writer(&follower, {}, IntoRouter(&router, &path));
  auto r = writer.Submit(meta::Change{meta::CreateDatabase{"db1"}});
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(), "database db1 exists");
  EXPECT_EQ(follower.waited_for, 12u);  // the leader's applied version at rejection
}

TEST(SqlCatalogAccessTest, NoLeaderUnreachableLeaderAndLaggingFollower) {
  FakeMeta follower;
  follower.leader = "";
  ForwardingCatalogWriter none(&follower, {});
  EXPECT_EQ(none.Submit(meta::Change{meta::CreateDatabase{"x"}}).status().code(), StatusCode::kUnavailable);

  FakeMeta f2;
  ForwardingCatalogWriter down(&f2, {}, [](auto&&...) -> Result<HttpResponse> { return Unavailable("refused"); });
  auto r = down.Submit(meta::Change{meta::CreateDatabase{"x"}});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("outcome unknown"), std::string::npos);

  FakeMeta notleader;  // the "leader" it reaches is not the leader any more: 421
  HttpRouter router = BuildFeRouter(&notleader, {});
  FakeMeta f3;
  std::string path;
  ForwardingCatalogWriter moved(&f3, {}, IntoRouter(&router, &path));
  EXPECT_EQ(moved.Submit(meta::Change{meta::CreateDatabase{"x"}}).status().code(), StatusCode::kUnavailable);

  FakeMeta leader;
  leader.is_leader = true;
  HttpRouter lrouter = BuildFeRouter(&leader, {});
  FakeMeta lagging;
  lagging.wait_status = DeadlineExceeded("timed out");
  ForwardingCatalogWriter lag(&lagging, {}, IntoRouter(&lrouter, &path));
  EXPECT_EQ(lag.Submit(meta::Change{meta::CreateDatabase{"x"}}).status().code(), StatusCode::kDeadlineExceeded);
}

TEST(SqlCatalogAccessTest, InternalEndpointRejectsGarbage) {
  FakeMeta leader;
  leader.is_leader = true;
  HttpRouter router = BuildFeRouter(&leader, {});
  HttpRequest req;
  req.method = "POST";
  req.path = kInternalChangePath;
  req.body = "not a batch";
  EXPECT_EQ(router.Dispatch(req).status, 400);
  meta::Batch two;
  two.changes = {meta::Change{meta::CreateDatabase{"a"}}, meta::Change{meta::CreateDatabase{"b"}}};
  req.body = meta::EncodeBatch(two);
  EXPECT_EQ(router.Dispatch(req).status, 400);
  EXPECT_TRUE(leader.submitted.empty());
}

}  // namespace
}  // namespace strata::server

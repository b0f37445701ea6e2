// `strata local`'s command line, ports and files. The configs it writes are
// read back by the FE's and CN's own config readers, so a key the processes
// would reject fails here first.
#include "server/local/local_config.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/config.h"
#include "server/cn/cn_config.h"
#include "server/fe_config.h"
#include "server/local/demo.h"
#include "sql/guide_statements.h"

namespace strata::server::local {
namespace {

GetEnv Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

Result<LocalOptions> Parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return ParseLocalArgs(args, Env(std::move(env)), "/home/u");
}

TEST(ParseLocalArgsTest, Defaults) {
  Result<LocalOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(o->demo);
  EXPECT_EQ(o->dir, "/home/u/strata-local");
  EXPECT_EQ(o->cns, 1);
  EXPECT_EQ(o->port_base, 9030);
  EXPECT_FALSE(o->s3.has_value());
  Result<LocalOptions> demo = Parse({"demo"});
  ASSERT_TRUE(demo.ok());
  EXPECT_TRUE(demo->demo);
  EXPECT_EQ(demo->dir, "/home/u/strata-demo");
}

TEST(ParseLocalArgsTest, Flags) {
  Result<LocalOptions> o = Parse({"--dir", "x/../data/", "--cns=3", "--port-base", "19030"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->dir, "/home/u/data");
  EXPECT_EQ(o->cns, 3);
  EXPECT_EQ(o->port_base, 19030);
  EXPECT_EQ(Parse({"demo", "--dir=/abs"})->dir, "/abs");
}

TEST(ParseLocalArgsTest, BadFlagsNameThemselves) {
  for (const auto& [args, want] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--cns", "0"}, "--cns"},
           {{"--cns", "11"}, "--cns"},
           {{"--cns", "two"}, "--cns"},
           {{"--port-base", "500"}, "--port-base"},
           {{"--port-base", "65530"}, "--port-base"},
           {{"--dir"}, "--dir needs a value"},
           {{"--verbose"}, "unknown argument '--verbose'"},
           {{"demo", "demo"}, "unknown argument 'demo'"},
           {{"--s3-endpoint", "http://h:1"}, "--s3-bucket"},
       }) {
    Result<LocalOptions> o = Parse(args);
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(o.status().message().find(want), std::string::npos) << o.status().message();
  }
}

TEST(ParseLocalArgsTest, S3FromFlagsOrEnvironment) {
  Result<LocalOptions> f = Parse({"--s3-endpoint", "http://127.0.0.1:7480", "--s3-bucket", "s3://b/p/", "--s3-access-key",
                                  "ak", "--s3-secret-key=sk"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(f->s3.has_value());
  EXPECT_EQ(f->s3->path, "b/p");
  EXPECT_EQ(f->s3->region, "us-east-1");
  EXPECT_EQ(f->s3->access_key.Reveal(), "ak");
  EXPECT_EQ(VolumeLocation(*f), "s3://b/p");
  EXPECT_EQ(DescribeVolume(*f), "s3://b/p at http://127.0.0.1:7480");

  Result<LocalOptions> e = Parse({}, {{"AWS_S3_ENDPOINT", "http://e"}, {"aws_s3_path", "bucket"},
                                      {"AWS_S3_REGION", "eu-1"}, {"AWS_ACCESS_KEY_ID", "k1"},
                                      {"AWS_S3_SECRET_KEY", "s1"}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->s3->endpoint, "http://e");
  EXPECT_EQ(e->s3->path, "bucket");
  EXPECT_EQ(e->s3->region, "eu-1");
  EXPECT_EQ(e->s3->access_key.Reveal(), "k1");
  EXPECT_EQ(e->s3->secret_key.Reveal(), "s1");
  // A flag wins over the environment; keys alone do not select S3.
  EXPECT_EQ(Parse({"--s3-bucket", "other"}, {{"AWS_S3_ENDPOINT", "http://e"}, {"AWS_S3_ACCESS_KEY", "k"},
                                            {"AWS_S3_SECRET_KEY", "s"}, {"AWS_S3_PATH", "bucket"}})
                ->s3->path,
            "other");
  EXPECT_FALSE(Parse({}, {{"AWS_ACCESS_KEY_ID", "k"}, {"AWS_SECRET_ACCESS_KEY", "s"}})->s3.has_value());
  Result<LocalOptions> missing = Parse({}, {{"AWS_S3_ENDPOINT", "http://e"}, {"AWS_S3_PATH", "b"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("AWS_S3_ACCESS_KEY"), std::string::npos) << missing.status().message();
}

TEST(PortsTest, StarRocksDefaultsAndShiftedBase) {
  Result<PortLayout> p = Ports(9030, 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->query, 9030);
  EXPECT_EQ(p->http, 8030);
  EXPECT_EQ(p->rpc, 9020);
  EXPECT_EQ(p->edit_log, 9010);
  ASSERT_EQ(p->cns.size(), 2u);
  EXPECT_EQ(p->cns[0].heartbeat, 9050);
  EXPECT_EQ(p->cns[0].be, 9060);
  EXPECT_EQ(p->cns[0].http, 8040);
  EXPECT_EQ(p->cns[0].brpc, 8060);
  EXPECT_EQ(p->cns[1].heartbeat, 9051);
  EXPECT_EQ(p->cns[1].be, 9061);
  Result<PortLayout> shifted = Ports(19030, 1);
  EXPECT_EQ(shifted->http, 18030);
  EXPECT_EQ(shifted->cns[0].heartbeat, 19050);
  Result<PortLayout> most = Ports(9030, kCnsMax);
  std::vector<int> bound = most->Bound();
  EXPECT_EQ(std::set<int>(bound.begin(), bound.end()).size(), bound.size()) << "ports collide";
  EXPECT_FALSE(Ports(9030, kCnsMax + 1).ok());
}

LocalOptions Local() { return *Parse({"--dir", "/data/strata"}); }

LocalOptions S3() {
  return *Parse({"--dir", "/data/strata", "--s3-endpoint", "http://127.0.0.1:7480", "--s3-bucket", "b/p",
                 "--s3-access-key", "AK", "--s3-secret-key", "SK"});
}

TEST(ConfTextTest, FeConfIsAcceptedByTheFe) {
  PortLayout ports = *Ports(19030, 1);
  Result<std::string> text = FeConfText(Local(), ports);
  ASSERT_TRUE(text.ok());
  Result<Config> parsed = Config::Parse(*text, "fe.conf", FeConfigKeys());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Result<FeConfig> fe = FeConfigFromConfig(*parsed);
  ASSERT_TRUE(fe.ok()) << fe.status().ToString();
  EXPECT_EQ(fe->query_port, 19030);
  EXPECT_EQ(fe->http_port, 18030);
  EXPECT_EQ(fe->rpc_port, 19020);
  EXPECT_EQ(fe->host, "127.0.0.1");
  EXPECT_EQ(fe->meta_dir, "/data/strata/fe/meta");
  EXPECT_EQ(fe->volume.location, "/data/strata/volume");

  Result<std::string> s3_text = FeConfText(S3(), ports);
  ASSERT_TRUE(s3_text.ok());
  Result<FeConfig> s3 = FeConfigFromConfig(*Config::Parse(*s3_text, "fe.conf", FeConfigKeys()));
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  EXPECT_EQ(s3->volume.location, "s3://b/p");
  EXPECT_EQ(s3->volume.endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(s3->volume.secret_key.Reveal(), "SK");
}

TEST(ConfTextTest, CnConfIsAcceptedByTheCn) {
  PortLayout ports = *Ports(9030, 2);
  Result<std::string> text = CnConfText(Local(), ports, 1);
  ASSERT_TRUE(text.ok());
  Result<Config> parsed = Config::Parse(*text, "cn.conf", cn::CnConfigKeys());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Result<cn::CnConfig> c = cn::CnConfigFromConfig(*parsed);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->heartbeat_service_port, 9051);
  EXPECT_EQ(c->rpc_port, 9061);
  EXPECT_EQ(c->http_port, 8041);
  EXPECT_EQ(c->fe_addresses, (std::vector<std::string>{"127.0.0.1:9020"}));
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->CacheDir(), "/data/strata/cn1/storage/cache");
}

TEST(ConfTextTest, UnwritableValuesAreRefused) {
  LocalOptions o = Local();
  o.dir = "/data/new\nline";
  EXPECT_EQ(FeConfText(o, *Ports(9030, 1)).status().code(), StatusCode::kInvalidArgument);
}

TEST(ClusterSnapshotYamlTest, LocalVolume) {
  EXPECT_EQ(ClusterSnapshotYaml(Local(), "/data/strata/volume/c1/meta/image/automated_cluster_snapshot_1"),
            "# Written by `strata local demo`: restore the demo cluster from its automated snapshot.\n"
            "# StarRocks' cluster_snapshot.yaml schema; it holds the volume's credentials (mode 0600).\n"
            "cluster_snapshot:\n"
            "  cluster_snapshot_path: \"/data/strata/volume/c1/meta/image/automated_cluster_snapshot_1\"\n"
            "  storage_volume_name: builtin_storage_volume\n"
            "# the FE registers itself and compute nodes join by heartbeat\n"
            "frontends: []\n"
            "compute_nodes: []\n"
            "storage_volumes:\n"
            "  - name: builtin_storage_volume\n"
            "    type: LOCAL\n"
            "    location: \"/data/strata/volume\"\n"
            "    comment: \"strata local\"\n"
            "    properties: []\n");
}

TEST(ClusterSnapshotYamlTest, S3VolumeCarriesItsProperties) {
  std::string y = ClusterSnapshotYaml(S3(), "s3://b/p/c1/meta/image/automated_cluster_snapshot_1");
  for (const char* want : {"  cluster_snapshot_path: \"s3://b/p/c1/meta/image/automated_cluster_snapshot_1\"\n",
                           "    type: S3\n", "    location: \"s3://b/p\"\n",
                           "      - key: aws.s3.endpoint\n        value: \"http://127.0.0.1:7480\"\n",
                           "      - key: aws.s3.region\n        value: \"us-east-1\"\n",
                           "      - key: aws.s3.access_key\n        value: \"AK\"\n",
                           "      - key: aws.s3.secret_key\n        value: \"SK\"\n"}) {
    EXPECT_NE(y.find(want), std::string::npos) << want << "\nin:\n" << y;
  }
  EXPECT_EQ(YamlQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\x01\"");
}

// The demo sends the guide's statements verbatim (minus comment lines and ';').
std::string WithoutCommentsAndSemicolon(std::string_view s) {
  std::string out;
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    std::string_view line = s.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    if (!line.starts_with("#") && !line.starts_with("--")) out += std::string(line) + "\n";
    at = nl == std::string_view::npos ? s.size() : nl + 1;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ';')) out.pop_back();
  return out;
}

TEST(DemoStatementsTest, AreTheGuidesVerbatim) {
  const auto& guide = sql::testing::kGuideStatements;
  EXPECT_EQ(kDemoCreateDatabase, WithoutCommentsAndSemicolon(guide[0]));
  EXPECT_EQ(kDemoCreateTable, WithoutCommentsAndSemicolon(guide[2]));
  EXPECT_EQ(kDemoInsert, WithoutCommentsAndSemicolon(guide[3]));
  EXPECT_EQ(kDemoSelect, WithoutCommentsAndSemicolon(guide[4]));
  EXPECT_EQ(kDemoSnapshotOn, WithoutCommentsAndSemicolon(guide[5]));
  EXPECT_EQ(kDemoListSnapshots, WithoutCommentsAndSemicolon(guide[7]));
}

}  // namespace
}  // namespace strata::server::local

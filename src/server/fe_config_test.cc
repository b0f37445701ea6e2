#include "server/fe_config.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace strata::server {
namespace {

Result<FeConfig> Parse(std::string_view text) {
  STRATA_ASSIGN_OR_RETURN(Config c, Config::Parse(text, "fe.conf", FeConfigKeys()));
  return FeConfigFromConfig(c);
}

TEST(FeConfigTest, DefaultsAreStarRocksAndTheLocalVolume) {
  auto fe = Parse("");
  ASSERT_TRUE(fe.ok()) << fe.status().ToString();
  EXPECT_EQ(fe->http_port, 8030);
  EXPECT_EQ(fe->rpc_port, 9020);
  EXPECT_EQ(fe->query_port, 9030);
  EXPECT_EQ(fe->edit_log_port, 9010);
  EXPECT_EQ(fe->cluster_name, "strata");
  EXPECT_EQ(fe->host, "127.0.0.1");
  EXPECT_EQ(fe->volume.location, "storage");
  EXPECT_EQ(fe->automated_cluster_snapshot_interval_seconds, 600);
}

TEST(FeConfigTest, GuideStyleS3Config) {
  auto fe = Parse(R"(
# from the shared-data guide
JAVA_OPTS = "-Xmx8192m -XX:+UseG1GC"
run_mode = shared_data
http_port = 18030
cloud_native_meta_port = 6090
enable_load_volume_from_conf = true
cloud_native_storage_type = S3
aws_s3_path = bucket/prefix/
aws_s3_region = us-west-2
aws_s3_endpoint = 127.0.0.1:7480
aws_s3_access_key = AKIAEXAMPLE
aws_s3_secret_key = verysecret
automated_cluster_snapshot_interval_seconds = 1800
LOG_DIR = ${STARROCKS_HOME}/log
sys_log_level = WARN
cluster_name = prod
)");
  ASSERT_TRUE(fe.ok()) << fe.status().ToString();
  EXPECT_EQ(fe->http_port, 18030);
  EXPECT_EQ(fe->volume.location, "s3://bucket/prefix");
  EXPECT_EQ(fe->volume.endpoint, "https://127.0.0.1:7480");
  EXPECT_EQ(fe->volume.region, "us-west-2");
  EXPECT_EQ(fe->volume.secret_key.Reveal(), "verysecret");
  EXPECT_EQ(fmt::format("{}", fe->volume.secret_key), "***");
  EXPECT_EQ(fe->cluster_name, "prod");
  EXPECT_EQ(fe->automated_cluster_snapshot_interval_seconds, 1800);
}

TEST(FeConfigTest, ShownConfigLeavesCredentialsOut) {
  auto fe = Parse("cloud_native_storage_type = S3\naws_s3_path = b/p\naws_s3_endpoint = http://127.0.0.1:7480\n"
                  "aws_s3_access_key = AKIAEXAMPLE\naws_s3_secret_key = verysecret\n");
  ASSERT_TRUE(fe.ok()) << fe.status().ToString();
  std::string all;
  for (const auto& [k, v] : FeConfigEntries(*fe)) all += k + "=" + v + "\n";
  EXPECT_NE(all.find("query_port=9030"), std::string::npos) << all;
  EXPECT_NE(all.find("aws_s3_path=b/p"), std::string::npos) << all;
  EXPECT_EQ(all.find("verysecret"), std::string::npos) << all;
  EXPECT_EQ(all.find("AKIAEXAMPLE"), std::string::npos) << all;
}

TEST(FeConfigTest, OnlyRuntimeKeysMayBeSetWhileRunning) {
  EXPECT_TRUE(CheckRuntimeFeConfig("automated_cluster_snapshot_interval_seconds", "60").ok());
  EXPECT_EQ(CheckRuntimeFeConfig("automated_cluster_snapshot_interval_seconds", "0").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRuntimeFeConfig("automated_cluster_snapshot_interval_seconds", "ten").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRuntimeFeConfig("query_port", "9031").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckRuntimeFeConfig("no_such_config", "1").code(), StatusCode::kInvalidArgument);
}

TEST(FeConfigTest, UnknownKeyNamesTheKeyAndLine) {
  auto fe = Parse("http_port = 8030\nhttp_prot = 1\n");
  ASSERT_FALSE(fe.ok());
  EXPECT_EQ(fe.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(fe.status().message().find("fe.conf:2"), std::string::npos) << fe.status().message();
  EXPECT_NE(fe.status().message().find("http_prot"), std::string::npos);
}

TEST(FeConfigTest, BadValuesAreRejected) {
  EXPECT_FALSE(Parse("http_port = 70000").ok());
  EXPECT_FALSE(Parse("http_port = abc").ok());
  EXPECT_FALSE(Parse("run_mode = shared_nothing").ok());
  EXPECT_FALSE(Parse("cloud_native_storage_type = HDFS").ok());
  EXPECT_FALSE(Parse("sys_log_level = LOUD").ok());
  EXPECT_FALSE(Parse("meta_poll_ms = 5000\nmeta_lease_ms = 3000").ok());
  EXPECT_FALSE(Parse("aws_s3_use_instance_profile = true\ncloud_native_storage_type = S3").ok());
}

TEST(FeConfigTest, S3NeedsPathEndpointAndKeys) {
  auto no_path = Parse("cloud_native_storage_type = S3\naws_s3_endpoint = http://x:1");
  EXPECT_NE(no_path.status().message().find("aws_s3_path"), std::string::npos);
  auto no_keys = Parse("cloud_native_storage_type = S3\naws_s3_endpoint = http://x:1\naws_s3_path = b\n"
                       "aws_s3_secret_key = topsecret");
  ASSERT_FALSE(no_keys.ok());
  EXPECT_NE(no_keys.status().message().find("aws_s3_access_key"), std::string::npos);
  EXPECT_EQ(no_keys.status().message().find("topsecret"), std::string::npos);
}

TEST(FeConfigTest, BindAddressIsSeparateFromTheAdvertisedHost) {
  auto unset = Parse("host = fe-0.strata-fe.ns.svc.cluster.local\n");
  ASSERT_TRUE(unset.ok()) << unset.status().ToString();
  EXPECT_EQ(unset->bind_address, "");
  EXPECT_EQ(unset->BindAddress(), "fe-0.strata-fe.ns.svc.cluster.local") << "unset: bind host, as before";

  auto any = Parse("host = fe-0.strata-fe.ns.svc.cluster.local\nbind_address = 0.0.0.0\n");
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any->BindAddress(), "0.0.0.0");
  EXPECT_EQ(any->host, "fe-0.strata-fe.ns.svc.cluster.local") << "host is still what the FE advertises";
  bool shown = false;
  for (const auto& [key, value] : FeConfigEntries(*any)) shown |= key == "bind_address" && value == "0.0.0.0";
  EXPECT_TRUE(shown);

  for (const char* bad : {"bind_address = fe-0.example\n", "bind_address =\n", "bind_address = 256.0.0.1\n",
                          "bind_address = ::\n", "bind_address = 0.0.0.0:9030\n"}) {
    auto fe = Parse(bad);
    ASSERT_FALSE(fe.ok()) << bad;
    EXPECT_EQ(fe.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(fe.status().message().find("bind_address"), std::string::npos) << fe.status().ToString();
  }
}

TEST(FeConfigTest, PriorityNetworks) {
  auto lo = PickPriorityAddress("10.255.255.0/24; 127.0.0.0/8");
  ASSERT_TRUE(lo.ok()) << lo.status().ToString();
  EXPECT_EQ(*lo, "127.0.0.1");
  EXPECT_EQ(PickPriorityAddress("10.255.255.0/24").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(PickPriorityAddress("not-an-ip/8").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PickPriorityAddress("127.0.0.1/40").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::server

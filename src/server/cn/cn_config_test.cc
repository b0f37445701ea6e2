#include "server/cn/cn_config.h"

#include <gtest/gtest.h>

namespace strata::server::cn {
namespace {

Result<CnConfig> Parse(std::string_view text) {
  auto config = Config::Parse(text, "cn.conf", CnConfigKeys());
  if (!config.ok()) return config.status();
  return CnConfigFromConfig(*config);
}

TEST(CnConfigTest, DefaultsAndStarRocksKeys) {
  auto cn = Parse("fe_address = 127.0.0.1:9020\n");
  ASSERT_TRUE(cn.ok()) << cn.status().ToString();
  EXPECT_EQ(cn->heartbeat_service_port, 9050);
  EXPECT_EQ(cn->rpc_port, 9060);
  EXPECT_EQ(cn->http_port, 8040);
  EXPECT_EQ(cn->host, "127.0.0.1");
  EXPECT_EQ(cn->CacheDir(), "storage/cache");
  EXPECT_EQ(cn->heartbeat_interval_ms, 1000);

  cn = Parse(
      "heartbeat_service_port = 19050\nbe_port = 19060\nbe_http_port = 18040\nbrpc_port = 18060\n"
      "fe_address = fe1:9020, fe2:9020 ,fe1:9020\nstorage_root_path = /data1,medium:SSD;/data2\n"
      "cache_capacity_bytes = 1048576\nheartbeat_interval_ms = 200\nsys_log_level = WARN\n");
  ASSERT_TRUE(cn.ok()) << cn.status().ToString();
  EXPECT_EQ(cn->rpc_port, 19060);
  EXPECT_EQ(cn->fe_addresses, (std::vector<std::string>{"fe1:9020", "fe2:9020"}));
  EXPECT_EQ(cn->storage_root_path, "/data1");
  EXPECT_EQ(cn->CacheDir(), "/data1/cache");
  EXPECT_EQ(cn->cache_capacity_bytes, 1048576u);

  cn = Parse("fe_address = a:1\nrpc_port = 7000\ncache_dir = /c\n");
  ASSERT_TRUE(cn.ok()) << cn.status().ToString();
  EXPECT_EQ(cn->rpc_port, 7000);
  EXPECT_EQ(cn->CacheDir(), "/c");
}

TEST(CnConfigTest, BindAddressIsSeparateFromTheAdvertisedHost) {
  auto unset = Parse("fe_address = a:1\nhost = cn-0.strata-cn.ns.svc.cluster.local\n");
  ASSERT_TRUE(unset.ok()) << unset.status().ToString();
  EXPECT_EQ(unset->BindAddress(), "cn-0.strata-cn.ns.svc.cluster.local") << "unset: bind host, as before";
  auto any = Parse("fe_address = a:1\nhost = cn-0.strata-cn.ns.svc.cluster.local\nbind_address = 0.0.0.0\n");
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any->BindAddress(), "0.0.0.0");
  EXPECT_EQ(any->host, "cn-0.strata-cn.ns.svc.cluster.local") << "the identity keeps the advertised host";
}

TEST(CnConfigTest, BadValuesNameTheKey) {
  struct Case {
    const char* text;
    const char* key;
  };
  for (const Case& c : {Case{"", "fe_address"}, Case{"fe_address = nohost\n", "fe_address"},
                        Case{"fe_address = a:0\n", "fe_address"}, Case{"fe_address = :9020\n", "fe_address"},
                        Case{"fe_address = a:1\nbe_port = 70000\n", "be_port"},
                        Case{"fe_address = a:1\nbe_port = 1\nrpc_port = 2\n", "rpc_port"},
                        Case{"fe_address = a:1\nbe_port = 8040\n", "must differ"},
                        Case{"fe_address = a:1\nheartbeat_interval_ms = 0\n", "heartbeat_interval_ms"},
                        Case{"fe_address = a:1\ncache_capacity_bytes = -1\n", "cache_capacity_bytes"},
                        Case{"fe_address = a:1\nsys_log_level = LOUD\n", "sys_log_level"},
                        Case{"fe_address = a:1\nstorage_root_path = ;\n", "storage_root_path"},
                        Case{"fe_address = a:1\nbind_address = cn-0.example\n", "bind_address"},
                        Case{"fe_address = a:1\nbind_address =\n", "bind_address"},
                        Case{"fe_address = a:1\nbind_address = 1.2.3.4.5\n", "bind_address"}}) {
    auto cn = Parse(c.text);
    ASSERT_FALSE(cn.ok()) << c.text;
    EXPECT_EQ(cn.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(cn.status().message().find(c.key), std::string::npos) << c.text << " -> " << cn.status().ToString();
  }
  auto unknown = Config::Parse("fe_adress = a:1\n", "cn.conf", CnConfigKeys());
  EXPECT_FALSE(unknown.ok()) << "a typo is an error";
}

}  // namespace
}  // namespace strata::server::cn

#include "objstore/metrics/metrics_object_store.h"

#include <gtest/gtest.h>

#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

TEST(MetricsObjectStore, CountsCallsErrorsAndBytes) {
  MetricsRegistry registry;
  MetricsObjectStore store(std::make_shared<MemObjectStore>(), &registry);
  ASSERT_TRUE(store.Put("a", "12345").ok());
  ASSERT_TRUE(store.Get("a").ok());
  EXPECT_FALSE(store.Get("missing").ok());
  ASSERT_TRUE(PutMultipart(store, "m", std::string(kMultipartPartMinBytes + 3, 'x'), kMultipartPartMinBytes).ok());

  EXPECT_EQ(registry.GetCounter("strata_objstore_requests_total", "backend=\"mem\",op=\"put\"").Value(), 1u);
  EXPECT_EQ(registry.GetCounter("strata_objstore_requests_total", "backend=\"mem\",op=\"get\"").Value(), 2u);
  EXPECT_EQ(registry.GetCounter("strata_objstore_errors_total", "backend=\"mem\",op=\"get\",code=\"NotFound\"")
                .Value(),
            1u);
  EXPECT_EQ(registry.GetCounter("strata_objstore_requests_total", "backend=\"mem\",op=\"multipart_part\"").Value(),
            2u);
  EXPECT_EQ(registry.GetCounter("strata_objstore_written_bytes_total", "backend=\"mem\"").Value(),
            5u + kMultipartPartMinBytes + 3);
  EXPECT_EQ(registry.GetCounter("strata_objstore_read_bytes_total", "backend=\"mem\"").Value(), 5u);
  EXPECT_EQ(registry.GetHistogram("strata_objstore_request_seconds", "backend=\"mem\",op=\"get\"").Count(), 2u);

  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE strata_objstore_request_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("strata_objstore_requests_total{backend=\"mem\",op=\"put\"} 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace strata::objstore

#include "common/metrics.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace strata {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(CounterTest, AddsOneOrN) {
  Counter c;
  EXPECT_EQ(c.Value(), 0u);
  c.Add();
  c.Add(41);
  EXPECT_EQ(c.Value(), 42u);
}

TEST(CounterTest, ConcurrentAddsAreNotLost) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Add();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.Value(), 40000u);
}

TEST(LatencyHistogramTest, BucketBoundariesAreInclusiveUpperBounds) {
  LatencyHistogram h;
  h.Observe(0);         // bucket 0 (<= 100)
  h.Observe(100);       // bucket 0: the bound is inclusive ("le")
  h.Observe(101);       // bucket 1 (<= 250)
  h.Observe(250);       // bucket 1
  h.Observe(1000);      // bucket 3 (<= 1000)
  h.Observe(60000000);  // bucket 13, the last finite one (<= 60 s)
  h.Observe(60000001);  // +Inf
  EXPECT_EQ(h.Count(), 7u);
  EXPECT_EQ(h.SumMicros(), 0u + 100 + 101 + 250 + 1000 + 60000000 + 60000001);
  EXPECT_EQ(h.BucketCount(0), 2u);
  EXPECT_EQ(h.BucketCount(1), 2u);
  EXPECT_EQ(h.BucketCount(2), 0u);
  EXPECT_EQ(h.BucketCount(3), 1u);
  EXPECT_EQ(h.BucketCount(13), 1u);
  EXPECT_EQ(h.BucketCount(LatencyHistogram::kBucketUpperUs.size()), 1u);
  uint64_t total = 0;
  for (size_t i = 0; i <= LatencyHistogram::kBucketUpperUs.size(); ++i) total += h.BucketCount(i);
  EXPECT_EQ(total, h.Count());
}

TEST(LatencyHistogramTest, BucketBoundsIncrease) {
  const auto& b = LatencyHistogram::kBucketUpperUs;
  EXPECT_EQ(b.front(), 100u);
  EXPECT_EQ(b.back(), 60000000u);
  for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
}

TEST(MetricsRegistryTest, SameNameAndLabelsIsSameInstrument) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("strata_test_ops_total", "op=\"put\"");
  Counter& b = r.GetCounter("strata_test_ops_total", "op=\"put\"");
  Counter& c = r.GetCounter("strata_test_ops_total", "op=\"get\"");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  LatencyHistogram& h1 = r.GetHistogram("strata_test_latency_seconds");
  LatencyHistogram& h2 = r.GetHistogram("strata_test_latency_seconds");
  EXPECT_EQ(&h1, &h2);
}

TEST(MetricsRegistryTest, GlobalIsASingleton) {
  EXPECT_EQ(&MetricsRegistry::Global(), &MetricsRegistry::Global());
  // The global registry lives as long as the process (and so across --gtest_repeat): compare deltas.
  Counter& c = MetricsRegistry::Global().GetCounter("strata_test_global_total");
  const uint64_t before = c.Value();
  c.Add(3);
  EXPECT_EQ(MetricsRegistry::Global().GetCounter("strata_test_global_total").Value(), before + 3);
}

TEST(MetricsRegistryTest, EmptyRegistryRendersNothing) {
  MetricsRegistry r;
  EXPECT_EQ(r.RenderPrometheus(), "");
}

TEST(MetricsRegistryTest, RendersCountersWithOneTypeLinePerName) {
  MetricsRegistry r;
  r.GetCounter("strata_objstore_requests_total", "op=\"put\",backend=\"s3\"").Add(5);
  r.GetCounter("strata_objstore_requests_total", "op=\"get\",backend=\"s3\"").Add(2);
  r.GetCounter("strata_meta_commits_total").Add(1);
  EXPECT_EQ(r.RenderPrometheus(),
            "# TYPE strata_meta_commits_total counter\n"
            "strata_meta_commits_total 1\n"
            "# TYPE strata_objstore_requests_total counter\n"
            "strata_objstore_requests_total{op=\"get\",backend=\"s3\"} 2\n"
            "strata_objstore_requests_total{op=\"put\",backend=\"s3\"} 5\n");
}

TEST(MetricsRegistryTest, RendersHistogramInSecondsWithCumulativeBuckets) {
  MetricsRegistry r;
  LatencyHistogram& h = r.GetHistogram("strata_objstore_latency_seconds", "op=\"get\"");
  h.Observe(50);        // 0.00005 s
  h.Observe(300);       // <= 500 us
  h.Observe(2000000);   // 2 s, <= 10 s
  h.Observe(90000000);  // 90 s, +Inf
  std::vector<std::string> lines = Lines(r.RenderPrometheus());
  const std::string n = "strata_objstore_latency_seconds";
  const std::vector<std::string> want = {
      "# TYPE " + n + " histogram",
      n + "_bucket{op=\"get\",le=\"0.0001\"} 1",
      n + "_bucket{op=\"get\",le=\"0.00025\"} 1",
      n + "_bucket{op=\"get\",le=\"0.0005\"} 2",
      n + "_bucket{op=\"get\",le=\"0.001\"} 2",
      n + "_bucket{op=\"get\",le=\"0.0025\"} 2",
      n + "_bucket{op=\"get\",le=\"0.005\"} 2",
      n + "_bucket{op=\"get\",le=\"0.01\"} 2",
      n + "_bucket{op=\"get\",le=\"0.025\"} 2",
      n + "_bucket{op=\"get\",le=\"0.05\"} 2",
      n + "_bucket{op=\"get\",le=\"0.1\"} 2",
      n + "_bucket{op=\"get\",le=\"0.25\"} 2",
      n + "_bucket{op=\"get\",le=\"1\"} 2",
      n + "_bucket{op=\"get\",le=\"10\"} 3",
      n + "_bucket{op=\"get\",le=\"60\"} 3",
      n + "_bucket{op=\"get\",le=\"+Inf\"} 4",
      n + "_sum{op=\"get\"} 92.00035",
      n + "_count{op=\"get\"} 4",
  };
  EXPECT_EQ(lines, want);
}

TEST(MetricsRegistryTest, RendersUnlabelledHistogramAndCountersFirst) {
  MetricsRegistry r;
  r.GetHistogram("strata_a_seconds").Observe(1000);
  r.GetCounter("strata_z_total").Add(7);
  std::vector<std::string> lines = Lines(r.RenderPrometheus());
  ASSERT_EQ(lines.size(), 2u + 1 + 15 + 2);
  EXPECT_EQ(lines[0], "# TYPE strata_z_total counter");
  EXPECT_EQ(lines[1], "strata_z_total 7");
  EXPECT_EQ(lines[2], "# TYPE strata_a_seconds histogram");
  EXPECT_EQ(lines[3], "strata_a_seconds_bucket{le=\"0.0001\"} 0");
  EXPECT_EQ(lines[6], "strata_a_seconds_bucket{le=\"0.001\"} 1");
  EXPECT_EQ(lines[17], "strata_a_seconds_bucket{le=\"+Inf\"} 1");
  EXPECT_EQ(lines[18], "strata_a_seconds_sum 0.001");
  EXPECT_EQ(lines[19], "strata_a_seconds_count 1");
}

TEST(MetricsRegistryTest, EveryRenderedSampleLineIsWellFormed) {
  MetricsRegistry r;
  r.GetCounter("strata_x_total", "a=\"1\"").Add();
  r.GetHistogram("strata_y_seconds", "b=\"2\"").Observe(12345);
  for (const std::string& line : Lines(r.RenderPrometheus())) {
    SCOPED_TRACE(line);
    if (line.starts_with("# TYPE ")) continue;
    // name{labels} value — exactly one space, before the value.
    size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos);
    EXPECT_EQ(line.find(' ', space + 1), std::string::npos);
    EXPECT_TRUE(line.starts_with("strata_"));
    std::string value = line.substr(space + 1);
    EXPECT_NO_THROW((void)std::stod(value));
  }
}

}  // namespace
}  // namespace strata

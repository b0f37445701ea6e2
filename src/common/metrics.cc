#include "common/metrics.h"

#include <fmt/format.h>

namespace strata {

void LatencyHistogram::Observe(uint64_t micros) {
  size_t i = 0;
  while (i < kBucketUpperUs.size() && micros > kBucketUpperUs[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(micros, std::memory_order_relaxed);
}

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry* registry = new MetricsRegistry();  // never destroyed
  return *registry;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto& slot = counters_[{std::string(name), std::string(labels)}];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

LatencyHistogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto& slot = histograms_[{std::string(name), std::string(labels)}];
  if (!slot) slot = std::make_unique<LatencyHistogram>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto& slot = gauges_[{std::string(name), std::string(labels)}];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

namespace {
std::string Braced(const std::string& labels) { return labels.empty() ? "" : "{" + labels + "}"; }
std::string WithLe(const std::string& labels, const std::string& le) {
  return "{" + (labels.empty() ? "" : labels + ",") + "le=\"" + le + "\"}";
}
}  // namespace

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::string last_name;
  for (const auto& [key, counter] : counters_) {
    if (key.first != last_name) out += fmt::format("# TYPE {} counter\n", key.first);
    last_name = key.first;
    out += fmt::format("{}{} {}\n", key.first, Braced(key.second), counter->Value());
  }
  last_name.clear();
  for (const auto& [key, g] : gauges_) {
    if (key.first != last_name) out += fmt::format("# TYPE {} gauge\n", key.first);
    last_name = key.first;
    out += fmt::format("{}{} {}\n", key.first, Braced(key.second), g->Value());
  }
  last_name.clear();
  for (const auto& [key, h] : histograms_) {
    // Durations are exported in seconds, as Prometheus expects.
    if (key.first != last_name) out += fmt::format("# TYPE {} histogram\n", key.first);
    last_name = key.first;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < LatencyHistogram::kBucketUpperUs.size(); ++i) {
      cumulative += h->BucketCount(i);
      out += fmt::format("{}_bucket{} {}\n", key.first,
                         WithLe(key.second, fmt::format("{}", LatencyHistogram::kBucketUpperUs[i] / 1e6)), cumulative);
    }
    cumulative += h->BucketCount(LatencyHistogram::kBucketUpperUs.size());
    out += fmt::format("{}_bucket{} {}\n", key.first, WithLe(key.second, "+Inf"), cumulative);
    out += fmt::format("{}_sum{} {}\n", key.first, Braced(key.second), h->SumMicros() / 1e6);
    out += fmt::format("{}_count{} {}\n", key.first, Braced(key.second), h->Count());
  }
  return out;
}

}  // namespace strata

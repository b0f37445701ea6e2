// Metrics: counters and latency histograms, exposed in the Prometheus text
// format (served by the FE/CN HTTP endpoints at /metrics).
//
// Metric names are `strata_<module>_<what>_<unit>`; labels are fixed at
// registration. Instruments are created once and live as long as the
// registry; the hot path is a relaxed atomic add.
//
// Thread-safety: everything here may be used from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace strata {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (sizes, ages, timestamps).
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A histogram of durations in microseconds over fixed, roughly exponential
// buckets from 100 µs to 60 s.
class LatencyHistogram {
 public:
  static constexpr std::array<uint64_t, 14> kBucketUpperUs = {
      100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 10000000, 60000000};
  void Observe(uint64_t micros);
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t SumMicros() const { return sum_us_.load(std::memory_order_relaxed); }
  uint64_t BucketCount(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBucketUpperUs.size() + 1> buckets_{};  // last = +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

class MetricsRegistry {
 public:
  // The process-wide registry.
  static MetricsRegistry& Global();

  // Returns the instrument for (name, labels), creating it on first use.
  // `labels` is the rendered label set, e.g. `op="put",backend="s3"`.
  Counter& GetCounter(std::string_view name, std::string_view labels = {});
  LatencyHistogram& GetHistogram(std::string_view name, std::string_view labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view labels = {});

  // Prometheus text exposition of every instrument.
  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Counter>> counters_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<LatencyHistogram>> histograms_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Gauge>> gauges_;
};

}  // namespace strata

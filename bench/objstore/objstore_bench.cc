// objstore_bench: PUT and GET latency (p50, p99) and throughput of Strata's
// object-store client for chosen object sizes, against any volume location.
// bench/objstore/run.sh runs it side by side with a reference client (boto3)
// on the same S3 server; results go to bench/results/.
//
//   objstore_bench --location s3://bucket/prefix --endpoint http://127.0.0.1:7480
//       --sizes 4096,16777216 --count 200,10
//   objstore_bench --location file:///tmp/vol            (the embedded default)
// Credentials come from STRATA_BENCH_ACCESS_KEY / STRATA_BENCH_SECRET_KEY.
// Output: one JSON object per (op, size) on stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "objstore/open_object_store.h"

namespace strata::objstore {
namespace {

struct Args {
  VolumeSpec spec;
  std::vector<uint64_t> sizes = {4096, 16ull << 20};
  std::vector<int> counts = {200, 10};
  std::string label = "strata";
};

std::vector<uint64_t> SplitNumbers(const std::string& s) {
  std::vector<uint64_t> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    out.push_back(std::stoull(s.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Args ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--location") {
      args.spec.location = value();
    } else if (flag == "--endpoint") {
      args.spec.endpoint = value();
    } else if (flag == "--region") {
      args.spec.region = value();
    } else if (flag == "--sizes") {
      args.sizes = SplitNumbers(value());
    } else if (flag == "--count") {
      args.counts.clear();
      for (uint64_t n : SplitNumbers(value())) args.counts.push_back(static_cast<int>(n));
    } else if (flag == "--label") {
      args.label = value();
    } else {
      std::fprintf(stderr, "unknown flag %s (see the comment at the top of objstore_bench.cc)\n", flag.c_str());
      std::exit(2);
    }
  }
  if (const char* a = std::getenv("STRATA_BENCH_ACCESS_KEY")) args.spec.access_key = Secret(a);
  if (const char* s = std::getenv("STRATA_BENCH_SECRET_KEY")) args.spec.secret_key = Secret(s);
  if (args.spec.location.empty() || args.sizes.size() != args.counts.size()) {
    std::fprintf(stderr, "need --location, and as many --count values as --sizes\n");
    std::exit(2);
  }
  return args;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void Report(const Args& args, const char* op, uint64_t size, const std::vector<double>& ms, double total_s) {
  double mib = static_cast<double>(size) * ms.size() / (1 << 20);
  std::printf("%s\n", fmt::format("{{\"client\":\"{}\",\"op\":\"{}\",\"size_bytes\":{},\"count\":{},"
                                  "\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"ops_per_s\":{:.1f},\"mib_per_s\":{:.1f}}}",
                                  args.label, op, size, ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.99),
                                  ms.size() / total_s, mib / total_s)
                          .c_str());
  std::fflush(stdout);
}

int Run(const Args& args) {
  Result<std::shared_ptr<ObjectStore>> opened = OpenObjectStore(args.spec);
  if (!opened.ok()) {
    std::fprintf(stderr, "objstore_bench: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  ObjectStore& store = **opened;
  std::mt19937_64 rng(7);
  using Clock = std::chrono::steady_clock;
  for (size_t s = 0; s < args.sizes.size(); ++s) {
    uint64_t size = args.sizes[s];
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::vector<double> put_ms, get_ms;
    std::vector<std::string> keys;
    auto run_start = Clock::now();
    for (int i = 0; i < args.counts[s]; ++i) {
      keys.push_back(fmt::format("bench/{}/{}/{}", args.label, size, i));
      auto t0 = Clock::now();
      Status st = store.Put(keys.back(), data);
      put_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!st.ok()) {
        std::fprintf(stderr, "objstore_bench: put: %s\n", st.ToString().c_str());
        return 1;
      }
    }
    Report(args, "put", size, put_ms, std::chrono::duration<double>(Clock::now() - run_start).count());
    run_start = Clock::now();
    for (const auto& key : keys) {
      auto t0 = Clock::now();
      Result<std::string> got = store.Get(key);
      get_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!got.ok() || got->size() != size) {
        std::fprintf(stderr, "objstore_bench: get %s: %s\n", key.c_str(), got.status().ToString().c_str());
        return 1;
      }
    }
    Report(args, "get", size, get_ms, std::chrono::duration<double>(Clock::now() - run_start).count());
    for (size_t i = 0; i < keys.size(); i += kDeleteBatchMax) {
      std::vector<std::string> batch(keys.begin() + i, keys.begin() + std::min(keys.size(), i + kDeleteBatchMax));
      (void)store.DeleteBatch(batch);
    }
  }
  return 0;
}

}  // namespace
}  // namespace strata::objstore

int main(int argc, char** argv) { return strata::objstore::Run(strata::objstore::ParseArgs(argc, argv)); }

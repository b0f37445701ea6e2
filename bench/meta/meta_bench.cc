// meta_bench: benchmarks of the metadata service (docs/design/meta.md) on any
// volume location. bench/meta/run.sh runs it on a real S3 server (Ceph RGW on
// 127.0.0.1) and on a local directory; results go to bench/results/meta.md.
//
//   meta_bench append  --location L [--count 200] [--changes 64]
//       raw MetaLog::Append (one put-if-absent) latency for a batch of N
//       create_database changes: the floor under every commit.
//   meta_bench commit  --location L [--writers 1,8,64] [--duration-s 10]
//       one in-process MetaService (the leader); W threads Submit
//       create_database changes with unique names for a fixed duration:
//       commits/s, log entries (batches)/s, commit latency p50/p99.
//   meta_bench catalog --location L [--tablets 1000,10000,100000] [--tail 100] [--repeat 3]
//       builds a catalog of N tablets through the service (create_table:
//       partitions x buckets), checkpoints it, appends a tail of create_database
//       entries, then measures image encode/write/read/decode and
//       MetaService::Start on that volume (no cache, and a warm meta_dir).
//       The volume is left in place for the FE process test (fe_start.py).
//
// Common flags: --endpoint URL --region R (S3), --backend NAME (a label),
// --tag T (names the sub-locations: L/<tag>-<bench>-<n>); commit also takes
// --checkpoint-entries N (default 1000, the service's default; 0: no checkpoints).
// A location is an absolute directory (the local backend) or s3://bucket/prefix.
// Credentials come from STRATA_BENCH_ACCESS_KEY / STRATA_BENCH_SECRET_KEY.
// Output: one JSON object per measurement on stdout.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/logging.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"
#include "meta/log/image_store.h"
#include "meta/log/lineage.h"
#include "meta/log/meta_log.h"
#include "meta/service/meta_service.h"
#include "objstore/open_object_store.h"

namespace strata::meta {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kClusterName = "bench";
constexpr const char* kFeName = "127.0.0.1:1";

struct Args {
  std::string mode;
  objstore::VolumeSpec spec;
  std::string backend = "local";
  std::string tag;
  std::vector<uint64_t> writers = {1, 8, 64};
  double duration_s = 10;
  int count = 200;
  int changes = 64;
  std::vector<uint64_t> tablets = {1000, 10000, 100000};
  int tail = 100;
  int repeat = 3;
  int64_t checkpoint_entries = 1000;  // commit: MetaServiceOptions::checkpoint_entries (the default)
  uint32_t partitions = 10;  // per table
  uint32_t buckets = 10;     // per partition
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "meta_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

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
  if (argc < 2) Die("usage: meta_bench append|commit|catalog --location L ... (see meta_bench.cc)");
  args.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--location") args.spec.location = value();
    else if (flag == "--endpoint") args.spec.endpoint = value();
    else if (flag == "--region") args.spec.region = value();
    else if (flag == "--backend") args.backend = value();
    else if (flag == "--tag") args.tag = value();
    else if (flag == "--writers") args.writers = SplitNumbers(value());
    else if (flag == "--duration-s") args.duration_s = std::stod(value());
    else if (flag == "--count") args.count = std::stoi(value());
    else if (flag == "--changes") args.changes = std::stoi(value());
    else if (flag == "--tablets") args.tablets = SplitNumbers(value());
    else if (flag == "--tail") args.tail = std::stoi(value());
    else if (flag == "--repeat") args.repeat = std::stoi(value());
    else if (flag == "--checkpoint-entries") args.checkpoint_entries = std::stoll(value());
    else if (flag == "--partitions") args.partitions = static_cast<uint32_t>(std::stoul(value()));
    else if (flag == "--buckets") args.buckets = static_cast<uint32_t>(std::stoul(value()));
    else Die("unknown flag " + flag + " (see the comment at the top of meta_bench.cc)");
  }
  if (const char* a = std::getenv("STRATA_BENCH_ACCESS_KEY")) args.spec.access_key = Secret(a);
  if (const char* s = std::getenv("STRATA_BENCH_SECRET_KEY")) args.spec.secret_key = Secret(s);
  if (args.spec.location.empty()) Die("need --location");
  if (args.tag.empty()) {
    args.tag = fmt::format("{}", std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
  return args;
}

bool IsS3(const std::string& location) { return location.starts_with("s3://"); }

// L/<tag>-<name>: a fresh, empty volume per measurement.
std::string SubLocation(const Args& args, const std::string& name) {
  std::string sub = args.tag + "-" + name;
  if (IsS3(args.spec.location)) {
    std::string base = args.spec.location;
    while (base.ends_with("/")) base.pop_back();
    return base + "/" + sub;
  }
  fs::path dir = fs::path(args.spec.location) / sub;
  fs::create_directories(dir);
  return dir.string();
}

std::shared_ptr<objstore::ObjectStore> Open(const Args& args, const std::string& location) {
  objstore::VolumeSpec spec = args.spec;
  spec.location = location;
  Result<std::shared_ptr<objstore::ObjectStore>> opened = objstore::OpenObjectStore(spec);
  if (!opened.ok()) Die("open " + location + ": " + opened.status().ToString());
  return std::move(opened).value();
}

double Ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

void Emit(const std::string& json) {
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
}

std::unique_ptr<MetaService> StartLeader(std::shared_ptr<objstore::ObjectStore> store, int64_t checkpoint_entries) {
  MetaServiceOptions o;
  o.store = std::move(store);
  o.cluster_name = kClusterName;
  o.fe_name = kFeName;
  o.checkpoint_entries = checkpoint_entries;
  Result<std::unique_ptr<MetaService>> started = MetaService::Start(std::move(o));
  if (!started.ok()) Die("start: " + started.status().ToString());
  std::unique_ptr<MetaService> service = std::move(started).value();
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!service->IsLeader()) {
    if (Clock::now() > deadline) Die("the service did not become leader within 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return service;
}

Change CreateDb(std::string name) { return Change{.body = CreateDatabase{.name = std::move(name)}}; }

// ------------------------------------------------------------------ append
int RunAppend(const Args& args) {
  std::string location = SubLocation(args, "append");
  auto store = Open(args, location);
  MetaLog log(store, "append-bench");
  Batch batch{.writer_fe = kFeName, .writer_term = 1, .nonce = 1, .commit_time_ms = 1};
  for (int i = 0; i < args.changes; ++i) batch.changes.push_back(CreateDb(fmt::format("db_{:08d}", i)));
  std::vector<double> append_ms, read_ms;
  std::string payload = EncodeBatch(batch);
  for (int i = 0; i < args.count; ++i) {
    batch.nonce = static_cast<uint64_t>(i) + 1;
    payload = EncodeBatch(batch);
    auto t0 = Clock::now();
    Check(log.Append(static_cast<uint64_t>(i) + 1, payload), "append");
    append_ms.push_back(Ms(t0));
  }
  for (int i = 0; i < args.count; ++i) {
    auto t0 = Clock::now();
    Result<std::string> got = log.Read(static_cast<uint64_t>(i) + 1);
    read_ms.push_back(Ms(t0));
    if (!got.ok()) Die("read: " + got.status().ToString());
  }
  // Encode cost of one batch, for the analysis.
  auto t0 = Clock::now();
  constexpr int kEncodes = 1000;
  size_t bytes = 0;
  for (int i = 0; i < kEncodes; ++i) bytes += EncodeBatch(batch).size();
  double encode_us = Ms(t0) * 1000 / kEncodes;
  Emit(fmt::format("{{\"bench\":\"append\",\"backend\":\"{}\",\"changes\":{},\"bytes\":{},\"count\":{},"
                   "\"append_p50_ms\":{:.3f},\"append_p99_ms\":{:.3f},\"read_p50_ms\":{:.3f},\"read_p99_ms\":{:.3f},"
                   "\"encode_us\":{:.1f}}}",
                   args.backend, args.changes, bytes / kEncodes, args.count, Percentile(append_ms, 0.5),
                   Percentile(append_ms, 0.99), Percentile(read_ms, 0.5), Percentile(read_ms, 0.99), encode_us));
  return 0;
}

// ------------------------------------------------------------------ commit
int RunCommit(const Args& args) {
  for (uint64_t writers : args.writers) {
    std::string location = SubLocation(args, fmt::format("commit-w{}-c{}", writers, args.checkpoint_entries));
    auto service = StartLeader(Open(args, location), args.checkpoint_entries);
    uint64_t v0 = service->AppliedVersion();
    std::vector<std::vector<double>> lat(writers);
    std::atomic<uint64_t> errors{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(args.duration_s));
    for (uint64_t t = 0; t < writers; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        for (uint64_t i = 0; Clock::now() < deadline; ++i) {
          auto t0 = Clock::now();
          Result<CommitResult> r = service->Submit(CreateDb(fmt::format("w{}_{}_{}", writers, t, i)));
          lat[t].push_back(Ms(t0));
          if (!r.ok()) {
            if (errors.fetch_add(1) < 3) std::fprintf(stderr, "submit: %s\n", r.status().ToString().c_str());
          }
        }
      });
    }
    start = Clock::now();
    go.store(true);
    for (auto& th : threads) th.join();
    double elapsed_s = Ms(start) / 1000;
    uint64_t entries = service->AppliedVersion() - v0;
    size_t databases = service->Read([](const Catalog& c) { return c.state().databases.size(); });
    service->Stop();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    double commits = static_cast<double>(all.size());
    Emit(fmt::format("{{\"bench\":\"commit\",\"backend\":\"{}\",\"checkpoint_entries\":{},\"writers\":{},\"seconds\":{:.2f},\"commits\":{},"
                     "\"errors\":{},\"entries\":{},\"databases\":{},\"commits_per_s\":{:.1f},\"entries_per_s\":{:.1f},"
                     "\"changes_per_entry\":{:.2f},\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f}}}",
                     args.backend, args.checkpoint_entries, writers, elapsed_s, all.size(), errors.load(), entries, databases,
                     commits / elapsed_s, entries / elapsed_s, entries ? commits / entries : 0.0,
                     Percentile(all, 0.5), Percentile(all, 0.99), Percentile(all, 1.0)));
  }
  return 0;
}

// ------------------------------------------------------------------ catalog
CreateTable MakeTable(const std::string& name, uint32_t partitions, uint32_t buckets) {
  CreateTable t{.db = "db", .name = name};
  t.columns = {ColumnDef{.name = "k", .type = "BIGINT", .nullable = false, .is_key = true},
               ColumnDef{.name = "dt", .type = "DATE", .is_key = true},
               ColumnDef{.name = "v", .type = "VARCHAR(64)", .default_value = "x"}};
  t.partition_columns = {"k"};
  t.distribution_columns = {"k"};
  t.bucket_count = buckets;
  t.properties = {{"replication_num", "1"}};
  for (uint32_t i = 0; i < partitions; ++i) {
    t.partitions.push_back(PartitionDef{.name = "p" + std::to_string(i),
                                        .lower = {std::to_string(i * 100)},
                                        .upper = {std::to_string((i + 1) * 100)}});
  }
  return t;
}

struct Built {
  std::string location;
  std::string cluster_id;
  uint64_t image_version = 0;
  uint64_t last_version = 0;
  size_t tablets = 0;
  double build_s = 0;
};

Built BuildCatalog(const Args& args, uint64_t tablets) {
  Built b;
  b.location = SubLocation(args, fmt::format("catalog-{}", tablets));
  auto t0 = Clock::now();
  auto service = StartLeader(Open(args, b.location), /*checkpoint_entries=*/0);
  Check(service->Submit(CreateDb("db")).status(), "create db");
  uint64_t per_table = static_cast<uint64_t>(args.partitions) * args.buckets;
  uint64_t tables = (tablets + per_table - 1) / per_table;
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (uint64_t i = next++; i < tables; i = next++) {
        Result<CommitResult> r =
            service->Submit(Change{.body = MakeTable(fmt::format("t{:06d}", i), args.partitions, args.buckets)});
        Check(r.status(), "create table");
      }
    });
  }
  for (auto& th : threads) th.join();
  Result<uint64_t> image = service->Checkpoint();
  Check(image.status(), "checkpoint");
  b.image_version = *image;
  for (int i = 0; i < args.tail; ++i) Check(service->Submit(CreateDb(fmt::format("tail_{}", i))).status(), "tail");
  b.last_version = service->AppliedVersion();
  b.tablets = service->Read([](const Catalog& c) { return c.state().tablets.size(); });
  b.cluster_id = service->ClusterId();
  service->Stop();
  b.build_s = Ms(t0) / 1000;
  return b;
}

// One MetaService::Start as a follower (may_lead=false: the volume is left as it is).
double TimeStart(const Args& args, const Built& b, const std::string& cache_dir) {
  MetaServiceOptions o;
  auto t0 = Clock::now();
  o.store = Open(args, b.location);  // a new client: no connections, nothing cached
  o.cluster_name = kClusterName;
  o.fe_name = "127.0.0.1:2";
  o.cache_dir = cache_dir;
  o.may_lead = false;
  Result<std::unique_ptr<MetaService>> started = MetaService::Start(std::move(o));
  double ms = Ms(t0);
  if (!started.ok()) Die("start: " + started.status().ToString());
  if ((*started)->AppliedVersion() < b.last_version) {
    Die(fmt::format("start reached version {}, expected {}", (*started)->AppliedVersion(), b.last_version));
  }
  size_t tablets = (*started)->Read([](const Catalog& c) { return c.state().tablets.size(); });
  if (tablets != b.tablets) Die(fmt::format("start loaded {} tablets, expected {}", tablets, b.tablets));
  (*started)->Stop();
  return ms;
}

int RunCatalog(const Args& args) {
  std::string cache_root = (fs::temp_directory_path() / fmt::format("strata-meta-bench-cache-{}", args.tag)).string();
  for (uint64_t n : args.tablets) {
    Built b = BuildCatalog(args, n);
    std::fprintf(stderr, "catalog %zu tablets: built in %.1f s (image %lu, log to %lu)\n", b.tablets, b.build_s,
                 static_cast<unsigned long>(b.image_version), static_cast<unsigned long>(b.last_version));
    auto store = Open(args, b.location);
    ImageStore volume_images(store, b.cluster_id);
    Result<std::string> payload = volume_images.Read(b.image_version);
    Check(payload.status(), "read image");
    Result<Catalog> catalog = Catalog::DecodeImage(*payload);
    Check(catalog.status(), "decode image");

    // Image write / load, on a separate lineage so the volume's own image stays the only one.
    ImageStore images(store, fmt::format("image-bench-{}", n));
    std::vector<double> encode_ms, write_ms, read_ms, decode_ms;
    size_t bytes = 0;
    for (int r = 0; r < args.repeat; ++r) {
      auto t0 = Clock::now();
      std::string image = catalog->EncodeImage();
      encode_ms.push_back(Ms(t0));
      bytes = image.size();
      if (image != *payload) Die("EncodeImage is not deterministic");
      uint64_t version = b.image_version + static_cast<uint64_t>(r);
      t0 = Clock::now();
      Check(images.Write(version, image), "image write");
      write_ms.push_back(Ms(t0));
      t0 = Clock::now();
      Result<std::string> got = images.Read(version);
      read_ms.push_back(Ms(t0));
      Check(got.status(), "image read");
      t0 = Clock::now();
      Result<Catalog> decoded = Catalog::DecodeImage(*got);
      decode_ms.push_back(Ms(t0));
      Check(decoded.status(), "image decode");
    }
    Emit(fmt::format("{{\"bench\":\"image\",\"backend\":\"{}\",\"tablets\":{},\"tables\":{},\"image_bytes\":{},"
                     "\"encode_ms\":{:.2f},\"write_ms\":{:.2f},\"read_ms\":{:.2f},\"decode_ms\":{:.2f},"
                     "\"write_total_ms\":{:.2f},\"load_total_ms\":{:.2f}}}",
                     args.backend, b.tablets, catalog->state().tables.size(), bytes, Median(encode_ms),
                     Median(write_ms), Median(read_ms), Median(decode_ms), Median(encode_ms) + Median(write_ms),
                     Median(read_ms) + Median(decode_ms)));

    // Cold start: alternating no cache / warm cache.
    std::vector<double> cold_ms, warm_ms;
    for (int r = 0; r < args.repeat; ++r) {
      std::string cache = fmt::format("{}/{}-{}", cache_root, n, r);
      fs::remove_all(cache);
      cold_ms.push_back(TimeStart(args, b, cache));
      warm_ms.push_back(TimeStart(args, b, cache));
    }
    fs::remove_all(cache_root);

    // Where a cold start's time goes: the same steps as MetaService::Recover, one by one.
    auto t0 = Clock::now();
    auto fresh = Open(args, b.location);
    Result<LineagePointer> lineage = CurrentLineage(*fresh, kClusterName);
    Check(lineage.status(), "lineage");
    double lineage_ms = Ms(t0);
    ImageStore fresh_images(fresh, lineage->cluster_id);
    MetaLog fresh_log(fresh, lineage->cluster_id);
    t0 = Clock::now();
    Result<std::vector<uint64_t>> listed = fresh_images.List();
    Check(listed.status(), "list images");
    double list_ms = Ms(t0);
    t0 = Clock::now();
    Result<std::string> img = fresh_images.Read(listed->back());
    Check(img.status(), "read image");
    double img_read_ms = Ms(t0);
    t0 = Clock::now();
    Result<Catalog> cat = Catalog::DecodeImage(*img);
    Check(cat.status(), "decode");
    double img_decode_ms = Ms(t0);
    t0 = Clock::now();
    Result<uint64_t> last = fresh_log.LastVersion(listed->back() + 1);
    Check(last.status(), "last version");
    double last_ms = Ms(t0);
    t0 = Clock::now();
    uint64_t first = listed->back() + 1;
    size_t count = *last >= first ? *last - first + 1 : 0;
    std::vector<std::string> entries(count);
    std::atomic<size_t> next{0};
    std::vector<std::thread> fetchers;
    for (int t = 0; t < 8; ++t) {
      fetchers.emplace_back([&] {
        for (size_t i = next++; i < count; i = next++) {
          Result<std::string> e = fresh_log.Read(first + i);
          Check(e.status(), "read entry");
          entries[i] = std::move(e).value();
        }
      });
    }
    for (auto& f : fetchers) f.join();
    double tail_fetch_ms = Ms(t0);
    t0 = Clock::now();
    for (size_t i = 0; i < count; ++i) {
      Result<Batch> batch = DecodeBatch(entries[i]);
      Check(batch.status(), "decode entry");
      for (const Change& c : batch->changes) (void)cat->Apply(c, first + i, batch->commit_time_ms);
    }
    double tail_apply_ms = Ms(t0);
    t0 = Clock::now();
    Result<std::string> probe = fresh_log.Read(*last + 1);  // the replay's final "is there more?" read
    double probe_ms = Ms(t0);
    Emit(fmt::format("{{\"bench\":\"start\",\"backend\":\"{}\",\"tablets\":{},\"tail_entries\":{},"
                     "\"image_version\":{},\"last_version\":{},\"build_s\":{:.1f},\"location\":\"{}\","
                     "\"cold_ms\":{:.1f},\"warm_ms\":{:.1f},\"cold_runs_ms\":[{:.1f}],\"warm_runs_ms\":[{:.1f}],"
                     "\"phase_lineage_ms\":{:.2f},\"phase_list_images_ms\":{:.2f},\"phase_image_read_ms\":{:.2f},"
                     "\"phase_image_decode_ms\":{:.2f},\"phase_last_version_ms\":{:.2f},\"phase_tail_fetch_ms\":{:.2f},"
                     "\"phase_tail_apply_ms\":{:.2f},\"phase_probe_ms\":{:.2f}}}",
                     args.backend, b.tablets, count, b.image_version, b.last_version, b.build_s, b.location,
                     Median(cold_ms), Median(warm_ms), fmt::join(cold_ms, ","), fmt::join(warm_ms, ","), lineage_ms,
                     list_ms, img_read_ms, img_decode_ms, last_ms, tail_fetch_ms, tail_apply_ms, probe_ms));
    (void)probe;
  }
  return 0;
}

int Run(const Args& args) {
  if (args.mode == "append") return RunAppend(args);
  if (args.mode == "commit") return RunCommit(args);
  if (args.mode == "catalog") return RunCatalog(args);
  Die("unknown mode " + args.mode + " (append, commit or catalog)");
}

}  // namespace
}  // namespace strata::meta

int main(int argc, char** argv) {
  if (!std::getenv("STRATA_LOG_LEVEL")) strata::SetLogLevel(strata::LogLevel::kWarn);
  return strata::meta::Run(strata::meta::ParseArgs(argc, argv));
}

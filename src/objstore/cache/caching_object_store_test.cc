#include "objstore/cache/caching_object_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "objstore/mem/mem_object_store.h"
#include "objstore/metrics/metrics_object_store.h"

// Randomized tests print their seed; STRATA_TEST_SEED=<n> reproduces a run.

namespace strata::objstore {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kBlock = 4096;

uint64_t TestSeed() {
  static const uint64_t seed = [] {
    const char* env = std::getenv("STRATA_TEST_SEED");
    uint64_t s = env != nullptr ? std::strtoull(env, nullptr, 10) : std::random_device{}();
    std::printf("caching_object_store_test seed %llu (STRATA_TEST_SEED=%llu reproduces)\n",
                static_cast<unsigned long long>(s), static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// The on-disk size of a cache file of `data_bytes` of a key of `key_bytes` (see docs/formats/cn-cache.md;
// the test's blocks are 4 KiB, so are its checksum chunks).
uint64_t FileBytes(size_t key_bytes, uint64_t data_bytes) {
  return 64 + key_bytes + 4 * ((data_bytes + kBlock - 1) / kBlock) + data_bytes;
}

class CachingObjectStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
    mem_ = std::make_shared<MemObjectStore>();
    backing_ = std::make_shared<MetricsObjectStore>(mem_, &backing_metrics_);
  }
  void TearDown() override {
    cache_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string CacheDir() const { return root_ + "/cache"; }

  CachingObjectStoreOptions Options(uint64_t capacity_bytes) {
    CachingObjectStoreOptions o;
    o.dir = CacheDir();
    o.capacity_bytes = capacity_bytes;
    o.block_bytes = kBlock;
    o.touch_interval_ms = 0;
    o.registry = &metrics_;
    return o;
  }
  void OpenCache(const CachingObjectStoreOptions& options) {
    cache_.reset();  // releases the directory lock first
    auto opened = CachingObjectStore::Open(options, backing_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    cache_ = std::move(*opened);
  }

  uint64_t BackingCalls(std::string_view op) {
    return backing_metrics_.GetCounter("strata_objstore_requests_total", fmt::format("backend=\"mem\",op=\"{}\"", op))
        .Value();
  }
  uint64_t Metric(std::string_view name) { return metrics_.GetCounter(name).Value(); }

  // Bytes of cache files in the directory, and their count.
  std::pair<uint64_t, size_t> DiskUsage() {
    uint64_t bytes = 0;
    size_t files = 0;
    for (auto& e : fs::recursive_directory_iterator(CacheDir())) {
      if (e.is_regular_file() && e.path().extension() == ".blk") {
        bytes += e.file_size();
        files++;
      }
    }
    return {bytes, files};
  }
  // The index, the directory and the metrics agree, and the bounds hold.
  void ExpectConsistent(uint64_t capacity_bytes) {
    CachingObjectStore::Stats stats = cache_->GetStats();
    auto [bytes, files] = DiskUsage();
    EXPECT_EQ(stats.cached_bytes, bytes);
    EXPECT_EQ(stats.cached_files, files);
    EXPECT_LE(stats.cached_bytes, capacity_bytes);
    EXPECT_EQ(Metric("strata_cn_cache_admitted_bytes_total") - Metric("strata_cn_cache_dropped_bytes_total"),
              stats.cached_bytes);
    EXPECT_TRUE(fs::is_empty(CacheDir() + "/tmp"));
  }

  // The cache's answer equals the backing store's, bytes or error code.
  void ExpectSameAsBacking(std::string_view key, uint64_t offset, uint64_t length) {
    Result<std::string> want = mem_->GetRange(key, offset, length);
    Result<std::string> got = cache_->GetRange(key, offset, length);
    ASSERT_EQ(got.status().code(), want.status().code())
        << key << " [" << offset << ", +" << length << "): " << got.status().ToString() << " vs "
        << want.status().ToString();
    if (want.ok()) {
      ASSERT_EQ(got->size(), want->size()) << key << " [" << offset << ", +" << length << ")";
      ASSERT_TRUE(*got == *want) << key << " [" << offset << ", +" << length << ")";
    }
  }

  std::string root_;
  MetricsRegistry metrics_;
  MetricsRegistry backing_metrics_;
  std::shared_ptr<MemObjectStore> mem_;
  std::shared_ptr<MetricsObjectStore> backing_;
  std::unique_ptr<CachingObjectStore> cache_;
};

TEST_F(CachingObjectStoreTest, CountsHitsAndMissesPerBlock) {
  std::mt19937_64 rng(1);
  const std::string data = RandomBytes(rng, 3 * kBlock + 100);
  ASSERT_TRUE(mem_->Put("data/a", data).ok());
  OpenCache(Options(1 << 20));

  EXPECT_EQ(*cache_->GetRange("data/a", 0, 100), data.substr(0, 100));
  EXPECT_EQ(Metric("strata_cn_cache_misses_total"), 1u);
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), 0u);
  EXPECT_EQ(BackingCalls("get"), 1u);

  EXPECT_EQ(*cache_->GetRange("data/a", 10, 50), data.substr(10, 50));
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), 1u);
  EXPECT_EQ(BackingCalls("get"), 1u);

  // Across a block boundary: block 0 hits, block 1 misses.
  EXPECT_EQ(*cache_->GetRange("data/a", kBlock - 96, 200), data.substr(kBlock - 96, 200));
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), 2u);
  EXPECT_EQ(Metric("strata_cn_cache_misses_total"), 2u);
  EXPECT_EQ(BackingCalls("get"), 2u);

  // The whole object: 0 and 1 hit, 2 and 3 are fetched with one GET.
  EXPECT_EQ(*cache_->Get("data/a"), data);
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), 4u);
  EXPECT_EQ(Metric("strata_cn_cache_misses_total"), 4u);
  EXPECT_EQ(BackingCalls("get"), 3u);

  // Everything is cached now, including where the object ends.
  EXPECT_EQ(*cache_->Get("data/a"), data);
  EXPECT_EQ(*cache_->GetRange("data/a", 3 * kBlock + 99, 50), data.substr(3 * kBlock + 99));
  EXPECT_EQ(cache_->GetRange("data/a", 3 * kBlock + 100, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache_->GetRange("data/a", 3 * kBlock + 101, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BackingCalls("get"), 3u);
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), 11u);  // block 3 also answers "past the end"

  EXPECT_EQ(cache_->GetRange("data/missing", 0, 10).status().code(), StatusCode::kNotFound);
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(text.find("strata_cn_cache_hits_total 11"), std::string::npos) << text;
  EXPECT_NE(text.find("strata_cn_cache_misses_total 4"), std::string::npos) << text;
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, EdgeSizedObjects) {
  std::mt19937_64 rng(2);
  const std::string two_blocks = RandomBytes(rng, 2 * kBlock);
  ASSERT_TRUE(mem_->Put("empty", "").ok());
  ASSERT_TRUE(mem_->Put("two", two_blocks).ok());
  OpenCache(Options(1 << 20));
  for (int round = 0; round < 3; ++round) {  // miss, hit, hit after a restart
    SCOPED_TRACE(round);
    ExpectSameAsBacking("empty", 0, kReadToEnd);
    ExpectSameAsBacking("empty", 0, 10);
    ExpectSameAsBacking("empty", 1, 1);
    ExpectSameAsBacking("two", 0, kReadToEnd);
    ExpectSameAsBacking("two", kBlock, kReadToEnd);
    ExpectSameAsBacking("two", kBlock - 1, 2);
    ExpectSameAsBacking("two", 2 * kBlock - 1, 100);
    ExpectSameAsBacking("two", 2 * kBlock, 1);
    ExpectSameAsBacking("two", 2 * kBlock + 1, kReadToEnd);
    ExpectSameAsBacking("two", 0, 0);
    ExpectSameAsBacking("two", 3 * kBlock, 0);
    if (round == 1) OpenCache(Options(1 << 20));
  }
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, RandomRangesMatchTheBackingStore) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<std::pair<std::string, uint64_t>> objects;
  const std::vector<uint64_t> sizes = {0, 1, kBlock - 1, kBlock, kBlock + 1, 2 * kBlock, 3 * kBlock + 7};
  for (size_t i = 0; i < sizes.size() + 5; ++i) {
    uint64_t size = i < sizes.size() ? sizes[i] : rng() % (10 * kBlock);
    std::string key = "data/t/" + std::to_string(i);
    ASSERT_TRUE(mem_->Put(key, RandomBytes(rng, size)).ok());
    objects.emplace_back(key, size);
  }
  // A roomy cache, then one of four blocks that evicts all the time; a
  // restart in the middle of each.
  for (uint64_t capacity : {uint64_t{1} << 22, 12 * FileBytes(10, kBlock), 4 * FileBytes(10, kBlock)}) {
    SCOPED_TRACE("capacity " + std::to_string(capacity));
    OpenCache(Options(capacity));
    for (int i = 0; i < 3000; ++i) {
      if (i == 1500) OpenCache(Options(capacity));
      const auto& [key, size] = objects[rng() % objects.size()];
      uint64_t offset = 0, length = 0;
      switch (rng() % 6) {
        case 0: offset = 0; length = kReadToEnd; break;
        case 1: offset = rng() % (size + 1); length = kReadToEnd; break;
        case 2: offset = size; length = 1 + rng() % 10; break;
        case 3: offset = size + 1 + rng() % kBlock; length = 1 + rng() % 10; break;
        default: offset = rng() % (size + 1); length = 1 + rng() % (3 * kBlock); break;
      }
      if (rng() % 8 == 0) {
        ASSERT_TRUE(cache_->Head(key).ok());  // the size then comes from the Head cache
      }
      ExpectSameAsBacking(key, offset, length);
      if (HasFatalFailure()) return;
    }
    ExpectConsistent(capacity);
  }
}

TEST_F(CachingObjectStoreTest, EvictsTheLeastRecentlyUsedWithinCapacity) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(mem_->Put("k" + std::to_string(i), RandomBytes(rng, kBlock)).ok());
  const uint64_t capacity = 3 * FileBytes(2, kBlock) + 100;
  OpenCache(Options(capacity));
  for (int i : {0, 1, 2}) ASSERT_TRUE(cache_->Get("k" + std::to_string(i)).ok());
  EXPECT_EQ(Metric("strata_cn_cache_evictions_total"), 0u);
  const std::string k0 = cache_->CachedFilePath("k0", 0), k1 = cache_->CachedFilePath("k1", 0),
                    k2 = cache_->CachedFilePath("k2", 0);
  ASSERT_TRUE(fs::exists(k0) && fs::exists(k1) && fs::exists(k2));
  ASSERT_TRUE(cache_->Get("k0").ok());  // k1 is now the least recently used
  ASSERT_TRUE(cache_->Get("k3").ok());
  EXPECT_EQ(Metric("strata_cn_cache_evictions_total"), 1u);
  EXPECT_FALSE(fs::exists(k1));
  EXPECT_EQ(cache_->CachedFilePath("k1", 0), "");
  EXPECT_TRUE(fs::exists(k0));
  ExpectConsistent(capacity);

  const uint64_t gets = BackingCalls("get");
  ASSERT_TRUE(cache_->Get("k0").ok());
  EXPECT_EQ(BackingCalls("get"), gets);
  ASSERT_TRUE(cache_->Get("k1").ok());  // evicts k2
  EXPECT_EQ(BackingCalls("get"), gets + 1);
  EXPECT_FALSE(fs::exists(k2));
  EXPECT_TRUE(fs::exists(k1));
  ExpectConsistent(capacity);

  // An object larger than the cache still reads right; the cache stays bounded:
  // one GET's extent larger than the whole capacity is not cached, and evicts nothing.
  const std::string big = RandomBytes(rng, 10 * kBlock + 5);
  ASSERT_TRUE(mem_->Put("big", big).ok());
  const uint64_t evictions = Metric("strata_cn_cache_evictions_total");
  EXPECT_EQ(*cache_->Get("big"), big);
  EXPECT_EQ(*cache_->Get("big"), big);
  EXPECT_EQ(cache_->CachedFilePath("big", 0), "");
  EXPECT_EQ(Metric("strata_cn_cache_evictions_total"), evictions);
  EXPECT_TRUE(fs::exists(k1));
  // Read in pieces of a block, it is cached in pieces that do fit, evicting the LRU.
  for (uint64_t at = 0; at < big.size(); at += kBlock) {
    EXPECT_EQ(*cache_->GetRange("big", at, kBlock), big.substr(at, kBlock));
  }
  EXPECT_NE(cache_->CachedFilePath("big", 10), "");
  EXPECT_GT(Metric("strata_cn_cache_evictions_total"), evictions);
  ExpectConsistent(capacity);

  // files_max bounds the count as capacity bounds the bytes.
  CachingObjectStoreOptions few = Options(1 << 20);
  few.files_max = 2;
  OpenCache(few);  // shrinks to 2 files at Open
  EXPECT_EQ(cache_->GetStats().cached_files, 2u);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cache_->Get("k" + std::to_string(i)).ok());
  EXPECT_EQ(cache_->GetStats().cached_files, 2u);
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, RestartKeepsHitsAndCleansDebris) {
  std::mt19937_64 rng(4);
  const std::string a = RandomBytes(rng, 2 * kBlock + 10);
  const std::string b = RandomBytes(rng, 100);
  ASSERT_TRUE(mem_->Put("data/a", a).ok());
  ASSERT_TRUE(mem_->Put("data/b", b).ok());
  OpenCache(Options(1 << 20));
  ASSERT_TRUE(cache_->Get("data/a").ok());
  ASSERT_TRUE(cache_->Get("data/b").ok());
  const uint64_t gets = BackingCalls("get");
  const uint64_t bytes = cache_->GetStats().cached_bytes;
  cache_.reset();

  // What a crash leaves: a temp file, a torn cache file; a format-1 block
  // file (one per block, an older CN's); and a stranger's file.
  std::ofstream(CacheDir() + "/tmp/0000000000000000-0000000000000000-00000001.7.tmp") << "partial";
  fs::create_directories(CacheDir() + "/ab");
  const std::string torn = CacheDir() + "/ab/ab00000000000000-0000000000000000-00000001.blk";
  std::ofstream(torn) << "short";
  const std::string v1 = CacheDir() + "/ab/ab00000000000001-0000000000000000.blk";
  std::ofstream(v1) << std::string(200, 'x');
  const std::string stranger = CacheDir() + "/ab/README";
  std::ofstream(stranger) << "not ours";

  OpenCache(Options(1 << 20));
  EXPECT_EQ(cache_->GetStats().cached_bytes, bytes);
  EXPECT_FALSE(fs::exists(torn));
  EXPECT_FALSE(fs::exists(v1));
  EXPECT_TRUE(fs::exists(stranger));
  EXPECT_EQ(*cache_->Get("data/a"), a);
  EXPECT_EQ(*cache_->GetRange("data/a", kBlock + 1, kBlock), a.substr(kBlock + 1, kBlock));
  EXPECT_EQ(*cache_->Get("data/b"), b);
  EXPECT_EQ(BackingCalls("get"), gets);
  EXPECT_EQ(Metric("strata_cn_cache_misses_total"), 4u);  // all before the restart
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, RestartRebuildsRecencyFromFileTimes) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(mem_->Put("k" + std::to_string(i), RandomBytes(rng, kBlock)).ok());
  const uint64_t capacity = 3 * FileBytes(2, kBlock);
  OpenCache(Options(capacity));
  for (int i : {0, 1, 2}) ASSERT_TRUE(cache_->Get("k" + std::to_string(i)).ok());
  // Recency by file time: k1 oldest, then k0, then k2.
  const int64_t now = ::time(nullptr);
  std::map<std::string, std::string> path;
  for (auto [key, age_s] : {std::pair{"k1", 300}, {"k0", 200}, {"k2", 100}}) {
    path[key] = cache_->CachedFilePath(key, 0);
    struct timespec times[2] = {{now - age_s, 0}, {now - age_s, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path[key].c_str(), times, 0), 0);
  }
  OpenCache(Options(capacity));
  ASSERT_TRUE(cache_->Get("k3").ok());
  path["k3"] = cache_->CachedFilePath("k3", 0);
  EXPECT_FALSE(fs::exists(path["k1"]));
  EXPECT_TRUE(fs::exists(path["k0"]));
  EXPECT_TRUE(fs::exists(path["k2"]));

  // A hit refreshes the file time, so k0 outlives k2 across the next restart.
  ASSERT_TRUE(cache_->Get("k0").ok());
  OpenCache(Options(2 * FileBytes(2, kBlock)));  // shrinking evicts at Open
  EXPECT_TRUE(fs::exists(path["k0"]));
  EXPECT_TRUE(fs::exists(path["k3"]));
  EXPECT_FALSE(fs::exists(path["k2"]));
  ExpectConsistent(2 * FileBytes(2, kBlock));
}

enum class Damage { kDataBit, kHeaderBit, kKeyBit, kChunkCrcBit, kTruncate, kAppend, kEmpty, kTruncateWhileClosed };

class CachingObjectStoreDamageTest : public CachingObjectStoreTest, public testing::WithParamInterface<Damage> {};

void FlipByte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x10;
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

TEST_P(CachingObjectStoreDamageTest, DamagedFileIsAMissAndIsRefetched) {
  std::mt19937_64 rng(6);
  const std::string key = "data/damaged";  // 12 bytes
  const std::string data = RandomBytes(rng, 2 * kBlock);
  ASSERT_TRUE(mem_->Put(key, data).ok());
  OpenCache(Options(1 << 20));
  ASSERT_EQ(*cache_->Get(key), data);  // one GET, one file of both blocks
  const std::string path = cache_->CachedFilePath(key, 1);
  ASSERT_EQ(path, cache_->CachedFilePath(key, 0));
  const uint64_t size = fs::file_size(path);
  ASSERT_EQ(size, FileBytes(key.size(), 2 * kBlock));
  const uint64_t data_at = 64 + key.size() + 2 * 4;
  switch (GetParam()) {
    case Damage::kDataBit: FlipByte(path, data_at + 1000); break;
    case Damage::kHeaderBit: FlipByte(path, 20); break;
    case Damage::kKeyBit: FlipByte(path, 64 + 3); break;
    case Damage::kChunkCrcBit: FlipByte(path, 64 + key.size()); break;
    case Damage::kTruncate: fs::resize_file(path, size / 2); break;
    case Damage::kAppend: std::ofstream(path, std::ios::app | std::ios::binary) << "x"; break;
    case Damage::kEmpty: fs::resize_file(path, 0); break;
    case Damage::kTruncateWhileClosed:
      cache_.reset();
      fs::resize_file(path, size - 1);
      OpenCache(Options(1 << 20));
      break;
  }
  const uint64_t gets = BackingCalls("get");
  EXPECT_EQ(*cache_->GetRange(key, kBlock - 10, 2000), data.substr(kBlock - 10, 2000));
  EXPECT_EQ(Metric("strata_cn_cache_damaged_total"), 1u);
  EXPECT_EQ(BackingCalls("get"), gets + 1);
  // Refetched (blocks 0 and 1 in one GET) and rewritten: the next read hits.
  EXPECT_EQ(*cache_->GetRange(key, 0, data.size()), data);
  EXPECT_EQ(BackingCalls("get"), gets + 1);
  EXPECT_EQ(fs::file_size(path), size);
  ExpectConsistent(1 << 20);
}

INSTANTIATE_TEST_SUITE_P(All, CachingObjectStoreDamageTest,
                         testing::Values(Damage::kDataBit, Damage::kHeaderBit, Damage::kKeyBit, Damage::kChunkCrcBit,
                                         Damage::kTruncate, Damage::kAppend, Damage::kEmpty,
                                         Damage::kTruncateWhileClosed));

TEST_F(CachingObjectStoreTest, AnotherKeysBlockUnderTheSameNameIsAMiss) {
  // What a hash collision looks like: a valid block file of another key.
  std::mt19937_64 rng(7);
  const std::string x1 = RandomBytes(rng, kBlock), x2 = RandomBytes(rng, kBlock);
  ASSERT_TRUE(mem_->Put("data/x1", x1).ok());
  ASSERT_TRUE(mem_->Put("data/x2", x2).ok());
  OpenCache(Options(1 << 20));
  ASSERT_TRUE(cache_->Get("data/x1").ok());
  ASSERT_TRUE(cache_->Get("data/x2").ok());
  fs::copy_file(cache_->CachedFilePath("data/x1", 0), cache_->CachedFilePath("data/x2", 0),
                fs::copy_options::overwrite_existing);
  const uint64_t gets = BackingCalls("get");
  EXPECT_EQ(*cache_->Get("data/x2"), x2);
  EXPECT_EQ(BackingCalls("get"), gets + 1);
  EXPECT_EQ(Metric("strata_cn_cache_damaged_total"), 0u);
  EXPECT_EQ(*cache_->Get("data/x2"), x2);
  EXPECT_EQ(*cache_->Get("data/x1"), x1);
  EXPECT_EQ(BackingCalls("get"), gets + 1);
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, ConcurrentReadersGetTheRightBytes) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<std::string> objects;
  for (int i = 0; i < 8; ++i) {
    objects.push_back(RandomBytes(rng, rng() % (8 * kBlock)));
    ASSERT_TRUE(mem_->Put("data/c/" + std::to_string(i), objects.back()).ok());
  }
  const uint64_t capacity = 12 * FileBytes(8, kBlock);  // a third of the data: evictions race with reads
  CachingObjectStoreOptions options = Options(capacity);
  options.head_entries_max = 4;
  OpenCache(options);
  constexpr int kThreads = 8, kReadsPerThread = 400;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 r(seed + t + 1);
      for (int i = 0; i < kReadsPerThread; ++i) {
        size_t o = r() % objects.size();
        const std::string& want = objects[o];
        const std::string key = "data/c/" + std::to_string(o);
        if (r() % 10 == 0 && !cache_->Head(key).ok()) wrong++;
        uint64_t offset = want.empty() ? 0 : r() % want.size();
        uint64_t length = r() % 4 == 0 ? kReadToEnd : 1 + r() % (3 * kBlock);
        Result<std::string> got = cache_->GetRange(key, offset, length);
        if (!got.ok() || *got != want.substr(offset, length)) wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(Metric("strata_cn_cache_hits_total"), 0u);
  EXPECT_GT(Metric("strata_cn_cache_evictions_total"), 0u);
  EXPECT_EQ(Metric("strata_cn_cache_damaged_total"), 0u);
  EXPECT_LE(cache_->GetStats().head_entries, 4u);
  ExpectConsistent(capacity);
}

TEST_F(CachingObjectStoreTest, HeadIsCachedButNotFoundIsNot) {
  ASSERT_TRUE(mem_->Put("data/h", "12345").ok());
  OpenCache(Options(1 << 20));
  EXPECT_EQ(cache_->Head("data/h")->size_bytes, 5u);
  EXPECT_EQ(cache_->Head("data/h")->size_bytes, 5u);
  EXPECT_EQ(BackingCalls("head"), 1u);
  EXPECT_EQ(Metric("strata_cn_cache_head_hits_total"), 1u);
  EXPECT_EQ(Metric("strata_cn_cache_head_misses_total"), 1u);

  EXPECT_EQ(cache_->Head("data/later").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(cache_->Put("data/later", "abc").ok());
  EXPECT_EQ(cache_->Head("data/later")->size_bytes, 3u);
  EXPECT_EQ(*cache_->Get("data/later"), "abc");
}

TEST_F(CachingObjectStoreTest, DeleteDropsCachedBlocksAndHead) {
  std::mt19937_64 rng(8);
  const std::string data = RandomBytes(rng, 3 * kBlock);
  ASSERT_TRUE(cache_ == nullptr);
  OpenCache(Options(1 << 20));
  ASSERT_TRUE(cache_->Put("data/d", data).ok());
  ASSERT_TRUE(cache_->Put("data/keep", "k").ok());
  ASSERT_EQ(*cache_->Get("data/d"), data);
  ASSERT_EQ(*cache_->Get("data/keep"), "k");
  ASSERT_TRUE(cache_->Head("data/d").ok());
  const std::string d = cache_->CachedFilePath("data/d", 2);
  ASSERT_TRUE(fs::exists(d));
  ASSERT_TRUE(cache_->Delete("data/d").ok());
  EXPECT_FALSE(fs::exists(d));
  for (uint64_t b = 0; b < 3; ++b) EXPECT_EQ(cache_->CachedFilePath("data/d", b), "");
  EXPECT_TRUE(fs::exists(cache_->CachedFilePath("data/keep", 0)));
  EXPECT_EQ(cache_->Get("data/d").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(cache_->Head("data/d").status().code(), StatusCode::kNotFound);
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, OnlyCacheableKeysAreCached) {
  ASSERT_TRUE(mem_->Put("meta/log/1", "entry").ok());
  ASSERT_TRUE(mem_->Put("data/f", "file").ok());
  CachingObjectStoreOptions options = Options(1 << 20);
  options.cacheable = CacheKeyPrefixes({"data/", "images/"});
  OpenCache(options);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(*cache_->Get("meta/log/1"), "entry");
    EXPECT_TRUE(cache_->Head("meta/log/1").ok());
    EXPECT_EQ(*cache_->Get("data/f"), "file");
  }
  EXPECT_EQ(BackingCalls("get"), 3u);
  EXPECT_EQ(BackingCalls("head"), 2u);
  EXPECT_EQ(cache_->GetStats().cached_files, 1u);
  EXPECT_EQ(Metric("strata_cn_cache_hits_total") + Metric("strata_cn_cache_misses_total"), 2u);
  EXPECT_EQ(Metric("strata_cn_cache_head_misses_total"), 0u);
}

TEST_F(CachingObjectStoreTest, CacheDiskFailuresAreNotReadErrors) {
  ASSERT_TRUE(mem_->Put("data/f", std::string(3 * kBlock, 'f')).ok());
  OpenCache(Options(1 << 20));
  // Temp files cannot be created: every fill fails, every read still works.
  fs::remove_all(CacheDir() + "/tmp");
  std::ofstream(CacheDir() + "/tmp") << "a file where the temp directory was";
  for (int i = 0; i < 2; ++i) EXPECT_EQ(*cache_->Get("data/f"), std::string(3 * kBlock, 'f'));
  EXPECT_EQ(Metric("strata_cn_cache_fill_errors_total"), 2u);  // one file per GET
  EXPECT_EQ(cache_->GetStats().cached_files, 0u);
  EXPECT_EQ(cache_->GetStats().cached_bytes, 0u);
  // Open wants its temp directory back.
  cache_.reset();
  EXPECT_EQ(CachingObjectStore::Open(Options(1 << 20), backing_).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CachingObjectStoreTest, OpenValidatesOptionsAndLocksTheDirectory) {
  EXPECT_EQ(CachingObjectStore::Open(Options(0), backing_).status().code(), StatusCode::kInvalidArgument);
  CachingObjectStoreOptions bad_block = Options(1 << 20);
  bad_block.block_bytes = 100;
  EXPECT_EQ(CachingObjectStore::Open(bad_block, backing_).status().code(), StatusCode::kInvalidArgument);
  CachingObjectStoreOptions no_files = Options(1 << 20);
  no_files.files_max = 0;
  EXPECT_EQ(CachingObjectStore::Open(no_files, backing_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CachingObjectStore::Open(Options(1 << 20), nullptr).status().code(), StatusCode::kInvalidArgument);
  CachingObjectStoreOptions orphan = Options(1 << 20);
  orphan.dir = root_ + "/no/such/parent";
  EXPECT_EQ(CachingObjectStore::Open(orphan, backing_).status().code(), StatusCode::kFailedPrecondition);

  OpenCache(Options(1 << 20));
  EXPECT_EQ(CachingObjectStore::Open(Options(1 << 20), backing_).status().code(), StatusCode::kFailedPrecondition);
  cache_.reset();
  EXPECT_TRUE(CachingObjectStore::Open(Options(1 << 20), backing_).ok());
}

TEST_F(CachingObjectStoreTest, ReopeningWithAnotherBlockSizeNeverServesOldBlocks) {
  std::mt19937_64 rng(9);
  const std::string data = RandomBytes(rng, 5 * kBlock + 3);
  ASSERT_TRUE(mem_->Put("data/r", data).ok());
  OpenCache(Options(1 << 20));
  ASSERT_EQ(*cache_->Get("data/r"), data);
  CachingObjectStoreOptions bigger = Options(1 << 20);
  bigger.block_bytes = 2 * kBlock;
  OpenCache(bigger);
  EXPECT_EQ(*cache_->Get("data/r"), data);
  EXPECT_EQ(*cache_->GetRange("data/r", kBlock + 5, 3 * kBlock), data.substr(kBlock + 5, 3 * kBlock));
  // The old file (one extent of six 4 KiB blocks, read as six 8 KiB blocks)
  // failed verification (another block size) and was replaced by one of three.
  EXPECT_EQ(Metric("strata_cn_cache_damaged_total"), 1u);
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), 3u);
  EXPECT_EQ(cache_->GetStats().cached_files, 1u);
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, OneFilePerFetchedRunAndReadsAcrossFiles) {
  std::mt19937_64 rng(10);
  const std::string data = RandomBytes(rng, 10 * kBlock + 77);
  ASSERT_TRUE(mem_->Put("data/e", data).ok());
  OpenCache(Options(1 << 20));
  // Block 5 first, then the whole object: the missing runs around it are one GET each.
  EXPECT_EQ(*cache_->GetRange("data/e", 5 * kBlock + 3, 10), data.substr(5 * kBlock + 3, 10));
  EXPECT_EQ(BackingCalls("get"), 1u);
  EXPECT_EQ(*cache_->Get("data/e"), data);
  EXPECT_EQ(BackingCalls("get"), 3u);
  EXPECT_EQ(Metric("strata_cn_cache_misses_total"), 11u);
  EXPECT_EQ(cache_->GetStats().cached_files, 3u);
  const std::string before = cache_->CachedFilePath("data/e", 0), middle = cache_->CachedFilePath("data/e", 5),
                    after = cache_->CachedFilePath("data/e", 6);
  EXPECT_EQ(before, cache_->CachedFilePath("data/e", 4));
  EXPECT_EQ(after, cache_->CachedFilePath("data/e", 10));
  EXPECT_EQ(cache_->CachedFilePath("data/e", 11), "");
  EXPECT_TRUE(before != middle && middle != after);
  EXPECT_EQ(fs::file_size(before), FileBytes(6, 5 * kBlock));
  EXPECT_EQ(fs::file_size(middle), FileBytes(6, kBlock));
  EXPECT_EQ(fs::file_size(after), FileBytes(6, 4 * kBlock + 77));
  // Every range, across the three files and inside each, from the cache alone.
  for (uint64_t offset : {uint64_t{0}, kBlock - 1, 4 * kBlock + 9, 5 * kBlock, 6 * kBlock - 1, 10 * kBlock + 76}) {
    for (uint64_t length : {uint64_t{1}, kBlock, 3 * kBlock + 5, kReadToEnd}) ExpectSameAsBacking("data/e", offset, length);
  }
  ExpectSameAsBacking("data/e", 10 * kBlock + 77, 1);
  EXPECT_EQ(BackingCalls("get"), 3u);
  // A hit counts the blocks it serves: blocks 1..4 of the first file.
  const uint64_t hits = Metric("strata_cn_cache_hits_total");
  EXPECT_EQ(*cache_->GetRange("data/e", kBlock, 4 * kBlock), data.substr(kBlock, 4 * kBlock));
  EXPECT_EQ(Metric("strata_cn_cache_hits_total"), hits + 4);
  ExpectConsistent(1 << 20);
}

TEST_F(CachingObjectStoreTest, FileWhoseHeaderDisagreesWithItsNameIsAMiss) {
  std::mt19937_64 rng(11);
  const std::string data = RandomBytes(rng, 2 * kBlock);
  ASSERT_TRUE(mem_->Put("data/n", data).ok());
  OpenCache(Options(1 << 20));
  ASSERT_EQ(*cache_->Get("data/n"), data);
  const std::string two = cache_->CachedFilePath("data/n", 0);
  ASSERT_EQ(two.substr(two.size() - 13), "-00000002.blk");
  cache_.reset();
  // The same bytes under the name of a three-block extent: valid CRCs, wrong extent.
  const std::string three = two.substr(0, two.size() - 13) + "-00000003.blk";
  fs::rename(two, three);
  OpenCache(Options(1 << 20));
  ASSERT_EQ(cache_->CachedFilePath("data/n", 2), three);
  const uint64_t gets = BackingCalls("get");
  EXPECT_EQ(*cache_->Get("data/n"), data);
  EXPECT_EQ(BackingCalls("get"), gets + 1);
  EXPECT_EQ(Metric("strata_cn_cache_damaged_total"), 1u);
  EXPECT_FALSE(fs::exists(three));
  EXPECT_EQ(cache_->CachedFilePath("data/n", 0), two);
  ExpectConsistent(1 << 20);
}

}  // namespace
}  // namespace strata::objstore

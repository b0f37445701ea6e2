#include "objstore/conformance/conformance_suite.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

namespace strata::objstore {

std::vector<ConformanceBackend>& MutableBackends() {
  static std::vector<ConformanceBackend> backends;
  return backends;
}
void RegisterConformanceBackend(ConformanceBackend backend) { MutableBackends().push_back(std::move(backend)); }
const std::vector<ConformanceBackend>& ConformanceBackends() { return MutableBackends(); }

namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  for (; i < n; ++i) s[i] = static_cast<char>(rng());
  return s;
}

class ObjectStoreConformance : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto& backends = ConformanceBackends();
    auto it = std::find_if(backends.begin(), backends.end(), [&](auto& b) { return b.name == GetParam(); });
    ASSERT_NE(it, backends.end());
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    store_ = it->make(info->name());
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_ == nullptr) return;
    Result<size_t> deleted = DeletePrefix(*store_, "");
    EXPECT_TRUE(deleted.ok()) << deleted.status().ToString();
  }
  void ExpectObject(const std::string& key, const std::string& want) {
    Result<std::string> got = store_->Get(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    ASSERT_EQ(got->size(), want.size()) << key;
    EXPECT_TRUE(*got == want) << key << ": content differs";
  }
  std::shared_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreConformance, RoundTripsEmptySmallAndBinaryObjects) {
  const std::string binary("a\0b\xff\n\r\x01", 7);
  ASSERT_TRUE(store_->Put("rt/empty", "").ok());
  ASSERT_TRUE(store_->Put("rt/one", "x").ok());
  ASSERT_TRUE(store_->Put("rt/binary", binary).ok());
  const std::string small = RandomBytes(4096, 1);
  ASSERT_TRUE(store_->Put("rt/4k", small).ok());
  ExpectObject("rt/empty", "");
  ExpectObject("rt/one", "x");
  ExpectObject("rt/binary", binary);
  ExpectObject("rt/4k", small);
  ASSERT_TRUE(store_->Put("rt/one", "replaced").ok());
  ExpectObject("rt/one", "replaced");
}

TEST_P(ObjectStoreConformance, RoundTrips64MiB) {
  const std::string big = RandomBytes(64ull << 20, 2);
  ASSERT_TRUE(store_->Put("big/64m", big).ok());
  ExpectObject("big/64m", big);
  Result<ObjectMeta> meta = store_->Head("big/64m");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->size_bytes, big.size());
}

TEST_P(ObjectStoreConformance, RangedReadsAtTheEdges) {
  const std::string data = RandomBytes(10000, 3);
  ASSERT_TRUE(store_->Put("range/obj", data).ok());
  auto range = [&](uint64_t off, uint64_t len) { return store_->GetRange("range/obj", off, len); };
  EXPECT_EQ(*range(0, 1), data.substr(0, 1));
  EXPECT_EQ(*range(9999, 1), data.substr(9999, 1));
  EXPECT_EQ(*range(1234, 4321), data.substr(1234, 4321));
  EXPECT_EQ(*range(9990, 100), data.substr(9990)) << "a range past the end is truncated";
  EXPECT_EQ(*range(5000, kReadToEnd), data.substr(5000));
  EXPECT_EQ(*range(0, kReadToEnd), data);
  EXPECT_EQ(range(10000, 1).status().code(), StatusCode::kInvalidArgument) << "start == size";
  EXPECT_EQ(range(20000, 1).status().code(), StatusCode::kInvalidArgument) << "start past the end";
  ASSERT_TRUE(store_->Put("range/empty", "").ok());
  Result<std::string> empty = store_->GetRange("range/empty", 0, kReadToEnd);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "");
}

TEST_P(ObjectStoreConformance, HeadReportsSizeAndMissingKeysAreNotFound) {
  ASSERT_TRUE(store_->Put("head/a", "12345").ok());
  Result<ObjectMeta> meta = store_->Head("head/a");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->key, "head/a");
  EXPECT_EQ(meta->size_bytes, 5u);
  EXPECT_GT(meta->last_modified_ms, 1'600'000'000'000);
  EXPECT_EQ(store_->Head("head/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("head/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRange("head/missing", 3, 4).status().code(), StatusCode::kNotFound);
}

TEST_P(ObjectStoreConformance, RejectsInvalidKeys) {
  for (const char* bad : {"", "/abs", "a//b", "a/../b", "./a", "trailing/"}) {
    EXPECT_EQ(store_->Put(bad, "x").code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_EQ(store_->Get(bad).status().code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
  }
  ListOptions options;
  options.max_keys = 0;
  EXPECT_EQ(store_->List(options).status().code(), StatusCode::kInvalidArgument);
}

// Writes `n` keys with 8 threads; returns them sorted.
std::vector<std::string> PutMany(ObjectStore& store, size_t n, const std::function<std::string(size_t)>& name) {
  std::vector<std::string> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = name(i);
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        if (!store.Put(keys[i], keys[i]).ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST_P(ObjectStoreConformance, ListsMoreThanOneThousandKeysInOrderAcrossPages) {
  std::vector<std::string> keys =
      PutMany(*store_, 1100, [](size_t i) { return fmt::format("list/k{:05d}", (i * 7919) % 1100); });
  ASSERT_TRUE(store_->Put("list-sibling", "x").ok());   // shares the "list" stem, not the prefix
  ASSERT_TRUE(store_->Put("lisz", "x").ok());
  Result<std::vector<ObjectMeta>> all = ListAll(*store_, "list/");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> listed;
  for (auto& m : *all) listed.push_back(m.key);
  EXPECT_EQ(listed, keys);
  EXPECT_EQ((*all)[0].size_bytes, keys[0].size());

  // Explicit small pages: every key exactly once, continuation ends the walk.
  ListOptions options;
  options.prefix = "list/";
  options.max_keys = 333;
  std::vector<std::string> paged;
  int pages = 0;
  for (; pages < 10; ++pages) {
    Result<ListPage> page = store_->List(options);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_LE(page->objects.size(), 333u);
    for (auto& m : page->objects) paged.push_back(m.key);
    if (page->next_continuation.empty()) break;
    options.continuation = page->next_continuation;
  }
  EXPECT_EQ(pages, 3) << "1100 keys in pages of 333 is 4 pages";
  EXPECT_EQ(paged, keys);
}

TEST_P(ObjectStoreConformance, ListsWithDelimiterAndByteOrder) {
  for (const char* k : {"d/a-c", "d/a/b", "d/a/c", "d/a0", "d/b/x/y", "d/b/z", "d/c", "e/other"}) {
    ASSERT_TRUE(store_->Put(k, k).ok()) << k;
  }
  ListOptions options;
  options.prefix = "d/";
  options.delimiter = "/";
  Result<ListPage> page = store_->List(options);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> objects;
  for (auto& m : page->objects) objects.push_back(m.key);
  EXPECT_EQ(objects, (std::vector<std::string>{"d/a-c", "d/a0", "d/c"}));
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"d/a/", "d/b/"}));
  EXPECT_TRUE(page->next_continuation.empty());

  // Without a delimiter the order is by bytes of the whole key: '-' < '/' < '0'.
  Result<std::vector<ObjectMeta>> flat = ListAll(*store_, "d/");
  ASSERT_TRUE(flat.ok());
  std::vector<std::string> flat_keys;
  for (auto& m : *flat) flat_keys.push_back(m.key);
  EXPECT_EQ(flat_keys, (std::vector<std::string>{"d/a-c", "d/a/b", "d/a/c", "d/a0", "d/b/x/y", "d/b/z", "d/c"}));

  // Pages of one entry still walk prefixes and objects exactly once.
  options.max_keys = 1;
  std::vector<std::string> walked;
  for (int i = 0; i < 20; ++i) {
    Result<ListPage> p = store_->List(options);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (auto& m : p->objects) walked.push_back(m.key);
    for (auto& c : p->common_prefixes) walked.push_back(c);
    if (p->next_continuation.empty()) break;
    options.continuation = p->next_continuation;
  }
  EXPECT_EQ(walked, (std::vector<std::string>{"d/a-c", "d/a/", "d/a0", "d/b/", "d/c"}));

  options = ListOptions{};
  options.prefix = "nothing/";
  Result<ListPage> none = store_->List(options);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->objects.empty() && none->common_prefixes.empty() && none->next_continuation.empty());
}

TEST_P(ObjectStoreConformance, MultipartPutOfTwentyMiB) {
  const std::string data = RandomBytes(20ull << 20, 4);
  ASSERT_TRUE(PutMultipart(*store_, "mp/obj", data, 8ull << 20).ok());
  ExpectObject("mp/obj", data);
  EXPECT_EQ(store_->Head("mp/obj")->size_bytes, data.size());
}

TEST_P(ObjectStoreConformance, MultipartIsInvisibleUntilCompleteAndAbortLeavesNothing) {
  Result<std::unique_ptr<MultipartUpload>> upload = store_->StartMultipart("mp/aborted");
  ASSERT_TRUE(upload.ok()) << upload.status().ToString();
  ASSERT_TRUE((*upload)->UploadPart(RandomBytes(kMultipartPartMinBytes, 5)).ok());
  EXPECT_EQ(store_->Head("mp/aborted").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE((*upload)->Abort().ok());
  EXPECT_TRUE((*upload)->Abort().ok()) << "abort is idempotent";
  EXPECT_EQ(store_->Head("mp/aborted").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ListAll(*store_, "")->empty());

  // A part under the minimum that is not the last is refused.
  Result<std::unique_ptr<MultipartUpload>> small = store_->StartMultipart("mp/small");
  ASSERT_TRUE(small.ok());
  ASSERT_TRUE((*small)->UploadPart("tiny").ok());
  EXPECT_EQ((*small)->UploadPart("more").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*small)->Abort().ok());
}

TEST_P(ObjectStoreConformance, BatchDeleteIsIdempotent) {
  std::vector<std::string> keys = PutMany(*store_, 50, [](size_t i) { return fmt::format("del/{:02d}", i); });
  std::vector<std::string> batch(keys.begin(), keys.begin() + 25);
  batch.push_back("del/missing");
  ASSERT_TRUE(store_->DeleteBatch(batch).ok());
  ASSERT_TRUE(store_->DeleteBatch(batch).ok()) << "deleting again is fine";
  Result<std::vector<ObjectMeta>> left = ListAll(*store_, "del/");
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 25u);
  EXPECT_EQ((*left)[0].key, keys[25]);
  EXPECT_EQ(store_->Get(keys[0]).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->Delete("del/never-existed").ok());
  std::vector<std::string> too_many(kDeleteBatchMax + 1, "del/x");
  EXPECT_EQ(store_->DeleteBatch(too_many).code(), StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreConformance, PutIfAbsentKeepsTheFirstObject) {
  ASSERT_TRUE(store_->PutIfAbsent("pia/a", "first").ok());
  Status second = store_->PutIfAbsent("pia/a", "second");
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists) << second.ToString();
  ExpectObject("pia/a", "first");
  ASSERT_TRUE(store_->Delete("pia/a").ok());
  ASSERT_TRUE(store_->PutIfAbsent("pia/a", "after delete").ok());
  ExpectObject("pia/a", "after delete");
}

TEST_P(ObjectStoreConformance, PutIfAbsentRaceHasExactlyOneWinnerPerKey) {
  constexpr int kThreads = 8;
  constexpr int kKeys = 100;
  std::vector<std::vector<int>> winners(kKeys);
  std::mutex mu;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kKeys; ++k) {
        Status s = store_->PutIfAbsent(fmt::format("race/{:03d}", k), fmt::format("thread {} key {}", t, k));
        if (s.ok()) {
          std::lock_guard lock(mu);
          winners[k].push_back(t);
        } else if (s.code() != StatusCode::kAlreadyExists) {
          unexpected++;
          ADD_FAILURE() << s.ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_EQ(winners[k].size(), 1u) << "key " << k;
    ExpectObject(fmt::format("race/{:03d}", k), fmt::format("thread {} key {}", winners[k][0], k));
  }
}

std::vector<std::string> BackendNames() {
  std::vector<std::string> names;
  for (const auto& b : ConformanceBackends()) names.push_back(b.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreConformance, testing::ValuesIn(BackendNames()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ObjectStoreConformance);

}  // namespace
}  // namespace strata::objstore

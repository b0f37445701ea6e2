#include "objstore/local/local_object_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/failpoint.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

namespace fs = std::filesystem;

class LocalObjectStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata-local-XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
    auto store = LocalObjectStore::Open(root_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    failpoint::DisarmAll();
    std::error_code ec;
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(root_, ec);
  }

  std::vector<std::string> ListKeys(const std::string& prefix = "") {
    auto all = ListAll(*store_, prefix);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::vector<std::string> keys;
    if (all.ok()) {
      for (auto& m : *all) keys.push_back(m.key);
    }
    return keys;
  }
  size_t TempFileCount() {
    size_t n = 0;
    for (auto& e : fs::directory_iterator(root_ + "/.strata-tmp")) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
  void WriteRawFile(const std::string& rel, const std::string& data) {
    fs::create_directories(fs::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel, std::ios::binary) << data;
  }

  std::string root_;
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(LocalObjectStoreTest, PutGetHeadOverwrite) {
  ASSERT_TRUE(store_->Put("a/b/c", "hello").ok());
  EXPECT_EQ(*store_->Get("a/b/c"), "hello");
  EXPECT_TRUE(fs::is_regular_file(root_ + "/a/b/c"));
  ASSERT_TRUE(store_->Put("a/b/c", "bye").ok());
  EXPECT_EQ(*store_->Get("a/b/c"), "bye");
  auto head = store_->Head("a/b/c");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size_bytes, 3u);
  EXPECT_GT(head->last_modified_ms, 0);
  EXPECT_EQ(store_->Head("a/b").status().code(), StatusCode::kNotFound);  // a directory, not an object
  EXPECT_EQ(store_->Get("a/b").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("a/b/c/d").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(TempFileCount(), 0u);
}

TEST_F(LocalObjectStoreTest, GetRangeSemantics) {
  ASSERT_TRUE(store_->Put("empty", "").ok());
  EXPECT_EQ(*store_->GetRange("empty", 0, kReadToEnd), "");
  EXPECT_EQ(store_->GetRange("empty", 1, 1).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Put("k", "0123456789").ok());
  EXPECT_EQ(*store_->GetRange("k", 2, 3), "234");
  EXPECT_EQ(*store_->GetRange("k", 8, 100), "89");
  EXPECT_EQ(*store_->GetRange("k", 9, kReadToEnd), "9");
  EXPECT_EQ(store_->GetRange("k", 10, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetRange("k", 11, 1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalObjectStoreTest, ListOrdersDashBeforeSlash) {
  for (const char* k : {"a/b", "a-c", "a0", "a/c/d", "a.b", "b"}) ASSERT_TRUE(store_->Put(k, k).ok()) << k;
  EXPECT_EQ(ListKeys(), (std::vector<std::string>{"a-c", "a.b", "a/b", "a/c/d", "a0", "b"}));
  ListOptions options;
  options.delimiter = "/";
  auto page = store_->List(options);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> objects;
  for (auto& m : page->objects) objects.push_back(m.key);
  EXPECT_EQ(objects, (std::vector<std::string>{"a-c", "a.b", "a0", "b"}));
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"a/"}));
  // One key per page gives the same order.
  options = ListOptions{};
  options.max_keys = 1;
  std::vector<std::string> paged;
  for (int i = 0; i < 20; ++i) {
    auto p = store_->List(options);
    ASSERT_TRUE(p.ok());
    for (auto& m : p->objects) paged.push_back(m.key);
    if (p->next_continuation.empty()) break;
    options.continuation = p->next_continuation;
  }
  EXPECT_EQ(paged, ListKeys());
}

// Every listing (prefix, delimiter, page size, continuation) of random keys
// equals the in-memory backend's.
TEST_F(LocalObjectStoreTest, ListMatchesMemBackendOnRandomKeys) {
  const char* kSegments[] = {"a", "a-c", "a0", "a.b", "b", "-", "0", "ab"};
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("STRATA_TEST_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("ListMatchesMemBackendOnRandomKeys: seed %llu (STRATA_TEST_SEED reproduces)\n",
              static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (set STRATA_TEST_SEED to reproduce)");
  std::mt19937_64 rng(seed);
  MemObjectStore mem;
  std::vector<std::string> keys;
  for (int i = 0; i < 150; ++i) {
    std::string key;
    int depth = 1 + static_cast<int>(rng() % 4);
    for (int d = 0; d < depth; ++d) key += (d ? "/" : "") + std::string(kSegments[rng() % std::size(kSegments)]);
    bool conflict = std::any_of(keys.begin(), keys.end(), [&](const std::string& e) {
      return e == key || e.starts_with(key + "/") || key.starts_with(e + "/");
    });
    if (conflict) continue;
    keys.push_back(key);
    WriteRawFile(key, key);
    ASSERT_TRUE(mem.Put(key, key).ok());
  }
  for (const char* prefix : {"", "a", "a/", "a-", "a/a", "a/b/", "0", "b/a", "zz", "a-c/"}) {
    for (const char* delimiter : {"", "/"}) {
      for (int max_keys : {1, 3, 1000}) {
        ListOptions options{prefix, delimiter, "", max_keys};
        for (int page_no = 0; page_no < 200; ++page_no) {
          auto want = mem.List(options);
          auto got = store_->List(options);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          std::string where = fmt::format("prefix '{}' delimiter '{}' max {} page {}", prefix, delimiter,
                                          max_keys, page_no);
          ASSERT_EQ(got->objects.size(), want->objects.size()) << where;
          for (size_t i = 0; i < got->objects.size(); ++i) {
            EXPECT_EQ(got->objects[i].key, want->objects[i].key) << where;
            EXPECT_EQ(got->objects[i].size_bytes, want->objects[i].size_bytes) << where;
          }
          ASSERT_EQ(got->common_prefixes, want->common_prefixes) << where;
          ASSERT_EQ(got->next_continuation, want->next_continuation) << where;
          if (got->next_continuation.empty()) break;
          options.continuation = got->next_continuation;
        }
      }
    }
  }
  // A continuation that is not a key resumes at the next key.
  ListOptions options{"", "", "a/a", 1000};
  auto want = mem.List(options);
  auto got = store_->List(options);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->objects.size(), want->objects.size());
}

TEST_F(LocalObjectStoreTest, PaginatesPastOneThousandKeys) {
  constexpr int kKeys = 2500;
  std::vector<std::string> want;
  for (int i = 0; i < kKeys; ++i) {
    std::string key = i % 5 == 0 ? fmt::format("p/k{:05}", i) : fmt::format("p/d{:02}/k{:05}", i % 37, i);
    WriteRawFile(key, "x");
    want.push_back(key);
  }
  std::sort(want.begin(), want.end());
  ListOptions options;
  options.prefix = "p/";
  auto first = store_->List(options);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->objects.size(), 1000u);
  EXPECT_FALSE(first->next_continuation.empty());
  EXPECT_EQ(ListKeys("p/"), want);
  size_t under_d0 = std::count_if(want.begin(), want.end(), [](auto& k) { return k.starts_with("p/d0"); });
  EXPECT_EQ(ListKeys("p/d0").size(), under_d0);
}

TEST_F(LocalObjectStoreTest, TempDirIsHiddenAndReserved) {
  ASSERT_TRUE(store_->Put("x", "1").ok());
  WriteRawFile(".strata-tmp/put.1.2.3.tmp", "debris");
  EXPECT_EQ(ListKeys(), (std::vector<std::string>{"x"}));
  EXPECT_EQ(ListKeys(".strata-tmp"), std::vector<std::string>{});
  EXPECT_EQ(ListKeys(".strata-tmp/"), std::vector<std::string>{});
  for (const char* bad : {".strata-tmp", ".strata-tmp/put.1.2.3.tmp", ".strata-tmp/a"}) {
    EXPECT_EQ(store_->Put(bad, "x").code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store_->Get(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store_->Delete(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  // Look-alikes are ordinary keys.
  ASSERT_TRUE(store_->Put(".strata-tmpx", "y").ok());
  ASSERT_TRUE(store_->Put("a/.strata-tmp", "z").ok());
  EXPECT_EQ(ListKeys(), (std::vector<std::string>{".strata-tmpx", "a/.strata-tmp", "x"}));
}

TEST_F(LocalObjectStoreTest, StaleTempFilesAreRemovedOnOpen) {
  WriteRawFile(".strata-tmp/old.tmp", "old");
  WriteRawFile(".strata-tmp/new.tmp", "new");
  struct timespec times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 3600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ + "/.strata-tmp/old.tmp").c_str(), times, 0), 0);
  auto reopened = LocalObjectStore::Open(root_, {.stale_temp_age_ms = 10 * 60 * 1000});
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(fs::exists(root_ + "/.strata-tmp/old.tmp"));
  EXPECT_TRUE(fs::exists(root_ + "/.strata-tmp/new.tmp"));
}

TEST_F(LocalObjectStoreTest, DeleteRemovesEmptyDirectories) {
  ASSERT_TRUE(store_->Put("x/y/z/obj", "1").ok());
  ASSERT_TRUE(store_->Put("x/keep", "2").ok());
  ASSERT_TRUE(store_->Delete("x/y/z/obj").ok());
  EXPECT_FALSE(fs::exists(root_ + "/x/y"));
  EXPECT_TRUE(fs::exists(root_ + "/x/keep"));
  ASSERT_TRUE(store_->Delete("x/keep").ok());
  EXPECT_FALSE(fs::exists(root_ + "/x"));
  EXPECT_TRUE(fs::exists(root_));
  EXPECT_TRUE(store_->Delete("x/keep").ok());  // idempotent
  EXPECT_TRUE(store_->Delete("never/was").ok());
  std::vector<std::string> too_many(kDeleteBatchMax + 1, "k");
  EXPECT_EQ(store_->DeleteBatch(too_many).code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalObjectStoreTest, MissingRootIsFailedPrecondition) {
  std::string missing = root_ + "/does-not-exist";
  auto opened = LocalObjectStore::Open(missing);
  ASSERT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find(missing), std::string::npos) << opened.status().ToString();
  LocalObjectStore lazy(missing);
  EXPECT_EQ(lazy.Put("a/b", "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lazy.PutIfAbsent("a", "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lazy.Get("a").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lazy.Head("a").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lazy.List({}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lazy.Delete("a").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lazy.StartMultipart("a").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(LocalObjectStoreTest, BadKeysAreInvalidArgument) {
  for (const std::string& bad : std::vector<std::string>{"", "/a", "a//b", "a/", "a/../b", "./a", std::string(256, 'n'),
                                std::string(kKeyBytesMax + 1, 'n')}) {
    EXPECT_EQ(store_->Put(bad, "x").code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store_->PutIfAbsent(bad, "x").code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store_->Head(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(store_->Put(std::string(255, 'n'), "x").ok());
  EXPECT_EQ(store_->List(ListOptions{"", "", "", 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ListKeys("../"), std::vector<std::string>{});
}

TEST_F(LocalObjectStoreTest, ObjectAndDirectoryConflict) {
  ASSERT_TRUE(store_->Put("a", "file").ok());
  EXPECT_EQ(store_->Put("a/b", "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->PutIfAbsent("a/b/c", "x").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->Put("d/e", "x").ok());
  EXPECT_EQ(store_->Put("d", "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->PutIfAbsent("d", "x").code(), StatusCode::kFailedPrecondition);
  // An empty leftover directory does not block an object.
  fs::create_directories(root_ + "/e/f");
  EXPECT_TRUE(store_->Put("e/f", "x").ok());
  fs::create_directories(root_ + "/g");
  EXPECT_TRUE(store_->PutIfAbsent("g", "x").ok());
  EXPECT_EQ(*store_->Get("a"), "file");
}

TEST_F(LocalObjectStoreTest, PermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores permissions";
  ASSERT_TRUE(store_->Put("ro/a", "x").ok());
  fs::permissions(root_ + "/ro", fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_EQ(store_->Put("ro/b", "x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->Delete("ro/a").code(), StatusCode::kPermissionDenied);
  fs::permissions(root_ + "/ro", fs::perms::owner_all);
}

TEST_F(LocalObjectStoreTest, PutIfAbsent) {
  ASSERT_TRUE(store_->PutIfAbsent("m/k", "first").ok());
  EXPECT_EQ(store_->PutIfAbsent("m/k", "second").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->Get("m/k"), "first");
  EXPECT_EQ(TempFileCount(), 0u);
}

TEST_F(LocalObjectStoreTest, ConcurrentPutIfAbsentHasOneWinnerPerKey) {
  constexpr int kThreads = 8;
  constexpr int kKeys = 100;
  std::vector<std::vector<int>> winners(kKeys);
  std::mutex mu;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeys; ++i) {
        int k = (i + t * 13) % kKeys;
        Status s = store_->PutIfAbsent(fmt::format("race/{:03}", k), "thread " + std::to_string(t));
        if (s.ok()) {
          std::lock_guard lock(mu);
          winners[k].push_back(t);
        } else if (s.code() != StatusCode::kAlreadyExists) {
          errors++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_EQ(winners[k].size(), 1u) << "key " << k;
    EXPECT_EQ(*store_->Get(fmt::format("race/{:03}", k)), "thread " + std::to_string(winners[k][0]));
  }
  EXPECT_EQ(TempFileCount(), 0u);
}

// Deletes that empty a directory race with Puts into it; no Put may fail.
TEST_F(LocalObjectStoreTest, PutSurvivesConcurrentDirectoryRemoval) {
  constexpr int kRounds = 100;
  std::atomic<int> put_errors{0};
  std::atomic<bool> stop{false};
  std::thread deleter([&] {
    for (int i = 0; i < 20 * kRounds && !stop.load(); ++i) {
      std::vector<std::string> keys = {"d/x/y/a", "d/x/y/b"};
      if (!store_->DeleteBatch(keys).ok()) put_errors++;
    }
  });
  for (int i = 0; i < kRounds; ++i) {
    Status s = store_->Put(i % 2 ? "d/x/y/a" : "d/x/y/b", "v");
    if (!s.ok()) {
      ADD_FAILURE() << s.ToString();
      put_errors++;
    }
  }
  stop = true;
  deleter.join();
  EXPECT_EQ(put_errors.load(), 0);
}

TEST_F(LocalObjectStoreTest, MultipartCompleteAndPartRule) {
  std::string big(kMultipartPartMinBytes, 'a');
  auto up = store_->StartMultipart("mp/obj");
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->UploadPart(big).ok());
  ASSERT_TRUE((*up)->UploadPart("tail").ok());
  EXPECT_EQ((*up)->UploadPart("more").code(), StatusCode::kInvalidArgument);  // "tail" was small
  EXPECT_EQ(store_->Head("mp/obj").status().code(), StatusCode::kNotFound);  // not visible yet
  ASSERT_TRUE((*up)->Complete().ok());
  EXPECT_EQ(*store_->Get("mp/obj"), big + "tail");
  EXPECT_EQ((*up)->Complete().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(TempFileCount(), 0u);
  auto empty = store_->StartMultipart("mp/none");
  EXPECT_EQ((*empty)->Complete().code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalObjectStoreTest, MultipartAbortAndDestructorLeaveNothing) {
  {
    auto up = store_->StartMultipart("mp/aborted");
    ASSERT_TRUE(up.ok());
    ASSERT_TRUE((*up)->UploadPart(std::string(kMultipartPartMinBytes, 'b')).ok());
    EXPECT_TRUE((*up)->Abort().ok());
    EXPECT_TRUE((*up)->Abort().ok());
    EXPECT_EQ((*up)->UploadPart("x").code(), StatusCode::kFailedPrecondition);
    auto dropped = store_->StartMultipart("mp/dropped");
    ASSERT_TRUE((*dropped)->UploadPart("x").ok());
  }
  EXPECT_EQ(store_->Head("mp/aborted").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head("mp/dropped").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(TempFileCount(), 0u);
  EXPECT_EQ(ListKeys(), std::vector<std::string>{});
}

TEST_F(LocalObjectStoreTest, FailpointErrorsLeaveOldContentAndNoTemps) {
  ASSERT_TRUE(store_->Put("f/k", "old").ok());
  for (const char* fp : {"local.put.after_tmp_write", "local.put.after_fsync"}) {
    failpoint::Arm(fp, failpoint::Spec{failpoint::Action::kError, 0, 0});
    EXPECT_EQ(store_->Put("f/k", "new").code(), StatusCode::kUnavailable) << fp;
    failpoint::DisarmAll();
    EXPECT_EQ(*store_->Get("f/k"), "old") << fp;
  }
  failpoint::Arm("local.put_if_absent.after_fsync", failpoint::Spec{failpoint::Action::kError, 0, 0});
  EXPECT_EQ(store_->PutIfAbsent("f/p", "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->Head("f/p").status().code(), StatusCode::kNotFound);
  failpoint::Arm("local.multipart.before_rename", failpoint::Spec{failpoint::Action::kError, 0, 0});
  EXPECT_EQ(PutMultipart(*store_, "f/m", "abc", kMultipartPartMinBytes).code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->Head("f/m").status().code(), StatusCode::kNotFound);
  failpoint::DisarmAll();
  EXPECT_EQ(TempFileCount(), 0u);
}

}  // namespace
}  // namespace strata::objstore

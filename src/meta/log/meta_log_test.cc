// Tests of MetaLog and the log-entry framing, over the in-memory and the
// local-directory backends.
#include "meta/log/meta_log.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <thread>

#include "common/coding.h"
#include "common/crc32c.h"
#include "meta/log/image_store.h"
#include "meta/log/test_stores.h"

namespace strata::meta {
namespace {

using testing_util::Backend;
using testing_util::TestStore;

constexpr char kCluster[] = "0123456789abcdef0123456789abcdef";

std::string Payload(uint64_t v) { return fmt::format("payload of version {}", v); }

class MetaLogTest : public testing::TestWithParam<Backend> {
 protected:
  MetaLogTest() : ts_(GetParam()), log_(ts_.store(), kCluster) {}
  void AppendRange(uint64_t from, uint64_t to) {
    for (uint64_t v = from; v <= to; ++v) ASSERT_TRUE(log_.Append(v, Payload(v)).ok()) << v;
  }
  TestStore ts_;
  MetaLog log_;
};

INSTANTIATE_TEST_SUITE_P(Backends, MetaLogTest, testing::Values(Backend::kMem, Backend::kLocal),
                         testing_util::BackendName);

TEST_P(MetaLogTest, AppendReadLastVersion) {
  auto empty = log_.LastVersion();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, 0u);
  AppendRange(1, 3);
  for (uint64_t v = 1; v <= 3; ++v) {
    auto r = log_.Read(v);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, Payload(v));
  }
  EXPECT_EQ(*log_.LastVersion(), 3u);
  EXPECT_EQ(*log_.LastVersion(2), 3u);
  EXPECT_EQ(*log_.LastVersion(4), 0u);
  EXPECT_EQ(*log_.OldestVersion(), 1u);
  EXPECT_EQ(log_.KeyOf(3), std::string(kCluster) + "/meta/log/00000000000000000003");
  EXPECT_EQ(ts_.Keys(), (std::vector<std::string>{log_.KeyOf(1), log_.KeyOf(2), log_.KeyOf(3)}));
  auto missing = log_.Read(4);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
}

TEST_P(MetaLogTest, VersionZeroIsNeverWritten) {
  EXPECT_EQ(log_.Append(0, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ts_.Keys().empty());
}

TEST_P(MetaLogTest, SecondWriterOfAVersionGetsAlreadyExists) {
  MetaLog other(ts_.store(), kCluster);
  ASSERT_TRUE(log_.Append(1, "first").ok());
  Status s = other.Append(1, "second");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(*other.Read(1), "first");
}

TEST_P(MetaLogTest, RacingAppendsHaveOneWinnerPerVersion) {
  constexpr int kThreads = 8;
  constexpr uint64_t kVersions = 20;
  std::vector<std::atomic<int>> wins(kVersions + 1);
  std::vector<std::thread> threads;
  std::atomic<int> other_errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      MetaLog log(ts_.store(), kCluster);
      for (uint64_t v = 1; v <= kVersions; ++v) {
        Status s = log.Append(v, fmt::format("writer {} version {}", t, v));
        if (s.ok()) {
          wins[v].fetch_add(1);
        } else if (s.code() != StatusCode::kAlreadyExists) {
          other_errors.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(other_errors.load(), 0);
  for (uint64_t v = 1; v <= kVersions; ++v) {
    EXPECT_EQ(wins[v].load(), 1) << "version " << v;
    auto r = log_.Read(v);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->starts_with("writer ") && r->ends_with(fmt::format(" version {}", v))) << *r;
  }
}

TEST_P(MetaLogTest, LastVersionAndListVersionsPaginate) {
  // Past 1000 entries (one List page); 1999 ends exactly at a block boundary.
  const uint64_t n = GetParam() == Backend::kMem ? 2345 : 1999;
  AppendRange(1, n);
  EXPECT_EQ(*log_.LastVersion(), n);
  for (uint64_t at_least : {uint64_t{1}, uint64_t{999}, uint64_t{1000}, uint64_t{1001}, n - 1, n}) {
    EXPECT_EQ(*log_.LastVersion(at_least), n) << at_least;
  }
  EXPECT_EQ(*log_.LastVersion(n + 1), 0u);
  EXPECT_EQ(*log_.LastVersion(100'000), 0u);
  auto all = log_.ListVersions(1, n);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), n);
  for (uint64_t i = 0; i < n; ++i) ASSERT_EQ((*all)[i], i + 1);
  auto mid = log_.ListVersions(990, 1010);
  ASSERT_EQ(mid->size(), 21u);
  EXPECT_EQ(mid->front(), 990u);
  EXPECT_EQ(mid->back(), 1010u);
  EXPECT_TRUE(log_.ListVersions(5, 4)->empty());
  EXPECT_EQ(log_.ListVersions(n, UINT64_MAX)->size(), 1u);

  // Below the oldest entry after clean-up: LastVersion finds the oldest first.
  size_t deleted = 0;
  ASSERT_TRUE(log_.DeleteThrough(1500, &deleted).ok());
  EXPECT_EQ(deleted, 1500u);
  EXPECT_EQ(*log_.OldestVersion(), 1501u);
  EXPECT_EQ(*log_.LastVersion(3), n);
  EXPECT_EQ(*log_.LastVersion(), n);
  EXPECT_EQ(log_.ListVersions(1, UINT64_MAX)->size(), n - 1500);
}

TEST_P(MetaLogTest, DeleteThrough) {
  AppendRange(1, 30);
  size_t deleted = 0;
  ASSERT_TRUE(log_.DeleteThrough(10, &deleted).ok());
  EXPECT_EQ(deleted, 10u);
  std::vector<std::string> expected;
  for (uint64_t v = 11; v <= 30; ++v) expected.push_back(log_.KeyOf(v));
  EXPECT_EQ(ts_.Keys(), expected);
  ASSERT_TRUE(log_.DeleteThrough(10, &deleted).ok());  // idempotent
  EXPECT_EQ(deleted, 0u);
  ASSERT_TRUE(log_.DeleteThrough(0, &deleted).ok());
  EXPECT_EQ(ts_.Keys(), expected);
  EXPECT_EQ(*log_.Read(11), Payload(11));
}

TEST_P(MetaLogTest, ListingSkipsForeignKeysAndOtherLineages) {
  AppendRange(1, 3);
  MetaLog other(ts_.store(), "ffffffffffffffffffffffffffffffff");
  ASSERT_TRUE(other.Append(7, "other lineage").ok());
  ASSERT_TRUE(ts_.store()->Put(std::string(kCluster) + "/meta/log/00000000000000000009x", "junk").ok());
  ASSERT_TRUE(ts_.store()->Put(std::string(kCluster) + "/meta/log/notes", "junk").ok());
  EXPECT_EQ(*log_.LastVersion(), 3u);
  EXPECT_EQ(*log_.ListVersions(0, UINT64_MAX), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(*other.LastVersion(), 7u);
}

TEST_P(MetaLogTest, MisplacedEntryIsDataLoss) {
  // Version 5's bytes stored under version 6, and another lineage's under 7.
  ASSERT_TRUE(ts_.store()->PutIfAbsent(log_.KeyOf(6), FrameLogEntry(kCluster, 5, "x")).ok());
  ASSERT_TRUE(ts_.store()->PutIfAbsent(log_.KeyOf(7), FrameLogEntry("someoneelse", 7, "x")).ok());
  auto r6 = log_.Read(6);
  EXPECT_EQ(r6.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r6.status().message().find("holds version 5, expected 6"), std::string::npos) << r6.status().ToString();
  EXPECT_NE(r6.status().message().find(log_.KeyOf(6)), std::string::npos) << r6.status().ToString();
  auto r7 = log_.Read(7);
  EXPECT_EQ(r7.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r7.status().message().find("lineage someoneelse"), std::string::npos) << r7.status().ToString();
}

// ---- framing (backend-independent) ----

TEST(LogFramingTest, RoundTripsIncludingEmptyAndBinaryPayloads) {
  for (std::string payload : {std::string(), std::string("a"), std::string("\0\xff\x80 binary", 10)}) {
    std::string framed = FrameLogEntry(kCluster, 42, payload);
    auto r = UnframeLogEntry(kCluster, 42, framed);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, payload);
  }
}

TEST(LogFramingTest, EveryByteFlipAndTruncationIsDataLoss) {
  const std::string framed = FrameLogEntry("c1", 7, "small payload");
  for (size_t pos = 0; pos < framed.size(); ++pos) {
    for (int mask : {0x01, 0x80, 0xff}) {
      std::string bad = framed;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      auto r = UnframeLogEntry("c1", 7, bad);
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "pos " << pos << " mask " << mask << ": "
                                                          << r.status().ToString();
    }
  }
  for (size_t len = 0; len < framed.size(); ++len) {
    auto r = UnframeLogEntry("c1", 7, std::string_view(framed).substr(0, len));
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "truncated to " << len;
  }
  auto longer = UnframeLogEntry("c1", 7, framed + "x");
  EXPECT_EQ(longer.status().code(), StatusCode::kDataLoss);
}

TEST(LogFramingTest, WrongLineageVersionOrKindIsDataLoss) {
  const std::string framed = FrameLogEntry("c1", 7, "p");
  auto lineage = UnframeLogEntry("c2", 7, framed);
  EXPECT_EQ(lineage.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(lineage.status().message().find("belongs to lineage c1, expected c2"), std::string::npos);
  auto version = UnframeLogEntry("c1", 8, framed);
  EXPECT_EQ(version.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(version.status().message().find("c1/meta/log/00000000000000000008"), std::string::npos)
      << version.status().ToString();
  auto image = UnframeLogEntry("c1", 7, FrameImage("c1", 7, "p"));
  EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(image.status().message().find("holds a record of kind 'image'"), std::string::npos)
      << image.status().ToString();
}

// Rewrites a framed record's format version (bytes 8..11) and its CRC.
std::string WithFormatVersion(std::string framed, uint32_t format_version) {
  for (int i = 0; i < 4; ++i) framed[8 + i] = static_cast<char>(format_version >> (8 * i));
  std::string body = framed.substr(0, framed.size() - 4);
  Encoder e;
  e.PutRaw(body);
  e.PutFixed32(Crc32c(body));
  return e.Take();
}

TEST(LogFramingTest, NewerFormatVersionIsFailedPrecondition) {
  auto r = UnframeLogEntry("c1", 7, WithFormatVersion(FrameLogEntry("c1", 7, "p"), 2));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_NE(r.status().message().find("written by a newer Strata"), std::string::npos);
  auto zero = UnframeLogEntry("c1", 7, WithFormatVersion(FrameLogEntry("c1", 7, "p"), 0));
  EXPECT_EQ(zero.status().code(), StatusCode::kDataLoss) << zero.status().ToString();
}

// A valid magic and checksum around absurd lengths: DataLoss, no allocation.
TEST(LogFramingTest, HugeLengthsWithValidChecksumAreDataLoss) {
  auto seal = [](Encoder e) {
    e.PutFixed32(Crc32c(e.data()));
    return e.Take();
  };
  Encoder huge_id;
  huge_id.PutRaw("STRATLOG");
  huge_id.PutFixed32(1);
  huge_id.PutVarint(UINT64_MAX);
  huge_id.PutRaw("0123456789abcdef0123");
  EXPECT_EQ(UnframeLogEntry("c1", 7, seal(huge_id)).status().code(), StatusCode::kDataLoss);
  Encoder huge_payload;
  huge_payload.PutRaw("STRATLOG");
  huge_payload.PutFixed32(1);
  huge_payload.PutString("c1");
  huge_payload.PutFixed64(7);
  huge_payload.PutFixed64(UINT64_MAX - 3);
  huge_payload.PutRaw("p");
  auto r = UnframeLogEntry("c1", 7, seal(huge_payload));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("payload length"), std::string::npos) << r.status().ToString();
}

TEST(LogFramingTest, RandomGarbageIsRejectedWithoutCrashing) {
  const char* env = std::getenv("STRATA_TEST_SEED");
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::cout << "seed " << seed << " (set STRATA_TEST_SEED to reproduce)\n";
  std::mt19937_64 rng(seed);
  const std::string framed = FrameLogEntry("c1", 7, "some payload bytes");
  for (int i = 0; i < 20'000; ++i) {
    std::string bad = framed;
    // Keep the magic half the time so the deeper checks are reached.
    size_t from = (i % 2 == 0) ? 8 : 0;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bad[from + rng() % (bad.size() - from)] = static_cast<char>(rng());
    }
    bad.resize(rng() % (bad.size() + 1));
    if (bad == framed) continue;
    auto r = UnframeLogEntry("c1", 7, bad);
    EXPECT_FALSE(r.ok()) << "iteration " << i;
  }
}

}  // namespace
}  // namespace strata::meta

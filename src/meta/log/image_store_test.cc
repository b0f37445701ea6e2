// Tests of ImageStore, the image framing and CleanUpMeta, over the in-memory
// and the local-directory backends.
#include "meta/log/image_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/failpoint.h"
#include "meta/log/meta_log.h"
#include "meta/log/test_stores.h"

namespace strata::meta {
namespace {

using testing_util::Backend;
using testing_util::TestStore;

constexpr char kCluster[] = "feedfacefeedfacefeedfacefeedface";

std::string ImagePayload(uint64_t v) { return fmt::format("catalog through version {}", v); }

class FixedRetention : public RetentionHook {
 public:
  explicit FixedRetention(std::optional<uint64_t> v) : v_(v) {}
  std::optional<uint64_t> OldestRetainedVersion() override { return v_; }

 private:
  std::optional<uint64_t> v_;
};

class ImageStoreTest : public testing::TestWithParam<Backend> {
 protected:
  ImageStoreTest() : ts_(GetParam()), log_(ts_.store(), kCluster), images_(ts_.store(), kCluster) {}

  // Log entries 1..45 and images at 10, 20, 30, 40.
  void Populate() {
    for (uint64_t v = 1; v <= 45; ++v) ASSERT_TRUE(log_.Append(v, "entry").ok());
    for (uint64_t v : {10, 20, 30, 40}) ASSERT_TRUE(images_.Write(v, ImagePayload(v)).ok());
  }
  // The keys that should remain: these images and log entries [first, 45].
  std::vector<std::string> Expected(std::vector<uint64_t> image_versions, uint64_t first_entry) {
    std::vector<std::string> keys;
    for (uint64_t v : image_versions) keys.push_back(images_.KeyOf(v));
    for (uint64_t v = first_entry; v <= 45; ++v) keys.push_back(log_.KeyOf(v));
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  TestStore ts_;
  MetaLog log_;
  ImageStore images_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ImageStoreTest, testing::Values(Backend::kMem, Backend::kLocal),
                         testing_util::BackendName);

TEST_P(ImageStoreTest, WriteListReadDelete) {
  EXPECT_TRUE(images_.List()->empty());
  for (uint64_t v : {30, 5, 12}) ASSERT_TRUE(images_.Write(v, ImagePayload(v)).ok());
  // Not images: a snapshot directory and stray names under meta/image/.
  ASSERT_TRUE(ts_.store()->Put(std::string(kCluster) + "/meta/image/automated_cluster_snapshot_1/manifest", "m").ok());
  ASSERT_TRUE(ts_.store()->Put(std::string(kCluster) + "/meta/image/image.12.tmp", "x").ok());
  EXPECT_EQ(*images_.List(), (std::vector<uint64_t>{5, 12, 30}));
  EXPECT_EQ(*images_.Read(12), ImagePayload(12));
  EXPECT_EQ(images_.KeyOf(12), std::string(kCluster) + "/meta/image/image.00000000000000000012");
  EXPECT_EQ(images_.Read(13).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(images_.Delete(12).ok());
  ASSERT_TRUE(images_.Delete(12).ok());  // idempotent
  EXPECT_EQ(*images_.List(), (std::vector<uint64_t>{5, 30}));
  EXPECT_EQ(images_.Write(0, "x").code(), StatusCode::kInvalidArgument);
}

TEST_P(ImageStoreTest, WriteIsIdempotentAndRejectsDifferentBytes) {
  ImageStore other(ts_.store(), kCluster);
  ASSERT_TRUE(images_.Write(7, "same").ok());
  ASSERT_TRUE(other.Write(7, "same").ok());
  Status s = other.Write(7, "different");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("two different images for version 7"), std::string::npos) << s.ToString();
  EXPECT_EQ(*images_.Read(7), "same");
}

TEST_P(ImageStoreTest, DamagedOrMisplacedImageIsDataLoss) {
  ASSERT_TRUE(ts_.store()->Put(images_.KeyOf(3), "garbage that is not an image").ok());
  ASSERT_TRUE(ts_.store()->Put(images_.KeyOf(4), FrameImage(kCluster, 5, "x")).ok());
  ASSERT_TRUE(ts_.store()->Put(images_.KeyOf(6), FrameLogEntry(kCluster, 6, "x")).ok());
  for (uint64_t v : {3, 4, 6}) {
    auto r = images_.Read(v);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << v;
    EXPECT_NE(r.status().message().find(images_.KeyOf(v)), std::string::npos) << r.status().ToString();
  }
}

TEST(ImageFramingTest, EveryByteFlipAndTruncationIsDataLoss) {
  const std::string framed = FrameImage("c1", 9, "tiny image");
  ASSERT_EQ(*UnframeImage("c1", 9, framed), "tiny image");
  for (size_t pos = 0; pos < framed.size(); ++pos) {
    for (int mask : {0x01, 0x80, 0xff}) {
      std::string bad = framed;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      EXPECT_EQ(UnframeImage("c1", 9, bad).status().code(), StatusCode::kDataLoss) << "pos " << pos;
    }
  }
  for (size_t len = 0; len < framed.size(); ++len) {
    EXPECT_EQ(UnframeImage("c1", 9, std::string_view(framed).substr(0, len)).status().code(), StatusCode::kDataLoss)
        << "truncated to " << len;
  }
  EXPECT_EQ(UnframeImage("c2", 9, framed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(UnframeImage("c1", 8, framed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(UnframeImage("c1", 9, FrameLogEntry("c1", 9, "tiny image")).status().code(), StatusCode::kDataLoss);
}

TEST_P(ImageStoreTest, CleanUpKeepsNewestImagesAndEntriesAfterTheOldestKept) {
  Populate();
  auto n = CleanUpMeta(log_, images_, 2, nullptr);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2u + 30u);  // images 10, 20; entries 1..30
  EXPECT_EQ(ts_.Keys(), Expected({30, 40}, 31));
  EXPECT_EQ(*CleanUpMeta(log_, images_, 2, nullptr), 0u);  // nothing more to do
}

TEST_P(ImageStoreTest, CleanUpHonoursTheRetentionHook) {
  Populate();
  FixedRetention hook(25);  // needs image 20 and every entry after it
  auto n = CleanUpMeta(log_, images_, 1, &hook);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1u + 20u);
  EXPECT_EQ(ts_.Keys(), Expected({20, 30, 40}, 21));
  FixedRetention exact(30);  // an image exactly at the retained version
  EXPECT_EQ(*CleanUpMeta(log_, images_, 1, &exact), 1u + 10u);
  EXPECT_EQ(ts_.Keys(), Expected({30, 40}, 31));
}

TEST_P(ImageStoreTest, CleanUpDeletesNothingWhenTheHookNeedsAVersionBelowEveryImage) {
  Populate();
  FixedRetention hook(5);
  EXPECT_EQ(*CleanUpMeta(log_, images_, 1, &hook), 0u);
  EXPECT_EQ(ts_.Keys(), Expected({10, 20, 30, 40}, 1));
  FixedRetention none(std::nullopt);  // nothing retained: like no hook
  EXPECT_EQ(*CleanUpMeta(log_, images_, 1, &none), 3u + 40u);
  EXPECT_EQ(ts_.Keys(), Expected({40}, 41));
}

TEST_P(ImageStoreTest, CleanUpNeverDeletesTheOnlyImageOrEntriesAfterIt) {
  for (uint64_t v = 1; v <= 45; ++v) ASSERT_TRUE(log_.Append(v, "entry").ok());
  EXPECT_EQ(*CleanUpMeta(log_, images_, 1, nullptr), 0u);  // no image: the log is everything
  ASSERT_TRUE(images_.Write(10, ImagePayload(10)).ok());
  // Fewer images than kept: the log before the image stays too, so a follower
  // a little behind the first checkpoint still finds its entries.
  EXPECT_EQ(*CleanUpMeta(log_, images_, 3, nullptr), 0u);
  EXPECT_EQ(ts_.Keys(), Expected({10}, 1));
  EXPECT_EQ(CleanUpMeta(log_, images_, 0, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ts_.Keys(), Expected({10}, 1));
}

TEST_P(ImageStoreTest, CleanUpInterruptedBetweenImagesAndLogResumes) {
  Populate();
  failpoint::Arm("meta.cleanup.between_images_and_log", {.action = failpoint::Action::kError});
  auto n = CleanUpMeta(log_, images_, 1, nullptr);
  EXPECT_EQ(n.status().code(), StatusCode::kUnavailable) << n.status().ToString();
  // Old images are gone, the log is whole: replayable from image 40.
  EXPECT_EQ(ts_.Keys(), Expected({40}, 1));
  failpoint::DisarmAll();
  EXPECT_EQ(*CleanUpMeta(log_, images_, 1, nullptr), 40u);
  EXPECT_EQ(ts_.Keys(), Expected({40}, 41));
}

TEST_P(ImageStoreTest, ImageFailpoints) {
  failpoint::Arm("meta.image.before_write", {.action = failpoint::Action::kError});
  EXPECT_EQ(images_.Write(3, "x").code(), StatusCode::kUnavailable);
  EXPECT_TRUE(images_.List()->empty());
  failpoint::DisarmAll();
  failpoint::Arm("meta.image.after_write", {.action = failpoint::Action::kError});
  EXPECT_EQ(images_.Write(3, "x").code(), StatusCode::kUnavailable);
  failpoint::DisarmAll();
  EXPECT_EQ(*images_.Read(3), "x");  // durable before the failpoint
  EXPECT_TRUE(images_.Write(3, "x").ok());
}

}  // namespace
}  // namespace strata::meta

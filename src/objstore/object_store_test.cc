#include "objstore/object_store.h"

#include <gtest/gtest.h>

#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

TEST(ValidateKey, AcceptsOrdinaryKeys) {
  for (const char* k : {"a", "a/b/c", "meta/log/00000000000000000001", "x.y-z_0", "a/.hidden", "a/..b"}) {
    EXPECT_TRUE(ValidateKey(k).ok()) << k;
  }
}

TEST(ValidateKey, RejectsMalformedKeys) {
  EXPECT_EQ(ValidateKey("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey("/a").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey("a//b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey("a/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey("a/./b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey("..").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey(std::string("a\0b", 3)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKey(std::string(kKeyBytesMax + 1, 'k')).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateKey(std::string(kKeyBytesMax, 'k')).ok());
}

TEST(ValidateListOptions, BoundsPageSizeAndDelimiter) {
  ListOptions o;
  EXPECT_TRUE(ValidateListOptions(o).ok());
  o.max_keys = kListPageMax + 1;
  EXPECT_FALSE(ValidateListOptions(o).ok());
  o.max_keys = 10;
  o.delimiter = ",";
  EXPECT_FALSE(ValidateListOptions(o).ok());
}

TEST(ListAll, FollowsContinuationsAndStopsAtTheBound) {
  MemObjectStore store;
  for (int i = 0; i < 2500; ++i) ASSERT_TRUE(store.Put("p/" + std::to_string(i), "x").ok());
  ASSERT_TRUE(store.Put("q", "x").ok());
  Result<std::vector<ObjectMeta>> all = ListAll(store, "p/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2500u);
  EXPECT_EQ(ListAll(store, "p/", 1200).status().code(), StatusCode::kResourceExhausted);
}

TEST(DeletePrefix, DeletesOnlyUnderThePrefix) {
  MemObjectStore store;
  for (int i = 0; i < 1500; ++i) ASSERT_TRUE(store.Put("p/" + std::to_string(i), "x").ok());
  ASSERT_TRUE(store.Put("keep", "x").ok());
  Result<size_t> n = DeletePrefix(store, "p/");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1500u);
  EXPECT_EQ(ListAll(store, "")->size(), 1u);
}

TEST(PutMultipart, RefusesPartsBelowTheMinimum) {
  MemObjectStore store;
  EXPECT_EQ(PutMultipart(store, "k", "data", 1024).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Head("k").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::objstore

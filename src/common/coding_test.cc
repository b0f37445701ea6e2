#include "common/coding.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/crc32c.h"

namespace strata {
namespace {

TEST(Coding, RoundTripsEveryKind) {
  Encoder e;
  e.PutFixed32(0xDEADBEEF);
  e.PutFixed64(0x0123456789ABCDEFull);
  for (uint64_t v : std::initializer_list<uint64_t>{0, 1, 127, 128, 300, std::numeric_limits<uint64_t>::max()}) e.PutVarint(v);
  for (int64_t v : std::initializer_list<int64_t>{0, -1, 1, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    e.PutSignedVarint(v);
  }
  e.PutBool(true);
  e.PutString(std::string("a\0b", 3));
  e.PutString("");
  std::string bytes = e.Take();

  Decoder d(bytes);
  uint32_t f32;
  uint64_t f64, v;
  int64_t sv;
  bool b;
  std::string s;
  ASSERT_TRUE(d.GetFixed32(&f32).ok());
  EXPECT_EQ(f32, 0xDEADBEEF);
  ASSERT_TRUE(d.GetFixed64(&f64).ok());
  EXPECT_EQ(f64, 0x0123456789ABCDEFull);
  for (uint64_t want : std::initializer_list<uint64_t>{0, 1, 127, 128, 300, std::numeric_limits<uint64_t>::max()}) {
    ASSERT_TRUE(d.GetVarint(&v).ok());
    EXPECT_EQ(v, want);
  }
  for (int64_t want : std::initializer_list<int64_t>{0, -1, 1, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    ASSERT_TRUE(d.GetSignedVarint(&sv).ok());
    EXPECT_EQ(sv, want);
  }
  ASSERT_TRUE(d.GetBool(&b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(d.GetString(&s).ok());
  EXPECT_EQ(s, std::string("a\0b", 3));
  ASSERT_TRUE(d.GetString(&s).ok());
  EXPECT_EQ(s, "");
  EXPECT_TRUE(d.empty());
}

TEST(Coding, TruncatedAndOverlongInputIsDataLoss) {
  Encoder e;
  e.PutString("hello");
  std::string bytes = e.Take();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Decoder d(std::string_view(bytes).substr(0, cut));
    std::string s;
    EXPECT_EQ(d.GetString(&s).code(), StatusCode::kDataLoss) << cut;
  }
  std::string overlong(11, '\xff');
  Decoder d(overlong);
  uint64_t v;
  EXPECT_EQ(d.GetVarint(&v).code(), StatusCode::kDataLoss);
  Decoder bad_bool(std::string_view("\x02", 1));
  bool b;
  EXPECT_EQ(bad_bool.GetBool(&b).code(), StatusCode::kDataLoss);
}

TEST(Crc32c, MatchesKnownVectors) {
  // RFC 3720 (iSCSI) test vectors.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  // Extending in pieces equals one pass.
  EXPECT_EQ(Crc32cExtend(Crc32c("12345"), "6789"), Crc32c("123456789"));
}

}  // namespace
}  // namespace strata

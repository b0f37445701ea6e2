#include "server/mysql/auth.h"

#include <gtest/gtest.h>

namespace strata::server::mysql {
namespace {

std::string Hex(std::string_view s) {
  static const char* d = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

TEST(AuthTest, Sha1KnownVectors) {
  EXPECT_EQ(Hex(Sha1("")), "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
  EXPECT_EQ(Hex(Sha1("abc")), "A9993E364706816ABA3E25717850C26C9CD0D89D");
}

TEST(AuthTest, NativeHashMatchesMysqlPasswordFunction) {
  // MySQL 5.7: SELECT PASSWORD('password') = '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'.
  EXPECT_EQ(Hex(NativePasswordHash("password")), "2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  // SELECT PASSWORD('root') = '*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B'.
  EXPECT_EQ(Hex(NativePasswordHash("root")), "81F5E21E35407D884A6CD4A731AEBFB6AF209E1B");
  EXPECT_EQ(NativePasswordHash(""), "");
}

TEST(AuthTest, NativeResponseKnownVector) {
  // Client token for password "password" and scramble "12345678901234567890":
  // SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))), computed independently.
  std::string scramble = "12345678901234567890";
  std::string token = NativeAuthResponse("password", scramble);
  ASSERT_EQ(token.size(), 20u);
  std::string stage1 = Sha1("password");
  std::string mask = Sha1(scramble + Sha1(stage1));
  for (size_t i = 0; i < 20; i++) EXPECT_EQ(static_cast<char>(token[i] ^ mask[i]), stage1[i]);
}

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(AuthTest, VerifyKnownClientToken) {
  // Computed with Python's hashlib (an independent implementation).
  std::string scramble = "abcdefghijklmnopqrst";
  std::string token = Unhex("BFDD49584B917D42C758EDD2A7A541F721843041");
  EXPECT_EQ(Hex(NativeAuthResponse("password", scramble)), "BFDD49584B917D42C758EDD2A7A541F721843041");
  EXPECT_TRUE(VerifyNativePassword(scramble, NativePasswordHash("password"), token));
  EXPECT_FALSE(VerifyNativePassword(scramble, NativePasswordHash("Password"), token));
}

TEST(AuthTest, VerifyAcceptsTheRightPasswordOnly) {
  std::string scramble = NewScramble();
  std::string stored = NativePasswordHash("s3cret");
  EXPECT_TRUE(VerifyNativePassword(scramble, stored, NativeAuthResponse("s3cret", scramble)));
  EXPECT_FALSE(VerifyNativePassword(scramble, stored, NativeAuthResponse("s3creT", scramble)));
  EXPECT_FALSE(VerifyNativePassword(scramble, stored, NativeAuthResponse("s3cret", NewScramble())));
  EXPECT_FALSE(VerifyNativePassword(scramble, stored, ""));                       // no password sent
  EXPECT_FALSE(VerifyNativePassword(scramble, stored, std::string(19, 'x')));     // wrong length
  EXPECT_FALSE(VerifyNativePassword(scramble, stored, std::string(21, 'x')));
}

TEST(AuthTest, EmptyPasswordAcceptsOnlyAnEmptyResponse) {
  std::string scramble = NewScramble();
  EXPECT_TRUE(VerifyNativePassword(scramble, "", ""));
  EXPECT_FALSE(VerifyNativePassword(scramble, "", NativeAuthResponse("x", scramble)));
}

TEST(AuthTest, ScrambleIsTwentySafeBytes) {
  for (int i = 0; i < 100; i++) {
    std::string s = NewScramble();
    ASSERT_EQ(s.size(), kScrambleBytes);
    for (char c : s) {
      EXPECT_NE(c, '\0');
      EXPECT_NE(c, '$');
      EXPECT_GT(static_cast<unsigned char>(c), 0);
      EXPECT_LT(static_cast<unsigned char>(c), 128);
    }
  }
  EXPECT_NE(NewScramble(), NewScramble());
}

}  // namespace
}  // namespace strata::server::mysql

// Authentication for the MySQL protocol: the 20-byte scramble and the
// mysql_native_password exchange.
//
//   stored  = SHA1(SHA1(password))           (what the catalog keeps; sql::AuthInfo::native_hash)
//   client  = SHA1(password) XOR SHA1(scramble + stored)
//   server  : candidate = client XOR SHA1(scramble + stored); ok iff SHA1(candidate) == stored
//
// An account without a password has an empty stored hash and accepts only an
// empty response. caching_sha2_password clients are switched to
// mysql_native_password with an AuthSwitchRequest (connection.cc).
//
// Thread-safety: pure functions; NewScramble uses the OS random source.
#pragma once

#include <string>
#include <string_view>

namespace strata::server::mysql {

inline constexpr size_t kScrambleBytes = 20;
inline constexpr const char* kNativePlugin = "mysql_native_password";
inline constexpr const char* kCachingSha2Plugin = "caching_sha2_password";

// 20 random bytes in 1..127 without '$' (as MySQL: printable-safe, no NUL,
// since the scramble's second part travels NUL-terminated).
std::string NewScramble();

std::string Sha1(std::string_view data);

// SHA1(SHA1(password)), 20 raw bytes; empty for an empty password.
std::string NativePasswordHash(std::string_view password);

// The client side of mysql_native_password (tests and tools): empty for an
// empty password.
std::string NativeAuthResponse(std::string_view password, std::string_view scramble);

// True iff `response` proves knowledge of the password behind `stored_hash`
// for this `scramble`. Constant-time in the compared bytes.
bool VerifyNativePassword(std::string_view scramble, std::string_view stored_hash, std::string_view response);

}  // namespace strata::server::mysql

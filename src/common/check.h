// Assertions for programmer errors. They stay on in release builds: a broken
// invariant in a storage system must stop the process loudly, never continue.
//
//   STRATA_CHECK(cond, "message");      // message: anything convertible to std::string
//   STRATA_CHECK_EQ(a, b); STRATA_CHECK_LT(a, b); ...
#pragma once

#include <string>
#include <string_view>

namespace strata::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, std::string_view message);
}  // namespace strata::internal

#define STRATA_CHECK(cond, ...)                                                          \
  do {                                                                                   \
    if (!(cond)) [[unlikely]] {                                                          \
      ::strata::internal::CheckFailed(__FILE__, __LINE__, #cond, std::string(__VA_ARGS__)); \
    }                                                                                    \
  } while (0)

#define STRATA_CHECK_OP_(a, op, b) STRATA_CHECK((a)op(b), "expected " #a " " #op " " #b)
#define STRATA_CHECK_EQ(a, b) STRATA_CHECK_OP_(a, ==, b)
#define STRATA_CHECK_NE(a, b) STRATA_CHECK_OP_(a, !=, b)
#define STRATA_CHECK_LT(a, b) STRATA_CHECK_OP_(a, <, b)
#define STRATA_CHECK_LE(a, b) STRATA_CHECK_OP_(a, <=, b)
#define STRATA_CHECK_GT(a, b) STRATA_CHECK_OP_(a, >, b)
#define STRATA_CHECK_GE(a, b) STRATA_CHECK_OP_(a, >=, b)

#include "common/uninit_string.h"

#include <gtest/gtest.h>

#include <cstring>

namespace strata {
namespace {

TEST(UninitializedStringTest, HasTheSizeAskedForAndHoldsWhatIsWritten) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{4096}, size_t{3} << 20}) {
    std::string s = UninitializedString(n);
    ASSERT_EQ(s.size(), n);
    ASSERT_GE(s.capacity(), n);
    ASSERT_EQ(s.data()[n], '\0');  // still a C string
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    for (size_t i = 0; i < n; i += 997) ASSERT_EQ(s[i], static_cast<char>('a' + i % 26)) << n << " " << i;
  }
}

}  // namespace
}  // namespace strata

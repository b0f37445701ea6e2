#include "storage/string_column.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace strata::storage {
namespace {

std::vector<std::string> Strings(const StringColumn& c) { return {c.begin(), c.end()}; }

// Appends of every size (empty, short, past a block, one larger than any
// block) keep every earlier view valid and equal to what was appended.
TEST(StringColumnTest, ViewsStayValidAsTheColumnGrows) {
  std::mt19937 rng(7);
  StringColumn c;
  std::vector<std::string> expected;
  std::vector<std::string_view> first_views;
  for (int i = 0; i < 5000; ++i) {
    const size_t n = i % 997 == 0 ? (size_t{3} << 20) : rng() % 40;
    std::string v(n, static_cast<char>('a' + rng() % 26));
    if (!v.empty()) v[0] = static_cast<char>('0' + i % 10);
    c.push_back(v);
    expected.push_back(v);
    if (i < 100) first_views.push_back(c[i]);
  }
  EXPECT_EQ(Strings(c), expected);
  for (size_t i = 0; i < first_views.size(); ++i) EXPECT_EQ(first_views[i], expected[i]) << i;
  // A value of the column itself may be appended again.
  c.push_back(c[1]);
  EXPECT_EQ(c.back(), expected[1]);
}

TEST(StringColumnTest, CopyOwnsItsBytesAndMoveLeavesAnEmptyUsableColumn) {
  StringColumn a{"alpha", "", "a string longer than sixteen bytes"};
  StringColumn copy = a;
  EXPECT_EQ(copy, a);
  EXPECT_NE(copy[0].data(), a[0].data());
  a.clear();  // frees a's blocks: the copy's bytes are its own
  a = StringColumn{"changed", "", "a string longer than sixteen bytes"};
  EXPECT_EQ(copy[0], "alpha");
  EXPECT_EQ(copy[2], "a string longer than sixteen bytes");
  EXPECT_EQ(a[0], "changed");

  StringColumn moved = std::move(a);
  EXPECT_EQ(Strings(moved), (std::vector<std::string>{"changed", "", "a string longer than sixteen bytes"}));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the documented state
  EXPECT_EQ(a.BlockBytes(), 0u);
  a.push_back("fresh");  // into a block of its own, not the moved one's
  EXPECT_EQ(a[0], "fresh");
  EXPECT_EQ(moved[0], "changed");

  copy = moved;
  EXPECT_EQ(copy, moved);
  copy.clear();
  EXPECT_TRUE(copy.empty());
  EXPECT_EQ(copy.BlockBytes(), 0u);
}

// A dictionary stored once: rows view the stored entries, sharing their bytes.
TEST(StringColumnTest, StoredBytesAreSharedByTheRowsThatViewThem) {
  StringColumn c;
  const std::string_view ship = c.StoreBytes("DELIVER IN PERSON");
  const std::string_view mail = c.StoreBytes("MAIL");
  const uint64_t blocks = c.BlockBytes();
  for (int i = 0; i < 1000; ++i) c.AppendStoredView(i % 3 ? ship : mail);
  EXPECT_EQ(c.BlockBytes(), blocks);
  EXPECT_EQ(c.size(), 1000u);
  EXPECT_EQ(c[0], "MAIL");
  EXPECT_EQ(c[1], "DELIVER IN PERSON");
  EXPECT_EQ(c[1].data(), c[2].data());
  // Many rows at once, by index into the stored entries.
  const std::string_view entries[] = {ship, mail};
  const uint32_t index[] = {1, 0, 0, 1, 1};
  c.AppendStoredViews(entries, index, 5);
  EXPECT_EQ(c.BlockBytes(), blocks);
  ASSERT_EQ(c.size(), 1005u);
  EXPECT_EQ(c[999], "MAIL");  // the rows before are intact
  EXPECT_EQ(c[1000], "MAIL");
  EXPECT_EQ(c[1001], "DELIVER IN PERSON");
  EXPECT_EQ(c[1003].data(), mail.data());
  EXPECT_EQ(c[1004], "MAIL");
}

TEST(StringColumnTest, AppendReserveAndResize) {
  StringColumn src{"x", "yy", "zzz", "wwww"};
  StringColumn c{"first"};
  c.ReserveBytes(100);
  const uint64_t blocks = c.BlockBytes();
  c.Append(src, 1, 3);
  EXPECT_EQ(c.BlockBytes(), blocks);  // the reserved block held them
  EXPECT_EQ(Strings(c), (std::vector<std::string>{"first", "yy", "zzz"}));
  c.resize(5);
  EXPECT_EQ(c[4], "");
  c.resize(1);
  EXPECT_EQ(Strings(c), (std::vector<std::string>{"first"}));
  // Reordering views in place (what a filter keeping rows does).
  StringColumn d{"a", "b", "c"};
  std::vector<std::string_view>& views = d.MutableViews();
  views[0] = views[2];
  views.resize(1);
  EXPECT_EQ(Strings(d), (std::vector<std::string>{"c"}));
}

// Appending batch after batch grows the view array geometrically: the number
// of reallocations stays logarithmic (an exact reserve per append made a join's
// build side quadratic).
TEST(StringColumnTest, RepeatedAppendsGrowGeometrically) {
  StringColumn one{"value"};
  StringColumn c;
  size_t reallocations = 0;
  for (int i = 0; i < 20000; ++i) {
    const size_t before = c.capacity();
    c.Append(one, 0, 1);
    reallocations += c.capacity() != before;
  }
  EXPECT_EQ(c.size(), 20000u);
  EXPECT_EQ(c[19999], "value");
  EXPECT_LE(reallocations, 20u);
}

}  // namespace
}  // namespace strata::storage

#include "storage/string_column.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <thread>
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

// Every row of a coded column views the entry its code names.
void ExpectCodesMatchViews(const StringColumn& c) {
  ASSERT_TRUE(c.coded());
  for (size_t i = 0; i < c.size(); ++i) {
    ASSERT_LT(c.codes()[i], c.entries().size()) << i;
    const std::string_view e = c.entries()[c.codes()[i]];
    EXPECT_EQ(c[i].data(), e.data()) << i;
    EXPECT_EQ(c[i].size(), e.size()) << i;
  }
}

// TRUCK AIR TRUCK "" TRUCK AIR, coded over the entries AIR TRUCK "".
StringColumn CodedSample() {
  StringColumn c;
  const std::string_view stored[] = {c.StoreBytes("AIR"), c.StoreBytes("TRUCK"), c.StoreBytes("")};
  const uint32_t index[] = {1, 0, 1, 2, 1, 0};
  c.AppendCodedViews(stored, 3, index, 6);
  return c;
}

// Codes: set by AppendCodedViews into an empty column, carried by KeepRows,
// by AppendGathered into an empty column and by a move; dropped (the values
// unchanged) by every other change of the rows.
TEST(StringColumnTest, DictionaryCodesAreKeptOnlyWhereTheyStayTrue) {
  auto coded = [] { return CodedSample(); };
  const std::vector<std::string> values = {"TRUCK", "AIR", "TRUCK", "", "TRUCK", "AIR"};
  StringColumn c = coded();
  EXPECT_EQ(Strings(c), values);
  ExpectCodesMatchViews(c);
  EXPECT_EQ(c.entries().size(), 3u);
  EXPECT_GT(c.CodeBytes(), 0u);

  // Into a column with rows already: views appended, no codes.
  StringColumn later = coded();
  const std::string_view more[] = {later.StoreBytes("SHIP")};
  const uint32_t zero[] = {0, 0};
  later.AppendCodedViews(more, 1, zero, 2);
  EXPECT_FALSE(later.coded());
  EXPECT_EQ(later[7], "SHIP");
  EXPECT_EQ(later[0], "TRUCK");

  const uint32_t keep[] = {1, 3, 4};
  c.KeepRows(keep, 3);
  EXPECT_EQ(Strings(c), (std::vector<std::string>{"AIR", "", "TRUCK"}));
  ExpectCodesMatchViews(c);

  // Gathered into an empty column: the entries' bytes are the new column's own.
  StringColumn src = coded();
  const uint32_t picks[] = {5, 5, 0, 3};
  StringColumn gathered;
  gathered.AppendGathered(src, picks, 4);
  EXPECT_EQ(Strings(gathered), (std::vector<std::string>{"AIR", "AIR", "TRUCK", ""}));
  ExpectCodesMatchViews(gathered);
  EXPECT_NE(gathered[0].data(), src[5].data());
  src.clear();  // the gathered column does not view src's bytes
  EXPECT_EQ(gathered[2], "TRUCK");
  // Fewer rows than entries, or into a column with rows: bytes per row, no codes.
  StringColumn src2 = coded();
  StringColumn few;
  few.AppendGathered(src2, picks, 2);
  EXPECT_FALSE(few.coded());
  EXPECT_EQ(Strings(few), (std::vector<std::string>{"AIR", "AIR"}));
  StringColumn nonempty{"x", "y", "z"};
  nonempty.AppendGathered(src2, picks, 4);
  EXPECT_FALSE(nonempty.coded());
  EXPECT_EQ(nonempty[3], "AIR");

  StringColumn moved = coded();
  StringColumn taken = std::move(moved);
  ExpectCodesMatchViews(taken);
  EXPECT_FALSE(moved.coded());  // NOLINT(bugprone-use-after-move): the documented state
  EXPECT_EQ(Strings(taken), values);

  // Every other change drops the codes and leaves the values.
  std::vector<std::function<void(StringColumn&)>> changes = {
      [](StringColumn& x) { x.push_back("RAIL"); },
      [](StringColumn& x) { x.emplace_back(); },
      [](StringColumn& x) { x.AppendStoredView(x.StoreBytes("RAIL")); },
      [](StringColumn& x) {
        const std::string_view e[] = {x.StoreBytes("RAIL")};
        const uint32_t i[] = {0};
        x.AppendStoredViews(e, i, 1);
      },
      [](StringColumn& x) { x.Append(StringColumn{"RAIL"}, 0, 1); },
      [](StringColumn& x) { x.resize(6); },
      [](StringColumn& x) { x.MutableViews(); },
  };
  for (size_t k = 0; k < changes.size(); ++k) {
    StringColumn x = coded();
    changes[k](x);
    EXPECT_FALSE(x.coded()) << k;
    EXPECT_EQ(x.CodeBytes(), 0u) << k;
    std::vector<std::string> got = Strings(x);
    ASSERT_GE(got.size(), 6u) << k;
    got.resize(6);
    EXPECT_EQ(got, values) << k;
  }
  const StringColumn original = coded();
  StringColumn copy = original;
  EXPECT_FALSE(copy.coded());
  EXPECT_EQ(Strings(copy), values);
  StringColumn cleared = coded();
  cleared.clear();
  EXPECT_FALSE(cleared.coded());
}

// A coded column's views are built when first read: before that, its size,
// KeepRows, a move and a gather from it work on codes alone, and the views
// built afterwards are the ones the codes name; readers on several threads
// at once all see them.
TEST(StringColumnTest, ViewsOfACodedColumnAreBuiltWhenFirstRead) {
  StringColumn c = CodedSample();
  EXPECT_EQ(c.size(), 6u);
  EXPECT_FALSE(c.empty());
  const uint32_t keep[] = {1, 3, 4};
  c.KeepRows(keep, 3);  // views not built yet
  EXPECT_EQ(c.size(), 3u);
  StringColumn moved = std::move(c);
  StringColumn gathered;
  const uint32_t picks[] = {2, 2, 0, 1};
  gathered.AppendGathered(moved, picks, 4);
  EXPECT_EQ(Strings(moved), (std::vector<std::string>{"AIR", "", "TRUCK"}));
  ExpectCodesMatchViews(moved);
  EXPECT_EQ(Strings(gathered), (std::vector<std::string>{"TRUCK", "TRUCK", "AIR", ""}));
  ExpectCodesMatchViews(gathered);
  StringColumn copied = CodedSample();
  EXPECT_EQ(StringColumn(copied), CodedSample());  // a copy (and ==) reads the views

  StringColumn big;
  const std::string_view stored[] = {big.StoreBytes("MAIL"), big.StoreBytes("SHIP"), big.StoreBytes("RAIL")};
  std::vector<uint32_t> index(100000);
  for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<uint32_t>(i * 7 % 3);
  big.AppendCodedViews(stored, 3, index.data(), index.size());
  std::vector<size_t> wrong(4, 0);
  std::vector<std::thread> readers;
  for (size_t t = 0; t < wrong.size(); ++t) {
    readers.emplace_back([&, t] {
      const std::string_view* v = big.data();
      for (size_t i = 0; i < index.size(); ++i) wrong[t] += v[i].data() != stored[index[i]].data();
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong, std::vector<size_t>(4, 0));
  EXPECT_EQ(big.size(), index.size());
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

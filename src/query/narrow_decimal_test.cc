// Narrow DECIMAL columns (Column::narrow, types.h): values held in 64 bits
// must read, move and compute exactly as the same values held in 128 bits.
// Each test builds both forms of one column and checks the narrow one
// against values worked out here (not against another engine path).
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "query/expr.h"
#include "query/select_rows.h"
#include "sql/mysql_errors.h"
#include "storage/column_vector.h"

namespace strata::query {
namespace {

using Values = std::vector<std::optional<int64_t>>;  // nullopt = NULL

// A narrow column of `t` holding `values`; a NULL row's 64-bit slot holds
// `null_garbage` (loops must not read meaning into it).
Column Narrow(const Type& t, const Values& values, int64_t null_garbage = 0) {
  Column c(t);
  c.ResizeForNarrowOverwrite(values.size());
  for (size_t r = 0; r < values.size(); ++r) {
    c.mutable_nulls()[r] = values[r] ? 0 : 1;
    c.mutable_i64()[r] = values[r] ? *values[r] : null_garbage;
  }
  return c;
}

// Row r of `c` as text (NULL: "NULL"), through the 128-bit accessor.
std::string Cell(const Column& c, size_t r) { return c.IsNull(r) ? "NULL" : FormatInt128(c.I128(r)); }

std::vector<std::string> Cells(const Column& c) {
  std::vector<std::string> out;
  for (size_t r = 0; r < c.Size(); ++r) out.push_back(Cell(c, r));
  return out;
}

TEST(NarrowColumnTest, StaysNarrowUntilAValueNeeds128Bits) {
  Column c = Narrow(Type::Decimal(30, 2), {5, std::nullopt, -7});
  ASSERT_TRUE(c.narrow());
  c.AppendI128(INT64_MIN);  // fits: stays narrow
  c.AppendNull();
  EXPECT_TRUE(c.narrow());
  EXPECT_EQ(Cells(c), (std::vector<std::string>{"5", "NULL", "-7", "-9223372036854775808", "NULL"}));
  const int128 big = int128{1} << 70;
  c.AppendI128(big);  // does not fit: the column turns wide, every value kept
  EXPECT_FALSE(c.narrow());
  EXPECT_EQ(Cells(c), (std::vector<std::string>{"5", "NULL", "-7", "-9223372036854775808", "NULL",
                                                "1180591620717411303424"}));
  EXPECT_EQ(c.i128_data()[2], -7);
  EXPECT_EQ(c.At(0).i128, 5);
}

TEST(NarrowColumnTest, GatherKeepRowsAndAppendKeepEveryValue) {
  const Type t = Type::Decimal(20, 0);
  Column n = Narrow(t, {1, std::nullopt, -3, 4}, 99);
  const uint32_t rows[] = {0, 2, 3};
  Column g = n.Gather(rows, 3);
  EXPECT_TRUE(g.narrow());
  EXPECT_EQ(Cells(g), (std::vector<std::string>{"1", "-3", "4"}));
  Column k = n;
  k.KeepRows(rows, 3);
  EXPECT_TRUE(k.narrow());
  EXPECT_EQ(Cells(k), (std::vector<std::string>{"1", "-3", "4"}));

  Column wide(t);
  wide.AppendI128(int128{1} << 80);
  wide.AppendNull();
  // narrow += narrow stays narrow; narrow += wide widens; wide += narrow widens each value.
  Column a = n;
  a.AppendColumn(g);
  EXPECT_TRUE(a.narrow());
  EXPECT_EQ(Cells(a), (std::vector<std::string>{"1", "NULL", "-3", "4", "1", "-3", "4"}));
  Column b = n;
  b.AppendColumn(wide);
  EXPECT_FALSE(b.narrow());
  EXPECT_EQ(Cells(b), (std::vector<std::string>{"1", "NULL", "-3", "4", "1208925819614629174706176", "NULL"}));
  Column w = wide;
  w.AppendColumn(n);
  EXPECT_FALSE(w.narrow());
  EXPECT_EQ(Cells(w), (std::vector<std::string>{"1208925819614629174706176", "NULL", "1", "NULL", "-3", "4"}));
  // A constant (wide) appended to a narrow column, and the reverse.
  Column c = n;
  c.AppendColumn(Column::Constant(t, Scalar::I128(-2), 2));
  EXPECT_EQ(Cells(c), (std::vector<std::string>{"1", "NULL", "-3", "4", "-2", "-2"}));
  Column empty(t);  // an empty column takes the 64-bit form of what is appended
  empty.AppendColumn(n);
  EXPECT_TRUE(empty.narrow());
  EXPECT_EQ(Cells(empty), Cells(n));
  Column m = n.Materialize();
  EXPECT_EQ(Cells(m), Cells(n));
  Column wd = n;
  wd.Widen();
  EXPECT_FALSE(wd.narrow());
  EXPECT_EQ(Cells(wd), Cells(n));
}

TEST(NarrowColumnTest, ScansTakeDecimalsOfAtMost18DigitsWithoutWidening) {
  storage::ColumnVector v(storage::ColumnType{.type = storage::DataType::kDecimal, .precision = 15, .scale = 2});
  v.AppendInt(-123456789012345);
  v.AppendNull();
  v.AppendInt(7);
  Column c = FromStorageVector(std::move(v));
  EXPECT_TRUE(c.narrow());
  EXPECT_EQ(c.type(), Type::Decimal(15, 2));
  EXPECT_EQ(Cells(c), (std::vector<std::string>{"-123456789012345", "NULL", "7"}));
  storage::ColumnVector w(storage::ColumnType{.type = storage::DataType::kDecimal, .precision = 30, .scale = 2});
  w.AppendWide(int128{1} << 90);
  Column cw = FromStorageVector(std::move(w));
  EXPECT_FALSE(cw.narrow());
  EXPECT_EQ(Cell(cw, 0), "1237940039285380274899124224");
}

BoundExprPtr Arith(ArithOp op, const Type& result, BoundExprPtr a, BoundExprPtr b) {
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = op, e->type = result;
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

// x op y of two operands at scales sa and sb into scale s (+ - scale both up
// to s; * adds the scales), computed here in 128 bits.
int128 Expected(ArithOp op, int128 x, int sa, int128 y, int sb, int s) {
  if (op == ArithOp::kMul) return x * y;
  x *= Pow10(s - sa), y *= Pow10(s - sb);
  return op == ArithOp::kAdd ? x + y : x - y;
}

// Random narrow operands (NULL rows holding garbage, some that would
// overflow if used), every operator, a constant on either side, magnitudes
// that need the checked loop or not: the answer is exact.
TEST(NarrowDecimalArithTest, ResultsAreExactForEveryOperatorAndConstantSide) {
  std::mt19937_64 rng(20261130);
  const Type ta = Type::Decimal(15, 2), tb = Type::Decimal(12, 3);
  for (int round = 0; round < 20; ++round) {
    const size_t n = 1 + rng() % 300;
    Values av, bv;
    const int64_t span = round % 2 ? 999'999'999'999'999 : 10'000;
    auto value = [&rng](int64_t half) -> std::optional<int64_t> {  // NULL one time in nine
      if (rng() % 9 == 0) return std::nullopt;
      return static_cast<int64_t>(rng() % static_cast<uint64_t>(2 * half)) - half;
    };
    for (size_t r = 0; r < n; ++r) {
      av.push_back(value(span));
      bv.push_back(value(1'000'000));
    }
    Chunk ch{.rows = n};
    // Garbage past 62 bits in NULL rows forces the checked loop; small garbage lets it run unchecked.
    const bool big_garbage = round % 4 < 2;
    ch.columns.push_back(Narrow(ta, av, big_garbage ? INT64_MAX : 3));
    ch.columns.push_back(Narrow(tb, bv, big_garbage ? INT64_MIN : -3));
    const int64_t k = static_cast<int64_t>(rng() % 2000) - 1000;  // a constant of DECIMAL(4,3)
    for (ArithOp op : {ArithOp::kAdd, ArithOp::kSub, ArithOp::kMul}) {
      const bool mul = op == ArithOp::kMul;
      for (int form = 0; form < 3; ++form) {  // column op column, constant op column, column op constant
        const bool const_a = form == 1, const_b = form == 2;
        const Type xa = const_a ? Type::Decimal(4, 3) : ta;
        const Type xb = const_b ? Type::Decimal(4, 3) : tb;
        const Type rt = mul ? Type::Decimal(xa.precision + xb.precision, xa.scale + xb.scale)
                            : Type::Decimal(20, 3);
        auto e = Arith(op, rt, const_a ? MakeConst(xa, Scalar::I128(k), "k") : MakeColumnRef(0, ta, "a"),
                       const_b ? MakeConst(xb, Scalar::I128(k), "k") : MakeColumnRef(1, tb, "b"));
        Column out = Evaluate(*e, ch);
        ASSERT_EQ(out.Size(), n);
        for (size_t r = 0; r < n; ++r) {
          const std::optional<int64_t> x = const_a ? std::optional<int64_t>(k) : av[r];
          const std::optional<int64_t> y = const_b ? std::optional<int64_t>(k) : bv[r];
          const std::string want =
              x && y ? FormatInt128(Expected(op, *x, xa.scale, *y, xb.scale, rt.scale)) : "NULL";
          ASSERT_EQ(Cell(out, r), want) << "round " << round << " op " << static_cast<int>(op) << " form " << form
                                        << " row " << r;
        }
      }
    }
  }
}

// Values whose product or sum leaves 64 bits: the 128-bit loop takes over
// and the answer is still exact (the result type holds it).
TEST(NarrowDecimalArithTest, SixtyFourBitOverflowFallsBackTo128Bits) {
  const int64_t top = 999'999'999'999'999'999;  // DECIMAL(18,0)'s largest
  Chunk ch{.rows = 3};
  ch.columns.push_back(Narrow(Type::Decimal(18, 0), {top, 2, -top}));
  ch.columns.push_back(Narrow(Type::Decimal(18, 0), {top, 3, top}));
  auto mul = Arith(ArithOp::kMul, Type::Decimal(36, 0), MakeColumnRef(0, Type::Decimal(18, 0), "a"),
                   MakeColumnRef(1, Type::Decimal(18, 0), "b"));
  Column p = Evaluate(*mul, ch);
  EXPECT_EQ(Cells(p),
            (std::vector<std::string>{FormatInt128(int128{top} * top), "6", FormatInt128(-int128{top} * top)}));
  // INT64_MAX + 1 at scale 0: a narrow column may hold any int64 (a LARGEINT-sized sum).
  Chunk edge{.rows = 1};
  edge.columns.push_back(Narrow(Type::Decimal(19, 0), {INT64_MAX}));
  edge.columns.push_back(Narrow(Type::Decimal(19, 0), {1}));
  auto add = Arith(ArithOp::kAdd, Type::Decimal(20, 0), MakeColumnRef(0, Type::Decimal(19, 0), "a"),
                   MakeColumnRef(1, Type::Decimal(19, 0), "b"));
  EXPECT_EQ(Cell(Evaluate(*add, edge), 0), "9223372036854775808");
  // Scaling up to the result's scale overflows 64 bits: 9.2e18 * 10.
  auto scaled = Arith(ArithOp::kSub, Type::Decimal(21, 1), MakeColumnRef(0, Type::Decimal(19, 0), "a"),
                      MakeConst(Type::Decimal(2, 1), Scalar::I128(5), "0.5"));
  EXPECT_EQ(Cell(Evaluate(*scaled, edge), 0), "92233720368547758065");
}

TEST(NarrowDecimalArithTest, AResultPastItsPrecisionIsAnErrorUnlessItsRowIsNull) {
  Chunk ch{.rows = 2};
  ch.columns.push_back(Narrow(Type::Decimal(3, 0), {999, std::nullopt}, 999));
  auto e = Arith(ArithOp::kAdd, Type::Decimal(3, 0), MakeColumnRef(0, Type::Decimal(3, 0), "a"),
                 MakeConst(Type::Decimal(1, 0), Scalar::I128(1), "1"));
  try {
    Evaluate(*e, ch);
    FAIL() << "no out-of-range error";
  } catch (const sql::SqlException& ex) {
    EXPECT_EQ(ex.code(), sql::ER_DATA_OUT_OF_RANGE);
  }
  ch.columns[0] = Narrow(Type::Decimal(3, 0), {998, std::nullopt}, 999);  // only the NULL row would overflow
  Column r = Evaluate(*e, ch);
  EXPECT_EQ(Cells(r), (std::vector<std::string>{"999", "NULL"}));
}

// Comparisons with constants inside and beyond 64 bits, through both the
// expression evaluator and the row selector.
TEST(NarrowDecimalCompareTest, ComparesWithConstantsOfAnySize) {
  const Type t = Type::Decimal(30, 0);
  const Values v{-5, std::nullopt, 0, 7, INT64_MAX, INT64_MIN};
  Chunk ch{.rows = v.size()};
  ch.columns.push_back(Narrow(t, v, 7));
  const int128 big = int128{1} << 70;
  for (int128 k : {int128{7}, int128{0}, big, -big}) {
    for (CmpOp op : {CmpOp::kEq, CmpOp::kNe, CmpOp::kLt, CmpOp::kLe, CmpOp::kGt, CmpOp::kGe}) {
      auto e = std::make_unique<BoundExpr>();
      e->op = ExprOp::kCompare, e->cmp = op, e->type = Type::Int();
      e->args.push_back(MakeColumnRef(0, t, "a"));
      e->args.push_back(MakeConst(t, Scalar::I128(k), "k"));
      std::vector<uint32_t> want;
      for (size_t r = 0; r < v.size(); ++r) {
        if (!v[r]) continue;
        const int128 x = *v[r];
        const bool keep = op == CmpOp::kEq   ? x == k
                          : op == CmpOp::kNe ? x != k
                          : op == CmpOp::kLt ? x < k
                          : op == CmpOp::kLe ? x <= k
                          : op == CmpOp::kGt ? x > k
                                             : x >= k;
        if (keep) want.push_back(static_cast<uint32_t>(r));
      }
      Column out = Evaluate(*e, ch);
      std::vector<uint32_t> got;
      for (size_t r = 0; r < v.size(); ++r) {
        EXPECT_EQ(out.IsNull(r), !v[r]);
        if (!out.IsNull(r) && out.I64(r) != 0) got.push_back(static_cast<uint32_t>(r));
      }
      EXPECT_EQ(got, want) << "evaluate, op " << static_cast<int>(op) << " k " << FormatInt128(k);
      std::vector<uint32_t> selected;
      SelectRows(*e, ch, &selected);
      EXPECT_EQ(selected, want) << "select, op " << static_cast<int>(op) << " k " << FormatInt128(k);
    }
  }
  // <=> compares row by row: NULL <=> NULL is true, never NULL.
  auto nse = std::make_unique<BoundExpr>();
  nse->op = ExprOp::kCompare, nse->cmp = CmpOp::kNullSafeEq, nse->type = Type::Int();
  nse->args.push_back(MakeColumnRef(0, t, "a"));
  nse->args.push_back(MakeConst(t, Scalar::Null(), "NULL"));
  Column same = Evaluate(*nse, ch);
  for (size_t r = 0; r < v.size(); ++r) {
    EXPECT_FALSE(same.IsNull(r));
    EXPECT_EQ(same.I64(r), v[r] ? 0 : 1) << r;
  }
  // Narrow against wide, column against column.
  Column wide(t);
  for (int128 x : {int128{-5}, int128{1}, int128{1}, big, int128{0}, -big}) wide.AppendI128(x);
  ch.columns.push_back(std::move(wide));
  auto lt = std::make_unique<BoundExpr>();
  lt->op = ExprOp::kCompare, lt->cmp = CmpOp::kLt, lt->type = Type::Int();
  lt->args.push_back(MakeColumnRef(0, t, "a"));
  lt->args.push_back(MakeColumnRef(1, t, "w"));
  std::vector<uint32_t> selected;
  SelectRows(*lt, ch, &selected);
  EXPECT_EQ(selected, (std::vector<uint32_t>{2, 3}));  // 0 < 1, 7 < 2^70; not -5 < -5, MAX < 0, MIN < -2^70
}

}  // namespace
}  // namespace strata::query

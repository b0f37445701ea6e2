// Unit tests of values, casts and printing (types.h, expr.h).
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "query/expr.h"
#include "query/types.h"
#include "sql/mysql_errors.h"

namespace strata::query {
namespace {

TEST(TypesTest, DecimalsPrintWithTheirScale) {
  EXPECT_EQ(FormatDecimal(125, 2), "1.25");
  EXPECT_EQ(FormatDecimal(-310, 2), "-3.10");
  EXPECT_EQ(FormatDecimal(5, 4), "0.0005");
  EXPECT_EQ(FormatDecimal(-5, 1), "-0.5");
  EXPECT_EQ(FormatDecimal(0, 3), "0.000");
  EXPECT_EQ(FormatDecimal(42, 0), "42");
}

// Keeps rows `keep` of `col` in place and checks it against Gather of them.
void ExpectKeepRowsAsGather(Column& col, const std::vector<uint32_t>& keep) {
  const Column want = col.Gather(keep);
  col.KeepRows(keep.data(), keep.size());
  ASSERT_EQ(col.Size(), keep.size());
  for (size_t i = 0; i < keep.size(); ++i) {
    ASSERT_EQ(col.IsNull(i), want.IsNull(i)) << TypeName(col.type()) << " row " << i;
    if (!col.IsNull(i)) {
      ASSERT_EQ(CompareAt(col, i, want, i), 0) << TypeName(col.type()) << " row " << i;
    }
  }
}

// KeepRows compacts in place: the kept rows, in order, with their NULL
// flags, for every representation; a constant only changes its row count.
TEST(TypesTest, KeepRowsKeepsTheGivenRowsInPlace) {
  std::vector<Column> cols{Column(Type::Int()), Column(Type::Decimal(20, 2)), Column(Type::Double()),
                           Column(Type::String())};
  for (int r = 0; r < 10; ++r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (r % 4 == 3) {
        cols[c].AppendNull();
        continue;
      }
      switch (c) {
        case 0: cols[c].AppendI64(r * 10); break;
        case 1: cols[c].AppendI128(static_cast<int128>(r) * 1000000000000LL); break;
        case 2: cols[c].AppendF64(r + 0.5); break;
        case 3: cols[c].AppendStr(std::string(20 + r, static_cast<char>('a' + r))); break;  // on the heap
      }
    }
  }
  const std::vector<uint32_t> keep{0, 2, 3, 7, 8};
  for (auto& col : cols) ExpectKeepRowsAsGather(col, keep);
  EXPECT_EQ(cols[3].Str(4), std::string(28, 'i'));
  EXPECT_TRUE(cols[0].IsNull(2) && cols[0].IsNull(3));
  Column k = Column::Constant(Type::Int(), Scalar::I64(7), 10);
  k.KeepRows(keep.data(), keep.size());
  EXPECT_EQ(k.Size(), keep.size());
  EXPECT_EQ(k.I64(4), 7);
}

// Rows kept in long runs (a filter passing most rows) move run by run; the
// result is the same as row by row, for every fixed-width representation.
TEST(TypesTest, KeepRowsMovesLongRunsAsBlocks) {
  const size_t n = 3000;
  Column narrow(Type::Decimal(12, 2));
  narrow.ResizeForNarrowOverwrite(n);
  std::vector<Column> cols{Column(Type::Int()), Column(Type::Decimal(30, 2)), Column(Type::Double())};
  for (size_t r = 0; r < n; ++r) {
    const bool null = r % 13 == 0;
    narrow.mutable_nulls()[r] = null;
    narrow.mutable_i64()[r] = static_cast<int64_t>(r) * 3;
    if (null) {
      for (auto& c : cols) c.AppendNull();
      continue;
    }
    cols[0].AppendI64(static_cast<int64_t>(r));
    cols[1].AppendI128(static_cast<int128>(r) << 70);
    cols[2].AppendF64(static_cast<double>(r) / 4);
  }
  cols.push_back(std::move(narrow));
  // In place for the first 500 rows, then every row but each 97th and rows 1200..1299.
  std::vector<uint32_t> keep;
  for (uint32_t r = 0; r < n; ++r) {
    if (r >= 500 && (r % 97 == 0 || (r >= 1200 && r < 1300))) continue;
    keep.push_back(r);
  }
  for (auto& col : cols) ExpectKeepRowsAsGather(col, keep);
  EXPECT_EQ(cols[0].I64(keep.size() - 1), 2999);
  EXPECT_EQ(cols[3].I128(600), static_cast<int128>(keep[600]) * 3);
}

TEST(TypesTest, DoublesPrintShortestLikeMySql) {
  EXPECT_EQ(FormatDouble(0.5, false), "0.5");
  EXPECT_EQ(FormatDouble(0.1 + 0.2, false), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(100, false), "100");
  EXPECT_EQ(FormatDouble(-2.5e-3, false), "-0.0025");
  EXPECT_EQ(FormatDouble(1e20, false), "1e20");
  EXPECT_EQ(FormatDouble(1.5e-20, false), "1.5e-20");
  EXPECT_EQ(FormatDouble(0.1f, true), "0.1");
  EXPECT_EQ(FormatDouble(0, false), "0");
}

TEST(TypesTest, DatesRoundTrip) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(FormatDate(*d), "2024-02-29");
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_EQ(FormatDate(*ParseDate("20240102")), "2024-01-02");
  auto t = ParseDateTime("2024-01-02 03:04:05");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatDateTime(*t), "2024-01-02 03:04:05");
  int64_t y;
  unsigned m, dd;
  CivilFromDays(DaysFromCivil(1999, 12, 31), &y, &m, &dd);
  EXPECT_EQ(y, 1999);
  EXPECT_EQ(m, 12u);
  EXPECT_EQ(dd, 31u);
}

TEST(TypesTest, ParseDecimalRoundsHalfAwayFromZero) {
  EXPECT_EQ(*ParseDecimal("1.255", 2), 126);
  EXPECT_EQ(*ParseDecimal("-1.255", 2), -126);
  EXPECT_EQ(*ParseDecimal("7", 3), 7000);
  EXPECT_FALSE(ParseDecimal("abc", 2));
}

TEST(CastTest, MySqlCastRules) {
  EXPECT_EQ(CastScalar(Scalar::Str("12abc"), Type::String(), Type::Int()).i64, 12);
  EXPECT_EQ(CastScalar(Scalar::Str("1.7"), Type::String(), Type::Int()).i64, 2);
  EXPECT_EQ(CastScalar(Scalar::I128(125), Type::Decimal(5, 2), Type::Int()).i64, 1);
  EXPECT_EQ(CastScalar(Scalar::I128(150), Type::Decimal(5, 2), Type::Int()).i64, 2);
  EXPECT_EQ(CastScalar(Scalar::I64(3), Type::Int(), Type::Decimal(10, 2)).i128, 300);
  EXPECT_TRUE(CastScalar(Scalar::Str("2024-13-01"), Type::String(), Type::Date()).null);
  EXPECT_EQ(CastScalar(Scalar::I64(*ParseDate("2024-01-02")), Type::Date(), Type::Int()).i64, 20240102);
  EXPECT_EQ(CastScalar(Scalar::F64(2.5), Type::Double(), Type::String()).str, "2.5");
  EXPECT_THROW(CastScalar(Scalar::I128(Pow10(20)), Type::Decimal(38, 0), Type::Int()), sql::SqlException);
}

Chunk OneColumn(Column c) {
  Chunk ch;
  ch.rows = c.Size();
  ch.columns.push_back(std::move(c));
  return ch;
}

TEST(EvalTest, ComparisonsAndLogicFollowThreeValuedNullSemantics) {
  Column c(Type::Int());
  c.AppendI64(1);
  c.AppendNull();
  c.AppendI64(3);
  Chunk ch = OneColumn(c);
  auto cmp = std::make_unique<BoundExpr>();
  cmp->op = ExprOp::kCompare, cmp->cmp = CmpOp::kGt, cmp->type = Type::Int();
  cmp->args.push_back(MakeColumnRef(0, Type::Int(), "a"));
  cmp->args.push_back(MakeConst(Type::Int(), Scalar::I64(2), "2"));
  Column r = Evaluate(*cmp, ch);
  EXPECT_EQ(r.I64(0), 0);
  EXPECT_TRUE(r.IsNull(1));
  EXPECT_EQ(r.I64(2), 1);
  // NULL AND FALSE = FALSE; NULL OR TRUE = TRUE; NULL AND TRUE = NULL.
  auto logic = [&](ExprOp op, int64_t other) {
    auto e = std::make_unique<BoundExpr>();
    e->op = op, e->type = Type::Int();
    e->args.push_back(MakeConst(Type::Null(), Scalar::Null(), "NULL"));
    e->args.push_back(MakeConst(Type::Int(), Scalar::I64(other), ""));
    Chunk one{.rows = 1};
    return Evaluate(*e, one).At(0);
  };
  EXPECT_EQ(logic(ExprOp::kAnd, 0).i64, 0);
  EXPECT_FALSE(logic(ExprOp::kAnd, 0).null);
  EXPECT_TRUE(logic(ExprOp::kAnd, 1).null);
  EXPECT_EQ(logic(ExprOp::kOr, 1).i64, 1);
  EXPECT_TRUE(logic(ExprOp::kOr, 0).null);
}

TEST(EvalTest, DecimalDivisionIsExactAtScalePlusFour) {
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = ArithOp::kDiv, e->type = Type::Decimal(38, 4);
  e->args.push_back(MakeConst(Type::Decimal(19, 0), Scalar::I128(7), "7"));
  e->args.push_back(MakeConst(Type::Decimal(19, 0), Scalar::I128(3), "3"));
  Chunk one{.rows = 1};
  Column r = Evaluate(*e, one);
  EXPECT_EQ(FormatCell(r, 0), "2.3333");
  e->args[1] = MakeConst(Type::Decimal(19, 0), Scalar::I128(0), "0");
  EXPECT_TRUE(Evaluate(*e, one).IsNull(0));  // x / 0 is NULL
}

TEST(EvalTest, IntegerOverflowIsAnError) {
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = ArithOp::kAdd, e->type = Type::Int();
  e->args.push_back(MakeConst(Type::Int(), Scalar::I64(INT64_MAX), ""));
  e->args.push_back(MakeConst(Type::Int(), Scalar::I64(1), ""));
  Chunk one{.rows = 1};
  try {
    Evaluate(*e, one);
    FAIL() << "no overflow error";
  } catch (const sql::SqlException& ex) {
    EXPECT_EQ(ex.code(), sql::ER_DATA_OUT_OF_RANGE);
  }
}

TEST(EvalTest, DecimalAddScalesTheNarrowerOperandUpExactly) {
  // 1 - d with d DECIMAL(15,2): the constant (scale 0) is scaled to 2.
  Chunk ch{.rows = 3};
  Column d(Type::Decimal(15, 2));
  d.AppendI128(5);  // 0.05
  d.AppendNull();
  d.AppendI128(-99999);  // -999.99
  ch.columns.push_back(std::move(d));
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = ArithOp::kSub, e->type = Type::Decimal(17, 2);
  e->args.push_back(MakeConst(Type::Decimal(1, 0), Scalar::I128(1), "1"));
  e->args.push_back(MakeColumnRef(0, Type::Decimal(15, 2), "d"));
  Column r = Evaluate(*e, ch);
  EXPECT_EQ(FormatCell(r, 0), "0.95");
  EXPECT_FALSE(FormatCell(r, 1).has_value());
  EXPECT_EQ(FormatCell(r, 2), "1000.99");
}

// DECIMAL(18) x DECIMAL(18): each operand fits 64 bits, the product is one
// widening multiply; exact at the extremes of both signs, NULL rows NULL, and
// a constant operand (read once before the loop) the same as a column.
TEST(EvalTest, NarrowDecimalProductsAreExact) {
  const int128 top = Pow10(18) - 1;  // 9999999999999999.99 at scale 2
  const std::vector<std::pair<int128, int128>> pairs{
      {top, top}, {-top, top}, {top, -top}, {-top, -top}, {0, -top}, {12345, -678}, {-1, 1}};
  Chunk ch{.rows = pairs.size() + 1};
  Column a(Type::Decimal(18, 2)), b(Type::Decimal(18, 2));
  for (const auto& [x, y] : pairs) {
    a.AppendI128(x);
    b.AppendI128(y);
  }
  a.AppendNull();
  b.AppendI128(5);
  ch.columns.push_back(std::move(a));
  ch.columns.push_back(std::move(b));
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = ArithOp::kMul, e->type = Type::Decimal(36, 4);
  e->args.push_back(MakeColumnRef(0, Type::Decimal(18, 2), "a"));
  e->args.push_back(MakeColumnRef(1, Type::Decimal(18, 2), "b"));
  Column r = Evaluate(*e, ch);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(FormatCell(r, i), FormatDecimal(pairs[i].first * pairs[i].second, 4)) << i;
  }
  EXPECT_FALSE(FormatCell(r, pairs.size()).has_value());
  e->args[0] = MakeConst(Type::Decimal(18, 2), Scalar::I128(-top), "c");
  r = Evaluate(*e, ch);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(FormatCell(r, i), FormatDecimal(-top * pairs[i].second, 4)) << i;
  }
  EXPECT_EQ(FormatCell(r, 0), "-99999999999999999800000000000000.0001");
}

TEST(EvalTest, DecimalOverflowIsAnErrorAtEveryWidth) {
  // 38-digit operands: int128 itself would overflow (checked path); a
  // result past its precision is out of range as well.
  const int128 big = Pow10(37) * 9;
  Chunk one{.rows = 1};
  for (ArithOp op : {ArithOp::kAdd, ArithOp::kMul}) {
    auto e = std::make_unique<BoundExpr>();
    e->op = ExprOp::kArith, e->arith = op, e->type = Type::Decimal(38, 0);
    e->args.push_back(MakeConst(Type::Decimal(38, 0), Scalar::I128(big), "a"));
    e->args.push_back(MakeConst(Type::Decimal(38, 0), Scalar::I128(big), "b"));
    try {
      Evaluate(*e, one);
      FAIL() << "no overflow error";
    } catch (const sql::SqlException& ex) {
      EXPECT_EQ(ex.code(), sql::ER_DATA_OUT_OF_RANGE);
    }
  }
  // 2 + 3 at scale 1 into DECIMAL(1,1): 5.0 does not fit one digit.
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = ArithOp::kAdd, e->type = Type::Decimal(1, 1);
  e->args.push_back(MakeConst(Type::Decimal(1, 0), Scalar::I128(2), "2"));
  e->args.push_back(MakeConst(Type::Decimal(1, 0), Scalar::I128(3), "3"));
  EXPECT_THROW(Evaluate(*e, one), sql::SqlException);
}

// Wide operands (int128 overflow possible: the checked loop) whose values
// fit in 64 bits multiply in one widening step; the product is still checked
// against the result's precision, and values past 64 bits take the checked multiply.
TEST(EvalTest, WideDecimalProductsOfNarrowValuesAreExactAndChecked) {
  const std::vector<std::pair<int128, int128>> pairs = {
      {3'000'000'000, 3'000'000'000}, {INT64_MIN, -1}, {-7, INT64_MAX}, {Pow10(25), 3}, {0, Pow10(30)}};
  Chunk ch{.rows = pairs.size()};
  Column a(Type::Decimal(30, 0)), b(Type::Decimal(30, 0));
  for (const auto& [x, y] : pairs) a.AppendI128(x), b.AppendI128(y);
  ch.columns.push_back(std::move(a));
  ch.columns.push_back(std::move(b));
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kArith, e->arith = ArithOp::kMul, e->type = Type::Decimal(38, 0);
  e->args.push_back(MakeColumnRef(0, Type::Decimal(30, 0), "a"));
  e->args.push_back(MakeColumnRef(1, Type::Decimal(30, 0), "b"));
  Column r = Evaluate(*e, ch);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(FormatCell(r, i), FormatDecimal(pairs[i].first * pairs[i].second, 0)) << i;
  }
  // 2^62 * 2^62 = 2^124 (about 2.1e37) fits int128 but not DECIMAL(30, 0).
  e->type = Type::Decimal(30, 0);
  Chunk big{.rows = 1};
  Column x(Type::Decimal(30, 0)), y(Type::Decimal(30, 0));
  x.AppendI128(int128{1} << 62), y.AppendI128(int128{1} << 62);
  big.columns.push_back(std::move(x));
  big.columns.push_back(std::move(y));
  try {
    Evaluate(*e, big);
    FAIL() << "no overflow error";
  } catch (const sql::SqlException& ex) {
    EXPECT_EQ(ex.code(), sql::ER_DATA_OUT_OF_RANGE);
  }
}

// A NULL row's result is NULL whatever its operand's buffer holds there: the
// typed loops compute every row but neither check nor keep a NULL row's value.
TEST(EvalTest, DecimalArithmeticIgnoresWhatNullRowsHold) {
  const int128 huge = int128{1} << 100;  // past 64 bits and past any product's precision
  for (int precision : {18, 30}) {
    for (ArithOp op : {ArithOp::kAdd, ArithOp::kMul}) {
      Chunk ch{.rows = 3};
      Column a(Type::Decimal(precision, 0)), b(Type::Decimal(precision, 0));
      a.ResizeForWrite(3), b.ResizeForWrite(3);
      const int128 av[] = {7, huge, 4}, bv[] = {6, huge, 5};
      for (int r = 0; r < 3; ++r) a.mutable_i128()[r] = av[r], b.mutable_i128()[r] = bv[r];
      a.mutable_nulls()[1] = 1;
      ch.columns.push_back(std::move(a));
      ch.columns.push_back(std::move(b));
      auto e = std::make_unique<BoundExpr>();
      e->op = ExprOp::kArith, e->arith = op, e->type = Type::Decimal(precision, 0);
      e->args.push_back(MakeColumnRef(0, Type::Decimal(precision, 0), "a"));
      e->args.push_back(MakeColumnRef(1, Type::Decimal(precision, 0), "b"));
      Column r = Evaluate(*e, ch);
      const bool mul = op == ArithOp::kMul;
      EXPECT_EQ(FormatCell(r, 0), mul ? "42" : "13") << precision;
      EXPECT_FALSE(FormatCell(r, 1).has_value()) << precision;
      EXPECT_EQ(FormatCell(r, 2), mul ? "20" : "9") << precision;
      EXPECT_EQ(r.I128(1), 0) << precision;
    }
  }
}

TEST(EvalTest, LikeIsByteWiseWithWildcardsAndEscapes) {
  EXPECT_TRUE(LikeMatchBinary("abc", "a%"));
  EXPECT_TRUE(LikeMatchBinary("abc", "_b_"));
  EXPECT_FALSE(LikeMatchBinary("abc", "A%"));
  EXPECT_TRUE(LikeMatchBinary("a%c", "a\\%c"));
  EXPECT_FALSE(LikeMatchBinary("abc", "a\\%c"));
  EXPECT_TRUE(LikeMatchBinary("", "%"));
}

// A constant pattern takes the shaped path (prefix, suffix, contains, pieces
// in order); it answers as LikeMatchBinary does, for every pattern over a
// small alphabet with '%' anywhere (and '_' for the general path).
TEST(EvalTest, ShapedLikeAnswersAsTheGeneralMatcher) {
  std::mt19937_64 rng(20261130);
  auto random_text = [&](const char* alphabet, size_t max_len) {
    std::string t(rng() % (max_len + 1), ' ');
    for (char& c : t) c = alphabet[rng() % std::strlen(alphabet)];
    return t;
  };
  Chunk ch;
  ch.rows = 300;
  Column texts(Type::String());
  std::vector<std::string> values;
  for (size_t r = 0; r < ch.rows; ++r) {
    values.push_back(random_text("ab", 7));
    texts.AppendStr(values.back());
  }
  ch.columns.push_back(std::move(texts));
  for (int i = 0; i < 2000; ++i) {
    const std::string pattern = random_text(i % 5 == 0 ? "ab%_" : "ab%%", 6);
    for (bool negated : {false, true}) {
      auto e = std::make_unique<BoundExpr>();
      e->op = ExprOp::kLike, e->type = Type::Int(), e->negated = negated;
      e->args.push_back(MakeColumnRef(0, Type::String(), "s"));
      e->args.push_back(MakeConst(Type::String(), Scalar::Str(pattern), "'" + pattern + "'"));
      Column out = Evaluate(*e, ch);
      for (size_t r = 0; r < ch.rows; ++r) {
        ASSERT_EQ(out.I64(r), LikeMatchBinary(values[r], pattern) != negated) << "'" << values[r] << "' LIKE '" << pattern << "'";
      }
    }
  }
}

TEST(EvalTest, UnifyTypesFollowsMySql) {
  EXPECT_EQ(UnifyTypes(Type::Int(), Type::Decimal(10, 2)).id, TypeId::kDecimal);
  EXPECT_EQ(UnifyTypes(Type::Int(), Type::Double()).id, TypeId::kDouble);
  EXPECT_EQ(UnifyTypes(Type::Date(), Type::DateTime()).id, TypeId::kDateTime);
  EXPECT_EQ(UnifyTypes(Type::Null(), Type::String()).id, TypeId::kString);
  EXPECT_EQ(ComparisonType(Type::Date(), Type::String()).id, TypeId::kDate);
  EXPECT_EQ(ComparisonType(Type::Int(), Type::String()).id, TypeId::kDouble);
}

}  // namespace
}  // namespace strata::query

// SelectRows (select_rows.h) against the plain evaluation it replaces: for
// random predicates over random columns (NULLs, constants, every physical
// representation), the selected rows must be exactly those where
// Evaluate(predicate) is true.
#include <gtest/gtest.h>

#include <random>

#include "query/compare_mask.h"
#include "query/scan_filter.h"
#include "query/select_rows.h"
#include "storage/column_vector.h"

namespace strata::query {
namespace {

constexpr size_t kRows = 300;

// Columns: 0 BIGINT, 1 BIGINT (few values), 2 DECIMAL(12,2), 3 DOUBLE,
// 4 VARCHAR, 5 DATE, 6 a constant NULL BIGINT, 7 a constant BIGINT 3.
std::vector<Type> ColumnTypes() {
  return {Type::Int(), Type::Int(), Type::Decimal(12, 2), Type::Double(), Type::String(), Type::Date(),
          Type::Int(), Type::Int()};
}

Chunk RandomChunk(std::mt19937_64& rng, size_t rows = kRows) {
  Chunk ch;
  ch.rows = rows;
  auto types = ColumnTypes();
  for (size_t c = 0; c < 6; ++c) {
    Column col(types[c]);
    for (size_t r = 0; r < rows; ++r) {
      if (rng() % 7 == 0) {
        col.AppendNull();
        continue;
      }
      switch (c) {
        case 0: col.AppendI64(static_cast<int64_t>(rng() % 200) - 100); break;
        case 1: col.AppendI64(static_cast<int64_t>(rng() % 4)); break;
        case 2: col.AppendI128(static_cast<int128>(rng() % 20000) - 10000); break;
        case 3: col.AppendF64(static_cast<double>(rng() % 100) / 4 - 12); break;
        case 4: col.AppendStr(std::string(1 + rng() % 3, static_cast<char>('a' + rng() % 4))); break;
        case 5: col.AppendI64(19000 + static_cast<int64_t>(rng() % 50)); break;
      }
    }
    ch.columns.push_back(std::move(col));
  }
  ch.columns.push_back(Column::Constant(types[6], Scalar::Null(), rows));
  ch.columns.push_back(Column::Constant(types[7], Scalar::I64(3), rows));
  return ch;
}

Scalar RandomValue(std::mt19937_64& rng, size_t column) {
  if (rng() % 20 == 0) return Scalar::Null();
  switch (column) {
    case 2: return Scalar::I128(static_cast<int128>(rng() % 20000) - 10000);
    case 3: return Scalar::F64(static_cast<double>(rng() % 100) / 4 - 12);
    case 4: return Scalar::Str(std::string(1 + rng() % 3, static_cast<char>('a' + rng() % 4)));
    case 5: return Scalar::I64(19000 + static_cast<int64_t>(rng() % 50));
    default: return Scalar::I64(static_cast<int64_t>(rng() % 200) - 100);
  }
}

BoundExprPtr Node(ExprOp op, std::vector<BoundExprPtr> args) {
  auto e = std::make_unique<BoundExpr>();
  e->op = op;
  e->type = Type::Int();
  e->args = std::move(args);
  return e;
}

BoundExprPtr RandomLeaf(std::mt19937_64& rng) {
  auto types = ColumnTypes();
  const size_t c = rng() % types.size();
  auto ref = MakeColumnRef(c, types[c], "c" + std::to_string(c));
  switch (rng() % 5) {
    case 0: {  // IS [NOT] NULL
      auto e = Node(ExprOp::kIsNull, {});
      e->args.push_back(std::move(ref));
      e->negated = rng() % 2;
      return e;
    }
    case 1: {  // column vs column of the same type
      size_t other = c;
      for (size_t k = 0; k < types.size(); ++k) {
        if (k != c && types[k] == types[c]) other = k;
      }
      auto e = Node(ExprOp::kCompare, {});
      e->args.push_back(std::move(ref));
      e->args.push_back(MakeColumnRef(other, types[other], "o"));
      e->cmp = static_cast<CmpOp>(rng() % 7);
      return e;
    }
    case 2: {  // BIGINT arithmetic vs a constant: not a cheap test
      auto sum = std::make_unique<BoundExpr>();
      sum->op = ExprOp::kArith;
      sum->type = Type::Int();
      sum->arith = ArithOp::kAdd;
      sum->args.push_back(MakeColumnRef(0, types[0], "c0"));
      sum->args.push_back(MakeConst(Type::Int(), Scalar::I64(static_cast<int64_t>(rng() % 10)), "k"));
      auto e = Node(ExprOp::kCompare, {});
      e->args.push_back(std::move(sum));
      e->args.push_back(MakeConst(Type::Int(), RandomValue(rng, 0), "v"));
      e->cmp = static_cast<CmpOp>(rng() % 6);
      return e;
    }
    default: {  // column vs constant, the constant on either side
      auto e = Node(ExprOp::kCompare, {});
      auto v = MakeConst(types[c], RandomValue(rng, c), "v");
      e->cmp = static_cast<CmpOp>(rng() % 7);
      if (rng() % 3 == 0) {
        e->args.push_back(std::move(v));
        e->args.push_back(std::move(ref));
      } else {
        e->args.push_back(std::move(ref));
        e->args.push_back(std::move(v));
      }
      return e;
    }
  }
}

BoundExprPtr RandomPredicate(std::mt19937_64& rng, int depth) {
  if (depth == 0 || rng() % 3 == 0) return RandomLeaf(rng);
  switch (rng() % 6) {
    case 0: return Node(ExprOp::kOr, [&] {
      std::vector<BoundExprPtr> a;
      a.push_back(RandomPredicate(rng, depth - 1));
      a.push_back(RandomPredicate(rng, depth - 1));
      return a;
    }());
    case 1: return Node(ExprOp::kNot, [&] {
      std::vector<BoundExprPtr> a;
      a.push_back(RandomPredicate(rng, depth - 1));
      return a;
    }());
    default: return Node(ExprOp::kAnd, [&] {
      std::vector<BoundExprPtr> a;
      a.push_back(RandomPredicate(rng, depth - 1));
      a.push_back(RandomPredicate(rng, depth - 1));
      return a;
    }());
  }
}

std::vector<uint32_t> Expected(const BoundExpr& e, const Chunk& ch) {
  Column keep = Evaluate(e, ch);
  std::vector<uint32_t> rows;
  for (size_t r = 0; r < ch.rows; ++r) {
    if (IsTrueAt(keep, r)) rows.push_back(static_cast<uint32_t>(r));
  }
  return rows;
}

TEST(SelectRowsTest, MatchesEvaluatingThePredicateOnEveryRow) {
  std::mt19937_64 rng(20261129);
  size_t nonempty = 0, partial = 0;
  for (int round = 0; round < 3000; ++round) {
    Chunk ch = RandomChunk(rng);
    auto pred = RandomPredicate(rng, 4);
    std::vector<uint32_t> got;
    SelectRows(*pred, ch, &got);
    auto want = Expected(*pred, ch);
    ASSERT_EQ(got, want) << "round " << round;
    nonempty += !want.empty();
    partial += !want.empty() && want.size() < ch.rows;
  }
  // The generator must reach the interesting cases, not only empty results.
  EXPECT_GT(nonempty, 1000u);
  EXPECT_GT(partial, 800u);
}

// Chunks longer than one block of the masked first pass (2048 rows), with a
// partial last block and lengths that are not multiples of 8.
TEST(SelectRowsTest, MatchesOverSeveralMaskBlocks) {
  std::mt19937_64 rng(20261130);
  size_t partial = 0;
  for (int round = 0; round < 200; ++round) {
    const size_t rows = 2048 * (1 + rng() % 3) + rng() % 2048;
    Chunk ch = RandomChunk(rng, rows);
    auto pred = RandomPredicate(rng, 3);
    std::vector<uint32_t> got;
    SelectRows(*pred, ch, &got);
    auto want = Expected(*pred, ch);
    ASSERT_EQ(got, want) << "round " << round << ", " << rows << " rows";
    partial += !want.empty() && want.size() < ch.rows;
  }
  EXPECT_GT(partial, 50u);
}

TEST(SelectRowsTest, ConjunctsNarrowTheRowsOneAfterAnother) {
  // x >= 10 AND x < 20 AND NOT (x = 15) over x = 0..99 with NULL at 12.
  Chunk ch;
  ch.rows = 100;
  Column x(Type::Int());
  for (int64_t r = 0; r < 100; ++r) r == 12 ? x.AppendNull() : x.AppendI64(r);
  ch.columns.push_back(std::move(x));
  auto cmp = [](CmpOp op, int64_t v) {
    auto e = Node(ExprOp::kCompare, {});
    e->cmp = op;
    e->args.push_back(MakeColumnRef(0, Type::Int(), "x"));
    e->args.push_back(MakeConst(Type::Int(), Scalar::I64(v), "v"));
    return e;
  };
  std::vector<BoundExprPtr> inner;
  inner.push_back(cmp(CmpOp::kGe, 10));
  inner.push_back(cmp(CmpOp::kLt, 20));
  std::vector<BoundExprPtr> not_args;
  not_args.push_back(cmp(CmpOp::kEq, 15));
  std::vector<BoundExprPtr> outer;
  outer.push_back(Node(ExprOp::kAnd, std::move(inner)));
  outer.push_back(Node(ExprOp::kNot, std::move(not_args)));
  auto pred = Node(ExprOp::kAnd, std::move(outer));
  std::vector<uint32_t> got;
  SelectRows(*pred, ch, &got);
  EXPECT_EQ(got, (std::vector<uint32_t>{10, 11, 13, 14, 16, 17, 18, 19}));
}

}  // namespace
}  // namespace strata::query

namespace strata::query {
namespace {

// The storage schema of ColumnTypes()' columns (DECIMAL(12,2) held in 64 bits).
std::vector<storage::ColumnSchema> StorageSchema() {
  using storage::DataType;
  return {{.name = "c0", .type = {.type = DataType::kBigInt}},
          {.name = "c1", .type = {.type = DataType::kBigInt}},
          {.name = "c2", .type = {.type = DataType::kDecimal, .precision = 12, .scale = 2}},
          {.name = "c3", .type = {.type = DataType::kDouble}},
          {.name = "c4", .type = {.type = DataType::kVarchar}},
          {.name = "c5", .type = {.type = DataType::kDate}},
          {.name = "c6", .type = {.type = DataType::kBigInt}},
          {.name = "c7", .type = {.type = DataType::kBigInt}}};
}

// NarrowDecimalFilter: the DECIMAL(12,2) column (stored in 64 bits) tested on
// its unscaled values as BIGINT selects exactly the rows the filter over the
// DECIMAL values does, whenever the filter allows it (only compared with
// constants or tested for NULL; a column-vs-column compare keeps it wide).
TEST(SelectRowsTest, NarrowDecimalFilterSelectsTheSameRows) {
  const std::vector<storage::ColumnSchema> schema = StorageSchema();
  std::mt19937_64 rng(1129);
  size_t narrowed = 0, kept_wide = 0;
  for (int round = 0; round < 3000; ++round) {
    Chunk ch = RandomChunk(rng);
    auto pred = RandomPredicate(rng, 3);
    std::vector<bool> narrow;
    BoundExprPtr unscaled = NarrowDecimalFilter(*pred, schema, &narrow);
    if (!unscaled) {
      kept_wide += ColumnsRead(*pred, schema.size())[2];
      continue;
    }
    ASSERT_TRUE(narrow[2]);
    ++narrowed;
    Chunk narrow_ch = ch;
    Column c2(Type::Int());
    for (size_t r = 0; r < ch.rows; ++r) {
      ch.columns[2].IsNull(r) ? c2.AppendNull() : c2.AppendI64(static_cast<int64_t>(ch.columns[2].I128(r)));
    }
    narrow_ch.columns[2] = std::move(c2);
    std::vector<uint32_t> got;
    SelectRows(*unscaled, narrow_ch, &got);
    ASSERT_EQ(got, Expected(*pred, ch)) << "round " << round;
  }
  EXPECT_GT(narrowed, 300u);
  EXPECT_GT(kept_wide, 100u);
}

}  // namespace
}  // namespace strata::query

namespace strata::query {
namespace {

// A chunk column as the storage vector a scan would decode it from.
storage::ColumnVector ToStorage(const Column& c, const storage::ColumnType& type, size_t rows) {
  storage::ColumnVector v(type);
  for (size_t r = 0; r < rows; ++r) {
    if (c.IsNull(r)) {
      v.AppendNull();
    } else if (UsesI128(c.type())) {
      v.AppendInt(static_cast<int64_t>(c.I128(r)));  // DECIMAL(12,2): 64 bits in storage
    } else if (UsesI64(c.type())) {
      v.AppendInt(c.I64(r));
    } else if (c.type().id == TypeId::kDouble) {
      v.AppendDouble(c.F64(r));
    } else {
      v.AppendString(c.Str(r));
    }
  }
  return v;
}

// StagedFilter (scan_filter.h) over a batch of the random columns: the rows
// it keeps and every wanted column's values there are those of evaluating
// the whole predicate over the whole batch; columns the scan does not read
// (6) or the query does not want are NULL. Half the rounds run the filter
// on the DECIMAL column's unscaled values, as a scan does.
TEST(StagedFilterTest, MatchesFilteringTheWholeBatch) {
  const std::vector<storage::ColumnSchema> schema = StorageSchema();
  std::mt19937_64 rng(20261130);
  size_t partial = 0, narrowed = 0;
  for (int round = 0; round < 2000; ++round) {
    const size_t rows = round % 10 == 0 ? 2048 + rng() % 4096 : kRows;
    Chunk ch = RandomChunk(rng, rows);
    auto pred = RandomPredicate(rng, 4);
    const std::vector<bool> reads = ColumnsRead(*pred, schema.size());
    ScanLayout layout;
    layout.batch_column = {0, 1, 2, 3, 4, 5, -1, 6};
    layout.types = ColumnTypes();
    std::vector<storage::ColumnVector> vectors;
    for (size_t c = 0; c < schema.size(); ++c) {
      layout.wanted.push_back(c != 6 && (reads[c] || rng() % 2 == 0));
      if (layout.batch_column[c] >= 0) vectors.push_back(ToStorage(ch.columns[c], schema[c].type, rows));
    }
    std::vector<bool> narrow;
    BoundExprPtr unscaled = round % 2 ? NarrowDecimalFilter(*pred, schema, &narrow) : nullptr;
    if (!unscaled) narrow.clear();
    narrowed += unscaled != nullptr;
    StagedFilter filter(unscaled ? *unscaled : *pred, narrow, schema.size());
    storage::DecodedBatch batch(std::move(vectors));
    Result<Chunk> got = filter.Apply(batch, layout);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const std::vector<uint32_t> want = Expected(*pred, ch);
    ASSERT_EQ(got->rows, want.size()) << "round " << round;
    ASSERT_EQ(got->columns.size(), schema.size());
    for (size_t c = 0; c < schema.size(); ++c) {
      const bool value = layout.wanted[c] && layout.batch_column[c] >= 0;
      EXPECT_EQ(got->columns[c].type(), layout.types[c]) << "round " << round << " column " << c;
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(FormatCell(got->columns[c], i), value ? FormatCell(ch.columns[c], want[i]) : std::nullopt)
            << "round " << round << " column " << c << " row " << want[i];
      }
    }
    partial += !want.empty() && want.size() < rows;
  }
  EXPECT_GT(partial, 500u);
  EXPECT_GT(narrowed, 150u);
}

}  // namespace
}  // namespace strata::query

namespace strata::query {
namespace {

// MaskToRows (compare_mask.h) against the row-by-row reading of the mask, at
// every density (sparse and dense blocks take different paths), any nonzero
// byte counting as set, lengths not a multiple of a block.
TEST(MaskToRowsTest, ListsExactlyTheRowsWhoseByteIsNonzero) {
  std::mt19937_64 rng(2911);
  for (int round = 0; round < 2000; ++round) {
    const size_t n = rng() % 300;
    const unsigned per_mille = std::vector<unsigned>{0, 20, 150, 400, 700, 950, 1000}[rng() % 7];
    std::vector<uint8_t> mask(n);
    for (auto& b : mask) b = rng() % 1000 < per_mille ? static_cast<uint8_t>(1 + rng() % 255) : 0;
    const uint32_t first = static_cast<uint32_t>(rng() % 5000);
    std::vector<uint32_t> want;
    for (size_t i = 0; i < n; ++i) {
      if (mask[i] != 0) want.push_back(first + static_cast<uint32_t>(i));
    }
    std::vector<uint32_t> got(n);
    got.resize(MaskToRows(mask.data(), n, first, got.data()));
    ASSERT_EQ(got, want) << "round " << round << ", " << n << " rows, density " << per_mille;
  }
}

}  // namespace
}  // namespace strata::query

// Bound expressions and their vectorized evaluation. The binder (binder.h)
// turns the parser's Expr into a BoundExpr tree whose node types are fixed
// and whose operands already have the types the operation needs (it inserts
// casts), so each node evaluates a whole chunk with one typed loop.
//
// NULL semantics are MySQL's: comparisons and arithmetic with NULL are NULL;
// AND/OR are three-valued; x / 0 and x % 0 are NULL; IN with a NULL in the
// list and no match is NULL. Strings compare byte-wise (binary collation, as
// StarRocks).
//
// Errors (SqlException): ER_DATA_OUT_OF_RANGE (1690) for integer and decimal
// overflow.
// Thread-safety: a bound tree is immutable after binding; Evaluate may run
// concurrently over different chunks.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "query/types.h"

namespace strata::query {

enum class ExprOp {
  kColumn,    // chunk column `column`
  kConst,     // `value`
  kAnd, kOr, kNot,
  kIsNull,    // negated: IS NOT NULL
  kCompare,   // args[0] cmp args[1] (same type)
  kArith,     // args[0] arith args[1] (types as the result needs)
  kNeg,
  kIn,        // args[0] IN (args[1..]) (same type); negated
  kInSet,     // args[0] IN (a subquery's values, in `set`); negated
  kLike,      // args[0] LIKE args[1]; negated
  kCase,      // (when, then)... [else]; whens are boolean
  kCast,      // args[0] to `type`
  kFunc,      // scalar function `name` (functions.h)
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe, kNullSafeEq };
enum class ArithOp { kAdd, kSub, kMul, kDiv, kIntDiv, kMod };

// The values of an uncorrelated IN (subquery), cast to the probe's type and
// encoded (EncodeKey) for lookups.
struct ValueSet {
  std::set<std::string> keys;
  bool has_null = false;
};

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;

struct BoundExpr {
  ExprOp op = ExprOp::kConst;
  Type type;
  size_t column = 0;
  Scalar value;
  CmpOp cmp = CmpOp::kEq;
  ArithOp arith = ArithOp::kAdd;
  bool negated = false;
  bool has_else = false;
  std::string name;  // kFunc: upper-case name
  std::vector<BoundExprPtr> args;
  std::shared_ptr<const ValueSet> set;
  std::string text;  // the expression as EXPLAIN shows it

  BoundExprPtr Clone() const;
};

// Structural equality: same operators, types, columns and constant values
// all the way down (the `text` of either is not compared).
bool SameExpr(const BoundExpr& a, const BoundExpr& b);

BoundExprPtr MakeColumnRef(size_t column, Type type, std::string text);
BoundExprPtr MakeConst(Type type, Scalar value, std::string text);
// A cast of `e` to `to` (e itself when it already has that type).
BoundExprPtr MakeCast(BoundExprPtr e, const Type& to);

// Evaluates `e` over every row of `chunk`; the result has chunk.rows rows
// (possibly a constant column).
Column Evaluate(const BoundExpr& e, const Chunk& chunk);
// As Evaluate without a copy where it can: a column reference whose column
// already has the representation `e` expects (its Type may differ in display
// width or decimal precision only) is `chunk`'s own column; anything else is
// evaluated into *holder. The result lives as long as `chunk` and *holder.
const Column& EvaluateRef(const BoundExpr& e, const Chunk& chunk, Column* holder);

// Converts every value of `c` to `to` (MySQL CAST rules: strings parse their
// numeric prefix, invalid dates become NULL, decimals round half away from zero).
Column CastColumn(const Column& c, const Type& to);
Scalar CastScalar(const Scalar& v, const Type& from, const Type& to);

// Compares two non-NULL values of one type: <0, 0, >0.
int CompareAt(const Column& a, size_t ra, const Column& b, size_t rb);
// Appends a binary form of row `r` (NULL-aware) that is equal exactly when
// the values are equal; used for hash keys.
void EncodeKey(const Column& c, size_t r, std::string* out);
// True for a non-NULL, non-zero value (WHERE / HAVING / ON semantics).
bool IsTrueAt(const Column& c, size_t r);

// MySQL LIKE with % and _ and '\' escapes, byte-wise.
bool LikeMatchBinary(std::string_view text, std::string_view pattern);

// The operator with its operands swapped: a < b is b > a (= and <> as they are).
CmpOp MirrorCmp(CmpOp op);

// The common type of two operands (CASE, IF, COALESCE, UNION, comparisons).
Type UnifyTypes(const Type& a, const Type& b);
// The type both sides of a comparison are cast to.
Type ComparisonType(const Type& a, const Type& b);

}  // namespace strata::query

// Parsing expressions: OR/AND/NOT, comparisons, LIKE, IN (list or
// subquery), BETWEEN, IS [NOT] NULL, EXISTS, + - * / DIV MOD, CASE, CAST,
// INTERVAL, scalar subqueries, literals (DATE '...' too), columns, @@system and
// @user variables, and function calls (aggregates with DISTINCT).
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {
namespace {

ExprPtr Binary(std::string op, ExprPtr a, ExprPtr b) {
  auto e = MakeExpr(Expr::Kind::kBinary, std::move(op));
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

}  // namespace

ExprPtr Parser::ParseExpr() {
  DepthGuard guard(*this);
  return ParseOr();
}

ExprPtr Parser::ParseOr() {
  ExprPtr left = ParseAnd();
  while (AcceptKeyword("OR") || AcceptOp("||")) left = Binary("OR", std::move(left), ParseAnd());
  return left;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr left = ParseNot();
  while (AcceptKeyword("AND") || AcceptOp("&&")) left = Binary("AND", std::move(left), ParseNot());
  return left;
}

ExprPtr Parser::ParseNot() {
  DepthGuard guard(*this);
  if (AcceptKeyword("NOT") || AcceptOp("!")) {
    auto e = MakeExpr(Expr::Kind::kNot, "NOT");
    e->args.push_back(ParseNot());
    return e;
  }
  return ParseComparison();
}

ExprPtr Parser::ParseComparison() {
  ExprPtr left = ParseAdditive();
  while (true) {
    for (std::string_view op : {"=", "<=>", "!=", "<>", "<=", ">=", "<", ">"}) {
      if (AcceptOp(op)) {
        left = Binary(op == "<>" ? "!=" : std::string(op), std::move(left), ParseAdditive());
        goto next;
      }
    }
    if (AcceptKeyword("IS")) {
      auto e = MakeExpr(Expr::Kind::kIsNull, "IS NULL");
      e->negated = AcceptKeyword("NOT");
      ExpectKeyword("NULL");
      e->args.push_back(std::move(left));
      left = std::move(e);
      continue;
    }
    {
      bool negated = IsKeyword("NOT") && (IsKeyword("LIKE", 1) || IsKeyword("IN", 1) || IsKeyword("BETWEEN", 1));
      if (negated) Take();
      if (AcceptKeyword("BETWEEN")) {
        auto e = MakeExpr(Expr::Kind::kFunc, "BETWEEN");
        e->negated = negated;
        e->args.push_back(std::move(left));
        e->args.push_back(ParseAdditive());
        ExpectKeyword("AND");
        e->args.push_back(ParseAdditive());
        left = std::move(e);
        continue;
      }
      if (AcceptKeyword("LIKE")) {
        left = Binary("LIKE", std::move(left), ParseAdditive());
        if (negated) {
          auto n = MakeExpr(Expr::Kind::kNot, "NOT");
          n->args.push_back(std::move(left));
          left = std::move(n);
        }
        continue;
      }
      if (AcceptKeyword("IN")) {
        ExpectOp("(");
        if (IsKeyword("SELECT")) {
          auto sub = MakeExpr(Expr::Kind::kFunc, "IN_SUBQUERY");
          sub->negated = negated;
          sub->args.push_back(std::move(left));
          sub->subquery = ParseSubquery();
          left = std::move(sub);
          continue;
        }
        auto e = MakeExpr(Expr::Kind::kIn, "IN");
        e->negated = negated;
        e->args.push_back(std::move(left));
        do {
          e->args.push_back(ParseExpr());
        } while (AcceptOp(","));
        ExpectOp(")");
        left = std::move(e);
        continue;
      }
      if (negated) Error();
    }
    return left;
  next:;
  }
}

ExprPtr Parser::ParseAdditive() {
  ExprPtr left = ParseMultiplicative();
  while (IsOp("+") || IsOp("-")) {
    std::string op = Take().text;
    left = Binary(op, std::move(left), ParseMultiplicative());
  }
  return left;
}

ExprPtr Parser::ParseMultiplicative() {
  ExprPtr left = ParseUnary();
  while (IsOp("*") || IsOp("/") || IsOp("%") || IsKeyword("DIV") || IsKeyword("MOD")) {
    std::string op = UpperAscii(Take().text);
    left = Binary(op, std::move(left), ParseUnary());
  }
  return left;
}

ExprPtr Parser::ParseUnary() {
  DepthGuard guard(*this);
  if (AcceptOp("-")) {
    auto e = MakeExpr(Expr::Kind::kNeg, "-");
    e->args.push_back(ParseUnary());
    return e;
  }
  if (AcceptOp("+")) return ParseUnary();
  return ParsePrimary();
}

// @@[session.|global.|local.]name or @name.
ExprPtr Parser::ParseVariable(size_t start) {
  if (AcceptOp("@@")) {
    auto e = MakeExpr(Expr::Kind::kSysVar, "");
    if ((IsKeyword("SESSION") || IsKeyword("GLOBAL") || IsKeyword("LOCAL")) && IsOp(".", 1)) {
      e->qualifier = LowerAscii(Take().text);
      if (e->qualifier == "local") e->qualifier = "session";
      Take();
    }
    e->text = LowerAscii(Identifier());
    e->source = SourceFrom(start);
    return e;
  }
  ExpectOp("@");
  auto e = MakeExpr(Expr::Kind::kUserVar, LowerAscii(IdentOrString()));
  e->source = SourceFrom(start);
  return e;
}

ExprPtr Parser::ParseFunction(std::string name, size_t start) {
  auto e = MakeExpr(Expr::Kind::kFunc, UpperAscii(name));
  ExpectOp("(");
  if (AcceptKeyword("DISTINCT")) {
    e->distinct = true;
  } else if (IsKeyword("ALL") && !IsOp("(", 1) && !IsOp(")", 1)) {
    Take();
  }
  if (e->text == "EXTRACT" && Peek().kind == TokenKind::kIdent && IsKeyword("FROM", 1)) {
    // EXTRACT(unit FROM expr) is the function named by the unit: YEAR(expr).
    e->text = UpperAscii(Take().text);
    ExpectKeyword("FROM");
    e->args.push_back(ParseExpr());
    ExpectOp(")");
    e->source = SourceFrom(start);
    return e;
  }
  if (AcceptOp("*")) {
    e->args.push_back(MakeExpr(Expr::Kind::kStar, "*"));
  } else if (!IsOp(")")) {
    e->args.push_back(ParseExpr());
    bool substring = e->text == "SUBSTRING" || e->text == "SUBSTR";
    if (substring && AcceptKeyword("FROM")) {  // SUBSTRING(s FROM pos [FOR len])
      e->args.push_back(ParseExpr());
      if (AcceptKeyword("FOR")) e->args.push_back(ParseExpr());
    } else {
      while (AcceptOp(",")) e->args.push_back(ParseExpr());
    }
  }
  ExpectOp(")");
  e->source = SourceFrom(start);
  return e;
}

ExprPtr Parser::ParsePrimary() {
  size_t start = pos_;
  const Token& t = Peek();
  if (IsOp("@@") || IsOp("@")) return ParseVariable(start);
  if (AcceptOp("(")) {
    if (IsKeyword("SELECT")) {
      auto e = MakeExpr(Expr::Kind::kFunc, "SUBQUERY");
      e->subquery = ParseSubquery();
      e->source = SourceFrom(start);
      return e;
    }
    ExprPtr e = ParseExpr();
    ExpectOp(")");
    return e;
  }
  if (t.kind == TokenKind::kString) return MakeExpr(Expr::Kind::kString, Take().text);
  if (t.kind == TokenKind::kNumber) return MakeExpr(Expr::Kind::kNumber, Take().text);
  if (t.kind == TokenKind::kQuotedIdent) {
    auto e = MakeExpr(Expr::Kind::kColumn, Take().text);
    if (AcceptOp(".")) e->qualifier = std::exchange(e->text, Identifier());
    return e;
  }
  if (t.kind != TokenKind::kIdent) Error();
  if (AcceptKeyword("NULL")) return MakeExpr(Expr::Kind::kNull, "NULL");
  if (AcceptKeyword("TRUE")) return MakeExpr(Expr::Kind::kBool, "1");
  if (AcceptKeyword("FALSE")) return MakeExpr(Expr::Kind::kBool, "0");
  if (IsKeyword("CASE")) {
    Take();
    return ParseCase(start);
  }
  if (IsKeyword("CAST") && IsOp("(", 1)) {
    Take();
    return ParseCast(start);
  }
  if (IsKeyword("EXISTS") && IsOp("(", 1)) {
    Take();
    ExpectOp("(");
    auto e = MakeExpr(Expr::Kind::kFunc, "EXISTS");
    e->subquery = ParseSubquery();
    e->source = SourceFrom(start);
    return e;
  }
  if (IsKeyword("INTERVAL") && !IsOp("(", 1)) {
    Take();
    auto e = MakeExpr(Expr::Kind::kFunc, "INTERVAL");
    e->args.push_back(ParseExpr());
    e->qualifier = UpperAscii(Identifier());
    e->source = SourceFrom(start);
    return e;
  }
  // Typed literals: DATE '2024-01-01', TIMESTAMP / DATETIME '2024-01-01 10:00:00'.
  if ((IsKeyword("DATE") || IsKeyword("TIMESTAMP") || IsKeyword("DATETIME")) && Peek(1).kind == TokenKind::kString) {
    bool date = IsKeyword("DATE");
    Take();
    auto e = MakeExpr(Expr::Kind::kFunc, "CAST");
    e->qualifier = date ? "DATE" : "DATETIME";
    e->args.push_back(MakeExpr(Expr::Kind::kString, Take().text));
    e->source = SourceFrom(start);
    return e;
  }
  std::string word = Take().text;
  if (IsOp("(")) return ParseFunction(std::move(word), start);
  std::string upper = UpperAscii(word);
  // Niladic functions MySQL accepts without parentheses.
  for (std::string_view f : {"CURRENT_USER", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIME",
                             "LOCALTIMESTAMP", "UTC_TIMESTAMP", "UTC_DATE"}) {
    if (upper == f) {
      auto e = MakeExpr(Expr::Kind::kFunc, upper);
      e->source = SourceFrom(start);
      return e;
    }
  }
  auto e = MakeExpr(Expr::Kind::kColumn, std::move(word));
  if (AcceptOp(".")) {
    e->qualifier = std::exchange(e->text, IsOp("*") ? Take().text : Identifier());
    if (AcceptOp(".")) {  // db.table.column: keep the table as the qualifier
      e->qualifier = std::exchange(e->text, Identifier());
    }
  }
  return e;
}

// CASE [operand] WHEN a THEN b ... [ELSE c] END (after CASE).
ExprPtr Parser::ParseCase(size_t start) {
  auto e = MakeExpr(Expr::Kind::kFunc, "CASE");
  if (!IsKeyword("WHEN")) {
    e->has_operand = true;
    e->args.push_back(ParseExpr());
  }
  if (!IsKeyword("WHEN")) Error();
  while (AcceptKeyword("WHEN")) {
    e->args.push_back(ParseExpr());
    ExpectKeyword("THEN");
    e->args.push_back(ParseExpr());
  }
  if (AcceptKeyword("ELSE")) {
    e->has_else = true;
    e->args.push_back(ParseExpr());
  }
  ExpectKeyword("END");
  e->source = SourceFrom(start);
  return e;
}

// CAST(expr AS type) (after CAST).
ExprPtr Parser::ParseCast(size_t start) {
  ExpectOp("(");
  auto e = MakeExpr(Expr::Kind::kFunc, "CAST");
  e->args.push_back(ParseExpr());
  ExpectKeyword("AS");
  e->qualifier = ParseCastType();
  ExpectOp(")");
  e->source = SourceFrom(start);
  return e;
}

// A CAST target, normalised: SIGNED, UNSIGNED, BIGINT, INT, DOUBLE, FLOAT,
// DECIMAL(p,s), CHAR, VARCHAR, STRING, DATE, DATETIME, BOOLEAN.
std::string Parser::ParseCastType() {
  std::string base = UpperAscii(Identifier());
  if (base == "SIGNED" || base == "UNSIGNED") {
    AcceptKeyword("INTEGER") || AcceptKeyword("INT");
    return base;
  }
  if (base == "INTEGER") base = "INT";
  if (base == "TIMESTAMP") base = "DATETIME";
  if (base == "REAL") base = "DOUBLE";
  if (base == "NUMERIC" || base == "DECIMALV3" || base == "DECIMAL64" || base == "DECIMAL128" ||
      base == "DECIMAL32") {
    base = "DECIMAL";
  }
  std::vector<uint64_t> args;
  if (AcceptOp("(")) {
    do {
      args.push_back(Unsigned());
    } while (AcceptOp(","));
    ExpectOp(")");
  }
  if (base == "DECIMAL") {
    uint64_t p = args.empty() ? 10 : args[0];
    uint64_t s = args.size() > 1 ? args[1] : 0;
    if (p < 1 || p > 38) Fail(ER_TOO_BIG_PRECISION, "Too-big precision " + std::to_string(p) + " specified for 'CAST'. Maximum is 38.");
    if (s > p) Fail(ER_M_BIGGER_THAN_D, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column 'CAST').");
    return "DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + ")";
  }
  for (std::string_view known : {"CHAR", "VARCHAR", "STRING", "BINARY", "DATE", "DATETIME", "DOUBLE", "FLOAT",
                                 "BIGINT", "INT", "SMALLINT", "TINYINT", "LARGEINT", "BOOLEAN", "BOOL", "JSON"}) {
    if (base == known) return base == "BOOL" ? "BOOLEAN" : base;
  }
  Fail(ER_PARSE_ERROR, "You have an error in your SQL syntax; unknown CAST type '" + base + "'");
}

}  // namespace strata::sql

// Parsing expressions (the subset SELECT and SET need): OR/AND/NOT,
// comparisons, LIKE, IN, IS [NOT] NULL, + - * /, literals, columns,
// @@system and @user variables, and function calls.
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
      bool negated = IsKeyword("NOT") && (IsKeyword("LIKE", 1) || IsKeyword("IN", 1));
      if (negated) Take();
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
        auto e = MakeExpr(Expr::Kind::kIn, "IN");
        e->negated = negated;
        e->args.push_back(std::move(left));
        ExpectOp("(");
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
  if (AcceptOp("*")) {
    e->args.push_back(MakeExpr(Expr::Kind::kStar, "*"));
  } else if (!IsOp(")")) {
    do {
      e->args.push_back(ParseExpr());
    } while (AcceptOp(","));
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
    if (IsKeyword("SELECT")) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'subqueries'");
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

}  // namespace strata::sql

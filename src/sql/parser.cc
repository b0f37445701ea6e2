// The parser's token helpers and statement dispatch (parser.h).
#include "sql/parser.h"

#include <algorithm>
#include <cctype>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

ExprPtr MakeExpr(Expr::Kind kind, std::string text) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->text = std::move(text);
  return e;
}

DepthGuard::DepthGuard(Parser& p) : p_(p) {
  if (++p_.depth_ > kMaxExprDepth) p_.Error();
}

Parser::Parser(std::string_view sql) : sql_(sql), tokens_(Tokenize(sql)) {}

const Token& Parser::Peek(size_t ahead) const {
  size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
  return tokens_[i];
}

const Token& Parser::Take() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool Parser::IsKeyword(std::string_view word, size_t ahead) const {
  const Token& t = Peek(ahead);
  if (t.kind != TokenKind::kIdent || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  }
  return true;
}

bool Parser::AcceptKeyword(std::string_view word) {
  if (!IsKeyword(word)) return false;
  Take();
  return true;
}

void Parser::ExpectKeyword(std::string_view word) {
  if (!AcceptKeyword(word)) Error();
}

bool Parser::AcceptKeywords(std::initializer_list<std::string_view> words) {
  size_t i = 0;
  for (auto w : words) {
    if (!IsKeyword(w, i++)) return false;
  }
  for (size_t k = 0; k < words.size(); ++k) Take();
  return true;
}

bool Parser::IsOp(std::string_view op, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kOp && t.text == op;
}

bool Parser::AcceptOp(std::string_view op) {
  if (!IsOp(op)) return false;
  Take();
  return true;
}

void Parser::ExpectOp(std::string_view op) {
  if (!AcceptOp(op)) Error();
}

void Parser::Error() const {
  const Token& t = Peek();
  ThrowParseError(sql_, t.offset, t.line);
}

std::string Parser::Identifier() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdent && t.kind != TokenKind::kQuotedIdent) Error();
  if (t.kind == TokenKind::kQuotedIdent && t.text.empty()) Error();
  return Take().text;
}

std::string Parser::IdentOrString() {
  if (Peek().kind == TokenKind::kString) return Take().text;
  return Identifier();
}

std::string Parser::StringLiteral() {
  if (Peek().kind != TokenKind::kString) Error();
  return Take().text;
}

uint64_t Parser::Unsigned() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kNumber || t.text.size() > 19 ||
      !std::all_of(t.text.begin(), t.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    Error();
  }
  return std::stoull(Take().text);
}

TableName Parser::QualifiedName() {
  TableName n;
  n.table = Identifier();
  if (AcceptOp(".")) {
    n.db = std::move(n.table);
    n.table = Identifier();
  }
  return n;
}

// 'name'@'host', name@host, 'name' (host '%'), and `name`@`host`.
UserSpec Parser::User() {
  UserSpec u;
  u.name = IdentOrString();
  if (AcceptOp("@")) {
    if (IsOp("%")) {
      Take();
      u.host = "%";
    } else {
      u.host = IdentOrString();
    }
  }
  return u;
}

std::vector<std::string> Parser::IdentList() {
  std::vector<std::string> out;
  ExpectOp("(");
  do {
    out.push_back(Identifier());
  } while (AcceptOp(","));
  ExpectOp(")");
  return out;
}

std::vector<std::pair<std::string, std::string>> Parser::PropertyList() {
  std::vector<std::pair<std::string, std::string>> out;
  ExpectOp("(");
  if (AcceptOp(")")) return out;
  do {
    std::string k = IdentOrString();
    ExpectOp("=");
    std::string v;
    if (Peek().kind == TokenKind::kNumber) {
      v = Take().text;
    } else {
      v = IdentOrString();
    }
    out.emplace_back(std::move(k), std::move(v));
  } while (AcceptOp(","));
  ExpectOp(")");
  return out;
}

bool Parser::AcceptIfNotExists() { return AcceptKeywords({"IF", "NOT", "EXISTS"}); }
bool Parser::AcceptIfExists() { return AcceptKeywords({"IF", "EXISTS"}); }

void Parser::ExpectEnd() {
  while (AcceptOp(";")) {
  }
  if (Peek().kind != TokenKind::kEnd) Error();
}

std::string Parser::SourceFrom(size_t start_token) const {
  if (start_token >= pos_ || start_token >= tokens_.size()) return "";
  size_t begin = tokens_[start_token].offset;
  size_t end = tokens_[pos_ - 1].end;
  return std::string(sql_.substr(begin, end - begin));
}

Statement Parser::ParseUnsupportedDml(std::string_view verb) {
  UnsupportedStmt u{.what = std::string(verb)};
  AcceptKeyword("INTO");
  AcceptKeyword("OVERWRITE");
  AcceptKeyword("FROM");
  if (Peek().kind == TokenKind::kIdent || Peek().kind == TokenKind::kQuotedIdent) {
    u.table = QualifiedName();
    u.privilege = verb == "UPDATE" ? "UPDATE" : verb == "DELETE" ? "DELETE" : "INSERT";
  }
  SkipToEnd();
  return u;
}

Statement Parser::ParseStatement() {
  while (AcceptOp(";")) {
  }
  if (Peek().kind == TokenKind::kEnd) Fail(ER_EMPTY_QUERY, "Query was empty");
  if (AcceptKeyword("CREATE")) return ParseCreate();
  if (AcceptKeyword("DROP")) return ParseDrop();
  if (AcceptKeyword("ALTER")) return ParseAlter();
  if (AcceptKeyword("TRUNCATE")) return ParseTruncate();
  if (AcceptKeyword("SHOW")) return ParseShow();
  if (IsKeyword("DESC") || IsKeyword("DESCRIBE") || IsKeyword("EXPLAIN")) {
    Take();
    return ParseDesc();
  }
  if (AcceptKeyword("ADMIN")) return ParseAdmin();
  if (AcceptKeyword("GRANT")) return ParseGrant(false);
  if (AcceptKeyword("REVOKE")) return ParseGrant(true);
  if (AcceptKeyword("SET")) return ParseSet();
  if (IsKeyword("SELECT") || IsKeyword("WITH")) return ParseSelect();
  if (AcceptKeyword("USE")) {
    UseStmt u{.db = Identifier()};
    ExpectEnd();
    return u;
  }
  if (IsKeyword("INSERT") && !IsKeyword("OVERWRITE", 1)) {
    Take();
    return ParseInsert();
  }
  if (AcceptKeyword("DELETE")) return ParseDelete();
  for (std::string_view verb : {"INSERT", "UPDATE", "DELETE", "REPLACE"}) {
    if (AcceptKeyword(verb)) return ParseUnsupportedDml(verb);
  }
  for (std::string_view verb : {"BEGIN", "COMMIT", "ROLLBACK"}) {
    if (AcceptKeyword(verb)) {
      AcceptKeyword("WORK");
      ExpectEnd();
      return TransactionStmt{.what = std::string(verb)};
    }
  }
  if (AcceptKeyword("KILL")) {
    KillStmt k;
    if (AcceptKeyword("QUERY")) {
      k.query_only = true;
    } else {
      AcceptKeyword("CONNECTION");
    }
    const Token& id = Take();
    if (id.kind != TokenKind::kNumber || id.text.empty() ||
        !std::all_of(id.text.begin(), id.text.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        id.text.size() > 19) {
      Error();
    }
    k.connection_id = std::stoull(id.text);
    ExpectEnd();
    return k;
  }
  if (AcceptKeywords({"START", "TRANSACTION"})) {
    ExpectEnd();
    return TransactionStmt{.what = "BEGIN"};
  }
  Error();
}

Statement Parse(std::string_view sql) { return Parser(sql).ParseStatement(); }

}  // namespace strata::sql

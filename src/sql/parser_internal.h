// Internal to the parser: the Parser class whose methods are split by
// statement family across parser.cc (helpers, dispatch), parse_ddl.cc
// (databases, tables, partitions), parse_admin.cc (storage volumes, system,
// ADMIN), parse_access.cc (users, roles, grants), parse_query.cc (SELECT,
// SET, SHOW, USE, DESC) and parse_expr.cc (expressions).
//
// Thread-safety: a Parser is used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/lexer.h"

namespace strata::sql {

class Parser {
 public:
  explicit Parser(std::string_view sql);
  Statement ParseStatement();

  // ---- token helpers (parser.cc)
  const Token& Peek(size_t ahead = 0) const;
  const Token& Take();
  bool IsKeyword(std::string_view word, size_t ahead = 0) const;
  bool AcceptKeyword(std::string_view word);
  void ExpectKeyword(std::string_view word);
  bool AcceptKeywords(std::initializer_list<std::string_view> words);  // all in a row, or none
  bool IsOp(std::string_view op, size_t ahead = 0) const;
  bool AcceptOp(std::string_view op);
  void ExpectOp(std::string_view op);
  [[noreturn]] void Error() const;  // a parse error at the current token
  std::string Identifier();         // plain or `quoted`
  std::string IdentOrString();      // identifier or 'string'
  std::string StringLiteral();
  uint64_t Unsigned();
  TableName QualifiedName();
  UserSpec User();
  std::vector<std::string> IdentList();  // ( a, b, c )
  std::vector<std::pair<std::string, std::string>> PropertyList();  // ( "k" = "v", ... )
  bool AcceptIfNotExists();
  bool AcceptIfExists();
  void ExpectEnd();
  std::string SourceFrom(size_t start_token) const;  // source text of tokens [start, pos)
  void SkipToEnd() { pos_ = tokens_.size() - 1; }

  // ---- families
  Statement ParseCreate();
  Statement ParseDrop();
  Statement ParseAlter();
  Statement ParseTruncate();
  CreateTableStmt ParseCreateTable();
  void ParseColumnDef(CreateTableStmt& t);
  std::string ParseType(const std::string& column);
  PartitionSpec ParsePartitionSpec();
  std::vector<std::string> ParsePartitionValues();
  void ParseTableTail(CreateTableStmt& t);
  Statement ParseCreateStorageVolume();
  Statement ParseAlterSystem();
  Statement ParseAdmin();
  Statement ParseAdminSnapshot(bool alter);
  uint64_t ParseInterval();
  Statement ParseCreateUser();
  Statement ParseDropUser();
  Statement ParseAlterUser();
  Statement ParseSetPassword();
  void ParsePasswordClause(std::optional<std::string>& password, std::optional<std::string>& hash);
  Statement ParseGrant(bool revoke);
  std::vector<std::string> ParsePrivileges();
  void ParseGrantObject(GrantStmt& g);
  Statement ParseSelect();
  void ParseSelectTail(SelectStmt& s);
  // The query engine's grammar (parse_query.cc): a query with UNIONs, ORDER BY
  // and LIMIT; one SELECT core; FROM items with joins and derived tables.
  SelectStmt ParseQuery();
  SelectStmt ParseSelectCore();
  std::unique_ptr<TableRef> ParseFromClause();
  std::unique_ptr<TableRef> ParseTableRef();
  std::unique_ptr<TableRef> ParseTablePrimary();
  std::shared_ptr<SelectStmt> ParseSubquery();  // after '(' up to and including ')'
  Statement ParseSet();
  Statement ParseSetTransaction();
  SetAssignment ParseSetAssignment();
  Statement ParseShow();
  Statement ParseShowRest(ShowStmt& s);
  void ParseLikeOrWhere(ShowStmt& s);
  Statement ParseDesc();
  Statement ParseUnsupportedDml(std::string_view verb);
  Statement ParseInsert();  // parse_dml.cc
  Statement ParseDelete();

  // ---- expressions (parse_expr.cc)
  ExprPtr ParseExpr();
  ExprPtr ParseOr();
  ExprPtr ParseAnd();
  ExprPtr ParseNot();
  ExprPtr ParseComparison();
  ExprPtr ParseAdditive();
  ExprPtr ParseMultiplicative();
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParseFunction(std::string name, size_t start);
  ExprPtr ParseVariable(size_t start);
  ExprPtr ParseCase(size_t start);
  ExprPtr ParseCast(size_t start);
  std::string ParseCastType();

 private:
  std::string_view sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  friend struct DepthGuard;
};

// Bounds expression recursion (fuzzed input must not overflow the stack).
struct DepthGuard {
  explicit DepthGuard(Parser& p);
  ~DepthGuard() { --p_.depth_; }
  Parser& p_;
};

// StarRocks' type limits: VARCHAR/VARBINARY length, CHAR/BINARY length.
inline constexpr uint64_t kMaxVarcharLength = 1048576;
inline constexpr uint64_t kMaxCharLength = 255;
// ER_TOO_BIG_PRECISION / ER_M_BIGGER_THAN_D / ER_TOO_BIG_FIELDLENGTH for type
// parameters beyond StarRocks' limits (`base` upper case, as ParseType sees it).
void CheckTypeArgs(const std::string& base, const std::vector<uint64_t>& args, const std::string& column);

std::string UpperAscii(std::string_view s);
std::string LowerAscii(std::string_view s);
ExprPtr MakeExpr(Expr::Kind kind, std::string text);

}  // namespace strata::sql

// Parsing INSERT and DELETE (StarRocks dialect).
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

constexpr size_t kInsertRowsMax = 1'000'000;

Statement Parser::ParseInsert() {
  ExpectKeyword("INTO");
  InsertStmt s;
  s.table = QualifiedName();
  if (IsKeyword("PARTITION") || IsKeyword("TEMPORARY")) {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'INSERT INTO ... PARTITION'");
  }
  if (AcceptKeyword("WITH")) {
    ExpectKeyword("LABEL");
    s.label = Identifier();
  }
  if (AcceptOp("(")) {
    if (IsKeyword("SELECT")) {
      Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'INSERT ... (SELECT ...)'");
    }
    do {
      s.columns.push_back(Identifier());
    } while (AcceptOp(","));
    ExpectOp(")");
  }
  if (AcceptKeyword("VALUES") || AcceptKeyword("VALUE")) {
    do {
      ExpectOp("(");
      std::vector<ExprPtr> row;
      if (!IsOp(")")) {
        do {
          row.push_back(ParseExpr());
        } while (AcceptOp(","));
      }
      ExpectOp(")");
      s.values.push_back(std::move(row));
      if (s.values.size() > kInsertRowsMax) Fail(ER_UNKNOWN_ERROR, "too many rows in one INSERT ... VALUES");
    } while (AcceptOp(","));
    ExpectEnd();
    return s;
  }
  if (IsKeyword("SELECT")) {
    Statement sel = ParseSelect();
    ExpectEnd();
    s.select = std::make_unique<SelectStmt>(std::move(std::get<SelectStmt>(sel)));
    return s;
  }
  Error();
}

Statement Parser::ParseDelete() {
  ExpectKeyword("FROM");
  DeleteStmt s;
  s.table = QualifiedName();
  if (AcceptKeyword("PARTITION") || AcceptKeyword("PARTITIONS")) {
    bool paren = AcceptOp("(");
    do {
      s.partitions.push_back(Identifier());
    } while (AcceptOp(","));
    if (paren) ExpectOp(")");
  }
  if (!AcceptKeyword("WHERE")) {
    Fail(ER_PARSE_ERROR, "DELETE needs a WHERE clause (to empty a table use TRUNCATE TABLE)");
  }
  s.where = ParseExpr();
  ExpectEnd();
  return s;
}

}  // namespace strata::sql

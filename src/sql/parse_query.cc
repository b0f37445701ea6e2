// Parsing SELECT, SET, SHOW, DESC.
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

[[noreturn]] static void NotYet(const std::string& what) {
  Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + what + "'");
}

Statement Parser::ParseSelect() {
  ExpectKeyword("SELECT");
  SelectStmt s;
  if (IsKeyword("DISTINCT")) NotYet("SELECT DISTINCT");
  AcceptKeyword("ALL");
  do {
    SelectItem item;
    size_t start = pos_;
    if (IsOp("*")) {
      Take();
      item.expr = MakeExpr(Expr::Kind::kStar, "*");
    } else {
      item.expr = ParseExpr();
    }
    item.expr->source = SourceFrom(start);
    if (AcceptKeyword("AS")) {
      item.alias = IdentOrString();
    } else if (Peek().kind == TokenKind::kQuotedIdent || Peek().kind == TokenKind::kString ||
               (Peek().kind == TokenKind::kIdent && !IsKeyword("FROM") && !IsKeyword("WHERE") &&
                !IsKeyword("LIMIT") && !IsKeyword("ORDER") && !IsKeyword("GROUP") && !IsKeyword("HAVING") &&
                !IsKeyword("UNION") && !IsKeyword("INTO") && !IsKeyword("FOR"))) {
      item.alias = Take().text;
    }
    s.items.push_back(std::move(item));
  } while (AcceptOp(","));
  if (AcceptKeyword("FROM")) {
    if (AcceptKeyword("DUAL")) {
      // no table
    } else {
      if (IsOp("(")) NotYet("subqueries");
      s.from = QualifiedName();
      if (AcceptKeyword("AS")) Identifier();
      else if (Peek().kind == TokenKind::kIdent && !IsKeyword("WHERE") && !IsKeyword("ORDER") &&
               !IsKeyword("LIMIT") && !IsKeyword("GROUP") && !IsKeyword("JOIN") && !IsKeyword("INNER") &&
               !IsKeyword("LEFT") && !IsKeyword("RIGHT") && !IsKeyword("CROSS") && !IsKeyword("UNION") &&
               !IsKeyword("HAVING"))
        Take();
      if (IsOp(",") || IsKeyword("JOIN") || IsKeyword("INNER") || IsKeyword("LEFT") || IsKeyword("RIGHT") ||
          IsKeyword("CROSS")) {
        NotYet("joins");
      }
    }
  }
  ParseSelectTail(s);
  return s;
}

void Parser::ParseSelectTail(SelectStmt& s) {
  if (AcceptKeyword("WHERE")) s.where = ParseExpr();
  if (IsKeyword("GROUP") || IsKeyword("HAVING")) NotYet("GROUP BY");
  if (AcceptKeywords({"ORDER", "BY"})) {
    do {
      OrderItem o{.expr = ParseExpr()};
      if (AcceptKeyword("DESC")) {
        o.desc = true;
      } else {
        AcceptKeyword("ASC");
      }
      s.order_by.push_back(std::move(o));
    } while (AcceptOp(","));
  }
  if (AcceptKeyword("LIMIT")) {
    uint64_t a = Unsigned();
    if (AcceptOp(",")) {
      s.offset = a;
      s.limit = Unsigned();
    } else {
      s.limit = a;
      if (AcceptKeyword("OFFSET")) s.offset = Unsigned();
    }
  }
  if (IsKeyword("UNION")) NotYet("UNION");
  if (AcceptKeywords({"FOR", "UPDATE"})) {
    // no locking to do
  }
  ExpectEnd();
}

SetAssignment Parser::ParseSetAssignment() {
  SetAssignment a;
  if (IsOp("@")) {
    Take();
    a.kind = SetAssignment::Kind::kUser;
    a.name = LowerAscii(IdentOrString());
  } else {
    a.kind = SetAssignment::Kind::kSystem;
    if (AcceptOp("@@")) {
      if ((IsKeyword("SESSION") || IsKeyword("GLOBAL") || IsKeyword("LOCAL")) && IsOp(".", 1)) {
        a.scope = LowerAscii(Take().text);
        Take();
      }
    } else if (IsKeyword("SESSION") || IsKeyword("GLOBAL") || IsKeyword("LOCAL")) {
      a.scope = LowerAscii(Take().text);
    }
    if (a.scope == "local") a.scope = "session";
    a.name = LowerAscii(Identifier());
  }
  if (!AcceptOp("=")) ExpectOp(":=");
  size_t value_start = pos_;
  // MySQL allows bare words as values: SET sql_mode = TRADITIONAL, SET autocommit = ON.
  if (Peek().kind == TokenKind::kIdent && (IsOp(",", 1) || IsOp(";", 1) || Peek(1).kind == TokenKind::kEnd) &&
      !IsKeyword("NULL") && !IsKeyword("TRUE") && !IsKeyword("FALSE")) {
    a.value = MakeExpr(Expr::Kind::kString, Take().text);
  } else {
    a.value = ParseExpr();
  }
  a.value->source = SourceFrom(value_start);
  return a;
}

Statement Parser::ParseSet() {
  if (IsKeyword("PASSWORD") && (IsOp("=", 1) || IsKeyword("FOR", 1))) {
    Take();
    return ParseSetPassword();
  }
  if (IsKeyword("AS", 1) && (Peek().kind == TokenKind::kIdent || Peek().kind == TokenKind::kQuotedIdent)) {
    SetDefaultStorageVolumeStmt s{.name = Identifier()};  // SET sv AS DEFAULT STORAGE VOLUME
    ExpectKeyword("AS");
    ExpectKeyword("DEFAULT");
    ExpectKeyword("STORAGE");
    ExpectKeyword("VOLUME");
    ExpectEnd();
    return s;
  }
  SetStmt s;
  if (AcceptKeyword("NAMES") || AcceptKeywords({"CHARACTER", "SET"}) || AcceptKeyword("CHARSET")) {
    SetAssignment a{.kind = SetAssignment::Kind::kNames};
    a.name = AcceptKeyword("DEFAULT") ? "utf8mb4" : LowerAscii(IdentOrString());
    if (AcceptKeyword("COLLATE")) IdentOrString();
    s.assignments.push_back(std::move(a));
    ExpectEnd();
    return s;
  }
  if (IsKeyword("TRANSACTION") || ((IsKeyword("SESSION") || IsKeyword("GLOBAL") || IsKeyword("LOCAL")) &&
                                    IsKeyword("TRANSACTION", 1))) {
    return ParseSetTransaction();
  }
  do {
    s.assignments.push_back(ParseSetAssignment());
  } while (AcceptOp(","));
  ExpectEnd();
  return s;
}

// SET [SESSION | GLOBAL] TRANSACTION characteristic [, ...] where a
// characteristic is ISOLATION LEVEL {READ UNCOMMITTED | READ COMMITTED |
// REPEATABLE READ | SERIALIZABLE} or READ {ONLY | WRITE}. With a scope it sets
// transaction_isolation / transaction_read_only (and their tx_ aliases, which
// SET keeps in step); without one MySQL applies it to the next transaction
// only, and Strata has no transactions yet: accepted, nothing changes.
Statement Parser::ParseSetTransaction() {
  std::string scope;
  if (!IsKeyword("TRANSACTION")) scope = LowerAscii(Take().text);
  if (scope == "local") scope = "session";
  ExpectKeyword("TRANSACTION");
  SetStmt s;
  auto assign = [&](const char* name, std::string value) {
    SetAssignment a{.kind = SetAssignment::Kind::kSystem, .scope = scope, .name = name};
    a.value = MakeExpr(Expr::Kind::kString, std::move(value));
    s.assignments.push_back(std::move(a));
  };
  do {
    if (AcceptKeyword("ISOLATION")) {
      ExpectKeyword("LEVEL");
      std::string level;
      if (AcceptKeyword("READ")) {
        if (AcceptKeyword("UNCOMMITTED")) {
          level = "READ-UNCOMMITTED";
        } else {
          ExpectKeyword("COMMITTED");
          level = "READ-COMMITTED";
        }
      } else if (AcceptKeyword("REPEATABLE")) {
        ExpectKeyword("READ");
        level = "REPEATABLE-READ";
      } else {
        ExpectKeyword("SERIALIZABLE");
        level = "SERIALIZABLE";
      }
      assign("transaction_isolation", level);
    } else {
      ExpectKeyword("READ");
      if (AcceptKeyword("ONLY")) {
        assign("transaction_read_only", "1");
      } else {
        ExpectKeyword("WRITE");
        assign("transaction_read_only", "0");
      }
    }
  } while (AcceptOp(","));
  ExpectEnd();
  if (scope.empty()) return TransactionStmt{.what = "SET TRANSACTION"};
  return s;
}

void Parser::ParseLikeOrWhere(ShowStmt& s) {
  if (AcceptKeyword("LIKE")) {
    s.like = StringLiteral();
  } else if (AcceptKeyword("WHERE")) {
    s.where = ParseExpr();
  }
}

Statement Parser::ParseShow() {
  ShowStmt s;
  s.full = AcceptKeyword("FULL");
  if (AcceptKeyword("GLOBAL")) {
    s.global = true;
  } else {
    AcceptKeyword("SESSION");
  }
  return ParseShowRest(s);
}

Statement Parser::ParseShowRest(ShowStmt& s) {
  using W = ShowStmt::What;
  if (AcceptKeyword("DATABASES") || AcceptKeyword("SCHEMAS")) {
    s.what = W::kDatabases;
    ParseLikeOrWhere(s);
  } else if (AcceptKeyword("TABLES")) {
    s.what = W::kTables;
    if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s.table.db = Identifier();
    ParseLikeOrWhere(s);
  } else if (AcceptKeywords({"CREATE", "TABLE"})) {
    s.what = W::kCreateTable;
    s.table = QualifiedName();
  } else if (AcceptKeywords({"CREATE", "DATABASE"}) || AcceptKeywords({"CREATE", "SCHEMA"})) {
    s.what = W::kCreateDatabase;
    s.name = Identifier();
  } else if (AcceptKeyword("PARTITIONS")) {
    s.what = W::kPartitions;
    if (!AcceptKeyword("FROM")) ExpectKeyword("IN");
    s.table = QualifiedName();
    if (AcceptKeyword("WHERE")) s.where = ParseExpr();
  } else if (AcceptKeyword("COLUMNS") || AcceptKeyword("FIELDS")) {
    s.what = W::kColumns;
    if (!AcceptKeyword("FROM")) ExpectKeyword("IN");
    s.table = QualifiedName();
    if (AcceptKeyword("FROM") || AcceptKeyword("IN")) s.table.db = Identifier();
    ParseLikeOrWhere(s);
  } else if (AcceptKeywords({"STORAGE", "VOLUMES"})) {
    s.what = W::kStorageVolumes;
    ParseLikeOrWhere(s);
  } else if (AcceptKeyword("FRONTENDS")) {
    s.what = W::kFrontends;
  } else if (AcceptKeywords({"COMPUTE", "NODES"}) || AcceptKeyword("BACKENDS")) {
    s.what = W::kComputeNodes;
  } else if (AcceptKeyword("VARIABLES")) {
    s.what = W::kVariables;
    ParseLikeOrWhere(s);
  } else if (AcceptKeyword("WARNINGS") || AcceptKeyword("ERRORS")) {
    s.what = W::kWarnings;
    if (AcceptKeyword("LIMIT")) Unsigned();
  } else if (AcceptKeyword("ENGINES") || AcceptKeywords({"STORAGE", "ENGINES"})) {
    s.what = W::kEngines;
  } else if (AcceptKeyword("CHARSET") || AcceptKeywords({"CHARACTER", "SET"})) {
    s.what = W::kCharset;
    ParseLikeOrWhere(s);
  } else if (AcceptKeyword("COLLATION")) {
    s.what = W::kCollation;
    ParseLikeOrWhere(s);
  } else if (AcceptKeyword("STATUS")) {
    s.what = W::kStatus;
    ParseLikeOrWhere(s);
  } else if (AcceptKeyword("GRANTS")) {
    s.what = W::kGrants;
    if (AcceptKeyword("FOR")) {
      // FOR ROLE r (StarRocks); a user named "role" is FOR 'role' / FOR role@host.
      if (IsKeyword("ROLE") && Peek(1).kind != TokenKind::kEnd && !IsOp(";", 1) && !IsOp("@", 1)) {
        Take();
        s.role = IdentOrString();
      } else {
        s.user = User();
      }
    }
  } else if (AcceptKeyword("ROLES")) {
    s.what = W::kRoles;
  } else if (AcceptKeyword("USERS")) {
    s.what = W::kUsers;
  } else if (AcceptKeyword("PROCESSLIST")) {
    s.what = W::kProcesslist;
  } else {
    Error();
  }
  ExpectEnd();
  return std::move(s);
}

// DESC STORAGE VOLUME sv | DESC [db.]t
Statement Parser::ParseDesc() {
  ShowStmt s;
  if (AcceptKeywords({"STORAGE", "VOLUME"})) {
    s.what = ShowStmt::What::kDescStorageVolume;
    s.name = Identifier();
  } else {
    if (IsKeyword("SELECT")) NotYet("EXPLAIN");
    s.what = ShowStmt::What::kColumns;
    s.table = QualifiedName();
    AcceptKeyword("ALL");
  }
  ExpectEnd();
  return s;
}

}  // namespace strata::sql

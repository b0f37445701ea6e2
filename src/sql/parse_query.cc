// Parsing SELECT, SET, SHOW, DESC.
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

[[noreturn]] static void NotYet(const std::string& what) {
  Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + what + "'");
}

namespace {

// Words that end a select item or a table reference instead of naming it.
bool IsClauseWord(const Parser& p) {
  for (std::string_view w : {"FROM", "WHERE", "LIMIT", "ORDER", "GROUP", "HAVING", "UNION", "INTO", "FOR", "JOIN",
                             "INNER", "LEFT", "RIGHT", "CROSS", "STRAIGHT_JOIN", "ON", "USING", "OFFSET", "NATURAL",
                             "FULL", "OUTER", "EXCEPT", "INTERSECT", "WINDOW"}) {
    if (p.IsKeyword(w)) return true;
  }
  return false;
}

using Ctes = std::vector<std::pair<std::string, std::shared_ptr<SelectStmt>>>;

void ReplaceCtes(SelectStmt& s, const Ctes& ctes);

void ReplaceCtes(Expr& e, const Ctes& ctes) {
  if (e.subquery) ReplaceCtes(*e.subquery, ctes);
  for (auto& a : e.args) {
    if (a) ReplaceCtes(*a, ctes);
  }
}

void ReplaceCtes(TableRef& r, const Ctes& ctes) {
  switch (r.kind) {
    case TableRef::Kind::kTable:
      if (!r.name.db.empty()) return;
      for (const auto& [name, query] : ctes) {
        if (LowerAscii(name) != LowerAscii(r.name.table)) continue;
        r.kind = TableRef::Kind::kSubquery;
        r.subquery = query;
        if (r.alias.empty()) r.alias = r.name.table;
        return;
      }
      return;
    case TableRef::Kind::kSubquery: ReplaceCtes(*r.subquery, ctes); return;
    case TableRef::Kind::kJoin:
      ReplaceCtes(*r.left, ctes);
      ReplaceCtes(*r.right, ctes);
      if (r.on) ReplaceCtes(*r.on, ctes);
      return;
  }
}

// Every reference to a CTE of `ctes` as a table (without a database) in `s`,
// its subqueries and derived tables becomes a derived table over its query.
void ReplaceCtes(SelectStmt& s, const Ctes& ctes) {
  if (s.from_ref) {
    ReplaceCtes(*s.from_ref, ctes);
    if (s.from_ref->kind != TableRef::Kind::kTable) s.from.reset();
  }
  for (auto& i : s.items) ReplaceCtes(*i.expr, ctes);
  for (auto* e : {s.where.get(), s.having.get()}) {
    if (e) ReplaceCtes(*e, ctes);
  }
  for (auto& g : s.group_by) ReplaceCtes(*g, ctes);
  for (auto& o : s.order_by) ReplaceCtes(*o.expr, ctes);
  for (auto& b : s.union_branches) ReplaceCtes(*b, ctes);
}

}  // namespace

Statement Parser::ParseSelect() {
  SelectStmt s = ParseQuery();
  if (AcceptKeywords({"FOR", "UPDATE"})) {
    // no locking to do
  }
  ExpectEnd();
  return s;
}

// SELECT core [UNION [ALL|DISTINCT] SELECT core]... [ORDER BY ...] [LIMIT ...]
// WITH name AS (query) [, ...] before a query (non-recursive; a CTE sees the
// ones before it) is parsed away: each use of a name becomes a derived table.
SelectStmt Parser::ParseQuery() {
  DepthGuard guard(*this);
  if (AcceptKeyword("WITH")) {
    if (IsKeyword("RECURSIVE")) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'WITH RECURSIVE'");
    Ctes ctes;
    do {
      std::string name = Identifier();
      if (IsOp("(")) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'column names after a WITH name'");
      ExpectKeyword("AS");
      ExpectOp("(");
      auto query = ParseSubquery();
      ReplaceCtes(*query, ctes);
      ctes.emplace_back(std::move(name), std::move(query));
    } while (AcceptOp(","));
    SelectStmt s = ParseQuery();
    ReplaceCtes(s, ctes);
    return s;
  }
  SelectStmt s = ParseSelectCore();
  while (AcceptKeyword("UNION")) {
    bool distinct = !AcceptKeyword("ALL");
    if (distinct) AcceptKeyword("DISTINCT");
    std::shared_ptr<SelectStmt> branch;
    if (AcceptOp("(")) {
      branch = ParseSubquery();
    } else {
      branch = std::make_shared<SelectStmt>(ParseSelectCore());
    }
    s.union_branches.push_back(std::move(branch));
    s.union_distinct.push_back(distinct);
  }
  ParseSelectTail(s);
  return s;
}

SelectStmt Parser::ParseSelectCore() {
  ExpectKeyword("SELECT");
  SelectStmt s;
  if (AcceptKeyword("DISTINCT") || AcceptKeyword("DISTINCTROW")) {
    s.distinct = true;
  } else {
    AcceptKeyword("ALL");
  }
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
               (Peek().kind == TokenKind::kIdent && !IsClauseWord(*this))) {
      item.alias = Take().text;
    }
    s.items.push_back(std::move(item));
  } while (AcceptOp(","));
  if (AcceptKeyword("FROM")) {
    if (!AcceptKeyword("DUAL")) {
      s.from_ref = ParseFromClause();
      if (s.from_ref->kind == TableRef::Kind::kTable) s.from = s.from_ref->name;
    }
  }
  if (AcceptKeyword("WHERE")) s.where = ParseExpr();
  if (AcceptKeywords({"GROUP", "BY"})) {
    do {
      s.group_by.push_back(ParseExpr());
    } while (AcceptOp(","));
  }
  if (AcceptKeyword("HAVING")) s.having = ParseExpr();
  return s;
}

// table_ref [, table_ref]...: a comma is a cross join.
std::unique_ptr<TableRef> Parser::ParseFromClause() {
  std::unique_ptr<TableRef> left = ParseTableRef();
  while (AcceptOp(",")) {
    auto join = std::make_unique<TableRef>();
    join->kind = TableRef::Kind::kJoin;
    join->join = TableRef::JoinType::kCross;
    join->left = std::move(left);
    join->right = ParseTableRef();
    left = std::move(join);
  }
  return left;
}

// primary [[INNER|CROSS|LEFT [OUTER]|RIGHT [OUTER]] JOIN primary [ON expr | USING (cols)]]...
std::unique_ptr<TableRef> Parser::ParseTableRef() {
  DepthGuard guard(*this);
  std::unique_ptr<TableRef> left = ParseTablePrimary();
  while (true) {
    TableRef::JoinType type = TableRef::JoinType::kInner;
    if (AcceptKeyword("JOIN") || AcceptKeyword("STRAIGHT_JOIN") || AcceptKeywords({"INNER", "JOIN"})) {
      type = TableRef::JoinType::kInner;
    } else if (AcceptKeywords({"CROSS", "JOIN"})) {
      type = TableRef::JoinType::kCross;
    } else if (AcceptKeyword("LEFT")) {
      AcceptKeyword("OUTER");
      ExpectKeyword("JOIN");
      type = TableRef::JoinType::kLeft;
    } else if (AcceptKeyword("RIGHT")) {
      AcceptKeyword("OUTER");
      ExpectKeyword("JOIN");
      type = TableRef::JoinType::kRight;
    } else if (IsKeyword("NATURAL") || IsKeyword("FULL")) {
      NotYet(UpperAscii(Peek().text) + " JOIN");
    } else {
      return left;
    }
    auto join = std::make_unique<TableRef>();
    join->kind = TableRef::Kind::kJoin;
    join->join = type;
    join->left = std::move(left);
    join->right = ParseTablePrimary();
    if (AcceptKeyword("ON")) {
      join->on = ParseExpr();
    } else if (AcceptKeyword("USING")) {
      join->using_columns = IdentList();
    } else if (type == TableRef::JoinType::kLeft || type == TableRef::JoinType::kRight) {
      Error();  // an outer join needs its condition
    }
    if (type == TableRef::JoinType::kInner && !join->on && join->using_columns.empty()) {
      join->join = TableRef::JoinType::kCross;
    }
    left = std::move(join);
  }
}

std::unique_ptr<TableRef> Parser::ParseTablePrimary() {
  auto ref = std::make_unique<TableRef>();
  if (AcceptOp("(")) {
    if (IsKeyword("SELECT")) {
      ref->kind = TableRef::Kind::kSubquery;
      ref->subquery = ParseSubquery();
      AcceptKeyword("AS");
      if (Peek().kind != TokenKind::kIdent && Peek().kind != TokenKind::kQuotedIdent) {
        Fail(ER_DERIVED_MUST_HAVE_ALIAS, "Every derived table must have its own alias");
      }
      ref->alias = Identifier();
      return ref;
    }
    ref = ParseFromClause();
    ExpectOp(")");
    return ref;
  }
  ref->name = QualifiedName();
  if (AcceptKeyword("AS")) {
    ref->alias = Identifier();
  } else if ((Peek().kind == TokenKind::kIdent && !IsClauseWord(*this)) || Peek().kind == TokenKind::kQuotedIdent) {
    ref->alias = Identifier();
  }
  return ref;
}

std::shared_ptr<SelectStmt> Parser::ParseSubquery() {
  auto q = std::make_shared<SelectStmt>(ParseQuery());
  ExpectOp(")");
  return q;
}

// [ORDER BY ...] [LIMIT n [OFFSET m] | LIMIT m, n]
void Parser::ParseSelectTail(SelectStmt& s) {
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
    if (IsKeyword("SELECT") || IsKeyword("WITH")) {  // EXPLAIN / DESC SELECT ...
      auto stmt = std::get<SelectStmt>(ParseSelect());
      stmt.explain = true;
      return stmt;
    }
    s.what = ShowStmt::What::kColumns;
    s.table = QualifiedName();
    AcceptKeyword("ALL");
  }
  ExpectEnd();
  return s;
}

}  // namespace strata::sql

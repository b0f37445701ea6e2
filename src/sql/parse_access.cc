// Parsing users, roles, passwords, GRANT and REVOKE.
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

// IDENTIFIED BY 'pw' | IDENTIFIED BY PASSWORD '*hash' |
// IDENTIFIED WITH mysql_native_password [BY 'pw' | AS '*hash']
void Parser::ParsePasswordClause(std::optional<std::string>& password, std::optional<std::string>& hash) {
  ExpectKeyword("IDENTIFIED");
  if (AcceptKeyword("WITH")) {
    std::string plugin = LowerAscii(IdentOrString());
    if (plugin != "mysql_native_password") {
      Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support authentication plugin '" + plugin + "'");
    }
    if (AcceptKeyword("BY")) {
      password = StringLiteral();
    } else if (AcceptKeyword("AS")) {
      hash = StringLiteral();
    }
    return;
  }
  ExpectKeyword("BY");
  if (AcceptKeyword("PASSWORD")) {
    hash = StringLiteral();
  } else {
    password = StringLiteral();
  }
}

Statement Parser::ParseCreateUser() {
  CreateUserStmt s;
  s.if_not_exists = AcceptIfNotExists();
  s.user = User();
  if (IsKeyword("IDENTIFIED")) ParsePasswordClause(s.password, s.password_hash);
  if (AcceptKeywords({"DEFAULT", "ROLE"})) {
    do {
      s.roles.push_back(IdentOrString());
    } while (AcceptOp(","));
  }
  ExpectEnd();
  return s;
}

Statement Parser::ParseDropUser() {
  DropUserStmt s;
  s.if_exists = AcceptIfExists();
  s.user = User();
  ExpectEnd();
  return s;
}

Statement Parser::ParseAlterUser() {
  SetPasswordStmt s;
  s.if_exists = AcceptIfExists();
  s.user = User();
  ParsePasswordClause(s.password, s.password_hash);
  ExpectEnd();
  return s;
}

// SET PASSWORD [FOR user] = PASSWORD('x') | 'x' ('*' + 40 hex is taken as a hash).
Statement Parser::ParseSetPassword() {
  SetPasswordStmt s;
  if (AcceptKeyword("FOR")) s.user = User();
  ExpectOp("=");
  if (AcceptKeyword("PASSWORD")) {
    ExpectOp("(");
    s.password = StringLiteral();
    ExpectOp(")");
  } else {
    std::string v = StringLiteral();
    bool looks_hashed = v.size() == 41 && v[0] == '*';
    (looks_hashed ? s.password_hash : s.password) = std::move(v);
  }
  ExpectEnd();
  return s;
}

// Privilege names: words up to ',' / ON, joined with '_' ("CREATE DATABASE" ->
// CREATE_DATABASE; "ALL [PRIVILEGES]" -> ALL).
std::vector<std::string> Parser::ParsePrivileges() {
  std::vector<std::string> out;
  do {
    std::string name;
    while (Peek().kind == TokenKind::kIdent && !IsKeyword("ON")) {
      if (!name.empty()) name += "_";
      name += UpperAscii(Take().text);
    }
    if (name.empty()) Error();
    if (name == "ALL_PRIVILEGES") name = "ALL";
    out.push_back(std::move(name));
  } while (AcceptOp(","));
  return out;
}

// ON *.* | db.* | db.t | t | SYSTEM | CATALOG c | DATABASE db | TABLE db.t |
// ALL TABLES IN DATABASE db | ALL TABLES IN ALL DATABASES | ALL DATABASES |
// STORAGE VOLUME sv | ALL STORAGE VOLUMES
void Parser::ParseGrantObject(GrantStmt& g) {
  if (AcceptKeyword("SYSTEM")) {
    g.object = GrantObjectKind::kSystem;
  } else if (AcceptKeyword("CATALOG")) {
    Identifier();
    g.object = GrantObjectKind::kSystem;
  } else if (AcceptKeywords({"ALL", "TABLES", "IN", "ALL", "DATABASES"})) {
    g.object = GrantObjectKind::kTable, g.object_name = "*.*";
  } else if (AcceptKeywords({"ALL", "TABLES", "IN", "DATABASE"})) {
    g.object = GrantObjectKind::kTable, g.object_name = Identifier() + ".*";
  } else if (AcceptKeywords({"ALL", "DATABASES"})) {
    g.object = GrantObjectKind::kDatabase, g.object_name = "*";
  } else if (AcceptKeywords({"ALL", "STORAGE", "VOLUMES"})) {
    g.object = GrantObjectKind::kStorageVolume, g.object_name = "*";
  } else if (AcceptKeywords({"STORAGE", "VOLUME"})) {
    g.object = GrantObjectKind::kStorageVolume, g.object_name = Identifier();
  } else if (IsKeyword("DATABASE") && !IsOp(".", 1)) {
    Take();
    g.object = GrantObjectKind::kDatabase, g.object_name = Identifier();
  } else {
    if (IsKeyword("TABLE") && !IsOp(".", 1)) Take();
    g.object = GrantObjectKind::kTable;
    std::string first = AcceptOp("*") ? "*" : Identifier();
    if (AcceptOp(".")) {
      std::string second = AcceptOp("*") ? "*" : Identifier();
      g.object_name = first + "." + second;
    } else {
      g.object_name = first;  // a table of the current database ("*": all of its tables)
    }
  }
}

Statement Parser::ParseGrant(bool revoke) {
  // GRANT role[, role] TO user has no ON before TO/FROM.
  bool has_on = false;
  for (size_t i = 0; Peek(i).kind != TokenKind::kEnd; ++i) {
    if (IsKeyword("ON", i)) has_on = true;
    if (IsKeyword(revoke ? "FROM" : "TO", i)) break;
  }
  if (!has_on) {
    GrantRoleStmt s{.revoke = revoke};
    do {
      s.roles.push_back(IdentOrString());
    } while (AcceptOp(","));
    ExpectKeyword(revoke ? "FROM" : "TO");
    AcceptKeyword("USER");
    s.user = User();
    ExpectEnd();
    return s;
  }
  GrantStmt g{.revoke = revoke};
  g.privileges = ParsePrivileges();
  ExpectKeyword("ON");
  ParseGrantObject(g);
  ExpectKeyword(revoke ? "FROM" : "TO");
  if (AcceptKeyword("ROLE")) {
    g.grantee.role = true;
    g.grantee.name = IdentOrString();
  } else {
    AcceptKeyword("USER");
    UserSpec u = User();
    g.grantee.name = u.name;
    g.grantee.host = u.host;
  }
  if (AcceptKeywords({"WITH", "GRANT", "OPTION"})) {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'WITH GRANT OPTION'");
  }
  ExpectEnd();
  return g;
}

}  // namespace strata::sql

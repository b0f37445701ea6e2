// Executing users, roles, passwords, GRANT/REVOKE and SHOW GRANTS/ROLES/USERS.
// Passwords become MysqlNativePasswordHash values at once; the plain text is
// never stored or echoed.
#include <algorithm>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"

namespace strata::sql {
namespace {

meta::UserIdentity Identity(const UserSpec& u) { return meta::UserIdentity{.name = u.name, .host = u.host}; }

std::string CheckedHash(const std::optional<std::string>& password, const std::optional<std::string>& hash) {
  if (password) return meta::MysqlNativePasswordHash(*password);
  if (!hash) return "";
  const std::string& h = *hash;
  bool ok = h.empty() || (h.size() == 41 && h[0] == '*' &&
                          std::all_of(h.begin() + 1, h.end(), [](unsigned char c) { return std::isxdigit(c) != 0; }));
  if (!ok) Fail(ER_PASSWORD_FORMAT, "The password hash doesn't have the expected format.");
  return UpperAscii(h);
}

meta::ObjectType ObjectTypeOf(GrantObjectKind k) {
  switch (k) {
    case GrantObjectKind::kSystem: return meta::ObjectType::kSystem;
    case GrantObjectKind::kDatabase: return meta::ObjectType::kDatabase;
    case GrantObjectKind::kTable: return meta::ObjectType::kTable;
    case GrantObjectKind::kStorageVolume: return meta::ObjectType::kStorageVolume;
  }
  return meta::ObjectType::kSystem;
}

std::string Join(const std::set<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

std::string GrantText(const meta::PrivilegeObject& o, const std::set<std::string>& privs, const std::string& to) {
  std::string p = Join(privs, ", ");
  std::replace(p.begin(), p.end(), '_', ' ');
  std::string on;
  switch (o.type) {
    case meta::ObjectType::kSystem: on = "SYSTEM"; break;
    case meta::ObjectType::kDatabase: on = o.name == "*" ? "ALL DATABASES" : "DATABASE " + o.name; break;
    case meta::ObjectType::kTable:
      on = o.name == "*.*" ? "ALL TABLES IN ALL DATABASES"
           : o.name.ends_with(".*") ? "ALL TABLES IN DATABASE " + o.name.substr(0, o.name.size() - 2)
                                    : "TABLE " + o.name;
      break;
    case meta::ObjectType::kStorageVolume: on = o.name == "*" ? "ALL STORAGE VOLUMES" : "STORAGE VOLUME " + o.name; break;
  }
  return "GRANT " + p + " ON " + on + " TO " + to;
}

}  // namespace

ExecResult SessionImpl::Run(const CreateUserStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("GRANT");
  meta::UserIdentity id = Identity(s.user);
  std::string hash = CheckedHash(s.password, s.password_hash);
  for (const auto& r : s.roles) {
    if (!st.roles.contains(r)) Fail(ER_UNKNOWN_AUTHID, "Unknown authorization ID `" + r + "`@`%`");
  }
  auto failed = [&] { Fail(ER_CANNOT_USER, "Operation CREATE USER failed for " + meta::ToString(id)); };
  if (st.users.contains(id)) {
    if (!s.if_not_exists) failed();
    AddNote(ER_CANNOT_USER, "Operation CREATE USER failed for " + meta::ToString(id));
    return Ok();
  }
  meta::CreateUser c{.user = id, .password_hash = Secret(hash), .roles = s.roles, .if_not_exists = s.if_not_exists};
  Submit(std::move(c), [&](const Status& e) {
    if (e.code() == StatusCode::kAlreadyExists) failed();
    for (const auto& r : s.roles) {
      if (StatusMatches(e, StatusCode::kNotFound, "role " + r + " does not exist")) {
        Fail(ER_UNKNOWN_AUTHID, "Unknown authorization ID `" + r + "`@`%`");
      }
    }
  });
  return Ok();
}

ExecResult SessionImpl::Run(const DropUserStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("GRANT");
  meta::UserIdentity id = Identity(s.user);
  auto failed = [&] { Fail(ER_CANNOT_USER, "Operation DROP USER failed for " + meta::ToString(id)); };
  if (!st.users.contains(id)) {
    if (!s.if_exists) failed();
    AddNote(ER_CANNOT_USER, "Operation DROP USER failed for " + meta::ToString(id));
    return Ok();
  }
  Submit(meta::DropUser{.user = id, .if_exists = s.if_exists}, [&](const Status&) { failed(); });
  return Ok();
}

ExecResult SessionImpl::Run(const SetPasswordStmt& s) {
  meta::CatalogState st = engine_->State();
  meta::UserIdentity id = s.user ? Identity(*s.user) : account_;
  if (id != account_) Checker(st).RequireSystem("GRANT");
  std::string hash = CheckedHash(s.password, s.password_hash);
  if (!st.users.contains(id)) {
    if (s.if_exists) return Ok();
    Fail(ER_CANNOT_USER, "Operation ALTER USER failed for " + meta::ToString(id));
  }
  Submit(meta::AlterUserPassword{.user = id, .password_hash = Secret(hash)}, [&](const Status&) {
    Fail(ER_CANNOT_USER, "Operation ALTER USER failed for " + meta::ToString(id));
  });
  return Ok();
}

ExecResult SessionImpl::Run(const CreateRoleStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("GRANT");
  std::vector<std::string> todo;
  for (const auto& r : s.names) {
    if (!st.roles.contains(r)) {
      todo.push_back(r);
    } else if (!s.if_not_exists) {
      Fail(ER_CANNOT_USER, "Operation CREATE ROLE failed for '" + r + "'");
    }
  }
  for (const auto& r : todo) {
    Submit(meta::CreateRole{.name = r, .if_not_exists = s.if_not_exists},
           [&](const Status&) { Fail(ER_CANNOT_USER, "Operation CREATE ROLE failed for '" + r + "'"); });
  }
  return Ok();
}

ExecResult SessionImpl::Run(const DropRoleStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("GRANT");
  std::vector<std::string> todo;
  for (const auto& r : s.names) {
    if (std::find(meta::kBuiltinRoles.begin(), meta::kBuiltinRoles.end(), r) != meta::kBuiltinRoles.end()) {
      Fail(ER_CANNOT_USER, "Operation DROP ROLE failed for '" + r + "': built-in roles cannot be dropped");
    }
    if (st.roles.contains(r)) {
      todo.push_back(r);
    } else if (!s.if_exists) {
      Fail(ER_CANNOT_USER, "Operation DROP ROLE failed for '" + r + "'");
    }
  }
  for (const auto& r : todo) {
    Submit(meta::DropRole{.name = r, .if_exists = s.if_exists},
           [&](const Status&) { Fail(ER_CANNOT_USER, "Operation DROP ROLE failed for '" + r + "'"); });
  }
  return Ok();
}

ExecResult SessionImpl::Run(const GrantStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("GRANT");
  meta::PrivilegeObject object{.type = ObjectTypeOf(s.object), .name = s.object_name};
  if (object.type == meta::ObjectType::kTable && object.name.find('.') == std::string::npos) {
    object.name = ResolveDb("") + "." + object.name;
  }
  ValidateGrantPrivileges(s.privileges, object.type, object.name);
  meta::Grantee grantee{.kind = s.grantee.role ? meta::GranteeKind::kRole : meta::GranteeKind::kUser,
                        .name = s.grantee.name, .host = s.grantee.host};
  meta::UserIdentity grantee_user{.name = s.grantee.name, .host = s.grantee.host};
  std::string object_db = object.name.substr(0, object.name.find('.'));
  auto no_db = [&] { Fail(ER_BAD_DB_ERROR, "Unknown database '" + object_db + "'"); };
  auto no_table = [&] { Fail(ER_NO_SUCH_TABLE, "Table '" + object.name + "' doesn't exist"); };
  auto no_volume = [&] { Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + object.name); };
  auto no_user = [&] { Fail(ER_PASSWORD_NO_MATCH, "Can't find any matching row in the user table"); };
  auto no_role = [&] { Fail(ER_UNKNOWN_AUTHID, "Unknown authorization ID `" + s.grantee.name + "`@`%`"); };
  auto no_grant = [&] {
    Fail(ER_NONEXISTING_GRANT, "There is no such grant defined for user '" + s.grantee.name + "' on host '" +
                                   s.grantee.host + "'");
  };
  // Checked here first, in the catalog's order (object for GRANT, then the
  // grantee), so the answer does not depend on the catalog's wording; the
  // mapper below covers a change racing this statement.
  if (!s.revoke) {
    if (object.type == meta::ObjectType::kDatabase && object.name != "*" && !st.database_ids.contains(object.name)) {
      no_db();
    }
    if (object.type == meta::ObjectType::kTable && object_db != "*") {
      auto db_it = st.database_ids.find(object_db);
      if (db_it == st.database_ids.end()) no_db();
      std::string table = object.name.substr(object.name.find('.') + 1);
      if (table != "*" && !st.databases.at(db_it->second).table_ids.contains(table)) no_table();
    }
    if (object.type == meta::ObjectType::kStorageVolume && object.name != "*" &&
        !st.storage_volumes.contains(object.name)) {
      no_volume();
    }
  }
  const meta::PrivilegeMap* held = nullptr;
  if (s.grantee.role) {
    auto it = st.roles.find(s.grantee.name);
    if (it == st.roles.end()) no_role();
    held = &it->second.privileges;
  } else {
    auto it = st.users.find(grantee_user);
    if (it == st.users.end()) no_user();
    held = &it->second.privileges;
  }
  if (s.revoke) {
    auto it = held->find(object);
    for (const auto& p : s.privileges) {
      if (it == held->end() || !it->second.contains(UpperAscii(p))) no_grant();
    }
  }
  auto mapper = [&](const Status& e) {
    using C = StatusCode;
    if (StatusMatches(e, C::kNotFound, " has no ")) no_grant();
    if (!s.grantee.role && StatusMatches(e, C::kNotFound, "user " + meta::ToString(grantee_user) + " does not exist")) {
      no_user();
    }
    if (s.grantee.role && StatusMatches(e, C::kNotFound, "role " + s.grantee.name + " does not exist")) no_role();
    if (StatusMatches(e, C::kNotFound, "database " + object_db + " does not exist")) no_db();
    if (StatusMatches(e, C::kNotFound, "table " + object.name + " does not exist")) no_table();
    if (StatusMatches(e, C::kNotFound, "storage volume " + object.name + " does not exist")) no_volume();
  };
  if (s.revoke) {
    Submit(meta::Revoke{.grantee = grantee, .privileges = s.privileges, .object = object}, mapper);
  } else {
    Submit(meta::Grant{.grantee = grantee, .privileges = s.privileges, .object = object}, mapper);
  }
  return Ok();
}

ExecResult SessionImpl::Run(const GrantRoleStmt& s) {
  meta::CatalogState st = engine_->State();
  Checker(st).RequireSystem("GRANT");
  meta::UserIdentity id = Identity(s.user);
  if (!st.users.contains(id)) Fail(ER_PASSWORD_NO_MATCH, "Can't find any matching row in the user table");
  for (const auto& r : s.roles) {
    if (!st.roles.contains(r)) Fail(ER_UNKNOWN_AUTHID, "Unknown authorization ID `" + r + "`@`%`");
    if (s.revoke && !st.users.at(id).roles.contains(r)) {
      Fail(ER_ROLE_NOT_GRANTED, "`" + r + "`@`%` is not granted to " + meta::ToString(id));
    }
  }
  for (const auto& r : s.roles) {
    auto mapper = [&](const Status& e) {
      using C = StatusCode;
      if (StatusMatches(e, C::kNotFound, "user " + meta::ToString(id) + " does not have role " + r)) {
        Fail(ER_ROLE_NOT_GRANTED, "`" + r + "`@`%` is not granted to " + meta::ToString(id));
      }
      if (StatusMatches(e, C::kNotFound, "user " + meta::ToString(id) + " does not exist")) {
        Fail(ER_PASSWORD_NO_MATCH, "Can't find any matching row in the user table");
      }
      if (StatusMatches(e, C::kNotFound, "role " + r + " does not exist")) {
        Fail(ER_UNKNOWN_AUTHID, "Unknown authorization ID `" + r + "`@`%`");
      }
    };
    if (s.revoke) {
      Submit(meta::RevokeRole{.role = r, .user = id}, mapper);
    } else {
      Submit(meta::GrantRole{.role = r, .user = id}, mapper);
    }
  }
  return Ok();
}

ResultSet SessionImpl::ShowGrants(const ShowStmt& s, const meta::CatalogState& st) {
  using W = ShowStmt::What;
  PrivilegeChecker checker = Checker(st);
  if (s.what == W::kRoles || s.what == W::kUsers) {
    checker.RequireSystem("GRANT");
    ResultSet rs = MakeResultSet({s.what == W::kRoles ? "Name" : "User"});
    if (s.what == W::kRoles) {
      for (const auto& [name, r] : st.roles) rs.rows.push_back({name});
    } else {
      for (const auto& [id, u] : st.users) rs.rows.push_back({meta::ToString(id)});
    }
    return rs;
  }
  if (s.role) {  // SHOW GRANTS FOR ROLE r: one row per object, as StarRocks
    checker.RequireSystem("GRANT");
    auto role = st.roles.find(*s.role);
    if (role == st.roles.end()) Fail(ER_UNKNOWN_AUTHID, "Unknown authorization ID `" + *s.role + "`@`%`");
    ResultSet rs = MakeResultSet({"RoleName", "Catalog", "Grants"});
    for (const auto& [object, privs] : role->second.privileges) {
      rs.rows.push_back({role->first, "default_catalog", GrantText(object, privs, "ROLE '" + role->first + "'")});
    }
    return rs;
  }
  meta::UserIdentity id = s.user ? Identity(*s.user) : account_;
  if (id != account_) checker.RequireSystem("GRANT");
  auto it = st.users.find(id);
  if (it == st.users.end()) Fail(ER_NONEXISTING_GRANT, "There is no such grant defined for user '" + id.name + "' on host '" + id.host + "'");
  ResultSet rs = MakeResultSet({"UserIdentity", "Catalog", "Grants"});
  std::string who = meta::ToString(id);
  if (!it->second.roles.empty()) {
    std::set<std::string> quoted;
    for (const auto& r : it->second.roles) quoted.insert("'" + r + "'");
    rs.rows.push_back({who, std::nullopt, "GRANT " + Join(quoted, ", ") + " TO " + who});
  }
  for (const auto& [object, privs] : it->second.privileges) {
    rs.rows.push_back({who, "default_catalog", GrantText(object, privs, "USER " + who)});
  }
  return rs;
}

}  // namespace strata::sql

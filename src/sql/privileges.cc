// Privilege checks (privileges.h).
#include "sql/privileges.h"

#include <algorithm>
#include <set>

#include "sql/mysql_errors.h"

namespace strata::sql {
namespace {

using meta::ObjectType;

bool PrivilegeCovers(const std::set<std::string>& held, std::string_view wanted) {
  if (held.contains("ALL") || held.contains(std::string(wanted))) return true;
  if ((wanted == "CREATE_TABLE" || wanted == "CREATE_DATABASE") && held.contains("CREATE")) return true;
  return wanted == "ANY" && !held.empty();
}

std::pair<std::string_view, std::string_view> SplitTable(std::string_view name) {
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return {name, ""};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

// Does a grant on `g` apply to the target (type, name)?
bool ObjectCovers(const meta::PrivilegeObject& g, ObjectType type, std::string_view name) {
  if (g.type == ObjectType::kTable && g.name == "*.*") return true;
  switch (type) {
    case ObjectType::kSystem:
      return g.type == ObjectType::kSystem;
    case ObjectType::kDatabase:
      if (g.type == ObjectType::kDatabase) return g.name == "*" || g.name == name;
      return g.type == ObjectType::kTable && g.name == std::string(name) + ".*";
    case ObjectType::kTable: {
      auto [db, table] = SplitTable(name);
      if (g.type == ObjectType::kDatabase) return g.name == "*" || g.name == db;
      if (g.type != ObjectType::kTable) return false;
      auto [gdb, gtable] = SplitTable(g.name);
      return gdb == db && (gtable == "*" || gtable == table);
    }
    case ObjectType::kStorageVolume:
      return g.type == ObjectType::kStorageVolume && (g.name == "*" || g.name == name);
  }
  return false;
}

}  // namespace

PrivilegeChecker::PrivilegeChecker(const meta::CatalogState& state, meta::UserIdentity account)
    : account_(std::move(account)) {
  auto it = state.users.find(account_);
  if (it == state.users.end()) return;
  maps_.push_back(&it->second.privileges);
  for (const auto& role : it->second.roles) {
    if (role == "root") root_ = true;
    if (std::find(meta::kBuiltinRoles.begin(), meta::kBuiltinRoles.end(), role) != meta::kBuiltinRoles.end()) {
      builtin_roles_.push_back(role);
    }
    if (auto r = state.roles.find(role); r != state.roles.end()) maps_.push_back(&r->second.privileges);
  }
  if (state.roles.contains("public")) maps_.push_back(&state.roles.at("public").privileges);
}

bool PrivilegeChecker::BuiltinRoleHas(std::string_view role, std::string_view privilege, ObjectType type) const {
  if (role == "db_admin") {
    return type == ObjectType::kDatabase || type == ObjectType::kTable ||
           (type == ObjectType::kSystem && privilege == "CREATE_DATABASE");
  }
  if (role == "cluster_admin") {
    return type == ObjectType::kStorageVolume ||
           (type == ObjectType::kSystem &&
            (privilege == "NODE" || privilege == "OPERATE" || privilege == "CREATE_STORAGE_VOLUME"));
  }
  if (role == "user_admin") return type == ObjectType::kSystem && privilege == "GRANT";
  return false;
}

bool PrivilegeChecker::Has(std::string_view privilege, ObjectType type, std::string_view name) const {
  if (root_) return true;
  for (const auto& role : builtin_roles_) {
    if (BuiltinRoleHas(role, privilege, type)) return true;
  }
  for (const auto* map : maps_) {
    for (const auto& [object, held] : *map) {
      if (ObjectCovers(object, type, name) && PrivilegeCovers(held, privilege)) return true;
    }
  }
  return false;
}

bool PrivilegeChecker::HasAnyOnDatabase(std::string_view db) const {
  if (Has("ANY", ObjectType::kDatabase, db)) return true;
  for (const auto* map : maps_) {
    for (const auto& [object, held] : *map) {
      if (object.type == ObjectType::kTable && SplitTable(object.name).first == db && !held.empty()) return true;
    }
  }
  return false;
}

bool PrivilegeChecker::HasAnyOnTable(std::string_view db, std::string_view table) const {
  return Has("ANY", ObjectType::kTable, std::string(db) + "." + std::string(table));
}

bool PrivilegeChecker::HasAnyOnVolume(std::string_view volume) const {
  return Has("ANY", ObjectType::kStorageVolume, volume);
}

std::string PrivilegeChecker::AccountText() const { return "'" + account_.name + "'@'" + account_.host + "'"; }

void PrivilegeChecker::RequireSystem(std::string_view privilege) const {
  RequireSystemAnyOf({privilege});
}

void PrivilegeChecker::RequireSystemAnyOf(std::initializer_list<std::string_view> privileges) const {
  std::string names;
  for (auto p : privileges) {
    if (Has(p, ObjectType::kSystem, "")) return;
    names += (names.empty() ? "" : ", ") + std::string(p);
  }
  Fail(ER_SPECIFIC_ACCESS_DENIED_ERROR,
       "Access denied; you need (at least one of) the " + names + " privilege(s) for this operation");
}

void PrivilegeChecker::RequireDatabase(std::string_view privilege, std::string_view db) const {
  if (Has(privilege, ObjectType::kDatabase, db)) return;
  Fail(ER_DBACCESS_DENIED_ERROR, "Access denied for user " + AccountText() + " to database '" + std::string(db) + "'");
}

void PrivilegeChecker::RequireTable(std::string_view privilege, std::string_view command, std::string_view db,
                                    std::string_view table) const {
  if (Has(privilege, ObjectType::kTable, std::string(db) + "." + std::string(table))) return;
  Fail(ER_TABLEACCESS_DENIED_ERROR, std::string(command) + " command denied to user " + AccountText() +
                                        " for table '" + std::string(table) + "'");
}

void PrivilegeChecker::RequireVolume(std::string_view privilege, std::string_view volume) const {
  if (Has(privilege, ObjectType::kStorageVolume, volume)) return;
  Fail(ER_SPECIFIC_ACCESS_DENIED_ERROR, "Access denied; you need (at least one of) the " + std::string(privilege) +
                                            " privilege(s) on storage volume " + std::string(volume) +
                                            " for this operation");
}

void ValidateGrantPrivileges(const std::vector<std::string>& privileges, ObjectType type,
                             std::string_view object_name) {
  static const std::set<std::string> kSystem = {
      "ALL", "NODE", "OPERATE", "GRANT", "CREATE_DATABASE", "CREATE_STORAGE_VOLUME", "CREATE_RESOURCE",
      "CREATE_RESOURCE_GROUP", "CREATE_EXTERNAL_CATALOG", "CREATE_GLOBAL_FUNCTION", "PLUGIN", "FILE",
      "BLACKLIST", "REPOSITORY", "SECURITY", "USAGE"};
  static const std::set<std::string> kDatabase = {"ALL", "CREATE_TABLE", "CREATE", "DROP", "ALTER", "CREATE_VIEW",
                                                  "CREATE_FUNCTION", "CREATE_MATERIALIZED_VIEW", "USAGE"};
  static const std::set<std::string> kTable = {"ALL", "SELECT", "INSERT", "UPDATE", "DELETE", "ALTER", "DROP",
                                               "EXPORT", "USAGE"};
  static const std::set<std::string> kVolume = {"ALL", "USAGE", "ALTER", "DROP"};
  for (const auto& p : privileges) {
    bool ok = false;
    switch (type) {
      case ObjectType::kSystem: ok = kSystem.contains(p); break;
      case ObjectType::kDatabase: ok = kDatabase.contains(p); break;
      case ObjectType::kTable:
        // "*.*" (MySQL ON *.*) takes any privilege; "db.*" also the database ones.
        ok = object_name == "*.*" ? (kSystem.contains(p) || kDatabase.contains(p) || kTable.contains(p))
             : object_name.ends_with(".*") ? (kDatabase.contains(p) || kTable.contains(p))
                                           : kTable.contains(p);
        break;
      case ObjectType::kStorageVolume: ok = kVolume.contains(p); break;
    }
    if (!ok) {
      Fail(ER_ILLEGAL_GRANT_FOR_TABLE,
           "Illegal GRANT/REVOKE command; privilege " + p + " cannot be granted on " +
               std::string(meta::EnumName(type)) + (object_name.empty() ? "" : " " + std::string(object_name)));
    }
  }
}

}  // namespace strata::sql

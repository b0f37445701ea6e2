// Privilege checks, StarRocks-like. A session's account holds privileges
// directly and through its roles. Objects: SYSTEM, DATABASE db, TABLE db.t and
// STORAGE VOLUME sv; grants may use wildcards ("*" databases/volumes, "db.*"
// and "*.*" tables). A grant on TABLE "*.*" (MySQL's ON *.*) covers every
// object; a DATABASE grant also covers the database's tables; "db.*" also
// covers database db. ALL covers every privilege; CREATE covers CREATE_TABLE
// and CREATE_DATABASE.
// Built-in roles: root (everything), db_admin (all on databases and tables,
// CREATE_DATABASE), cluster_admin (NODE, OPERATE, all on storage volumes),
// user_admin (GRANT); public holds only what is granted to it.
// The Require* functions throw the MySQL access-denied errors.
//
// Thread-safety: a PrivilegeChecker reads the state it was built over.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "meta/catalog/model.h"

namespace strata::sql {

class PrivilegeChecker {
 public:
  PrivilegeChecker(const meta::CatalogState& state, meta::UserIdentity account);

  bool Has(std::string_view privilege, meta::ObjectType type, std::string_view name) const;
  // Any privilege on the database or on anything in it (visibility, USE).
  bool HasAnyOnDatabase(std::string_view db) const;
  bool HasAnyOnTable(std::string_view db, std::string_view table) const;
  bool HasAnyOnVolume(std::string_view volume) const;
  bool IsRoot() const { return root_; }

  // ER_SPECIFIC_ACCESS_DENIED_ERROR (1227).
  void RequireSystem(std::string_view privilege) const;
  void RequireSystemAnyOf(std::initializer_list<std::string_view> privileges) const;
  // ER_DBACCESS_DENIED_ERROR (1044).
  void RequireDatabase(std::string_view privilege, std::string_view db) const;
  // ER_TABLEACCESS_DENIED_ERROR (1142); `command` is the SQL verb in the message.
  void RequireTable(std::string_view privilege, std::string_view command, std::string_view db,
                    std::string_view table) const;
  // 1227 naming the storage volume privilege.
  void RequireVolume(std::string_view privilege, std::string_view volume) const;

  std::string AccountText() const;  // 'user'@'host'

 private:
  struct Grants {
    const meta::PrivilegeMap* map;
  };
  bool BuiltinRoleHas(std::string_view role, std::string_view privilege, meta::ObjectType type) const;
  std::vector<const meta::PrivilegeMap*> maps_;
  std::vector<std::string> builtin_roles_;
  meta::UserIdentity account_;
  bool root_ = false;
};

// The privileges valid on each object kind (upper case); ER_ILLEGAL_GRANT_FOR_TABLE otherwise.
void ValidateGrantPrivileges(const std::vector<std::string>& privileges, meta::ObjectType type,
                             std::string_view object_name);

}  // namespace strata::sql

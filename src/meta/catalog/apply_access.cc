// Apply for users, roles and privileges. Validate first, then mutate.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "meta/catalog/internal.h"

namespace strata::meta::internal {
namespace {

constexpr size_t kMaxPrivileges = 64;

bool IsRoot(const UserIdentity& u) { return u.name == "root" && u.host == "%"; }

Status CheckIdentity(const UserIdentity& u) {
  STRATA_RETURN_IF_ERROR(CheckName("user", u.name));
  return CheckName("host", u.host);
}

Status CheckPasswordHash(const Secret& hash) {
  const std::string& h = hash.Reveal();
  if (h.empty()) return Status::OK();
  bool ok = h.size() == 41 && h[0] == '*' &&
            std::all_of(h.begin() + 1, h.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!ok) return InvalidArgument("password hash is not in mysql_native_password form ('*' + 40 hex digits)");
  return Status::OK();
}

Status NoUser(const UserIdentity& u) { return NotFound("user " + ToString(u) + " does not exist"); }
Status NoRole(const std::string& r) { return NotFound("role " + r + " does not exist"); }

std::string Describe(const PrivilegeObject& o) {
  std::string type(EnumName(o.type));
  return o.name.empty() ? type : type + " " + o.name;
}

// Upper-cases and checks the privilege names.
Result<std::set<std::string>> NormalizePrivileges(const std::vector<std::string>& privileges) {
  if (privileges.empty()) return InvalidArgument("no privileges listed");
  if (privileges.size() > kMaxPrivileges) return InvalidArgument("too many privileges listed");
  std::set<std::string> out;
  for (const auto& p : privileges) {
    std::string up = p;
    std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
    bool ok = !up.empty() && up.size() <= 64 && std::isalpha(static_cast<unsigned char>(up[0])) &&
              std::all_of(up.begin(), up.end(), [](unsigned char c) { return std::isalpha(c) || c == '_' || c == ' '; });
    if (!ok) return InvalidArgument("invalid privilege name '" + p + "'");
    out.insert(up);
  }
  return out;
}

// The object must exist unless its name is (or ends in) the wildcard "*".
Status CheckObject(CatalogState& s, const PrivilegeObject& o) {
  switch (o.type) {
    case ObjectType::kSystem:
      if (!o.name.empty()) return InvalidArgument("a SYSTEM privilege object has no name");
      return Status::OK();
    case ObjectType::kDatabase:
      if (o.name == "*" || FindDatabase(s, o.name) != nullptr) return Status::OK();
      return NotFound("database " + o.name + " does not exist");
    case ObjectType::kTable: {
      auto dot = o.name.find('.');
      if (dot == std::string::npos) return InvalidArgument("table privilege object '" + o.name + "' is not db.table");
      std::string db = o.name.substr(0, dot);
      std::string table = o.name.substr(dot + 1);
      if (db == "*") return table == "*" ? Status::OK() : InvalidArgument("'*." + table + "' is not a valid object");
      Database* d = FindDatabase(s, db);
      if (d == nullptr) return NotFound("database " + db + " does not exist");
      if (table == "*" || FindTable(s, *d, table) != nullptr) return Status::OK();
      return NotFound("table " + o.name + " does not exist");
    }
    case ObjectType::kStorageVolume:
      if (o.name == "*" || s.storage_volumes.contains(o.name)) return Status::OK();
      return NotFound("storage volume " + o.name + " does not exist");
  }
  return InvalidArgument("unknown privilege object type");
}

// The privilege map of the grantee, or why there is none.
Result<PrivilegeMap*> FindGrantee(CatalogState& s, const Grantee& g) {
  if (g.kind == GranteeKind::kUser) {
    auto it = s.users.find(UserIdentity{.name = g.name, .host = g.host});
    if (it == s.users.end()) return NoUser(UserIdentity{.name = g.name, .host = g.host});
    return &it->second.privileges;
  }
  if (g.kind == GranteeKind::kRole) {
    auto it = s.roles.find(g.name);
    if (it == s.roles.end()) return NoRole(g.name);
    return &it->second.privileges;
  }
  return InvalidArgument("unknown grantee kind");
}

std::string GranteeName(const Grantee& g) {
  return g.kind == GranteeKind::kRole ? "role " + g.name : ToString(UserIdentity{.name = g.name, .host = g.host});
}

}  // namespace

Result<uint64_t> Apply(CatalogState& s, const CreateUser& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckIdentity(c.user));
  if (s.users.contains(c.user)) {
    if (c.if_not_exists) return uint64_t{0};
    return AlreadyExists("user " + ToString(c.user) + " already exists");
  }
  STRATA_RETURN_IF_ERROR(CheckPasswordHash(c.password_hash));
  for (const auto& r : c.roles) {
    if (!s.roles.contains(r)) return NoRole(r);
  }
  User u{.identity = c.user, .password_hash = c.password_hash};
  u.roles.insert(c.roles.begin(), c.roles.end());
  s.users[c.user] = std::move(u);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const DropUser& c, const ApplyContext&) {
  if (IsRoot(c.user)) return FailedPrecondition("user " + ToString(c.user) + " cannot be dropped");
  if (s.users.erase(c.user) == 0 && !c.if_exists) return NoUser(c.user);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const AlterUserPassword& c, const ApplyContext&) {
  auto it = s.users.find(c.user);
  if (it == s.users.end()) return NoUser(c.user);
  STRATA_RETURN_IF_ERROR(CheckPasswordHash(c.password_hash));
  it->second.password_hash = c.password_hash;
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const CreateRole& c, const ApplyContext&) {
  STRATA_RETURN_IF_ERROR(CheckName("role", c.name));
  if (s.roles.contains(c.name)) {
    if (c.if_not_exists) return uint64_t{0};
    return AlreadyExists("role " + c.name + " already exists");
  }
  s.roles[c.name] = Role{.name = c.name};
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const DropRole& c, const ApplyContext&) {
  if (std::find(kBuiltinRoles.begin(), kBuiltinRoles.end(), c.name) != kBuiltinRoles.end()) {
    return FailedPrecondition("built-in role " + c.name + " cannot be dropped");
  }
  if (!s.roles.contains(c.name)) {
    if (c.if_exists) return uint64_t{0};
    return NoRole(c.name);
  }
  for (auto& [id, u] : s.users) u.roles.erase(c.name);
  s.roles.erase(c.name);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const Grant& c, const ApplyContext&) {
  STRATA_ASSIGN_OR_RETURN(std::set<std::string> privileges, NormalizePrivileges(c.privileges));
  STRATA_RETURN_IF_ERROR(CheckObject(s, c.object));
  STRATA_ASSIGN_OR_RETURN(PrivilegeMap * map, FindGrantee(s, c.grantee));
  (*map)[c.object].insert(privileges.begin(), privileges.end());
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const Revoke& c, const ApplyContext&) {
  STRATA_ASSIGN_OR_RETURN(std::set<std::string> privileges, NormalizePrivileges(c.privileges));
  STRATA_ASSIGN_OR_RETURN(PrivilegeMap * map, FindGrantee(s, c.grantee));
  auto it = map->find(c.object);
  for (const auto& p : privileges) {
    if (it == map->end() || !it->second.contains(p)) {
      return NotFound(GranteeName(c.grantee) + " has no " + p + " privilege on " + Describe(c.object));
    }
  }
  for (const auto& p : privileges) it->second.erase(p);
  if (it->second.empty()) map->erase(it);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const GrantRole& c, const ApplyContext&) {
  if (!s.roles.contains(c.role)) return NoRole(c.role);
  auto it = s.users.find(c.user);
  if (it == s.users.end()) return NoUser(c.user);
  it->second.roles.insert(c.role);  // granting a held role again is a no-op, as in MySQL
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const RevokeRole& c, const ApplyContext&) {
  auto it = s.users.find(c.user);
  if (it == s.users.end()) return NoUser(c.user);
  if (it->second.roles.erase(c.role) == 0) {
    return NotFound("user " + ToString(c.user) + " does not have role " + c.role);
  }
  return uint64_t{0};
}

}  // namespace strata::meta::internal

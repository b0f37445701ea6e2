// Model helpers (model.h) and the non-template parts of the codecs (serde.h,
// serde_json.h).
#include "meta/catalog/model.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "meta/catalog/serde.h"
#include "meta/catalog/serde_json.h"

namespace strata::meta {

std::string ToString(const UserIdentity& u) { return "'" + u.name + "'@'" + u.host + "'"; }

CatalogState InitialCatalogState() {
  CatalogState s;
  for (auto name : kBuiltinRoles) s.roles[std::string(name)] = Role{.name = std::string(name)};
  User root{.identity = {.name = "root", .host = "%"}};
  root.roles.insert("root");
  s.users[root.identity] = std::move(root);
  return s;
}

std::string MysqlNativePasswordHash(std::string_view password) {
  if (password.empty()) return "";
  unsigned char once[SHA_DIGEST_LENGTH];
  unsigned char twice[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(password.data()), password.size(), once);
  SHA1(once, sizeof(once), twice);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "*";
  for (unsigned char b : twice) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

bool IsCredentialKey(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  static constexpr std::string_view kMarkers[] = {"access_key", "secret",   "password", "token",
                                                  "shared_key", "credential", "private_key"};
  for (auto m : kMarkers) {
    if (k.find(m) != std::string::npos) return true;
  }
  return false;
}

namespace serde {

Status GetCount(Decoder& d, uint64_t* n) {
  STRATA_RETURN_IF_ERROR(d.GetVarint(n));
  if (*n > d.remaining()) {
    return DataLoss("count " + std::to_string(*n) + " exceeds the " + std::to_string(d.remaining()) +
                    " bytes left");
  }
  return Status::OK();
}

Status Get(Decoder& d, bool* v) { return d.GetBool(v); }
Status Get(Decoder& d, uint32_t* v) {
  uint64_t x;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&x));
  if (x > std::numeric_limits<uint32_t>::max()) return DataLoss("uint32 field holds " + std::to_string(x));
  *v = static_cast<uint32_t>(x);
  return Status::OK();
}
Status Get(Decoder& d, uint64_t* v) { return d.GetVarint(v); }
Status Get(Decoder& d, int64_t* v) { return d.GetSignedVarint(v); }
Status Get(Decoder& d, std::string* v) { return d.GetString(v); }
Status Get(Decoder& d, Secret* v) {
  std::string s;
  STRATA_RETURN_IF_ERROR(d.GetString(&s));
  *v = Secret(std::move(s));
  return Status::OK();
}

int FindName(std::span<const std::string_view> names, std::string_view s) {
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& n = names[i];
    if (n.size() == s.size() && std::equal(n.begin(), n.end(), s.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
        })) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Status FromJson(const Json& j, bool* v, const std::string& path) {
  if (!j.is_boolean()) return BadField(path, "a boolean");
  *v = j.get<bool>();
  return Status::OK();
}
Status FromJson(const Json& j, uint64_t* v, const std::string& path) {
  if (j.is_number_unsigned()) {
    *v = j.get<uint64_t>();
  } else if (j.is_number_integer() && j.get<int64_t>() >= 0) {
    *v = static_cast<uint64_t>(j.get<int64_t>());
  } else {
    return BadField(path, "a non-negative integer");
  }
  return Status::OK();
}
Status FromJson(const Json& j, uint32_t* v, const std::string& path) {
  uint64_t x = 0;
  if (!FromJson(j, &x, path).ok() || x > std::numeric_limits<uint32_t>::max()) {
    return BadField(path, "an integer in [0, 4294967295]");
  }
  *v = static_cast<uint32_t>(x);
  return Status::OK();
}
Status FromJson(const Json& j, int64_t* v, const std::string& path) {
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return BadField(path, "a 64-bit signed integer");
  }
  if (!j.is_number_integer()) return BadField(path, "an integer");
  *v = j.get<int64_t>();
  return Status::OK();
}
Status FromJson(const Json& j, std::string* v, const std::string& path) {
  if (!j.is_string()) return BadField(path, "a string");
  *v = j.get<std::string>();
  return Status::OK();
}
Status FromJson(const Json& j, Secret* v, const std::string& path) {
  if (!j.is_string()) return BadField(path, "a string");
  *v = Secret(j.get<std::string>());
  return Status::OK();
}

}  // namespace serde
}  // namespace strata::meta

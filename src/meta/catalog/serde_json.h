// Internal to src/meta/catalog: JSON forms of the model structs, walking
// their Visit() field lists (model.h). Objects use the field names; enums
// their upper-case names (parsed case-insensitively); Secret is written as
// "***". Parsing reports InvalidArgument naming the field path
// ("columns[1].nullable: expected a boolean"); unknown fields are errors and
// missing fields keep their defaults. Only string-keyed maps have a JSON form.
//
// Thread-safety: stateless functions.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/secret.h"
#include "common/status.h"
#include "meta/catalog/serde.h"

namespace strata::meta::serde {

using Json = nlohmann::json;

inline constexpr std::string_view kMasked = "***";

inline std::string FieldPath(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}
inline Status BadField(const std::string& path, std::string_view expected) {
  return InvalidArgument("field " + (path.empty() ? std::string("(top)") : path) + ": expected " +
                         std::string(expected));
}

// ---------------------------------------------------------------- declarations
inline void ToJson(Json& j, bool v) { j = v; }
inline void ToJson(Json& j, uint32_t v) { j = v; }
inline void ToJson(Json& j, uint64_t v) { j = v; }
inline void ToJson(Json& j, int64_t v) { j = v; }
inline void ToJson(Json& j, const std::string& v) { j = v; }
inline void ToJson(Json& j, const Secret&) { j = kMasked; }
template <typename E>
  requires std::is_enum_v<E>
void ToJson(Json& j, E v);
template <typename T>
void ToJson(Json& j, const std::optional<T>& v);
template <typename T>
void ToJson(Json& j, const std::vector<T>& v);
template <typename T>
void ToJson(Json& j, const std::set<T>& v);
template <typename V>
void ToJson(Json& j, const std::map<std::string, V>& v);
template <Visitable T>
void ToJson(Json& j, const T& v);

Status FromJson(const Json& j, bool* v, const std::string& path);
Status FromJson(const Json& j, uint32_t* v, const std::string& path);
Status FromJson(const Json& j, uint64_t* v, const std::string& path);
Status FromJson(const Json& j, int64_t* v, const std::string& path);
Status FromJson(const Json& j, std::string* v, const std::string& path);
Status FromJson(const Json& j, Secret* v, const std::string& path);
template <typename E>
  requires std::is_enum_v<E>
Status FromJson(const Json& j, E* v, const std::string& path);
template <typename T>
Status FromJson(const Json& j, std::optional<T>* v, const std::string& path);
template <typename T>
Status FromJson(const Json& j, std::vector<T>* v, const std::string& path);
template <typename T>
Status FromJson(const Json& j, std::set<T>* v, const std::string& path);
template <typename V>
Status FromJson(const Json& j, std::map<std::string, V>* v, const std::string& path);
template <Visitable T>
Status FromJson(const Json& j, T* v, const std::string& path);

// Case-insensitive match of `s` in `names`; -1 if absent.
int FindName(std::span<const std::string_view> names, std::string_view s);

// ---------------------------------------------------------------- definitions
template <typename E>
  requires std::is_enum_v<E>
void ToJson(Json& j, E v) {
  auto names = EnumNames(v);
  auto i = static_cast<size_t>(v);
  j = i < names.size() ? std::string(names[i]) : std::to_string(i);
}

template <typename T>
void ToJson(Json& j, const std::optional<T>& v) {
  if (v) {
    ToJson(j, *v);
  } else {
    j = nullptr;
  }
}

template <typename T>
void ToJson(Json& j, const std::vector<T>& v) {
  j = Json::array();
  for (const auto& x : v) ToJson(j.emplace_back(), x);
}

template <typename T>
void ToJson(Json& j, const std::set<T>& v) {
  j = Json::array();
  for (const auto& x : v) ToJson(j.emplace_back(), x);
}

template <typename V>
void ToJson(Json& j, const std::map<std::string, V>& v) {
  j = Json::object();
  for (const auto& [k, x] : v) ToJson(j[k], x);
}

template <Visitable T>
void ToJson(Json& j, const T& v) {
  j = Json::object();
  T::Visit(v, [&](std::string_view name, const auto& field) { ToJson(j[std::string(name)], field); });
}

template <typename E>
  requires std::is_enum_v<E>
Status FromJson(const Json& j, E* v, const std::string& path) {
  auto names = EnumNames(E{});
  int i = j.is_string() ? FindName(names, j.get_ref<const std::string&>()) : -1;
  if (i < 0) {
    std::string expected = "one of";
    for (auto n : names) expected += " " + std::string(n);
    return BadField(path, expected);
  }
  *v = static_cast<E>(i);
  return Status::OK();
}

template <typename T>
Status FromJson(const Json& j, std::optional<T>* v, const std::string& path) {
  if (j.is_null()) {
    v->reset();
    return Status::OK();
  }
  T x{};
  STRATA_RETURN_IF_ERROR(FromJson(j, &x, path));
  *v = std::move(x);
  return Status::OK();
}

template <typename T>
Status FromJson(const Json& j, std::vector<T>* v, const std::string& path) {
  if (!j.is_array()) return BadField(path, "an array");
  v->clear();
  for (size_t i = 0; i < j.size(); ++i) {
    T x{};
    STRATA_RETURN_IF_ERROR(FromJson(j[i], &x, path + "[" + std::to_string(i) + "]"));
    v->push_back(std::move(x));
  }
  return Status::OK();
}

template <typename T>
Status FromJson(const Json& j, std::set<T>* v, const std::string& path) {
  std::vector<T> items;
  STRATA_RETURN_IF_ERROR(FromJson(j, &items, path));
  v->clear();
  for (auto& x : items) v->insert(std::move(x));
  return Status::OK();
}

template <typename V>
Status FromJson(const Json& j, std::map<std::string, V>* v, const std::string& path) {
  if (!j.is_object()) return BadField(path, "an object");
  v->clear();
  for (const auto& [k, x] : j.items()) {
    V value{};
    STRATA_RETURN_IF_ERROR(FromJson(x, &value, FieldPath(path, k)));
    (*v)[k] = std::move(value);
  }
  return Status::OK();
}

template <Visitable T>
Status FromJson(const Json& j, T* v, const std::string& path) {
  if (!j.is_object()) return BadField(path, "an object");
  Status status;
  size_t matched = 0;
  std::set<std::string> known;
  T::Visit(*v, [&](std::string_view name, auto& field) {
    known.emplace(name);
    if (!status.ok()) return;
    auto it = j.find(std::string(name));
    if (it == j.end()) return;
    ++matched;
    status = FromJson(*it, &field, FieldPath(path, name));
  });
  STRATA_RETURN_IF_ERROR(status);
  if (matched != j.size()) {
    for (const auto& [k, x] : j.items()) {
      if (!known.contains(k)) return InvalidArgument("unknown field " + FieldPath(path, k));
    }
  }
  return Status::OK();
}

}  // namespace strata::meta::serde

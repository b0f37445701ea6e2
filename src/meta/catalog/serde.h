// Internal to src/meta/catalog: the binary codec that walks a model struct's
// Visit() field list (model.h). Layout per field type (docs/formats/meta-catalog.md):
//   bool: 1 byte; uint32/uint64: varint; int64: zig-zag varint; string and
//   Secret: varint length + bytes; enum: varint index; optional: bool + value;
//   vector/set: varint count + elements; map: varint count + (key, value)
//   pairs; struct: its fields in Visit() order, no tags.
// Sets and maps are written in ascending order and must be strictly ascending
// when read (so an encoding is canonical and deterministic). Every count is
// checked against the bytes that remain, so garbage cannot trigger a huge
// allocation: it fails with DataLoss.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/coding.h"
#include "common/secret.h"
#include "common/status.h"

namespace strata::meta::serde {

struct ProbeVisitor {
  template <typename T>
  void operator()(std::string_view, T&) const {}
};
template <typename T>
concept Visitable = requires(T& t) { T::Visit(t, ProbeVisitor{}); };

// ---------------------------------------------------------------- declarations
inline void Put(Encoder& e, bool v) { e.PutBool(v); }
inline void Put(Encoder& e, uint32_t v) { e.PutVarint(v); }
inline void Put(Encoder& e, uint64_t v) { e.PutVarint(v); }
inline void Put(Encoder& e, int64_t v) { e.PutSignedVarint(v); }
inline void Put(Encoder& e, const std::string& v) { e.PutString(v); }
inline void Put(Encoder& e, const Secret& v) { e.PutString(v.Reveal()); }
template <typename E>
  requires std::is_enum_v<E>
void Put(Encoder& e, E v);
template <typename T>
void Put(Encoder& e, const std::optional<T>& v);
template <typename T>
void Put(Encoder& e, const std::vector<T>& v);
template <typename T>
void Put(Encoder& e, const std::set<T>& v);
template <typename K, typename V>
void Put(Encoder& e, const std::map<K, V>& v);
template <Visitable T>
void Put(Encoder& e, const T& v);

Status Get(Decoder& d, bool* v);
Status Get(Decoder& d, uint32_t* v);
Status Get(Decoder& d, uint64_t* v);
Status Get(Decoder& d, int64_t* v);
Status Get(Decoder& d, std::string* v);
Status Get(Decoder& d, Secret* v);
template <typename E>
  requires std::is_enum_v<E>
Status Get(Decoder& d, E* v);
template <typename T>
Status Get(Decoder& d, std::optional<T>* v);
template <typename T>
Status Get(Decoder& d, std::vector<T>* v);
template <typename T>
Status Get(Decoder& d, std::set<T>* v);
template <typename K, typename V>
Status Get(Decoder& d, std::map<K, V>* v);
template <Visitable T>
Status Get(Decoder& d, T* v);

// A count of elements that each take at least one byte: never more than the
// bytes left.
Status GetCount(Decoder& d, uint64_t* n);

// ---------------------------------------------------------------- definitions
template <typename E>
  requires std::is_enum_v<E>
void Put(Encoder& e, E v) {
  e.PutVarint(static_cast<uint64_t>(v));
}

template <typename T>
void Put(Encoder& e, const std::optional<T>& v) {
  e.PutBool(v.has_value());
  if (v) Put(e, *v);
}

template <typename T>
void Put(Encoder& e, const std::vector<T>& v) {
  e.PutVarint(v.size());
  for (const auto& x : v) Put(e, x);
}

template <typename T>
void Put(Encoder& e, const std::set<T>& v) {
  e.PutVarint(v.size());
  for (const auto& x : v) Put(e, x);
}

template <typename K, typename V>
void Put(Encoder& e, const std::map<K, V>& v) {
  e.PutVarint(v.size());
  for (const auto& [k, x] : v) {
    Put(e, k);
    Put(e, x);
  }
}

template <Visitable T>
void Put(Encoder& e, const T& v) {
  T::Visit(v, [&](std::string_view, const auto& field) { Put(e, field); });
}

template <typename E>
  requires std::is_enum_v<E>
Status Get(Decoder& d, E* v) {
  uint64_t x;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&x));
  if (x >= EnumNames(E{}).size()) return DataLoss("enum value " + std::to_string(x) + " out of range");
  *v = static_cast<E>(x);
  return Status::OK();
}

template <typename T>
Status Get(Decoder& d, std::optional<T>* v) {
  bool has;
  STRATA_RETURN_IF_ERROR(d.GetBool(&has));
  if (!has) {
    v->reset();
    return Status::OK();
  }
  T x{};
  STRATA_RETURN_IF_ERROR(Get(d, &x));
  *v = std::move(x);
  return Status::OK();
}

template <typename T>
Status Get(Decoder& d, std::vector<T>* v) {
  uint64_t n;
  STRATA_RETURN_IF_ERROR(GetCount(d, &n));
  v->clear();
  if constexpr (std::is_arithmetic_v<T>) v->reserve(n);  // at most 8 bytes per input byte
  for (uint64_t i = 0; i < n; ++i) {
    T x{};
    STRATA_RETURN_IF_ERROR(Get(d, &x));
    v->push_back(std::move(x));
  }
  return Status::OK();
}

template <typename T>
Status Get(Decoder& d, std::set<T>* v) {
  uint64_t n;
  STRATA_RETURN_IF_ERROR(GetCount(d, &n));
  v->clear();
  for (uint64_t i = 0; i < n; ++i) {
    T x{};
    STRATA_RETURN_IF_ERROR(Get(d, &x));
    if (!v->empty() && !(*v->rbegin() < x)) return DataLoss("set elements out of order");
    v->insert(v->end(), std::move(x));
  }
  return Status::OK();
}

template <typename K, typename V>
Status Get(Decoder& d, std::map<K, V>* v) {
  uint64_t n;
  STRATA_RETURN_IF_ERROR(GetCount(d, &n));
  v->clear();
  for (uint64_t i = 0; i < n; ++i) {
    K k{};
    STRATA_RETURN_IF_ERROR(Get(d, &k));
    if (!v->empty() && !(v->rbegin()->first < k)) return DataLoss("map keys out of order");
    V x{};
    STRATA_RETURN_IF_ERROR(Get(d, &x));
    v->emplace_hint(v->end(), std::move(k), std::move(x));
  }
  return Status::OK();
}

template <Visitable T>
Status Get(Decoder& d, T* v) {
  Status status;
  T::Visit(*v, [&](std::string_view name, auto& field) {
    if (!status.ok()) return;
    status = Get(d, &field);
    if (!status.ok()) status = status.WithContext(name);
  });
  return status;
}

}  // namespace strata::meta::serde

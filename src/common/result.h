// Result<T>: a value or the Status that explains why there is none.
//
// Thread-safety: a value type, like Status.
#pragma once

#include <optional>
#include <utility>

#include "common/check.h"
#include "common/status.h"

namespace strata {

template <typename T>
class [[nodiscard]] Result {
 public:
  // A Result made from a Status must carry an error; an OK Status without a
  // value is a programming error.
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit on purpose
    STRATA_CHECK(!status_.ok(), "Result<T> built from an OK Status without a value");
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { CheckHasValue(); return *value_; }
  const T& value() const& { CheckHasValue(); return *value_; }
  T&& value() && { CheckHasValue(); return std::move(*value_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckHasValue() const {
    STRATA_CHECK(status_.ok(), "value() of a failed Result: " + status_.ToString());
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace strata

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// STRATA_ASSIGN_OR_RETURN(auto x, Foo()); — returns Foo()'s Status on error.
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_result_, __LINE__), lhs, expr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

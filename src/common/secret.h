// Secret: a string that must never be printed (DESIGN invariant 7).
//
// Storage credentials travel as Secret. Formatting one — with fmt, in a log
// line, in an error message — yields "***"; only code that must use the
// value (request signing) calls Reveal(), and it must not print the result.
//
// Thread-safety: a value type.
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>

namespace strata {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

}  // namespace strata

template <>
struct fmt::formatter<strata::Secret> : fmt::formatter<std::string_view> {
  auto format(const strata::Secret&, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};

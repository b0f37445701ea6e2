// The SQL parser: hand-written recursive descent over lexer.h's tokens,
// producing ast.h's Statement. One statement per call (a trailing ';' is
// allowed). Syntax errors throw SqlException(ER_PARSE_ERROR) with MySQL's
// "... near '<text>' at line N" message; constructs that parse but whose
// execution belongs to later issues come back as UnsupportedStmt or throw
// ER_NOT_SUPPORTED_YET. Recursion is bounded (kMaxExprDepth), so any input
// ends in a Statement or an exception, never a crash.
//
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "sql/ast.h"

namespace strata::sql {

inline constexpr int kMaxExprDepth = 128;

Statement Parse(std::string_view sql);

}  // namespace strata::sql

// Lexer for the StarRocks/MySQL SQL dialect: case-insensitive keywords (kept
// as identifiers; the parser compares them), `backtick` identifiers,
// 'single' and "double" quoted strings with backslash escapes and doubled
// quotes, numbers, operators, and comments (-- , #, /* */; /*! ... */ is
// treated as a comment too). Errors (an unterminated string or comment) are
// ER_PARSE_ERROR SqlExceptions with the MySQL "near ... at line N" message.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sql {

enum class TokenKind { kIdent, kQuotedIdent, kString, kNumber, kOp, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;    // identifiers as written, strings decoded, operators as written
  size_t offset = 0;   // byte offset in the statement
  size_t end = 0;      // offset just past the token
  int line = 1;
};

// Tokenizes `sql`; the result always ends with a kEnd token. Bounded: at most
// kMaxTokens tokens (longer statements are a parse error).
inline constexpr size_t kMaxTokens = 1'000'000;
std::vector<Token> Tokenize(std::string_view sql);

// The ER_PARSE_ERROR message MySQL gives for an error at `offset`.
std::string ParseErrorMessage(std::string_view sql, size_t offset, int line);
[[noreturn]] void ThrowParseError(std::string_view sql, size_t offset, int line);

}  // namespace strata::sql

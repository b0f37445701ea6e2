// Server-side prepared statements over a text-only SQL engine: COM_STMT_PREPARE
// finds the '?' placeholders (outside quotes, identifiers and comments);
// COM_STMT_EXECUTE decodes the bound parameters from the binary protocol and
// renders each as a safe SQL literal, and the statement runs as text through
// sql::Session::Execute. Strings are quoted with '' and \\ escaped, so that no
// parameter value can end its literal early (no injection) whether or not the
// lexer honours backslash escapes.
//
// Thread-safety: pure functions over value types; a PreparedStatement belongs
// to one connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::server::mysql {

inline constexpr size_t kParamsMax = 65535;  // the prepare OK carries a u16 count

// Byte offsets of the '?' placeholders in `sql`.
std::vector<size_t> FindPlaceholders(std::string_view sql);

struct PreparedStatement {
  uint32_t id = 0;
  std::string sql;
  std::vector<size_t> placeholders;
  // Per parameter, the type (low byte) and unsigned flag (0x8000) from the
  // last execute that sent types (drivers may send them once).
  std::vector<uint16_t> param_types;
  std::vector<std::optional<std::string>> long_data;  // COM_STMT_SEND_LONG_DATA, until execute/reset
  bool long_data_too_large = false;  // the next execute fails (ER_NET_PACKET_TOO_LARGE)
  size_t num_params() const { return placeholders.size(); }
};

// The statement id a COM_STMT_EXECUTE/CLOSE/RESET/SEND_LONG_DATA `body`
// (after the command byte) names; false if too short.
bool ReadStatementId(std::string_view body, uint32_t* id);

// Decodes a COM_STMT_EXECUTE `body` (after the command byte) for `stmt` into
// one SQL literal per parameter ("NULL", "42", "'it''s'", ...). Updates the
// statement's remembered types. False and a reason for a malformed packet or
// an unrepresentable value (NaN, a parameter whose type was never sent).
bool DecodeExecuteParams(std::string_view body, PreparedStatement* stmt, std::vector<std::string>* literals,
                         std::string* why);

// `sql` with each placeholder replaced by the literal of the same index.
std::string SubstituteParams(std::string_view sql, const std::vector<size_t>& placeholders,
                             const std::vector<std::string>& literals);

// 'text' quoted for a SQL string literal.
std::string QuoteString(std::string_view text);

}  // namespace strata::server::mysql

// Text <-> typed values for loading: the one place where a field of a CSV or
// JSON body becomes a value of a column's storage type, and where a stored
// value is printed back. Rules (docs/operations/stream-load-formats.md):
//
//   integers   [+-]digits, range-checked for the type (LARGEINT: 128-bit)
//   FLOAT/DOUBLE  decimal or exponent form (no hex, NaN or infinity); FLOAT is
//              rounded to the nearest float and must be within its range
//   DECIMAL(p,s)  [+-]digits[.digits], exact; more than s fraction digits are
//              rounded half away from zero; more than p-s integer digits (after
//              rounding) is an error
//   BOOLEAN    true/false (any case), 1/0
//   DATE       YYYY-MM-DD (years 0001-9999; a DATETIME text is accepted and its
//              time dropped) -> days since 1970-01-01
//   DATETIME   YYYY-MM-DD[( |T)HH:MM:SS[.fraction]] -> microseconds since
//              1970-01-01 00:00:00, no time zone; fraction digits past 6 are
//              truncated
//   CHAR/VARCHAR/STRING  the bytes as given; longer than the column's
//              max_length_bytes is an error
// Non-string values may have leading/trailing spaces, tabs, CR and LF.
// Errors are InvalidArgument; values in messages are cut to kMessageValueMaxBytes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "load/schema.h"
#include "storage/column_vector.h"

namespace strata::load {

inline constexpr size_t kMessageValueMaxBytes = 64;

// Parses `text` as a non-NULL value of `type`. The Datum's alternative matches
// storage::KindOf(type.type). InvalidArgument "'abc' is not a valid INT".
Result<storage::Datum> ParseValue(const TableColumnType& type, std::string_view text);

// Appends `value` (monostate = NULL) to `column`; the alternative must match
// the column's kind (CHECK).
void AppendDatum(storage::ColumnVector& column, storage::Datum value);

// Parses one text field and appends it to `vector` (whose type is column.type.type).
// On error nothing is appended and the InvalidArgument names the column:
// "column 'k1': 'abc' is not a valid INT", "column 'k1': NULL in a NOT NULL column".
Status AppendText(storage::ColumnVector& vector, const TableColumn& column, std::string_view text, bool is_null);

// The value at `row` as text in the form ParseValue accepts (DATETIME prints
// ".ffffff" only when the microseconds are non-zero; BOOLEAN prints 1/0;
// FLOAT/DOUBLE the shortest round-trip form). nullopt for NULL.
std::optional<std::string> FormatValue(const storage::ColumnVector& vector, const TableColumnType& type,
                                       size_t row);

// As FormatValue, for one Datum (monostate: "NULL").
std::string FormatDatum(const TableColumnType& type, const storage::Datum& value);

// "'text'", or "'<first 64 bytes>...' (N bytes)" for a long text.
std::string QuoteForMessage(std::string_view text);

// Calendar helpers (proleptic Gregorian, UTC).
std::optional<int64_t> ParseDateDays(std::string_view text);
std::optional<int64_t> ParseDateTimeMicros(std::string_view text);
std::string FormatDateDays(int64_t days);
std::string FormatDateTimeMicros(int64_t micros);

}  // namespace strata::load

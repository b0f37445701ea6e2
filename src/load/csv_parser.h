// CsvReader: splits a stream-load CSV body into records of text fields, with
// StarRocks' stream-load CSV options (docs/operations/stream-load-formats.md):
//
//   column_separator  default "\t"; 1..50 bytes; may be multi-byte
//   row_delimiter     default "\n" (then "\r\n" also ends a row); 1..50 bytes
//   enclose           optional one byte (e.g. '"'); a field that starts with it
//                     runs to the matching one and may contain separators and
//                     row delimiters; a doubled enclose inside is one enclose
//   escape            optional one byte (e.g. '\\'); it makes the next byte
//                     literal, inside or outside an enclosed field
//   skip_header       the first N records are skipped
//   trim_space        spaces before and after each field (outside any
//                     enclose) are removed
// An unenclosed field that is exactly \N is NULL. Empty records (blank lines)
// are skipped. SourceRow::record_number counts every record from 1 (header and
// blank ones included); SourceRow::line_number is the '\n'-line it starts on.
//
//   CsvReader reader(body, options);           // options from ValidateCsvOptions
//   SourceRow row;
//   while (reader.Next(&row)) { ... }
//
// Thread-safety: a reader is used by one thread; the body must outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "load/source_row.h"

namespace strata::load {

inline constexpr size_t kCsvDelimiterMaxBytes = 50;
inline constexpr size_t kCsvFieldsMax = 10000;

struct CsvOptions {
  std::string column_separator = "\t";
  std::string row_delimiter = "\n";
  std::optional<char> enclose;
  std::optional<char> escape;
  uint64_t skip_header_rows = 0;
  bool trim_space = false;
};

// Decodes a column_separator / row_delimiter header value: "\t", "\n", "\r" and
// "\\" escapes, or "\x" followed by hex byte pairs ("\x01", "\x0102"); any other
// text is taken literally. InvalidArgument if empty, malformed or longer than
// kCsvDelimiterMaxBytes.
Result<std::string> DecodeDelimiter(std::string_view header_value);

// Decodes an enclose / escape header value: one byte, or one escaped as above.
Result<char> DecodeCsvChar(std::string_view header_value);

// InvalidArgument unless both delimiters are 1..kCsvDelimiterMaxBytes long,
// neither is a prefix of the other, and enclose/escape differ from each other
// and appear in neither delimiter.
Status ValidateCsvOptions(const CsvOptions& options);

class CsvReader {
 public:
  // `options` must pass ValidateCsvOptions (CHECK).
  CsvReader(std::string_view body, CsvOptions options);
  // For a body that is one piece of a larger one, cut at a record boundary
  // (SplitCsvBody): `records_before` records and `lines_before` '\n' bytes
  // precede it, so record and line numbers, and skip_header, count as in the
  // whole body. Call before the first Next.
  void ContinueNumbering(uint64_t records_before, uint64_t lines_before) {
    records_ = records_before;
    lines_ = 1 + lines_before;
  }

  // Fills `row` with the next non-empty, non-header record; false at the end of
  // the body. A malformed record (unterminated enclose, bytes after a closing
  // enclose, more than kCsvFieldsMax fields) comes back with row->error set and
  // reading continues after it.
  bool Next(SourceRow* row);

 private:
  enum class End { kNone, kSeparator, kRow, kBody };
  // Length of the row delimiter at `p` (0 if none). "\r\n", and a final "\r",
  // count when the delimiter is "\n".
  size_t RowDelimiterAt(size_t p) const;
  bool SeparatorAt(size_t p) const;
  void SkipSpaces(size_t* p) const;
  End EndAt(size_t p) const;  // what is at p: a separator, a row delimiter, the body's end, or none
  Status ParseRecord(SourceRow* row);
  Status ParseField(size_t* p, SourceField* field, End* end);
  Status ParseEnclosed(size_t* p, SourceField* field);
  void SkipToRowEnd(size_t* p) const;

  std::string_view body_;
  CsvOptions options_;
  size_t pos_ = 0;
  uint64_t records_ = 0;
  uint64_t lines_ = 1;       // the line of body_[lines_pos_]
  size_t lines_pos_ = 0;
  std::deque<std::string> unescaped_;  // backing text of fields that needed unescaping
};

}  // namespace strata::load

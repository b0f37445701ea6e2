// Stream-load CSV records (csv_parser.h).
#include "load/csv_parser.h"

#include <algorithm>
#include <utility>

#include "common/check.h"

namespace strata::load {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> DecodeHex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return InvalidArgument("'\\x' needs pairs of hex digits");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("'\\x' needs pairs of hex digits");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string Printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  auto u = static_cast<unsigned char>(c);
  return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
}

bool Contains(std::string_view s, std::optional<char> c) { return c && s.find(*c) != std::string_view::npos; }

}  // namespace

Result<std::string> DecodeDelimiter(std::string_view v) {
  if (v.empty()) return InvalidArgument("delimiter is empty");
  std::string out;
  if (v.size() > 2 && v[0] == '\\' && (v[1] == 'x' || v[1] == 'X')) {
    STRATA_ASSIGN_OR_RETURN(out, DecodeHex(v.substr(2)));
  } else {
    for (size_t i = 0; i < v.size(); ++i) {
      char next = i + 1 < v.size() ? v[i + 1] : '\0';
      char mapped = next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next == '\\' ? '\\' : '\0';
      if (v[i] == '\\' && mapped != '\0') {
        out.push_back(mapped);
        ++i;
      } else {
        out.push_back(v[i]);
      }
    }
  }
  if (out.size() > kCsvDelimiterMaxBytes) {
    return InvalidArgument("delimiter is longer than " + std::to_string(kCsvDelimiterMaxBytes) + " bytes");
  }
  return out;
}

Result<char> DecodeCsvChar(std::string_view v) {
  STRATA_ASSIGN_OR_RETURN(std::string bytes, DecodeDelimiter(v));
  if (bytes.size() != 1) return InvalidArgument("'" + std::string(v) + "' is not a single byte");
  return bytes[0];
}

Status ValidateCsvOptions(const CsvOptions& o) {
  const std::string& sep = o.column_separator;
  const std::string& row = o.row_delimiter;
  for (const std::string* d : {&sep, &row}) {
    if (d->empty() || d->size() > kCsvDelimiterMaxBytes) {
      return InvalidArgument("column_separator and row_delimiter must be 1 to " +
                             std::to_string(kCsvDelimiterMaxBytes) + " bytes");
    }
  }
  if (sep.starts_with(row) || row.starts_with(sep)) {
    return InvalidArgument("column_separator and row_delimiter must differ (neither a prefix of the other)");
  }
  if (o.enclose && o.escape && *o.enclose == *o.escape) return InvalidArgument("enclose and escape must differ");
  if (Contains(sep, o.enclose) || Contains(row, o.enclose) || Contains(sep, o.escape) || Contains(row, o.escape)) {
    return InvalidArgument("enclose and escape must not appear in column_separator or row_delimiter");
  }
  return Status::OK();
}

CsvReader::CsvReader(std::string_view body, CsvOptions options) : body_(body), options_(std::move(options)) {
  STRATA_CHECK(ValidateCsvOptions(options_).ok(), "CsvReader needs validated options");
}

size_t CsvReader::RowDelimiterAt(size_t p) const {
  const std::string& rd = options_.row_delimiter;
  if (rd.size() == 1) {  // fast path: no memcmp
    if (body_[p] == rd[0]) return 1;
    if (rd[0] != '\n' || body_[p] != '\r') return 0;
    // "\r\n", and a final "\r", end a row too when the delimiter is "\n".
    if (p + 1 == body_.size()) return 1;
    return body_[p + 1] == '\n' ? 2 : 0;
  }
  return body_.compare(p, rd.size(), rd) == 0 ? rd.size() : 0;
}

bool CsvReader::SeparatorAt(size_t p) const {
  if (options_.column_separator.size() == 1) return body_[p] == options_.column_separator[0];
  return body_.compare(p, options_.column_separator.size(), options_.column_separator) == 0;
}

void CsvReader::SkipSpaces(size_t* p) const {
  while (*p < body_.size() && body_[*p] == ' ' && !SeparatorAt(*p) && RowDelimiterAt(*p) == 0) ++*p;
}

CsvReader::End CsvReader::EndAt(size_t p) const {
  if (p >= body_.size()) return End::kBody;
  const char c = body_[p];  // fast path: most bytes start neither delimiter
  if (c != options_.row_delimiter[0] && c != options_.column_separator[0] && c != '\r') return End::kNone;
  if (RowDelimiterAt(p) > 0) return End::kRow;
  if (SeparatorAt(p)) return End::kSeparator;
  return End::kNone;
}

void CsvReader::SkipToRowEnd(size_t* p) const {
  while (*p < body_.size() && RowDelimiterAt(*p) == 0) {
    *p += (options_.escape && body_[*p] == *options_.escape && *p + 1 < body_.size()) ? 2 : 1;
  }
}

Status CsvReader::ParseEnclosed(size_t* p, SourceField* field) {
  const char enclose = *options_.enclose;
  std::string& text = unescaped_.emplace_back();
  ++*p;  // the opening enclose
  while (*p < body_.size()) {
    char c = body_[*p];
    if (options_.escape && c == *options_.escape && *p + 1 < body_.size()) {
      text.push_back(body_[*p + 1]);
      *p += 2;
    } else if (c == enclose && *p + 1 < body_.size() && body_[*p + 1] == enclose) {
      text.push_back(c);
      *p += 2;
    } else if (c == enclose) {
      ++*p;
      field->text = text;
      return Status::OK();
    } else {
      text.push_back(c);
      ++*p;
    }
  }
  return InvalidArgument("enclosed field has no closing " + Printable(enclose));
}

// Parses one field at *p. On success *p is past a separator, or at a row
// delimiter / the end of the body, as *end says.
Status CsvReader::ParseField(size_t* p, SourceField* field, End* end) {
  if (options_.trim_space) SkipSpaces(p);
  if (options_.enclose && *p < body_.size() && body_[*p] == *options_.enclose) {
    STRATA_RETURN_IF_ERROR(ParseEnclosed(p, field));
    if (options_.trim_space) SkipSpaces(p);
    *end = EndAt(*p);
    if (*end == End::kNone) return InvalidArgument("unexpected " + Printable(body_[*p]) + " after a closing enclose");
  } else {
    const size_t start = *p;
    std::string* text = nullptr;  // set once an escape is seen
    *end = End::kNone;
    if (!options_.escape) {
      // Fast path: skip the bytes that cannot start a delimiter, then ask EndAt.
      const char sep0 = options_.column_separator[0], rd0 = options_.row_delimiter[0];
      const char* data = body_.data();
      const size_t size = body_.size();
      size_t q = *p;
      while (true) {  // bounded: q only grows, up to size (EndAt is kBody there)
        while (q < size && data[q] != sep0 && data[q] != rd0 && data[q] != '\r') ++q;
        if ((*end = EndAt(q)) != End::kNone) break;
        ++q;
      }
      *p = q;
    }
    while (*end == End::kNone && (*end = EndAt(*p)) == End::kNone) {
      char c = body_[*p];
      if (options_.escape && c == *options_.escape && *p + 1 < body_.size()) {
        if (text == nullptr) text = &unescaped_.emplace_back(body_.substr(start, *p - start));
        text->push_back(body_[*p + 1]);
        *p += 2;
        continue;
      }
      if (text != nullptr) text->push_back(c);
      ++*p;
    }
    std::string_view raw = body_.substr(start, *p - start);
    field->text = text != nullptr ? std::string_view(*text) : raw;
    if (options_.trim_space) {
      while (!field->text.empty() && field->text.back() == ' ') field->text.remove_suffix(1);
      while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
    }
    field->is_null = raw == "\\N";
  }
  if (*end == End::kSeparator) *p += options_.column_separator.size();
  return Status::OK();
}

Status CsvReader::ParseRecord(SourceRow* row) {
  size_t p = pos_;
  Status status;
  while (true) {
    if (row->fields.size() == kCsvFieldsMax) {
      status = InvalidArgument("more than " + std::to_string(kCsvFieldsMax) + " fields");
      break;
    }
    SourceField field;
    End end = End::kNone;
    status = ParseField(&p, &field, &end);
    if (!status.ok()) break;
    row->fields.push_back(field);
    if (end != End::kSeparator) break;
  }
  if (!status.ok()) SkipToRowEnd(&p);
  row->size_bytes = p - pos_;
  pos_ = p < body_.size() ? p + RowDelimiterAt(p) : p;
  return status;
}

bool CsvReader::Next(SourceRow* row) {
  // Bounded: every pass consumes at least one byte of the body.
  while (pos_ < body_.size()) {
    row->fields.clear();
    unescaped_.clear();
    row->record_number = ++records_;
    lines_ += static_cast<uint64_t>(std::count(body_.begin() + lines_pos_, body_.begin() + pos_, '\n'));
    lines_pos_ = pos_;
    row->line_number = lines_;
    row->error = ParseRecord(row);
    if (records_ <= options_.skip_header_rows) continue;
    bool blank = row->error.ok() && row->size_bytes == 0;
    if (!blank) return true;
  }
  return false;
}

}  // namespace strata::load

// Stream-load JSON records (json_parser.h).
#include "load/json_parser.h"

#include <cctype>
#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/check.h"
#include "load/value_parse.h"

namespace strata::load {
namespace {

using Json = nlohmann::json;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// "$.a.b" -> {"a", "b"}; "$" -> {}. nullopt if unsupported.
std::optional<std::vector<std::string>> SplitPath(std::string_view path) {
  if (path.empty() || path[0] != '$') return std::nullopt;
  std::vector<std::string> keys;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {  // bounded: each pass consumes at least one byte
    if (rest[0] != '.') return std::nullopt;
    rest.remove_prefix(1);
    size_t dot = rest.find('.');
    std::string_view key = rest.substr(0, dot);
    if (key.empty() || key.find_first_of("[]'\"*") != std::string_view::npos) return std::nullopt;
    keys.emplace_back(key);
    rest.remove_prefix(key.size());
  }
  return keys;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const Json* Member(const Json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it != object.end()) return &*it;
  for (auto m = object.begin(); m != object.end(); ++m) {
    if (EqualsIgnoreCase(m.key(), key)) return &*m;
  }
  return nullptr;
}

// The end (one past) of the JSON value starting at `start`, or nullopt when it
// runs off the body. *depth_max receives the deepest nesting seen.
std::optional<size_t> FindValueEnd(std::string_view body, size_t start, size_t* depth_max) {
  *depth_max = 0;
  char first = body[start];
  if (first != '{' && first != '[' && first != '"') {
    size_t p = start + 1;  // at least one byte, so a stray ',' or ']' cannot stall the reader
    while (p < body.size() && !IsSpace(body[p]) && body[p] != ',' && body[p] != ']') ++p;
    return p;
  }
  size_t depth = 0;
  bool in_string = false;
  for (size_t p = start; p < body.size(); ++p) {
    char c = body[p];
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return p + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      *depth_max = std::max(*depth_max, ++depth);
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return p + 1;
    }
  }
  return std::nullopt;
}

std::string ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer() && !v.is_number_unsigned()) return std::to_string(v.get<int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_float()) {
    char buf[400];  // fixed notation of any finite double fits
    auto r = std::to_chars(buf, buf + sizeof buf, v.get<double>(), std::chars_format::fixed);
    STRATA_CHECK(r.ec == std::errc(), "to_chars of a JSON number");
    return std::string(buf, r.ptr);
  }
  return v.dump();
}

}  // namespace

struct JsonReader::Impl {
  std::string_view body;
  JsonOptions options;
  std::vector<std::string> field_names;
  std::vector<std::vector<std::string>> paths;  // parsed jsonpaths, one per field
  size_t pos = 0;
  bool started = false;
  bool done = false;
  bool after_element = false;  // strip_outer_array: an element was read, ',' or ']' is next
  uint64_t records = 0;
  uint64_t lines = 1;  // the line of body[lines_pos]
  size_t lines_pos = 0;
  Json current;
  std::deque<std::string> texts;

  void SkipSpaces() {
    while (pos < body.size() && IsSpace(body[pos])) ++pos;
  }
  Status Start();
  Result<bool> AdvanceInArray();
  void ReadRecord(SourceRow* row);
  Status ParseRecord(size_t start, size_t end, size_t depth_max);
  void FillFields(SourceRow* row);
};

Status JsonReader::Impl::Start() {
  started = true;
  if (body.starts_with("\xEF\xBB\xBF")) pos = 3;  // a UTF-8 byte order mark
  SkipSpaces();
  bool is_array = pos < body.size() && body[pos] == '[';
  if (options.strip_outer_array && !is_array) {
    return InvalidArgument("strip_outer_array is true but the JSON body is not an array");
  }
  if (!options.strip_outer_array && is_array) {
    return InvalidArgument("the JSON body is an array; set strip_outer_array=true to load its elements as rows");
  }
  if (is_array) ++pos;
  return Status::OK();
}

// strip_outer_array: moves to the next element; false after the closing ']'.
Result<bool> JsonReader::Impl::AdvanceInArray() {
  SkipSpaces();
  if (pos >= body.size()) return InvalidArgument("the JSON array is not closed with ']'");
  if (body[pos] == ']' && (after_element || records == 0)) {
    ++pos;
    SkipSpaces();
    if (pos < body.size()) return InvalidArgument("unexpected data after the JSON array");
    return false;
  }
  if (after_element) {
    if (body[pos] != ',') {
      return InvalidArgument("expected ',' or ']' after JSON array element " + std::to_string(records));
    }
    ++pos;
    SkipSpaces();
    if (pos >= body.size() || body[pos] == ']') return InvalidArgument("a JSON array element is missing after ','");
  }
  return true;
}

Status JsonReader::Impl::ParseRecord(size_t start, size_t end, size_t depth_max) {
  if (end - start > options.row_size_max_bytes) {
    return InvalidArgument("row is " + std::to_string(end - start) + " bytes, more than the maximum " +
                           std::to_string(options.row_size_max_bytes));
  }
  if (depth_max > kJsonDepthMax) return InvalidArgument("JSON nests deeper than " + std::to_string(kJsonDepthMax));
  current = Json::parse(body.substr(start, end - start), nullptr, /*allow_exceptions=*/false);
  if (current.is_discarded()) return InvalidArgument("malformed JSON " + QuoteForMessage(body.substr(start, end - start)));
  if (!current.is_object()) return InvalidArgument("a JSON row must be an object, not " + std::string(current.type_name()));
  return Status::OK();
}

void JsonReader::Impl::FillFields(SourceRow* row) {
  texts.clear();
  row->fields.assign(field_names.size(), SourceField{});
  for (size_t i = 0; i < field_names.size(); ++i) {
    const Json* v = &current;
    if (paths.empty()) {
      v = Member(current, field_names[i]);
    } else {
      for (const std::string& key : paths[i]) {
        v = Member(*v, key);
        if (v == nullptr) break;
      }
    }
    SourceField& f = row->fields[i];
    if (v == nullptr) {
      f.is_missing = true;
    } else if (v->is_null()) {
      f.is_null = true;
    } else {
      f.text = texts.emplace_back(ScalarText(*v));
    }
  }
}

void JsonReader::Impl::ReadRecord(SourceRow* row) {
  const size_t start = pos;
  row->record_number = ++records;
  for (; lines_pos < start; ++lines_pos) lines += body[lines_pos] == '\n';
  row->line_number = lines;
  row->fields.clear();
  size_t depth_max = 0;
  std::optional<size_t> end = FindValueEnd(body, start, &depth_max);
  if (!end) {
    row->size_bytes = body.size() - start;
    row->error = InvalidArgument("unterminated JSON value");
    pos = body.size();
    done = true;
    return;
  }
  pos = *end;
  row->size_bytes = *end - start;
  row->error = ParseRecord(start, *end, depth_max);
  if (row->error.ok()) FillFields(row);
}

JsonReader::JsonReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonReader::~JsonReader() = default;

Result<std::unique_ptr<JsonReader>> JsonReader::Make(std::string_view body, JsonOptions options,
                                                     std::vector<std::string> field_names) {
  auto impl = std::make_unique<Impl>();
  if (!options.jsonpaths.empty()) {
    if (options.jsonpaths.size() != field_names.size()) {
      return InvalidArgument("jsonpaths has " + std::to_string(options.jsonpaths.size()) + " paths but there are " +
                             std::to_string(field_names.size()) + " columns");
    }
    for (const std::string& p : options.jsonpaths) {
      std::optional<std::vector<std::string>> keys = SplitPath(p);
      if (!keys) return InvalidArgument("unsupported jsonpath '" + p + "' (use \"$.key\" or \"$.a.b\")");
      impl->paths.push_back(std::move(*keys));
    }
  }
  impl->body = body;
  impl->options = std::move(options);
  impl->field_names = std::move(field_names);
  return std::unique_ptr<JsonReader>(new JsonReader(std::move(impl)));
}

Result<bool> JsonReader::Next(SourceRow* row) {
  Impl& s = *impl_;
  if (s.done) return false;
  if (!s.started) {
    Status st = s.Start();
    if (!st.ok()) s.done = true;
    STRATA_RETURN_IF_ERROR(st);
  }
  Result<bool> more = true;
  if (s.options.strip_outer_array) {
    more = s.AdvanceInArray();
  } else {
    s.SkipSpaces();
    more = s.pos < s.body.size();
  }
  if (!more.ok() || !*more) {
    s.done = true;
    return more;
  }
  s.ReadRecord(row);
  s.after_element = true;
  return true;
}

Result<std::vector<std::string>> ParseJsonPathsHeader(std::string_view header_value) {
  Json j = Json::parse(header_value, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return InvalidArgument("jsonpaths must be a JSON array of strings");
  if (j.size() > kJsonPathsMax) return InvalidArgument("jsonpaths has too many paths");
  std::vector<std::string> out;
  for (const Json& p : j) {
    if (!p.is_string()) return InvalidArgument("jsonpaths must be a JSON array of strings");
    out.push_back(p.get<std::string>());
    if (!SplitPath(out.back())) return InvalidArgument("unsupported jsonpath '" + out.back() + "' (use \"$.a.b\")");
  }
  return out;
}

}  // namespace strata::load

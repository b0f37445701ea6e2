// JsonReader: splits a stream-load JSON body into records of text fields, with
// StarRocks' stream-load JSON options (docs/operations/stream-load-formats.md):
//
//   strip_outer_array=false  the body is JSON objects one after another,
//                            separated by white space (NDJSON: one per line);
//                            a body that starts with '[' is an error
//   strip_outer_array=true   the body is one JSON array; each element is a row
//   jsonpaths                optional, e.g. ["$.id", "$.user.name"]: the i-th
//                            path feeds the i-th source field. Only "$" and
//                            dotted keys ("$.a.b") are supported.
// Without jsonpaths a field is the object's member with the field's name (an
// exact match first, then ASCII case-insensitive).
//
// Field values: JSON null -> NULL; a missing member or path -> is_missing;
// strings as they are; numbers in decimal text (integers exactly, fractions as
// the shortest text that round-trips the double, never with an exponent);
// true/false as "true"/"false"; objects and arrays as their compact JSON text.
// A record that is not an object, is malformed, nests deeper than
// kJsonDepthMax, or exceeds row_size_max_bytes comes back with row->error set.
//
// Thread-safety: a reader is used by one thread; the body must outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "load/source_row.h"

namespace strata::load {

inline constexpr size_t kJsonDepthMax = 64;
inline constexpr size_t kJsonPathsMax = 10000;

struct JsonOptions {
  bool strip_outer_array = false;
  std::vector<std::string> jsonpaths;  // empty: look fields up by name
  uint64_t row_size_max_bytes = kRowSizeMaxBytesDefault;
};

// Parses a jsonpaths header value: a JSON array of path strings.
// InvalidArgument if it is not one or a path is not "$" or "$.key[.key...]".
Result<std::vector<std::string>> ParseJsonPathsHeader(std::string_view header_value);

class JsonReader {
 public:
  // `field_names`: the source fields in order (the `columns` mapping). With
  // jsonpaths there must be exactly one path per field. InvalidArgument otherwise.
  static Result<std::unique_ptr<JsonReader>> Make(std::string_view body, JsonOptions options,
                                                  std::vector<std::string> field_names);
  ~JsonReader();

  // Fills `row` with the next record; false at the end of the body.
  // InvalidArgument when the body's outer structure is broken (no '[' with
  // strip_outer_array, a missing ',' between elements, data after the array):
  // rows already returned stay valid, but no more can be found.
  Result<bool> Next(SourceRow* row);

 private:
  struct Impl;
  explicit JsonReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::load

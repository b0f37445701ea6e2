// Value encodings of one data page (docs/formats/data-file.md, "Encodings"):
// PLAIN, DICTIONARY, RUN_LENGTH and BIT_PACKED over the page's non-NULL
// values. The writer tries every candidate that applies to the column's kind
// and keeps the smallest; the reader decodes whatever the page says.
//
// Errors: decoding is given bytes from storage; any malformed input
// (truncated, trailing bytes, index out of range, bad width) is DataLoss.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/column_vector.h"

namespace strata::storage {

// Persistent: the numeric values are written into page headers. Never reorder.
enum class Encoding : uint8_t { kPlain = 0, kDictionary = 1, kRunLength = 2, kBitPacked = 3 };
inline constexpr uint8_t kEncodingMax = 3;
std::string_view EncodingName(Encoding e);

// Dictionaries larger than this are not tried.
inline constexpr size_t kDictionaryEntriesMax = 1 << 16;

// The non-NULL values of one page, gathered by kind (only one vector is used).
struct PageValues {
  std::vector<int64_t> ints;
  std::vector<int128> wides;
  std::vector<double> doubles;
  StringColumn strings;
};

// The same, viewed: what the writer encodes from (no copies of the values).
struct PageValuesView {
  std::span<const int64_t> ints;
  std::span<const int128> wides;
  std::span<const double> doubles;
  std::span<const std::string_view> strings;
};

// True if `e` can encode values of this type.
bool EncodingApplies(const ColumnType& type, Encoding e);

// Encodes `v` for `type`. With `forced` (which must apply), uses it;
// otherwise picks the smallest applicable candidate (ties: the earlier of
// PLAIN, RUN_LENGTH, BIT_PACKED, DICTIONARY — the cheaper to decode). The
// candidates' sizes are computed without encoding them; only the chosen one
// is. Sets *chosen.
std::string EncodeValues(const ColumnType& type, const PageValuesView& v,
                         std::optional<Encoding> forced, Encoding* chosen);
std::string EncodeValues(const ColumnType& type, const PageValues& v,
                         std::optional<Encoding> forced, Encoding* chosen);

// Decodes exactly `count` values, appending them to the vector of the
// type's kind in `out` (which must be set; the others are not touched).
// DataLoss on malformed or trailing bytes; the vector may then hold some of
// the values (the caller drops them: ColumnVector::AbandonDecodedPage).
Status DecodeValues(const ColumnType& type, Encoding e, std::string_view in, size_t count,
                    const ColumnVector::ValueBuffers& out);
// The same into a PageValues' vectors.
Status DecodeValues(const ColumnType& type, Encoding e, std::string_view in, size_t count,
                    PageValues* out);

// Of the `count` values in `in`, decodes only those at `positions`
// (ascending, distinct, each < count: a programmer error otherwise),
// appending them in that order to the vector of the type's kind in `out`:
// what DecodeValues appends, picked. Every encoding and type is handled; the
// selected values are read by random access where the encoding allows it
// (PLAIN of fixed width, BIT_PACKED, DICTIONARY indices), and only what has
// to be walked is (RUN_LENGTH runs, PLAIN string lengths); a string is
// constructed only when selected.
// The input is checked as DecodeValues checks it (sizes, bit widths, runs,
// dictionary entries, trailing bytes) with one exception: a DICTIONARY index
// is looked at, and so checked against the entries, only at a selected
// position. DataLoss on malformed bytes; the vector may then hold some of
// the values (the caller drops them: ColumnVector::AbandonDecodedPage).
Status DecodeValuesAt(const ColumnType& type, Encoding e, std::string_view in, size_t count,
                      std::span<const uint32_t> positions, const ColumnVector::ValueBuffers& out);

// True if `positions` is strictly ascending and each is < end: what
// DecodeValuesAt (and DecodePageAt, of rows) require. Vectorized: a check of
// a page's every position costs a fraction of decoding them.
bool AscendingBelow(std::span<const uint32_t> positions, size_t end);

}  // namespace strata::storage

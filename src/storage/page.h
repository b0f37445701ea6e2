// One data page: header, (compressed) body of NULL bitmap + encoded values,
// and a CRC-32C trailer (docs/formats/data-file.md, "Page").
//
// Errors: DecodePage and DecodePageAt get bytes from storage; a checksum
// mismatch or any malformed field is DataLoss (the caller adds
// key/column/page context).
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/column_vector.h"
#include "storage/compression.h"
#include "storage/data_file_format.h"
#include "storage/encoding.h"

namespace strata::storage {

struct PageEncodeOptions {
  Compression compression = Compression::kNone;
  int zstd_level = 3;
  std::optional<Encoding> forced_encoding;  // tests; must apply to the type
};

// Encodes rows [begin, end) of `col` as one page. Sets *encoding.
std::string EncodePage(const ColumnVector& col, size_t begin, size_t end, const PageEncodeOptions& opts,
                       Encoding* encoding);

// Where compressed pages are expanded: one buffer reused across the pages
// of a column chunk, grown as needed and never zero-filled (the codec
// overwrites it). One per decoding thread.
class PageScratch {
 public:
  // A buffer of at least `size_bytes`, valid until the next call.
  char* Get(size_t size_bytes);

 private:
  std::unique_ptr<char[]> buffer_;
  size_t capacity_bytes_ = 0;
};

// Whether a page's CRC-32C is still to be checked when it is opened.
// kVerifiedBefore is for bytes whose every page passed VerifyPageChecksum
// since they were read and which nothing can have changed since (the scan's
// in-memory chunk cache, chunk_cache.h); everything else is checked.
enum class PageChecksum { kCheck, kVerifiedBefore };

// DataLoss unless `bytes` (one whole page) ends with the CRC-32C of the rest.
Status VerifyPageChecksum(std::string_view bytes);

// Verifies and decodes one page, appending its rows to `out` (whose type is
// the column's); the values are decoded straight into `out`'s buffers. On
// error `out` is as it was. `expect` is the footer's description of the page.
// `scratch` (may be null: a buffer of its own) holds a compressed page's body.
// With PageChecksum::kVerifiedBefore the checksum is not computed again (the
// other checks all run).
Status DecodePage(std::string_view bytes, const PageInfo& expect, ColumnVector* out,
                  PageScratch* scratch = nullptr, PageChecksum checksum = PageChecksum::kCheck);

// The same for the page's rows `rows` only (ascending, distinct, each <
// expect.num_rows: a programmer error otherwise; row 0 is the page's first),
// appending rows.size() rows to `out`, the j-th being the page's row
// rows[j] (its value and NULL flag). The page is verified as DecodePage
// verifies it (checksum, header against `expect`, sizes, NULL bitmap, the
// encoding's sizes and trailing bytes), except that a DICTIONARY index out
// of range is DataLoss only at a selected row (the others may not be read).
// Only the selected values are decoded (DecodeValuesAt: by random access
// where the encoding allows; a string is constructed only when selected),
// unless every one is. On error `out` is as it was.
Status DecodePageAt(std::string_view bytes, const PageInfo& expect, std::span<const uint32_t> rows,
                    ColumnVector* out, PageScratch* scratch = nullptr, PageChecksum checksum = PageChecksum::kCheck);

}  // namespace strata::storage

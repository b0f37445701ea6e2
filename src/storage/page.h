// One data page: header, (compressed) body of NULL bitmap + encoded values,
// and a CRC-32C trailer (docs/formats/data-file.md, "Page").
//
// Errors: DecodePage gets bytes from storage; a checksum mismatch or any
// malformed field is DataLoss (the caller adds key/column/page context).
// Thread-safety: pure functions.
#pragma once

#include <optional>
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

// Verifies and decodes one page, appending its rows to `out` (whose type is
// the column's). `expect` is the footer's description of the page.
Status DecodePage(std::string_view bytes, const PageInfo& expect, ColumnVector* out);

}  // namespace strata::storage

// The persistent layout of a Strata data file: constants, the footer and its
// statistics, and their encoding. Byte-level spec: docs/formats/data-file.md.
//
//   "SDF1" | column chunks (pages) ... | footer | tail (16 bytes)
//   tail = fixed32 footer_size | fixed32 format_version | fixed32 crc32c | "SDF1"
//
// Errors: DecodeFooter/DecodeTail get bytes from storage; anything malformed or
// inconsistent is DataLoss; a newer format version is FailedPrecondition.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/status.h"
#include "storage/column_vector.h"
#include "storage/compression.h"
#include "storage/encoding.h"

namespace strata::storage {

inline constexpr std::string_view kDataFileMagic = "SDF1";
inline constexpr uint32_t kDataFileFormatVersion = 1;
inline constexpr uint64_t kTailBytes = 16;
inline constexpr uint64_t kHeaderBytes = 4;  // the leading magic
inline constexpr uint32_t kPageRowsMax = 1 << 20;
inline constexpr uint64_t kPageBytesMax = 256ull << 20;   // uncompressed body bound
inline constexpr uint64_t kFooterBytesMax = 256ull << 20;
inline constexpr uint32_t kColumnsMax = 10000;
inline constexpr size_t kStatStringBytesMax = 64;  // longer min is truncated, longer max dropped

// Min/max and counts of one page, column chunk or whole column. An absent
// (monostate) min or max with value_count > 0 means "unknown" (e.g. a NaN was
// seen, or a string max was too long), so pruning must not use it.
struct ColumnStats {
  uint64_t null_count = 0;
  uint64_t value_count = 0;  // non-NULL values
  Datum min;
  Datum max;
  bool operator==(const ColumnStats&) const = default;
};

// The value in row `i` of `c` as a Datum (FLOAT rounded to float precision);
// the caller checks IsNull first.
Datum ValueAt(const ColumnVector& c, size_t i);
// Binary form of a non-absent datum; GetDatum reads one of kind `k`
// (DataLoss on truncation or a NaN).
void PutDatum(Encoder* e, const Datum& d);
Status GetDatum(Decoder* d, PhysicalKind k, Datum* out);

// Stats of rows [begin, end) of `col`.
ColumnStats ComputeStats(const ColumnVector& col, size_t begin, size_t end);
void MergeStats(ColumnStats* into, const ColumnStats& from);

struct PageInfo {
  uint64_t offset = 0;  // from the start of the file
  uint64_t size_bytes = 0;
  uint32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  ColumnStats stats;
};

struct ColumnChunkInfo {
  uint64_t offset = 0;
  uint64_t size_bytes = 0;
  ColumnStats stats;
  std::vector<PageInfo> pages;
};

struct RowGroupInfo {
  uint64_t num_rows = 0;
  std::vector<ColumnChunkInfo> columns;  // one per schema column
};

struct FileFooter {
  uint32_t format_version = kDataFileFormatVersion;
  Compression compression = Compression::kNone;
  uint64_t num_rows = 0;
  std::vector<ColumnSchema> schema;
  std::vector<RowGroupInfo> row_groups;
  std::vector<ColumnStats> column_stats;  // whole file, one per column
};

std::string EncodeFooter(const FileFooter& f);
// Decodes and validates `bytes`: every chunk and page lies inside
// [kHeaderBytes, data_end), pages tile their chunk, row counts add up.
Status DecodeFooter(std::string_view bytes, uint64_t data_end, FileFooter* f);

// The 16-byte tail for a footer.
std::string EncodeTail(std::string_view footer);
struct Tail {
  uint32_t footer_size = 0;
  uint32_t format_version = 0;
  uint32_t crc = 0;
};
// Parses the tail (last kTailBytes of the file): magic and version.
Status DecodeTail(std::string_view tail, Tail* t);
// Verifies the footer's checksum against the tail.
Status VerifyFooter(std::string_view footer, const Tail& t);

}  // namespace strata::storage

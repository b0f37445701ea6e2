#include "storage/page.h"

#include <utility>
#include <vector>

#include "common/check.h"
#include "common/coding.h"
#include "common/crc32c.h"

namespace strata::storage {
namespace {

// The non-NULL values of rows [begin, end) (strings as views into `col`).
struct Gathered {
  std::vector<int64_t> ints;
  std::vector<int128> wides;
  std::vector<double> doubles;
  std::vector<std::string_view> strings;
  PageValuesView View() const { return {.ints = ints, .wides = wides, .doubles = doubles, .strings = strings}; }
};

Gathered Gather(const ColumnVector& col, size_t begin, size_t end) {
  Gathered v;
  const size_t rows = end - begin;
  switch (col.kind()) {
    case PhysicalKind::kInt64:
      v.ints.reserve(rows);
      for (size_t i = begin; i < end; ++i) {
        if (!col.IsNull(i)) v.ints.push_back(col.GetInt(i));
      }
      break;
    case PhysicalKind::kInt128:
      v.wides.reserve(rows);
      for (size_t i = begin; i < end; ++i) {
        if (!col.IsNull(i)) v.wides.push_back(col.GetWide(i));
      }
      break;
    case PhysicalKind::kDouble:
      v.doubles.reserve(rows);
      for (size_t i = begin; i < end; ++i) {
        if (!col.IsNull(i)) v.doubles.push_back(col.GetDouble(i));
      }
      break;
    case PhysicalKind::kBytes:
      v.strings.reserve(rows);
      for (size_t i = begin; i < end; ++i) {
        if (!col.IsNull(i)) v.strings.push_back(col.GetString(i));
      }
      break;
  }
  return v;
}

}  // namespace

std::string EncodePage(const ColumnVector& col, size_t begin, size_t end, const PageEncodeOptions& opts,
                       Encoding* encoding) {
  STRATA_CHECK(begin < end && end - begin <= kPageRowsMax, "page row range");
  size_t rows = end - begin, nulls = 0;
  std::string body;
  for (size_t i = begin; i < end; ++i) nulls += col.IsNull(i);
  if (nulls > 0) {
    body.assign((rows + 7) / 8, '\0');
    for (size_t i = begin; i < end; ++i) {
      if (col.IsNull(i)) body[(i - begin) / 8] |= static_cast<char>(1 << ((i - begin) % 8));
    }
  }
  body += EncodeValues(col.type(), Gather(col, begin, end).View(), opts.forced_encoding, encoding);
  STRATA_CHECK(body.size() <= kPageBytesMax, "page body over kPageBytesMax");
  Compression c = opts.compression;
  std::string stored = Compress(c, body, opts.zstd_level);
  if (stored.size() >= body.size()) { c = Compression::kNone; stored = body; }
  Encoder e;
  char hdr[2] = {static_cast<char>(*encoding), static_cast<char>(c)};
  e.PutRaw(std::string_view(hdr, 2));
  e.PutVarint(rows);
  e.PutVarint(nulls);
  e.PutVarint(body.size());
  e.PutVarint(stored.size());
  e.PutRaw(stored);
  e.PutFixed32(Crc32c(e.data()));
  return e.Take();
}

char* PageScratch::Get(size_t size_bytes) {
  if (size_bytes > capacity_bytes_) {
    buffer_ = std::make_unique_for_overwrite<char[]>(size_bytes);
    capacity_bytes_ = size_bytes;
  }
  return buffer_.get();
}

namespace {

// Set bits among the first `rows` bits of `bitmap` (which has >= (rows+7)/8 bytes).
size_t CountNulls(std::string_view bitmap, size_t rows) {
  size_t n = 0;
  const size_t whole = rows / 8;
  for (size_t i = 0; i < whole; ++i) n += static_cast<size_t>(__builtin_popcount(static_cast<uint8_t>(bitmap[i])));
  if (rows % 8 != 0) {
    const unsigned last = static_cast<uint8_t>(bitmap[whole]) & ((1u << (rows % 8)) - 1);
    n += static_cast<size_t>(__builtin_popcount(last));
  }
  return n;
}

// A page's parts once verified: its header's fields and views into its body
// (in the page's bytes, or in the scratch buffer for a compressed page).
struct OpenedPage {
  Encoding encoding = Encoding::kPlain;
  size_t rows = 0;
  size_t nulls = 0;
  std::string_view bitmap;  // (rows + 7) / 8 bytes; empty when no row is NULL
  std::string_view values;
};

// Checks the checksum (unless verified before), the header against the
// footer's `expect`, the sizes and the NULL bitmap, and expands the body into
// `scratch` if compressed.
Status OpenPage(std::string_view bytes, const PageInfo& expect, PageScratch* scratch, PageChecksum checksum,
                OpenedPage* page) {
  if (bytes.size() < 4 + 2) return DataLoss("page shorter than its header");
  if (checksum == PageChecksum::kCheck) STRATA_RETURN_IF_ERROR(VerifyPageChecksum(bytes));
  Decoder d(bytes.substr(0, bytes.size() - 4));
  std::string_view hdr, stored;
  uint64_t rows = 0, nulls = 0, body_size = 0, stored_size = 0;
  STRATA_RETURN_IF_ERROR(d.GetRaw(2, &hdr));
  STRATA_RETURN_IF_ERROR(d.GetVarint(&rows));
  STRATA_RETURN_IF_ERROR(d.GetVarint(&nulls));
  STRATA_RETURN_IF_ERROR(d.GetVarint(&body_size));
  STRATA_RETURN_IF_ERROR(d.GetVarint(&stored_size));
  auto enc = static_cast<Encoding>(hdr[0]);
  auto comp = static_cast<uint8_t>(hdr[1]);
  if (enc != expect.encoding || rows != expect.num_rows || nulls != expect.stats.null_count) {
    return DataLoss("page header disagrees with the footer");
  }
  if (comp > kCompressionMax || body_size > kPageBytesMax) return DataLoss("bad page compression or size");
  STRATA_RETURN_IF_ERROR(d.GetRaw(stored_size, &stored));
  if (!d.empty()) return DataLoss("trailing bytes in page");
  std::string_view body = stored;  // an uncompressed page is read in place
  if (static_cast<Compression>(comp) != Compression::kNone) {
    char* buffer = scratch->Get(body_size);
    STRATA_RETURN_IF_ERROR(DecompressInto(static_cast<Compression>(comp), stored, buffer, body_size));
    body = std::string_view(buffer, body_size);
  } else if (stored.size() != body_size) {
    return DataLoss("uncompressed page size mismatch");
  }
  std::string_view bitmap;  // a view into the body: no copy
  std::string_view values = body;
  if (nulls > 0) {
    size_t n = (rows + 7) / 8;
    if (n > values.size()) return DataLoss("page NULL bitmap truncated");
    bitmap = values.substr(0, n);
    values.remove_prefix(n);
    if (CountNulls(bitmap, rows) != nulls) return DataLoss("page NULL bitmap disagrees with its NULL count");
  }
  if (nulls > rows) return DataLoss("page NULL count > rows");
  *page = OpenedPage{.encoding = enc, .rows = rows, .nulls = nulls, .bitmap = bitmap, .values = values};
  return Status::OK();
}

// The selected rows of a page with NULLs: each one's NULL flag (bit j of
// *flags for rows[j]) and, for a non-NULL row, its value's position among
// the page's values (the row less the NULL rows before it) in *positions.
void SelectValues(std::string_view bitmap, std::span<const uint32_t> rows, std::vector<uint32_t>* positions,
                  std::string* flags) {
  flags->assign((rows.size() + 7) / 8, '\0');
  positions->reserve(rows.size());
  size_t byte = 0;               // the bitmap's bytes before this one are counted:
  uint32_t nulls_before = 0;     // their set bits
  for (size_t j = 0; j < rows.size(); ++j) {
    const uint32_t r = rows[j];
    for (; byte < r / 8; ++byte) nulls_before += static_cast<uint32_t>(__builtin_popcount(static_cast<uint8_t>(bitmap[byte])));
    const unsigned bits = static_cast<uint8_t>(bitmap[r / 8]);
    if ((bits >> (r % 8)) & 1) {
      (*flags)[j / 8] = static_cast<char>((*flags)[j / 8] | (1 << (j % 8)));
      continue;
    }
    positions->push_back(r - nulls_before - static_cast<uint32_t>(__builtin_popcount(bits & ((1u << (r % 8)) - 1))));
  }
}

}  // namespace

Status VerifyPageChecksum(std::string_view bytes) {
  if (bytes.size() < 4) return DataLoss("page shorter than its checksum");
  const std::string_view covered = bytes.substr(0, bytes.size() - 4);
  Decoder crc_d(bytes.substr(bytes.size() - 4));
  uint32_t crc = 0;
  STRATA_RETURN_IF_ERROR(crc_d.GetFixed32(&crc));
  if (Crc32c(covered) != crc) return DataLoss("page checksum mismatch");
  return Status::OK();
}

Status DecodePage(std::string_view bytes, const PageInfo& expect, ColumnVector* out, PageScratch* scratch,
                  PageChecksum checksum) {
  PageScratch own_scratch;
  OpenedPage page;
  STRATA_RETURN_IF_ERROR(OpenPage(bytes, expect, scratch != nullptr ? scratch : &own_scratch, checksum, &page));
  Status s = DecodeValues(out->type(), page.encoding, page.values, page.rows - page.nulls, out->DecodeBuffers());
  if (!s.ok()) {
    out->AbandonDecodedPage();
    return s;
  }
  out->FinishDecodedPage(page.rows, page.bitmap);
  return Status::OK();
}

Status DecodePageAt(std::string_view bytes, const PageInfo& expect, std::span<const uint32_t> rows,
                    ColumnVector* out, PageScratch* scratch, PageChecksum checksum) {
  STRATA_CHECK(AscendingBelow(rows, expect.num_rows), "DecodePageAt: rows not ascending within the page");
  PageScratch own_scratch;
  OpenedPage page;
  STRATA_RETURN_IF_ERROR(OpenPage(bytes, expect, scratch != nullptr ? scratch : &own_scratch, checksum, &page));
  std::span<const uint32_t> positions = rows;  // of the selected non-NULL rows' values
  std::vector<uint32_t> non_null;
  std::string flags;  // the selected rows' NULL flags; empty: none is NULL
  if (page.nulls > 0) {
    SelectValues(page.bitmap, rows, &non_null, &flags);
    positions = non_null;
  }
  const size_t count = page.rows - page.nulls;
  const ColumnVector::ValueBuffers buffers = out->DecodeBuffers();
  // Every value selected (the positions are then 0 .. count - 1): the bulk
  // decoders. Otherwise only the selected values are read, however many:
  // measured on 8192-row pages, decoding all and dropping the others was
  // slower for PLAIN, DICTIONARY and RUN_LENGTH at any density below 100%,
  // and at most ~15% faster for BIT_PACKED above 80%.
  const Status s = positions.size() == count
                       ? DecodeValues(out->type(), page.encoding, page.values, count, buffers)
                       : DecodeValuesAt(out->type(), page.encoding, page.values, count, positions, buffers);
  if (!s.ok()) {
    out->AbandonDecodedPage();
    return s;
  }
  out->FinishDecodedPage(rows.size(), flags);
  return Status::OK();
}

}  // namespace strata::storage

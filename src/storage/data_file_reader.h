// DataFileReader: reads a columnar data file (docs/formats/data-file.md) from
// an ObjectStore with few, large ranged GETs: Open() reads the tail and footer
// with one speculative GET of the file's last bytes (a second only when the
// footer is larger), then every column chunk read is one GET (a tablet scan
// instead fetches the chunks it needs in a few large GETs itself and hands
// their bytes to DecodeColumnChunk: tablet_io.h). Read() returns
// only the projected columns and, given predicates, only the row groups whose
// min/max statistics can match them (pruning; rows inside a kept row group
// are not filtered).
//
// Errors: DataLoss for any damage (checksum mismatch, truncation, a length or
// offset outside the file), naming the key, column, row group and page;
// FailedPrecondition for a newer format version; InvalidArgument for an
// unknown column or a predicate constant of the wrong kind; the store's
// errors (NotFound, Unavailable, ...) with the key as context.
// Thread-safety: const methods may run concurrently if the store allows it;
// the reader holds a reference to the store, which must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "storage/column_vector.h"
#include "storage/data_file_format.h"
#include "storage/footer_cache.h"
#include "storage/page.h"

namespace strata::storage {

enum class CompareOp { kEq, kLt, kLe, kGt, kGe };

// `column op value`; value's alternative must match the column's kind
// (int64_t for ints/DATE/DATETIME/BOOLEAN/DECIMAL(<=18), int128, double, string).
struct Predicate {
  std::string column;
  CompareOp op = CompareOp::kEq;
  Datum value;
};

struct ReadOptions {
  std::vector<std::string> columns;     // empty: all, in schema order
  std::vector<Predicate> predicates;    // AND; used for row-group pruning only
};

struct ReadResult {
  std::vector<ColumnVector> columns;    // in ReadOptions::columns order
  std::vector<size_t> row_groups;       // the row groups read, ascending
};

// True if some value in a chunk with `stats` can satisfy `op value`.
bool StatsCanMatch(const ColumnStats& stats, CompareOp op, const Datum& value);

// Where a scan of `columns` (file column indexes) of row group `rg` may cut
// it into batches of about `target_rows` rows, each decoded page by page
// (DecodeColumnPages): the batches' end rows, ascending, the last one
// rg.num_rows; every end is a page end in each of the columns. A batch is
// longer than target_rows only where the columns share no page end before.
// One batch (the whole row group) when a column's pages do not add up to its
// rows (a damaged footer: decoding the chunk reports it).
std::vector<uint64_t> ScanBatchEnds(const RowGroupInfo& rg, std::span<const size_t> columns, uint64_t target_rows);

class DataFileReader {
 public:
  static constexpr uint64_t kSpeculativeTailBytes = 64 * 1024;

  // `size_bytes`: the file's size if known (tablet metadata records it); if
  // not, a Head request finds it first.
  static Result<std::unique_ptr<DataFileReader>> Open(objstore::ObjectStore& store, std::string key,
                                                      std::optional<uint64_t> size_bytes = std::nullopt,
                                                      uint64_t speculative_bytes = kSpeculativeTailBytes);
  // Reads a file held in memory (tests, freshly written files).
  static Result<std::unique_ptr<DataFileReader>> OpenBytes(std::string bytes, std::string name = "<memory>");

  const FileFooter& footer() const { return *footer_; }
  uint64_t size_bytes() const { return size_; }

  // The bytes [offset, offset + length) when the reader already holds them
  // (Open's speculative tail read, or a file opened from bytes): no GET
  // needed. nullopt otherwise. Valid while the reader lives.
  std::optional<std::string_view> HeldBytes(uint64_t offset, uint64_t length) const;

  // Row groups whose statistics can match every predicate.
  Result<std::vector<size_t>> SelectRowGroups(std::span<const Predicate> predicates) const;
  // Reads and verifies one column chunk (one GET).
  Result<ColumnVector> ReadColumnChunk(size_t row_group, size_t column) const;
  // Verifies and decodes one column chunk from `chunk_bytes`, the bytes at
  // the chunk's offset and size (fetched by the caller, e.g. through a
  // RangePrefetcher). DataLoss when their length differs or a page is damaged;
  // errors name the key, column, row group and page.
  Result<ColumnVector> DecodeColumnChunk(size_t row_group, size_t column, std::string_view chunk_bytes) const;
  // The same for pages [first_page, end_page) of the chunk only (a batch of
  // its rows: ScanBatchEnds); `scratch` (null: one of its own) holds
  // compressed pages' bodies, reused by a scan from batch to batch.
  // PageChecksum::kVerifiedBefore: `chunk_bytes` passed VerifyChunkChecksums
  // and cannot have changed since (page.h); the pages' CRCs are not computed
  // again.
  Result<ColumnVector> DecodeColumnPages(size_t row_group, size_t column, std::string_view chunk_bytes,
                                         size_t first_page, size_t end_page, PageScratch* scratch = nullptr,
                                         PageChecksum checksum = PageChecksum::kCheck) const;
  // The same for the rows `rows` of those pages only (a scan's batch once a
  // filter has picked its rows): rows ascending, distinct and each below the
  // pages' total rows (a programmer error otherwise), row 0 being the first
  // row of first_page. Returns a column of rows.size() rows, the i-th being
  // row rows[i] (value and NULL flag), equal to decoding the pages and
  // picking. A page holding a selected row is verified as DecodeColumnPages
  // verifies it, but for DICTIONARY indices, checked only at the selected
  // rows (DecodePageAt); a page holding none is skipped: neither
  // decompressed nor checked. Errors as DecodeColumnPages.
  Result<ColumnVector> DecodeColumnPagesAt(size_t row_group, size_t column, std::string_view chunk_bytes,
                                           size_t first_page, size_t end_page, std::span<const uint32_t> rows,
                                           PageScratch* scratch = nullptr,
                                           PageChecksum checksum = PageChecksum::kCheck) const;
  // DataLoss (naming the key, column, row group and page) unless
  // `chunk_bytes` is the chunk's size and every page's CRC-32C matches.
  Status VerifyChunkChecksums(size_t row_group, size_t column, std::string_view chunk_bytes) const;
  Result<ReadResult> Read(const ReadOptions& options) const;

 private:
  DataFileReader() = default;
  Result<std::string> ReadRange(uint64_t offset, uint64_t length) const;
  // Reads, verifies and decodes the footer; returns its encoded bytes.
  Result<uint64_t> LoadFooter(uint64_t speculative_bytes);
  Result<size_t> ColumnIndex(std::string_view name) const;
  // "data file <key>: column <name>: row group <n>", for errors.
  // The footer's description of the chunk, DataLoss when `chunk_bytes` is not its size
  // (indexes and page range out of bounds: programmer errors).
  Result<const ColumnChunkInfo*> CheckedChunk(size_t row_group, size_t column, std::string_view chunk_bytes,
                                              size_t first_page, size_t end_page) const;
  std::string ChunkContext(size_t row_group, size_t column) const;

  objstore::ObjectStore* store_ = nullptr;  // null: bytes_ holds the file
  std::string key_;
  std::string bytes_;
  std::string tail_;          // Open's speculative read of the file's last bytes
  uint64_t tail_offset_ = 0;  // where tail_ starts in the file
  uint64_t size_ = 0;
  // Shared with the footer cache (footer_cache.h) when the servers enable it.
  std::shared_ptr<const FileFooter> footer_;
};

}  // namespace strata::storage

// DataFileWriter: builds one immutable columnar data file in memory
// (docs/formats/data-file.md). Rows arrive as column batches; every
// row_group_rows_max rows (or row_group_bytes_max bytes) become a row group,
// each column of it one contiguous column chunk of pages. Finish() returns
// the whole file; PutDataFile() stores it under a never-reused name.
//
//   auto w = DataFileWriter::Create(schema, {.compression = Compression::kZstd});
//   STRATA_RETURN_IF_ERROR((*w)->Append(batch));   // batch: one ColumnVector per column
//   STRATA_ASSIGN_OR_RETURN(std::string bytes, (*w)->Finish());
//   STRATA_RETURN_IF_ERROR(PutDataFile(store, key, bytes));
//
// Thread-safety: a writer is used by one thread.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "storage/column_vector.h"
#include "storage/data_file_format.h"

namespace strata::storage {

struct DataFileWriterOptions {
  Compression compression = Compression::kLz4;
  int zstd_level = 3;
  uint64_t row_group_rows_max = 64 * 1024;
  uint64_t row_group_bytes_max = 128ull << 20;  // approximate, in-memory bytes
  uint32_t page_rows_max = 8 * 1024;
  uint64_t page_bytes_max = 1ull << 20;  // approximate, in-memory bytes
  // Tests: use this encoding for every column it applies to.
  std::optional<Encoding> forced_encoding;
};

class DataFileWriter {
 public:
  // InvalidArgument for an empty or invalid schema, duplicate names or bad options.
  static Result<std::unique_ptr<DataFileWriter>> Create(std::vector<ColumnSchema> schema,
                                                        DataFileWriterOptions options = {});

  // Appends rows: one ColumnVector per schema column, all the same length and
  // of the column's type. InvalidArgument (nothing appended) on a mismatch,
  // a NULL in a NOT NULL column or an out-of-range value.
  Status Append(std::span<const ColumnVector> batch);

  // Returns the file's bytes. Call once; later calls are FailedPrecondition.
  Result<std::string> Finish();

  uint64_t num_rows() const { return footer_.num_rows + pending_rows_; }

 private:
  DataFileWriter(std::vector<ColumnSchema> schema, DataFileWriterOptions options);
  void FlushRowGroup();
  // Rows [begin, end) of `columns` (one per schema column) as the next row group.
  void WriteRowGroup(std::span<const ColumnVector> columns, size_t begin, size_t end);
  ColumnChunkInfo WriteChunk(const ColumnVector& col, size_t begin, size_t end);

  DataFileWriterOptions options_;
  FileFooter footer_;
  std::string out_;
  std::vector<ColumnVector> pending_;
  uint64_t pending_rows_ = 0;
  bool finished_ = false;
};

// ComputeStats (data_file_format.h) of rows [begin, end), computed without a
// Datum per value (the writer's hot path); always equal to it.
ColumnStats PageStats(const ColumnVector& col, size_t begin, size_t end);

// Stores a finished file with PutIfAbsent (data file names are never reused).
// If the key already holds exactly these bytes (a retried put whose reply was
// lost) it is OK; different bytes are AlreadyExists. Other errors: the store's.
Status PutDataFile(objstore::ObjectStore& store, std::string_view key, std::string_view bytes);

}  // namespace strata::storage

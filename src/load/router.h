// Router: sends each row of a loaded batch to its tablet: the range partition
// that holds its partition-column values, then the bucket that its
// distribution-column values hash to (docs/operations/stream-load-formats.md).
//
// Partitions: bounds are the catalog's strings, parsed with the partition
// column's type (value_parse.h). Lower bounds are inclusive, upper exclusive,
// an empty bound is unbounded (MINVALUE / MAXVALUE); multi-column bounds
// compare lexicographically, a missing trailing value counting as MINVALUE.
// NULL sorts below every value (it lands in the partition with an unbounded
// lower side, if any). An unpartitioned table has exactly one partition.
// A row in no partition is filtered: "line 7: no partition for value (2031-01-05)".
//
// Buckets — PERSISTENT BEHAVIOUR: rows already stored in a tablet were put
// there by this rule, so it must never change (pinned by router_test):
//   bytes = for each distribution column, in DISTRIBUTED BY order:
//             NULL      -> 0x00
//             otherwise -> 0x01, then the value's canonical bytes:
//               int64 kind (TINYINT..BIGINT, BOOLEAN, DATE days, DATETIME
//                 microseconds, DECIMAL p<=18 unscaled)  8 bytes little-endian
//               int128 kind (LARGEINT, DECIMAL p>18 unscaled) 16 bytes little-endian
//               FLOAT/DOUBLE  the IEEE-754 double's 8 bytes little-endian
//                 (FLOAT widened to double; -0.0 as +0.0; every NaN as 0x7ff8000000000000)
//               CHAR/VARCHAR/STRING  4-byte little-endian length, then the bytes
//   hash   = fmix32(CRC-32C(bytes))   (CRC-32C as common/crc32c.h, initial 0;
//            fmix32 = MurmurHash3's finalizer: h ^= h>>16; h *= 0x85ebca6b;
//            h ^= h>>13; h *= 0xc2b2ae35; h ^= h>>16)
//   bucket = hash % bucket_count
//
// Thread-safety: a Router is immutable after Make; Route may run concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "load/schema.h"
#include "meta/catalog/model.h"
#include "storage/column_vector.h"

namespace strata::load {

inline constexpr size_t kDistributionColumnsMax = 64;

// The rows of one batch bound for one tablet.
struct TabletRows {
  uint64_t partition_id = 0;
  uint32_t bucket_index = 0;
  uint64_t tablet_id = 0;
  std::vector<uint32_t> rows;                  // indices into the routed batch, ascending
  std::vector<storage::ColumnVector> columns;  // those rows, one vector per table column
};

struct RoutedBatch {
  std::vector<TabletRows> tablets;  // non-empty ones, by (index in Make's partitions, bucket_index)
  uint64_t rows_filtered = 0;       // rows in no partition
  std::vector<std::string> errors;  // the first error_messages_max messages
};

// The bucket hash of `row` over `columns` (the distribution columns, in order): see above.
uint32_t BucketHash(std::span<const storage::ColumnVector* const> columns, size_t row);

class Router {
 public:
  // `schema` is TableSchema(table); `partitions` are the table's partitions,
  // each with bucket_count tablet ids. InvalidArgument when a bound does not
  // parse for its column; FailedPrecondition when the catalog state is
  // inconsistent (unknown partition/distribution column, more than
  // kDistributionColumnsMax distribution columns, tablet count !=
  // bucket_count, overlapping ranges, several partitions without partition
  // columns, no partition at all).
  static Result<Router> Make(const meta::Table& table, const std::vector<TableColumn>& schema,
                             const std::vector<meta::Partition>& partitions);

  // Splits `columns` (one per table column, equal lengths; CHECK) by tablet.
  // `line_numbers` (LoadBatch::line_numbers, or empty) name rows in messages.
  // Each tablet's rows are gathered in one pass (strings copied into the
  // tablet's columns' blocks: no allocation per string).
  RoutedBatch Route(const std::vector<storage::ColumnVector>& columns, std::span<const uint64_t> line_numbers = {},
                    size_t error_messages_max = 20) const;

  // Index (into the Make order of `partitions`) of the partition holding `row`, or nullopt.
  std::optional<size_t> PartitionOf(const std::vector<storage::ColumnVector>& columns, size_t row) const;
  uint32_t BucketOf(const std::vector<storage::ColumnVector>& columns, size_t row) const;

 private:
  struct Range {
    size_t partition = 0;  // index into partitions_
    std::vector<storage::Datum> lower;
    std::vector<storage::Datum> upper;  // empty: MAXVALUE
  };
  Router() = default;
  std::vector<storage::Datum> KeyOf(const std::vector<storage::ColumnVector>& columns, size_t row) const;
  std::string DescribeKey(const std::vector<storage::Datum>& key) const;

  // The common case — one partition column of an int64 kind (DATE,
  // DATETIME, integers): the ranges' bounds as plain integers, so a non-NULL
  // value finds its partition without building a key.
  struct IntRange {
    bool has_lower = false;  // false: MINVALUE
    bool has_upper = false;  // false: MAXVALUE
    int64_t lower = 0;
    int64_t upper = 0;
  };
  std::optional<size_t> IntPartitionOf(int64_t v) const;

  std::vector<TableColumn> schema_;
  std::vector<meta::Partition> partitions_;
  bool int_fast_ = false;            // int_ranges_ holds ranges_ as IntRange
  std::vector<IntRange> int_ranges_; // same order as ranges_
  std::vector<size_t> partition_columns_;     // table column indices
  std::vector<size_t> distribution_columns_;  // table column indices
  uint32_t bucket_count_ = 0;
  std::vector<Range> ranges_;  // sorted by lower bound
};

}  // namespace strata::load

// Column types and the in-memory column batch (ColumnVector) that the data
// file writer takes and the reader returns (docs/formats/data-file.md).
//
// Physical representation, by kind:
//   kInt64  TINYINT SMALLINT INT BIGINT BOOLEAN(0/1) DATE(days) DATETIME(us)
//           DECIMAL(p<=18,s) as the unscaled value      -> ColumnVector::ints
//   kInt128 LARGEINT, DECIMAL(p>18,s) unscaled          -> ColumnVector::wides
//   kDouble FLOAT (held as double, stored as 4 bytes), DOUBLE -> ColumnVector::doubles
//   kBytes  CHAR VARCHAR STRING (raw bytes)             -> ColumnVector::strings
// Every typed vector has one slot per row; a NULL row holds a default value.
//
// Thread-safety: value types; one object per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/no_init_vector.h"
#include "common/status.h"
#include "storage/string_column.h"

namespace strata::storage {

using int128 = __int128;

// Persistent: the numeric values are written into file footers. Never reorder.
enum class DataType : uint8_t {
  kTinyInt = 1, kSmallInt = 2, kInt = 3, kBigInt = 4, kLargeInt = 5,
  kFloat = 6, kDouble = 7, kDecimal = 8, kBoolean = 9,
  kChar = 10, kVarchar = 11, kString = 12, kDate = 13, kDateTime = 14,
};
inline constexpr uint8_t kDataTypeMax = 14;

enum class PhysicalKind : uint8_t { kInt64, kInt128, kDouble, kBytes };

struct ColumnType {
  DataType type = DataType::kInt;
  uint32_t precision = 0;  // DECIMAL only: 1..38
  uint32_t scale = 0;      // DECIMAL only: 0..precision
  bool nullable = true;
  bool operator==(const ColumnType&) const = default;
};

struct ColumnSchema {
  std::string name;
  ColumnType type;
  bool operator==(const ColumnSchema&) const = default;
};

PhysicalKind KindOf(const ColumnType& t);
std::string_view DataTypeName(DataType t);
// InvalidArgument for bad decimal precision/scale or an empty name.
Status ValidateColumnSchema(const ColumnSchema& c);
// Inclusive value range of an int64-kind type (DECIMAL: +-(10^p - 1)).
void Int64Range(const ColumnType& t, int64_t* lo, int64_t* hi);

// A constant for predicates and statistics; its alternative matches the kind
// (int64_t / int128 / double / std::string). monostate = absent.
using Datum = std::variant<std::monostate, int64_t, int128, double, std::string>;

// Three-way comparison of two datums of one kind (doubles: neither is NaN).
int CompareDatum(const Datum& a, const Datum& b);

class ColumnVector {
 public:
  ColumnVector() = default;
  explicit ColumnVector(ColumnType type) : type_(type) {}

  const ColumnType& type() const { return type_; }
  PhysicalKind kind() const { return KindOf(type_); }
  size_t size() const { return nulls_.size(); }
  bool IsNull(size_t row) const { return nulls_[row] != 0; }
  size_t NullCount() const;

  // Appending a value of the wrong kind is a programmer error (CHECK).
  void AppendNull();
  void AppendInt(int64_t v);
  void AppendWide(int128 v);
  void AppendDouble(double v);
  void AppendString(std::string_view v);
  // Appends rows [begin, end) of `other` (same type).
  void AppendRange(const ColumnVector& other, size_t begin, size_t end);
  // Appends the given rows of `other` (same type).
  void Gather(const ColumnVector& other, std::span<const uint32_t> rows);
  // Appends every row of `other` (same type), moving its values out; `other`
  // is left empty (size 0, same type).
  void AppendMoved(ColumnVector& other);
  void Reserve(size_t rows);
  // In-place page decoding (page.cc), so that a page's values are written
  // once, into this vector's own buffers, instead of into per-page vectors
  // that are appended afterwards. A decoder appends the page's non-NULL values,
  // in order, to the vector of this column's kind in DecodeBuffers() (the
  // others are not touched), then calls FinishDecodedPage. Between the two
  // this vector is not a valid column: nothing else may be called on it but
  // FinishDecodedPage or AbandonDecodedPage.
  struct ValueBuffers {
    Int64Values* ints = nullptr;  // resize() does not zero
    std::vector<int128>* wides = nullptr;
    std::vector<double>* doubles = nullptr;
    StringColumn* strings = nullptr;
  };
  ValueBuffers DecodeBuffers();
  // Appends the page's `rows` rows: their NULL flags are bit i of
  // `null_bitmap` (empty: none is NULL), and the values appended since the
  // page began are spread over the non-NULL rows. The number of values
  // appended must equal the non-NULL rows (programmer error otherwise).
  void FinishDecodedPage(size_t rows, std::string_view null_bitmap);
  // Drops the values appended since the page began (a page that failed to
  // decode): the vector is as it was before the page.
  void AbandonDecodedPage();

  // The buffers, moved out (this vector is left empty, same type): lets a
  // reader of the rows take them without a copy.
  struct Parts {
    std::vector<uint8_t> nulls;
    Int64Values ints;
    std::vector<int128> wides;
    std::vector<double> doubles;
    StringColumn strings;
  };
  Parts Release();

  int64_t GetInt(size_t row) const { return ints_[row]; }
  int128 GetWide(size_t row) const { return wides_[row]; }
  double GetDouble(size_t row) const { return doubles_[row]; }
  std::string_view GetString(size_t row) const { return strings_[row]; }

  // InvalidArgument if a NULL is in a non-nullable column or a value is out of
  // its type's range (ints, BOOLEAN 0/1, DECIMAL digits).
  Status Validate() const;
  // Rough in-memory bytes, for row-group budgets; O(1), kept as rows are appended.
  uint64_t ApproxBytes() const { return approx_bytes_; }
  // Row-by-row equality (NaN equals NaN, NULL equals NULL; FLOAT compared as float).
  bool Equals(const ColumnVector& other) const;

 private:
  ColumnType type_;
  std::vector<uint8_t> nulls_;  // 1 = NULL
  Int64Values ints_;  // resize() does not zero
  std::vector<int128> wides_;
  std::vector<double> doubles_;
  StringColumn strings_;
  uint64_t approx_bytes_ = 0;
};

}  // namespace strata::storage

// The query engine's values: logical types (MySQL's result types), columns
// of one type (a batch's worth of values with NULL flags), chunks (the
// columns a batch of rows carries between operators), and the text forms
// MySQL prints for each type.
//
// Physical representation by TypeId:
//   kInt (TINYINT..BIGINT, BOOLEAN, comparison results)   int64  -> Column::i64
//   kDate (days since 1970-01-01), kDateTime (microseconds) int64  -> Column::i64
//   kLargeInt, kDecimal (unscaled, scale in the Type)      int128 -> Column::i128
//     or, when every value fits (a "narrow" column),        int64  -> Column::i64
//   kDouble (FLOAT too: Type::is_float prints it as float)  double -> Column::f64
//   kString                                   bytes (StringColumn) -> Column::str
//   kNull (the type of a bare NULL)                        only NULL flags
// A constant column holds one row that stands for every row (Size() says how
// many it stands for); At(r) hides the difference.
//
// Thread-safety: value types.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/check.h"
#include "sql/engine.h"
#include "storage/column_vector.h"

namespace strata::query {

using int128 = __int128;

enum class TypeId : uint8_t { kNull, kInt, kLargeInt, kDouble, kDecimal, kString, kDate, kDateTime };

inline constexpr int kDecimalPrecisionMax = 38;
inline constexpr int kDivScaleIncrement = 4;  // MySQL's div_precision_increment

struct Type {
  TypeId id = TypeId::kNull;
  int precision = 0;     // kDecimal: 1..38
  int scale = 0;         // kDecimal: 0..precision
  int int_bytes = 8;     // kInt: 1, 2, 4 or 8 (the wire type)
  bool is_float = false; // kDouble from a FLOAT column
  bool operator==(const Type&) const = default;

  static Type Null() { return {}; }
  static Type Int(int bytes = 8) { return Type{.id = TypeId::kInt, .int_bytes = bytes}; }
  static Type LargeInt() { return Type{.id = TypeId::kLargeInt}; }
  static Type Double() { return Type{.id = TypeId::kDouble}; }
  static Type Decimal(int precision, int scale);  // precision clamped to 1..38, scale to 0..precision
  static Type String() { return Type{.id = TypeId::kString}; }
  static Type Date() { return Type{.id = TypeId::kDate}; }
  static Type DateTime() { return Type{.id = TypeId::kDateTime}; }
};

bool IsNumeric(const Type& t);      // kInt kLargeInt kDecimal kDouble
bool IsTemporal(const Type& t);     // kDate kDateTime
inline bool UsesI64(const Type& t) {  // kInt kDate kDateTime
  return t.id == TypeId::kInt || t.id == TypeId::kDate || t.id == TypeId::kDateTime;
}
inline bool UsesI128(const Type& t) { return t.id == TypeId::kLargeInt || t.id == TypeId::kDecimal; }  // kLargeInt kDecimal
std::string TypeName(const Type& t);  // "BIGINT", "DECIMAL(10,2)", "VARCHAR", ...
sql::ColumnType WireType(const Type& t);

// The type a scan produces for a storage column.
Type FromStorage(const storage::ColumnType& t);

int128 Pow10(int n);  // 0 <= n <= 38 (a table lookup)

// One value of a known Type (which alternative is meaningful follows the Type).
struct Scalar {
  bool null = true;
  int64_t i64 = 0;
  int128 i128 = 0;
  double f64 = 0;
  std::string str;

  static Scalar Null() { return {}; }
  static Scalar I64(int64_t v) { return Scalar{.null = false, .i64 = v}; }
  static Scalar I128(int128 v) { return Scalar{.null = false, .i128 = v}; }
  static Scalar F64(double v) { return Scalar{.null = false, .f64 = v}; }
  static Scalar Str(std::string v) { return Scalar{.null = false, .str = std::move(v)}; }
};

class Column {
 public:
  Column() = default;
  explicit Column(Type type) : type_(type) {}
  // A constant column: `value` for each of `rows` rows.
  static Column Constant(Type type, const Scalar& value, size_t rows);

  const Type& type() const { return type_; }
  size_t Size() const { return constant_ ? constant_rows_ : nulls_.size(); }
  bool is_constant() const { return constant_; }
  size_t Index(size_t row) const { return constant_ ? 0 : row; }

  bool IsNull(size_t row) const { return nulls_[Index(row)] != 0; }
  int64_t I64(size_t row) const { return i64_[Index(row)]; }
  // A kDecimal or kLargeInt value, from either representation.
  int128 I128(size_t row) const { return narrow_ ? int128{i64_[Index(row)]} : i128_[Index(row)]; }
  double F64(size_t row) const { return f64_[Index(row)]; }
  std::string_view Str(size_t row) const { return str_[Index(row)]; }
  Scalar At(size_t row) const;

  // A kDecimal / kLargeInt column is "narrow" when its values are held in 64
  // bits (i64_data(); every value fits int64, as a DECIMAL(p <= 18)'s always
  // does), else "wide" (i128_data()). Only those types can be narrow. A column
  // is wide unless something made it narrow: a scan's narrow decimals
  // (FromStorageVector, DecimalFromUnscaled) and loops that
  // write 64-bit results (ResizeForNarrowOverwrite). Appending a value that
  // does not fit int64 to a narrow column widens it first; Constant() makes a
  // wide column. Buffer loops over such a column test narrow() first
  // (i128_data() / mutable_i128() of a narrow column is a programmer error).
  bool narrow() const { return narrow_; }
  // Turns a narrow column wide in place (no-op if it is wide).
  void Widen();

  void Reserve(size_t rows);
  // Typed bulk writes: sizes a non-constant column to `rows` rows (values
  // zero, none NULL) and exposes its buffers; the caller fills them.
  void ResizeForWrite(size_t rows);
  // The same with the integer and decimal values left unset (not zeroed):
  // for a loop that writes every row's value, NULL rows' included.
  void ResizeForOverwrite(size_t rows);
  // The same for a kDecimal / kLargeInt column made narrow: its 64-bit values
  // (mutable_i64()) are left unset.
  void ResizeForNarrowOverwrite(size_t rows);
  uint8_t* mutable_nulls() { return nulls_.data(); }
  // The buffers for typed read loops: Size() rows, or one row for a
  // constant column (index 0 stands for every row).
  const uint8_t* nulls_data() const { return nulls_.data(); }
  const int64_t* i64_data() const { return i64_.data(); }
  const int128* i128_data() const {
    STRATA_CHECK(!narrow_, "i128_data of a narrow column");
    return i128_.data();
  }
  const double* f64_data() const { return f64_.data(); }
  const std::string_view* str_data() const { return str_.data(); }
  // A string column's dictionary codes (storage::StringColumn::coded): null
  // when it has none (always for a constant column); else row r views entry
  // str_codes()[r] of str_entries(). Readers still test the NULL flags (a
  // NULL row's code names some entry).
  const uint32_t* str_codes() const { return !constant_ && str_.coded() ? str_.codes() : nullptr; }
  const std::vector<std::string_view>& str_entries() const { return str_.entries(); }
  int64_t* mutable_i64() { return i64_.data(); }
  int128* mutable_i128() {
    STRATA_CHECK(!narrow_, "mutable_i128 of a narrow column");
    return i128_.data();
  }
  double* mutable_f64() { return f64_.data(); }
  // Appending a value of another kind, or to a constant column, is a
  // programmer error (checked in debug builds; these run once per row).
  void AppendNull() {
    nulls_.push_back(1);
    if (UsesI64(type_)) i64_.push_back(0);
    else if (UsesI128(type_)) narrow_ ? i64_.push_back(0) : i128_.push_back(0);
    else if (type_.id == TypeId::kDouble) f64_.push_back(0);
    else if (type_.id == TypeId::kString) str_.emplace_back();
  }
  void AppendI64(int64_t v) {
    assert(UsesI64(type_) && !constant_);
    nulls_.push_back(0);
    i64_.push_back(v);
  }
  void AppendI128(int128 v) {
    assert(UsesI128(type_) && !constant_);
    if (narrow_) {
      if (v == static_cast<int64_t>(v)) {
        nulls_.push_back(0);
        i64_.push_back(static_cast<int64_t>(v));
        return;
      }
      Widen();
    }
    nulls_.push_back(0);
    i128_.push_back(v);
  }
  void AppendF64(double v) {
    assert(type_.id == TypeId::kDouble && !constant_);
    nulls_.push_back(0);
    f64_.push_back(v);
  }
  void AppendStr(std::string_view v) {  // copies the bytes
    assert(type_.id == TypeId::kString && !constant_);
    nulls_.push_back(0);
    str_.push_back(v);
  }
  void Append(const Scalar& v);
  void AppendFrom(const Column& other, size_t row);  // same type
  // Rows `rows` of this column, as a new column (constant if this one is).
  Column Gather(const std::vector<uint32_t>& rows) const { return Gather(rows.data(), rows.size()); }
  Column Gather(const uint32_t* rows, size_t n) const;
  // Keeps only rows rows[0..n) (ascending, distinct), in place: the values
  // move down within this column's own buffers (no new allocation).
  void KeepRows(const uint32_t* rows, size_t n);
  // Appends every row of `other` (same type; constants expanded).
  void AppendColumn(const Column& other);
  // A non-constant copy (constants expanded).
  Column Materialize() const;
  // Reinterprets the values as `type` (same physical representation; a
  // narrow column stays narrow).
  void Retype(const Type& type) {
    assert(UsesI128(type) == UsesI128(type_) || !narrow_);
    type_ = type;
  }
  uint64_t ApproxBytes() const;

 private:
  friend Column FromStorageVector(storage::ColumnVector&& v);
  friend Column UnscaledFromStorage(storage::ColumnVector&& v);
  friend Column DecimalFromUnscaled(const Column& unscaled, const Type& decimal, const uint32_t* rows, size_t n);
  friend Column DecimalFromUnscaled(Column&& unscaled, const Type& decimal);
  friend const Column* NarrowOrNull(const Column& c, Column* holder);
  Type type_;
  bool constant_ = false;
  bool narrow_ = false;  // kDecimal / kLargeInt values in i64_ (see narrow())
  size_t constant_rows_ = 0;
  std::vector<uint8_t> nulls_;
  Int64Values i64_;  // resize() does not zero; a narrow column's values too
  NoInitVector<int128> i128_;  // resize() does not zero
  std::vector<double> f64_;
  storage::StringColumn str_;  // views into blocks the column owns
};

// The rows of one batch: every column has `rows` rows.
struct Chunk {
  std::vector<Column> columns;
  size_t rows = 0;
  uint64_t ApproxBytes() const;
};

// A storage column vector as an engine column (DECIMAL(p<=18) as a narrow
// column). Takes the vector's buffers without copying; `v` is left empty.
Column FromStorageVector(storage::ColumnVector&& v);
// A DECIMAL storage vector held in 64 bits (precision <= 18), its unscaled
// values as a BIGINT column without widening (a scan's filter compares them
// with unscaled constants: NarrowDecimalFilter).
Column UnscaledFromStorage(storage::ColumnVector&& v);
// Rows rows[0..n) of such a column as the DECIMAL `decimal` (a narrow
// column); the second form takes all of its rows, without a copy.
Column DecimalFromUnscaled(const Column& unscaled, const Type& decimal, const uint32_t* rows, size_t n);
Column DecimalFromUnscaled(Column&& unscaled, const Type& decimal);

// Helpers for buffer loops over kDecimal / kLargeInt columns. NarrowOrNull:
// `c` itself if narrow, a narrow copy of it in *holder if it is a constant
// whose value fits 64 bits (or is NULL), else null. WideOf: `c` itself if
// wide, else a wide copy in *holder.
const Column* NarrowOrNull(const Column& c, Column* holder);
const Column& WideOf(const Column& c, Column* holder);

// ---- text forms (what MySQL prints)
std::string FormatDecimal(int128 unscaled, int scale);
std::string FormatDouble(double v, bool as_float);
std::string FormatDate(int64_t days);
std::string FormatDateTime(int64_t micros);
std::string FormatInt128(int128 v);
// nullopt for NULL.
std::optional<std::string> FormatCell(const Column& c, size_t row);

// ---- parsing text into values (CAST and comparisons with literals)
// Days / micros from 'YYYY-MM-DD[ HH:MM:SS[.f]]' (also 'YYYYMMDD'); nullopt if invalid.
std::optional<int64_t> ParseDate(std::string_view text);
std::optional<int64_t> ParseDateTime(std::string_view text);
// A decimal string with the given scale (rounded half away from zero);
// nullopt if not a number or it does not fit 38 digits.
std::optional<int128> ParseDecimal(std::string_view text, int scale);
// MySQL's string-to-number: the longest numeric prefix, else 0.
double StringToDouble(std::string_view text);

// Calendar (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400LL * kMicrosPerSecond;

}  // namespace strata::query

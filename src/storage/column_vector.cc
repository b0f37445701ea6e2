#include "storage/column_vector.h"

#include <cmath>
#include <cstring>
#include <iterator>

#include "common/check.h"

namespace strata::storage {

PhysicalKind KindOf(const ColumnType& t) {
  switch (t.type) {
    case DataType::kLargeInt: return PhysicalKind::kInt128;
    case DataType::kDecimal: return t.precision > 18 ? PhysicalKind::kInt128 : PhysicalKind::kInt64;
    case DataType::kFloat:
    case DataType::kDouble: return PhysicalKind::kDouble;
    case DataType::kChar:
    case DataType::kVarchar:
    case DataType::kString: return PhysicalKind::kBytes;
    default: return PhysicalKind::kInt64;
  }
}

std::string_view DataTypeName(DataType t) {
  static constexpr std::string_view kNames[] = {
      "?", "TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT", "FLOAT", "DOUBLE",
      "DECIMAL", "BOOLEAN", "CHAR", "VARCHAR", "STRING", "DATE", "DATETIME"};
  auto i = static_cast<size_t>(t);
  return i <= kDataTypeMax ? kNames[i] : "?";
}

Status ValidateColumnSchema(const ColumnSchema& c) {
  if (c.name.empty()) return InvalidArgument("column name is empty");
  auto t = static_cast<uint8_t>(c.type.type);
  if (t == 0 || t > kDataTypeMax) return InvalidArgument("column " + c.name + ": unknown type");
  if (c.type.type == DataType::kDecimal) {
    if (c.type.precision < 1 || c.type.precision > 38 || c.type.scale > c.type.precision) {
      return InvalidArgument("column " + c.name + ": DECIMAL(p,s) needs 1 <= p <= 38, 0 <= s <= p");
    }
  } else if (c.type.precision != 0 || c.type.scale != 0) {
    return InvalidArgument("column " + c.name + ": precision/scale only apply to DECIMAL");
  }
  return Status::OK();
}

static int128 Pow10(uint32_t p) {
  int128 v = 1;
  for (uint32_t i = 0; i < p; ++i) v *= 10;
  return v;
}

void Int64Range(const ColumnType& t, int64_t* lo, int64_t* hi) {
  switch (t.type) {
    case DataType::kTinyInt: *lo = INT8_MIN; *hi = INT8_MAX; return;
    case DataType::kSmallInt: *lo = INT16_MIN; *hi = INT16_MAX; return;
    case DataType::kInt:
    case DataType::kDate: *lo = INT32_MIN; *hi = INT32_MAX; return;
    case DataType::kBoolean: *lo = 0; *hi = 1; return;
    case DataType::kDecimal: {
      auto m = static_cast<int64_t>(Pow10(t.precision) - 1);
      *lo = -m; *hi = m; return;
    }
    default: *lo = INT64_MIN; *hi = INT64_MAX; return;
  }
}

int CompareDatum(const Datum& a, const Datum& b) {
  STRATA_CHECK_EQ(a.index(), b.index());
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (a.index()) {
    case 1: return cmp(std::get<int64_t>(a), std::get<int64_t>(b));
    case 2: return cmp(std::get<int128>(a), std::get<int128>(b));
    case 3: return cmp(std::get<double>(a), std::get<double>(b));
    case 4: {
      int c = std::get<std::string>(a).compare(std::get<std::string>(b));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: return 0;
  }
}

size_t ColumnVector::NullCount() const {
  size_t n = 0;
  for (uint8_t b : nulls_) n += b;
  return n;
}

void ColumnVector::AppendNull() {
  nulls_.push_back(1);
  approx_bytes_ += 1;
  switch (kind()) {
    case PhysicalKind::kInt64: ints_.push_back(0); break;
    case PhysicalKind::kInt128: wides_.push_back(0); break;
    case PhysicalKind::kDouble: doubles_.push_back(0); break;
    case PhysicalKind::kBytes: strings_.emplace_back(); break;
  }
}

void ColumnVector::AppendInt(int64_t v) {
  STRATA_CHECK(kind() == PhysicalKind::kInt64, "AppendInt on a non-int64 column");
  nulls_.push_back(0);
  ints_.push_back(v);
  approx_bytes_ += 9;
}
void ColumnVector::AppendWide(int128 v) {
  STRATA_CHECK(kind() == PhysicalKind::kInt128, "AppendWide on a non-int128 column");
  nulls_.push_back(0);
  wides_.push_back(v);
  approx_bytes_ += 17;
}
void ColumnVector::AppendDouble(double v) {
  STRATA_CHECK(kind() == PhysicalKind::kDouble, "AppendDouble on a non-double column");
  nulls_.push_back(0);
  doubles_.push_back(v);
  approx_bytes_ += 9;
}
void ColumnVector::AppendString(std::string_view v) {
  STRATA_CHECK(kind() == PhysicalKind::kBytes, "AppendString on a non-bytes column");
  nulls_.push_back(0);
  approx_bytes_ += v.size() + 5;
  strings_.push_back(v);
}

void ColumnVector::AppendRange(const ColumnVector& o, size_t begin, size_t end) {
  STRATA_CHECK(o.type_ == type_, "AppendRange across types");
  STRATA_CHECK(begin <= end && end <= o.size(), "AppendRange out of range");
  nulls_.insert(nulls_.end(), o.nulls_.begin() + begin, o.nulls_.begin() + end);
  uint64_t rows = end - begin;
  switch (kind()) {
    case PhysicalKind::kInt64:
      ints_.insert(ints_.end(), o.ints_.begin() + begin, o.ints_.begin() + end);
      approx_bytes_ += rows * 9;
      break;
    case PhysicalKind::kInt128:
      wides_.insert(wides_.end(), o.wides_.begin() + begin, o.wides_.begin() + end);
      approx_bytes_ += rows * 17;
      break;
    case PhysicalKind::kDouble:
      doubles_.insert(doubles_.end(), o.doubles_.begin() + begin, o.doubles_.begin() + end);
      approx_bytes_ += rows * 9;
      break;
    case PhysicalKind::kBytes:
      for (size_t i = begin; i < end; ++i) approx_bytes_ += o.strings_[i].size() + 5;
      strings_.Append(o.strings_, begin, end);
      break;
  }
}

void ColumnVector::Gather(const ColumnVector& o, std::span<const uint32_t> rows) {
  STRATA_CHECK(o.type_ == type_, "Gather across types");
  Reserve(size() + rows.size());
  for (uint32_t r : rows) nulls_.push_back(o.nulls_[r]);
  switch (kind()) {
    case PhysicalKind::kInt64:
      for (uint32_t r : rows) ints_.push_back(o.ints_[r]);
      approx_bytes_ += rows.size() * 9;
      break;
    case PhysicalKind::kInt128:
      for (uint32_t r : rows) wides_.push_back(o.wides_[r]);
      approx_bytes_ += rows.size() * 17;
      break;
    case PhysicalKind::kDouble:
      for (uint32_t r : rows) doubles_.push_back(o.doubles_[r]);
      approx_bytes_ += rows.size() * 9;
      break;
    case PhysicalKind::kBytes:
      for (uint32_t r : rows) {
        approx_bytes_ += o.strings_[r].size() + 5;
        strings_.push_back(o.strings_[r]);
      }
      break;
  }
}

void ColumnVector::AppendMoved(ColumnVector& o) {
  STRATA_CHECK(o.type_ == type_, "AppendMoved across types");
  if (size() == 0 && nulls_.capacity() < o.size()) {  // take the buffers as they are
    ColumnType type = type_;
    *this = std::move(o);
    o = ColumnVector(type);
    return;
  }
  nulls_.insert(nulls_.end(), o.nulls_.begin(), o.nulls_.end());
  ints_.insert(ints_.end(), o.ints_.begin(), o.ints_.end());
  wides_.insert(wides_.end(), o.wides_.begin(), o.wides_.end());
  doubles_.insert(doubles_.end(), o.doubles_.begin(), o.doubles_.end());
  strings_.Append(o.strings_, 0, o.strings_.size());
  approx_bytes_ += o.approx_bytes_;
  o = ColumnVector(type_);
}

ColumnVector::ValueBuffers ColumnVector::DecodeBuffers() {
  return ValueBuffers{.ints = &ints_, .wides = &wides_, .doubles = &doubles_, .strings = &strings_};
}

namespace {

// Spreads the `values` last elements of `v` (a page's non-NULL values, which
// start at index base) over rows base .. base + flags.size() - 1, so that
// row base + i holds the next value where flags[i] == 0 and `zero` where it
// is 1. Works backwards in place: a value only ever moves to a higher index,
// into a slot whose value has moved already.
template <typename Vec, typename T>
void SpreadOverRows(Vec& v, size_t base, const uint8_t* flags, size_t rows, const T& zero) {
  size_t src = v.size();  // one past the next value to place
  v.resize(base + rows);
  for (size_t i = rows; i-- > 0;) {
    T& dst = v[base + i];
    if (flags[i]) {
      dst = zero;
      continue;
    }
    --src;
    if (src == base + i) break;  // every value below is in its row already
    dst = std::move(v[src]);
  }
}

}  // namespace

void ColumnVector::FinishDecodedPage(size_t rows, std::string_view null_bitmap) {
  const size_t base = nulls_.size();
  size_t values = rows;
  if (null_bitmap.empty()) {
    nulls_.resize(base + rows, 0);
  } else {
    STRATA_CHECK(null_bitmap.size() * 8 >= rows, "FinishDecodedPage: bitmap shorter than the rows");
    nulls_.resize(base + rows);
    uint8_t* flags = nulls_.data() + base;
    size_t null_count = 0;
    for (size_t i = 0; i < rows; ++i) {
      flags[i] = (static_cast<uint8_t>(null_bitmap[i / 8]) >> (i % 8)) & 1;
      null_count += flags[i];
    }
    values = rows - null_count;
  }
  const uint8_t* flags = nulls_.data() + base;
  auto place = [&](auto& v, const auto& zero) {
    STRATA_CHECK_EQ(v.size(), base + values);
    if (values != rows) SpreadOverRows(v, base, flags, rows, zero);
  };
  switch (kind()) {
    case PhysicalKind::kInt64: place(ints_, int64_t{0}); approx_bytes_ += rows * 9; break;
    case PhysicalKind::kInt128: place(wides_, int128{0}); approx_bytes_ += rows * 17; break;
    case PhysicalKind::kDouble: place(doubles_, 0.0); approx_bytes_ += rows * 9; break;
    case PhysicalKind::kBytes: {
      size_t bytes = 0;  // the values' sizes, before they are spread
      if (strings_.coded()) {  // read through the codes: the views are not built yet
        const std::string_view* entries = strings_.entries().data();
        const uint32_t* codes = strings_.codes();
        for (size_t i = base; i < base + values; ++i) bytes += entries[codes[i]].size();
      } else {
        for (size_t i = base; i < base + values; ++i) bytes += strings_[i].size();
      }
      // (Only a page with NULLs spreads its views: MutableViews drops the
      // codes a dictionary page left, StringColumn::coded.)
      STRATA_CHECK_EQ(strings_.size(), base + values);
      if (values != rows) place(strings_.MutableViews(), std::string_view());
      approx_bytes_ += rows * (strings_.coded() ? 9 : 5) + bytes;
      break;
    }
  }
}

void ColumnVector::AbandonDecodedPage() {
  const size_t rows = nulls_.size();
  switch (kind()) {
    case PhysicalKind::kInt64: ints_.resize(rows); break;
    case PhysicalKind::kInt128: wides_.resize(rows); break;
    case PhysicalKind::kDouble: doubles_.resize(rows); break;
    case PhysicalKind::kBytes: strings_.resize(rows); break;
  }
}

ColumnVector::Parts ColumnVector::Release() {
  Parts p{.nulls = std::move(nulls_), .ints = std::move(ints_), .wides = std::move(wides_),
          .doubles = std::move(doubles_), .strings = std::move(strings_)};
  *this = ColumnVector(type_);
  return p;
}

void ColumnVector::Reserve(size_t rows) {
  nulls_.reserve(rows);
  switch (kind()) {
    case PhysicalKind::kInt64: ints_.reserve(rows); break;
    case PhysicalKind::kInt128: wides_.reserve(rows); break;
    case PhysicalKind::kDouble: doubles_.reserve(rows); break;
    case PhysicalKind::kBytes: strings_.reserve(rows); break;
  }
}

Status ColumnVector::Validate() const {
  int64_t lo = 0, hi = 0;
  int128 wide_max = Pow10(type_.type == DataType::kDecimal ? type_.precision : 0) - 1;
  if (kind() == PhysicalKind::kInt64) Int64Range(type_, &lo, &hi);
  for (size_t i = 0; i < size(); ++i) {
    if (IsNull(i)) {
      if (!type_.nullable) return InvalidArgument("NULL in a NOT NULL column at row " + std::to_string(i));
      continue;
    }
    bool bad = false;
    if (kind() == PhysicalKind::kInt64) bad = ints_[i] < lo || ints_[i] > hi;
    if (kind() == PhysicalKind::kInt128 && type_.type == DataType::kDecimal) {
      bad = wides_[i] > wide_max || wides_[i] < -wide_max;
    }
    if (bad) {
      return InvalidArgument(std::string("value out of range for ") +
                             std::string(DataTypeName(type_.type)) + " at row " + std::to_string(i));
    }
  }
  return Status::OK();
}

static bool SameDouble(double a, double b, bool as_float) {
  if (as_float) {
    float fa = static_cast<float>(a), fb = static_cast<float>(b);
    return std::memcmp(&fa, &fb, sizeof fa) == 0 || (std::isnan(fa) && std::isnan(fb));
  }
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

bool ColumnVector::Equals(const ColumnVector& o) const {
  if (!(type_ == o.type_) || size() != o.size()) return false;
  for (size_t i = 0; i < size(); ++i) {
    if (IsNull(i) != o.IsNull(i)) return false;
    if (IsNull(i)) continue;
    bool same = true;
    switch (kind()) {
      case PhysicalKind::kInt64: same = ints_[i] == o.ints_[i]; break;
      case PhysicalKind::kInt128: same = wides_[i] == o.wides_[i]; break;
      case PhysicalKind::kDouble:
        same = SameDouble(doubles_[i], o.doubles_[i], type_.type == DataType::kFloat);
        break;
      case PhysicalKind::kBytes: same = strings_[i] == o.strings_[i]; break;
    }
    if (!same) return false;
  }
  return true;
}

}  // namespace strata::storage

// Rows to (partition, bucket) tablets (router.h).
#include "load/router.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <utility>

#include "common/check.h"
#include "common/crc32c.h"
#include "load/value_parse.h"

namespace strata::load {
namespace {

using storage::ColumnVector;
using storage::Datum;
using storage::PhysicalKind;

constexpr uint64_t kCanonicalNaNBits = 0x7ff8000000000000ull;

// NULL (monostate) sorts below every value.
int CompareValue(const Datum& a, const Datum& b) {
  if (a.index() == 0 || b.index() == 0) return (a.index() != 0) - (b.index() != 0);
  return storage::CompareDatum(a, b);
}

// Lexicographic; a shorter tuple equal on the common prefix is smaller (its
// missing values count as MINVALUE).
int CompareTuple(const std::vector<Datum>& a, const std::vector<Datum>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = CompareValue(a[i], b[i]); c != 0) return c;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// Appends `v`'s low `bytes` bytes, little-endian.
template <typename U>
uint32_t ExtendLittleEndian(uint32_t crc, U v, size_t bytes) {
  char buf[16];
  for (size_t i = 0; i < bytes; ++i) buf[i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
  return Crc32cExtend(crc, std::string_view(buf, bytes));
}

uint32_t ExtendValue(uint32_t crc, const ColumnVector& c, size_t row) {
  switch (c.kind()) {
    case PhysicalKind::kInt64: return ExtendLittleEndian(crc, static_cast<uint64_t>(c.GetInt(row)), 8);
    case PhysicalKind::kInt128:
      return ExtendLittleEndian(crc, static_cast<unsigned __int128>(c.GetWide(row)), 16);
    case PhysicalKind::kDouble: {
      double d = c.GetDouble(row);
      uint64_t bits = d == 0.0 ? 0 : std::bit_cast<uint64_t>(d);
      if (std::isnan(d)) bits = kCanonicalNaNBits;
      return ExtendLittleEndian(crc, bits, 8);
    }
    case PhysicalKind::kBytes: {
      const std::string_view s = c.GetString(row);
      crc = ExtendLittleEndian(crc, static_cast<uint32_t>(s.size()), 4);
      return Crc32cExtend(crc, s);
    }
  }
  return crc;
}

Datum DatumAt(const ColumnVector& c, size_t row) {
  if (c.IsNull(row)) return Datum();
  switch (c.kind()) {
    case PhysicalKind::kInt64: return c.GetInt(row);
    case PhysicalKind::kInt128: return c.GetWide(row);
    case PhysicalKind::kDouble: return c.GetDouble(row);
    case PhysicalKind::kBytes: return std::string(c.GetString(row));
  }
  return Datum();
}

Result<std::vector<size_t>> ColumnIndices(const std::vector<TableColumn>& schema,
                                          const std::vector<std::string>& names, std::string_view what) {
  std::vector<size_t> out;
  for (const std::string& n : names) {
    std::optional<size_t> i = FindColumn(schema, n);
    if (!i) return FailedPrecondition(std::string(what) + " column " + n + " is not a table column");
    out.push_back(*i);
  }
  return out;
}

}  // namespace

uint32_t BucketHash(std::span<const ColumnVector* const> columns, size_t row) {
  uint32_t crc = 0;
  for (const ColumnVector* c : columns) {
    if (c->IsNull(row)) {
      crc = Crc32cExtend(crc, std::string_view("\x00", 1));
      continue;
    }
    // The marker and a fixed-size value in one buffer (one CRC call; the CRC
    // of the concatenation is the same).
    char buf[17];
    buf[0] = 1;
    switch (c->kind()) {
      case PhysicalKind::kInt64: {
        auto v = static_cast<uint64_t>(c->GetInt(row));
        for (size_t i = 0; i < 8; ++i) buf[1 + i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
        crc = Crc32cExtend(crc, std::string_view(buf, 9));
        break;
      }
      default:
        crc = Crc32cExtend(crc, std::string_view(buf, 1));
        crc = ExtendValue(crc, *c, row);
        break;
    }
  }
  return Fmix32(crc);
}

Result<Router> Router::Make(const meta::Table& table, const std::vector<TableColumn>& schema,
                            const std::vector<meta::Partition>& partitions) {
  Router r;
  STRATA_ASSIGN_OR_RETURN(r.partition_columns_, ColumnIndices(schema, table.partition_columns, "partition"));
  STRATA_ASSIGN_OR_RETURN(r.distribution_columns_, ColumnIndices(schema, table.distribution_columns, "distribution"));
  if (r.distribution_columns_.empty() || r.distribution_columns_.size() > kDistributionColumnsMax ||
      table.bucket_count == 0) {
    return FailedPrecondition("table " + table.name + " needs 1 to " + std::to_string(kDistributionColumnsMax) +
                              " distribution columns and at least one bucket");
  }
  if (partitions.empty()) return FailedPrecondition("table " + table.name + " has no partitions");
  if (r.partition_columns_.empty() && partitions.size() != 1) {
    return FailedPrecondition("unpartitioned table " + table.name + " has " + std::to_string(partitions.size()) +
                              " partitions");
  }
  for (size_t p = 0; p < partitions.size(); ++p) {
    const meta::Partition& part = partitions[p];
    if (part.tablet_ids.size() != table.bucket_count) {
      return FailedPrecondition("partition " + part.name + " has " + std::to_string(part.tablet_ids.size()) +
                                " tablets for " + std::to_string(table.bucket_count) + " buckets");
    }
    Range range{.partition = p};
    for (auto [bound, out] : {std::pair{&part.lower, &range.lower}, std::pair{&part.upper, &range.upper}}) {
      if (bound->size() > r.partition_columns_.size()) {
        return FailedPrecondition("partition " + part.name + " has more bound values than partition columns");
      }
      for (size_t i = 0; i < bound->size(); ++i) {
        const TableColumn& c = schema[r.partition_columns_[i]];
        Result<Datum> v = ParseValue(c.type, (*bound)[i]);
        if (!v.ok()) return v.status().WithContext("partition " + part.name + " bound for column " + c.name);
        out->push_back(std::move(v).value());
      }
    }
    r.ranges_.push_back(std::move(range));
  }
  std::sort(r.ranges_.begin(), r.ranges_.end(),
            [](const Range& a, const Range& b) { return CompareTuple(a.lower, b.lower) < 0; });
  for (size_t i = 0; i + 1 < r.ranges_.size(); ++i) {
    const Range& a = r.ranges_[i];
    if (a.upper.empty() || CompareTuple(a.upper, r.ranges_[i + 1].lower) > 0) {
      return FailedPrecondition("partitions " + partitions[a.partition].name + " and " +
                                partitions[r.ranges_[i + 1].partition].name + " overlap");
    }
  }
  r.schema_ = schema;
  r.partitions_ = partitions;
  r.bucket_count_ = table.bucket_count;
  r.int_fast_ = r.partition_columns_.size() == 1 &&
                  storage::KindOf(schema[r.partition_columns_[0]].type.type) == PhysicalKind::kInt64;
  for (const Range& range : r.ranges_) {
    if (!r.int_fast_) break;
    IntRange ir{.has_lower = !range.lower.empty(), .has_upper = !range.upper.empty()};
    if (ir.has_lower) ir.lower = std::get<int64_t>(range.lower[0]);
    if (ir.has_upper) ir.upper = std::get<int64_t>(range.upper[0]);
    r.int_ranges_.push_back(ir);
  }
  return r;
}

std::vector<Datum> Router::KeyOf(const std::vector<ColumnVector>& columns, size_t row) const {
  std::vector<Datum> key;
  key.reserve(partition_columns_.size());
  for (size_t i : partition_columns_) key.push_back(DatumAt(columns[i], row));
  return key;
}

std::optional<size_t> Router::IntPartitionOf(int64_t v) const {
  // The last range whose lower bound is <= v (ranges are sorted by lower
  // bound; a missing lower bound is the smallest).
  auto it = std::upper_bound(int_ranges_.begin(), int_ranges_.end(), v,
                             [](int64_t x, const IntRange& r) { return r.has_lower && x < r.lower; });
  if (it == int_ranges_.begin()) return std::nullopt;
  const IntRange& r = *std::prev(it);
  if (r.has_upper && v >= r.upper) return std::nullopt;
  return ranges_[static_cast<size_t>(std::prev(it) - int_ranges_.begin())].partition;
}

std::optional<size_t> Router::PartitionOf(const std::vector<ColumnVector>& columns, size_t row) const {
  if (int_fast_) {
    const ColumnVector& c = columns[partition_columns_[0]];
    if (!c.IsNull(row)) return IntPartitionOf(c.GetInt(row));
  }
  std::vector<Datum> key = KeyOf(columns, row);
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), key,
                             [](const std::vector<Datum>& k, const Range& r) { return CompareTuple(k, r.lower) < 0; });
  if (it == ranges_.begin()) return std::nullopt;
  const Range& r = *std::prev(it);
  if (!r.upper.empty() && CompareTuple(key, r.upper) >= 0) return std::nullopt;
  return r.partition;
}

uint32_t Router::BucketOf(const std::vector<ColumnVector>& columns, size_t row) const {
  STRATA_CHECK_LE(distribution_columns_.size(), kDistributionColumnsMax);
  const ColumnVector* dist[kDistributionColumnsMax];
  for (size_t i = 0; i < distribution_columns_.size(); ++i) dist[i] = &columns[distribution_columns_[i]];
  return BucketHash(std::span(dist, distribution_columns_.size()), row) % bucket_count_;
}

std::string Router::DescribeKey(const std::vector<Datum>& key) const {
  std::string out = "(";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out += ", ";
    std::string v = FormatDatum(schema_[partition_columns_[i]].type, key[i]);
    out += v.size() > kMessageValueMaxBytes ? v.substr(0, kMessageValueMaxBytes) + "..." : v;
  }
  return out + ")";
}

RoutedBatch Router::Route(const std::vector<ColumnVector>& columns, std::span<const uint64_t> line_numbers,
                          size_t error_messages_max) const {
  STRATA_CHECK_EQ(columns.size(), schema_.size());
  const size_t rows = columns.empty() ? 0 : columns[0].size();
  for (const ColumnVector& c : columns) STRATA_CHECK_EQ(c.size(), rows);
  STRATA_CHECK(line_numbers.empty() || line_numbers.size() == rows, "one line number per row");
  STRATA_CHECK_LE(rows, size_t{UINT32_MAX});
  RoutedBatch out;
  // Group rows by (partition, bucket) in a flat table: no per-row map lookups.
  const size_t groups_count = partitions_.size() * bucket_count_;
  std::vector<std::vector<uint32_t>> groups(groups_count);
  const bool one_partition = partitions_.size() == 1 && partition_columns_.empty();
  for (size_t row = 0; row < rows; ++row) {
    std::optional<size_t> p = one_partition ? std::optional<size_t>(0) : PartitionOf(columns, row);
    if (!p) {
      ++out.rows_filtered;
      if (out.errors.size() < error_messages_max) {
        std::string where = line_numbers.empty() ? "row " + std::to_string(row + 1)
                                                 : "line " + std::to_string(line_numbers[row]);
        out.errors.push_back(where + ": no partition for value " + DescribeKey(KeyOf(columns, row)));
      }
      continue;
    }
    groups[*p * bucket_count_ + BucketOf(columns, row)].push_back(static_cast<uint32_t>(row));
  }
  for (size_t g = 0; g < groups_count; ++g) {
    if (groups[g].empty()) continue;
    const size_t p = g / bucket_count_;
    const auto b = static_cast<uint32_t>(g % bucket_count_);
    TabletRows t{.partition_id = partitions_[p].id, .bucket_index = b, .tablet_id = partitions_[p].tablet_ids[b]};
    for (const ColumnVector& c : columns) t.columns.emplace_back(c.type()).Gather(c, groups[g]);
    t.rows = std::move(groups[g]);
    out.tablets.push_back(std::move(t));
  }
  return out;
}

}  // namespace strata::load

// Internal to src/meta/catalog: validation rules for table definitions and
// range partitions (column types, key layout, bounds, overlaps).
//
// Bounds compare by the partition column's type: integer types numerically,
// everything else (DATE, DATETIME, strings) byte-wise, which orders ISO dates
// correctly; DATE and DATETIME values must be in ISO form.
//
// Thread-safety: stateless functions.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/catalog/model.h"

namespace strata::meta::internal {

// InvalidArgument naming the problem: columns, keys, partition and
// distribution columns, bucket count.
Status ValidateTableShape(const Table& t);

// InvalidArgument unless `p` has one value per partition column (or none, for
// an unbounded side), well-formed values, and lower < upper.
Status ValidatePartitionBounds(const Table& t, const PartitionDef& p);

// True when the ranges [a.lower, a.upper) and [b.lower, b.upper) intersect.
bool RangesOverlap(const Table& t, const std::vector<std::string>& a_lower, const std::vector<std::string>& a_upper,
                   const std::vector<std::string>& b_lower, const std::vector<std::string>& b_upper);

// Orders lower bounds (an empty one is MINVALUE): -1, 0 or 1.
int CompareLower(const Table& t, const std::vector<std::string>& a, const std::vector<std::string>& b);

// "[('a'), MAXVALUE)" for messages.
std::string FormatRange(const std::vector<std::string>& lower, const std::vector<std::string>& upper);

}  // namespace strata::meta::internal

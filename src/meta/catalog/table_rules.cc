// Table definition and range partition rules (table_rules.h).
#include "meta/catalog/table_rules.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "meta/catalog/internal.h"

namespace strata::meta::internal {
namespace {

enum class ValueKind { kInteger, kDate, kDateTime, kString, kOther };

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string BaseType(std::string_view type) { return Upper(type.substr(0, type.find('('))); }

ValueKind KindOf(std::string_view type) {
  static const std::set<std::string> kIntegers = {"TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "LARGEINT"};
  static const std::set<std::string> kStrings = {"CHAR", "VARCHAR", "STRING"};
  std::string base = BaseType(type);
  if (kIntegers.contains(base)) return ValueKind::kInteger;
  if (base == "DATE") return ValueKind::kDate;
  if (base == "DATETIME") return ValueKind::kDateTime;
  if (kStrings.contains(base)) return ValueKind::kString;
  return ValueKind::kOther;
}

Status ValidateType(const ColumnDef& c) {
  static const std::set<std::string> kTypes = {
      "BOOLEAN",   "TINYINT",   "SMALLINT",   "INT",  "INTEGER",  "BIGINT", "LARGEINT", "FLOAT",
      "DOUBLE",    "DECIMAL",   "DECIMALV2",  "DECIMAL32", "DECIMAL64", "DECIMAL128", "DATE", "DATETIME",
      "CHAR",      "VARCHAR",   "STRING",     "JSON", "BINARY",   "VARBINARY"};
  const std::string& t = c.type;
  bool parens_ok = t.find('(') == std::string::npos || (t.back() == ')' && t.find('(') > 0);
  if (!parens_ok || !kTypes.contains(BaseType(t))) {
    return InvalidArgument("column " + c.name + " has unknown type '" + t + "'");
  }
  return Status::OK();
}

const ColumnDef* FindColumn(const Table& t, std::string_view name) {
  for (const auto& c : t.columns) {
    if (Upper(c.name) == Upper(name)) return &c;
  }
  return nullptr;
}

Status ValidateColumns(const Table& t) {
  if (t.columns.empty()) return InvalidArgument("table " + t.name + " has no columns");
  if (t.columns.size() > kMaxColumns) return InvalidArgument("table " + t.name + " has too many columns");
  std::set<std::string> seen;
  bool keys_done = false;
  for (const auto& c : t.columns) {
    STRATA_RETURN_IF_ERROR(CheckName("column", c.name));
    if (!seen.insert(Upper(c.name)).second) return InvalidArgument("duplicate column " + c.name);
    STRATA_RETURN_IF_ERROR(ValidateType(c));
    if (c.comment.size() > kMaxCommentBytes) {
      return InvalidArgument("column " + c.name + " comment is longer than " + std::to_string(kMaxCommentBytes) +
                             " bytes");
    }
    if (c.is_key && keys_done) return InvalidArgument("key column " + c.name + " must precede the value columns");
    if (!c.is_key) keys_done = true;
    if (c.is_key && t.key_type == KeyType::kPrimary && c.nullable) {
      return InvalidArgument("primary key column " + c.name + " must be NOT NULL");
    }
  }
  if (!t.columns.front().is_key) return InvalidArgument("table " + t.name + " has no key column");
  return Status::OK();
}

Status ValidateColumnList(const Table& t, const std::vector<std::string>& names, std::string_view what) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    const ColumnDef* c = FindColumn(t, n);
    if (c == nullptr) return InvalidArgument(std::string(what) + " column " + n + " is not a column of " + t.name);
    if (!seen.insert(Upper(n)).second) return InvalidArgument(std::string(what) + " column " + n + " is repeated");
    if (t.key_type == KeyType::kPrimary && !c->is_key) {
      return InvalidArgument(std::string(what) + " column " + n + " must be a primary key column");
    }
  }
  return Status::OK();
}

bool IsInteger(std::string_view v) {
  if (!v.empty() && v.front() == '-') v.remove_prefix(1);
  return !v.empty() && v.size() <= 40 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits where `pattern` has 'd', the same character elsewhere.
bool Matches(std::string_view v, std::string_view pattern) {
  if (v.size() != pattern.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    bool ok = pattern[i] == 'd' ? (v[i] >= '0' && v[i] <= '9') : v[i] == pattern[i];
    if (!ok) return false;
  }
  return true;
}

Status ValidateValue(ValueKind kind, const std::string& column, const std::string& v) {
  bool ok = true;
  if (kind == ValueKind::kInteger) ok = IsInteger(v);
  if (kind == ValueKind::kDate) ok = Matches(v, "dddd-dd-dd");
  if (kind == ValueKind::kDateTime) ok = Matches(v, "dddd-dd-dd dd:dd:dd") || Matches(v, "dddd-dd-dd");
  if (!ok) return InvalidArgument("partition value '" + v + "' is not valid for column " + column);
  return Status::OK();
}

int CompareInteger(std::string_view a, std::string_view b) {
  bool an = !a.empty() && a.front() == '-';
  bool bn = !b.empty() && b.front() == '-';
  if (an) a.remove_prefix(1);
  if (bn) b.remove_prefix(1);
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a == "0") an = false;
  if (b == "0") bn = false;
  if (an != bn) return an ? -1 : 1;
  int mag = a.size() != b.size() ? (a.size() < b.size() ? -1 : 1) : a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  return an ? -mag : mag;
}

// Compares two bounds; an empty vector is -infinity (inf = -1) or +infinity (+1).
int CompareBounds(const Table& t, const std::vector<std::string>& a, int a_inf, const std::vector<std::string>& b,
                  int b_inf) {
  if (a.empty() || b.empty()) {
    int x = a.empty() ? a_inf : 0;
    int y = b.empty() ? b_inf : 0;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  for (size_t i = 0; i < a.size() && i < b.size() && i < t.partition_columns.size(); ++i) {
    const ColumnDef* c = FindColumn(t, t.partition_columns[i]);
    bool integer = c != nullptr && KindOf(c->type) == ValueKind::kInteger;
    int r = integer ? CompareInteger(a[i], b[i]) : a[i].compare(b[i]);
    if (r != 0) return r < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace

Status ValidateTableShape(const Table& t) {
  if (static_cast<size_t>(t.key_type) >= kKeyTypeNames.size()) return InvalidArgument("unknown key type");
  STRATA_RETURN_IF_ERROR(ValidateColumns(t));
  STRATA_RETURN_IF_ERROR(ValidateColumnList(t, t.partition_columns, "partition"));
  for (const auto& n : t.partition_columns) {
    if (KindOf(FindColumn(t, n)->type) == ValueKind::kOther) {
      return InvalidArgument("partition column " + n + " must be an integer, date, datetime or string column");
    }
  }
  if (t.distribution_columns.empty()) return InvalidArgument("table " + t.name + " has no distribution columns");
  STRATA_RETURN_IF_ERROR(ValidateColumnList(t, t.distribution_columns, "distribution"));
  if (t.bucket_count == 0 || t.bucket_count > kMaxBuckets) {
    return InvalidArgument("bucket count " + std::to_string(t.bucket_count) + " is not in [1, " +
                           std::to_string(kMaxBuckets) + "]");
  }
  return Status::OK();
}

Status ValidatePartitionBounds(const Table& t, const PartitionDef& p) {
  STRATA_RETURN_IF_ERROR(CheckName("partition", p.name));
  size_t n = t.partition_columns.size();
  for (const auto* side : {&p.lower, &p.upper}) {
    if (!side->empty() && side->size() != n) {
      return InvalidArgument("partition " + p.name + " bound has " + std::to_string(side->size()) +
                             " values for " + std::to_string(n) + " partition columns");
    }
    for (size_t i = 0; i < side->size(); ++i) {
      const ColumnDef* c = FindColumn(t, t.partition_columns[i]);
      STRATA_RETURN_IF_ERROR(ValidateValue(KindOf(c->type), c->name, (*side)[i]));
    }
  }
  if (CompareBounds(t, p.lower, -1, p.upper, 1) >= 0) {
    return InvalidArgument("partition " + p.name + " range " + FormatRange(p.lower, p.upper) + " is empty");
  }
  return Status::OK();
}

bool RangesOverlap(const Table& t, const std::vector<std::string>& a_lower, const std::vector<std::string>& a_upper,
                   const std::vector<std::string>& b_lower, const std::vector<std::string>& b_upper) {
  return CompareBounds(t, a_lower, -1, b_upper, 1) < 0 && CompareBounds(t, b_lower, -1, a_upper, 1) < 0;
}

int CompareLower(const Table& t, const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return CompareBounds(t, a, -1, b, -1);
}

std::string FormatRange(const std::vector<std::string>& lower, const std::vector<std::string>& upper) {
  auto join = [](const std::vector<std::string>& v, const char* inf) {
    if (v.empty()) return std::string(inf);
    std::string out = "(";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", '" : "'") + v[i] + "'";
    return out + ")";
  };
  return "[" + join(lower, "MINVALUE") + ", " + join(upper, "MAXVALUE") + ")";
}

}  // namespace strata::meta::internal

// SQL type strings to storage column types (schema.h).
#include "load/schema.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace strata::load {
namespace {

using storage::DataType;

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "NAME(a,b)" into "NAME" and {a, b}. False when malformed.
bool SplitType(std::string_view type, std::string* base, std::vector<uint32_t>* args) {
  type = TrimSpaces(type);
  size_t open = type.find('(');
  *base = Upper(TrimSpaces(type.substr(0, open)));
  if (base->empty()) return false;
  if (open == std::string_view::npos) return true;
  if (type.back() != ')') return false;
  std::string_view inner = type.substr(open + 1, type.size() - open - 2);
  constexpr size_t kArgsMax = 2;
  while (true) {
    size_t comma = inner.find(',');
    std::string_view arg = TrimSpaces(inner.substr(0, comma));
    uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), v);
    if (arg.empty() || ec != std::errc() || ptr != arg.data() + arg.size()) return false;
    args->push_back(v);
    if (args->size() > kArgsMax) return false;
    if (comma == std::string_view::npos) return true;
    inner.remove_prefix(comma + 1);
  }
}

struct Simple {
  std::string_view name;
  DataType type;
};
constexpr Simple kSimpleTypes[] = {
    {"TINYINT", DataType::kTinyInt}, {"SMALLINT", DataType::kSmallInt}, {"INT", DataType::kInt},
    {"INTEGER", DataType::kInt},     {"BIGINT", DataType::kBigInt},     {"LARGEINT", DataType::kLargeInt},
    {"FLOAT", DataType::kFloat},     {"DOUBLE", DataType::kDouble},     {"BOOLEAN", DataType::kBoolean},
    {"BOOL", DataType::kBoolean},    {"DATE", DataType::kDate},         {"DATETIME", DataType::kDateTime},
};
constexpr std::string_view kDecimalNames[] = {"DECIMAL",   "DECIMALV2", "DECIMALV3",
                                              "DECIMAL32", "DECIMAL64", "DECIMAL128"};

Result<TableColumnType> DecimalType(const std::string& base, const std::vector<uint32_t>& args) {
  uint32_t max = base == "DECIMAL32" ? 9 : base == "DECIMAL64" ? 18 : base == "DECIMALV2" ? 27 : kDecimalPrecisionMax;
  uint32_t p = args.empty() ? 10 : args[0];
  uint32_t s = args.size() < 2 ? 0 : args[1];
  if (p < 1 || p > max || s > p) {
    return InvalidArgument(base + "(p,s) needs 1 <= p <= " + std::to_string(max) + " and s <= p");
  }
  TableColumnType t;
  t.type.type = DataType::kDecimal;
  t.type.precision = p;
  t.type.scale = s;
  return t;
}

Result<TableColumnType> StringType(const std::string& base, const std::vector<uint32_t>& args) {
  TableColumnType t;
  if (base == "STRING") {
    if (!args.empty()) return InvalidArgument("STRING takes no length");
    t.type.type = DataType::kString;
    t.max_length_bytes = kStringLengthMaxBytes;
    return t;
  }
  bool is_char = base == "CHAR";
  uint32_t max = is_char ? kCharLengthMaxBytes : kVarcharLengthMaxBytes;
  if (args.size() > 1) return InvalidArgument(base + " takes one length");
  uint32_t n = args.empty() ? 1 : args[0];
  if (n < 1 || n > max) return InvalidArgument(base + "(n) needs 1 <= n <= " + std::to_string(max));
  t.type.type = is_char ? DataType::kChar : DataType::kVarchar;
  t.max_length_bytes = n;
  return t;
}

Result<TableColumnType> TypeFromString(std::string_view sql) {
  std::string base;
  std::vector<uint32_t> args;
  if (!SplitType(sql, &base, &args)) return InvalidArgument("malformed type");
  for (const Simple& s : kSimpleTypes) {
    if (base != s.name) continue;
    // INT(11): a display width only, as MySQL and StarRocks accept.
    bool width_ok = args.empty() || (args.size() == 1 && s.type != DataType::kDate && s.type != DataType::kDateTime);
    if (!width_ok) return InvalidArgument(base + " takes no arguments");
    TableColumnType t;
    t.type.type = s.type;
    return t;
  }
  for (std::string_view d : kDecimalNames) {
    if (base == d) return DecimalType(base, args);
  }
  if (base == "CHAR" || base == "VARCHAR" || base == "STRING") return StringType(base, args);
  if (base == "JSON" || base == "BINARY" || base == "VARBINARY") {
    return Unimplemented("type " + base + " cannot be loaded yet");
  }
  return InvalidArgument("unknown type");
}

}  // namespace

Result<TableColumnType> ColumnTypeFromSql(const meta::ColumnDef& column) {
  Result<TableColumnType> t = TypeFromString(column.type);
  if (!t.ok()) return t.status().WithContext("column " + column.name + " type '" + column.type + "'");
  t->type.nullable = column.nullable;
  return t;
}

Result<std::vector<TableColumn>> TableSchema(const meta::Table& table) {
  std::vector<TableColumn> out;
  out.reserve(table.columns.size());
  for (const meta::ColumnDef& c : table.columns) {
    Result<TableColumnType> t = ColumnTypeFromSql(c);
    if (!t.ok()) return t.status().WithContext("table " + table.name);
    out.push_back(TableColumn{c.name, *t, c.default_value, c.is_key});
  }
  return out;
}

std::vector<storage::ColumnSchema> StorageSchema(const std::vector<TableColumn>& schema) {
  std::vector<storage::ColumnSchema> out;
  out.reserve(schema.size());
  for (const TableColumn& c : schema) out.push_back(storage::ColumnSchema{c.name, c.type.type});
  return out;
}

std::optional<size_t> FindColumn(const std::vector<TableColumn>& schema, std::string_view name) {
  std::string upper = Upper(name);
  for (size_t i = 0; i < schema.size(); ++i) {
    if (Upper(schema[i].name) == upper) return i;
  }
  return std::nullopt;
}

std::string TypeName(const TableColumnType& t) {
  std::string name(storage::DataTypeName(t.type.type));
  if (t.type.type == DataType::kDecimal) {
    name += "(" + std::to_string(t.type.precision) + "," + std::to_string(t.type.scale) + ")";
  } else if (t.type.type == DataType::kChar || t.type.type == DataType::kVarchar) {
    name += "(" + std::to_string(t.max_length_bytes) + ")";
  }
  return name;
}

}  // namespace strata::load

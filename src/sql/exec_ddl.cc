// Executing CREATE/DROP DATABASE, CREATE/DROP/TRUNCATE TABLE and ALTER TABLE
// ADD/DROP PARTITION: privilege check, statement -> one catalog change,
// catalog rejection -> MySQL error.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"

namespace strata::sql {
namespace {

constexpr uint32_t kMaxDefaultBuckets = 64;
constexpr size_t kMaxDefaultKeyColumns = 3;

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

bool IsIntegerType(const std::string& type) {
  static const std::set<std::string> kInts = {"TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT"};
  return kInts.contains(type);
}

// Columns that may lead a default sort key (StarRocks stops at the first other one).
bool KeyableType(const std::string& type) {
  return !StartsWith(type, "FLOAT") && !StartsWith(type, "DOUBLE") && !StartsWith(type, "STRING") &&
         !StartsWith(type, "JSON") && !StartsWith(type, "VARCHAR") && !StartsWith(type, "VARBINARY");
}

const ColumnSpec* FindColumn(const CreateTableStmt& s, const std::string& name) {
  for (const auto& c : s.columns) {
    if (LowerAscii(c.name) == LowerAscii(name)) return &c;
  }
  return nullptr;
}

std::string Trim(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return std::string(v);
}

bool AllDigits(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Compares two non-negative decimal integers without leading zeros.
int CompareMagnitude(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

// An integer literal of the type's range: [-]digits.
bool ValidInteger(const std::string& base, std::string v) {
  static const std::map<std::string, std::pair<std::string, std::string>> kRanges = {
      {"TINYINT", {"128", "127"}},
      {"SMALLINT", {"32768", "32767"}},
      {"INT", {"2147483648", "2147483647"}},
      {"BIGINT", {"9223372036854775808", "9223372036854775807"}},
      {"LARGEINT", {"170141183460469231731687303715884105728", "170141183460469231731687303715884105727"}}};
  bool negative = !v.empty() && v.front() == '-';
  if (!v.empty() && (v.front() == '-' || v.front() == '+')) v.erase(0, 1);
  if (!AllDigits(v)) return false;
  size_t nz = v.find_first_not_of('0');
  v = nz == std::string::npos ? "0" : v.substr(nz);
  const auto& [min_magnitude, max] = kRanges.at(base);
  return CompareMagnitude(v, negative ? min_magnitude : max) <= 0;
}

// [+-]digits[.digits] with at most precision - scale integer digits.
bool ValidDecimal(std::string v, uint64_t precision, uint64_t scale) {
  if (!v.empty() && (v.front() == '-' || v.front() == '+')) v.erase(0, 1);
  size_t dot = v.find('.');
  std::string int_part = v.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : v.substr(dot + 1);
  if (int_part.empty() && frac.empty()) return false;
  if ((!int_part.empty() && !AllDigits(int_part)) || (!frac.empty() && !AllDigits(frac))) return false;
  size_t nz = int_part.find_first_not_of('0');
  size_t int_digits = nz == std::string::npos ? 0 : int_part.size() - nz;
  return int_digits <= precision - scale;
}

bool ValidFloat(const std::string& v) {
  if (v.empty()) return false;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  return end == v.c_str() + v.size() && std::isfinite(d) && v.find_first_of("xXnN") == std::string::npos;
}

// YYYY-MM-DD, a real calendar day (no zero dates).
bool ValidDate(std::string_view v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  if (!AllDigits(v.substr(0, 4)) || !AllDigits(v.substr(5, 2)) || !AllDigits(v.substr(8, 2))) return false;
  int y = std::stoi(std::string(v.substr(0, 4)));
  int m = std::stoi(std::string(v.substr(5, 2)));
  int d = std::stoi(std::string(v.substr(8, 2)));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// YYYY-MM-DD[ HH:MM:SS[.ffffff]]
bool ValidDateTime(std::string_view v) {
  if (v.size() == 10) return ValidDate(v);
  if (v.size() < 19 || v[10] != ' ' || !ValidDate(v.substr(0, 10))) return false;
  std::string_view t = v.substr(11, 8);
  if (t[2] != ':' || t[5] != ':' || !AllDigits(t.substr(0, 2)) || !AllDigits(t.substr(3, 2)) ||
      !AllDigits(t.substr(6, 2))) {
    return false;
  }
  if (std::stoi(std::string(t.substr(0, 2))) > 23 || std::stoi(std::string(t.substr(3, 2))) > 59 ||
      std::stoi(std::string(t.substr(6, 2))) > 59) {
    return false;
  }
  if (v.size() == 19) return true;
  std::string_view frac = v.substr(19);
  return frac.size() >= 2 && frac.size() <= 7 && frac[0] == '.' && AllDigits(frac.substr(1));
}

size_t Utf8Length(std::string_view v) {
  return static_cast<size_t>(std::count_if(v.begin(), v.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// ER_INVALID_DEFAULT unless the column's DEFAULT is a value of its type.
void CheckDefault(const ColumnSpec& c) {
  auto bad = [&] { Fail(ER_INVALID_DEFAULT, "Invalid default value for '" + c.name + "'"); };
  if (c.default_null && c.nullable == false) bad();
  if (!c.default_value) return;
  std::string base = c.type.substr(0, c.type.find('('));
  std::vector<uint64_t> args;
  if (size_t open = c.type.find('('); open != std::string::npos) {
    std::string inner = c.type.substr(open + 1, c.type.size() - open - 2);
    size_t comma = inner.find(',');
    args.push_back(std::stoull(inner.substr(0, comma)));
    if (comma != std::string::npos) args.push_back(std::stoull(inner.substr(comma + 1)));
  }
  if (c.default_current_timestamp) {
    if (base != "DATETIME") bad();
    return;
  }
  const std::string& raw = *c.default_value;
  std::string v = Trim(raw);
  bool ok = true;
  if (base == "TINYINT" || base == "SMALLINT" || base == "INT" || base == "BIGINT" || base == "LARGEINT") {
    ok = ValidInteger(base, v);
  } else if (base == "BOOLEAN") {
    std::string l = LowerAscii(v);
    ok = l == "0" || l == "1" || l == "true" || l == "false";
  } else if (base == "FLOAT" || base == "DOUBLE") {
    ok = ValidFloat(v);
  } else if (base.rfind("DECIMAL", 0) == 0) {
    ok = args.size() == 2 && ValidDecimal(v, args[0], args[1]);
  } else if (base == "DATE") {
    ok = ValidDate(v);
  } else if (base == "DATETIME") {
    ok = ValidDateTime(v);
  } else if (base == "CHAR" || base == "VARCHAR") {
    ok = args.empty() || Utf8Length(raw) <= args[0];
  } else if (base == "BINARY" || base == "VARBINARY") {
    ok = args.empty() || raw.size() <= args[0];
  }
  if (!ok) bad();
}

constexpr size_t kMaxColumnCommentChars = 1024;

void CheckColumns(const CreateTableStmt& s) {
  std::set<std::string> seen;
  for (const auto& c : s.columns) {
    if (!seen.insert(LowerAscii(c.name)).second) Fail(ER_DUP_FIELDNAME, "Duplicate column name '" + c.name + "'");
    CheckDefault(c);
    if (Utf8Length(c.comment) > kMaxColumnCommentChars) {
      Fail(ER_TOO_LONG_FIELD_COMMENT,
           "Comment for field '" + c.name + "' is too long (max = " + std::to_string(kMaxColumnCommentChars) + ")");
    }
  }
  for (const auto* list : {&s.key_columns, &s.partition_columns, &s.distribution_columns}) {
    for (const auto& k : *list) {
      if (FindColumn(s, k) == nullptr) {
        Fail(ER_KEY_COLUMN_DOES_NOT_EXITS, "Key column '" + k + "' doesn't exist in table");
      }
    }
  }
}

// The key columns: as declared (an ordered prefix of the columns) or StarRocks' default.
std::vector<std::string> KeyColumns(const CreateTableStmt& s) {
  if (!s.key_columns.empty()) {
    for (size_t i = 0; i < s.key_columns.size(); ++i) {
      if (i >= s.columns.size() || LowerAscii(s.columns[i].name) != LowerAscii(s.key_columns[i])) {
        Fail(ER_UNKNOWN_ERROR, "Key columns should be a ordered prefix of the schema");
      }
    }
    return s.key_columns;
  }
  std::vector<std::string> out;
  for (const auto& c : s.columns) {
    if (out.size() >= kMaxDefaultKeyColumns || !KeyableType(c.type)) break;
    out.push_back(c.name);
  }
  if (out.empty()) out.push_back(s.columns.front().name);
  return out;
}

// Integers compare numerically, everything else byte-wise (ISO dates order).
bool BoundLess(const std::vector<std::string>& a, const std::vector<std::string>& b, bool integer) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (integer && i == 0) {
      try {
        return std::stoll(a[i]) < std::stoll(b[i]);
      } catch (const std::exception&) {
        return a[i] < b[i];
      }
    }
    return a[i] < b[i];
  }
  return false;
}

std::vector<meta::PartitionDef> PartitionDefs(const CreateTableStmt& s) {
  std::set<std::string> names;
  for (const auto& p : s.partitions) {
    if (!names.insert(p.name).second) Fail(ER_SAME_NAME_PARTITION, "Duplicate partition name " + p.name);
  }
  std::vector<meta::PartitionDef> out;
  std::vector<std::string> previous_upper;  // MINVALUE at first
  for (const auto& p : s.partitions) {
    meta::PartitionDef d{.name = p.name, .upper = p.upper};
    d.lower = p.less_than ? previous_upper : p.lower;
    previous_upper = p.upper;
    out.push_back(std::move(d));
  }
  return out;
}

// The table properties StarRocks (shared-data) knows; anything else is
// refused as StarRocks does ("Unknown properties: {k=v}").
void CheckProperties(const std::vector<std::pair<std::string, std::string>>& properties) {
  static const std::set<std::string> kKnown = {
      "replication_num", "storage_volume", "datacache.enable", "datacache.partition_duration",
      "enable_async_write_back", "bloom_filter_columns", "compression", "partition_live_number",
      "storage_medium", "storage_cooldown_time", "storage_cooldown_ttl", "in_memory", "enable_persistent_index",
      "persistent_index_type", "primary_index_cache_expire_sec", "fast_schema_evolution", "colocate_with",
      "replicated_storage", "write_quorum", "partition_ttl", "partition_ttl_number", "labels.location",
      "bucket_size", "mutable_bucket_num", "enable_load_profile", "base_compaction_forbidden_time_ranges",
      "file_bundling", "compaction_strategy", "time_drift_constraint", "storage_format", "unique_constraints",
      "foreign_key_constraints", "flat_json.enable", "flat_json.null.factor", "flat_json.sparsity.factor",
      "flat_json.column.max", "binlog_enable", "binlog_ttl_second", "binlog_max_size",
      "dynamic_partition.enable", "dynamic_partition.time_unit", "dynamic_partition.time_zone",
      "dynamic_partition.start", "dynamic_partition.end", "dynamic_partition.prefix", "dynamic_partition.buckets",
      "dynamic_partition.history_partition_num", "dynamic_partition.start_day_of_week",
      "dynamic_partition.start_day_of_month", "dynamic_partition.replication_num"};
  std::string unknown;
  for (const auto& [k, v] : properties) {
    if (!kKnown.contains(LowerAscii(k))) unknown += (unknown.empty() ? "" : ", ") + k + "=" + v;
  }
  if (!unknown.empty()) Fail(ER_UNKNOWN_ERROR, "Unknown properties: {" + unknown + "}");
}

meta::CreateTable BuildCreateTable(const CreateTableStmt& s, const std::string& db, size_t compute_nodes) {
  CheckColumns(s);
  meta::CreateTable c{.db = db, .name = s.name.table, .if_not_exists = s.if_not_exists};
  c.key_type = s.primary_key ? meta::KeyType::kPrimary : meta::KeyType::kDuplicate;
  std::vector<std::string> keys = KeyColumns(s);
  for (size_t i = 0; i < s.columns.size(); ++i) {
    const ColumnSpec& col = s.columns[i];
    bool is_key = i < keys.size();
    meta::ColumnDef d{.name = col.name, .type = col.type, .is_key = is_key};
    d.nullable = col.nullable.value_or(!(is_key && s.primary_key));
    if (col.default_value) d.default_value = col.default_value;
    d.comment = col.comment;
    c.columns.push_back(std::move(d));
  }
  c.partition_columns = s.partition_columns;
  c.distribution_columns = s.distribution_columns;
  if (c.distribution_columns.empty()) c.distribution_columns = {keys.front()};
  c.bucket_count = s.buckets != 0 ? s.buckets
                                  : static_cast<uint32_t>(std::clamp<size_t>(compute_nodes, 1, kMaxDefaultBuckets));
  CheckProperties(s.properties);
  for (const auto& [k, v] : s.properties) {
    if (k == "storage_volume") {
      c.storage_volume = v;
    } else {
      c.properties[k] = v;
    }
  }
  if (!s.comment.empty()) c.properties["comment"] = s.comment;
  c.partitions = PartitionDefs(s);
  return c;
}

}  // namespace

ExecResult SessionImpl::Run(const CreateDatabaseStmt& s) {
  meta::CatalogState st = engine_->State();
  if (!Checker(st).Has("CREATE_DATABASE", meta::ObjectType::kSystem, "")) {  // MySQL answers 1044 here
    Fail(ER_DBACCESS_DENIED_ERROR, "Access denied for user " + AccountText() + " to database '" + s.name + "'");
  }
  if (s.name == kInfoSchema || st.database_ids.contains(s.name)) {
    if (!s.if_not_exists) Fail(ER_DB_CREATE_EXISTS, "Can't create database '" + s.name + "'; database exists");
    AddNote(ER_DB_CREATE_EXISTS, "Can't create database '" + s.name + "'; database exists");
    if (s.name == kInfoSchema) return Ok();
  }
  Submit(meta::CreateDatabase{.name = s.name, .if_not_exists = s.if_not_exists}, [&](const Status& e) {
    if (e.code() == StatusCode::kAlreadyExists) {
      Fail(ER_DB_CREATE_EXISTS, "Can't create database '" + s.name + "'; database exists");
    }
  });
  return Ok(1);
}

ExecResult SessionImpl::Run(const DropDatabaseStmt& s) {
  meta::CatalogState st = engine_->State();
  if (s.name == kInfoSchema) {
    Fail(ER_DBACCESS_DENIED_ERROR, "Access denied for user " + AccountText() + " to database '" + s.name + "'");
  }
  Checker(st).RequireDatabase("DROP", s.name);
  auto missing = [&] { Fail(ER_DB_DROP_EXISTS, "Can't drop database '" + s.name + "'; database doesn't exist"); };
  if (!st.database_ids.contains(s.name)) {
    if (!s.if_exists) missing();
    AddNote(ER_DB_DROP_EXISTS, "Can't drop database '" + s.name + "'; database doesn't exist");
    return Ok();
  }
  Submit(meta::DropDatabase{.name = s.name, .if_exists = s.if_exists}, [&](const Status& e) {
    if (e.code() == StatusCode::kNotFound) missing();
  });
  if (database_ == s.name) database_.clear();
  return Ok();
}

ExecResult SessionImpl::Run(const CreateTableStmt& s) {
  std::string db = ResolveDb(s.name.db);
  meta::CatalogState st = engine_->State();
  if (db == kInfoSchema) {
    Fail(ER_DBACCESS_DENIED_ERROR, "Access denied for user " + AccountText() + " to database '" + db + "'");
  }
  PrivilegeChecker checker = Checker(st);
  checker.RequireTable("CREATE_TABLE", "CREATE", db, s.name.table);
  for (const auto& [k, v] : s.properties) {
    if (k == "storage_volume") checker.RequireVolume("USAGE", v);
  }
  if (!st.database_ids.contains(db)) Fail(ER_BAD_DB_ERROR, "Unknown database '" + db + "'");
  const auto& tables = st.databases.at(st.database_ids.at(db)).table_ids;
  if (tables.contains(s.name.table)) {
    if (!s.if_not_exists) Fail(ER_TABLE_EXISTS_ERROR, "Table '" + s.name.table + "' already exists");
    AddNote(ER_TABLE_EXISTS_ERROR, "Table '" + s.name.table + "' already exists");
    return Ok();
  }
  meta::CreateTable change = BuildCreateTable(s, db, st.compute_nodes.size());
  std::string volume = change.storage_volume;
  Submit(std::move(change), [&](const Status& e) {
    using C = StatusCode;
    if (e.code() == C::kAlreadyExists) Fail(ER_TABLE_EXISTS_ERROR, "Table '" + s.name.table + "' already exists");
    if (StatusMatches(e, C::kNotFound, "database " + db + " does not exist")) {
      Fail(ER_BAD_DB_ERROR, "Unknown database '" + db + "'");
    }
    for (const auto& p : s.partitions) {
      if (StatusMatches(e, C::kInvalidArgument, "duplicate partition " + p.name)) {
        Fail(ER_SAME_NAME_PARTITION, "Duplicate partition name " + p.name);
      }
    }
    if (StatusMatches(e, C::kNotFound, "storage volume ")) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + volume);
  });
  return Ok();
}

ExecResult SessionImpl::Run(const DropTableStmt& s) {
  std::string db = ResolveDb(s.name.db);
  meta::CatalogState st = engine_->State();
  Checker(st).RequireTable("DROP", "DROP", db, s.name.table);
  std::string full = db + "." + s.name.table;
  auto db_it = st.database_ids.find(db);
  bool exists = db_it != st.database_ids.end() && st.databases.at(db_it->second).table_ids.contains(s.name.table);
  if (!exists) {
    if (db_it == st.database_ids.end() && !s.if_exists) Fail(ER_BAD_DB_ERROR, "Unknown database '" + db + "'");
    if (!s.if_exists) Fail(ER_BAD_TABLE_ERROR, "Unknown table '" + full + "'");
    AddNote(ER_BAD_TABLE_ERROR, "Unknown table '" + full + "'");
    return Ok();
  }
  Submit(meta::DropTable{.db = db, .name = s.name.table, .if_exists = s.if_exists}, [&](const Status& e) {
    if (e.code() == StatusCode::kNotFound) Fail(ER_BAD_TABLE_ERROR, "Unknown table '" + full + "'");
  });
  return Ok();
}

ExecResult SessionImpl::Run(const TruncateTableStmt& s) {
  meta::CatalogState st = engine_->State();
  std::string db;
  const meta::Table& t = FindTable(st, s.name, &db);
  Checker(st).RequireTable("DELETE", "DELETE", db, t.name);
  for (const auto& p : s.partitions) {
    if (!t.partition_ids.contains(p)) {
      Fail(ER_UNKNOWN_PARTITION, "Unknown partition '" + p + "' in table '" + t.name + "'");
    }
  }
  Submit(meta::TruncateTable{.db = db, .table = t.name, .partitions = s.partitions}, [&](const Status& e) {
    for (const auto& p : s.partitions) {
      if (StatusMatches(e, StatusCode::kNotFound, "partition " + p + " does not exist")) {
        Fail(ER_UNKNOWN_PARTITION, "Unknown partition '" + p + "' in table '" + t.name + "'");
      }
    }
    if (e.code() == StatusCode::kNotFound) Fail(ER_NO_SUCH_TABLE, "Table '" + db + "." + t.name + "' doesn't exist");
  });
  return Ok();
}

ExecResult SessionImpl::Run(const AlterTableStmt& s) {
  meta::CatalogState st = engine_->State();
  std::string db;
  const meta::Table& t = FindTable(st, s.name, &db);
  Checker(st).RequireTable("ALTER", "ALTER", db, t.name);
  auto no_table = [&](const Status& e) {
    if (StatusMatches(e, StatusCode::kNotFound, "table " + db + "." + t.name + " does not exist")) {
      Fail(ER_NO_SUCH_TABLE, "Table '" + db + "." + t.name + "' doesn't exist");
    }
  };
  if (!s.add) {
    if (!t.partition_ids.contains(s.partition_name) && !s.if_exists) {
      Fail(ER_DROP_PARTITION_NON_EXISTENT, "Error in list of partitions to DROP");
    }
    Submit(meta::DropPartition{.db = db, .table = t.name, .name = s.partition_name, .if_exists = s.if_exists},
           [&](const Status& e) {
             no_table(e);
             if (e.code() == StatusCode::kNotFound) Fail(ER_DROP_PARTITION_NON_EXISTENT, "Error in list of partitions to DROP");
           });
    return Ok();
  }
  if (t.partition_columns.empty()) Fail(ER_UNKNOWN_ERROR, "Table '" + t.name + "' is not range partitioned");
  if (t.partition_ids.contains(s.partition.name) && !s.if_exists) {
    Fail(ER_SAME_NAME_PARTITION, "Duplicate partition name " + s.partition.name);
  }
  meta::PartitionDef def{.name = s.partition.name, .lower = s.partition.lower, .upper = s.partition.upper};
  if (s.partition.less_than) {  // lower bound: the greatest existing upper bound below the new one
    bool integer = false;
    for (const auto& c : t.columns) {
      if (c.name == t.partition_columns.front()) integer = IsIntegerType(c.type);
    }
    def.lower.clear();
    for (const auto& [name, id] : t.partition_ids) {
      const auto& upper = st.partitions.at(id).upper;
      if (upper.empty() || !(def.upper.empty() || BoundLess(upper, def.upper, integer))) continue;
      if (def.lower.empty() || BoundLess(def.lower, upper, integer)) def.lower = upper;
    }
  }
  Submit(meta::AddPartition{.db = db, .table = t.name, .partition = def, .if_not_exists = s.if_exists},
         [&](const Status& e) {
           no_table(e);
           if (StatusMatches(e, StatusCode::kAlreadyExists, "partition " + def.name)) {
             Fail(ER_SAME_NAME_PARTITION, "Duplicate partition name " + def.name);
           }
         });
  return Ok();
}

}  // namespace strata::sql

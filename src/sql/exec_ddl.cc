// Executing CREATE/DROP DATABASE, CREATE/DROP/TRUNCATE TABLE and ALTER TABLE
// ADD/DROP PARTITION: privilege check, statement -> one catalog change,
// catalog rejection -> MySQL error.
#include <algorithm>
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

void CheckColumns(const CreateTableStmt& s) {
  std::set<std::string> seen;
  for (const auto& c : s.columns) {
    if (!seen.insert(LowerAscii(c.name)).second) Fail(ER_DUP_FIELDNAME, "Duplicate column name '" + c.name + "'");
    if (c.default_null && c.nullable == false) Fail(ER_INVALID_DEFAULT, "Invalid default value for '" + c.name + "'");
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
    c.columns.push_back(std::move(d));
  }
  c.partition_columns = s.partition_columns;
  c.distribution_columns = s.distribution_columns;
  if (c.distribution_columns.empty()) c.distribution_columns = {keys.front()};
  c.bucket_count = s.buckets != 0 ? s.buckets
                                  : static_cast<uint32_t>(std::clamp<size_t>(compute_nodes, 1, kMaxDefaultBuckets));
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
  Submit(std::move(change), [&](const Status& e) {
    if (e.code() == StatusCode::kAlreadyExists) Fail(ER_TABLE_EXISTS_ERROR, "Table '" + s.name.table + "' already exists");
    if (e.code() == StatusCode::kNotFound && StartsWith(e.message(), "database ")) {
      Fail(ER_BAD_DB_ERROR, "Unknown database '" + db + "'");
    }
    if (e.code() == StatusCode::kNotFound) Fail(ER_UNKNOWN_ERROR, "Unknown storage volume: " + e.message());
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
    if (e.code() == StatusCode::kNotFound && StartsWith(e.message(), "table ")) {
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
           if (e.code() == StatusCode::kAlreadyExists) Fail(ER_SAME_NAME_PARTITION, "Duplicate partition name " + def.name);
         });
  return Ok();
}

}  // namespace strata::sql

// Executing SHOW and DESC: databases, tables, CREATE TABLE/DATABASE,
// partitions, columns, variables, warnings and the minimal MySQL
// compatibility SHOWs (engines, charset, collation, status, processlist).
#include <algorithm>

#include "sql/info_schema.h"
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"
#include "sql/session_impl.h"
#include "sql/variables.h"

namespace strata::sql {
namespace {

// "s" with '"' and '\' escaped, as StarRocks prints defaults and comments.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string JoinQuoted(const std::vector<std::string>& names, const char* q = "`") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + std::string(q) + n + q;
  return out;
}

std::string Values(const std::vector<std::string>& v) {
  if (v.empty()) return "MAXVALUE";
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Quote(v[i]);
  return out + ")";
}

std::string RangeText(const meta::Partition& p) {
  std::string lower = p.lower.empty() ? "MINVALUE" : Values(p.lower);
  return "[" + lower + ", " + Values(p.upper) + ")";
}

std::string CreateTableText(const meta::Table& t, const meta::CatalogState& st) {
  std::string out = "CREATE TABLE `" + t.name + "` (\n";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    out += "  `" + c.name + "` " + c.type + (c.nullable ? " NULL" : " NOT NULL");
    if (c.default_value) out += " DEFAULT " + Quote(*c.default_value);
    if (!c.comment.empty()) out += " COMMENT " + Quote(c.comment);
    out += i + 1 < t.columns.size() ? ",\n" : "\n";
  }
  std::vector<std::string> keys;
  for (const auto& c : t.columns) {
    if (c.is_key) keys.push_back(c.name);
  }
  out += ") ENGINE=OLAP\n";
  out += std::string(t.key_type == meta::KeyType::kPrimary ? "PRIMARY" : "DUPLICATE") + " KEY(" + JoinQuoted(keys) + ")\n";
  if (auto it = t.properties.find("comment"); it != t.properties.end()) out += "COMMENT " + Quote(it->second) + "\n";
  if (!t.partition_columns.empty()) {
    out += "PARTITION BY RANGE(" + JoinQuoted(t.partition_columns) + ")\n(";
    std::vector<const meta::Partition*> parts;
    for (const auto& [name, id] : t.partition_ids) parts.push_back(&st.partitions.at(id));
    std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (size_t i = 0; i < parts.size(); ++i) {
      out += std::string(i ? ",\n" : "") + "PARTITION " + parts[i]->name + " VALUES " + RangeText(*parts[i]);
    }
    out += ")\n";
  }
  out += "DISTRIBUTED BY HASH(" + JoinQuoted(t.distribution_columns) + ") BUCKETS " + std::to_string(t.bucket_count);
  std::vector<std::pair<std::string, std::string>> props;
  for (const auto& [k, v] : t.properties) {
    if (k != "comment") props.emplace_back(k, v);
  }
  if (!t.storage_volume.empty()) props.emplace_back("storage_volume", t.storage_volume);
  if (!props.empty()) {
    out += "\nPROPERTIES (\n";
    for (size_t i = 0; i < props.size(); ++i) {
      out += Quote(props[i].first) + " = " + Quote(props[i].second) + (i + 1 < props.size() ? ",\n" : "\n");
    }
    out += ")";
  }
  return out + ";";
}

}  // namespace

ExecResult SessionImpl::Run(const ShowStmt& s) {
  using W = ShowStmt::What;
  if (s.what == W::kVariables) return WithResultSet(ShowVariables(s));
  meta::CatalogState st = engine_->State();
  switch (s.what) {
    case W::kTables: return WithResultSet(ShowTables(s, st));
    case W::kCreateTable: return WithResultSet(ShowCreateTable(s, st));
    case W::kPartitions: return WithResultSet(ShowPartitions(s, st));
    case W::kColumns: return WithResultSet(ShowColumns(s, st));
    case W::kStorageVolumes:
    case W::kDescStorageVolume:
    case W::kFrontends:
    case W::kComputeNodes:
    case W::kFrontendConfig:
    case W::kAutomatedSnapshot: return WithResultSet(ShowCluster(s, st));
    case W::kGrants:
    case W::kRoles:
    case W::kUsers: return WithResultSet(ShowGrants(s, st));
    default: return WithResultSet(ShowMisc(s, st));
  }
}

ResultSet SessionImpl::ShowTables(const ShowStmt& s, const meta::CatalogState& st) {
  std::string db = ResolveDb(s.table.db);
  ResultSet rs = MakeResultSet({"Tables_in_" + db});
  if (s.full) rs.columns.push_back(Col("Table_type"));
  if (db == kInfoSchema) {
    // information_schema's tables are listed by its SELECT; SHOW TABLES lists them too.
    for (const auto& n : InfoSchemaTableNames()) {
      rs.rows.push_back(s.full ? Row{n, "SYSTEM VIEW"} : Row{n});
    }
  } else {
    auto it = st.database_ids.find(db);
    if (it == st.database_ids.end()) Fail(ER_BAD_DB_ERROR, "Unknown database '" + db + "'");
    PrivilegeChecker checker = Checker(st);
    if (!checker.HasAnyOnDatabase(db)) {
      Fail(ER_DBACCESS_DENIED_ERROR, "Access denied for user " + AccountText() + " to database '" + db + "'");
    }
    for (const auto& [name, id] : st.databases.at(it->second).table_ids) {
      if (!checker.HasAnyOnTable(db, name)) continue;
      rs.rows.push_back(s.full ? Row{name, "BASE TABLE"} : Row{name});
    }
  }
  FilterRows(rs, s.like, s.where.get(), *this);
  return rs;
}

ResultSet SessionImpl::ShowCreateTable(const ShowStmt& s, const meta::CatalogState& st) {
  std::string db;
  const meta::Table& t = FindTable(st, s.table, &db);
  if (!Checker(st).HasAnyOnTable(db, t.name)) Checker(st).RequireTable("SELECT", "SHOW", db, t.name);
  ResultSet rs = MakeResultSet({"Table", "Create Table"});
  rs.rows.push_back({t.name, CreateTableText(t, st)});
  return rs;
}

ResultSet SessionImpl::ShowPartitions(const ShowStmt& s, const meta::CatalogState& st) {
  std::string db;
  const meta::Table& t = FindTable(st, s.table, &db);
  if (!Checker(st).HasAnyOnTable(db, t.name)) Checker(st).RequireTable("SELECT", "SHOW", db, t.name);
  ResultSet rs = MakeResultSet({"PartitionId", "PartitionName", "CompactVersion", "VisibleVersion", "NextVersion",
                                "State", "PartitionKey", "Range", "DistributionKey", "Buckets", "StorageVolume"});
  std::string partition_key;
  for (const auto& c : t.partition_columns) partition_key += (partition_key.empty() ? "" : ", ") + c;
  std::string dist_key;
  for (const auto& c : t.distribution_columns) dist_key += (dist_key.empty() ? "" : ", ") + c;
  std::vector<const meta::Partition*> parts;
  for (const auto& [name, id] : t.partition_ids) parts.push_back(&st.partitions.at(id));
  std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const auto* p : parts) {
    rs.rows.push_back({std::to_string(p->id), p->name, "0", std::to_string(p->visible_version),
                       std::to_string(p->next_version), "NORMAL", partition_key,
                       t.partition_columns.empty() ? "" : RangeText(*p), dist_key, std::to_string(p->tablet_ids.size()),
                       t.storage_volume});
  }
  rs.columns[0].type = rs.columns[3].type = rs.columns[4].type = rs.columns[9].type = ColumnType::kLongLong;
  FilterRows(rs, std::nullopt, s.where.get(), *this);
  return rs;
}

ResultSet SessionImpl::ShowColumns(const ShowStmt& s, const meta::CatalogState& st) {
  std::string db;
  const meta::Table& t = FindTable(st, s.table, &db);
  if (!Checker(st).HasAnyOnTable(db, t.name)) Checker(st).RequireTable("SELECT", "SELECT", db, t.name);
  if (s.full) {  // MySQL's SHOW FULL COLUMNS layout
    ResultSet rs =
        MakeResultSet({"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"});
    for (const auto& c : t.columns) {
      std::string base = c.type.substr(0, c.type.find('('));
      bool text = base == "CHAR" || base == "VARCHAR" || base == "STRING";
      rs.rows.push_back({c.name, c.type, text ? std::optional<std::string>("utf8_general_ci") : std::nullopt,
                         c.nullable ? "YES" : "NO", c.is_key ? "true" : "false", c.default_value, "",
                         "select,insert,update,references", c.comment});
    }
    FilterRows(rs, s.like, s.where.get(), *this);
    return rs;
  }
  ResultSet rs = MakeResultSet({"Field", "Type", "Null", "Key", "Default", "Extra"});
  for (const auto& c : t.columns) {
    rs.rows.push_back({c.name, c.type, c.nullable ? "YES" : "NO", c.is_key ? "true" : "false", c.default_value, ""});
  }
  FilterRows(rs, s.like, s.where.get(), *this);
  return rs;
}

ResultSet SessionImpl::ShowVariables(const ShowStmt& s) {
  ResultSet rs = MakeResultSet({"Variable_name", "Value"});
  for (const auto& def : AllVariables()) {
    std::string name(def.name);
    std::string v = s.global ? engine_->GlobalVariable(name) : SessionVariable(name);
    rs.rows.push_back({name, VariableDisplay(def, v)});
  }
  FilterRows(rs, s.like, s.where.get(), *this);
  return rs;
}

ResultSet SessionImpl::ShowMisc(const ShowStmt& s, const meta::CatalogState& st) {
  using W = ShowStmt::What;
  ResultSet rs;
  switch (s.what) {
    case W::kDatabases: {
      rs = MakeResultSet({"Database"});
      PrivilegeChecker checker = Checker(st);
      rs.rows.push_back({std::string(kInfoSchema)});
      for (const auto& [name, id] : st.database_ids) {
        if (checker.HasAnyOnDatabase(name)) rs.rows.push_back({name});
      }
      break;
    }
    case W::kCreateDatabase:
      if (s.name != kInfoSchema && !st.database_ids.contains(s.name)) Fail(ER_BAD_DB_ERROR, "Unknown database '" + s.name + "'");
      rs = MakeResultSet({"Database", "Create Database"});
      rs.rows.push_back({s.name, "CREATE DATABASE `" + s.name + "`"});
      break;
    case W::kWarnings:
      rs = MakeResultSet({"Level", "Code", "Message"});
      rs.columns[1].type = ColumnType::kLong;
      for (const auto& w : warnings_) rs.rows.push_back({w.level, std::to_string(w.code), w.message});
      break;
    case W::kEngines:
      rs = MakeResultSet({"Engine", "Support", "Comment", "Transactions", "XA", "Savepoints"});
      rs.rows.push_back({"OLAP", "DEFAULT", "Default storage engine of Strata", "YES", "NO", "NO"});
      break;
    case W::kCharset:
      rs = MakeResultSet({"Charset", "Description", "Default collation", "Maxlen"});
      rs.rows.push_back({"utf8mb4", "UTF-8 Unicode", "utf8mb4_general_ci", "4"});
      rs.rows.push_back({"utf8", "UTF-8 Unicode", "utf8_general_ci", "3"});
      rs.rows.push_back({"binary", "Binary pseudo charset", "binary", "1"});
      break;
    case W::kCollation:
      rs = MakeResultSet({"Collation", "Charset", "Id", "Default", "Compiled", "Sortlen"});
      rs.rows.push_back({"utf8mb4_general_ci", "utf8mb4", "45", "Yes", "Yes", "1"});
      rs.rows.push_back({"utf8_general_ci", "utf8", "33", "Yes", "Yes", "1"});
      rs.rows.push_back({"binary", "binary", "63", "Yes", "Yes", "1"});
      break;
    case W::kStatus:
      rs = MakeResultSet({"Variable_name", "Value"});
      rs.rows.push_back({"Threads_connected", "1"});
      rs.rows.push_back({"Uptime", "0"});
      break;
    case W::kProcesslist:
      Checker(st).RequireSystem("OPERATE");
      rs = MakeResultSet({"Id", "User", "Host", "Db", "Command", "Time", "State", "Info"});
      rs.rows.push_back({std::to_string(connection_id_), account_.name, account_.host, database_, "Query", "0", "", "SHOW PROCESSLIST"});
      break;
    default:
      Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support this SHOW statement");
  }
  FilterRows(rs, s.like, s.where.get(), *this);
  return rs;
}

}  // namespace strata::sql

// information_schema tables (info_schema.h).
#include "sql/info_schema.h"

#include <algorithm>
#include <functional>
#include <map>

#include "sql/parser_internal.h"
#include "sql/session_impl.h"

namespace strata::sql {
namespace {

constexpr ColumnType V = ColumnType::kVarString;
constexpr ColumnType L = ColumnType::kLongLong;
constexpr ColumnType D = ColumnType::kDateTime;

ResultSet Columns(std::initializer_list<std::pair<std::string_view, ColumnType>> cols) {
  ResultSet rs;
  for (const auto& [n, t] : cols) {
    rs.columns.push_back(ResultColumn{.name = std::string(n), .type = t, .table = "", .schema = "information_schema"});
  }
  return rs;
}

std::optional<std::string> TimeOrNull(int64_t ms) {
  if (ms <= 0) return std::nullopt;
  return FormatTimeMs(ms);
}

ResultSet Schemata(const InfoSchemaContext& c) {
  ResultSet rs = Columns({{"CATALOG_NAME", V}, {"SCHEMA_NAME", V}, {"DEFAULT_CHARACTER_SET_NAME", V},
                          {"DEFAULT_COLLATION_NAME", V}, {"SQL_PATH", V}});
  rs.rows.push_back({"def", std::string(kInfoSchema), "utf8", "utf8_general_ci", std::nullopt});
  for (const auto& [name, id] : c.state.database_ids) {
    if (c.checker.HasAnyOnDatabase(name)) rs.rows.push_back({"def", name, "utf8", "utf8_general_ci", std::nullopt});
  }
  return rs;
}

// Calls f(db name, table) for every table the account may see.
void ForEachVisibleTable(const InfoSchemaContext& c, const std::function<void(const std::string&, const meta::Table&)>& f) {
  for (const auto& [id, t] : c.state.tables) {
    auto db = c.state.databases.find(t.db_id);
    if (db == c.state.databases.end() || !c.checker.HasAnyOnTable(db->second.name, t.name)) continue;
    f(db->second.name, t);
  }
}

ResultSet Tables(const InfoSchemaContext& c) {
  ResultSet rs = Columns({{"TABLE_CATALOG", V}, {"TABLE_SCHEMA", V}, {"TABLE_NAME", V}, {"TABLE_TYPE", V},
                          {"ENGINE", V}, {"VERSION", L}, {"ROW_FORMAT", V}, {"TABLE_ROWS", L},
                          {"AVG_ROW_LENGTH", L}, {"DATA_LENGTH", L}, {"MAX_DATA_LENGTH", L}, {"INDEX_LENGTH", L},
                          {"DATA_FREE", L}, {"AUTO_INCREMENT", L}, {"CREATE_TIME", D}, {"UPDATE_TIME", D},
                          {"CHECK_TIME", D}, {"TABLE_COLLATION", V}, {"CHECKSUM", L}, {"CREATE_OPTIONS", V},
                          {"TABLE_COMMENT", V}});
  for (const auto& n : InfoSchemaTableNames()) {
    rs.rows.push_back({"def", std::string(kInfoSchema), n, "SYSTEM VIEW", std::nullopt, "10", "Dynamic", "0", "0", "0",
                       "0", "0", "0", std::nullopt, std::nullopt, std::nullopt, std::nullopt, "utf8_general_ci",
                       std::nullopt, "", ""});
  }
  ForEachVisibleTable(c, [&](const std::string& db, const meta::Table& t) {
    auto comment = t.properties.find("comment");
    rs.rows.push_back({"def", db, t.name, "BASE TABLE", "StarRocks", "10", "", "0", "0", "0", "0", "0", "0",
                       std::nullopt, TimeOrNull(t.create_time_ms), std::nullopt, std::nullopt, "utf8_general_ci",
                       std::nullopt, "", comment == t.properties.end() ? "" : comment->second});
  });
  return rs;
}

struct TypeInfo {
  std::string data_type;
  std::optional<std::string> char_len, precision, scale;
};

TypeInfo DescribeType(const std::string& type) {
  static const std::map<std::string, std::string> kIntPrecision = {
      {"tinyint", "3"}, {"smallint", "5"}, {"int", "10"}, {"bigint", "19"}, {"largeint", "39"},
      {"float", "12"}, {"double", "22"}, {"boolean", "1"}};
  std::string lower = LowerAscii(type);
  size_t paren = lower.find('(');
  TypeInfo info{.data_type = lower.substr(0, paren)};
  std::vector<std::string> args;
  if (paren != std::string::npos) {
    std::string inner = lower.substr(paren + 1, lower.size() - paren - 2);
    size_t comma = inner.find(',');
    args.push_back(inner.substr(0, comma));
    if (comma != std::string::npos) args.push_back(inner.substr(comma + 1));
  }
  if (auto it = kIntPrecision.find(info.data_type); it != kIntPrecision.end()) info.precision = it->second;
  if ((info.data_type == "char" || info.data_type == "varchar") && !args.empty()) info.char_len = args[0];
  if (info.data_type == "string") info.char_len = "65533";
  if (info.data_type.rfind("decimal", 0) == 0 && args.size() == 2) info.precision = args[0], info.scale = args[1];
  if (info.precision && !info.scale && info.data_type.rfind("decimal", 0) != 0) info.scale = "0";
  return info;
}

ResultSet ColumnsTable(const InfoSchemaContext& c) {
  ResultSet rs = Columns({{"TABLE_CATALOG", V}, {"TABLE_SCHEMA", V}, {"TABLE_NAME", V}, {"COLUMN_NAME", V},
                          {"ORDINAL_POSITION", L}, {"COLUMN_DEFAULT", V}, {"IS_NULLABLE", V}, {"DATA_TYPE", V},
                          {"CHARACTER_MAXIMUM_LENGTH", L}, {"CHARACTER_OCTET_LENGTH", L}, {"NUMERIC_PRECISION", L},
                          {"NUMERIC_SCALE", L}, {"DATETIME_PRECISION", L}, {"CHARACTER_SET_NAME", V},
                          {"COLLATION_NAME", V}, {"COLUMN_TYPE", V}, {"COLUMN_KEY", V}, {"EXTRA", V},
                          {"PRIVILEGES", V}, {"COLUMN_COMMENT", V}});
  ForEachVisibleTable(c, [&](const std::string& db, const meta::Table& t) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const auto& col = t.columns[i];
      TypeInfo ti = DescribeType(col.type);
      bool text = ti.char_len.has_value();
      std::optional<std::string> octets;
      if (ti.char_len) octets = std::to_string(std::stoull(*ti.char_len) * 4);
      rs.rows.push_back({"def", db, t.name, col.name, std::to_string(i + 1), col.default_value,
                         col.nullable ? "YES" : "NO", ti.data_type, ti.char_len, octets, ti.precision, ti.scale,
                         ti.data_type == "datetime" ? std::optional<std::string>("0") : std::nullopt,
                         text ? std::optional<std::string>("utf8") : std::nullopt,
                         text ? std::optional<std::string>("utf8_general_ci") : std::nullopt, LowerAscii(col.type),
                         col.is_key ? (t.key_type == meta::KeyType::kPrimary ? "PRI" : "DUP") : "", "",
                         "select,insert,update,references", col.comment});
    }
  });
  return rs;
}

// Rows of the *_privileges tables: every grant the account may see.
ResultSet Privileges(const InfoSchemaContext& c, meta::ObjectType level) {
  ResultSet rs = level == meta::ObjectType::kSystem
                     ? Columns({{"GRANTEE", V}, {"TABLE_CATALOG", V}, {"PRIVILEGE_TYPE", V}, {"IS_GRANTABLE", V}})
                 : level == meta::ObjectType::kDatabase
                     ? Columns({{"GRANTEE", V}, {"TABLE_CATALOG", V}, {"TABLE_SCHEMA", V}, {"PRIVILEGE_TYPE", V},
                                {"IS_GRANTABLE", V}})
                     : Columns({{"GRANTEE", V}, {"TABLE_CATALOG", V}, {"TABLE_SCHEMA", V}, {"TABLE_NAME", V},
                                {"PRIVILEGE_TYPE", V}, {"IS_GRANTABLE", V}});
  bool all = c.checker.Has("GRANT", meta::ObjectType::kSystem, "");
  for (const auto& [id, user] : c.state.users) {
    std::string grantee = meta::ToString(id);
    for (const auto& [object, privs] : user.privileges) {
      bool global = object.type == meta::ObjectType::kSystem ||
                    (object.type == meta::ObjectType::kTable && object.name == "*.*");
      bool schema = !global && (object.type == meta::ObjectType::kDatabase ||
                                (object.type == meta::ObjectType::kTable && object.name.ends_with(".*")));
      bool table = !global && !schema && object.type == meta::ObjectType::kTable;
      bool wanted = level == meta::ObjectType::kSystem ? global : level == meta::ObjectType::kDatabase ? schema : table;
      if (!wanted) continue;
      for (const auto& p : privs) {
        std::string priv = p;
        std::replace(priv.begin(), priv.end(), '_', ' ');
        if (level == meta::ObjectType::kSystem) {
          rs.rows.push_back({grantee, "def", priv, "NO"});
        } else {
          std::string db = object.name.substr(0, object.name.find('.'));
          if (level == meta::ObjectType::kDatabase) {
            rs.rows.push_back({grantee, "def", db, priv, "NO"});
          } else {
            rs.rows.push_back({grantee, "def", db, object.name.substr(object.name.find('.') + 1), priv, "NO"});
          }
        }
      }
    }
    (void)all;
  }
  if (!all) {  // only the account's own rows
    std::string me = c.checker.AccountText();
    std::erase_if(rs.rows, [&](const Row& r) { return r[0] != me; });
  }
  return rs;
}

std::string SnapshotPath(const InfoSchemaContext& c, const meta::SnapshotJob& job) {
  auto v = c.state.storage_volumes.find(job.storage_volume);
  std::string location = v == c.state.storage_volumes.end() || v->second.locations.empty() ? "" : v->second.locations[0];
  while (!location.empty() && location.back() == '/') location.pop_back();
  return location + "/" + (job.cluster_id.empty() ? c.cluster_id : job.cluster_id) + "/meta/image/" + job.name;
}

ResultSet ClusterSnapshots(const InfoSchemaContext& c, bool jobs) {
  ResultSet rs = jobs ? Columns({{"SNAPSHOT_NAME", V}, {"JOB_ID", L}, {"CREATED_TIME", D}, {"FINISHED_TIME", D},
                                 {"STATE", V}, {"DETAIL_INFO", V}, {"ERROR_MESSAGE", V}})
                      : Columns({{"SNAPSHOT_NAME", V}, {"SNAPSHOT_TYPE", V}, {"CREATED_TIME", D},
                                 {"FE_JOURNAL_ID", L}, {"STARMGR_JOURNAL_ID", L}, {"PROPERTIES", V},
                                 {"STORAGE_VOLUME", V}, {"STORAGE_PATH", V}});
  for (const auto& [id, job] : c.state.snapshot_jobs) {
    if (jobs) {
      rs.rows.push_back({job.name, std::to_string(job.job_id), TimeOrNull(job.created_ms), TimeOrNull(job.finished_ms),
                         job.state, job.detail, job.error});
    } else if (job.state == "FINISHED") {  // complete snapshots only
      std::string version = std::to_string(job.snapshot_version);
      rs.rows.push_back({job.name, std::string(meta::EnumName(job.type)), TimeOrNull(job.created_ms), version, version,
                         "", job.storage_volume, SnapshotPath(c, job)});
    }
  }
  return rs;
}

ResultSet PointInTimeWindow(const InfoSchemaContext& c) {
  ResultSet rs = Columns({{"CLUSTER_ID", V}, {"RETENTION_SECONDS", L}, {"DATA_GRACE_SECONDS", L}, {"STATE", V},
                          {"OLDEST_VERSION", L}, {"OLDEST_TIME", D}, {"OLDEST_TIME_MS", L}, {"NEWEST_VERSION", L},
                          {"NEWEST_TIME", D}, {"NEWEST_TIME_MS", L}, {"RESTORE_BASE", V}, {"MESSAGE", V}});
  if (!c.point_in_time_window) {
    rs.rows.push_back({c.cluster_id, std::nullopt, std::nullopt, "UNKNOWN", std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt, std::nullopt, std::nullopt, "this server does not report it"});
    return rs;
  }
  const PointInTimeWindowInfo w = c.point_in_time_window();
  auto number = [&](auto v) -> std::optional<std::string> {
    if (!w.restorable) return std::nullopt;
    return std::to_string(v);
  };
  auto ms = [&](int64_t v) -> std::optional<std::string> {
    if (!w.restorable || v <= 0) return std::nullopt;
    return std::to_string(v);
  };
  const std::string state = !w.restorable ? "UNAVAILABLE" : w.retention_seconds > 0 ? "ON" : "OFF";
  rs.rows.push_back({c.cluster_id, std::to_string(w.retention_seconds), std::to_string(w.data_grace_seconds), state,
                     number(w.oldest_version), w.restorable ? TimeOrNull(w.oldest_time_ms) : std::nullopt,
                     ms(w.oldest_time_ms), number(w.newest_version),
                     w.restorable ? TimeOrNull(w.newest_time_ms) : std::nullopt, ms(w.newest_time_ms),
                     w.restorable ? std::optional<std::string>(w.oldest_base) : std::nullopt, w.message});
  return rs;
}

}  // namespace

std::vector<std::string> InfoSchemaTableNames() {
  return {"cluster_snapshot_jobs", "cluster_snapshots", "columns", "point_in_time_window", "schema_privileges",
          "schemata", "table_privileges", "tables", "user_privileges", "views"};
}

std::optional<ResultSet> BuildInfoSchemaTable(std::string_view name, const InfoSchemaContext& ctx) {
  if (name == "schemata") return Schemata(ctx);
  if (name == "tables") return Tables(ctx);
  if (name == "columns") return ColumnsTable(ctx);
  if (name == "user_privileges") return Privileges(ctx, meta::ObjectType::kSystem);
  if (name == "schema_privileges") return Privileges(ctx, meta::ObjectType::kDatabase);
  if (name == "table_privileges") return Privileges(ctx, meta::ObjectType::kTable);
  if (name == "cluster_snapshots") return ClusterSnapshots(ctx, false);
  if (name == "cluster_snapshot_jobs") return ClusterSnapshots(ctx, true);
  if (name == "point_in_time_window") return PointInTimeWindow(ctx);
  if (name == "views") {
    return Columns({{"TABLE_CATALOG", V}, {"TABLE_SCHEMA", V}, {"TABLE_NAME", V}, {"VIEW_DEFINITION", V},
                    {"CHECK_OPTION", V}, {"IS_UPDATABLE", V}, {"DEFINER", V}, {"SECURITY_TYPE", V},
                    {"CHARACTER_SET_CLIENT", V}, {"COLLATION_CONNECTION", V}});
  }
  return std::nullopt;
}

}  // namespace strata::sql

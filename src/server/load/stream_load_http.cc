#include "server/load/stream_load_http.h"

#include <nlohmann/json.hpp>

#include <chrono>

#include "load/csv_parser.h"
#include "load/json_parser.h"
#include "server/mysql/auth.h"
#include "sql/privileges.h"

namespace strata::server {
namespace {

using Json = nlohmann::json;
constexpr std::string_view kSuffix = "/_stream_load";

struct Target {
  std::string db;
  std::string table;
};

std::optional<Target> ParsePath(const std::string& path) {
  if (!path.starts_with("/api/") || !path.ends_with(kSuffix)) return std::nullopt;
  std::string middle = path.substr(5, path.size() - 5 - kSuffix.size());
  size_t slash = middle.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= middle.size()) return std::nullopt;
  if (middle.find('/', slash + 1) != std::string::npos) return std::nullopt;
  return Target{middle.substr(0, slash), middle.substr(slash + 1)};
}

std::string Base64Decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) break;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

HttpResponse Answer(int http, Json j) { return HttpResponse::Json(http, j.dump() + "\n"); }

HttpResponse Fail(const std::string& label, const std::string& message) {
  return Answer(200, Json{{"Status", "Fail"}, {"Label", label}, {"Message", message}});
}

// The account for the request, or an error message.
Result<meta::UserIdentity> Authenticate(const StreamLoadDeps& deps, const HttpRequest& req) {
  std::string auth = req.Header("Authorization");
  if (!auth.starts_with("Basic ")) return PermissionDenied("stream load needs HTTP basic authentication (-u user:password)");
  std::string decoded = Base64Decode(auth.substr(6));
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return PermissionDenied("malformed basic authentication");
  std::string user = decoded.substr(0, colon);
  std::string password = decoded.substr(colon + 1);
  std::string host = req.Header("X-Forwarded-For").empty() ? "127.0.0.1" : req.Header("X-Forwarded-For");
  auto account = deps.engine->LookupUser(user, host);
  if (!account.ok()) return PermissionDenied("Access denied for user '" + user + "'");
  std::string given = password.empty() ? "" : mysql::Sha1(mysql::Sha1(password));
  if (given != account->native_hash) return PermissionDenied("Access denied for user '" + user + "'");
  return meta::UserIdentity{.name = account->user, .host = account->host};
}

// Reads, types and routes the body (CSV on the coordinator's load threads).
Result<load::RoutedLoad> ParseBody(LoadCoordinator& coordinator, const DataTarget& target, const HttpRequest& req) {
  load::BuilderOptions options;
  options.now_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
  if (!req.Header("columns").empty()) {
    STRATA_ASSIGN_OR_RETURN(options.columns, load::ParseColumnsHeader(req.Header("columns")));
  }
  std::string format = req.Header("format");
  for (auto& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (format == "json") {
    load::JsonOptions json;
    json.strip_outer_array = req.Header("strip_outer_array") == "true";
    if (!req.Header("jsonpaths").empty()) {
      STRATA_ASSIGN_OR_RETURN(json.jsonpaths, load::ParseJsonPathsHeader(req.Header("jsonpaths")));
    }
    STRATA_ASSIGN_OR_RETURN(load::LoadBatch batch, load::LoadJson(target.schema, options, json, req.body));
    return coordinator.RouteBatch(target, std::move(batch));
  }
  if (!format.empty() && format != "csv") return InvalidArgument("unknown format '" + format + "' (csv or json)");
  load::CsvOptions csv;
  if (!req.Header("column_separator").empty()) {
    STRATA_ASSIGN_OR_RETURN(csv.column_separator, load::DecodeDelimiter(req.Header("column_separator")));
  }
  if (!req.Header("row_delimiter").empty()) {
    STRATA_ASSIGN_OR_RETURN(csv.row_delimiter, load::DecodeDelimiter(req.Header("row_delimiter")));
  }
  if (!req.Header("enclose").empty()) {
    STRATA_ASSIGN_OR_RETURN(char c, load::DecodeCsvChar(req.Header("enclose")));
    csv.enclose = c;
  }
  if (!req.Header("escape").empty()) {
    STRATA_ASSIGN_OR_RETURN(char c, load::DecodeCsvChar(req.Header("escape")));
    csv.escape = c;
  }
  if (!req.Header("skip_header").empty()) {
    char* end = nullptr;
    csv.skip_header_rows = std::strtoull(req.Header("skip_header").c_str(), &end, 10);
    if (end == nullptr || *end != '\0') return InvalidArgument("skip_header must be a number");
  }
  csv.trim_space = req.Header("trim_space") == "true";
  STRATA_RETURN_IF_ERROR(load::ValidateCsvOptions(csv));
  return coordinator.RouteCsv(target, options, csv, req.body);
}

}  // namespace

bool IsStreamLoadPath(const std::string& path) { return ParsePath(path).has_value(); }

HttpResponse HandleStreamLoad(const StreamLoadDeps& deps, const HttpRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  std::string label = req.Header("label");
  auto target_name = ParsePath(req.path);
  if (!target_name) return Fail(label, "the path must be /api/{db}/{table}/_stream_load");
  auto account = Authenticate(deps, req);
  if (!account.ok()) return Answer(401, Json{{"Status", "Fail"}, {"Label", label}, {"Message", account.status().message()}});
  bool allowed = false;
  deps.read_catalog([&](const meta::CatalogState& s) {
    allowed = sql::PrivilegeChecker(s, *account).Has("INSERT", meta::ObjectType::kTable,
                                                     target_name->db + "." + target_name->table);
  });
  if (!allowed) return Answer(403, Json{{"Status", "Fail"}, {"Label", label}, {"Message", "INSERT command denied to user '" + account->name + "' for table '" + target_name->table + "'"}});
  double max_filter_ratio = 0;
  if (!req.Header("max_filter_ratio").empty()) {
    char* end = nullptr;
    max_filter_ratio = std::strtod(req.Header("max_filter_ratio").c_str(), &end);
    if (end == nullptr || *end != '\0' || !(max_filter_ratio >= 0 && max_filter_ratio <= 1)) {
      return Fail(label, "max_filter_ratio must be a number in [0, 1]");
    }
  }
  auto target = deps.coordinator->Resolve(target_name->db, target_name->table);
  if (!target.ok()) return Fail(label, target.status().message());
  if (Status used = deps.coordinator->CheckLabelUnused(*target, label); !used.ok()) {
    return Answer(200, Json{{"Status", "Label Already Exists"}, {"ExistingJobStatus", "FINISHED"}, {"Label", label},
                            {"Message", used.message()}, {"NumberTotalRows", 0}, {"NumberLoadedRows", 0},
                            {"LoadBytes", req.body.size()},
                            {"LoadTimeMs", std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - started).count()}});
  }
  auto routed = ParseBody(*deps.coordinator, *target, req);
  if (!routed.ok()) return Fail(label, routed.status().message());
  const uint64_t total = routed->rows_total;
  auto out = deps.coordinator->LoadRouted(*target, std::move(*routed), label, "stream_load", max_filter_ratio);
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started).count();
  if (!out.ok()) {
    Json j{{"Status", "Fail"}, {"Label", label}, {"Message", out.status().message()},
           {"NumberTotalRows", total}, {"NumberLoadedRows", 0}, {"LoadBytes", req.body.size()},
           {"LoadTimeMs", elapsed_ms}};
    if (out.status().code() == StatusCode::kAlreadyExists) {
      j["Status"] = "Label Already Exists";
      j["ExistingJobStatus"] = "FINISHED";
    }
    return Answer(200, j);
  }
  Json j{{"TxnId", out->txn_id}, {"Label", out->label}, {"Status", "Success"}, {"Message", "OK"},
         {"NumberTotalRows", out->rows_total}, {"NumberLoadedRows", out->rows_loaded},
         {"NumberFilteredRows", out->rows_filtered}, {"NumberUnselectedRows", 0},
         {"LoadBytes", req.body.size()}, {"DataBytes", out->data_bytes}, {"LoadTimeMs", elapsed_ms},
         {"CommitVersion", out->commit_version}};
  if (!out->errors.empty()) j["FilteredRowErrors"] = out->errors;
  return Answer(200, j);
}

}  // namespace strata::server

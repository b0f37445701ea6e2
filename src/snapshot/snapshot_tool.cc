// `strata snapshot list|inspect|verify` (snapshot_tool.h): flags, selection
// and printing. What reads the volume is in snapshot_verify.cc.
#include "snapshot/snapshot_tool.h"

#include "snapshot/clone_pins.h"
#include "snapshot/snapshot_history.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <ostream>

#include "common/check.h"
#include "objstore/retry/retrying_object_store.h"

namespace strata::snapshot {

const char* const kSnapshotToolUsage =
    "usage: strata snapshot list    --volume LOC [--cluster-id ID] [--show-debris] [--json] [S3 flags]\n"
    "       strata snapshot inspect --volume LOC [--cluster-id ID] --name NAME [--json] [S3 flags]\n"
    "       strata snapshot verify  --volume LOC [--cluster-id ID] [--name NAME | --all] [--parallel N] [--deep]\n"
    "                               [--json] [S3 flags]\n"
    "       strata snapshot unpin   --volume LOC --cluster-id CLONE_ID [S3 flags]   release a dropped clone's pin\n"
    "       strata snapshot history --volume LOC [--cluster-id ID] [--window-seconds N] [--json] [S3 flags]\n"
    "                               restorable points: snapshots and the point-in-time window's bounds\n"
    "  --volume LOC        the snapshot volume: s3://bucket[/prefix], /abs/dir or file:///abs/dir\n"
    "  --cluster-id ID     one lineage (default: every lineage in the volume)\n"
    "  --name NAME         one snapshot; verify without --name or --all checks the newest of each lineage\n"
    "  --all               verify every complete snapshot\n"
    "  --show-debris       list snapshot directories without a manifest (not snapshots)\n"
    "  --parallel N        tablet versions (or listings) verified at once (1..64, default 8)\n"
    "  --deep              read every tablet version and HEAD every data file, even when the snapshot has\n"
    "                      an object index (default: list the volume against the index, as restore does)\n"
    "  --window-seconds N  fe.conf's point_in_time_retention_seconds: the window starts no earlier than\n"
    "                      the version current N seconds ago (table data older than that is not kept)\n"
    "  --json              machine-readable output\n"
    "S3 flags: --endpoint URL  --region R (default us-east-1)  --path-style true|false (default true)\n"
    "          --access-key K  --secret-key K (default: $STRATA_S3_ACCESS_KEY, $STRATA_S3_SECRET_KEY)\n"
    "exit codes: 0 OK; 1 something is missing or damaged, or the volume could not be read; 2 bad usage\n";

namespace {

using Json = nlohmann::ordered_json;
constexpr size_t kArgsMax = 256;
constexpr std::string_view kMasked = "***";

struct Args {
  std::string command;
  std::string volume;
  std::string cluster_id;
  std::string name;
  bool all = false;
  bool show_debris = false;
  bool json = false;
  uint32_t parallel = VerifyOptions{}.parallel;
  bool deep = false;
  int64_t window_seconds = -1;  // history: -1 = not given
  objstore::VolumeSpec spec;  // location = volume
};

// A flag, and the subcommands that take it ("" = all).
struct FlagDef {
  std::string_view name;
  bool takes_value;
  std::string_view commands;
};
constexpr FlagDef kFlags[] = {
    {"--volume", true, ""},          {"--cluster-id", true, ""},  {"--json", false, ""},
    {"--endpoint", true, ""},        {"--region", true, ""},      {"--access-key", true, ""},
    {"--secret-key", true, ""},      {"--path-style", true, ""},  {"--name", true, "inspect verify"},
    {"--all", false, "verify"},      {"--parallel", true, "verify"}, {"--show-debris", false, "list"},
    {"--deep", false, "verify"},
    {"--window-seconds", true, "history"},
};

Status SetFlag(std::string_view flag, const std::string& value, Args* a) {
  if (flag == "--volume") a->volume = value;
  if (flag == "--cluster-id") a->cluster_id = value;
  if (flag == "--name") a->name = value;
  if (flag == "--json") a->json = true;
  if (flag == "--all") a->all = true;
  if (flag == "--show-debris") a->show_debris = true;
  if (flag == "--deep") a->deep = true;
  if (flag == "--endpoint") a->spec.endpoint = value;
  if (flag == "--region") a->spec.region = value;
  if (flag == "--access-key") a->spec.access_key = Secret(value);
  if (flag == "--secret-key") a->spec.secret_key = Secret(value);
  if (flag == "--path-style") {
    if (value != "true" && value != "false") return InvalidArgument("--path-style takes true or false");
    a->spec.path_style = value == "true";
  }
  if (flag == "--parallel") {
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 64) {
      return InvalidArgument("--parallel takes a number from 1 to 64");
    }
    a->parallel = n;
  }
  if (flag == "--window-seconds") {
    int64_t n = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 0 || n > 366LL * 86400) {
      return InvalidArgument("--window-seconds takes a number of seconds from 0 to 31622400");
    }
    a->window_seconds = n;
  }
  return Status::OK();
}

Status ValidateArgs(const Args& a) {
  if (a.volume.empty()) return InvalidArgument("--volume is required");
  if (!a.cluster_id.empty() && (a.cluster_id.find('/') != std::string::npos || a.cluster_id.size() > 256)) {
    return InvalidArgument("--cluster-id '" + a.cluster_id + "' is not a cluster id");
  }
  if (a.command == "inspect" && a.name.empty()) return InvalidArgument("inspect needs --name");
  if (a.command == "unpin" && a.cluster_id.empty()) return InvalidArgument("unpin needs --cluster-id (the clone's)");
  if (!a.name.empty()) STRATA_RETURN_IF_ERROR(ValidateSnapshotName(a.name).WithContext("--name"));
  if (a.all && !a.name.empty()) return InvalidArgument("--all and --name exclude each other");
  return Status::OK();
}

Result<Args> ParseArgs(const std::vector<std::string>& args, const ToolEnv& env) {
  if (args.size() > kArgsMax) return InvalidArgument("too many arguments");
  Args a;
  a.command = args.at(0);
  if (a.command != "list" && a.command != "inspect" && a.command != "verify" && a.command != "unpin" &&
      a.command != "history") {
    return InvalidArgument("unknown snapshot command '" + a.command + "' (list, inspect, verify, unpin or history)");
  }
  for (size_t i = 1; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    const FlagDef* def = nullptr;
    for (const auto& f : kFlags) def = f.name == flag ? &f : def;
    // A stray word may be a secret that lost its flag: never echo it.
    if (!flag.starts_with("--")) return InvalidArgument(fmt::format("argument {} is not a --flag", i + 1));
    if (def == nullptr) return InvalidArgument("unknown argument '" + flag + "'");
    if (!def->commands.empty() && def->commands.find(a.command) == std::string_view::npos) {
      return InvalidArgument(flag + " does not apply to " + a.command);
    }
    if (def->takes_value && !value) {
      if (i + 1 == args.size()) return InvalidArgument(flag + " needs a value");
      value = args[++i];
    } else if (!def->takes_value && value) {
      return InvalidArgument(flag + " takes no value");
    }
    STRATA_RETURN_IF_ERROR(SetFlag(flag, value.value_or(""), &a));
  }
  STRATA_RETURN_IF_ERROR(ValidateArgs(a));
  a.spec.location = a.volume;
  auto from_env = [&](const char* name) { return env.getenv ? env.getenv(name) : std::nullopt; };
  if (a.spec.access_key.empty()) a.spec.access_key = Secret(from_env("STRATA_S3_ACCESS_KEY").value_or(""));
  if (a.spec.secret_key.empty()) a.spec.secret_key = Secret(from_env("STRATA_S3_SECRET_KEY").value_or(""));
  return a;
}

// ---------------------------------------------------------------- list

Json ManifestJson(const Manifest& m) {
  Json j = Json::parse(EncodeManifest(m));
  j["created"] = FormatUtc(m.created_ms);
  j["completed"] = FormatUtc(m.completed_ms);
  return j;
}

// Columns padded to their widest cell, two spaces apart.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

int RunList(objstore::ObjectStore& store, const Args& a, const ToolEnv& env) {
  auto scan = ScanSnapshots(store, a.cluster_id);
  if (!scan.ok()) {
    *env.err << "strata snapshot list: " << scan.status().ToString() << "\n";
    return kToolExitProblems;
  }
  if (a.json) {
    Json j{{"volume", a.volume}, {"snapshots", Json::array()}, {"damaged", scan->damaged}};
    for (const auto& m : scan->snapshots) j["snapshots"].push_back(ManifestJson(m));
    if (a.show_debris) {
      j["debris"] = Json::array();
      for (const auto& d : scan->debris) {
        j["debris"].push_back({{"cluster_id", d.cluster_id}, {"name", d.name}, {"objects", d.objects},
                               {"newest", FormatUtc(d.newest_ms)}});
      }
    }
    *env.out << j.dump(2) << "\n";
    return kToolExitOk;
  }
  if (scan->snapshots.empty()) {
    *env.out << "no snapshots in " << a.volume << (a.cluster_id.empty() ? "" : " of cluster " + a.cluster_id) << "\n";
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"CLUSTER_ID", "NAME", "TYPE", "VERSION", "CREATED (UTC)", "TABLET_VERSIONS", "IMAGE_BYTES"}};
    for (const auto& m : scan->snapshots) {
      rows.push_back({m.cluster_id, m.name, m.type, std::to_string(m.version), FormatUtc(m.created_ms),
                      std::to_string(m.tablet_versions), std::to_string(m.image_bytes)});
    }
    PrintTable(*env.out, rows);
  }
  for (const auto& d : scan->damaged) *env.out << "DAMAGED     " << d << "\n";
  if (a.show_debris) {
    for (const auto& d : scan->debris) {
      *env.out << fmt::format("INCOMPLETE  {}/{} (no manifest: {} object{}, newest {})\n", d.cluster_id, d.name,
                              d.objects, d.objects == 1 ? "" : "s", FormatUtc(d.newest_ms));
    }
  }
  return kToolExitOk;
}

// ---------------------------------------------------------------- inspect

Json VolumeJson(const meta::StorageVolume& v) {
  Json props = Json::object();
  for (const auto& [k, value] : v.properties) props[k] = meta::IsCredentialKey(k) ? std::string(kMasked) : value;
  Json creds = Json::object();
  for (const auto& [k, secret] : v.credentials) creds[k] = std::string(kMasked);  // never the value
  return Json{{"name", v.name}, {"type", meta::EnumName(v.type)}, {"locations", v.locations},
              {"comment", v.comment}, {"properties", props}, {"credentials", creds}};
}

Json CatalogSummaryJson(const meta::CatalogState& s) {
  Json dbs = Json::array();
  Json tables = Json::array();
  for (const auto& [db_name, db_id] : s.database_ids) {
    const meta::Database& db = s.databases.at(db_id);
    dbs.push_back({{"name", db.name}, {"id", db.id}, {"tables", db.table_ids.size()}});
    for (const auto& [table_name, table_id] : db.table_ids) {
      const meta::Table& t = s.tables.at(table_id);
      uint64_t tablets = 0;
      uint64_t versions = 0;
      for (const auto& [p_name, p_id] : t.partition_ids) {
        const meta::Partition& p = s.partitions.at(p_id);
        tablets += p.tablet_ids.size();
        versions += std::count_if(p.tablet_meta.begin(), p.tablet_meta.end(), [](auto& k) { return !k.empty(); });
      }
      tables.push_back({{"database", db.name}, {"name", t.name}, {"id", t.id},
                        {"key_type", meta::EnumName(t.key_type)},
                        {"storage_volume", t.storage_volume.empty() ? s.default_storage_volume : t.storage_volume},
                        {"partitions", t.partition_ids.size()}, {"tablets", tablets}, {"tablet_versions", versions}});
    }
  }
  Json volumes = Json::array();
  for (const auto& [name, v] : s.storage_volumes) volumes.push_back(VolumeJson(v));
  return Json{{"version", s.version},
              {"databases", dbs},
              {"tables", tables},
              {"storage_volumes", volumes},
              {"default_storage_volume", s.default_storage_volume},
              {"tablet_versions", PinnedVersions(s).size()},
              {"users", s.users.size()},
              {"roles", s.roles.size()},
              {"frontends", s.frontends.size()},
              {"compute_nodes", s.compute_nodes.size()},
              {"snapshot_jobs", s.snapshot_jobs.size()}};
}

void PrintManifestText(std::ostream& out, const Manifest& m) {
  out << fmt::format("snapshot {}/{}\n", m.cluster_id, m.name);
  out << fmt::format("  type             {}\n", m.type);
  out << fmt::format("  cluster          {}{}\n", m.cluster_id, m.cluster_name.empty() ? "" : " (" + m.cluster_name + ")");
  out << fmt::format("  version          {}\n", m.version);
  out << fmt::format("  created          {}\n", FormatUtc(m.created_ms));
  out << fmt::format("  completed        {}\n", FormatUtc(m.completed_ms));
  out << fmt::format("  storage volume   {}\n", m.storage_volume.empty() ? "-" : m.storage_volume);
  out << fmt::format("  image            {} bytes, CRC32C {:#010x}\n", m.image_bytes, m.image_crc32c);
  out << fmt::format("  tablet versions  {}\n", m.tablet_versions);
  out << fmt::format("  format version   {}\n", m.format_version);
}

std::string KeyValues(const Json& object) {
  std::string out;
  for (const auto& [k, v] : object.items()) out += (out.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
  return out;
}

void PrintCatalogText(std::ostream& out, const Json& c) {
  out << fmt::format("catalog at version {}\n", c["version"].get<uint64_t>());
  out << fmt::format("  databases ({})\n", c["databases"].size());
  for (const auto& d : c["databases"]) {
    out << fmt::format("    {}  (id {}): tables {}\n", d["name"].get<std::string>(), d["id"].get<uint64_t>(),
                       d["tables"].get<uint64_t>());
  }
  out << fmt::format("  tables ({})\n", c["tables"].size());
  for (const auto& t : c["tables"]) {
    out << fmt::format("    {}.{}  (id {}, {}, volume {}): partitions {}, tablets {}, tablet versions {}\n",
                       t["database"].get<std::string>(), t["name"].get<std::string>(), t["id"].get<uint64_t>(),
                       t["key_type"].get<std::string>(), t["storage_volume"].get<std::string>(),
                       t["partitions"].get<uint64_t>(), t["tablets"].get<uint64_t>(),
                       t["tablet_versions"].get<uint64_t>());
  }
  out << fmt::format("  storage volumes ({}, default {})\n", c["storage_volumes"].size(),
                     c["default_storage_volume"].get<std::string>());
  for (const auto& v : c["storage_volumes"]) {
    std::string locations;
    for (const auto& l : v["locations"]) locations += (locations.empty() ? "" : ",") + l.get<std::string>();
    out << fmt::format("    {}  {}  {}\n", v["name"].get<std::string>(), v["type"].get<std::string>(), locations);
    if (!v["properties"].empty()) out << "      properties   " << KeyValues(v["properties"]) << "\n";
    if (!v["credentials"].empty()) out << "      credentials  " << KeyValues(v["credentials"]) << "\n";
  }
  out << fmt::format("  users {}, roles {}, frontends {}, compute nodes {}, snapshot jobs {}\n",
                     c["users"].get<uint64_t>(), c["roles"].get<uint64_t>(), c["frontends"].get<uint64_t>(),
                     c["compute_nodes"].get<uint64_t>(), c["snapshot_jobs"].get<uint64_t>());
}

// The lineage holding the complete snapshot `name`: a.cluster_id when given,
// else the only lineage that has one. NotFound / InvalidArgument (ambiguous).
Result<std::string> ResolveLineage(objstore::ObjectStore& store, const Args& a) {
  if (!a.cluster_id.empty()) return a.cluster_id;
  STRATA_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots(store, ""));
  std::vector<std::string> lineages;
  for (const auto& m : scan.snapshots) {
    if (m.name == a.name) lineages.push_back(m.cluster_id);
  }
  for (const auto& d : scan.debris) {
    if (d.name == a.name && lineages.empty()) return d.cluster_id;  // verify explains what is missing
  }
  if (lineages.empty()) return NotFound("no snapshot named " + a.name + " in " + a.volume);
  if (lineages.size() > 1) {
    return InvalidArgument("snapshot " + a.name + " exists in several lineages (" + lineages[0] + ", " +
                           lineages[1] + "...): give --cluster-id");
  }
  return lineages.front();
}

int ExitForResolveError(const Status& s, const char* command, const ToolEnv& env) {
  *env.err << "strata snapshot " << command << ": " << s.ToString() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? kToolExitUsage : kToolExitProblems;
}

int RunInspect(objstore::ObjectStore& store, const Args& a, const ToolEnv& env) {
  auto lineage = ResolveLineage(store, a);
  if (!lineage.ok()) return ExitForResolveError(lineage.status(), "inspect", env);
  auto m = ReadManifest(store, *lineage, a.name);
  if (!m.ok()) {
    *env.err << "strata snapshot inspect: " << m.status().ToString() << "\n";
    return kToolExitProblems;
  }
  auto catalog = ReadSnapshotCatalog(store, *m);
  if (a.json) {
    Json j{{"manifest", ManifestJson(*m)}};
    if (catalog.ok()) j["catalog"] = CatalogSummaryJson(catalog->state());
    if (!catalog.ok()) j["error"] = catalog.status().ToString();
    *env.out << j.dump(2) << "\n";
  } else {
    PrintManifestText(*env.out, *m);
    if (catalog.ok()) PrintCatalogText(*env.out, CatalogSummaryJson(catalog->state()));
  }
  if (!catalog.ok()) {
    *env.err << "strata snapshot inspect: " << catalog.status().ToString() << "\n";
    return kToolExitProblems;
  }
  return kToolExitOk;
}

// ---------------------------------------------------------------- verify

struct VerifyTargets {
  std::vector<std::pair<std::string, std::string>> snapshots;  // (cluster_id, name)
  std::vector<std::string> problems;                           // damaged manifests, nothing found
};

// --name: that snapshot; --all: every complete one; else the newest of each lineage.
Result<VerifyTargets> SelectTargets(objstore::ObjectStore& store, const Args& a) {
  VerifyTargets out;
  if (!a.name.empty()) {
    auto lineage = ResolveLineage(store, a);
    if (lineage.ok()) {
      out.snapshots.emplace_back(*lineage, a.name);
    } else if (lineage.status().code() == StatusCode::kNotFound) {
      out.problems.push_back(lineage.status().message());
    } else {
      return lineage.status();
    }
    return out;
  }
  STRATA_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots(store, a.cluster_id));
  for (const auto& d : scan.damaged) out.problems.push_back("damaged manifest: " + d);
  std::map<std::string, const Manifest*> newest;
  for (const auto& m : scan.snapshots) {
    if (a.all) out.snapshots.emplace_back(m.cluster_id, m.name);
    const Manifest*& n = newest[m.cluster_id];
    if (n == nullptr || std::tie(m.created_ms, m.version) >= std::tie(n->created_ms, n->version)) n = &m;
  }
  if (!a.all) {
    for (const auto& [lineage, m] : newest) out.snapshots.emplace_back(lineage, m->name);
  }
  if (out.snapshots.empty()) {
    out.problems.push_back("no complete snapshot in " + a.volume +
                           (a.cluster_id.empty() ? "" : " of cluster " + a.cluster_id));
  }
  return out;
}

Json VerdictJson(const SnapshotVerdict& v) {
  Json j{{"cluster_id", v.cluster_id}, {"name", v.name}, {"ok", v.ok()}};
  if (v.manifest) {
    j["type"] = v.manifest->type;
    j["version"] = v.manifest->version;
    j["created"] = FormatUtc(v.manifest->created_ms);
  }
  j["image_ok"] = v.image_ok;
  j["tablet_versions"] = v.tablet_versions;
  j["tablet_versions_checked"] = v.tablet_versions_checked;
  j["method"] = v.method;
  j["objects_checked"] = v.objects_checked;
  j["volumes"] = v.volumes;
  j["volumes_via_given"] = v.volumes_via_given;
  j["problems"] = v.problems;
  j["problems_not_listed"] = v.problems_not_listed;
  return j;
}

void PrintVerdictText(std::ostream& out, const SnapshotVerdict& v) {
  out << "snapshot " << v.cluster_id << "/" << v.name;
  if (v.manifest) {
    out << fmt::format(" ({}, version {}, created {})", v.manifest->type, v.manifest->version,
                       FormatUtc(v.manifest->created_ms));
  }
  out << "\n";
  if (v.image_ok) {
    out << fmt::format("  image            OK ({} bytes, CRC32C {:#010x})\n", v.manifest->image_bytes,
                       v.manifest->image_crc32c);
    std::string volumes;
    for (const auto& name : v.volumes) {
      const bool given = std::find(v.volumes_via_given.begin(), v.volumes_via_given.end(), name) !=
                         v.volumes_via_given.end();
      volumes += (volumes.empty() ? "" : ", ") + name + (given ? " (--volume)" : "");
    }
    out << fmt::format("  tablet versions  {} pinned, {} checked{}\n", v.tablet_versions, v.tablet_versions_checked,
                       volumes.empty() ? "" : " on " + volumes);
    out << fmt::format("  checked by       {}{}\n", v.method,
                       v.lists > 0 ? fmt::format(" ({} objects, {} lists)", v.objects_checked, v.lists) : "");
  }
  for (const auto& p : v.problems) out << "  PROBLEM  " << p << "\n";
  if (v.problems_not_listed > 0) out << "  ... and " << v.problems_not_listed << " more problems not listed\n";
  const uint64_t n = v.problems.size() + v.problems_not_listed;
  out << (v.ok() ? std::string("  OK") : fmt::format("  FAILED ({} problem{})", n, n == 1 ? "" : "s")) << "\n";
}

int RunVerify(objstore::ObjectStore& store, const Args& a, const ToolEnv& env) {
  auto targets = SelectTargets(store, a);
  if (!targets.ok()) return ExitForResolveError(targets.status(), "verify", env);
  const VerifyOptions options{.volume_location = a.volume, .parallel = a.parallel, .deep = a.deep};
  std::vector<SnapshotVerdict> verdicts;
  for (const auto& [lineage, name] : targets->snapshots) {
    verdicts.push_back(VerifySnapshot(store, lineage, name, options, env.open));
  }
  const size_t failed = std::count_if(verdicts.begin(), verdicts.end(), [](auto& v) { return !v.ok(); });
  const bool ok = failed == 0 && targets->problems.empty();
  if (a.json) {
    Json j{{"volume", a.volume}, {"ok", ok}, {"problems", targets->problems}, {"snapshots", Json::array()}};
    for (const auto& v : verdicts) j["snapshots"].push_back(VerdictJson(v));
    *env.out << j.dump(2) << "\n";
  } else {
    for (const auto& v : verdicts) PrintVerdictText(*env.out, v);
    for (const auto& p : targets->problems) *env.out << "PROBLEM  " << p << "\n";
    *env.out << fmt::format("verified {} snapshot{}: {}\n", verdicts.size(), verdicts.size() == 1 ? "" : "s",
                            ok ? "OK" : fmt::format("FAILED ({} failed, {} other problem{})", failed,
                                                    targets->problems.size(),
                                                    targets->problems.size() == 1 ? "" : "s"));
  }
  return ok ? kToolExitOk : kToolExitProblems;
}

}  // namespace

Result<std::shared_ptr<objstore::ObjectStore>> OpenToolStore(const objstore::VolumeSpec& spec) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> store, objstore::OpenObjectStore(spec));
  return std::shared_ptr<objstore::ObjectStore>(
      std::make_shared<objstore::RetryingObjectStore>(std::move(store), RetryPolicy{}));
}

std::string FormatUtc(int64_t ms) {
  if (ms <= 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return std::to_string(ms) + "ms";
  char buf[32];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return n == 0 ? std::to_string(ms) + "ms" : std::string(buf, n);
}

int RunSnapshotTool(const std::vector<std::string>& args, const ToolEnv& env) {
  STRATA_CHECK(env.out != nullptr && env.err != nullptr, "ToolEnv needs output streams");
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    *(args.empty() ? env.err : env.out) << kSnapshotToolUsage;
    return args.empty() ? kToolExitUsage : kToolExitOk;
  }
  auto parsed = ParseArgs(args, env);
  if (!parsed.ok()) {
    *env.err << "strata snapshot: " << parsed.status().message() << "\n" << kSnapshotToolUsage;
    return kToolExitUsage;
  }
  const Args& a = *parsed;
  if (!env.open) {
    *env.err << "strata snapshot: no way to open volumes\n";
    return kToolExitUsage;
  }
  auto store = env.open(a.spec);
  if (!store.ok()) {
    *env.err << "strata snapshot " << a.command << ": " << store.status().ToString() << "\n";
    const StatusCode code = store.status().code();
    return code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition ? kToolExitUsage
                                                                                           : kToolExitProblems;
  }
  if (a.command == "list") return RunList(**store, a, env);
  if (a.command == "inspect") return RunInspect(**store, a, env);
  if (a.command == "history") {
    return RunHistory(*store, HistoryCommand{.volume = a.volume, .cluster_id = a.cluster_id,
                                             .window_seconds = a.window_seconds, .json = a.json},
                      *env.out, *env.err);
  }
  if (a.command == "unpin") {
    Status s = DeleteClonePin(**store, a.cluster_id);
    if (!s.ok()) {
      *env.err << "strata snapshot unpin: " << s.ToString() << "\n";
      return kToolExitProblems;
    }
    *env.out << "released the pin of clone " << a.cluster_id << " (" << ClonePinKey(a.cluster_id) << ")\n";
    return kToolExitOk;
  }
  return RunVerify(**store, a, env);
}

}  // namespace strata::snapshot

#include "server/drill_command.h"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "objstore/retry/retrying_object_store.h"
#include "server/fe_config.h"
#include "server/fe_main.h"

namespace strata::server {
namespace {

constexpr const char* kDrillUsage =
    "usage: strata drill [--conf PATH] [--json] [--keep-clone]\n"
    "  restores the newest snapshot of the cluster in fe.conf as a clone into a scratch lineage on the same\n"
    "  volume, verifies it, compares each table's row count and checksum with the source at the snapshot,\n"
    "  reports the recovery time and removes the clone (--keep-clone leaves it for inspection)\n"
    "  --conf PATH   fe.conf (default conf/fe.conf)\n"
    "  --json        machine-readable report\n";

Result<std::shared_ptr<objstore::ObjectStore>> OpenRetrying(const objstore::VolumeSpec& spec) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<objstore::ObjectStore> store, objstore::OpenObjectStore(spec));
  return std::shared_ptr<objstore::ObjectStore>(
      std::make_shared<objstore::RetryingObjectStore>(std::move(store), RetryPolicy{}));
}

}  // namespace

std::string DrillReportJson(const restore::DrillReport& r) {
  nlohmann::ordered_json canaries = nlohmann::ordered_json::array();
  for (const auto& c : r.canaries) {
    canaries.push_back({{"table", c.table}, {"ok", c.ok()}, {"source_rows", c.source_rows},
                        {"clone_rows", c.clone_rows}, {"source_checksum", fmt::format("{:016x}", c.source_checksum)},
                        {"clone_checksum", fmt::format("{:016x}", c.clone_checksum)}});
  }
  nlohmann::ordered_json j{{"ok", r.ok()},
                           {"cluster_name", r.cluster_name},
                           {"source_cluster_id", r.source_cluster_id},
                           {"snapshot_name", r.snapshot_name},
                           {"snapshot_version", r.snapshot_version},
                           {"scratch_name", r.scratch_name},
                           {"clone_cluster_id", r.clone_cluster_id},
                           {"started_ms", r.started_ms},
                           {"recovery_ms", r.restore_ms},
                           {"verify_ms", r.verify_ms},
                           {"canary_ms", r.canary_ms},
                           {"cleanup_ms", r.cleanup_ms},
                           {"total_ms", r.total_ms},
                           {"tablet_versions", r.tablet_versions},
                           {"verify_ok", r.verify_ok},
                           {"verify_problems", r.verify_problems},
                           {"canaries", canaries},
                           {"cleaned_up", r.cleaned_up},
                           {"objects_removed", r.objects_removed},
                           {"problems", r.problems}};
  return j.dump(2);
}

void PrintDrillReport(std::ostream& out, const restore::DrillReport& r) {
  out << fmt::format("drill of cluster {} (lineage {})\n", r.cluster_name, r.source_cluster_id);
  out << fmt::format("  snapshot        {} (version {})\n", r.snapshot_name, r.snapshot_version);
  out << fmt::format("  clone           {} as cluster {}{}\n", r.clone_cluster_id.empty() ? "-" : r.clone_cluster_id,
                     r.scratch_name, r.cleaned_up ? fmt::format(" (removed: {} objects)", r.objects_removed)
                                                  : " (NOT removed)");
  out << fmt::format("  recovery time   {} ms (restore: {} tablet versions checked)\n", r.restore_ms,
                     r.tablet_versions);
  out << fmt::format("  verify          {} in {} ms\n", r.verify_ok ? "OK" : "FAILED", r.verify_ms);
  for (const auto& p : r.verify_problems) out << "    PROBLEM  " << p << "\n";
  out << fmt::format("  canaries        {} table(s) in {} ms\n", r.canaries.size(), r.canary_ms);
  for (const auto& c : r.canaries) {
    out << fmt::format("    {:<40} {}  rows {} / {}  checksum {:016x} / {:016x}  (clone / source)\n", c.table,
                       c.ok() ? "OK      " : "MISMATCH", c.clone_rows, c.source_rows, c.clone_checksum,
                       c.source_checksum);
  }
  for (const auto& p : r.problems) out << "  PROBLEM  " << p << "\n";
  out << fmt::format("  {} in {} ms\n", r.ok() ? "PASSED" : "FAILED", r.total_ms);
}

int RunDrillCommand(const std::vector<std::string>& args) {
  std::string conf = "conf/fe.conf";
  bool json = false;
  bool keep = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kDrillUsage;
      return kExitOk;
    } else if (a == "--conf" && i + 1 < args.size()) {
      conf = args[++i];
    } else if (a.rfind("--conf=", 0) == 0) {
      conf = a.substr(7);
    } else if (a == "--json") {
      json = true;
    } else if (a == "--keep-clone") {
      keep = true;
    } else {
      std::cerr << "strata drill: unknown argument '" << a << "'\n" << kDrillUsage;
      return kExitUsage;
    }
  }
  Result<FeConfig> fe = LoadFeConfig(conf);
  if (!fe.ok()) {
    std::cerr << "strata drill: " << conf << ": " << fe.status().ToString() << "\n";
    return kExitUsage;
  }
  if (fe->volume.location.rfind("s3://", 0) != 0) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(fe->volume.location, ec);
    if (!ec) fe->volume.location = abs.lexically_normal().string();
  }
  auto store = OpenRetrying(fe->volume);
  if (!store.ok()) {
    std::cerr << "strata drill: open the volume: " << store.status().ToString() << "\n";
    return kExitFailure;
  }
  auto report = restore::RunDrill(restore::DrillOptions{.meta_store = *store, .meta_volume = fe->volume,
                                                        .cluster_name = fe->cluster_name, .open = OpenRetrying,
                                                        .keep_clone = keep});
  if (!report.ok()) {
    std::cerr << "strata drill: " << report.status().ToString() << "\n";
    return kExitFailure;
  }
  if (json) {
    std::cout << DrillReportJson(*report) << "\n";
  } else {
    PrintDrillReport(std::cout, *report);
  }
  return report->ok() ? kExitOk : kExitFailure;
}

}  // namespace strata::server

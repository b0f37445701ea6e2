#include "restore/restored_catalog.h"

#include <algorithm>

namespace strata::restore {
namespace {

bool IsRunning(const std::string& state) {
  return state == "INITIALIZING" || state == "SNAPSHOTING" || state == "UPLOADING";
}

// Every job is marked as living in the lineage it was taken in; the restored
// snapshot's job is FINISHED (added if the image lacks it); jobs that were
// still running become ERROR.
void FixJobs(meta::CatalogState& s, const std::string& source, const snapshot::Manifest& m, const std::string& key) {
  bool found = false;
  for (auto& [id, job] : s.snapshot_jobs) {
    if (job.cluster_id.empty()) job.cluster_id = source;
    if (!m.name.empty() && job.name == m.name && job.cluster_id == m.cluster_id) {
      found = true;
      job.state = "FINISHED";
      job.finished_ms = m.completed_ms;
      job.snapshot_version = m.version;
      job.storage_volume = m.storage_volume;
      job.error.clear();
      job.detail = "restored from this snapshot (restore " + key + ")";
    } else if (IsRunning(job.state)) {
      job.state = "ERROR";
      job.error = "interrupted: the cluster was restored (restore " + key + ")";
    }
  }
  if (!found && !m.name.empty()) {
    const uint64_t id = s.next_id++;
    s.snapshot_jobs[id] = meta::SnapshotJob{
        .name = m.name, .job_id = id, .type = m.type == "MANUAL" ? meta::SnapshotType::kManual
                                                                  : meta::SnapshotType::kAutomated,
        .state = "FINISHED", .created_ms = m.created_ms, .finished_ms = m.completed_ms,
        .storage_volume = m.storage_volume, .snapshot_version = m.version,
        .detail = "restored from this snapshot (restore " + key + ")", .cluster_id = m.cluster_id};
  }

}

}  // namespace

Result<meta::Catalog> BuildRestoredCatalog(const meta::CatalogState& image, const ClusterSnapshotConfig& config,
                                           const RestoredFrom& from) {
  meta::CatalogState s = image;
  const snapshot::Manifest& m = from.manifest;

  for (const auto& v : config.storage_volumes) s.storage_volumes[v.name] = v;

  // No leader: the first FE of the restored lineage takes over at once instead
  // of waiting out the lease of a leader that belongs to the source.
  s.leader.clear();
  s.frontends.clear();
  for (const auto& fe : config.frontends) {
    meta::Frontend f{.name = fe.host + ":" + std::to_string(fe.edit_log_port), .host = fe.host,
                     .edit_log_port = fe.edit_log_port, .role = fe.role};
    s.frontends[f.name] = f;
  }
  s.compute_nodes.clear();
  for (const auto& cn : config.compute_nodes) {
    const uint64_t id = s.next_id++;
    s.compute_nodes[id] = meta::ComputeNode{.id = id, .host = cn.host, .heartbeat_port = cn.heartbeat_service_port};
  }

  FixJobs(s, from.source_cluster_id, m, from.key);

  meta::LineageState lineage;
  lineage.restored_from_cluster_id = from.source_cluster_id;
  lineage.restored_from_snapshot = m.name;
  lineage.restored_from_version = s.version;
  lineage.restore_mode = std::string(RestoreModeName(from.mode));
  lineage.restore_key = from.key;
  lineage.restored_ms = from.restored_ms;
  if (from.mode == RestoreMode::kTakeover) {
    lineage.adopted_lineages = image.lineage.adopted_lineages;
    for (const std::string& id : {from.source_cluster_id, from.replaced_cluster_id}) {
      if (id.empty()) continue;
      if (std::find(lineage.adopted_lineages.begin(), lineage.adopted_lineages.end(), id) ==
          lineage.adopted_lineages.end()) {
        lineage.adopted_lineages.push_back(id);
      }
    }
  }
  s.lineage = std::move(lineage);
  return meta::Catalog::FromState(std::move(s));
}

}  // namespace strata::restore

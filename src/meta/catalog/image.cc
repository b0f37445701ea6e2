// The catalog image: format version + CatalogState's persisted fields
// (docs/formats/meta-catalog.md), and the integrity check that rebuilds the
// derived indexes after decoding.
#include <string>

#include "meta/catalog/internal.h"
#include "meta/catalog/serde.h"

namespace strata::meta::internal {
namespace {

Status Corrupt(const std::string& what) { return DataLoss("catalog image: " + what); }

Status CheckId(const CatalogState& s, uint64_t id, const char* what) {
  if (id == 0 || id >= s.next_id) {
    return Corrupt(std::string(what) + " id " + std::to_string(id) + " outside [1, next_id " +
                   std::to_string(s.next_id) + ")");
  }
  return Status::OK();
}

Status RebuildTables(CatalogState* s) {
  for (auto& [id, db] : s->databases) {
    STRATA_RETURN_IF_ERROR(CheckId(*s, id, "database"));
    if (db.id != id) return Corrupt("database key " + std::to_string(id) + " holds id " + std::to_string(db.id));
    if (!s->database_ids.emplace(db.name, id).second) return Corrupt("duplicate database " + db.name);
    db.table_ids.clear();
  }
  for (auto& [id, t] : s->tables) {
    STRATA_RETURN_IF_ERROR(CheckId(*s, id, "table"));
    if (t.id != id) return Corrupt("table key " + std::to_string(id) + " holds id " + std::to_string(t.id));
    auto db = s->databases.find(t.db_id);
    if (db == s->databases.end()) return Corrupt("table " + t.name + " in missing database");
    if (!db->second.table_ids.emplace(t.name, id).second) return Corrupt("duplicate table " + t.name);
    if (t.bucket_count == 0 || t.bucket_count > kMaxBuckets) return Corrupt("table " + t.name + " bucket count");
    t.partition_ids.clear();
  }
  return Status::OK();
}

Status RebuildPartitions(CatalogState* s) {
  for (auto& [id, p] : s->partitions) {
    STRATA_RETURN_IF_ERROR(CheckId(*s, id, "partition"));
    if (p.id != id) return Corrupt("partition key " + std::to_string(id) + " holds id " + std::to_string(p.id));
    auto t = s->tables.find(p.table_id);
    if (t == s->tables.end()) return Corrupt("partition " + p.name + " of missing table");
    if (!t->second.partition_ids.emplace(p.name, id).second) return Corrupt("duplicate partition " + p.name);
    if (p.tablet_ids.size() != t->second.bucket_count) return Corrupt("partition " + p.name + " tablet count");
    if (p.tablet_meta.size() != p.tablet_ids.size()) return Corrupt("partition " + p.name + " tablet_meta count");
    if (p.visible_version == 0 || p.next_version <= p.visible_version) {
      return Corrupt("partition " + p.name + " versions");
    }
    for (uint32_t b = 0; b < p.tablet_ids.size(); ++b) {
      uint64_t tid = p.tablet_ids[b];
      STRATA_RETURN_IF_ERROR(CheckId(*s, tid, "tablet"));
      auto [it, inserted] = s->tablets.emplace(tid, Tablet{.id = tid, .partition_id = id, .bucket_index = b});
      if (!inserted) return Corrupt("tablet " + std::to_string(tid) + " in two partitions");
    }
  }
  return Status::OK();
}

Status CheckAccess(const CatalogState& s) {
  for (const auto& [key, u] : s.users) {
    if (!(key == u.identity)) return Corrupt("user key mismatch for " + ToString(u.identity));
    for (const auto& r : u.roles) {
      if (!s.roles.contains(r)) return Corrupt("user " + ToString(u.identity) + " has missing role " + r);
    }
  }
  for (const auto& [name, r] : s.roles) {
    if (r.name != name) return Corrupt("role key mismatch for " + name);
  }
  return Status::OK();
}

Status CheckCluster(const CatalogState& s) {
  for (const auto& [name, v] : s.storage_volumes) {
    if (v.name != name) return Corrupt("storage volume key mismatch for " + name);
  }
  if (!s.default_storage_volume.empty() && !s.storage_volumes.contains(s.default_storage_volume)) {
    return Corrupt("missing default storage volume " + s.default_storage_volume);
  }
  for (const auto& [name, fe] : s.frontends) {
    if (fe.name != name) return Corrupt("frontend key mismatch for " + name);
  }
  for (const auto& [id, cn] : s.compute_nodes) {
    STRATA_RETURN_IF_ERROR(CheckId(s, id, "compute node"));
    if (cn.id != id) return Corrupt("compute node key mismatch for " + std::to_string(id));
  }
  for (const auto& [id, job] : s.snapshot_jobs) {
    STRATA_RETURN_IF_ERROR(CheckId(s, id, "snapshot job"));
    if (job.job_id != id) return Corrupt("snapshot job key mismatch for " + std::to_string(id));
  }
  return Status::OK();
}

}  // namespace

Status RebuildIndexes(CatalogState* s) {
  s->database_ids.clear();
  s->tablets.clear();
  STRATA_RETURN_IF_ERROR(RebuildTables(s));
  STRATA_RETURN_IF_ERROR(RebuildPartitions(s));
  STRATA_RETURN_IF_ERROR(CheckAccess(*s));
  return CheckCluster(*s);
}

std::string EncodeImage(const CatalogState& state) {
  Encoder e;
  e.PutVarint(kImageFormatVersion);
  serde::Put(e, state);
  return e.Take();
}

Result<CatalogState> DecodeImage(std::string_view bytes) {
  Decoder d(bytes);
  uint64_t format = 0;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&format).WithContext("catalog image format version"));
  if (format != kImageFormatVersion) {
    return Corrupt("unsupported format version " + std::to_string(format) + " (this binary reads " +
                   std::to_string(kImageFormatVersion) + ")");
  }
  CatalogState state;
  STRATA_RETURN_IF_ERROR(serde::Get(d, &state).WithContext("catalog image"));
  if (!d.empty()) return Corrupt(std::to_string(d.remaining()) + " trailing bytes");
  STRATA_RETURN_IF_ERROR(RebuildIndexes(&state));
  return state;
}

}  // namespace strata::meta::internal

// Apply for databases, tables and partitions. Every function validates the
// whole change before its first mutation, so a rejected change leaves the
// state as it was.
#include <algorithm>
#include <set>
#include <string>

#include "meta/catalog/internal.h"
#include "meta/catalog/table_rules.h"

namespace strata::meta::internal {
namespace {

Status NoDatabase(std::string_view db) { return NotFound("database " + std::string(db) + " does not exist"); }
Status NoTable(std::string_view db, std::string_view t) {
  return NotFound("table " + std::string(db) + "." + std::string(t) + " does not exist");
}

// Finds db.table or says which part is missing.
Result<Table*> LookupTable(CatalogState& s, std::string_view db_name, std::string_view name) {
  Database* db = FindDatabase(s, db_name);
  if (db == nullptr) return NoDatabase(db_name);
  Table* t = FindTable(s, *db, name);
  if (t == nullptr) return NoTable(db_name, name);
  return t;
}

void RemovePartition(CatalogState& s, Table& t, uint64_t partition_id) {
  auto it = s.partitions.find(partition_id);
  if (it == s.partitions.end()) return;
  for (uint64_t tablet : it->second.tablet_ids) s.tablets.erase(tablet);
  t.partition_ids.erase(it->second.name);
  s.partitions.erase(it);
}

void RemoveTable(CatalogState& s, uint64_t table_id) {
  auto it = s.tables.find(table_id);
  if (it == s.tables.end()) return;
  Table& t = it->second;
  while (!t.partition_ids.empty()) RemovePartition(s, t, t.partition_ids.begin()->second);
  if (auto db = s.databases.find(t.db_id); db != s.databases.end()) db->second.table_ids.erase(t.name);
  s.tables.erase(it);
}

// Gives `p` bucket_count fresh tablet ids (ids must have been checked).
void AllocateTablets(CatalogState& s, const Table& t, Partition& p) {
  p.tablet_ids.clear();
  p.tablet_ids.reserve(t.bucket_count);
  p.tablet_meta.assign(t.bucket_count, std::string());
  for (uint32_t b = 0; b < t.bucket_count; ++b) {
    uint64_t id = AllocateId(s);
    p.tablet_ids.push_back(id);
    s.tablets.emplace_hint(s.tablets.end(), id, Tablet{.id = id, .partition_id = p.id, .bucket_index = b});
  }
}

// Allocates the partition id, then its tablets (ids must have been checked).
uint64_t AddPartitionUnchecked(CatalogState& s, Table& t, const PartitionDef& def) {
  Partition p{.id = AllocateId(s), .table_id = t.id, .name = def.name, .lower = def.lower, .upper = def.upper};
  AllocateTablets(s, t, p);
  t.partition_ids[p.name] = p.id;
  uint64_t id = p.id;
  s.partitions.emplace(id, std::move(p));
  return id;
}

Status CheckTabletBudget(const CatalogState& s, uint64_t partitions, uint32_t buckets) {
  if (partitions > kMaxPartitionsPerChange || partitions * buckets > kMaxTabletsPerChange) {
    return InvalidArgument(std::to_string(partitions) + " partitions of " + std::to_string(buckets) +
                           " buckets exceed the per-change limit of " + std::to_string(kMaxTabletsPerChange) +
                           " tablets");
  }
  return CheckIdsAvailable(s, 1 + partitions + partitions * buckets);
}

Status ValidateNewPartitions(const Table& t, const std::vector<PartitionDef>& defs) {
  if (t.partition_columns.empty()) {
    if (!defs.empty()) return InvalidArgument("table " + t.name + " has no partition columns but lists partitions");
    return Status::OK();
  }
  std::set<std::string> names;
  std::vector<const PartitionDef*> sorted;
  for (const auto& def : defs) {
    STRATA_RETURN_IF_ERROR(ValidatePartitionBounds(t, def));
    if (!names.insert(def.name).second) return InvalidArgument("duplicate partition " + def.name);
    sorted.push_back(&def);
  }
  // Sorted by lower bound, any overlap shows between neighbours.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const PartitionDef* a, const PartitionDef* b) { return CompareLower(t, a->lower, b->lower) < 0; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const PartitionDef& a = *sorted[i - 1];
    const PartitionDef& b = *sorted[i];
    if (RangesOverlap(t, a.lower, a.upper, b.lower, b.upper)) {
      return InvalidArgument("partition " + b.name + " range " + FormatRange(b.lower, b.upper) +
                             " overlaps partition " + a.name + " " + FormatRange(a.lower, a.upper));
    }
  }
  return Status::OK();
}

Result<std::string> ResolveVolume(const CatalogState& s, const std::string& requested) {
  if (requested.empty()) return s.default_storage_volume;
  if (!s.storage_volumes.contains(requested)) return NotFound("storage volume " + requested + " does not exist");
  return requested;
}

}  // namespace

Result<uint64_t> Apply(CatalogState& s, const CreateDatabase& c, const ApplyContext& ctx) {
  STRATA_RETURN_IF_ERROR(CheckName("database", c.name));
  if (auto it = s.database_ids.find(c.name); it != s.database_ids.end()) {
    if (c.if_not_exists) return it->second;
    return AlreadyExists("database " + c.name + " already exists");
  }
  STRATA_RETURN_IF_ERROR(CheckIdsAvailable(s, 1));
  uint64_t id = AllocateId(s);
  s.databases[id] = Database{.id = id, .name = c.name, .create_time_ms = ctx.commit_time_ms};
  s.database_ids[c.name] = id;
  return id;
}

Result<uint64_t> Apply(CatalogState& s, const DropDatabase& c, const ApplyContext&) {
  Database* db = FindDatabase(s, c.name);
  if (db == nullptr) {
    if (c.if_exists) return uint64_t{0};
    return NoDatabase(c.name);
  }
  while (!db->table_ids.empty()) RemoveTable(s, db->table_ids.begin()->second);
  s.database_ids.erase(c.name);
  s.databases.erase(db->id);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const CreateTable& c, const ApplyContext& ctx) {
  Database* db = FindDatabase(s, c.db);
  if (db == nullptr) return NoDatabase(c.db);
  STRATA_RETURN_IF_ERROR(CheckName("table", c.name));
  if (Table* existing = FindTable(s, *db, c.name); existing != nullptr) {
    if (c.if_not_exists) return existing->id;
    return AlreadyExists("table " + c.db + "." + c.name + " already exists");
  }
  Table t{.db_id = db->id, .name = c.name, .columns = c.columns, .key_type = c.key_type,
          .partition_columns = c.partition_columns, .distribution_columns = c.distribution_columns,
          .bucket_count = c.bucket_count, .properties = c.properties, .create_time_ms = ctx.commit_time_ms};
  STRATA_RETURN_IF_ERROR(ValidateTableShape(t));
  STRATA_RETURN_IF_ERROR(CheckTabletBudget(s, std::max<size_t>(c.partitions.size(), 1), t.bucket_count));
  STRATA_RETURN_IF_ERROR(ValidateNewPartitions(t, c.partitions));
  STRATA_ASSIGN_OR_RETURN(t.storage_volume, ResolveVolume(s, c.storage_volume));
  std::vector<PartitionDef> defs = c.partitions;
  if (t.partition_columns.empty()) defs.push_back(PartitionDef{.name = c.name});

  t.id = AllocateId(s);
  uint64_t id = t.id;
  Table& stored = s.tables.emplace(id, std::move(t)).first->second;
  db->table_ids[c.name] = id;
  for (const auto& def : defs) AddPartitionUnchecked(s, stored, def);
  return id;
}

Result<uint64_t> Apply(CatalogState& s, const DropTable& c, const ApplyContext&) {
  auto t = LookupTable(s, c.db, c.name);
  if (!t.ok()) {
    if (c.if_exists && t.status().code() == StatusCode::kNotFound) return uint64_t{0};
    return t.status();
  }
  RemoveTable(s, (*t)->id);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const AddPartition& c, const ApplyContext&) {
  STRATA_ASSIGN_OR_RETURN(Table * t, LookupTable(s, c.db, c.table));
  if (t->partition_columns.empty()) {
    return FailedPrecondition("table " + c.db + "." + c.table + " is not range partitioned");
  }
  const PartitionDef& def = c.partition;
  if (auto it = t->partition_ids.find(def.name); it != t->partition_ids.end()) {
    if (c.if_not_exists) return it->second;
    return AlreadyExists("partition " + def.name + " already exists in table " + c.db + "." + c.table);
  }
  STRATA_RETURN_IF_ERROR(ValidatePartitionBounds(*t, def));
  for (const auto& [name, id] : t->partition_ids) {
    const Partition& p = s.partitions.at(id);
    if (RangesOverlap(*t, def.lower, def.upper, p.lower, p.upper)) {
      return InvalidArgument("partition " + def.name + " range " + FormatRange(def.lower, def.upper) +
                             " overlaps partition " + name + " " + FormatRange(p.lower, p.upper));
    }
  }
  STRATA_RETURN_IF_ERROR(CheckTabletBudget(s, 1, t->bucket_count));
  return AddPartitionUnchecked(s, *t, def);
}

Result<uint64_t> Apply(CatalogState& s, const DropPartition& c, const ApplyContext&) {
  STRATA_ASSIGN_OR_RETURN(Table * t, LookupTable(s, c.db, c.table));
  auto it = t->partition_ids.find(c.name);
  if (it == t->partition_ids.end()) {
    if (c.if_exists) return uint64_t{0};
    return NotFound("partition " + c.name + " does not exist in table " + c.db + "." + c.table);
  }
  if (t->partition_columns.empty()) {
    return FailedPrecondition("table " + c.db + "." + c.table + " is not partitioned; drop the table instead");
  }
  RemovePartition(s, *t, it->second);
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const TruncateTable& c, const ApplyContext&) {
  STRATA_ASSIGN_OR_RETURN(Table * t, LookupTable(s, c.db, c.table));
  std::set<uint64_t> targets;
  for (const auto& name : c.partitions) {
    auto it = t->partition_ids.find(name);
    if (it == t->partition_ids.end()) {
      return NotFound("partition " + name + " does not exist in table " + c.db + "." + c.table);
    }
    targets.insert(it->second);
  }
  if (c.partitions.empty()) {
    for (const auto& [name, id] : t->partition_ids) targets.insert(id);
  }
  STRATA_RETURN_IF_ERROR(CheckTabletBudget(s, targets.size(), t->bucket_count));
  for (uint64_t id : targets) {
    Partition& p = s.partitions.at(id);
    for (uint64_t tablet : p.tablet_ids) s.tablets.erase(tablet);
    AllocateTablets(s, *t, p);
    p.visible_version = 1;
    p.next_version = 2;
  }
  return uint64_t{0};
}

Result<uint64_t> Apply(CatalogState& s, const CommitPartitionVersion& c, const ApplyContext&) {
  auto it = s.partitions.find(c.partition_id);
  if (it == s.partitions.end()) {
    return NotFound("partition id " + std::to_string(c.partition_id) + " does not exist");
  }
  Partition& p = it->second;
  if (p.visible_version == UINT64_MAX - 1 || c.version != p.visible_version + 1) {
    return FailedPrecondition("partition " + p.name + " (id " + std::to_string(p.id) + "): version " +
                              std::to_string(c.version) + " is not visible version " +
                              std::to_string(p.visible_version) + " + 1");
  }
  p.visible_version = c.version;
  p.next_version = std::max(p.next_version, c.version + 1);
  return uint64_t{0};
}

}  // namespace strata::meta::internal

// Apply for CommitTxn: loads, deletes and compactions becoming visible.
// Validates the whole change first (table, label, every tablet's base), then
// mutates, so a rejected commit leaves the state as it was.
#include <set>
#include <string>

#include "meta/catalog/internal.h"

namespace strata::meta::internal {
namespace {

// Drops labels older than kLoadLabelKeepMs. Deterministic: it depends only on
// the state and the commit time recorded in the log.
void ExpireLabels(CatalogState& s, int64_t now_ms) {
  for (auto it = s.load_labels.begin(); it != s.load_labels.end();) {
    if (now_ms - it->second.commit_time_ms > kLoadLabelKeepMs) {
      it = s.load_labels.erase(it);
    } else {
      ++it;
    }
  }
}

Status CheckShape(const CommitTxn& c) {
  if (c.txn_id.empty() || c.txn_id.size() > kMaxNameBytes) return InvalidArgument("commit_txn: bad txn_id");
  if (c.label.size() > kMaxNameBytes) return InvalidArgument("label is longer than 256 bytes");
  if (c.tablets.empty()) return InvalidArgument("commit_txn " + c.txn_id + " changes no tablet");
  if (c.tablets.size() > kMaxTabletsPerTxn) return InvalidArgument("commit_txn " + c.txn_id + ": too many tablets");
  std::set<uint64_t> seen;
  for (const auto& u : c.tablets) {
    if (u.new_meta.empty() || u.new_meta.size() > kMaxObjectKeyBytes || u.base_meta.size() > kMaxObjectKeyBytes) {
      return InvalidArgument("commit_txn " + c.txn_id + ": bad tablet metadata key for tablet " +
                             std::to_string(u.tablet_id));
    }
    if (!seen.insert(u.tablet_id).second) {
      return InvalidArgument("commit_txn " + c.txn_id + ": tablet " + std::to_string(u.tablet_id) + " twice");
    }
  }
  return Status::OK();
}

}  // namespace

Result<uint64_t> Apply(CatalogState& s, const CommitTxn& c, const ApplyContext& ctx) {
  STRATA_RETURN_IF_ERROR(CheckShape(c));
  auto table = s.tables.find(c.table_id);
  if (table == s.tables.end()) {
    return NotFound("table id " + std::to_string(c.table_id) + " does not exist (dropped during the load?)");
  }
  const uint64_t db_id = table->second.db_id;
  const std::string label_key = LoadLabelKey(db_id, c.label);
  if (!c.label.empty() && s.load_labels.contains(label_key)) {
    return AlreadyExists("Label [" + c.label + "] has already been used");
  }
  // Every tablet must still be in the table, at the base the writer built on.
  std::set<uint64_t> partitions;
  for (const auto& u : c.tablets) {
    auto tablet = s.tablets.find(u.tablet_id);
    if (tablet == s.tablets.end()) {
      return Aborted("tablet " + std::to_string(u.tablet_id) + " no longer exists (table truncated or dropped)");
    }
    const Partition& p = s.partitions.at(tablet->second.partition_id);
    if (p.table_id != c.table_id) {
      return InvalidArgument("tablet " + std::to_string(u.tablet_id) + " is not in table " +
                             std::to_string(c.table_id));
    }
    if (p.tablet_meta[tablet->second.bucket_index] != u.base_meta) {
      return Aborted("tablet " + std::to_string(u.tablet_id) + " changed since the transaction read it; retry");
    }
    if (p.visible_version >= UINT64_MAX - 2) return FailedPrecondition("partition " + p.name + " version overflow");
    partitions.insert(p.id);
  }
  if (!c.label.empty() && s.load_labels.size() >= kLoadLabelsMax) {
    ExpireLabels(s, ctx.commit_time_ms);
    if (s.load_labels.size() >= kLoadLabelsMax) return ResourceExhausted("too many load labels kept");
  }
  // Mutate.
  for (const auto& u : c.tablets) {
    const Tablet& tablet = s.tablets.at(u.tablet_id);
    s.partitions.at(tablet.partition_id).tablet_meta[tablet.bucket_index] = u.new_meta;
  }
  for (uint64_t id : partitions) {
    Partition& p = s.partitions.at(id);
    p.visible_version = std::max(p.visible_version, p.next_version - 1) + 1;
    p.next_version = p.visible_version + 1;
  }
  ExpireLabels(s, ctx.commit_time_ms);
  if (!c.label.empty()) {
    s.load_labels[label_key] = LoadLabel{.db_id = db_id, .label = c.label, .txn_id = c.txn_id,
                                         .table_id = c.table_id, .kind = c.kind, .rows = c.rows,
                                         .commit_time_ms = ctx.commit_time_ms, .version = ctx.version};
  }
  return uint64_t{0};
}

}  // namespace strata::meta::internal

#include "storage/compaction.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "common/check.h"
#include "common/failpoint.h"
#include "storage/data_file_writer.h"
#include "storage/tablet_io.h"

namespace strata::storage {
namespace {

// The merged rowset file is the only data file a compaction writes.
constexpr uint32_t kMergedDataFileSeq = 0;

struct MergedRowset {
  std::optional<RowsetMeta> rowset;  // nullopt: every row of the run was deleted
  uint64_t input_rows = 0;           // before deletes
};

// Streams rowsets [plan.first, plan.last) of `base`, with `applied` deletes,
// into one data file and stores it. Nothing is stored unless every input row
// group was read and verified.
Result<MergedRowset> WriteMerged(objstore::ObjectStore& store, std::string_view lineage, const TabletMeta& base,
                                 const CompactionPlan& plan, std::span<const DeletePredicate> applied,
                                 std::string_view txn_id) {
  MergedRowset out;
  for (size_t i = plan.first; i < plan.last; ++i) out.input_rows += base.rowsets[i].rows;
  STRATA_ASSIGN_OR_RETURN(auto writer, DataFileWriter::Create(base.schema));
  uint64_t rows_kept = 0;
  // The inputs are about to be replaced: not kept in the in-memory chunk cache.
  STRATA_RETURN_IF_ERROR(ScanRowsets(store, base, plan.first, plan.last, applied, {.keep_in_memory = false},
                                     [&](std::vector<ColumnVector>&& cols) -> Status {
                                       STRATA_CHECK_EQ(cols.size(), base.schema.size());
                                       if (cols[0].size() == 0) return Status::OK();
                                       rows_kept += cols[0].size();
                                       return writer->Append(cols);
                                     }));
  // Rows are never lost or invented: every row read went into the writer.
  STRATA_CHECK_EQ(writer->num_rows(), rows_kept);
  STRATA_CHECK_LE(rows_kept, out.input_rows);
  if (rows_kept == 0) return out;
  STRATA_ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
  std::string key = DataFileKey(lineage, base.tablet_id, txn_id, kMergedDataFileSeq);
  STRATA_RETURN_IF_ERROR(PutDataFile(store, key, bytes));
  out.rowset = RowsetMeta{.data_file = std::move(key),
                          .rows = rows_kept,
                          .size_bytes = bytes.size(),
                          .version = base.rowsets[plan.last - 1].version};
  return out;
}

// The version after `base`: the merged rowset replaces the run; the deletes
// the merge applied are dropped.
TabletMeta CompactedVersion(const TabletMeta& base, const CompactionPlan& plan, std::string_view txn_id,
                            const std::optional<RowsetMeta>& merged, uint64_t newest) {
  TabletMeta next;
  next.tablet_id = base.tablet_id;
  next.version = base.version + 1;
  next.txn_id = std::string(txn_id);
  next.schema = base.schema;
  if (merged) next.rowsets.push_back(*merged);
  next.rowsets.insert(next.rowsets.end(), base.rowsets.begin() + static_cast<ptrdiff_t>(plan.last),
                      base.rowsets.end());
  for (const auto& d : base.deletes) {
    if (d.version > newest) next.deletes.push_back(d);
  }
  return next;
}

}  // namespace

CompactionPlan PlanCompaction(const TabletMeta& base, const CompactionPolicy& policy) {
  CompactionPlan plan;
  uint64_t bytes = 0;
  size_t last = 0;
  while (last < base.rowsets.size() && last < policy.input_rowsets_max) {
    const uint64_t size = base.rowsets[last].size_bytes;
    if (size > policy.input_bytes_max - bytes) break;  // bytes <= input_bytes_max always
    bytes += size;
    ++last;
  }
  plan.first = 0;
  plan.last = last;
  if (last == 0) return plan;
  const uint64_t oldest = base.rowsets[0].version;
  const uint64_t newest = base.rowsets[last - 1].version;
  const bool enough_rowsets = last >= 2 && base.rowsets.size() >= policy.min_rowsets;
  const bool covers_deletes = std::any_of(base.deletes.begin(), base.deletes.end(), [&](const DeletePredicate& d) {
    return d.version > oldest && d.version <= newest;
  });
  plan.worth_it = enough_rowsets || covers_deletes;
  return plan;
}

Result<CompactionOutput> CompactTablet(objstore::ObjectStore& store, std::string_view lineage, uint64_t tablet_id,
                                       std::string_view base_meta_key, std::string_view txn_id,
                                       const CompactionPolicy& policy) {
  if (lineage.empty()) return InvalidArgument("compaction needs a lineage");
  if (!TxnIdTimeMs(txn_id)) return InvalidArgument("compaction txn id '" + std::string(txn_id) + "' is not one");
  const std::string context = "compact tablet " + std::to_string(tablet_id) + " at " + std::string(base_meta_key);
  auto base = ReadTabletMeta(store, base_meta_key, tablet_id);
  if (!base.ok()) return base.status().WithContext(context);
  const CompactionPlan plan = PlanCompaction(*base, policy);
  CompactionOutput out;
  if (!plan.worth_it) return out;
  STRATA_CHECK(plan.first == 0 && plan.first < plan.last && plan.last <= base->rowsets.size(), "bad plan");

  const uint64_t newest = base->rowsets[plan.last - 1].version;
  std::vector<DeletePredicate> applied;
  for (const auto& d : base->deletes) {
    if (d.version <= newest) applied.push_back(d);
  }
  auto merged = WriteMerged(store, lineage, *base, plan, applied, txn_id);
  if (!merged.ok()) return merged.status().WithContext(context);
  STRATA_FAILPOINT("compaction_after_data_file");

  out.new_meta = CompactedVersion(*base, plan, txn_id, merged->rowset, newest);
  out.new_meta_key = TabletMetaKey(lineage, tablet_id, out.new_meta.version, txn_id);
  STRATA_RETURN_IF_ERROR(PutTabletMeta(store, out.new_meta_key, out.new_meta).WithContext(context));
  STRATA_FAILPOINT("compaction_after_meta");

  out.compacted = true;
  out.input_rowsets = plan.last - plan.first;
  for (size_t i = plan.first; i < plan.last; ++i) out.input_bytes += base->rowsets[i].size_bytes;
  out.output_rows = merged->rowset ? merged->rowset->rows : 0;
  out.output_bytes = merged->rowset ? merged->rowset->size_bytes : 0;
  return out;
}

}  // namespace strata::storage

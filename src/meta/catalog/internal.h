// Internal to src/meta/catalog: the pieces Catalog is built from.
//   image.cc     image encoding, decoding and index rebuilding
//   apply_*.cc   one function per change type (validate fully, then mutate)
//
// Thread-safety: functions over a caller-owned CatalogState; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "meta/catalog/model.h"

namespace strata::meta::internal {

inline constexpr uint64_t kImageFormatVersion = 3;  // 2: Partition::tablet_meta, load_labels; 3: lineage, SnapshotJob::cluster_id
inline constexpr uint64_t kBatchFormatVersion = 2;  // 2: SnapshotJob::cluster_id, FenceLineage

// Bounds that keep one change from exhausting memory.
inline constexpr uint32_t kMaxBuckets = 4096;
inline constexpr size_t kMaxPartitionsPerChange = 4096;
inline constexpr uint64_t kMaxTabletsPerChange = 1'000'000;
inline constexpr size_t kMaxColumns = 10'000;
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr size_t kMaxTabletsPerTxn = 100'000;
inline constexpr size_t kMaxObjectKeyBytes = 1024;
inline constexpr size_t kMaxCommentBytes = 4096;  // a column comment (MySQL: 1024 characters)

std::string EncodeImage(const CatalogState& state);
// DataLoss for malformed bytes or an inconsistent state (dangling references,
// duplicate names, ids at or above next_id).
Result<CatalogState> DecodeImage(std::string_view bytes);
// Recomputes the derived indexes (model.h) from the persisted fields and
// checks referential integrity; DataLoss when it does not hold.
Status RebuildIndexes(CatalogState* state);

struct ApplyContext {
  int64_t commit_time_ms = 0;
  uint64_t version = 0;  // the log version being applied
};

// Each returns the allocated id (0 if none) or the rejection; on error the
// state is unchanged.
Result<uint64_t> ApplyChange(CatalogState& s, const ChangeBody& body, const ApplyContext& ctx);

// Shared validation helpers (apply_common.cc).
Status CheckName(std::string_view what, std::string_view name);
// FailedPrecondition if allocating `n` more ids would wrap the counter.
Status CheckIdsAvailable(const CatalogState& s, uint64_t n);
// The next id (after CheckIdsAvailable).
uint64_t AllocateId(CatalogState& s);
// Database by name, table by (db, name); nullptr if absent.
Database* FindDatabase(CatalogState& s, std::string_view name);
Table* FindTable(CatalogState& s, const Database& db, std::string_view name);

// One overload per change type: apply_table.cc (databases, tables, partitions),
// apply_access.cc (users, roles, grants), apply_cluster.cc (the rest).
Result<uint64_t> Apply(CatalogState& s, const LeaderChange& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const CreateDatabase& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropDatabase& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const CreateTable& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropTable& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const AddPartition& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropPartition& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const TruncateTable& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const CommitPartitionVersion& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const CommitTxn& c, const ApplyContext& ctx);  // apply_txn.cc
Result<uint64_t> Apply(CatalogState& s, const CreateStorageVolume& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropStorageVolume& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const SetDefaultStorageVolume& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const CreateUser& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropUser& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const AlterUserPassword& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const CreateRole& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropRole& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const Grant& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const Revoke& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const GrantRole& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const RevokeRole& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const AddFrontend& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropFrontend& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const AddComputeNode& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DropComputeNode& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const SetFrontendConfig& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const SetAutomatedSnapshot& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const UpsertSnapshotJob& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const FenceLineage& c, const ApplyContext& ctx);
Result<uint64_t> Apply(CatalogState& s, const DeleteSnapshotJob& c, const ApplyContext& ctx);

}  // namespace strata::meta::internal

// Tablet version metadata: the immutable object that lists what one version
// of a tablet contains — its rowsets (data files) and the delete predicates
// still to apply at read time. Byte-level spec: docs/formats/tablet-meta.md.
//
// A tablet's versions form a chain: version n+1 is written from version n
// plus one transaction (load, delete or compaction). The catalog records the
// key of each tablet's current version (meta::Partition::tablet_meta); a
// version becomes visible only when a CommitTxn naming it is in the log.
//
// Names never repeat (DESIGN invariant 1): every key carries the writing
// transaction's id, which is unique and starts with its creation time in ms,
// so vacuum can tell an old leftover from a load still in flight.
//
//   <lineage>/data/tablets/<tablet_id>/meta/<version:020>_<txn_id>.tm
//   <lineage>/data/tablets/<tablet_id>/data/<txn_id>_<seq:06>.sdf
//
// Thread-safety: value types and pure functions; the I/O helpers are as
// thread-safe as the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "storage/column_vector.h"

namespace strata::storage {

inline constexpr std::string_view kTabletMetaMagic = "STM1";
inline constexpr uint32_t kTabletMetaFormatVersion = 1;
inline constexpr size_t kRowsetsPerTabletMax = 100'000;
inline constexpr size_t kDeletesPerTabletMax = 10'000;
inline constexpr size_t kConditionsPerDeleteMax = 64;
inline constexpr size_t kInListMax = 10'000;

struct RowsetMeta {
  std::string data_file;  // object key, relative to the volume root
  uint64_t rows = 0;
  uint64_t size_bytes = 0;
  uint64_t version = 0;  // the tablet version that added it
  bool operator==(const RowsetMeta&) const = default;
};

// One condition of a DELETE's WHERE: `column op values`. Comparisons with
// NULL are false (SQL), except kIsNull / kIsNotNull.
enum class DeleteOp : uint8_t { kEq = 1, kNe = 2, kLt = 3, kLe = 4, kGt = 5, kGe = 6, kIn = 7, kNotIn = 8,
                                kIsNull = 9, kIsNotNull = 10 };
inline constexpr uint8_t kDeleteOpMax = 10;

struct DeleteCondition {
  std::string column;
  DeleteOp op = DeleteOp::kEq;
  std::vector<Datum> values;  // one (comparisons), >= 1 (IN), none (IS [NOT] NULL)
  bool operator==(const DeleteCondition&) const = default;
};

// A DELETE: rows matching every condition are gone from rowsets whose
// version is below `version`.
struct DeletePredicate {
  uint64_t version = 0;
  std::vector<DeleteCondition> conditions;  // AND
  bool operator==(const DeletePredicate&) const = default;
};

struct TabletMeta {
  uint64_t tablet_id = 0;
  uint64_t version = 0;  // 0: the empty tablet (no object)
  std::string txn_id;    // the transaction that wrote this version
  std::vector<ColumnSchema> schema;  // the table's columns when written
  std::vector<RowsetMeta> rowsets;   // ascending by version
  std::vector<DeletePredicate> deletes;  // ascending by version
  bool operator==(const TabletMeta&) const = default;

  uint64_t num_rows() const;  // before delete predicates
  uint64_t size_bytes() const;
};

// A new unique transaction id: "<ms since epoch, 13 digits>-<16 hex random>".
std::string NewTxnId();
// The creation time encoded in a txn id; nullopt if it is not one.
std::optional<int64_t> TxnIdTimeMs(std::string_view txn_id);

std::string TabletPrefix(std::string_view lineage, uint64_t tablet_id);  // ends with '/'
std::string TabletsPrefix(std::string_view lineage);                     // ".../data/tablets/"
std::string TabletMetaKey(std::string_view lineage, uint64_t tablet_id, uint64_t version, std::string_view txn_id);
std::string DataFileKey(std::string_view lineage, uint64_t tablet_id, std::string_view txn_id, uint32_t seq);
// The txn id inside a key made by TabletMetaKey or DataFileKey; nullopt otherwise.
std::optional<std::string> TxnIdOfKey(std::string_view key);

std::string EncodeTabletMeta(const TabletMeta& meta);
// DataLoss (naming `key`) for damage or inconsistency; FailedPrecondition for
// a newer format version.
Result<TabletMeta> DecodeTabletMeta(std::string_view bytes, std::string_view key);

// Reads the tablet metadata at `key`; "" is the empty tablet (version 0).
// NotFound if the object is missing (a retained version must never be), the
// store's errors, or DecodeTabletMeta's.
Result<TabletMeta> ReadTabletMeta(objstore::ObjectStore& store, std::string_view key, uint64_t tablet_id);
// Stores metadata under a never-reused key, put-if-absent; the same bytes
// already there (a retried put) is OK, different bytes AlreadyExists.
Status PutTabletMeta(objstore::ObjectStore& store, std::string_view key, const TabletMeta& meta);

// The next version of `base` written by `txn_id`: the added rowsets get the
// new version number; `deletes` (conditions only) are stamped with it too.
TabletMeta NextTabletVersion(const TabletMeta& base, std::string txn_id, std::vector<ColumnSchema> schema,
                             std::vector<RowsetMeta> added, std::vector<std::vector<DeleteCondition>> deletes);

}  // namespace strata::storage

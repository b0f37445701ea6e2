// The catalog model: CatalogState (what the metadata log builds) and the typed
// changes that mutate it (ChangeBody). Catalog::Apply (catalog.h) is the only
// writer; encodings are in docs/formats/meta-catalog.md.
//
// Every struct lists its persisted fields once, in Visit(): the binary codec
// (serde.h) and the JSON forms walk that list, in that order. Adding a field
// means appending it to Visit() and bumping the batch/image format version
// (see the format doc). Fields marked "derived" are not persisted: they are
// indexes rebuilt on decode and kept in step by Apply.
//
// Ids (databases, tables, partitions, tablets, compute nodes, snapshot jobs)
// share one counter, CatalogState::next_id, advanced only by Apply, so every
// replica allocates the same ids.
//
// Secrets (volume credentials, password hashes) are strata::Secret: stored in
// the binary image (restore needs them), printed as "***" everywhere else.
//
// Thread-safety: value types.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/secret.h"

namespace strata::meta {

// ---------------------------------------------------------------- enums
// Each enum has a name table (its JSON spelling; the index is the binary value).
enum class KeyType : uint8_t { kDuplicate = 0, kPrimary = 1 };
enum class VolumeType : uint8_t { kS3 = 0, kLocal = 1 };
enum class FrontendRole : uint8_t { kFollower = 0, kObserver = 1 };
enum class SnapshotType : uint8_t { kAutomated = 0, kManual = 1 };
enum class GranteeKind : uint8_t { kUser = 0, kRole = 1 };
enum class ObjectType : uint8_t { kSystem = 0, kDatabase = 1, kTable = 2, kStorageVolume = 3 };
enum class SnapshotAction : uint8_t { kOn = 0, kOff = 1, kSetInterval = 2 };

inline constexpr std::array<std::string_view, 2> kKeyTypeNames = {"DUPLICATE", "PRIMARY"};
inline constexpr std::array<std::string_view, 2> kVolumeTypeNames = {"S3", "LOCAL"};
inline constexpr std::array<std::string_view, 2> kFrontendRoleNames = {"FOLLOWER", "OBSERVER"};
inline constexpr std::array<std::string_view, 2> kSnapshotTypeNames = {"AUTOMATED", "MANUAL"};
inline constexpr std::array<std::string_view, 2> kGranteeKindNames = {"USER", "ROLE"};
inline constexpr std::array<std::string_view, 4> kObjectTypeNames = {"SYSTEM", "DATABASE", "TABLE",
                                                                     "STORAGE_VOLUME"};
inline constexpr std::array<std::string_view, 3> kSnapshotActionNames = {"ON", "OFF", "SET_INTERVAL"};

inline std::span<const std::string_view> EnumNames(KeyType) { return kKeyTypeNames; }
inline std::span<const std::string_view> EnumNames(VolumeType) { return kVolumeTypeNames; }
inline std::span<const std::string_view> EnumNames(FrontendRole) { return kFrontendRoleNames; }
inline std::span<const std::string_view> EnumNames(SnapshotType) { return kSnapshotTypeNames; }
inline std::span<const std::string_view> EnumNames(GranteeKind) { return kGranteeKindNames; }
inline std::span<const std::string_view> EnumNames(ObjectType) { return kObjectTypeNames; }
inline std::span<const std::string_view> EnumNames(SnapshotAction) { return kSnapshotActionNames; }
template <typename E>
std::string_view EnumName(E e) {
  auto names = EnumNames(e);
  auto i = static_cast<size_t>(e);
  return i < names.size() ? names[i] : std::string_view("?");
}

// Snapshot job states, spelled exactly as StarRocks (reference/starrocks-compat.md).
inline constexpr std::array<std::string_view, 7> kSnapshotJobStates = {
    "INITIALIZING", "SNAPSHOTING", "UPLOADING", "FINISHED", "EXPIRED", "DELETED", "ERROR"};

// ---------------------------------------------------------------- model
struct ColumnDef {
  std::string name;
  std::string type;  // SQL type as written, e.g. "BIGINT", "VARCHAR(64)", "DECIMAL(10,2)"
  bool nullable = true;
  std::optional<std::string> default_value;
  bool is_key = false;  // key columns come first (DUPLICATE sort key / PRIMARY key)
  std::string comment;  // COMMENT '...' ("" when none)
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("type", s.type), f("nullable", s.nullable), f("default_value", s.default_value),
        f("is_key", s.is_key), f("comment", s.comment);
  }
};

// A range partition's bounds: one value per partition column, lower inclusive,
// upper exclusive. An empty vector is unbounded (MINVALUE / MAXVALUE).
struct PartitionDef {
  std::string name;
  std::vector<std::string> lower;
  std::vector<std::string> upper;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("lower", s.lower), f("upper", s.upper);
  }
};

struct Database {
  uint64_t id = 0;
  std::string name;
  int64_t create_time_ms = 0;
  std::map<std::string, uint64_t> table_ids;  // derived: table name -> id
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("id", s.id), f("name", s.name), f("create_time_ms", s.create_time_ms);
  }
};

struct Table {
  uint64_t id = 0;
  uint64_t db_id = 0;
  std::string name;
  std::vector<ColumnDef> columns;
  KeyType key_type = KeyType::kDuplicate;
  std::vector<std::string> partition_columns;     // empty: unpartitioned (one partition named like the table)
  std::vector<std::string> distribution_columns;  // HASH(...)
  uint32_t bucket_count = 0;
  std::string storage_volume;
  std::map<std::string, std::string> properties;
  int64_t create_time_ms = 0;
  std::map<std::string, uint64_t> partition_ids;  // derived: partition name -> id
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("id", s.id), f("db_id", s.db_id), f("name", s.name), f("columns", s.columns), f("key_type", s.key_type),
        f("partition_columns", s.partition_columns), f("distribution_columns", s.distribution_columns),
        f("bucket_count", s.bucket_count), f("storage_volume", s.storage_volume), f("properties", s.properties),
        f("create_time_ms", s.create_time_ms);
  }
};

struct Partition {
  uint64_t id = 0;
  uint64_t table_id = 0;
  std::string name;
  std::vector<std::string> lower;  // see PartitionDef
  std::vector<std::string> upper;
  uint64_t visible_version = 1;  // 1: empty
  uint64_t next_version = 2;
  std::vector<uint64_t> tablet_ids;  // one per bucket, in bucket order
  // Parallel to tablet_ids: the object key (relative to the table's storage
  // volume) of each tablet's current version metadata; "" while the tablet has
  // never been written (docs/formats/tablet-meta.md).
  std::vector<std::string> tablet_meta;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("id", s.id), f("table_id", s.table_id), f("name", s.name), f("lower", s.lower), f("upper", s.upper),
        f("visible_version", s.visible_version), f("next_version", s.next_version), f("tablet_ids", s.tablet_ids),
        f("tablet_meta", s.tablet_meta);
  }
};

// A committed transaction's label, kept so a retried load with the same label
// is applied once (StarRocks' label semantics). Expires kLoadLabelKeepMs after
// its commit.
struct LoadLabel {
  uint64_t db_id = 0;
  std::string label;
  std::string txn_id;
  uint64_t table_id = 0;
  std::string kind;  // "insert", "stream_load", "delete"
  uint64_t rows = 0;
  int64_t commit_time_ms = 0;
  uint64_t version = 0;  // the log version that committed it
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("db_id", s.db_id), f("label", s.label), f("txn_id", s.txn_id), f("table_id", s.table_id), f("kind", s.kind),
        f("rows", s.rows), f("commit_time_ms", s.commit_time_ms), f("version", s.version);
  }
};
inline constexpr int64_t kLoadLabelKeepMs = 3LL * 24 * 3600 * 1000;  // StarRocks label_keep_max_second
inline constexpr size_t kLoadLabelsMax = 1'000'000;
// The key of a label in CatalogState::load_labels.
inline std::string LoadLabelKey(uint64_t db_id, std::string_view label) {
  return std::to_string(db_id) + "/" + std::string(label);
}

// Derived from Partition::tablet_ids (not persisted on its own).
struct Tablet {
  uint64_t id = 0;
  uint64_t partition_id = 0;
  uint32_t bucket_index = 0;
  bool operator==(const Tablet&) const = default;
};

// Volume parameters whose key looks like a credential (IsCredentialKey) live in
// `credentials`; the rest in `properties`.
struct StorageVolume {
  std::string name;
  VolumeType type = VolumeType::kS3;
  std::vector<std::string> locations;  // "s3://bucket/prefix" or a local directory
  std::string comment;
  std::map<std::string, std::string> properties;
  std::map<std::string, Secret> credentials;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("type", s.type), f("locations", s.locations), f("comment", s.comment),
        f("properties", s.properties), f("credentials", s.credentials);
  }
};

struct UserIdentity {
  std::string name;
  std::string host = "%";
  auto operator<=>(const UserIdentity&) const = default;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("host", s.host);
  }
};
std::string ToString(const UserIdentity& u);  // 'name'@'host'

struct PrivilegeObject {
  ObjectType type = ObjectType::kSystem;
  std::string name;  // "" for SYSTEM, "db", "db.table", "volume"; "*" parts are wildcards
  auto operator<=>(const PrivilegeObject&) const = default;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("type", s.type), f("name", s.name);
  }
};
using PrivilegeMap = std::map<PrivilegeObject, std::set<std::string>>;  // object -> privileges (upper case)

struct User {
  UserIdentity identity;
  Secret password_hash;  // MysqlNativePasswordHash form ("*" + 40 hex) or "" for no password
  std::set<std::string> roles;
  PrivilegeMap privileges;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("identity", s.identity), f("password_hash", s.password_hash), f("roles", s.roles),
        f("privileges", s.privileges);
  }
};

struct Role {
  std::string name;
  PrivilegeMap privileges;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("privileges", s.privileges);
  }
};

struct Frontend {
  std::string name;  // "host:http_port", the name LeaderChange uses
  std::string host;
  uint32_t edit_log_port = 0;
  uint32_t http_port = 0;
  uint32_t query_port = 0;
  uint32_t rpc_port = 0;
  FrontendRole role = FrontendRole::kFollower;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("host", s.host), f("edit_log_port", s.edit_log_port), f("http_port", s.http_port),
        f("query_port", s.query_port), f("rpc_port", s.rpc_port), f("role", s.role);
  }
};

struct ComputeNode {
  uint64_t id = 0;
  std::string host;
  uint32_t heartbeat_port = 0;  // with host, the node's identity
  uint32_t rpc_port = 0;
  uint32_t http_port = 0;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("id", s.id), f("host", s.host), f("heartbeat_port", s.heartbeat_port), f("rpc_port", s.rpc_port),
        f("http_port", s.http_port);
  }
};

struct AutomatedSnapshotSettings {
  bool enabled = false;
  uint64_t interval_seconds = 0;  // 0: use the FE config automated_cluster_snapshot_interval_seconds
  std::string storage_volume;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("enabled", s.enabled), f("interval_seconds", s.interval_seconds), f("storage_volume", s.storage_volume);
  }
};

struct SnapshotJob {
  std::string name;  // e.g. automated_cluster_snapshot_<ms>
  uint64_t job_id = 0;
  SnapshotType type = SnapshotType::kAutomated;
  std::string state;  // one of kSnapshotJobStates
  int64_t created_ms = 0;
  int64_t finished_ms = 0;  // 0 while running
  std::string storage_volume;
  uint64_t snapshot_version = 0;  // the log version the snapshot captures
  std::string detail;
  std::string error;
  // The lineage whose meta/image/ directory holds the snapshot; "" = this
  // lineage. A restored cluster lists its source's snapshots this way.
  std::string cluster_id;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("job_id", s.job_id), f("type", s.type), f("state", s.state), f("created_ms", s.created_ms),
        f("finished_ms", s.finished_ms), f("storage_volume", s.storage_volume),
        f("snapshot_version", s.snapshot_version), f("detail", s.detail), f("error", s.error),
        f("cluster_id", s.cluster_id);
  }
};

// Where a lineage came from and what it owns (DESIGN §6, invariant 6).
//   - restored_from_*: set by a restore in the new lineage's first image.
//   - adopted_lineages: earlier lineages whose data files this lineage's
//     vacuum owns (a takeover restore adopts its fenced source and whatever
//     that one had adopted); a clone adopts nothing — it never deletes what it
//     did not write.
//   - fenced_by: set by FenceLineage in the *source* lineage's log: the
//     lineage that superseded it. A fenced lineage commits and deletes
//     nothing more; its FEs follow the successor.
struct LineageState {
  std::string restored_from_cluster_id;
  std::string restored_from_snapshot;
  uint64_t restored_from_version = 0;
  std::string restore_mode;  // "takeover" | "clone" | ""
  std::string restore_key;
  int64_t restored_ms = 0;
  std::vector<std::string> adopted_lineages;
  std::string fenced_by;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("restored_from_cluster_id", s.restored_from_cluster_id), f("restored_from_snapshot", s.restored_from_snapshot),
        f("restored_from_version", s.restored_from_version), f("restore_mode", s.restore_mode),
        f("restore_key", s.restore_key), f("restored_ms", s.restored_ms), f("adopted_lineages", s.adopted_lineages),
        f("fenced_by", s.fenced_by);
  }
};

struct CatalogState {
  uint64_t version = 0;  // last applied log version
  uint64_t term = 0;
  std::string leader;  // fe_name of the current leader
  uint64_t next_id = 10000;
  std::map<uint64_t, Database> databases;
  std::map<uint64_t, Table> tables;
  std::map<uint64_t, Partition> partitions;
  std::map<std::string, StorageVolume> storage_volumes;
  std::string default_storage_volume;
  std::map<UserIdentity, User> users;
  std::map<std::string, Role> roles;
  std::map<std::string, Frontend> frontends;  // by name
  std::map<uint64_t, ComputeNode> compute_nodes;
  AutomatedSnapshotSettings automated_snapshot;
  std::map<uint64_t, SnapshotJob> snapshot_jobs;  // by job id
  std::map<std::string, std::string> fe_config;   // ADMIN SET FRONTEND CONFIG overrides
  std::map<std::string, LoadLabel> load_labels;   // by LoadLabelKey
  LineageState lineage;

  std::map<std::string, uint64_t> database_ids;  // derived: database name -> id
  std::map<uint64_t, Tablet> tablets;            // derived: from Partition::tablet_ids

  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("version", s.version), f("term", s.term), f("leader", s.leader), f("next_id", s.next_id),
        f("databases", s.databases), f("tables", s.tables), f("partitions", s.partitions),
        f("storage_volumes", s.storage_volumes), f("default_storage_volume", s.default_storage_volume),
        f("users", s.users), f("roles", s.roles), f("frontends", s.frontends), f("compute_nodes", s.compute_nodes),
        f("automated_snapshot", s.automated_snapshot), f("snapshot_jobs", s.snapshot_jobs),
        f("fe_config", s.fe_config), f("load_labels", s.load_labels), f("lineage", s.lineage);
  }
};

// The state of a new cluster: user root@'%' (no password, role root) and the
// built-in roles root, db_admin, cluster_admin, user_admin, public.
CatalogState InitialCatalogState();
inline constexpr std::array<std::string_view, 5> kBuiltinRoles = {"root", "db_admin", "cluster_admin", "user_admin",
                                                                  "public"};

// "*" + upper-case hex of SHA1(SHA1(password)) (mysql_native_password's
// authentication_string); "" for an empty password.
std::string MysqlNativePasswordHash(std::string_view password);
// True for volume parameter keys that hold credentials (access/secret keys,
// tokens, passwords): those are stored as Secret and printed as "***".
bool IsCredentialKey(std::string_view key);

// ---------------------------------------------------------------- changes
// An FE takes leadership by committing this (docs/design/meta.md).
struct LeaderChange {
  std::string fe_name;  // "host:http_port" of the new leader
  uint64_t term = 0;    // must be the catalog's term + 1
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("fe_name", s.fe_name), f("term", s.term);
  }
};

struct CreateDatabase {
  std::string name;
  bool if_not_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("if_not_exists", s.if_not_exists);
  }
};

struct DropDatabase {  // drops the database's tables too
  std::string name;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("if_exists", s.if_exists);
  }
};

// Allocates the table id, then per partition (in order) its id and its
// bucket_count tablet ids. Returns the table id. Without partition_columns the
// table gets one unbounded partition named like the table; `partitions` must be empty.
struct CreateTable {
  std::string db;
  std::string name;
  bool if_not_exists = false;
  std::vector<ColumnDef> columns;
  KeyType key_type = KeyType::kDuplicate;
  std::vector<std::string> partition_columns;
  std::vector<std::string> distribution_columns;
  uint32_t bucket_count = 0;
  std::string storage_volume;  // "": the default storage volume (if any)
  std::map<std::string, std::string> properties;
  std::vector<PartitionDef> partitions;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("db", s.db), f("name", s.name), f("if_not_exists", s.if_not_exists), f("columns", s.columns),
        f("key_type", s.key_type), f("partition_columns", s.partition_columns),
        f("distribution_columns", s.distribution_columns), f("bucket_count", s.bucket_count),
        f("storage_volume", s.storage_volume), f("properties", s.properties), f("partitions", s.partitions);
  }
};

struct DropTable {
  std::string db;
  std::string name;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("db", s.db), f("name", s.name), f("if_exists", s.if_exists);
  }
};

struct AddPartition {  // returns the partition id
  std::string db;
  std::string table;
  PartitionDef partition;
  bool if_not_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("db", s.db), f("table", s.table), f("partition", s.partition), f("if_not_exists", s.if_not_exists);
  }
};

struct DropPartition {
  std::string db;
  std::string table;
  std::string name;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("db", s.db), f("table", s.table), f("name", s.name), f("if_exists", s.if_exists);
  }
};

// Gives the named partitions (all if empty) new tablet ids and resets their
// versions to 1 / 2: the old tablets' data is no longer referenced.
struct TruncateTable {
  std::string db;
  std::string table;
  std::vector<std::string> partitions;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("db", s.db), f("table", s.table), f("partitions", s.partitions);
  }
};

struct CommitPartitionVersion {  // version must be visible_version + 1
  uint64_t partition_id = 0;
  uint64_t version = 0;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("partition_id", s.partition_id), f("version", s.version);
  }
};

// One tablet's new version metadata in a CommitTxn. The commit applies only
// if the tablet's current metadata is still `base_meta` (optimistic
// concurrency: a conflicting commit makes it Aborted, and the writer retries
// on the new base).
struct TabletMetaUpdate {
  uint64_t tablet_id = 0;
  std::string base_meta;  // "" for a never-written tablet
  std::string new_meta;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("tablet_id", s.tablet_id), f("base_meta", s.base_meta), f("new_meta", s.new_meta);
  }
};

// Makes a load, a delete or a compaction visible, atomically: every listed
// tablet moves to its new metadata and every touched partition's visible
// version advances by one. A non-empty label must be unused in the database
// (AlreadyExists otherwise) and is recorded.
struct CommitTxn {
  uint64_t table_id = 0;
  std::string label;
  std::string txn_id;  // unique; also part of every object name the txn wrote
  std::string kind;    // "insert", "stream_load", "delete", "compaction"
  uint64_t rows = 0;
  std::vector<TabletMetaUpdate> tablets;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("table_id", s.table_id), f("label", s.label), f("txn_id", s.txn_id), f("kind", s.kind), f("rows", s.rows),
        f("tablets", s.tablets);
  }
};

// (`volume_type`, not `type`: "type" is the change's tag in the JSON form.)
struct CreateStorageVolume {
  std::string name;
  VolumeType volume_type = VolumeType::kS3;
  std::vector<std::string> locations;
  std::string comment;
  std::map<std::string, std::string> properties;  // credential keys found here are moved to credentials
  std::map<std::string, Secret> credentials;
  bool if_not_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("volume_type", s.volume_type), f("locations", s.locations), f("comment", s.comment),
        f("properties", s.properties), f("credentials", s.credentials), f("if_not_exists", s.if_not_exists);
  }
};

struct DropStorageVolume {
  std::string name;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("if_exists", s.if_exists);
  }
};

struct SetDefaultStorageVolume {
  std::string name;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name);
  }
};

struct CreateUser {
  UserIdentity user;
  Secret password_hash;  // MysqlNativePasswordHash(password), never the password
  std::vector<std::string> roles;
  bool if_not_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("user", s.user), f("password_hash", s.password_hash), f("roles", s.roles), f("if_not_exists", s.if_not_exists);
  }
};

struct DropUser {
  UserIdentity user;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("user", s.user), f("if_exists", s.if_exists);
  }
};

struct AlterUserPassword {
  UserIdentity user;
  Secret password_hash;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("user", s.user), f("password_hash", s.password_hash);
  }
};

struct CreateRole {
  std::string name;
  bool if_not_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("if_not_exists", s.if_not_exists);
  }
};

struct DropRole {  // also revokes it from every user
  std::string name;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("if_exists", s.if_exists);
  }
};

struct Grantee {
  GranteeKind kind = GranteeKind::kUser;
  std::string name;
  std::string host = "%";  // users only
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("kind", s.kind), f("name", s.name), f("host", s.host);
  }
};

// GRANT <privileges> ON <object> TO <grantee>. Privileges are stored upper case.
struct Grant {
  Grantee grantee;
  std::vector<std::string> privileges;
  PrivilegeObject object;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("grantee", s.grantee), f("privileges", s.privileges), f("object", s.object);
  }
};

// Every listed privilege must be held (NotFound otherwise).
struct Revoke {
  Grantee grantee;
  std::vector<std::string> privileges;
  PrivilegeObject object;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("grantee", s.grantee), f("privileges", s.privileges), f("object", s.object);
  }
};

struct GrantRole {  // GRANT role TO USER
  std::string role;
  UserIdentity user;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("role", s.role), f("user", s.user);
  }
};

struct RevokeRole {
  std::string role;
  UserIdentity user;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("role", s.role), f("user", s.user);
  }
};

struct AddFrontend {
  std::string name;
  std::string host;
  uint32_t edit_log_port = 0;
  uint32_t http_port = 0;
  uint32_t query_port = 0;
  uint32_t rpc_port = 0;
  FrontendRole role = FrontendRole::kFollower;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name), f("host", s.host), f("edit_log_port", s.edit_log_port), f("http_port", s.http_port),
        f("query_port", s.query_port), f("rpc_port", s.rpc_port), f("role", s.role);
  }
};

struct DropFrontend {
  std::string name;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("name", s.name);
  }
};

struct AddComputeNode {  // returns the node id
  std::string host;
  uint32_t heartbeat_port = 0;
  uint32_t rpc_port = 0;
  uint32_t http_port = 0;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("host", s.host), f("heartbeat_port", s.heartbeat_port), f("rpc_port", s.rpc_port), f("http_port", s.http_port);
  }
};

struct DropComputeNode {  // by host:heartbeat_port, like ALTER SYSTEM DROP COMPUTE NODE
  std::string host;
  uint32_t heartbeat_port = 0;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("host", s.host), f("heartbeat_port", s.heartbeat_port);
  }
};

struct SetFrontendConfig {  // an empty value removes the override
  std::string key;
  std::string value;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("key", s.key), f("value", s.value);
  }
};

// ON [INTERVAL] [STORAGE VOLUME]: FailedPrecondition if already on; volume ""
// means the default volume. OFF: FailedPrecondition if not on. SET_INTERVAL:
// sets interval_seconds (> 0) whether on or off.
struct SetAutomatedSnapshot {
  SnapshotAction action = SnapshotAction::kOn;
  uint64_t interval_seconds = 0;
  std::string storage_volume;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("action", s.action), f("interval_seconds", s.interval_seconds), f("storage_volume", s.storage_volume);
  }
};

// job.job_id == 0 creates a job (allocating and returning its id; the name
// must not belong to a live job); otherwise the job must exist and is replaced.
struct UpsertSnapshotJob {
  SnapshotJob job;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("job", s.job);
  }
};

struct DeleteSnapshotJob {
  uint64_t job_id = 0;
  bool if_exists = false;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("job_id", s.job_id), f("if_exists", s.if_exists);
  }
};

// Written by a takeover restore into the *source* lineage's log at its next
// free version (put-if-absent, like any entry): from that version on the
// source lineage is fenced — its FEs commit nothing more (FailedPrecondition)
// and its vacuum deletes nothing — and its FEs restart into the successor.
// Idempotent: fencing a fenced lineage keeps the first successor.
struct FenceLineage {
  std::string successor_cluster_id;
  std::string reason;
  template <typename S, typename F>
  static void Visit(S& s, F&& f) {
    f("successor_cluster_id", s.successor_cluster_id), f("reason", s.reason);
  }
};

// The binary tag of a change is its index here: append only, never reorder.
using ChangeBody =
    std::variant<LeaderChange, CreateDatabase, DropDatabase, CreateTable, DropTable, AddPartition, DropPartition,
                 TruncateTable, CommitPartitionVersion, CreateStorageVolume, DropStorageVolume,
                 SetDefaultStorageVolume, CreateUser, DropUser, AlterUserPassword, CreateRole, DropRole, Grant, Revoke,
                 GrantRole, RevokeRole, AddFrontend, DropFrontend, AddComputeNode, DropComputeNode, SetFrontendConfig,
                 SetAutomatedSnapshot, UpsertSnapshotJob, DeleteSnapshotJob, CommitTxn, FenceLineage>;

// JSON "type" of each alternative, in variant order.
inline constexpr std::array<std::string_view, std::variant_size_v<ChangeBody>> kChangeTypeNames = {
    "leader_change", "create_database", "drop_database", "create_table", "drop_table", "add_partition",
    "drop_partition", "truncate_table", "commit_partition_version", "create_storage_volume",
    "drop_storage_volume", "set_default_storage_volume", "create_user", "drop_user", "alter_user_password",
    "create_role", "drop_role", "grant", "revoke", "grant_role", "revoke_role", "add_frontend", "drop_frontend",
    "add_compute_node", "drop_compute_node", "set_frontend_config", "set_automated_snapshot",
    "upsert_snapshot_job", "delete_snapshot_job", "commit_txn", "fence_lineage"};

}  // namespace strata::meta

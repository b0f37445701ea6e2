// The parsed form of a statement: one struct per statement family, held in
// the Statement variant. Names are as written (identifiers unquoted); the
// executor resolves defaults (current database, ...).
//
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace strata::sql {

// ---------------------------------------------------------------- expressions
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct SelectStmt;

struct Expr {
  enum class Kind {
    kString,   // text = value
    kNumber,   // text = literal
    kNull,
    kBool,     // text = "1" / "0"
    kColumn,   // text = column, qualifier = table (may be empty)
    kSysVar,   // text = variable (lower case), qualifier = "session" / "global" / ""
    kUserVar,  // text = variable
    kFunc,     // text = function name (upper case); args; star for COUNT(*)
    kBinary,   // text = operator (upper case: AND OR = != < <= > >= + - * / LIKE); args[0], args[1]
    kNot,      // args[0]
    kNeg,      // args[0]
    kIn,       // args[0] IN (args[1..]); negated
    kIsNull,   // args[0] IS [NOT] NULL; negated
    kStar,     // * in a select list or COUNT(*)
  };
  // The query engine's forms are kFunc nodes with reserved names (so evaluators
  // that predate them answer "FUNCTION ... does not exist" instead of guessing):
  //   CASE         args: [operand if has_operand] (when, then)... [else if has_else]
  //   CAST         args[0]; qualifier = target type ("SIGNED", "DECIMAL(10,2)", "DATE", ...)
  //   BETWEEN      args[0] BETWEEN args[1] AND args[2]; negated
  //   INTERVAL     args[0] = amount; qualifier = unit (upper case: DAY, MONTH, ...)
  //   EXISTS       subquery; negated
  //   IN_SUBQUERY  args[0] IN (subquery); negated
  //   SUBQUERY     a scalar subquery
  //   COUNT etc.   distinct = COUNT(DISTINCT ...)
  Kind kind = Kind::kNull;
  std::string text;
  std::string qualifier;
  std::vector<ExprPtr> args;
  bool negated = false;
  std::string source;  // the expression as written, for result column names
  bool distinct = false;                 // aggregate(DISTINCT ...)
  bool has_operand = false;              // CASE operand WHEN ...
  bool has_else = false;                 // CASE ... ELSE
  std::shared_ptr<SelectStmt> subquery;  // EXISTS / IN_SUBQUERY / SUBQUERY
};

// ---------------------------------------------------------------- names
struct TableName {
  std::string db;  // "" -> the session's current database
  std::string table;
};

struct UserSpec {
  std::string name;
  std::string host = "%";
};

// ---------------------------------------------------------------- DDL
struct CreateDatabaseStmt {
  std::string name;
  bool if_not_exists = false;
};

struct DropDatabaseStmt {
  std::string name;
  bool if_exists = false;
  bool force = false;
};

struct ColumnSpec {
  std::string name;
  std::string type;  // normalised, e.g. "VARCHAR(32)", "DECIMAL(10,2)", "INT"
  std::optional<bool> nullable;
  std::optional<std::string> default_value;  // "NULL" default is nullopt + default_null
  bool default_null = false;
  bool default_current_timestamp = false;     // DEFAULT CURRENT_TIMESTAMP (the function, not a string)
  std::string comment;
};

struct PartitionSpec {
  std::string name;
  bool less_than = true;            // VALUES LESS THAN (...) vs VALUES [(...), (...))
  std::vector<std::string> lower;   // fixed ranges only
  std::vector<std::string> upper;   // empty: MAXVALUE
};

struct CreateTableStmt {
  TableName name;
  bool if_not_exists = false;
  std::vector<ColumnSpec> columns;
  bool primary_key = false;
  std::vector<std::string> key_columns;  // DUPLICATE/PRIMARY KEY(...); empty: not given
  std::vector<std::string> partition_columns;
  std::vector<PartitionSpec> partitions;
  std::vector<std::string> distribution_columns;
  bool random_distribution = false;
  uint32_t buckets = 0;  // 0: not given
  std::vector<std::pair<std::string, std::string>> properties;
  std::string comment;
};

struct DropTableStmt {
  TableName name;
  bool if_exists = false;
  bool force = false;
};

struct TruncateTableStmt {
  TableName name;
  std::vector<std::string> partitions;
};

struct AlterTableStmt {
  TableName name;
  bool add = true;  // ADD PARTITION vs DROP PARTITION
  PartitionSpec partition;  // ADD
  std::string partition_name;  // DROP
  bool if_exists = false;      // DROP PARTITION IF EXISTS / ADD PARTITION IF NOT EXISTS
};

// ---------------------------------------------------------------- cluster
struct CreateStorageVolumeStmt {
  std::string name;
  bool if_not_exists = false;
  std::string type;  // S3 / LOCAL (as written)
  std::vector<std::string> locations;
  std::string comment;
  std::vector<std::pair<std::string, std::string>> properties;
};

struct DropStorageVolumeStmt {
  std::string name;
  bool if_exists = false;
};

struct SetDefaultStorageVolumeStmt {
  std::string name;
};

struct AlterSystemStmt {
  bool add = true;
  std::vector<std::string> host_ports;  // "host:port"
};

struct AdminSetConfigStmt {
  std::vector<std::pair<std::string, std::string>> pairs;
};

struct AdminSnapshotStmt {
  enum class Action { kOn, kOff, kSetInterval } action = Action::kOn;
  uint64_t interval_seconds = 0;  // 0: not given
  std::string storage_volume;
};

// ---------------------------------------------------------------- access
struct CreateUserStmt {
  UserSpec user;
  bool if_not_exists = false;
  std::optional<std::string> password;       // IDENTIFIED BY 'pw'
  std::optional<std::string> password_hash;  // IDENTIFIED BY PASSWORD '*hex' / WITH mysql_native_password AS
  std::vector<std::string> roles;            // DEFAULT ROLE
};

struct DropUserStmt {
  UserSpec user;
  bool if_exists = false;
};

// ALTER USER ... IDENTIFIED BY and SET PASSWORD.
struct SetPasswordStmt {
  std::optional<UserSpec> user;  // none: the session's own account
  std::optional<std::string> password;
  std::optional<std::string> password_hash;
  bool if_exists = false;
};

struct CreateRoleStmt {
  std::vector<std::string> names;
  bool if_not_exists = false;
};

struct DropRoleStmt {
  std::vector<std::string> names;
  bool if_exists = false;
};

enum class GrantObjectKind { kSystem, kDatabase, kTable, kStorageVolume };

struct GrantTarget {
  bool role = false;  // TO ROLE r
  std::string name;
  std::string host = "%";
};

struct GrantStmt {
  bool revoke = false;
  std::vector<std::string> privileges;  // upper case, spaces as '_'
  GrantObjectKind object = GrantObjectKind::kSystem;
  std::string object_name;  // "db", "db.t", "*", "*.*", "db.*", volume
  GrantTarget grantee;
};

struct GrantRoleStmt {
  bool revoke = false;
  std::vector<std::string> roles;
  UserSpec user;
};

// ---------------------------------------------------------------- session
struct UseStmt {
  std::string db;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;
};

struct OrderItem {
  ExprPtr expr;
  bool desc = false;
};

// One item of a FROM clause: a table, a derived table (subquery) or a join
// of two items.
struct TableRef {
  enum class Kind { kTable, kSubquery, kJoin } kind = Kind::kTable;
  TableName name;     // kTable
  std::string alias;  // kTable (optional) / kSubquery
  std::shared_ptr<SelectStmt> subquery;
  enum class JoinType { kInner, kLeft, kRight, kCross } join = JoinType::kInner;
  std::unique_ptr<TableRef> left, right;  // kJoin
  ExprPtr on;                             // kJoin; null for CROSS / comma joins
  std::vector<std::string> using_columns; // JOIN ... USING (a, b)
};

struct SelectStmt {
  std::vector<SelectItem> items;
  std::optional<TableName> from;  // none: SELECT without FROM (or FROM DUAL); the table when FROM names one
  ExprPtr where;
  std::vector<OrderItem> order_by;
  std::optional<uint64_t> limit;
  uint64_t offset = 0;
  // The query engine's clauses (any of them set, or from_ref beyond one
  // table, means the statement needs the query engine).
  bool distinct = false;
  std::unique_ptr<TableRef> from_ref;  // the whole FROM clause (also set for one table)
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  // UNION ALL / UNION [DISTINCT] branches after this one; order_by/limit of
  // a statement with branches apply to the whole union.
  std::vector<std::shared_ptr<SelectStmt>> union_branches;
  std::vector<bool> union_distinct;  // parallel to union_branches
  bool explain = false;              // EXPLAIN SELECT ...
};

struct SetAssignment {
  enum class Kind { kSystem, kUser, kNames, kPassword } kind = Kind::kSystem;
  std::string scope;  // "session" / "global" / "" (for kSystem)
  std::string name;   // lower case for system variables
  ExprPtr value;      // kSystem / kUser; kNames: nullptr, name = charset
};

struct SetStmt {
  std::vector<SetAssignment> assignments;
};

struct ShowStmt {
  enum class What {
    kDatabases, kTables, kCreateTable, kCreateDatabase, kPartitions, kColumns, kStorageVolumes,
    kDescStorageVolume, kFrontends, kComputeNodes, kVariables, kWarnings, kErrors, kEngines, kCharset,
    kCollation, kStatus, kGrants, kRoles, kUsers, kFrontendConfig, kAutomatedSnapshot, kProcesslist,
  } what = What::kDatabases;
  TableName table;     // CREATE TABLE / PARTITIONS / COLUMNS; table.db for TABLES FROM db
  std::string name;    // storage volume / database
  std::optional<UserSpec> user;  // SHOW GRANTS FOR user
  std::optional<std::string> role;  // SHOW GRANTS FOR ROLE role
  std::optional<std::string> like;
  ExprPtr where;
  bool full = false;
  bool global = false;
};

// Statements parsed but executed by later issues: answer ER_NOT_SUPPORTED_YET
// (after the privilege check on `table`, when set).
struct UnsupportedStmt {
  std::string what;  // "INSERT", "SELECT over tables", "CREATE CLUSTER SNAPSHOT", ...
  std::optional<TableName> table;
  std::string privilege;  // required on `table`
};

// INSERT INTO t [WITH LABEL l] [(c, ...)] VALUES (...), ... | SELECT ...
struct InsertStmt {
  TableName table;
  std::string label;
  std::vector<std::string> columns;
  std::vector<std::vector<ExprPtr>> values;  // VALUES rows
  std::unique_ptr<SelectStmt> select;        // or INSERT ... SELECT
};

// DELETE FROM t [PARTITION (p, ...)] WHERE conditions joined by AND.
struct DeleteStmt {
  TableName table;
  std::vector<std::string> partitions;
  ExprPtr where;
};

// CREATE CLUSTER SNAPSHOT name / DROP CLUSTER SNAPSHOT [IF EXISTS] name.
struct ClusterSnapshotStmt {
  bool drop = false;
  std::string name;
  bool if_exists = false;
};

// BEGIN / COMMIT / ROLLBACK / START TRANSACTION: accepted, nothing to do yet.
struct TransactionStmt {
  std::string what;
};

// KILL [CONNECTION | QUERY] <connection id>.
struct KillStmt {
  bool query_only = false;  // KILL QUERY: end the running statement, keep the connection
  uint64_t connection_id = 0;
};

using Statement =
    std::variant<CreateDatabaseStmt, DropDatabaseStmt, CreateTableStmt, DropTableStmt, TruncateTableStmt,
                 AlterTableStmt, CreateStorageVolumeStmt, DropStorageVolumeStmt, SetDefaultStorageVolumeStmt,
                 AlterSystemStmt, AdminSetConfigStmt, AdminSnapshotStmt, CreateUserStmt, DropUserStmt,
                 SetPasswordStmt, CreateRoleStmt, DropRoleStmt, GrantStmt, GrantRoleStmt, UseStmt, SelectStmt,
                 SetStmt, ShowStmt, UnsupportedStmt, TransactionStmt, InsertStmt, DeleteStmt, ClusterSnapshotStmt, KillStmt>;

}  // namespace strata::sql

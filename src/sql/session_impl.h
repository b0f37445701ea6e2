// Internal to sql/: EngineImpl (new_engine.h's Engine) and SessionImpl, whose
// statement executors are split by family across exec_ddl.cc (databases,
// tables, partitions), exec_cluster.cc (storage volumes, nodes, ADMIN),
// exec_access.cc (users, roles, grants), exec_show.cc (SHOW / DESC),
// exec_select.cc (SELECT, SET, information_schema queries) and session.cc
// (Execute, USE, errors).
//
// Thread-safety: EngineImpl is thread-safe (global variables under a mutex;
// the reader/writer are thread-safe per engine.h). A SessionImpl is used by
// one thread at a time.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "meta/catalog/model.h"
#include "sql/ast.h"
#include "sql/new_engine.h"
#include "sql/privileges.h"
#include "sql/value.h"

namespace strata::sql {

inline constexpr std::string_view kInfoSchema = "information_schema";

// What KILL reaches of a session: its flags, owner and wake-up hook. Shared
// by the session and the engine's registry (a KILL may race the session's end).
struct SessionControl {
  uint64_t connection_id = 0;
  meta::UserIdentity account;
  std::atomic<bool> kill_query{false};       // KILL QUERY: the running statement ends (1317)
  std::atomic<bool> kill_connection{false};  // KILL [CONNECTION]: that, and the connection closes
  std::mutex hook_mu;                        // serializes calls of `hook` with its reset
  std::function<void()> hook;                // guarded by hook_mu
};

class EngineImpl : public Engine {
 public:
  EngineImpl(const CatalogReader* reader, CatalogWriter* writer, EngineOptions options);

  Result<AuthInfo> LookupUser(std::string_view user, std::string_view host) override;
  Result<std::unique_ptr<Session>> NewSession(const AuthInfo& account, std::string_view database) override;
  Result<std::unique_ptr<Session>> NewSessionWithId(const AuthInfo& account, std::string_view database,
                                                    uint64_t connection_id);

  // A copy of the catalog (consistent; statements work on their own copy).
  meta::CatalogState State() const;
  CatalogWriter& writer() { return *writer_; }
  const EngineOptions& options() const { return options_; }
  int64_t NowMs() const;

  // The registry KILL looks sessions up in (by connection id).
  void RegisterSession(std::shared_ptr<SessionControl> control);
  void UnregisterSession(uint64_t connection_id, const SessionControl* control);
  std::shared_ptr<SessionControl> FindSession(uint64_t connection_id) const;

  std::string GlobalVariable(const std::string& name) const;  // the default if never SET GLOBAL
  void SetGlobalVariable(const std::string& name, const std::string& value);

 private:
  const CatalogReader* reader_;
  CatalogWriter* writer_;
  EngineOptions options_;
  std::atomic<uint64_t> next_connection_id_{1};
  mutable std::mutex mu_;
  std::map<std::string, std::string> global_vars_;  // guarded by mu_
  std::map<uint64_t, std::shared_ptr<SessionControl>> sessions_;  // guarded by mu_
};

struct Warning {
  std::string level;  // Note / Warning / Error
  uint16_t code = 0;
  std::string message;
};

// Maps a rejected change's Status to the statement's MySQL error; must throw.
using StatusMapper = std::function<void(const Status&)>;

// True when a rejected change's Status has `code` and (if given) `fragment`
// somewhere in its message. Mappers match the code first and then a stable
// part of the catalog's message (names included), never a prefix: the
// metadata service may wrap the catalog's message in context, so a real FE
// and the in-memory test writer must map the same way.
inline bool StatusMatches(const Status& e, StatusCode code, std::string_view fragment = {}) {
  return e.code() == code && (fragment.empty() || e.message().find(fragment) != std::string::npos);
}

class SessionImpl : public Session, public EvalScope {
 public:
  SessionImpl(EngineImpl* engine, meta::UserIdentity account, std::string database, uint64_t connection_id);
  ~SessionImpl() override;

  ExecOutcome Execute(std::string_view sql) override;
  ExecOutcome Execute(std::string_view sql, ResultStream* stream) override;
  ExecOutcome UseDatabase(std::string_view database) override;
  ExecOutcome FieldList(std::string_view table) override;
  const std::string& current_database() const override { return database_; }
  const std::string& user() const override { return account_.name; }
  bool killed() const override { return control_->kill_connection.load(); }
  void SetKillHook(std::function<void()> hook) override;
  // Throws ER_QUERY_INTERRUPTED once KILL named this session's statement
  // (thread-safe: query engine tasks call it).
  static void CheckKilled(const SessionControl& control);

  // EvalScope: variables and session functions (columns are unknown here).
  Value Column(const std::string& qualifier, const std::string& name) const override;
  Value SysVar(const std::string& scope, const std::string& name) const override;
  Value UserVar(const std::string& name) const override;
  std::optional<Value> SessionFunction(const std::string& name) const override;

  // ---- executors (one per statement type)
  ExecResult Run(const CreateDatabaseStmt& s);
  ExecResult Run(const DropDatabaseStmt& s);
  ExecResult Run(const CreateTableStmt& s);
  ExecResult Run(const DropTableStmt& s);
  ExecResult Run(const TruncateTableStmt& s);
  ExecResult Run(const AlterTableStmt& s);
  ExecResult Run(const CreateStorageVolumeStmt& s);
  ExecResult Run(const DropStorageVolumeStmt& s);
  ExecResult Run(const SetDefaultStorageVolumeStmt& s);
  ExecResult Run(const AlterSystemStmt& s);
  ExecResult Run(const AdminSetConfigStmt& s);
  ExecResult Run(const AdminSnapshotStmt& s);
  ExecResult Run(const CreateUserStmt& s);
  ExecResult Run(const DropUserStmt& s);
  ExecResult Run(const SetPasswordStmt& s);
  ExecResult Run(const CreateRoleStmt& s);
  ExecResult Run(const DropRoleStmt& s);
  ExecResult Run(const GrantStmt& s);
  ExecResult Run(const GrantRoleStmt& s);
  ExecResult Run(const UseStmt& s);
  ExecResult Run(const SelectStmt& s);
  // A SELECT for the query engine, after the SELECT privilege on `tables` (exec_select.cc).
  ExecResult RunQueryEngine(const SelectStmt& s, const std::vector<TableName>& tables);
  ExecResult Run(const SetStmt& s);
  ExecResult Run(const ShowStmt& s);
  ExecResult Run(const UnsupportedStmt& s);
  ExecResult Run(const TransactionStmt& s);
  ExecResult Run(const InsertStmt& s);  // exec_dml.cc
  ExecResult Run(const DeleteStmt& s);
  ExecResult Run(const ClusterSnapshotStmt& s);  // exec_cluster.cc
  ExecResult Run(const KillStmt& s);             // session.cc

  // ---- helpers shared by the executors
  PrivilegeChecker Checker(const meta::CatalogState& state) const { return PrivilegeChecker(state, account_); }
  std::string ResolveDb(const std::string& db) const;  // ER_NO_DB_ERROR if none
  // Submits one change; a rejection goes through `mapper` (which throws), else 1105.
  meta::CommitResult Submit(meta::ChangeBody body, const StatusMapper& mapper);
  void AddNote(uint16_t code, std::string message);
  std::string AccountText() const { return meta::ToString(account_); }
  std::string SessionVariable(const std::string& name) const;
  EngineImpl& engine() { return *engine_; }

  // SHOW families (exec_show.cc, exec_cluster.cc, exec_access.cc).
  ResultSet ShowTables(const ShowStmt& s, const meta::CatalogState& st);
  ResultSet ShowCreateTable(const ShowStmt& s, const meta::CatalogState& st);
  ResultSet ShowPartitions(const ShowStmt& s, const meta::CatalogState& st);
  ResultSet ShowColumns(const ShowStmt& s, const meta::CatalogState& st);
  ResultSet ShowVariables(const ShowStmt& s);
  ResultSet ShowCluster(const ShowStmt& s, const meta::CatalogState& st);
  ResultSet ShowGrants(const ShowStmt& s, const meta::CatalogState& st);
  ResultSet ShowMisc(const ShowStmt& s, const meta::CatalogState& st);
  // Looks up db.table in `st` for a statement: ER_BAD_DB_ERROR / ER_NO_SUCH_TABLE.
  const meta::Table& FindTable(const meta::CatalogState& st, const TableName& name, std::string* db_out) const;

 private:
  ExecOutcome ExecuteStatement(std::string_view sql, ResultStream* stream);

  EngineImpl* engine_;
  meta::UserIdentity account_;
  std::string database_;
  uint64_t connection_id_;
  std::shared_ptr<SessionControl> control_;
  ResultStream* stream_ = nullptr;  // while a top-level SELECT runs with a stream
  std::map<std::string, std::string> vars_;       // session overrides of system variables
  std::map<std::string, Value> user_vars_;
  std::vector<Warning> warnings_;
  std::vector<Warning> pending_warnings_;         // of the statement running
};

// Result-set building helpers.
ResultColumn Col(std::string name, ColumnType type = ColumnType::kVarString);
ResultSet MakeResultSet(std::initializer_list<std::string_view> names);
ExecResult WithResultSet(ResultSet rs);
ExecResult Ok(uint64_t affected = 0);
// Keeps rows whose first column matches `like` and/or for which `where` is true
// (columns resolved by name); used by the SHOW ... LIKE / WHERE forms.
void FilterRows(ResultSet& rs, const std::optional<std::string>& like, const Expr* where, const EvalScope& outer);
std::string FormatTimeMs(int64_t ms);  // "YYYY-MM-DD HH:MM:SS" (UTC); "" for 0

}  // namespace strata::sql

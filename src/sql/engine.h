// The SQL engine's contract with the MySQL protocol layer (server/mysql/) and
// with the catalog (meta/). The protocol layer authenticates a connection,
// opens a Session, and hands it each statement; the Session parses, checks
// privileges, executes, and answers with a result set, an OK, or a SqlError
// carrying a real MySQL error code.
//
// Thread-safety: Engine is thread-safe; a Session belongs to one connection
// and is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "meta/catalog/catalog.h"
#include "meta/catalog/change.h"
#include "meta/service/meta_service.h"  // meta::CommitResult

namespace strata::sql {

// MySQL protocol column types (the values on the wire).
enum class ColumnType : uint8_t {
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kLongLong = 8,
  kDate = 10,
  kDateTime = 12,
  kNewDecimal = 246,
  kVarString = 253,
};

struct ResultColumn {
  std::string name;
  ColumnType type = ColumnType::kVarString;
  std::string table;   // origin table, may be empty
  std::string schema;  // origin database, may be empty
};

using Row = std::vector<std::optional<std::string>>;  // text-protocol values; nullopt is NULL

struct ResultSet {
  std::vector<ResultColumn> columns;
  std::vector<Row> rows;
  // The rows went to a ResultStream as they were produced (`rows` is
  // empty): only the end of the result set is left to send.
  bool streamed = false;
};

// Receives a large result set while the query still runs (the text
// protocol's COM_QUERY): Begin once with the columns and the first rows,
// then Rows for every further batch. False from either: the client is gone
// and the query ends. A statement that fails after Begin returns its error
// as usual; the protocol layer sends it in place of the end of the rows.
class ResultStream {
 public:
  virtual ~ResultStream() = default;
  virtual bool Begin(const ResultSet& first) = 0;
  virtual bool Rows(std::vector<Row>&& rows) = 0;
};

struct ExecResult {
  bool has_result_set = false;
  ResultSet result_set;
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t warnings = 0;
  std::string info;
};

// A failed statement, as the client sees it: a MySQL error code (ER_*), its
// SQLSTATE and a message. A failed statement changes nothing.
struct SqlError {
  uint16_t code = 1105;          // ER_UNKNOWN_ERROR
  std::string sqlstate = "HY000";
  std::string message;
};

using ExecOutcome = std::variant<ExecResult, SqlError>;

// How the SQL layer changes the catalog: on the leader FE a direct
// MetaService::Submit, on a follower a forward to the leader (server/
// implements it). The change's own rejection (AlreadyExists, NotFound, ...)
// comes back as the Status.
class CatalogWriter {
 public:
  virtual ~CatalogWriter() = default;
  virtual Result<meta::CommitResult> Submit(meta::Change change) = 0;
};

// How the SQL layer reads the catalog: a consistent view for the duration of
// the callback. After a successful Submit the reader must reflect it
// (read-your-writes; server/ waits for the version before returning).
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;
  virtual void Read(const std::function<void(const meta::Catalog&)>& reader) const = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  // One statement of text (a trailing ';' is allowed). Never throws.
  virtual ExecOutcome Execute(std::string_view sql) = 0;
  // The same; a SELECT whose result outgrows one batch streams its rows into
  // `stream` (the result then says `streamed`). Sessions that cannot stream
  // answer as Execute.
  virtual ExecOutcome Execute(std::string_view sql, ResultStream* stream) {
    (void)stream;
    return Execute(sql);
  }
  // COM_INIT_DB.
  virtual ExecOutcome UseDatabase(std::string_view database) = 0;
  // COM_FIELD_LIST: the columns of `table` in the current database.
  virtual ExecOutcome FieldList(std::string_view table) = 0;
  virtual const std::string& current_database() const = 0;
  virtual const std::string& user() const = 0;
  // True once KILL [CONNECTION] named this session: the protocol layer
  // closes the connection after answering the command in flight.
  virtual bool killed() const { return false; }
  // Called (from the killing session's thread) when KILL [CONNECTION] names
  // this session, so a connection waiting for its next command wakes up; it
  // must not block. Set it null before whatever it touches goes away (the
  // call and the reset are serialized). Thread-safe.
  virtual void SetKillHook(std::function<void()> hook) { (void)hook; }
};

// What the protocol layer needs to authenticate `user` connecting from `host`.
struct AuthInfo {
  std::string user;        // the matched account's user name
  std::string host;        // the matched account's host pattern ('%' ...)
  std::string native_hash; // SHA1(SHA1(password)) as 20 raw bytes; empty: no password
};

class Engine {
 public:
  virtual ~Engine() = default;
  // NotFound when no account matches (the protocol answers ER_ACCESS_DENIED_ERROR).
  virtual Result<AuthInfo> LookupUser(std::string_view user, std::string_view host) = 0;
  // A session for an authenticated account; `database` may be empty.
  // InvalidArgument/NotFound when the database does not exist (ER_BAD_DB_ERROR).
  virtual Result<std::unique_ptr<Session>> NewSession(const AuthInfo& account, std::string_view database) = 0;
};

}  // namespace strata::sql

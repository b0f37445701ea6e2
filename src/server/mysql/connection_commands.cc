// The result-sending and prepared-statement half of Connection (connection.h).
#include <fmt/format.h>

#include <algorithm>

#include "server/mysql/binary_row.h"
#include "server/mysql/connection.h"
#include "server/mysql/wire.h"

namespace strata::server::mysql {

namespace {
constexpr uint16_t kErPsManyParam = 1390;            // HY000
constexpr uint16_t kErMaxPreparedStmtCount = 1461;  // 42000

std::string ColumnCount(uint64_t n) {
  WireWriter w;
  w.LenencInt(n);
  return w.Take();
}
}  // namespace

bool Connection::SendOutcome(const sql::ExecOutcome& outcome, bool binary) {
  if (const auto* err = std::get_if<sql::SqlError>(&outcome)) {
    return SendError(err->code, err->sqlstate, err->message);
  }
  const auto& result = std::get<sql::ExecResult>(outcome);
  if (result.has_result_set) return SendResultSet(result.result_set, result.warnings, binary);
  return SendOk(result.affected_rows, result.last_insert_id, result.warnings, result.info);
}

// Column count, definitions, [EOF], rows, EOF/OK — text or binary rows.
bool Connection::SendResultSet(const sql::ResultSet& rs, uint16_t warnings, bool binary) {
  std::vector<sql::ColumnType> types;
  if (binary) {
    types = BinaryWireTypes(rs);
  } else {
    for (const auto& c : rs.columns) types.push_back(c.type);
  }
  if (!SendResultHead(rs, types)) return false;
  for (const auto& row : rs.rows) {
    if (!Write(binary ? BuildBinaryRow(row, types) : BuildTextRow(row))) return false;
  }
  return SendEnd(warnings) && channel_.Flush() == IoResult::kOk;
}

bool Connection::SendResultHead(const sql::ResultSet& rs, const std::vector<sql::ColumnType>& types) {
  std::vector<uint64_t> widest(rs.columns.size(), 0);
  for (const auto& row : rs.rows) {
    for (size_t i = 0; i < widest.size() && i < row.size(); i++) {
      if (row[i]) widest[i] = std::max<uint64_t>(widest[i], row[i]->size());
    }
  }
  if (!Write(ColumnCount(rs.columns.size()))) return false;
  for (size_t i = 0; i < rs.columns.size(); i++) {
    if (!Write(BuildColumnDefinition(rs.columns[i], types[i], WireAttributes(types[i], widest[i]), false))) {
      return false;
    }
  }
  return (capabilities_ & kClientDeprecateEof) || Write(BuildEof(kStatusAutocommit, 0));
}

bool Connection::HandleQuery(std::string_view sql) {
  // Sends the head and the first rows at Begin, every later batch as it
  // comes; remembers whether the client is still there.
  class Streamer final : public sql::ResultStream {
   public:
    explicit Streamer(Connection* c) : c_(c) {}
    bool Begin(const sql::ResultSet& first) override {
      began_ = true;
      for (const auto& col : first.columns) types_.push_back(col.type);
      alive_ = c_->SendResultHead(first, types_) && WriteRows(first.rows);
      return alive_;
    }
    bool Rows(std::vector<sql::Row>&& rows) override {
      alive_ = alive_ && WriteRows(rows);
      return alive_;
    }
    bool began() const { return began_; }
    bool alive() const { return alive_; }

   private:
    bool WriteRows(const std::vector<sql::Row>& rows) {
      for (const auto& row : rows) {
        if (!c_->Write(BuildTextRow(row))) return false;
      }
      return c_->channel_.Flush() == IoResult::kOk;
    }
    Connection* c_;
    std::vector<sql::ColumnType> types_;
    bool began_ = false;
    bool alive_ = true;
  } streamer(this);
  sql::ExecOutcome outcome = session_->Execute(sql, &streamer);
  if (!streamer.began()) return SendOutcome(outcome, /*binary=*/false);
  if (!streamer.alive()) return false;  // the client went away mid-result
  // Rows are out: the end, or the error that cut them short (an ERR packet
  // in place of the EOF, as MySQL sends when a query fails mid-result).
  if (const auto* err = std::get_if<sql::SqlError>(&outcome)) return SendError(err->code, err->sqlstate, err->message);
  return SendEnd(std::get<sql::ExecResult>(outcome).warnings) && channel_.Flush() == IoResult::kOk;
}

bool Connection::HandleFieldList(std::string_view body) {
  WireReader r(body);
  std::string_view table;
  r.NulStr(&table, /*to_end_ok=*/true);  // the wildcard after it is ignored
  sql::ExecOutcome outcome = session_->FieldList(table);
  if (const auto* err = std::get_if<sql::SqlError>(&outcome)) return SendError(err->code, err->sqlstate, err->message);
  const auto& columns = std::get<sql::ExecResult>(outcome).result_set.columns;
  for (const auto& c : columns) {
    if (!Write(BuildColumnDefinition(c, c.type, WireAttributes(c.type, 0), /*field_list=*/true))) return false;
  }
  return SendEnd(0) && channel_.Flush() == IoResult::kOk;
}

bool Connection::HandlePrepare(std::string_view sql) {
  if (statements_.size() >= options_->prepared_statements_max) {
    return SendError(kErMaxPreparedStmtCount, "42000",
                     fmt::format("Can't create more than max_prepared_stmt_count statements (current value: {})",
                                 options_->prepared_statements_max));
  }
  PreparedStatement stmt;
  stmt.placeholders = FindPlaceholders(sql);
  if (stmt.placeholders.size() > kParamsMax) {
    return SendError(kErPsManyParam, "HY000", "Prepared statement contains too many placeholders");
  }
  stmt.id = next_statement_id_++;
  if (next_statement_id_ == 0) next_statement_id_ = 1;
  stmt.sql.assign(sql);
  WireWriter ok;
  ok.U8(0x00);
  ok.U32(stmt.id);
  ok.U16(0);  // columns: unknown until executed; EXECUTE sends its own definitions
  ok.U16(static_cast<uint16_t>(stmt.num_params()));
  ok.U8(0);
  ok.U16(0);
  if (!Write(ok.Take())) return false;
  if (stmt.num_params() > 0) {
    sql::ResultColumn param{"?", sql::ColumnType::kVarString, "", ""};
    std::string def = BuildColumnDefinition(param, param.type, WireAttributes(param.type, 0), false);
    for (size_t i = 0; i < stmt.num_params(); i++) {
      if (!Write(def)) return false;
    }
    // With CLIENT_DEPRECATE_EOF nothing ends the definitions (the client counts
    // them); an extra packet would be read as the next command's answer.
    if (!(capabilities_ & kClientDeprecateEof) && !Write(BuildEof(kStatusAutocommit, 0))) return false;
  }
  statements_.emplace(stmt.id, std::move(stmt));
  return channel_.Flush() == IoResult::kOk;
}

bool Connection::HandleExecute(std::string_view body) {
  uint32_t id = 0;
  auto it = ReadStatementId(body, &id) ? statements_.find(id) : statements_.end();
  if (it == statements_.end()) {
    return SendError(kErUnknownStmtHandler, "HY000",
                     fmt::format("Unknown prepared statement handler ({}) given to mysqld_stmt_execute", id));
  }
  PreparedStatement& stmt = it->second;
  if (stmt.long_data_too_large) {
    stmt.long_data_too_large = false;
    for (auto& d : stmt.long_data) d.reset();
    return SendError(kErNetPacketTooLarge, "08S01", "Parameter of prepared statement is bigger than 'max_allowed_packet' bytes");
  }
  std::vector<std::string> literals;
  std::string why;
  if (!DecodeExecuteParams(body, &stmt, &literals, &why)) {
    return SendError(kErWrongArguments, "HY000", "Incorrect arguments to mysqld_stmt_execute: " + why);
  }
  std::string sql = SubstituteParams(stmt.sql, stmt.placeholders, literals);
  return SendOutcome(session_->Execute(sql), /*binary=*/true);
}

// No answer on success or failure, by protocol; errors surface at execute.
bool Connection::HandleLongData(std::string_view body) {
  WireReader r(body);
  uint32_t id;
  uint16_t param;
  if (!r.U32(&id) || !r.U16(&param)) return true;
  auto it = statements_.find(id);
  if (it == statements_.end() || param >= it->second.num_params()) return true;
  PreparedStatement& stmt = it->second;
  stmt.long_data.resize(stmt.num_params());
  auto& data = stmt.long_data[param];
  if (!data) data.emplace();
  std::string_view chunk = r.Rest();
  if (data->size() + chunk.size() > options_->channel.max_payload_bytes) {
    stmt.long_data_too_large = true;
    data.reset();
    return true;
  }
  data->append(chunk);
  return true;
}

bool Connection::HandleResetConnection() {
  auto session = OpenSession(session_->current_database());
  if (!session.ok()) session = OpenSession("");  // the database went away meanwhile
  if (!session.ok()) return SendError(1105, "HY000", "reset connection: " + session.status().message());
  AdoptSession(std::move(session).value());
  statements_.clear();
  return SendOk();
}

}  // namespace strata::server::mysql

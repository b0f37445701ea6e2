// One MySQL client connection: the handshake (mysql_native_password; a
// caching_sha2_password client is switched to it), then the command loop —
// COM_QUERY, COM_INIT_DB, COM_PING, COM_QUIT, COM_FIELD_LIST, COM_STATISTICS,
// COM_SET_OPTION, COM_RESET_CONNECTION and the prepared-statement commands —
// each answered through the sql::Session with a result set, OK or ERR.
// KILL [CONNECTION] of this connection's session closes it: at once when it
// waits for a command (the read side is shut down), else after the statement
// in flight answered (1317).
//
// Bounded everywhere: the handshake must finish within auth_timeout_ms, an
// idle connection is closed after wait_timeout_ms (ER_CLIENT_INTERACTION_TIMEOUT
// first), a packet above max_payload_bytes ends the connection with
// ER_NET_PACKET_TOO_LARGE, and prepared statements per connection are capped.
// Garbage (bad framing, sequence ids, malformed commands) gets an ERR packet;
// framing errors also close the connection. Nothing a client sends crashes it.
//
// Thread-safety: Run() is called once, on the connection's own thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "server/mysql/messages.h"
#include "server/mysql/packet.h"
#include "server/mysql/prepared.h"
#include "sql/engine.h"

namespace strata::server::mysql {

struct ConnectionOptions {
  std::string server_version = "8.0.33-Strata";
  ChannelOptions channel;
  int64_t auth_timeout_ms = 10000;          // connect_timeout: the whole handshake
  int64_t wait_timeout_ms = 28800LL * 1000;  // wait_timeout: idle between commands
  size_t prepared_statements_max = 1024;    // per connection
  std::function<std::string()> statistics;  // COM_STATISTICS text; may be null
  // Opens the session of an authenticated account with the connection id the
  // handshake announced. Null: engine->NewSession(account, database). The FE
  // passes sql::NewSessionWithConnectionId so that CONNECTION_ID() matches.
  std::function<Result<std::unique_ptr<sql::Session>>(sql::Engine*, const sql::AuthInfo&, std::string_view database,
                                                      uint64_t connection_id)>
      new_session;
};

class Connection {
 public:
  // `fd` is owned by the caller (closed after Run returns); `engine` must
  // outlive the connection. `peer_host` is the client's address ('127.0.0.1').
  Connection(int fd, uint32_t id, std::string peer_host, sql::Engine* engine, const ConnectionOptions* options);
  ~Connection();

  // Serves the connection until COM_QUIT, an error, a timeout or the peer
  // closing. Never throws.
  void Run();

 private:
  bool Handshake();
  bool Authenticate(const HandshakeResponse& response, std::string auth_response);
  bool ReadAuthSwitchReply(std::string* reply);
  bool CommandLoop();
  bool Dispatch(const std::string& payload);
  bool HandleFieldList(std::string_view body);
  bool HandlePrepare(std::string_view sql);
  bool HandleExecute(std::string_view body);
  bool HandleLongData(std::string_view body);
  bool HandleResetConnection();
  Result<std::unique_ptr<sql::Session>> OpenSession(std::string_view database);
  // Makes `session` the connection's, with the hook KILL [CONNECTION] uses.
  void AdoptSession(std::unique_ptr<sql::Session> session);

  bool SendOutcome(const sql::ExecOutcome& outcome, bool binary);
  bool SendResultSet(const sql::ResultSet& rs, uint16_t warnings, bool binary);
  // Column count, definitions (display widths from the rows at hand), [EOF].
  bool SendResultHead(const sql::ResultSet& rs, const std::vector<sql::ColumnType>& types);
  // COM_QUERY: a large SELECT's rows go out while the query still runs.
  bool HandleQuery(std::string_view sql);
  bool SendEnd(uint16_t warnings);  // EOF, or OK-as-EOF under CLIENT_DEPRECATE_EOF
  bool SendOk(uint64_t affected = 0, uint64_t last_id = 0, uint16_t warnings = 0, std::string_view info = {});
  bool SendError(uint16_t code, std::string_view sqlstate, std::string_view message);
  bool Send(std::string_view payload);  // writes and flushes; false if the peer is gone
  bool Write(std::string_view payload);  // writes (flushing when the buffer is large)

  int fd_;
  uint32_t id_;
  std::string peer_host_;
  sql::Engine* engine_;
  const ConnectionOptions* options_;
  PacketChannel channel_;
  std::string scramble_;
  uint32_t capabilities_ = 0;  // negotiated: client's & server's
  sql::AuthInfo account_;
  std::unique_ptr<sql::Session> session_;
  std::map<uint32_t, PreparedStatement> statements_;
  uint32_t next_statement_id_ = 1;
};

}  // namespace strata::server::mysql

// MysqlClient: a small client of the MySQL wire protocol for Strata's own
// tools (`strata local demo`), over the framing and wire primitives the server
// uses (server/mysql/packet.h, wire.h). It speaks what a plain `mysql` CLI
// session needs and nothing more:
//   - HandshakeV10 from the server, HandshakeResponse41 with
//     mysql_native_password (an AuthSwitchRequest to it is followed);
//   - COM_QUERY with text result sets (classic EOF or CLIENT_DEPRECATE_EOF,
//     whichever the server offers), OK and ERR packets; COM_PING; COM_QUIT.
// No TLS, no compression, no prepared statements, no LOCAL INFILE.
//
// Errors (Status codes):
//   Unavailable       the server cannot be reached, closed the connection, or
//                     did not answer within the timeout (retry the call on a
//                     new connection: this one is closed afterwards)
//   Unauthenticated   the server refused the login (ERR 1045)
//   InvalidArgument   any other ERR packet — the message reads as the mysql
//                     CLI prints it, "ERROR 1064 (42000): ..."; server_error()
//                     holds the code and SQLSTATE
//   DataLoss          a malformed packet from the server (connection closed)
//   Unimplemented     an authentication method other than mysql_native_password
// Every wait is bounded by the options' timeouts and every result by rows_max.
//
// Thread-safety: one object per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::server::mysql {
class PacketChannel;
}

namespace strata::server::local {

struct MysqlClientOptions {
  std::string host = "127.0.0.1";
  int port = 9030;
  std::string user = "root";
  std::string password;
  std::string database;  // "" = none
  int64_t connect_timeout_ms = 5000;  // TCP connect plus the whole login
  int64_t query_timeout_ms = 120000;  // a statement's answer must start within this
  size_t rows_max = 1'000'000;        // a larger result set is an error
  bool deprecate_eof = true;          // ask for CLIENT_DEPRECATE_EOF (false: classic EOF packets)
};

struct MysqlServerError {
  uint16_t code = 0;
  std::string sqlstate;
  std::string message;
};

using MysqlRow = std::vector<std::optional<std::string>>;  // nullopt = NULL

struct MysqlResult {
  bool has_result_set = false;
  std::vector<std::string> columns;  // result set column names
  std::vector<MysqlRow> rows;
  uint64_t affected_rows = 0;  // OK packet
  uint64_t last_insert_id = 0;
  uint16_t warnings = 0;
  std::string info;
};

class MysqlClient {
 public:
  // Connects and logs in. See the header comment for the error codes.
  static Result<std::unique_ptr<MysqlClient>> Connect(const MysqlClientOptions& options);
  ~MysqlClient();  // sends COM_QUIT (best effort) and closes the socket
  MysqlClient(const MysqlClient&) = delete;
  MysqlClient& operator=(const MysqlClient&) = delete;

  // Runs one statement (no trailing ';' needed). After Unavailable or DataLoss
  // the connection is closed and every later call answers Unavailable.
  Result<MysqlResult> Query(std::string_view sql);
  Status Ping();

  // The last ERR packet the server sent (login or statement).
  const std::optional<MysqlServerError>& server_error() const { return server_error_; }
  const std::string& server_version() const { return server_version_; }
  uint32_t connection_id() const { return connection_id_; }

 private:
  MysqlClient(int fd, const MysqlClientOptions& options);
  Status Login();
  Status ReadPacket(std::string* payload, int64_t timeout_ms);
  Status WritePacket(std::string_view payload);
  Status ServerError(std::string_view err_packet);
  Status ReadOk(std::string_view packet, MysqlResult* result);
  Status ReadResultSet(uint64_t columns, MysqlResult* result);
  Status Broken(Status why);  // closes the connection, returns `why`

  int fd_ = -1;
  MysqlClientOptions options_;
  std::unique_ptr<mysql::PacketChannel> channel_;
  uint32_t capabilities_ = 0;  // agreed with the server
  std::string server_version_;
  uint32_t connection_id_ = 0;
  std::optional<MysqlServerError> server_error_;
};

// Renders a result set as the mysql CLI does: a +---+ framed table (NULL as
// NULL), followed by "N rows in set". Column widths follow the longest value
// (bytes; the demo's data are ASCII).
std::string FormatTable(const MysqlResult& result);

}  // namespace strata::server::local

#include "server/local/mysql_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "server/mysql/auth.h"
#include "server/mysql/messages.h"
#include "server/mysql/packet.h"
#include "server/mysql/wire.h"

namespace strata::server::local {
namespace {

using mysql::IoResult;
using mysql::WireReader;
using mysql::WireWriter;

constexpr uint8_t kOkHeader = 0x00;
constexpr uint8_t kEofHeader = 0xFE;
constexpr uint8_t kErrHeader = 0xFF;
constexpr uint8_t kNullValue = 0xFB;
constexpr uint8_t kLocalInfileHeader = 0xFB;
constexpr size_t kEofPacketBytesMax = 9;  // a classic EOF is 5 bytes; a row starting 0xFE is longer
constexpr uint64_t kColumnsMax = 4096;
constexpr uint16_t kErAccessDenied = 1045;

// What the client asks for; the agreed set is this AND what the server offers.
constexpr uint32_t kClientCapabilities =
    mysql::kClientLongPassword | mysql::kClientLongFlag | mysql::kClientProtocol41 | mysql::kClientTransactions |
    mysql::kClientSecureConnection | mysql::kClientMultiResults | mysql::kClientPluginAuth |
    mysql::kClientPluginAuthLenencData | mysql::kClientDeprecateEof;

const char* IoName(IoResult r) {
  switch (r) {
    case IoResult::kOk: return "ok";
    case IoResult::kNeedMore: return "incomplete packet";
    case IoResult::kClosed: return "connection closed by the server";
    case IoResult::kIdleTimeout: return "no answer within the timeout";
    case IoResult::kTimeout: return "a packet stalled part-way";
    case IoResult::kTooLarge: return "packet too large";
    case IoResult::kOutOfOrder: return "packets out of order";
  }
  return "unknown";
}

// Connects a TCP socket to host:port within timeout_ms; returns the fd or -1 and *why.
int ConnectTcp(const std::string& host, int port, int64_t timeout_ms, std::string* why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    *why = fmt::format("cannot resolve '{}': {}", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  *why = "no address";
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      *why = std::strerror(errno);
      continue;
    }
    int r = connect(fd, a->ai_addr, a->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready;
      do {
        ready = poll(&p, 1, static_cast<int>(timeout_ms));
      } while (ready < 0 && errno == EINTR);
      int err = 0;
      socklen_t len = sizeof(err);
      if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        r = 0;
      } else {
        errno = ready == 0 ? ETIMEDOUT : (err != 0 ? err : errno);
        r = -1;
      }
    }
    if (r != 0) {
      *why = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

// The 20-byte scramble and the rest of a HandshakeV10.
struct Greeting {
  std::string server_version;
  uint32_t connection_id = 0;
  uint32_t capabilities = 0;
  std::string scramble;
  std::string plugin;
};

bool ParseGreeting(std::string_view payload, Greeting* g) {
  WireReader r(payload);
  uint8_t protocol, charset, data_len;
  uint16_t caps_low, status, caps_high;
  std::string_view version, part1;
  if (!r.U8(&protocol) || protocol != 10 || !r.NulStr(&version)) return false;
  if (!r.U32(&g->connection_id) || !r.Bytes(8, &part1) || !r.Skip(1) || !r.U16(&caps_low)) return false;
  g->server_version = std::string(version);
  g->scramble = std::string(part1);
  g->capabilities = caps_low;
  if (r.empty()) return true;  // a pre-4.1 style greeting: the 8 bytes are all
  if (!r.U8(&charset) || !r.U16(&status) || !r.U16(&caps_high) || !r.U8(&data_len) || !r.Skip(10)) return false;
  g->capabilities |= static_cast<uint32_t>(caps_high) << 16;
  if (g->capabilities & mysql::kClientSecureConnection) {
    size_t n = std::max<size_t>(13, data_len > 8 ? data_len - 8u : 0u);
    std::string_view part2;
    if (!r.Bytes(std::min(n, r.remaining()), &part2)) return false;
    while (!part2.empty() && part2.back() == '\0') part2.remove_suffix(1);
    g->scramble += std::string(part2);
  }
  if (g->capabilities & mysql::kClientPluginAuth) {
    std::string_view plugin;
    if (r.NulStr(&plugin, /*to_end_ok=*/true)) g->plugin = std::string(plugin);
  }
  return true;
}

bool IsEof(std::string_view p, bool deprecate_eof) {
  if (p.empty() || static_cast<uint8_t>(p[0]) != kEofHeader) return false;
  return deprecate_eof ? p.size() < mysql::kMaxChunkBytes : p.size() < kEofPacketBytesMax;
}

}  // namespace

MysqlClient::MysqlClient(int fd, const MysqlClientOptions& options) : fd_(fd), options_(options) {
  mysql::ChannelOptions c;
  c.read_timeout_ms = options.query_timeout_ms;
  c.write_timeout_ms = options.query_timeout_ms;
  channel_ = std::make_unique<mysql::PacketChannel>(fd, c);
}

MysqlClient::~MysqlClient() {
  if (fd_ < 0) return;
  channel_->ResetSequence();
  if (channel_->Write(std::string(1, static_cast<char>(mysql::kComQuit))) == IoResult::kOk) (void)channel_->Flush();
  close(fd_);
}

Result<std::unique_ptr<MysqlClient>> MysqlClient::Connect(const MysqlClientOptions& options) {
  std::string why;
  int fd = ConnectTcp(options.host, options.port, options.connect_timeout_ms, &why);
  if (fd < 0) return Unavailable(fmt::format("cannot connect to MySQL at {}:{}: {}", options.host, options.port, why));
  std::unique_ptr<MysqlClient> client(new MysqlClient(fd, options));
  STRATA_RETURN_IF_ERROR(client->Login());
  return client;
}

Status MysqlClient::Broken(Status why) {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  return why;
}

Status MysqlClient::ReadPacket(std::string* payload, int64_t timeout_ms) {
  if (fd_ < 0) return Unavailable("the MySQL connection is closed");
  IoResult r = channel_->Read(payload, timeout_ms);
  if (r == IoResult::kOk) return Status::OK();
  return Broken(Unavailable(fmt::format("MySQL {}:{}: {}", options_.host, options_.port, IoName(r))));
}

Status MysqlClient::WritePacket(std::string_view payload) {
  if (fd_ < 0) return Unavailable("the MySQL connection is closed");
  IoResult r = channel_->Write(payload);
  if (r == IoResult::kOk) r = channel_->Flush();
  if (r == IoResult::kOk) return Status::OK();
  return Broken(Unavailable(fmt::format("MySQL {}:{}: {}", options_.host, options_.port, IoName(r))));
}

Status MysqlClient::ServerError(std::string_view p) {
  WireReader r(p);
  MysqlServerError e;
  uint8_t header;
  if (!r.U8(&header) || !r.U16(&e.code)) return Broken(DataLoss("malformed ERR packet from the MySQL server"));
  std::string_view state;
  uint8_t marker;
  if (r.PeekU8(&marker) && marker == '#' && r.Skip(1) && r.Bytes(5, &state)) e.sqlstate = std::string(state);
  e.message = std::string(r.Rest());
  std::string text = fmt::format("ERROR {} ({}): {}", e.code, e.sqlstate.empty() ? "HY000" : e.sqlstate, e.message);
  server_error_ = std::move(e);
  return server_error_->code == kErAccessDenied ? Unauthenticated(text) : InvalidArgument(text);
}

Status MysqlClient::Login() {
  const int64_t deadline_ms = mysql::MonotonicMs() + options_.connect_timeout_ms;
  auto left = [&] { return std::max<int64_t>(1, deadline_ms - mysql::MonotonicMs()); };
  std::string p;
  STRATA_RETURN_IF_ERROR(ReadPacket(&p, left()));
  if (!p.empty() && static_cast<uint8_t>(p[0]) == kErrHeader) return Broken(ServerError(p));  // e.g. 1040
  Greeting g;
  if (!ParseGreeting(p, &g) || !(g.capabilities & mysql::kClientProtocol41)) {
    return Broken(DataLoss("not a MySQL 4.1+ server greeting"));
  }
  server_version_ = g.server_version;
  connection_id_ = g.connection_id;
  capabilities_ = (kClientCapabilities & g.capabilities) | mysql::kClientProtocol41;
  if (!options_.deprecate_eof) capabilities_ &= ~static_cast<uint32_t>(mysql::kClientDeprecateEof);
  if (!options_.database.empty()) capabilities_ |= mysql::kClientConnectWithDb & g.capabilities;
  WireWriter w;
  w.U32(capabilities_);
  w.U32(1u << 24);  // max packet
  w.U8(mysql::kCharsetUtf8mb4);
  w.Zeros(23);
  w.NulStr(options_.user);
  std::string auth = mysql::NativeAuthResponse(options_.password, g.scramble.substr(0, mysql::kScrambleBytes));
  if (capabilities_ & mysql::kClientPluginAuthLenencData) {
    w.LenencStr(auth);
  } else {
    w.U8(static_cast<uint8_t>(auth.size()));
    w.Raw(auth);
  }
  if (capabilities_ & mysql::kClientConnectWithDb) w.NulStr(options_.database);
  if (capabilities_ & mysql::kClientPluginAuth) w.NulStr(mysql::kNativePlugin);
  STRATA_RETURN_IF_ERROR(WritePacket(w.data()));
  STRATA_RETURN_IF_ERROR(ReadPacket(&p, left()));
  if (!p.empty() && static_cast<uint8_t>(p[0]) == kEofHeader) {  // AuthSwitchRequest
    WireReader s(p);
    std::string_view plugin, data;
    s.Skip(1);
    if (!s.NulStr(&plugin)) return Broken(DataLoss("malformed AuthSwitchRequest"));
    if (plugin != mysql::kNativePlugin) {
      return Broken(Unimplemented(fmt::format("the server asks for '{}'; only mysql_native_password is supported",
                                              plugin)));
    }
    data = s.Rest();
    while (!data.empty() && data.back() == '\0') data.remove_suffix(1);
    STRATA_RETURN_IF_ERROR(WritePacket(mysql::NativeAuthResponse(options_.password, data)));
    STRATA_RETURN_IF_ERROR(ReadPacket(&p, left()));
  }
  if (!p.empty() && static_cast<uint8_t>(p[0]) == kErrHeader) return Broken(ServerError(p));
  if (p.empty() || static_cast<uint8_t>(p[0]) != kOkHeader) {
    return Broken(DataLoss("unexpected answer to the login (authentication method not supported?)"));
  }
  if (options_.database.empty() || (capabilities_ & mysql::kClientConnectWithDb)) return Status::OK();
  Result<MysqlResult> use = Query("USE `" + options_.database + "`");
  return use.ok() ? Status::OK() : use.status();
}

Status MysqlClient::ReadOk(std::string_view packet, MysqlResult* result) {
  WireReader r(packet);
  uint16_t status;
  if (!r.Skip(1) || !r.LenencInt(&result->affected_rows) || !r.LenencInt(&result->last_insert_id) ||
      !r.U16(&status) || !r.U16(&result->warnings)) {
    return Broken(DataLoss("malformed OK packet from the MySQL server"));
  }
  // The info string: length-encoded (as Strata and MySQL with SESSION_TRACK
  // send it) or the rest of the packet.
  WireReader info = r;
  std::string_view s;
  if (info.LenencStr(&s) && info.empty()) {
    result->info = std::string(s);
  } else {
    result->info = std::string(r.Rest());
  }
  return Status::OK();
}

Status MysqlClient::ReadResultSet(uint64_t columns, MysqlResult* result) {
  const bool deprecate_eof = capabilities_ & mysql::kClientDeprecateEof;
  result->has_result_set = true;
  std::string p;
  for (uint64_t i = 0; i < columns; ++i) {
    STRATA_RETURN_IF_ERROR(ReadPacket(&p, options_.query_timeout_ms));
    WireReader r(p);
    std::string_view catalog, schema, table, org_table, name;
    if (!r.LenencStr(&catalog) || !r.LenencStr(&schema) || !r.LenencStr(&table) || !r.LenencStr(&org_table) ||
        !r.LenencStr(&name)) {
      return Broken(DataLoss("malformed column definition from the MySQL server"));
    }
    result->columns.emplace_back(name);
  }
  if (!deprecate_eof) {
    STRATA_RETURN_IF_ERROR(ReadPacket(&p, options_.query_timeout_ms));
    if (!IsEof(p, false)) return Broken(DataLoss("missing EOF after the column definitions"));
  }
  while (true) {
    STRATA_RETURN_IF_ERROR(ReadPacket(&p, options_.query_timeout_ms));
    if (!p.empty() && static_cast<uint8_t>(p[0]) == kErrHeader) return ServerError(p);
    if (IsEof(p, deprecate_eof)) return Status::OK();
    if (result->rows.size() == options_.rows_max) {
      return Broken(ResourceExhausted(fmt::format("result set larger than {} rows", options_.rows_max)));
    }
    WireReader r(p);
    MysqlRow row;
    row.reserve(columns);
    for (uint64_t i = 0; i < columns; ++i) {
      uint8_t first;
      std::string_view v;
      if (r.PeekU8(&first) && first == kNullValue) {
        r.Skip(1);
        row.emplace_back(std::nullopt);
      } else if (r.LenencStr(&v)) {
        row.emplace_back(std::string(v));
      } else {
        return Broken(DataLoss("malformed row from the MySQL server"));
      }
    }
    if (!r.empty()) return Broken(DataLoss("a row with more values than columns"));
    result->rows.push_back(std::move(row));
  }
}

Result<MysqlResult> MysqlClient::Query(std::string_view sql) {
  channel_->ResetSequence();
  std::string command(1, static_cast<char>(mysql::kComQuery));
  command.append(sql);
  STRATA_RETURN_IF_ERROR(WritePacket(command));
  std::string p;
  STRATA_RETURN_IF_ERROR(ReadPacket(&p, options_.query_timeout_ms));
  MysqlResult result;
  if (p.empty()) return Broken(DataLoss("empty answer from the MySQL server"));
  const auto header = static_cast<uint8_t>(p[0]);
  if (header == kErrHeader) return ServerError(p);
  if (header == kOkHeader) {
    STRATA_RETURN_IF_ERROR(ReadOk(p, &result));
    return result;
  }
  if (header == kLocalInfileHeader) return Broken(Unimplemented("LOAD DATA LOCAL INFILE is not supported"));
  WireReader r(p);
  uint64_t columns;
  if (!r.LenencInt(&columns) || !r.empty() || columns == 0 || columns > kColumnsMax) {
    return Broken(DataLoss("malformed result set header from the MySQL server"));
  }
  STRATA_RETURN_IF_ERROR(ReadResultSet(columns, &result));
  return result;
}

Status MysqlClient::Ping() {
  channel_->ResetSequence();
  STRATA_RETURN_IF_ERROR(WritePacket(std::string(1, static_cast<char>(mysql::kComPing))));
  std::string p;
  STRATA_RETURN_IF_ERROR(ReadPacket(&p, options_.query_timeout_ms));
  if (!p.empty() && static_cast<uint8_t>(p[0]) == kErrHeader) return ServerError(p);
  if (p.empty() || static_cast<uint8_t>(p[0]) != kOkHeader) return Broken(DataLoss("unexpected answer to COM_PING"));
  return Status::OK();
}

std::string FormatTable(const MysqlResult& result) {
  if (!result.has_result_set) return fmt::format("Query OK, {} rows affected\n", result.affected_rows);
  if (result.rows.empty()) return "Empty set\n";
  std::vector<size_t> width;
  for (const std::string& c : result.columns) width.push_back(c.size());
  for (const MysqlRow& row : result.rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i] ? row[i]->size() : 4);
    }
  }
  std::string rule = "+";
  for (size_t w : width) rule += std::string(w + 2, '-') + "+";
  rule += "\n";
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      out += " " + cell + std::string(width[i] - cell.size(), ' ') + " |";
    }
    return out + "\n";
  };
  std::string out = rule + line(result.columns) + rule;
  for (const MysqlRow& row : result.rows) {
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(v ? *v : "NULL");
    out += line(cells);
  }
  size_t n = result.rows.size();
  out += rule + fmt::format("{} row{} in set\n", n, n == 1 ? "" : "s");
  return out;
}

}  // namespace strata::server::local

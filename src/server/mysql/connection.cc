#include "server/mysql/connection.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include "common/logging.h"
#include "server/mysql/auth.h"
#include "server/mysql/wire.h"

namespace strata::server::mysql {

namespace {
std::string DenyMessage(std::string_view user, std::string_view host, bool used_password) {
  return fmt::format("Access denied for user '{}'@'{}' (using password: {})", user, host,
                     used_password ? "YES" : "NO");
}
}  // namespace

Connection::Connection(int fd, uint32_t id, std::string peer_host, sql::Engine* engine,
                       const ConnectionOptions* options)
    : fd_(fd),
      id_(id),
      peer_host_(std::move(peer_host)),
      engine_(engine),
      options_(options),
      channel_(fd, options->channel) {}

Connection::~Connection() = default;

void Connection::Run() {
  if (Handshake()) {
    STRATA_LOG(kDebug, "mysql: connection {} from {} authenticated as '{}'", id_, peer_host_, account_.user);
    CommandLoop();
  }
  if (session_) session_->SetKillHook(nullptr);  // the caller closes fd_ next
  STRATA_LOG(kDebug, "mysql: connection {} from {} closed", id_, peer_host_);
}

bool Connection::Send(std::string_view payload) {
  return channel_.Write(payload) == IoResult::kOk && channel_.Flush() == IoResult::kOk;
}

bool Connection::Write(std::string_view payload) { return channel_.Write(payload) == IoResult::kOk; }

bool Connection::SendError(uint16_t code, std::string_view sqlstate, std::string_view message) {
  return Send(BuildErr(code, sqlstate, message));
}

bool Connection::SendOk(uint64_t affected, uint64_t last_id, uint16_t warnings, std::string_view info) {
  return Send(BuildOk(affected, last_id, kStatusAutocommit, warnings, info));
}

bool Connection::SendEnd(uint16_t warnings) {
  if (capabilities_ & kClientDeprecateEof) return Write(BuildOkAsEof(kStatusAutocommit, warnings));
  return Write(BuildEof(kStatusAutocommit, warnings));
}

// Greeting, response, optional auth switch, verification, session. On any
// failure the client has been told why (when it can still hear it).
bool Connection::Handshake() {
  int64_t deadline = MonotonicMs() + options_->auth_timeout_ms;
  scramble_ = NewScramble();
  if (!Send(BuildHandshakeV10(options_->server_version, id_, scramble_))) return false;
  std::string payload;
  IoResult r = channel_.Read(&payload, options_->auth_timeout_ms, deadline);
  if (r == IoResult::kTooLarge) {
    SendError(kErNetPacketTooLarge, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
  } else if (r == IoResult::kOutOfOrder) {
    SendError(kErNetPacketsOutOfOrder, "08S01", "Got packets out of order");
  } else if (r == IoResult::kIdleTimeout || r == IoResult::kTimeout) {
    SendError(kErHandshake, "08S01", "Bad handshake: timed out");
  }
  if (r != IoResult::kOk) return false;
  HandshakeResponse response;
  std::string why;
  if (!ParseHandshakeResponse(payload, &response, &why)) {
    STRATA_LOG(kInfo, "mysql: connection {} from {}: bad handshake: {}", id_, peer_host_, why);
    SendError(kErHandshake, "08S01", "Bad handshake: " + why);
    return false;
  }
  capabilities_ = response.capabilities & kServerCapabilities;
  std::string auth = response.auth_response;
  bool native = response.plugin.empty() || response.plugin == kNativePlugin;
  if (!native) {
    // caching_sha2_password (MySQL 8 clients' default) or any other plugin:
    // ask the client to answer our scramble with mysql_native_password.
    if (!(response.capabilities & kClientPluginAuth)) return false;
    if (!Send(BuildAuthSwitchRequest(kNativePlugin, scramble_))) return false;
    r = channel_.Read(&auth, options_->auth_timeout_ms, deadline);
    if (r != IoResult::kOk) {
      if (r == IoResult::kIdleTimeout || r == IoResult::kTimeout) SendError(kErHandshake, "08S01", "Bad handshake: timed out");
      return false;
    }
  }
  return Authenticate(response, std::move(auth));
}

bool Connection::Authenticate(const HandshakeResponse& response, std::string auth_response) {
  bool used_password = !auth_response.empty();
  auto account = engine_->LookupUser(response.user, peer_host_);
  if (!account.ok() && account.status().code() != StatusCode::kNotFound) {
    SendError(kErUnknownError, "HY000", "cannot authenticate now: " + account.status().message());
    return false;
  }
  if (!account.ok() || !VerifyNativePassword(scramble_, account->native_hash, auth_response)) {
    STRATA_LOG(kInfo, "mysql: connection {}: access denied for '{}'@'{}'", id_, response.user, peer_host_);
    SendError(kErAccessDenied, "28000", DenyMessage(response.user, peer_host_, used_password));
    return false;
  }
  account_ = *account;
  auto session = OpenSession(response.database);
  if (!session.ok()) {
    const Status& st = session.status();
    if (st.code() == StatusCode::kNotFound || st.code() == StatusCode::kInvalidArgument) {
      SendError(kErBadDb, "42000", fmt::format("Unknown database '{}'", response.database));
    } else if (st.code() == StatusCode::kPermissionDenied) {
      SendError(kErDbAccessDenied, "42000",
                fmt::format("Access denied for user '{}'@'{}' to database '{}'", response.user, peer_host_,
                            response.database));
    } else {
      SendError(kErUnknownError, "HY000", st.message());
    }
    return false;
  }
  AdoptSession(std::move(session).value());
  return SendOk();
}

void Connection::AdoptSession(std::unique_ptr<sql::Session> session) {
  if (session_) session_->SetKillHook(nullptr);
  session_ = std::move(session);
  // KILL [CONNECTION] from another session: wake this connection's read of
  // its next command (it then sees EOF and closes); writes still work, so a
  // statement in flight still answers 1317.
  const int fd = fd_;
  session_->SetKillHook([fd] { ::shutdown(fd, SHUT_RD); });
}

Result<std::unique_ptr<sql::Session>> Connection::OpenSession(std::string_view database) {
  if (options_->new_session) return options_->new_session(engine_, account_, database, id_);
  return engine_->NewSession(account_, database);
}

// Returns when the client quits, goes away, idles too long or breaks framing.
bool Connection::CommandLoop() {
  std::string payload;
  while (true) {
    channel_.ResetSequence();
    IoResult r = channel_.Read(&payload, options_->wait_timeout_ms);
    switch (r) {
      case IoResult::kOk: break;
      case IoResult::kIdleTimeout:
        channel_.ResetSequence();
        SendError(kErClientInteractionTimeout, "HY000",
                  "The client was disconnected by the server because of inactivity. See wait_timeout and "
                  "interactive_timeout for configuring this behavior.");
        return false;
      case IoResult::kTooLarge:
        SendError(kErNetPacketTooLarge, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
        return false;
      case IoResult::kOutOfOrder:
        SendError(kErNetPacketsOutOfOrder, "08S01", "Got packets out of order");
        return false;
      default: return false;  // closed, or stalled mid-packet (half-open)
    }
    // Killed while idle: the shutdown only wakes a read already waiting, so a
    // command that came in before this loop read again is not run either.
    if (session_->killed()) return false;
    if (!Dispatch(payload)) return false;
    if (session_->killed()) return false;  // KILL [CONNECTION]: answered, now closed
  }
}

bool Connection::Dispatch(const std::string& payload) {
  if (payload.empty()) return SendError(kErMalformedPacket, "HY000", "Malformed communication packet.");
  uint8_t command = static_cast<uint8_t>(payload[0]);
  std::string_view body = std::string_view(payload).substr(1);
  switch (command) {
    case kComQuit: return false;
    case kComPing: return SendOk();
    case kComQuery: return HandleQuery(body);
    case kComInitDb: return SendOutcome(session_->UseDatabase(body), false);
    case kComFieldList: return HandleFieldList(body);
    case kComStatistics:
      return Send(options_->statistics ? options_->statistics() : std::string("Uptime: 0"));
    case kComSetOption: {
      uint16_t option;
      if (!WireReader(body).U16(&option) || option > 1) {
        return SendError(kErUnknownCom, "08S01", "Unknown command");
      }
      return SendEnd(0) && channel_.Flush() == IoResult::kOk;
    }
    case kComResetConnection: return HandleResetConnection();
    case kComStmtPrepare: return HandlePrepare(body);
    case kComStmtExecute: return HandleExecute(body);
    case kComStmtSendLongData: return HandleLongData(body);
    case kComStmtClose: {
      uint32_t id;
      if (ReadStatementId(body, &id)) statements_.erase(id);
      return true;  // no answer, by protocol
    }
    case kComStmtReset: {
      uint32_t id;
      auto it = ReadStatementId(body, &id) ? statements_.find(id) : statements_.end();
      if (it == statements_.end()) {
        return SendError(kErUnknownStmtHandler, "HY000", "Unknown prepared statement handler given to mysqld_stmt_reset");
      }
      for (auto& d : it->second.long_data) d.reset();
      return SendOk();
    }
    case kComStmtFetch: return SendError(1421, "HY000", "The statement does not have an open cursor");
    default: return SendError(kErUnknownCom, "08S01", "Unknown command");
  }
}

}  // namespace strata::server::mysql

// The MySQL protocol's messages (payloads, before framing — packet.h frames
// them): the server greeting (HandshakeV10), the client's HandshakeResponse41,
// AuthSwitchRequest, OK/ERR/EOF, column definitions (ColumnDefinition41) and
// text-protocol rows, plus the capability, status and command constants.
//
// Parsers take untrusted bytes and never read past them: a malformed message
// yields false and a reason, never a crash.
//
// Thread-safety: pure functions over value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/engine.h"

namespace strata::server::mysql {

// Capability flags (the subset Strata knows).
enum : uint32_t {
  kClientLongPassword = 1u << 0,
  kClientFoundRows = 1u << 1,
  kClientLongFlag = 1u << 2,
  kClientConnectWithDb = 1u << 3,
  kClientNoSchema = 1u << 4,
  kClientCompress = 1u << 5,
  kClientLocalFiles = 1u << 7,
  kClientIgnoreSpace = 1u << 8,
  kClientProtocol41 = 1u << 9,
  kClientInteractive = 1u << 10,
  kClientSsl = 1u << 11,
  kClientIgnoreSigpipe = 1u << 12,
  kClientTransactions = 1u << 13,
  kClientSecureConnection = 1u << 15,
  kClientMultiStatements = 1u << 16,
  kClientMultiResults = 1u << 17,
  kClientPsMultiResults = 1u << 18,
  kClientPluginAuth = 1u << 19,
  kClientConnectAttrs = 1u << 20,
  kClientPluginAuthLenencData = 1u << 21,
  kClientSessionTrack = 1u << 23,
  kClientDeprecateEof = 1u << 24,
  kClientQueryAttributes = 1u << 27,
};

// What the server offers. Deliberately absent: SSL (no TLS), COMPRESS,
// LOCAL_FILES, MULTI_STATEMENTS (one statement per COM_QUERY),
// SESSION_TRACK and QUERY_ATTRIBUTES (they change the OK and COM_QUERY layouts).
inline constexpr uint32_t kServerCapabilities =
    kClientLongPassword | kClientFoundRows | kClientLongFlag | kClientConnectWithDb | kClientNoSchema |
    kClientIgnoreSpace | kClientProtocol41 | kClientInteractive | kClientIgnoreSigpipe | kClientTransactions |
    kClientSecureConnection | kClientMultiResults | kClientPsMultiResults | kClientPluginAuth |
    kClientConnectAttrs | kClientPluginAuthLenencData | kClientDeprecateEof;

inline constexpr uint16_t kStatusAutocommit = 0x0002;

inline constexpr uint8_t kCharsetUtf8mb4 = 45;  // utf8mb4_general_ci
inline constexpr uint8_t kCharsetBinary = 63;

enum Command : uint8_t {
  kComQuit = 0x01,
  kComInitDb = 0x02,
  kComQuery = 0x03,
  kComFieldList = 0x04,
  kComStatistics = 0x09,
  kComPing = 0x0e,
  kComStmtPrepare = 0x16,
  kComStmtExecute = 0x17,
  kComStmtSendLongData = 0x18,
  kComStmtClose = 0x19,
  kComStmtReset = 0x1a,
  kComSetOption = 0x1b,
  kComStmtFetch = 0x1c,
  kComResetConnection = 0x1f,
};

// MySQL error codes the protocol layer itself raises.
enum : uint16_t {
  kErConCount = 1040,           // 08004 Too many connections
  kErHandshake = 1043,          // 08S01 Bad handshake
  kErDbAccessDenied = 1044,     // 42000
  kErAccessDenied = 1045,       // 28000
  kErBadDb = 1049,              // 42000
  kErUnknownCom = 1047,         // 08S01 Unknown command
  kErUnknownError = 1105,       // HY000
  kErNetPacketTooLarge = 1153,  // 08S01
  kErNetReadError = 1158,       // 08S01
  kErNetPacketsOutOfOrder = 1156,
  kErUnknownStmtHandler = 1243,  // HY000
  kErWrongArguments = 1210,      // HY000 Incorrect arguments to ...
  kErMalformedPacket = 1835,     // HY000
  kErClientInteractionTimeout = 4031,  // HY000
};

struct HandshakeResponse {
  uint32_t capabilities = 0;
  uint32_t max_packet_bytes = 0;
  uint8_t charset = 0;
  std::string user;
  std::string auth_response;
  std::string database;
  std::string plugin;  // may be empty (client without PLUGIN_AUTH)
  std::vector<std::pair<std::string, std::string>> attributes;
};

std::string BuildHandshakeV10(std::string_view server_version, uint32_t connection_id, std::string_view scramble);

// False and a reason for a malformed or unsupported response (pre-4.1
// protocol, an SSL request although SSL is not offered).
bool ParseHandshakeResponse(std::string_view payload, HandshakeResponse* out, std::string* why);

std::string BuildAuthSwitchRequest(std::string_view plugin, std::string_view scramble);

std::string BuildOk(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status, uint16_t warnings,
                    std::string_view info);
// The end of a result set under CLIENT_DEPRECATE_EOF: an OK with header 0xFE.
std::string BuildOkAsEof(uint16_t status, uint16_t warnings);
std::string BuildEof(uint16_t status, uint16_t warnings);
std::string BuildErr(uint16_t code, std::string_view sqlstate, std::string_view message);

// Wire attributes of a result column: character set, display length, flags, decimals.
struct ColumnWire {
  uint8_t charset = kCharsetUtf8mb4;
  uint32_t length = 0;
  uint16_t flags = 0;
  uint8_t decimals = 0;
};
ColumnWire WireAttributes(sql::ColumnType type, uint64_t max_value_bytes);

// ColumnDefinition41. `field_list`: append the COM_FIELD_LIST default (NULL).
std::string BuildColumnDefinition(const sql::ResultColumn& column, sql::ColumnType wire_type,
                                  const ColumnWire& attrs, bool field_list);
std::string BuildTextRow(const sql::Row& row);

}  // namespace strata::server::mysql

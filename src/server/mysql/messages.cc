#include "server/mysql/messages.h"

#include <algorithm>

#include "server/mysql/wire.h"

namespace strata::server::mysql {

namespace {
constexpr uint16_t kBinaryFlag = 128;
constexpr uint16_t kNumFlag = 32768;
constexpr size_t kAttributesMax = 256;
constexpr uint64_t kAttributesBytesMax = 64 * 1024;
}  // namespace

std::string BuildHandshakeV10(std::string_view server_version, uint32_t connection_id, std::string_view scramble) {
  WireWriter w;
  w.U8(10);
  w.NulStr(server_version);
  w.U32(connection_id);
  w.Raw(scramble.substr(0, 8));
  w.U8(0);
  w.U16(kServerCapabilities & 0xFFFF);
  w.U8(kCharsetUtf8mb4);
  w.U16(kStatusAutocommit);
  w.U16(kServerCapabilities >> 16);
  w.U8(static_cast<uint8_t>(scramble.size() + 1));
  w.Zeros(10);
  w.Raw(scramble.substr(8));  // 12 bytes for a 20-byte scramble (>= 13 with the NUL)
  w.U8(0);
  w.NulStr("mysql_native_password");
  return w.Take();
}

namespace {

// Connection attributes are informational: a malformed block is dropped, not
// an error (some connectors get the lengths wrong).
void ParseAttributes(WireReader& r, HandshakeResponse* out) {
  uint64_t total;
  std::string_view block;
  if (!r.LenencInt(&total) || total > kAttributesBytesMax || !r.Bytes(total, &block)) return;
  WireReader a(block);
  while (!a.empty() && out->attributes.size() < kAttributesMax) {
    std::string_view k, v;
    if (!a.LenencStr(&k) || !a.LenencStr(&v)) return;
    out->attributes.emplace_back(std::string(k), std::string(v));
  }
}

}  // namespace

bool ParseHandshakeResponse(std::string_view payload, HandshakeResponse* out, std::string* why) {
  WireReader r(payload);
  uint16_t low = 0;
  if (payload.size() < 2 || !WireReader(payload).U16(&low) || !(low & kClientProtocol41)) {
    *why = "the client does not speak protocol 4.1";
    return false;
  }
  if (!r.U32(&out->capabilities) || !r.U32(&out->max_packet_bytes) || !r.U8(&out->charset) || !r.Skip(23)) {
    *why = "handshake response too short";
    return false;
  }
  if (out->capabilities & kClientSsl) {
    *why = "SSL requested but the server does not offer it";
    return false;
  }
  std::string_view user, auth;
  if (!r.NulStr(&user)) {
    *why = "handshake response: user name not terminated";
    return false;
  }
  out->user.assign(user);
  bool auth_ok;
  if (out->capabilities & kClientPluginAuthLenencData) {
    auth_ok = r.LenencStr(&auth);
  } else if (out->capabilities & kClientSecureConnection) {
    uint8_t n = 0;
    auth_ok = r.U8(&n) && r.Bytes(n, &auth);
  } else {
    auth_ok = r.NulStr(&auth, /*to_end_ok=*/true);
  }
  if (!auth_ok) {
    *why = "handshake response: malformed auth data";
    return false;
  }
  out->auth_response.assign(auth);
  std::string_view s;
  if ((out->capabilities & kClientConnectWithDb) && !r.empty() && r.NulStr(&s, true)) out->database.assign(s);
  if ((out->capabilities & kClientPluginAuth) && !r.empty() && r.NulStr(&s, true)) out->plugin.assign(s);
  if ((out->capabilities & kClientConnectAttrs) && !r.empty()) ParseAttributes(r, out);
  return true;
}

std::string BuildAuthSwitchRequest(std::string_view plugin, std::string_view scramble) {
  WireWriter w;
  w.U8(0xFE);
  w.NulStr(plugin);
  w.Raw(scramble);
  w.U8(0);
  return w.Take();
}

std::string BuildOk(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status, uint16_t warnings,
                    std::string_view info) {
  WireWriter w;
  w.U8(0x00);
  w.LenencInt(affected_rows);
  w.LenencInt(last_insert_id);
  w.U16(status);
  w.U16(warnings);
  // The info string goes length-encoded: what libmysqlclient and MariaDB's
  // client read whenever the packet has more bytes (MySQL's "string<EOF>"
  // form makes them fail with "malformed packet").
  if (!info.empty()) w.LenencStr(info);
  return w.Take();
}

std::string BuildOkAsEof(uint16_t status, uint16_t warnings) {
  WireWriter w;
  w.U8(0xFE);
  w.LenencInt(0);
  w.LenencInt(0);
  w.U16(status);
  w.U16(warnings);
  return w.Take();
}

std::string BuildEof(uint16_t status, uint16_t warnings) {
  WireWriter w;
  w.U8(0xFE);
  w.U16(warnings);
  w.U16(status);
  return w.Take();
}

std::string BuildErr(uint16_t code, std::string_view sqlstate, std::string_view message) {
  WireWriter w;
  w.U8(0xFF);
  w.U16(code);
  w.U8('#');
  std::string state(sqlstate.substr(0, 5));
  state.resize(5, '0');
  w.Raw(state);
  w.Raw(message.substr(0, 64 * 1024));
  return w.Take();
}

ColumnWire WireAttributes(sql::ColumnType type, uint64_t max_value_bytes) {
  using T = sql::ColumnType;
  ColumnWire a;
  auto number = [&](uint32_t length, uint8_t decimals) {
    a.charset = kCharsetBinary;
    a.length = length;
    a.flags = kBinaryFlag | kNumFlag;
    a.decimals = decimals;
  };
  switch (type) {
    case T::kTiny: number(4, 0); break;
    case T::kShort: number(6, 0); break;
    case T::kLong: number(11, 0); break;
    case T::kLongLong: number(20, 0); break;
    case T::kFloat: number(12, 31); break;
    case T::kDouble: number(22, 31); break;
    case T::kNewDecimal: number(67, 30); break;
    case T::kDate: a.charset = kCharsetBinary; a.length = 10; a.flags = kBinaryFlag; break;
    case T::kDateTime: a.charset = kCharsetBinary; a.length = 26; a.flags = kBinaryFlag; break;
    case T::kNull: a.charset = kCharsetBinary; a.length = 0; break;
    default: {
      // Bytes of utf8mb4 characters: 4 per character; never below VARCHAR(64).
      uint64_t chars = std::max<uint64_t>(max_value_bytes, 64);
      a.length = static_cast<uint32_t>(std::min<uint64_t>(chars * 4, 0xFFFFFFFFu));
      break;
    }
  }
  return a;
}

std::string BuildColumnDefinition(const sql::ResultColumn& column, sql::ColumnType wire_type,
                                  const ColumnWire& attrs, bool field_list) {
  WireWriter w;
  w.LenencStr("def");
  w.LenencStr(column.schema);
  w.LenencStr(column.table);
  w.LenencStr(column.table);  // org_table
  w.LenencStr(column.name);
  w.LenencStr(column.name);  // org_name
  w.LenencInt(0x0c);
  w.U16(attrs.charset);
  w.U32(attrs.length);
  w.U8(static_cast<uint8_t>(wire_type));
  w.U16(attrs.flags);
  w.U8(attrs.decimals);
  w.U16(0);
  if (field_list) w.U8(0xFB);  // default value: NULL
  return w.Take();
}

std::string BuildTextRow(const sql::Row& row) {
  WireWriter w;
  for (const auto& v : row) {
    if (v) {
      w.LenencStr(*v);
    } else {
      w.U8(0xFB);
    }
  }
  return w.Take();
}

}  // namespace strata::server::mysql

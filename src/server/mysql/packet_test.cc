// Framing (incl. the 16 MiB boundaries), wire primitives and message parsing.
#include "server/mysql/packet.h"

#include <gtest/gtest.h>

#include <random>

#include "server/mysql/messages.h"
#include "server/mysql/wire.h"

namespace strata::server::mysql {
namespace {

std::string Frame(std::string_view payload, uint8_t seq = 0) {
  std::string out;
  AppendFrames(payload, &seq, &out);
  return out;
}

void RoundTrip(size_t size, size_t expect_chunks) {
  std::string payload(size, '\0');
  for (size_t i = 0; i < size; i += 4093) payload[i] = static_cast<char>(i * 7);
  uint8_t seq = 250;  // crosses 255 -> 0 for multi-chunk payloads
  std::string wire;
  AppendFrames(payload, &seq, &wire);
  EXPECT_EQ(wire.size(), size + 4 * expect_chunks) << size;
  EXPECT_EQ(seq, static_cast<uint8_t>(250 + expect_chunks));
  PacketDecoder d(size + 1);
  d.Feed(wire);
  uint8_t rseq = 250;
  std::string got;
  ASSERT_EQ(d.Next(&rseq, &got), IoResult::kOk) << size;
  EXPECT_EQ(rseq, seq);
  EXPECT_TRUE(got == payload) << size;
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(PacketTest, FramingAtThe16MiBBoundaries) {
  RoundTrip(0, 1);
  RoundTrip(1, 1);
  RoundTrip(kMaxChunkBytes - 1, 1);
  RoundTrip(kMaxChunkBytes, 2);  // a full chunk and an empty one
  RoundTrip(kMaxChunkBytes + 1, 2);
  RoundTrip(2 * kMaxChunkBytes, 3);
  RoundTrip(2 * kMaxChunkBytes + 5, 3);
}

TEST(PacketTest, DecoderWaitsForWholePacketsFedByteByByte) {
  std::string wire = Frame("hello", 0) + Frame("world!", 1);
  PacketDecoder d(1024);
  uint8_t seq = 0;
  std::string got;
  std::vector<std::string> out;
  for (char c : wire) {
    d.Feed(std::string_view(&c, 1));
    while (d.Next(&seq, &got) == IoResult::kOk) out.push_back(got);
  }
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "hello");
  EXPECT_EQ(out[1], "world!");
  EXPECT_EQ(seq, 2);
}

TEST(PacketTest, DecoderRejectsWrongSequenceAndOversizedPackets) {
  PacketDecoder d(1024);
  d.Feed(Frame("x", 3));
  uint8_t seq = 0;
  std::string got;
  EXPECT_EQ(d.Next(&seq, &got), IoResult::kOutOfOrder);

  PacketDecoder small(100);
  small.Feed(std::string("\xFF\xFF\x00\x00", 4));  // announces 65535 bytes: refused before they arrive
  seq = 0;
  EXPECT_EQ(small.Next(&seq, &got), IoResult::kTooLarge);

  // A multi-chunk packet whose second chunk is out of order.
  PacketDecoder big(3 * kMaxChunkBytes);
  std::string wire = Frame(std::string(kMaxChunkBytes + 3, 'a'), 0);
  wire[4 + kMaxChunkBytes + 3] = 7;
  big.Feed(wire);
  seq = 0;
  EXPECT_EQ(big.Next(&seq, &got), IoResult::kOutOfOrder);
}

TEST(PacketTest, DecoderNeverCrashesOnRandomBytes) {
  uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 2000; round++) {
    std::string junk(rng() % 64, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    PacketDecoder d(1 << 16);
    d.Feed(junk);
    uint8_t seq = static_cast<uint8_t>(rng());
    std::string got;
    for (int i = 0; i < 100 && d.Next(&seq, &got) == IoResult::kOk; i++) {
    }
  }
}

TEST(WireTest, LenencRoundTrips) {
  for (uint64_t v : {0ull, 250ull, 251ull, 65535ull, 65536ull, 16777215ull, 16777216ull, ~0ull}) {
    WireWriter w;
    w.LenencInt(v);
    WireReader r(w.data());
    uint64_t got = 0;
    ASSERT_TRUE(r.LenencInt(&got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(r.empty());
  }
  WireReader truncated(std::string_view("\xFC\x01", 2));
  uint64_t v;
  EXPECT_FALSE(truncated.LenencInt(&v));
  WireReader null_marker(std::string_view("\xFB", 1));
  EXPECT_FALSE(null_marker.LenencInt(&v));
  std::string_view s;
  WireReader too_long(std::string_view("\x05" "abc", 4));
  EXPECT_FALSE(too_long.LenencStr(&s));
}

std::string ClientResponse(uint32_t caps, std::string user, std::string auth, std::string db, std::string plugin) {
  WireWriter w;
  w.U32(caps);
  w.U32(1 << 24);
  w.U8(45);
  w.Zeros(23);
  w.NulStr(user);
  w.LenencStr(auth);
  if (caps & kClientConnectWithDb) w.NulStr(db);
  if (caps & kClientPluginAuth) w.NulStr(plugin);
  if (caps & kClientConnectAttrs) {
    WireWriter a;
    a.LenencStr("_client_name");
    a.LenencStr("libmysql");
    w.LenencStr(a.data());
  }
  return w.Take();
}

TEST(MessagesTest, ParsesHandshakeResponse41) {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | kClientPluginAuthLenencData |
                  kClientConnectWithDb | kClientConnectAttrs;
  HandshakeResponse r;
  std::string why;
  ASSERT_TRUE(ParseHandshakeResponse(ClientResponse(caps, "root", "abc", "db1", "caching_sha2_password"), &r, &why))
      << why;
  EXPECT_EQ(r.user, "root");
  EXPECT_EQ(r.auth_response, "abc");
  EXPECT_EQ(r.database, "db1");
  EXPECT_EQ(r.plugin, "caching_sha2_password");
  ASSERT_EQ(r.attributes.size(), 1u);
  EXPECT_EQ(r.attributes[0].second, "libmysql");
}

TEST(MessagesTest, RejectsOldProtocolSslAndTruncation) {
  HandshakeResponse r;
  std::string why;
  EXPECT_FALSE(ParseHandshakeResponse(ClientResponse(kClientSecureConnection, "u", "", "", ""), &r, &why));
  EXPECT_FALSE(ParseHandshakeResponse(ClientResponse(kClientProtocol41 | kClientSsl, "u", "", "", ""), &r, &why));
  uint32_t caps = kClientProtocol41 | kClientPluginAuthLenencData | kClientPluginAuth | kClientConnectWithDb;
  std::string full = ClientResponse(caps, "user", std::string(20, 'x'), "db", "mysql_native_password");
  for (size_t n = 0; n < full.size(); n++) {
    HandshakeResponse partial;
    ParseHandshakeResponse(full.substr(0, n), &partial, &why);  // any answer, never a crash
  }
}

TEST(MessagesTest, HandshakeV10Layout) {
  std::string scramble = "abcdefghijklmnopqrst";
  std::string h = BuildHandshakeV10("8.0.33-Strata", 7, scramble);
  WireReader r(h);
  uint8_t proto;
  std::string_view version, part1, part2, plugin;
  uint32_t id;
  uint16_t caps_low, status, caps_high;
  uint8_t filler, charset, auth_len;
  ASSERT_TRUE(r.U8(&proto) && r.NulStr(&version) && r.U32(&id) && r.Bytes(8, &part1) && r.U8(&filler) &&
              r.U16(&caps_low) && r.U8(&charset) && r.U16(&status) && r.U16(&caps_high) && r.U8(&auth_len) &&
              r.Skip(10) && r.Bytes(13, &part2) && r.NulStr(&plugin));
  EXPECT_EQ(proto, 10);
  EXPECT_EQ(version, "8.0.33-Strata");
  EXPECT_EQ(id, 7u);
  EXPECT_EQ(std::string(part1) + std::string(part2.substr(0, 12)), scramble);
  EXPECT_EQ(part2[12], '\0');
  uint32_t caps = caps_low | (static_cast<uint32_t>(caps_high) << 16);
  EXPECT_EQ(caps, kServerCapabilities);
  EXPECT_FALSE(caps & kClientSsl);
  EXPECT_EQ(auth_len, 21);
  EXPECT_EQ(plugin, "mysql_native_password");
  EXPECT_TRUE(r.empty());
}

TEST(MessagesTest, ErrOkEofLayouts) {
  std::string err = BuildErr(1045, "28000", "Access denied");
  EXPECT_EQ(err, std::string("\xFF\x15\x04#28000Access denied", 22));
  std::string ok = BuildOk(300, 0, kStatusAutocommit, 1, "");
  EXPECT_EQ(ok, std::string("\x00\xFC\x2C\x01\x00\x02\x00\x01\x00", 9));
  EXPECT_EQ(BuildEof(kStatusAutocommit, 0), std::string("\xFE\x00\x00\x02\x00", 5));
  EXPECT_EQ(BuildOkAsEof(kStatusAutocommit, 0), std::string("\xFE\x00\x00\x02\x00\x00\x00", 7));
}

}  // namespace
}  // namespace strata::server::mysql

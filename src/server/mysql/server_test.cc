// The listener and connection over real sockets, against a fake sql::Engine.
#include "server/mysql/mysql_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "server/mysql/auth.h"
#include "server/mysql/messages.h"
#include "server/mysql/packet.h"
#include "server/mysql/wire.h"

namespace strata::server::mysql {
namespace {

using sql::ColumnType;

class FakeSession : public sql::Session {
 public:
  FakeSession(std::string user, std::string db, std::vector<std::string>* log, std::mutex* mu)
      : user_(std::move(user)), db_(std::move(db)), log_(log), mu_(mu) {}
  sql::ExecOutcome Execute(std::string_view sql) override {
    {
      std::lock_guard lock(*mu_);
      log_->push_back(std::string(sql));
    }
    if (sql == "SELECT 1") return Rows({{"1", ColumnType::kLongLong}}, {{"1"}});
    if (sql.rfind("SELECT LENGTH", 0) == 0) return Rows({{"len", ColumnType::kLongLong}}, {{std::to_string(sql.size())}});
    if (sql.rfind("BIG ", 0) == 0) {
      size_t n = std::stoul(std::string(sql.substr(4)));
      return Rows({{"big", ColumnType::kVarString}}, {{std::string(n, 'b')}});
    }
    if (sql.rfind("SELECT ", 0) == 0) {
      return Rows({{"a", ColumnType::kLong}, {"b", ColumnType::kVarString}, {"c", ColumnType::kDate}},
                  {{"7", std::string(sql.substr(7)), std::nullopt}, {"-1", "x", "2024-01-02"}});
    }
    if (sql == "BAD") return sql::SqlError{1064, "42000", "You have an error in your SQL syntax"};
    sql::ExecResult ok;
    ok.affected_rows = 3;
    return ok;
  }
  sql::ExecOutcome UseDatabase(std::string_view db) override {
    if (db != "db1") return sql::SqlError{1049, "42000", "Unknown database '" + std::string(db) + "'"};
    db_ = db;
    return sql::ExecResult{};
  }
  sql::ExecOutcome FieldList(std::string_view table) override {
    sql::ExecResult r;
    r.has_result_set = true;
    r.result_set.columns = {{"id", ColumnType::kLongLong, std::string(table), db_}};
    return r;
  }
  const std::string& current_database() const override { return db_; }
  const std::string& user() const override { return user_; }

 private:
  static sql::ExecOutcome Rows(std::vector<sql::ResultColumn> cols, std::vector<sql::Row> rows) {
    sql::ExecResult r;
    r.has_result_set = true;
    r.result_set.columns = std::move(cols);
    r.result_set.rows = std::move(rows);
    return r;
  }
  std::string user_, db_;
  std::vector<std::string>* log_;
  std::mutex* mu_;
};

class FakeEngine : public sql::Engine {
 public:
  Result<sql::AuthInfo> LookupUser(std::string_view user, std::string_view host) override {
    if (user == "root") return sql::AuthInfo{"root", "%", ""};
    if (user == "alice") return sql::AuthInfo{"alice", "%", NativePasswordHash("secret")};
    return NotFound("no such user");
  }
  Result<std::unique_ptr<sql::Session>> NewSession(const sql::AuthInfo& account, std::string_view db) override {
    if (!db.empty() && db != "db1") return NotFound("Unknown database");
    return std::unique_ptr<sql::Session>(new FakeSession(account.user, std::string(db), &log, &mu));
  }
  std::vector<std::string> Log() {
    std::lock_guard lock(mu);
    return log;
  }
  std::mutex mu;
  std::vector<std::string> log;
};

// A minimal MySQL client over the production framing code.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ChannelOptions o;
    o.max_payload_bytes = 1u << 30;
    o.read_timeout_ms = 5000;
    channel_ = std::make_unique<PacketChannel>(fd_, o);
  }
  ~Client() { close(fd_); }

  std::string Read(int64_t timeout_ms = 5000) {
    std::string p;
    IoResult r = channel_->Read(&p, timeout_ms);
    return r == IoResult::kOk ? p : "<" + std::to_string(static_cast<int>(r)) + ">";
  }
  void Write(std::string_view payload) {
    ASSERT_EQ(channel_->Write(payload), IoResult::kOk);
    ASSERT_EQ(channel_->Flush(), IoResult::kOk);
  }
  void Raw(std::string_view bytes) { ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size())); }

  // Reads the greeting and answers it; returns the server's verdict payload.
  std::string Login(const std::string& user, const std::string& password, const std::string& db = "",
                    const std::string& plugin = "mysql_native_password", uint32_t extra_caps = 0) {
    std::string greeting = Read();
    WireReader r(greeting);
    uint8_t proto;
    std::string_view version, p1, p2;
    uint32_t id;
    r.U8(&proto), r.NulStr(&version), r.U32(&id), r.Bytes(8, &p1), r.Skip(1 + 2 + 1 + 2 + 2 + 1 + 10), r.Bytes(12, &p2);
    scramble_ = std::string(p1) + std::string(p2);
    caps_ = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | kClientPluginAuthLenencData |
            kClientDeprecateEof | extra_caps | (db.empty() ? 0u : static_cast<uint32_t>(kClientConnectWithDb));
    WireWriter w;
    w.U32(caps_);
    w.U32(1 << 24);
    w.U8(45);
    w.Zeros(23);
    w.NulStr(user);
    w.LenencStr(plugin == kNativePlugin ? NativeAuthResponse(password, scramble_) : std::string(32, 'z'));
    if (!db.empty()) w.NulStr(db);
    w.NulStr(plugin);
    Write(w.data());
    std::string answer = Read();
    if (!answer.empty() && static_cast<uint8_t>(answer[0]) == 0xFE) {  // AuthSwitchRequest
      WireReader s(answer);
      std::string_view name, data;
      s.Skip(1), s.NulStr(&name), s.Bytes(20, &data);
      EXPECT_EQ(name, "mysql_native_password");
      Write(NativeAuthResponse(password, data));
      answer = Read();
    }
    return answer;
  }
  // Sends one command (sequence 0) and returns the first response packet.
  std::string Command(uint8_t cmd, std::string_view arg) {
    channel_->ResetSequence();
    Write(std::string(1, static_cast<char>(cmd)) + std::string(arg));
    return Read();
  }
  // The packets of a result set after the column count (up to the final OK/EOF).
  std::vector<std::string> ReadUntilEnd(size_t max = 100) {
    std::vector<std::string> out;
    for (size_t i = 0; i < max; i++) {
      std::string p = Read();
      out.push_back(p);
      if (p.empty() || static_cast<uint8_t>(p[0]) == 0xFF || p[0] == '<' ||
          (static_cast<uint8_t>(p[0]) == 0xFE && p.size() < 9)) {
        break;
      }
    }
    return out;
  }
  PacketChannel& channel() { return *channel_; }

 private:
  int fd_;
  std::unique_ptr<PacketChannel> channel_;
  std::string scramble_;
  uint32_t caps_ = 0;
};

uint16_t ErrCode(const std::string& p) {
  return p.size() >= 3 && static_cast<uint8_t>(p[0]) == 0xFF ? static_cast<uint16_t>(static_cast<uint8_t>(p[1]) | (static_cast<uint8_t>(p[2]) << 8)) : 0;
}
bool IsOk(const std::string& p) { return !p.empty() && p[0] == 0; }

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(MysqlServerOptions o = {}) {
    o.port = 0;
    server_ = std::make_unique<MysqlServer>(o, &engine_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void SetUp() override { StartServer(); }
  FakeEngine engine_;
  std::unique_ptr<MysqlServer> server_;
};

TEST_F(ServerTest, LoginWithAndWithoutPassword) {
  Client root(server_->port());
  EXPECT_TRUE(IsOk(root.Login("root", "")));
  Client alice(server_->port());
  EXPECT_TRUE(IsOk(alice.Login("alice", "secret", "db1")));
}

TEST_F(ServerTest, WrongPasswordOrUnknownUserIsAccessDenied) {
  Client a(server_->port());
  std::string err = a.Login("alice", "wrong");
  EXPECT_EQ(ErrCode(err), 1045);
  EXPECT_EQ(err.substr(3), "#28000Access denied for user 'alice'@'127.0.0.1' (using password: YES)");
  Client b(server_->port());
  EXPECT_EQ(b.Login("alice", "").substr(3), "#28000Access denied for user 'alice'@'127.0.0.1' (using password: NO)");
  Client c(server_->port());
  EXPECT_EQ(ErrCode(c.Login("mallory", "x")), 1045);
  Client d(server_->port());
  EXPECT_EQ(ErrCode(d.Login("root", "notempty")), 1045);
}

TEST_F(ServerTest, UnknownDatabaseAtLogin) {
  Client a(server_->port());
  std::string err = a.Login("root", "", "nope");
  EXPECT_EQ(ErrCode(err), 1049);
}

TEST_F(ServerTest, CachingSha2ClientIsSwitchedToNativePassword) {
  Client a(server_->port());
  EXPECT_TRUE(IsOk(a.Login("alice", "secret", "", "caching_sha2_password")));
  Client b(server_->port());
  EXPECT_EQ(ErrCode(b.Login("alice", "bad", "", "caching_sha2_password")), 1045);
}

TEST_F(ServerTest, QueryResultSetOkAndError) {
  Client c(server_->port());
  ASSERT_TRUE(IsOk(c.Login("root", "")));
  EXPECT_EQ(c.Command(kComQuery, "SELECT 1"), std::string("\x01", 1));  // one column
  auto rest = c.ReadUntilEnd();
  ASSERT_EQ(rest.size(), 3u);  // column definition, row, OK-as-EOF (DEPRECATE_EOF)
  EXPECT_EQ(rest[1], std::string("\x01" "1", 2));
  EXPECT_EQ(static_cast<uint8_t>(rest[2][0]), 0xFE);
  std::string ok = c.Command(kComQuery, "CREATE DATABASE x");
  ASSERT_TRUE(IsOk(ok));
  EXPECT_EQ(ok[1], 3);  // affected rows
  std::string err = c.Command(kComQuery, "BAD");
  EXPECT_EQ(ErrCode(err), 1064);
  EXPECT_EQ(err.substr(3, 6), "#42000");
  EXPECT_TRUE(IsOk(c.Command(kComPing, "")));
  EXPECT_TRUE(IsOk(c.Command(kComInitDb, "db1")));
  EXPECT_EQ(ErrCode(c.Command(kComInitDb, "zz")), 1049);
  EXPECT_EQ(ErrCode(c.Command(0x55, "")), 1047);
  EXPECT_EQ(ErrCode(c.Command(kComStmtExecute, std::string("\x63\x00\x00\x00", 4))), 1243);
  EXPECT_TRUE(IsOk(c.Command(kComPing, "")));  // still usable after the errors
}

TEST_F(ServerTest, ClassicEofWithoutDeprecateEof) {
  Client c(server_->port());
  ASSERT_TRUE(IsOk(c.Login("root", "")));
  // Log in again without DEPRECATE_EOF: a fresh client speaking the old way.
  Client old(server_->port());
  std::string greeting = old.Read();
  WireWriter w;
  w.U32(kClientProtocol41 | kClientSecureConnection);
  w.U32(1 << 24);
  w.U8(45);
  w.Zeros(23);
  w.NulStr("root");
  w.U8(0);
  old.Write(w.data());
  ASSERT_TRUE(IsOk(old.Read()));
  EXPECT_EQ(old.Command(kComQuery, "SELECT 1"), std::string("\x01", 1));
  auto rest = old.ReadUntilEnd();
  ASSERT_EQ(rest.size(), 2u);  // column definition, EOF
  EXPECT_EQ(rest[1], std::string("\xFE\x00\x00\x02\x00", 5));
  auto rows = old.ReadUntilEnd();
  ASSERT_EQ(rows.size(), 2u);  // row, EOF
  EXPECT_EQ(rows[1], std::string("\xFE\x00\x00\x02\x00", 5));
}

TEST_F(ServerTest, FieldListAndStatistics) {
  Client c(server_->port());
  ASSERT_TRUE(IsOk(c.Login("root", "", "db1")));
  std::string def = c.Command(kComFieldList, std::string("t1\0", 3));
  WireReader r(def);
  std::string_view catalog, schema, table;
  ASSERT_TRUE(r.LenencStr(&catalog) && r.LenencStr(&schema) && r.LenencStr(&table));
  EXPECT_EQ(catalog, "def");
  EXPECT_EQ(table, "t1");
  EXPECT_EQ(static_cast<uint8_t>(def.back()), 0xFB);  // default value NULL
  EXPECT_EQ(static_cast<uint8_t>(c.Read()[0]), 0xFE);
  EXPECT_EQ(c.Command(kComStatistics, "").rfind("Uptime: ", 0), 0u);
}

TEST_F(ServerTest, PreparedStatementRoundTrip) {
  Client c(server_->port());
  ASSERT_TRUE(IsOk(c.Login("root", "")));
  std::string ok = c.Command(kComStmtPrepare, "SELECT ? /* ? */, '?'");
  ASSERT_TRUE(IsOk(ok));
  WireReader r(ok.substr(1));
  uint32_t id;
  uint16_t cols, params;
  ASSERT_TRUE(r.U32(&id) && r.U16(&cols) && r.U16(&params));
  EXPECT_EQ(params, 1);
  // One parameter definition and, with CLIENT_DEPRECATE_EOF, no terminator:
  // the next packet is the answer to EXECUTE.
  std::string param_def = c.Read();
  EXPECT_NE(static_cast<uint8_t>(param_def[0]), 0xFE) << "a definition, not an EOF";
  WireWriter e;
  e.U32(id);
  e.U8(0);
  e.U32(1);
  e.U8(0);  // null bitmap
  e.U8(1);
  e.U16(253);
  e.LenencStr("it's");
  EXPECT_EQ(c.Command(kComStmtExecute, e.data()), std::string("\x03", 1));
  auto rest = c.ReadUntilEnd();
  ASSERT_EQ(rest.size(), 6u);  // 3 definitions, 2 binary rows, OK
  EXPECT_EQ(engine_.Log().back(), "SELECT 'it''s' /* ? */, '?'");
  WireWriter row;
  row.U8(0);
  row.U8(1 << 4);  // column c NULL
  row.U32(7);
  row.LenencStr("'it''s' /* ? */, '?'");
  EXPECT_EQ(rest[3], row.data());
  // CLOSE has no answer; the statement is gone afterwards.
  c.channel().ResetSequence();
  c.Write(std::string("\x19", 1) + ok.substr(1, 4));
  EXPECT_EQ(ErrCode(c.Command(kComStmtExecute, e.data())), 1243);
}

TEST_F(ServerTest, PayloadsAbove16MiBBothWays) {
  Client c(server_->port());
  ASSERT_TRUE(IsOk(c.Login("root", "")));
  std::string sql = "SELECT LENGTH " + std::string(kMaxChunkBytes + 10, 'q');
  EXPECT_EQ(c.Command(kComQuery, sql), std::string("\x01", 1));
  auto rest = c.ReadUntilEnd();
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[1].substr(1), std::to_string(sql.size()));
  EXPECT_EQ(c.Command(kComQuery, "BIG " + std::to_string(kMaxChunkBytes + 100)), std::string("\x01", 1));
  rest = c.ReadUntilEnd();
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[1].size(), 1 + 8 + kMaxChunkBytes + 100);  // lenenc (0xFE + 8 bytes) + value
}

TEST_F(ServerTest, GarbageGetsAnErrorAndTheConnectionCloses) {
  Client c(server_->port());
  c.Read();                       // greeting
  c.Raw("GET / HTTP/1.1\r\n\r\n");  // 'GET' as a length, ' ' as the sequence id
  std::string answer = c.Read();
  EXPECT_TRUE(ErrCode(answer) == 1156 || ErrCode(answer) == 1153 || ErrCode(answer) == 1043) << answer;
  EXPECT_EQ(c.Read(1000)[0], '<');  // closed
  Client ok(server_->port());
  EXPECT_TRUE(IsOk(ok.Login("root", "")));  // the server is fine
}

TEST_F(ServerTest, TruncatedHandshakeResponseIsABadHandshake) {
  Client c(server_->port());
  c.Read();
  c.Write(std::string("\x00\x02\x00\x00", 4));  // PROTOCOL_41 and nothing else
  EXPECT_EQ(ErrCode(c.Read()), 1043);
}

TEST(ServerLimitsTest, ConnectionLimitIdleAndAuthTimeouts) {
  FakeEngine engine;
  MysqlServerOptions o;
  o.port = 0;
  o.connections_max = 2;
  o.connection.wait_timeout_ms = 300;
  o.connection.auth_timeout_ms = 300;
  MysqlServer server(o, &engine);
  ASSERT_TRUE(server.Start().ok());
  {
    Client a(server.port());
    ASSERT_TRUE(IsOk(a.Login("root", "")));
    Client b(server.port());
    std::string greeting = b.Read();  // b holds a slot without logging in
    Client c(server.port());
    std::string refused = c.Read();
    EXPECT_EQ(ErrCode(refused), 1040);
    EXPECT_EQ(refused.substr(3), "#08004Too many connections");
    // b never answers: the handshake times out; a idles: wait_timeout.
    EXPECT_EQ(ErrCode(b.Read(3000)), 1043);
    a.channel().ResetSequence();  // the timeout error starts a new exchange
    std::string idle = a.Read(3000);
    EXPECT_EQ(ErrCode(idle), 4031);
  }
  for (int i = 0; i < 50 && server.active_connections() > 0; i++) usleep(20 * 1000);
  EXPECT_EQ(server.active_connections(), 0);
  Client d(server.port());
  EXPECT_TRUE(IsOk(d.Login("root", "")));
}

TEST(ServerLimitsTest, HalfOpenClientDoesNotBlockStop) {
  FakeEngine engine;
  MysqlServerOptions o;
  o.port = 0;
  MysqlServer server(o, &engine);
  ASSERT_TRUE(server.Start().ok());
  Client a(server.port());
  ASSERT_TRUE(IsOk(a.Login("root", "")));
  a.channel().ResetSequence();
  a.Raw(std::string("\x10\x00\x00\x00\x03SEL", 8));  // a packet that never completes
  int64_t start = MonotonicMs();
  server.Stop();
  EXPECT_LT(MonotonicMs() - start, 2000);
}

}  // namespace
}  // namespace strata::server::mysql

// Fuzz target for the MySQL packet decoder (server/mysql/): framing, the
// handshake response, command parsing and prepared-statement parameters.
//
// Each input is the byte stream a client sends after the server's greeting.
// It is run twice:
//   1. through the pure decoders (PacketDecoder, ParseHandshakeResponse,
//      FindPlaceholders, DecodeExecuteParams, SubstituteParams), and
//   2. through a real Connection over a socketpair against a fake engine
//      (root has no password, so a well-formed response gets past
//      authentication and the command loop is reached).
// Built by run_mysql_packet_fuzz.sh with clang -fsanitize=fuzzer,address,undefined,
// or with -DSTRATA_FUZZ_STANDALONE as a plain program that mutates its seeds
// for a bounded time (gcc, -fsanitize=address,undefined).
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "common/logging.h"
#include "server/mysql/connection.h"
#include "server/mysql/messages.h"
#include "server/mysql/packet.h"
#include "server/mysql/prepared.h"
#include "server/mysql/wire.h"

namespace strata::server::mysql {
namespace {

class FuzzSession : public sql::Session {
 public:
  sql::ExecOutcome Execute(std::string_view sql) override {
    if (sql.size() % 3 == 0) return sql::SqlError{1064, "42000", "syntax"};
    sql::ExecResult r;
    r.has_result_set = sql.size() % 2 == 0;
    r.result_set.columns = {{"a", sql::ColumnType::kLong}, {"b", sql::ColumnType::kDateTime}};
    r.result_set.rows = {{std::string(sql.substr(0, 4)), std::string(sql.substr(0, 19))}, {std::nullopt, "x"}};
    return r;
  }
  sql::ExecOutcome UseDatabase(std::string_view) override { return sql::ExecResult{}; }
  sql::ExecOutcome FieldList(std::string_view table) override {
    sql::ExecResult r;
    r.has_result_set = true;
    r.result_set.columns = {{std::string(table), sql::ColumnType::kVarString}};
    return r;
  }
  const std::string& current_database() const override { return db_; }
  const std::string& user() const override { return user_; }

 private:
  std::string db_, user_ = "root";
};

class FuzzEngine : public sql::Engine {
 public:
  Result<sql::AuthInfo> LookupUser(std::string_view user, std::string_view) override {
    if (user == "root") return sql::AuthInfo{"root", "%", ""};
    return NotFound("no user");
  }
  Result<std::unique_ptr<sql::Session>> NewSession(const sql::AuthInfo&, std::string_view) override {
    return std::unique_ptr<sql::Session>(new FuzzSession());
  }
};

void DecodeCommand(const std::string& payload) {
  if (payload.empty()) return;
  std::string_view body = std::string_view(payload).substr(1);
  std::vector<size_t> at = FindPlaceholders(body);
  std::vector<std::string> literals(at.size(), "NULL");
  (void)SubstituteParams(body, at, literals);
  PreparedStatement stmt;
  stmt.sql = std::string(body.substr(0, 32));
  stmt.placeholders.assign(payload.size() % 9, 0);  // any number of parameters
  std::vector<std::string> out;
  std::string why;
  if (DecodeExecuteParams(body, &stmt, &out, &why)) {
    (void)SubstituteParams("?????????", FindPlaceholders("?????????"), out);
  }
  WireReader r(body);
  uint64_t v;
  std::string_view s;
  while (r.LenencInt(&v) || r.LenencStr(&s) || r.NulStr(&s)) {
  }
}

void PureDecoders(std::string_view input) {
  PacketDecoder decoder(1 << 20);
  decoder.Feed(input);
  uint8_t seq = 1;  // the handshake response follows the greeting
  std::string payload;
  for (int i = 0; i < 256 && decoder.Next(&seq, &payload) == IoResult::kOk; i++) {
    if (i == 0) {
      HandshakeResponse response;
      std::string why;
      (void)ParseHandshakeResponse(payload, &response, &why);
    } else {
      DecodeCommand(payload);
    }
    seq = 0;  // each command starts a new exchange
  }
}

// The whole connection: the input arrives, then the client half-closes.
void RealConnection(std::string_view input) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return;
  int big = 4 << 20;
  setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
  setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
  size_t sent = 0;
  while (sent < input.size()) {
    ssize_t n = send(fds[0], input.data() + sent, input.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(fds[0], SHUT_WR);
  static FuzzEngine engine;
  ConnectionOptions options;
  options.auth_timeout_ms = 200;
  options.wait_timeout_ms = 200;
  options.channel.read_timeout_ms = 200;
  options.channel.write_timeout_ms = 200;
  options.channel.max_payload_bytes = 1 << 20;
  {
    Connection c(fds[1], 1, "127.0.0.1", &engine, &options);
    c.Run();
  }
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace strata::server::mysql

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (strata::SetLogLevel(strata::LogLevel::kError), true);  // no per-input log lines
  (void)quiet;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  strata::server::mysql::PureDecoders(input);
  if (size <= 64 * 1024) strata::server::mysql::RealConnection(input);
  return 0;
}

#ifdef STRATA_FUZZ_STANDALONE
// A bounded random-mutation driver for toolchains without libFuzzer:
//   mysql_packet_fuzz <seconds> <seed> [seed files...]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  uint32_t seed = argc > 2 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)) : std::random_device{}();
  std::printf("mysql_packet_fuzz: seed %u, %d s\n", seed, seconds);
  std::vector<std::string> corpus;
  for (int i = 3; i < argc; i++) {
    std::ifstream f(argv[i], std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (corpus.empty()) corpus.emplace_back();
  std::mt19937 rng(seed);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  uint64_t runs = 0;
  while (std::chrono::steady_clock::now() < end) {
    std::string in = corpus[rng() % corpus.size()];
    int mutations = 1 + static_cast<int>(rng() % 8);
    for (int m = 0; m < mutations; m++) {
      size_t pos = in.empty() ? 0 : rng() % in.size();
      switch (rng() % 4) {
        case 0: if (!in.empty()) in[pos] = static_cast<char>(rng()); break;
        case 1: in.insert(pos, 1, static_cast<char>(rng())); break;
        case 2: if (!in.empty()) in.erase(pos, 1 + rng() % 8); break;
        default: if (!in.empty()) in[pos] = static_cast<char>(in[pos] ^ (1 << (rng() % 8))); break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(in.data()), in.size());
    runs++;
  }
  std::printf("mysql_packet_fuzz: %llu runs, no crash\n", static_cast<unsigned long long>(runs));
  return 0;
}
#endif

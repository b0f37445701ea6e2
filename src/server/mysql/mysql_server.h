// MysqlServer: the FE's MySQL-protocol listener on query_port. One thread
// accepts; each connection gets its own thread (connection.h), up to
// connections_max — beyond that a client gets ER_CON_COUNT_ERROR (1040,
// "Too many connections") as its first packet and is closed, as MySQL does.
//
// Metrics (process registry): strata_mysql_connections_total,
// strata_mysql_connections_refused_total.
//
// Thread-safety: Start() and Stop() from one controlling thread; port() and
// active_connections() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "server/mysql/connection.h"
#include "sql/engine.h"

namespace strata::server::mysql {

struct MysqlServerOptions {
  std::string bind_host = "127.0.0.1";
  int port = 9030;  // 0: pick a free port (tests); see port()
  int backlog = 128;
  int connections_max = 1024;  // max_connections
  ConnectionOptions connection;
};

class MysqlServer {
 public:
  // `engine` must outlive the server (Stop() returns only after every
  // connection thread has finished with it).
  MysqlServer(MysqlServerOptions options, sql::Engine* engine);
  ~MysqlServer();  // Stop()s

  // Binds and starts accepting. Unavailable naming the address when the port
  // cannot be bound.
  Status Start();
  int port() const { return port_; }
  // Stops accepting, shuts every connection's socket down (a statement in
  // flight finishes first), joins all threads. Idempotent.
  void Stop();
  int active_connections() const;

 private:
  struct Conn {
    int fd = -1;  // -1 once the connection thread has closed it
    std::thread thread;
  };
  void AcceptLoop();
  void Admit(int fd, std::string peer);
  void ServeConnection(int fd, uint32_t id, std::string peer);
  void ReapFinished();  // joins finished connection threads
  std::string Statistics() const;

  MysqlServerOptions options_;
  sql::Engine* engine_;
  int listen_fd_ = -1;
  int port_ = 0;
  int64_t started_at_ms_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint32_t> next_id_{1};
  std::thread acceptor_;

  mutable std::mutex mu_;  // guards conns_, finished_, and closing fds (no fd-number reuse races)
  std::map<uint32_t, Conn> conns_;
  std::vector<uint32_t> finished_;
};

}  // namespace strata::server::mysql

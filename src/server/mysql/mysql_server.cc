#include "server/mysql/mysql_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "common/metrics.h"
#include "server/mysql/messages.h"

namespace strata::server::mysql {

namespace {
constexpr int kAcceptPollMs = 100;  // how soon Stop() is noticed

std::string PeerAddress(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, buf, sizeof(buf));
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, buf, sizeof(buf));
  }
  return buf[0] ? std::string(buf) : std::string("unknown");
}
}  // namespace

MysqlServer::MysqlServer(MysqlServerOptions options, sql::Engine* engine)
    : options_(std::move(options)), engine_(engine) {
  options_.connection.statistics = [this] { return Statistics(); };
}

MysqlServer::~MysqlServer() { Stop(); }

Status MysqlServer::Start() {
  std::string where = options_.bind_host + ":" + std::to_string(options_.port);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options_.port));
  if (inet_pton(AF_INET, options_.bind_host.c_str(), &addr.sin_addr) != 1) {
    return Unavailable("mysql listener: bad IPv4 address " + options_.bind_host);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable("mysql listener: socket: " + std::string(strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, options_.backlog) != 0) {
    std::string err = strerror(errno);
    close(fd);
    return Unavailable("mysql listener: cannot listen on " + where + ": " + err);
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen_fd_ = fd;
  started_at_ms_ = MonotonicMs();
  stopping_ = false;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  STRATA_LOG(kInfo, "mysql: listening on {}:{} (max {} connections)", options_.bind_host, port_,
             options_.connections_max);
  return Status::OK();
}

void MysqlServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    int r = poll(&p, 1, kAcceptPollMs);
    ReapFinished();
    if (r <= 0) continue;
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        STRATA_LOG(kWarn, "mysql: accept: {}", strerror(errno));
        usleep(kAcceptPollMs * 1000);  // out of descriptors: let connections finish
      }
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));  // half-open peers eventually error out
    Admit(fd, PeerAddress(peer));
  }
}

void MysqlServer::Admit(int fd, std::string peer) {
  uint32_t id = next_id_.fetch_add(1);
  if (id == 0) id = next_id_.fetch_add(1);
  {
    std::lock_guard lock(mu_);
    if (static_cast<int>(conns_.size()) < options_.connections_max) {
      MetricsRegistry::Global().GetCounter("strata_mysql_connections_total").Add();
      Conn& c = conns_[id];
      c.fd = fd;
      c.thread = std::thread([this, fd, id, peer = std::move(peer)] { ServeConnection(fd, id, peer); });
      return;
    }
  }
  // Refused: the ERR replaces the greeting (sequence id 0), as MySQL does.
  MetricsRegistry::Global().GetCounter("strata_mysql_connections_refused_total").Add();
  ChannelOptions quick = options_.connection.channel;
  quick.write_timeout_ms = 1000;
  PacketChannel channel(fd, quick);
  (void)channel.Write(BuildErr(kErConCount, "08004", "Too many connections"));
  (void)channel.Flush();
  close(fd);
}

void MysqlServer::ServeConnection(int fd, uint32_t id, std::string peer) {
  {
    Connection connection(fd, id, std::move(peer), engine_, &options_.connection);
    connection.Run();
  }
  std::lock_guard lock(mu_);
  close(fd);
  auto it = conns_.find(id);  // Stop() may have taken the entry already
  if (it != conns_.end()) it->second.fd = -1;
  finished_.push_back(id);
}

void MysqlServer::ReapFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard lock(mu_);
    for (uint32_t id : finished_) {
      auto it = conns_.find(id);
      if (it == conns_.end()) continue;
      done.push_back(std::move(it->second.thread));
      conns_.erase(it);
    }
    finished_.clear();
  }
  for (auto& t : done) t.join();
}

void MysqlServer::Stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  listen_fd_ = -1;
  std::vector<std::thread> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, c] : conns_) {
      if (c.fd >= 0) shutdown(c.fd, SHUT_RDWR);  // wakes the thread's poll/recv
    }
  }
  // Threads finish (each closes its fd under mu_); join them outside the lock.
  while (true) {
    std::thread t;
    {
      std::lock_guard lock(mu_);
      if (conns_.empty()) break;
      t = std::move(conns_.begin()->second.thread);
      conns_.erase(conns_.begin());
    }
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  finished_.clear();
}

int MysqlServer::active_connections() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [id, c] : conns_) n += c.fd >= 0 ? 1 : 0;
  return n;
}

std::string MysqlServer::Statistics() const {
  int64_t uptime_s = (MonotonicMs() - started_at_ms_) / 1000;
  return fmt::format("Uptime: {}  Threads: {}  Questions: 0  Slow queries: 0  Opens: 0  Flush tables: 0  "
                     "Open tables: 0  Queries per second avg: 0.000",
                     uptime_s, active_connections());
}

}  // namespace strata::server::mysql

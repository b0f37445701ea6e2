#include "server/local/local_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/check.h"
#include "server/http_server.h"
#include "server/mysql/packet.h"  // MonotonicMs

namespace strata::server::local {
namespace {

constexpr int64_t kPollMs = 100;

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir, ec.message()));
  return Status::OK();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  fchmod(fd, 0600);  // an older file with wider permissions keeps its mode otherwise
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      return Unavailable(fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) return Unavailable(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    return Unavailable(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
  }
  return Status::OK();
}

Status CheckPortsFree(const std::vector<int>& ports) {
  for (int port : ports) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Unavailable(fmt::format("socket: {}", std::strerror(errno)));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // as the servers bind: TIME_WAIT is no conflict
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int r = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    int err = errno;
    close(fd);
    if (r != 0) {
      return FailedPrecondition(fmt::format("port {} on 127.0.0.1 is not free ({}): is another strata local "
                                            "running? Choose other ports with --port-base",
                                            port, std::strerror(err)));
    }
  }
  return Status::OK();
}

LocalCluster::LocalCluster(LocalOptions options, PortLayout ports, std::string executable)
    : options_(std::move(options)), ports_(std::move(ports)), executable_(std::move(executable)) {}

LocalCluster::~LocalCluster() { (void)Stop(); }

std::vector<ChildProcess*> LocalCluster::cns() {
  std::vector<ChildProcess*> out;
  for (auto& cn : cns_) out.push_back(cn.get());
  return out;
}

std::vector<std::string> LocalCluster::LogPaths() const {
  std::vector<std::string> out = {paths().FeLog()};
  for (int i = 0; i < options_.cns; ++i) out.push_back(paths().CnLog(i));
  return out;
}

Status LocalCluster::Prepare() {
  const Paths p = paths();
  STRATA_RETURN_IF_ERROR(MakeDirs(p.FeMeta()));
  STRATA_RETURN_IF_ERROR(MakeDirs(p.LogDir()));
  if (!options_.s3) STRATA_RETURN_IF_ERROR(MakeDirs(p.Volume()));
  STRATA_ASSIGN_OR_RETURN(std::string fe_conf, FeConfText(options_, ports_));
  STRATA_RETURN_IF_ERROR(WriteFileAtomically(p.FeConf(), fe_conf));
  for (int i = 0; i < options_.cns; ++i) {
    STRATA_RETURN_IF_ERROR(MakeDirs(p.CnStorage(i)));
    STRATA_ASSIGN_OR_RETURN(std::string cn_conf, CnConfText(options_, ports_, i));
    STRATA_RETURN_IF_ERROR(WriteFileAtomically(p.CnConf(i), cn_conf));
  }
  return CheckPortsFree(ports_.Bound());
}

Status LocalCluster::StartFe(bool restore) {
  STRATA_CHECK(fe_ == nullptr || !fe_->Running(), "the FE already runs");
  ChildSpec spec{.name = "fe",
                 .executable = executable_,
                 .args = {"fe", "--conf", paths().FeConf()},
                 .cwd = paths().FeDir(),
                 .log_path = paths().FeLog()};
  if (restore) {
    spec.env_set.emplace_back(kRestoreEnv, "true");
  } else {
    spec.env_unset.emplace_back(kRestoreEnv);  // one exported in the user's shell must not restore
  }
  STRATA_ASSIGN_OR_RETURN(fe_, ChildProcess::Spawn(spec));
  return Status::OK();
}

Status LocalCluster::StartCns() {
  cns_.clear();
  for (int i = 0; i < options_.cns; ++i) {
    ChildSpec spec{.name = "cn" + std::to_string(i),
                   .executable = executable_,
                   .args = {"cn", "--conf", paths().CnConf(i)},
                   .cwd = paths().CnDir(i),
                   .log_path = paths().CnLog(i)};
    STRATA_ASSIGN_OR_RETURN(auto cn, ChildProcess::Spawn(spec));
    cns_.push_back(std::move(cn));
  }
  return Status::OK();
}

Status LocalCluster::CheckChildren() {
  std::vector<ChildProcess*> all = cns();
  all.insert(all.begin(), fe_.get());
  for (ChildProcess* c : all) {
    if (c != nullptr && !c->Running()) {
      return FailedPrecondition(fmt::format("{} (pid {}) {}; the end of {}:\n{}", c->name(), c->pid(),
                                            c->DescribeExit(), c->log_path(), c->LogTail(15)));
    }
  }
  return Status::OK();
}

Status LocalCluster::Wait(const std::string& what, int64_t timeout_ms, const std::function<Result<bool>()>& done) {
  const int64_t deadline = mysql::MonotonicMs() + timeout_ms;
  std::string last;
  while (true) {
    STRATA_RETURN_IF_ERROR(CheckChildren());
    Result<bool> d = done();
    if (d.ok() && *d) return Status::OK();
    if (!d.ok()) last = d.status().ToString();
    if (mysql::MonotonicMs() >= deadline) {
      return DeadlineExceeded(fmt::format("{}: not within {} s{}", what, timeout_ms / 1000,
                                          last.empty() ? "" : " (last: " + last + ")"));
    }
    if (!SleepUnlessStopped(kPollMs)) return Cancelled("interrupted");
  }
}

Result<std::pair<int, std::string>> LocalCluster::FeGet(const std::string& path, int64_t timeout_ms) const {
  HttpCallOptions o;
  o.connect_timeout_ms = std::min<int64_t>(timeout_ms, 1000);
  o.read_timeout_ms = timeout_ms;
  STRATA_ASSIGN_OR_RETURN(HttpResponse r, HttpGet("127.0.0.1:" + std::to_string(ports_.http), path, o));
  return std::make_pair(r.status, r.body);
}

Status LocalCluster::WaitFeReady(int64_t timeout_ms) {
  return Wait("the FE ready (GET /api/ready)", timeout_ms, [&]() -> Result<bool> {
    STRATA_ASSIGN_OR_RETURN(auto r, FeGet("/api/ready"));
    return r.first == 200;
  });
}

Status LocalCluster::WaitCnsRegistered(int64_t timeout_ms) {
  std::set<int> want;
  for (const CnPorts& p : ports_.cns) want.insert(p.heartbeat);
  return Wait(fmt::format("{} compute node(s) registered and alive (GET /api/cn)", want.size()), timeout_ms,
              [&]() -> Result<bool> {
                STRATA_ASSIGN_OR_RETURN(auto r, FeGet("/api/cn"));
                if (r.first != 200) return Unavailable(fmt::format("/api/cn answered {}", r.first));
                auto body = nlohmann::json::parse(r.second, nullptr, /*allow_exceptions=*/false);
                if (!body.is_object() || !body["nodes"].is_array()) return Unavailable("/api/cn: unexpected body");
                std::set<int> alive;
                for (const auto& n : body["nodes"]) {
                  if (n.value("alive", false) && n.value("host", "") == "127.0.0.1") {
                    alive.insert(n.value("heartbeat_port", 0));
                  }
                }
                return std::includes(alive.begin(), alive.end(), want.begin(), want.end());
              });
}

Result<std::string> LocalCluster::ClusterId() const {
  STRATA_ASSIGN_OR_RETURN(auto r, FeGet("/api/meta/status"));
  auto body = nlohmann::json::parse(r.second, nullptr, /*allow_exceptions=*/false);
  if (r.first != 200 || !body.is_object() || !body["cluster_id"].is_string()) {
    return Unavailable(fmt::format("/api/meta/status answered {}", r.first));
  }
  return body["cluster_id"].get<std::string>();
}

std::vector<std::string> LocalCluster::Stop() {
  std::vector<ChildProcess*> order = cns();
  order.push_back(fe_.get());
  std::vector<ChildProcess*> running;
  for (ChildProcess* c : order) {
    if (c != nullptr && c->Running()) running.push_back(c);
  }
  // CNs first (they stop heartbeating), then the FE.
  std::vector<ChildProcess*> cn_part(running.begin(), running.end());
  std::erase(cn_part, fe_.get());
  StopAll(cn_part, ChildProcess::kStopTimeoutMs);
  if (fe_ != nullptr && fe_->Running()) fe_->Stop(ChildProcess::kStopTimeoutMs);
  std::vector<std::string> lines;
  for (ChildProcess* c : running) lines.push_back(fmt::format("{} (pid {}): {}", c->name(), c->pid(), c->DescribeExit()));
  return lines;
}

}  // namespace strata::server::local

#include "server/local/local_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "server/local/child_process.h"
#include "server/local/demo.h"
#include "server/local/local_cluster.h"
#include "server/local/local_config.h"
#include "server/mysql/packet.h"  // MonotonicMs

namespace strata::server::local {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int64_t kFeReadyTimeoutMs = 120'000;
constexpr int64_t kCnsTimeoutMs = 60'000;
constexpr int64_t kWatchEveryMs = 200;

constexpr const char* kUsage =
    "usage: strata local [--dir DIR] [--cns N] [--port-base P] [S3 flags]\n"
    "       strata local demo [--dir DIR] [--cns N] [--port-base P] [S3 flags]\n"
    "  --dir DIR        where configs, metadata caches, logs and the local volume live\n"
    "                   (default ./strata-local; the demo: ./strata-demo, wiped at each run)\n"
    "  --cns N          compute nodes, 1..10 (default 1)\n"
    "  --port-base P    the MySQL port (default 9030); FE http P-1000, rpc P-10,\n"
    "                   CN i: heartbeat P+20+i, be P+30+i, http P-990+i\n"
    "  S3 flags         --s3-endpoint URL --s3-bucket BUCKET[/PREFIX] [--s3-region R]\n"
    "                   --s3-access-key K --s3-secret-key S (or AWS_S3_ENDPOINT, AWS_S3_PATH,\n"
    "                   AWS_S3_REGION, AWS_S3_ACCESS_KEY, AWS_S3_SECRET_KEY); default: a\n"
    "                   local-directory volume under DIR\n"
    "Everything binds 127.0.0.1. Ctrl-C stops the cluster.\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "strata local: %s\n", error.c_str());
  std::fputs(kUsage, error.empty() ? stdout : stderr);
  return error.empty() ? kExitOk : kExitUsage;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "strata local: %s\n", what.c_str());
  return kExitFailure;
}

// Keeps DIR for one `strata local` at a time (released when the process ends).
Status LockDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir, ec.message()));
  const std::string path = dir + "/.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return FailedPrecondition(fmt::format("another strata local runs in {}", dir));
  }
  return Status::OK();  // fd stays open (and locked) for the life of the process
}

std::string Seconds(int64_t ms) { return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0); }

void PrintConnectInfo(LocalCluster& c) {
  const PortLayout& p = c.ports();
  std::cout << fmt::format(
      "\nStrata is running: 1 FE and {} compute node(s) on 127.0.0.1, data under {}\n"
      "  connect:  mysql -h 127.0.0.1 -P {} -uroot\n"
      "  HTTP:     http://127.0.0.1:{}  (/api/ready, /metrics; stream load: curl -u root: -T file.csv "
      "http://127.0.0.1:{}/api/<db>/<table>/_stream_load)\n"
      "  volume:   {}\n",
      c.options().cns, c.options().dir, p.query, p.http, p.http, DescribeVolume(c.options()));
  std::cout << "  logs:     " << c.paths().FeLog() << " (fe)";
  for (int i = 0; i < c.options().cns; ++i) std::cout << ", " << c.paths().CnLog(i) << " (cn" << i << ")";
  std::cout << "\n  pids:     fe " << c.fe()->pid();
  for (ChildProcess* cn : c.cns()) std::cout << ", " << cn->name() << " " << cn->pid();
  std::cout << "\nCtrl-C stops the cluster (the data stays in the volume; run the same command to restart it).\n"
            << std::flush;
}

int RunForeground(const LocalOptions& options, const PortLayout& ports, const std::string& exe) {
  LocalCluster cluster(options, ports, exe);
  const int64_t start_ms = mysql::MonotonicMs();
  std::cout << fmt::format("strata local: starting 1 FE and {} compute node(s) in {}\n", options.cns, options.dir)
            << std::flush;
  Status s = cluster.Prepare();
  if (s.ok()) s = cluster.StartFe(/*restore=*/false);
  if (s.ok()) s = cluster.StartCns();
  if (s.ok()) s = cluster.WaitFeReady(kFeReadyTimeoutMs);
  if (s.ok()) {
    std::cout << fmt::format("  FE ready after {}\n", Seconds(mysql::MonotonicMs() - start_ms)) << std::flush;
    s = cluster.WaitCnsRegistered(kCnsTimeoutMs);
  }
  if (!s.ok()) {
    for (const std::string& line : cluster.Stop()) std::cerr << "  stopped " << line << "\n";
    return s.code() == StatusCode::kCancelled ? kExitOk : Fail(s.ToString());
  }
  std::cout << fmt::format("  compute node(s) registered after {}\n", Seconds(mysql::MonotonicMs() - start_ms));
  PrintConnectInfo(cluster);
  while (SleepUnlessStopped(kWatchEveryMs)) {
    Status alive = cluster.CheckChildren();
    if (!alive.ok()) {
      for (const std::string& line : cluster.Stop()) std::cerr << "  stopped " << line << "\n";
      return Fail(alive.ToString());
    }
  }
  std::cout << "\nstrata local: stopping\n" << std::flush;
  for (const std::string& line : cluster.Stop()) std::cout << "  " << line << "\n";
  std::cout << "strata local: stopped\n" << std::flush;
  return kExitOk;
}

}  // namespace

int RunLocalCommand(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h" || a == "help") return Usage("");
  }
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  if (ec) return Fail("cannot read the current directory: " + ec.message());
  auto getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  };
  Result<LocalOptions> options = ParseLocalArgs(args, getenv, cwd);
  if (!options.ok()) return Usage(options.status().message());
  Result<PortLayout> ports = Ports(options->port_base, options->cns);
  if (!ports.ok()) return Usage(ports.status().message());
  Result<std::string> exe = SelfExecutable();
  if (!exe.ok()) return Fail(exe.status().ToString());
  InstallStopSignalHandlers();
  Status locked = LockDir(options->dir);
  if (!locked.ok()) return Fail(locked.ToString());
  if (options->demo) return RunDemo(*options, *ports, *exe, std::cout);
  return RunForeground(*options, *ports, *exe);
}

}  // namespace strata::server::local

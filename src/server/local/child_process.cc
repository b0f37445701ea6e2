#include "server/local/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "server/mysql/packet.h"  // MonotonicMs

extern char** environ;

namespace strata::server::local {
namespace {

volatile sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int sig) { g_stop_signal = sig; }

// The child's environment: this process's, with spec.env_set applied.
std::vector<std::string> ChildEnvironment(const ChildSpec& spec) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : spec.env_set) replaced = replaced || k == key;
    for (const std::string& k : spec.env_unset) replaced = replaced || k == key;
    if (!replaced) env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : spec.env_set) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the forked child: async-signal-safe calls only, then exec.
[[noreturn]] void ExecChild(const char* exe, char** argv, char** envp, const char* cwd, int log_fd, pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(126);  // the parent died before the line above
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  if (chdir(cwd) != 0) {
    const char msg[] = "strata local: cannot chdir to the child's directory\n";
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    _exit(127);
  }
  execve(exe, argv, envp);
  const char msg[] = "strata local: exec failed\n";
  (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
  _exit(127);
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const ChildSpec& spec) {
  int log_fd = open(spec.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) return Unavailable(fmt::format("cannot open {}: {}", spec.log_path, std::strerror(errno)));
  std::string header = fmt::format("---- strata local: starting {} {} (cwd {})\n", spec.executable,
                                   fmt::join(spec.args, " "), spec.cwd);
  for (const auto& [k, v] : spec.env_set) header += fmt::format("---- with {}={}\n", k, v);
  (void)!write(log_fd, header.data(), header.size());
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv_strings = {spec.executable};
  argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
  std::vector<std::string> env_strings = ChildEnvironment(spec);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(log_fd);
    return Unavailable(fmt::format("fork for {}: {}", spec.name, std::strerror(err)));
  }
  if (pid == 0) ExecChild(spec.executable.c_str(), argv.data(), envp.data(), spec.cwd.c_str(), log_fd, parent);
  close(log_fd);
  std::unique_ptr<ChildProcess> child(new ChildProcess(spec));
  child->pid_ = pid;
  child->running_ = true;
  return child;
}

ChildProcess::~ChildProcess() {
  if (running_) Stop(kStopTimeoutMs);
}

void ChildProcess::Reap(int status) {
  running_ = false;
  if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) exit_signal_ = WTERMSIG(status);
}

bool ChildProcess::Running() {
  if (!running_) return false;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) Reap(status);
  if (r < 0 && errno == ECHILD) running_ = false;  // reaped elsewhere: treat as gone
  return running_;
}

std::string ChildProcess::DescribeExit() {
  if (Running()) return "running";
  if (exit_code_) return fmt::format("exited with code {}", *exit_code_);
  if (exit_signal_) return fmt::format("killed by signal {} ({})", *exit_signal_, strsignal(*exit_signal_));
  return "gone";
}

void ChildProcess::Signal(int sig) {
  if (Running()) kill(pid_, sig);
}

bool ChildProcess::WaitUntil(int64_t deadline_ms) {
  constexpr int64_t kPollMs = 20;
  while (Running()) {
    if (mysql::MonotonicMs() >= deadline_ms) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  return true;
}

void ChildProcess::Stop(int64_t timeout_ms) { StopAll({this}, timeout_ms); }

std::string ChildProcess::LogTail(size_t lines) const {
  std::ifstream in(spec_.log_path);
  std::deque<std::string> tail;
  std::string line;
  constexpr size_t kLinesScannedMax = 1'000'000;
  for (size_t n = 0; n < kLinesScannedMax && std::getline(in, line); ++n) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& l : tail) out += "    " + l + "\n";
  return out;
}

void StopAll(const std::vector<ChildProcess*>& children, int64_t timeout_ms) {
  for (ChildProcess* c : children) {
    if (c != nullptr) c->Signal(SIGTERM);
  }
  const int64_t deadline = mysql::MonotonicMs() + timeout_ms;
  for (ChildProcess* c : children) {
    if (c == nullptr || c->WaitUntil(deadline)) continue;
    c->Signal(SIGKILL);
    c->WaitUntil(INT64_MAX);  // SIGKILL cannot be ignored
  }
}

Result<std::string> SelfExecutable() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return Unavailable(fmt::format("readlink /proc/self/exe: {}", std::strerror(errno)));
  return std::string(buf, static_cast<size_t>(n));
}

void InstallStopSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool StopSignalReceived() { return g_stop_signal != 0; }

bool SleepUnlessStopped(int64_t ms) {
  constexpr int64_t kSliceMs = 50;
  const int64_t deadline = mysql::MonotonicMs() + ms;
  while (!StopSignalReceived()) {
    int64_t left = deadline - mysql::MonotonicMs();
    if (left <= 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(left, kSliceMs)));
  }
  return false;
}

}  // namespace strata::server::local

// Child processes: started with a log, environment and directory, reaped,
// stopped by PID (SIGTERM, then SIGKILL after the timeout).
#include "server/local/child_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/local/demo.h"
#include "server/local/local_cluster.h"
#include "server/mysql/packet.h"

namespace strata::server::local {
namespace {

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-local-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ChildSpec Shell(const std::string& script) {
    return ChildSpec{.name = "sh", .executable = "/bin/sh", .args = {"-c", script}, .cwd = dir_,
                     .log_path = dir_ + "/child.log"};
  }
  std::string Log() {
    std::ifstream in(dir_ + "/child.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
};

TEST_F(ChildProcessTest, RunsWithEnvironmentDirectoryAndLog) {
  ChildSpec spec = Shell("echo \"hello $STRATA_LOCAL_TEST_VAR from $(pwd)\"; echo oops >&2; exit 3");
  spec.env_set = {{"STRATA_LOCAL_TEST_VAR", "world"}};
  setenv("STRATA_LOCAL_TEST_GONE", "inherited", 1);
  spec.env_unset = {"STRATA_LOCAL_TEST_GONE"};
  spec.args[1] = "echo \"[$STRATA_LOCAL_TEST_GONE]\"; " + spec.args[1];
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_TRUE((*child)->WaitUntil(mysql::MonotonicMs() + 10000));
  EXPECT_EQ((*child)->exit_code(), 3);
  EXPECT_EQ((*child)->DescribeExit(), "exited with code 3");
  std::string log = Log();
  EXPECT_NE(log.find("---- strata local: starting /bin/sh"), std::string::npos) << log;
  EXPECT_NE(log.find("hello world from " + dir_), std::string::npos) << log;
  EXPECT_NE(log.find("oops"), std::string::npos) << log;
  EXPECT_NE(log.find("[]"), std::string::npos) << "an unset variable leaked: " << log;
  unsetenv("STRATA_LOCAL_TEST_GONE");
  EXPECT_NE((*child)->LogTail(2).find("oops"), std::string::npos);
}

TEST_F(ChildProcessTest, OwnProcessGroupAndStopBySigterm) {
  auto child = ChildProcess::Spawn(Shell("exec sleep 30"));
  ASSERT_TRUE(child.ok());
  pid_t pid = (*child)->pid();
  for (int i = 0; i < 100 && getpgid(pid) != pid; ++i) usleep(10'000);
  EXPECT_EQ(getpgid(pid), pid);  // a terminal's Ctrl-C reaches only the parent
  EXPECT_TRUE((*child)->Running());
  const int64_t start = mysql::MonotonicMs();
  (*child)->Stop(10000);
  EXPECT_LT(mysql::MonotonicMs() - start, 5000);
  EXPECT_FALSE((*child)->Running());
  EXPECT_NE((*child)->DescribeExit().find("signal 15"), std::string::npos) << (*child)->DescribeExit();
  EXPECT_EQ(kill(pid, 0), -1);  // reaped: the PID is gone
}

TEST_F(ChildProcessTest, SigkillAfterTheTimeout) {
  // An ignored SIGTERM survives exec: sleep ignores it.
  auto child = ChildProcess::Spawn(Shell("trap '' TERM; exec sleep 30"));
  ASSERT_TRUE(child.ok());
  usleep(200'000);
  const int64_t start = mysql::MonotonicMs();
  StopAll({child->get(), nullptr}, 300);
  EXPECT_GE(mysql::MonotonicMs() - start, 290);
  EXPECT_NE((*child)->DescribeExit().find("signal 9"), std::string::npos) << (*child)->DescribeExit();
}

TEST_F(ChildProcessTest, ExecFailureIsExitCode127) {
  ChildSpec spec = Shell("");
  spec.executable = dir_ + "/no-such-binary";
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE((*child)->WaitUntil(mysql::MonotonicMs() + 10000));
  EXPECT_EQ((*child)->exit_code(), 127);
  EXPECT_NE(Log().find("exec failed"), std::string::npos);
}

TEST_F(ChildProcessTest, UnwritableLogIsAnError) {
  ChildSpec spec = Shell("true");
  spec.log_path = dir_ + "/missing/dir/child.log";
  EXPECT_EQ(ChildProcess::Spawn(spec).status().code(), StatusCode::kUnavailable);
}

TEST_F(ChildProcessTest, SelfExecutableIsThisTest) {
  Result<std::string> exe = SelfExecutable();
  ASSERT_TRUE(exe.ok());
  EXPECT_TRUE(exe->ends_with("/local_test")) << *exe;
}

TEST_F(ChildProcessTest, WriteFileAtomicallyIsPrivate) {
  const std::string path = dir_ + "/fe.conf";
  ASSERT_TRUE(WriteFileAtomically(path, "a = 1\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "a = 2\n").ok());
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "a = 2");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(ChildProcessTest, DemoDirIsWipedOnlyWhenTheDemoMadeIt) {
  namespace fs = std::filesystem;
  const std::string demo = dir_ + "/demo";
  ASSERT_TRUE(PrepareDemoDir(demo).ok());  // absent: created and marked
  EXPECT_TRUE(fs::exists(demo + "/.strata-demo"));
  fs::create_directories(demo + "/fe/meta");
  std::ofstream(demo + "/.lock") << "";
  std::ofstream(demo + "/fe/meta/x") << "old";
  ASSERT_TRUE(PrepareDemoDir(demo).ok());  // an earlier demo's: wiped, the lock kept
  EXPECT_FALSE(fs::exists(demo + "/fe"));
  EXPECT_TRUE(fs::exists(demo + "/.lock"));
  EXPECT_TRUE(fs::exists(demo + "/.strata-demo"));
  const std::string mine = dir_ + "/mine";
  fs::create_directories(mine);
  std::ofstream(mine + "/precious") << "data";
  Status refused = PrepareDemoDir(mine);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(mine + "/precious"));
}

TEST(CheckPortsFreeTest, ABoundPortIsReported) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  Status busy = CheckPortsFree({port});
  EXPECT_EQ(busy.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(busy.message().find(std::to_string(port)), std::string::npos);
  EXPECT_NE(busy.message().find("--port-base"), std::string::npos);
  close(fd);
  EXPECT_TRUE(CheckPortsFree({port}).ok());
}

}  // namespace
}  // namespace strata::server::local

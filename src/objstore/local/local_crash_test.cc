// Crash safety of LocalObjectStore: writer processes (local_crash_writer) are
// SIGKILLed at every named failpoint and at random moments, alone and racing
// each other, and after every round the store must satisfy:
//   - every visible object verifies (never torn or partial, never misplaced);
//   - every acknowledged (journaled) write is present with its content: for a
//     Put key the acknowledged version or a later one; for PutIfAbsent and
//     multipart keys exactly the acknowledged one;
//   - at most one process was acknowledged as the PutIfAbsent winner of a key,
//     and the stored object is the winner's;
//   - List shows exactly the objects (no temp file, in key byte order).
// Randomized: prints its seed; STRATA_TEST_SEED=<n> reproduces a run.
// The kills are of processes, not of the machine: the page cache survives, so
// these tests prove atomic visibility and protocol order, not fsync placement.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "objstore/local/crash_test_format.h"
#include "objstore/local/local_object_store.h"

namespace strata::objstore::crashtest {
namespace {

namespace fs = std::filesystem;
constexpr int kWaitTimeoutMs = 60'000;

uint64_t TestSeed() {
  static const uint64_t seed = [] {
    const char* env = std::getenv("STRATA_TEST_SEED");
    uint64_t s = env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : std::random_device{}();
    std::printf("local_crash_test seed %llu (STRATA_TEST_SEED=%llu reproduces)\n",
                static_cast<unsigned long long>(s), static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Regular files under `root` outside the temp directory, as keys.
std::set<std::string> FilesOnDisk(const std::string& root) {
  std::set<std::string> keys;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (it->is_directory() && rel == kLocalTempDirName) {
      it.disable_recursion_pending();
    } else if (it->is_regular_file()) {
      keys.insert(rel);
    }
  }
  return keys;
}

class LocalCrashTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata-crash-XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    fs::create_directories(dir_ + "/journals");
    fs::create_directories(dir_ + "/logs");
    rng_.seed(TestSeed() ^ std::hash<std::string>()(testing::UnitTest::GetInstance()->current_test_info()->name()));
  }
  void TearDown() override {
    if (HasFailure()) {
      std::printf("keeping %s for inspection\n", dir_.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string NewRoot(const std::string& name) {
    std::string root = dir_ + "/" + name;
    fs::create_directories(root);
    return root;
  }
  std::string JournalPath(int writer) const { return fmt::format("{}/journals/w{}", dir_, writer); }
  std::string LogPath(int writer) const { return fmt::format("{}/logs/w{}", dir_, writer); }

  pid_t StartWriter(const std::string& root, int writer, const std::string& mode, int ops_max,
                    const std::string& failpoints = "") {
    std::vector<std::string> args = {STRATA_CRASH_WRITER_PATH, root, JournalPath(writer), std::to_string(writer),
                                     std::to_string(rng_()), mode, std::to_string(ops_max)};
    std::string log = LogPath(writer);
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) ::dup2(fd, 2);
      if (failpoints.empty()) {
        ::unsetenv("STRATA_FAILPOINTS");
      } else {
        ::setenv("STRATA_FAILPOINTS", failpoints.c_str(), 1);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    EXPECT_GT(pid, 0);
    return pid;
  }

  // Waits (bounded) for `pid`; returns its wait status.
  int Wait(pid_t pid) {
    int status = 0;
    for (int waited_ms = 0; waited_ms < kWaitTimeoutMs; waited_ms += 2) {
      if (::waitpid(pid, &status, WNOHANG) == pid) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "writer " << pid << " still running after " << kWaitTimeoutMs << " ms";
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return status;
  }

  static bool KilledBySigkill(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
  void ExpectCleanExitOrKill(int status, int writer) {
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    EXPECT_TRUE(clean || KilledBySigkill(status))
        << "writer " << writer << " status " << status << ": " << ReadText(LogPath(writer));
  }

  void CheckStore(const std::string& root, const std::vector<int>& writers);
  void CheckAck(const Ack& ack, const std::map<std::string, ObjectIdentity>& stored);

  std::string dir_;
  std::mt19937_64 rng_;
  int next_writer_ = 0;
  size_t acks_checked_ = 0;
};

void LocalCrashTest::CheckAck(const Ack& ack, const std::map<std::string, ObjectIdentity>& stored) {
  acks_checked_++;
  auto it = stored.find(ack.key);
  std::string what = fmt::format("acknowledged {} of {} by writer {} at seq {}", ack.op, ack.key, ack.writer, ack.seq);
  if (ack.op == "DEL") {
    // Absent, or re-written by a later (unacknowledged) Put.
    if (it != stored.end()) {
      EXPECT_GT(it->second.seq, ack.seq) << what;
    }
    return;
  }
  if (it == stored.end()) {
    // Only a shared key may have been deleted since, by an unacknowledged delete.
    EXPECT_TRUE(ack.op == "PUT" && ack.key.starts_with("shared/")) << what << " is missing";
    return;
  }
  EXPECT_EQ(it->second.writer, ack.writer) << what;
  if (ack.op == "PUT") {
    EXPECT_GE(it->second.seq, ack.seq) << what;  // a later, unacknowledged Put may have landed
  } else {
    EXPECT_EQ(it->second.seq, ack.seq) << what;  // PIA, MP, WIN: exactly this content
  }
}

void LocalCrashTest::CheckStore(const std::string& root, const std::vector<int>& writers) {
  auto store = LocalObjectStore::Open(root);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto listed = ListAll(**store, "");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::map<std::string, ObjectIdentity> stored;
  std::set<std::string> listed_keys;
  std::string previous;
  for (const ObjectMeta& meta : *listed) {
    EXPECT_TRUE(previous.empty() || previous < meta.key) << previous << " listed before " << meta.key;
    EXPECT_FALSE(meta.key.starts_with(kLocalTempDirName)) << meta.key;
    previous = meta.key;
    listed_keys.insert(meta.key);
    auto data = (*store)->Get(meta.key);
    ASSERT_TRUE(data.ok()) << meta.key << ": " << data.status().ToString();
    EXPECT_EQ(data->size(), meta.size_bytes) << meta.key;
    std::string why;
    std::optional<ObjectIdentity> id = VerifyObject(meta.key, *data, &why);
    EXPECT_TRUE(id.has_value()) << "object " << meta.key << " does not verify: " << why;
    if (id) stored[meta.key] = *id;
  }
  EXPECT_EQ(listed_keys, FilesOnDisk(root)) << "List must show exactly the object files";
  std::map<std::string, int> winners;
  for (int w : writers) {
    std::map<std::string, Ack> last;
    for (Ack& ack : ReadJournal(JournalPath(w))) {
      EXPECT_EQ(ack.writer, w);
      if (ack.op == "WIN") {
        EXPECT_EQ(++winners[ack.key], 1) << "two acknowledged winners of " << ack.key;
      }
      last[ack.key] = std::move(ack);
    }
    for (const auto& [key, ack] : last) CheckAck(ack, stored);
  }
}

TEST_F(LocalCrashTest, CrashAtEveryFailpoint) {
  struct Case {
    const char* failpoint;
    const char* mode;
    int ops_max;
  };
  const Case cases[] = {
      {"local.put.after_tmp_write", "put", 20},
      {"local.put.after_fsync", "put", 20},
      {"local.put.after_rename", "put", 20},
      {"local.put.after_dir_fsync", "put", 20},
      {"local.put_if_absent.after_tmp_write", "pia", 20},
      {"local.put_if_absent.after_fsync", "pia", 20},
      {"local.put_if_absent.after_link", "pia", 20},
      {"local.put_if_absent.after_dir_fsync", "pia", 20},
      {"local.multipart.after_part_write", "mp", 5},
      {"local.multipart.before_fsync", "mp", 5},
      {"local.multipart.before_rename", "mp", 5},
      {"local.multipart.after_rename", "mp", 5},
      {"local.delete.after_unlink", "shared", 200},
  };
  const std::string root = NewRoot("store");
  std::vector<int> writers;
  for (const Case& c : cases) {
    for (int k : {1, 3}) {
      int w = ++next_writer_;
      writers.push_back(w);
      std::string spec = fmt::format("{}=crash@{}", c.failpoint, k);
      int status = Wait(StartWriter(root, w, c.mode, c.ops_max, spec));
      ASSERT_TRUE(KilledBySigkill(status)) << spec << " did not crash the writer (status " << status
                                           << "): " << ReadText(LogPath(w));
      CheckStore(root, writers);
      ASSERT_FALSE(HasFailure()) << "after " << spec;
    }
  }
  // Writers that crash at the failpoints above leave temp files behind;
  // clean-up on open removes them, and the objects stay intact.
  auto store = LocalObjectStore::Open(root, {.stale_temp_age_ms = 0});
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(fs::is_empty(root + "/" + std::string(kLocalTempDirName)));
  CheckStore(root, writers);
  std::printf("failpoint sweep: %zu writer crashes, %zu acknowledgement checks (cumulative)\n",
              writers.size(), acks_checked_);
}

TEST_F(LocalCrashTest, RandomKillsOfConcurrentWriters) {
  constexpr int kRounds = 5;
  constexpr int kWriters = 4;
  const std::string root = NewRoot("store");
  std::vector<int> writers;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::pair<int, std::pair<pid_t, int>>> kills;  // (kill at ms, (pid, writer))
    for (int i = 0; i < kWriters; ++i) {
      int w = ++next_writer_;
      writers.push_back(w);
      kills.push_back({20 + static_cast<int>(rng_() % 500), {StartWriter(root, w, "mixed", 100'000), w}});
    }
    std::sort(kills.begin(), kills.end());
    auto start = std::chrono::steady_clock::now();
    for (auto& [at_ms, who] : kills) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(at_ms));
      ::kill(who.first, SIGKILL);
      ExpectCleanExitOrKill(Wait(who.first), who.second);
    }
    CheckStore(root, writers);
    ASSERT_FALSE(HasFailure()) << "round " << round;
  }
  std::printf("random kills: %zu writers killed, %zu acknowledgement checks (cumulative)\n", writers.size(),
              acks_checked_);
}

TEST_F(LocalCrashTest, PutIfAbsentRaceUnderRandomKills) {
  constexpr int kRounds = 5;
  constexpr int kProcesses = 5;
  constexpr size_t kRaceKeys = 40;
  size_t wins = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string root = NewRoot(fmt::format("race{}", round));
    std::vector<int> writers;
    std::vector<std::pair<int, std::pair<pid_t, int>>> kills;
    for (int i = 0; i < kProcesses; ++i) {
      int w = ++next_writer_;
      writers.push_back(w);
      kills.push_back({5 + static_cast<int>(rng_() % 80), {StartWriter(root, w, "race", 0), w}});
    }
    std::sort(kills.begin(), kills.end());
    auto start = std::chrono::steady_clock::now();
    bool any_finished = false;
    for (auto& [at_ms, who] : kills) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(at_ms));
      ::kill(who.first, SIGKILL);
      int status = Wait(who.first);
      ExpectCleanExitOrKill(status, who.second);
      any_finished |= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    CheckStore(root, writers);
    for (int w : writers) {
      for (const Ack& ack : ReadJournal(JournalPath(w))) wins += ack.op == "WIN" ? 1 : 0;
    }
    if (any_finished) {
      auto store = LocalObjectStore::Open(root);
      ASSERT_TRUE(store.ok());
      EXPECT_EQ(ListAll(**store, "race/")->size(), kRaceKeys) << "a finished writer saw every key";
    }
    ASSERT_FALSE(HasFailure()) << "round " << round;
  }
  std::printf("put-if-absent race: %zu acknowledged wins, %zu acknowledgement checks (cumulative)\n", wins,
              acks_checked_);
}

}  // namespace
}  // namespace strata::objstore::crashtest

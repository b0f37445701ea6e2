#include "server/local/demo.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "server/local/child_process.h"
#include "server/local/local_cluster.h"
#include "server/local/local_command.h"
#include "server/local/mysql_client.h"
#include "server/mysql/packet.h"  // MonotonicMs

namespace strata::server::local {
namespace {

namespace fs = std::filesystem;

constexpr int kSteps = 7;
constexpr int64_t kFeReadyTimeoutMs = 120'000;
constexpr int64_t kCnsTimeoutMs = 60'000;
constexpr int64_t kConnectTimeoutMs = 30'000;
constexpr int64_t kSnapshotTimeoutMs = 120'000;
constexpr int64_t kSnapshotPollMs = 1000;
constexpr int64_t kRestoreTimeoutMs = 180'000;
constexpr int64_t kRestorePollMs = 100;
constexpr int64_t kFinishedTimeoutMs = 30'000;
constexpr const char* kMarker = ".strata-demo";

// A failed step: the message, and the exit code to end with.
struct DemoError {
  std::string message;
  int exit_code = 1;
};

std::string Seconds(int64_t ms) { return fmt::format("{:.2f} s", static_cast<double>(ms) / 1000.0); }

std::vector<MysqlRow> Sorted(std::vector<MysqlRow> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

// GET /api/v2/get_cluster_snapshot_restore_state: an FE without a restore mode answers 404.
struct RestoreState {
  int http_status = 0;
  std::string state;  // restoring | finished | failed | "" (no answer)
  std::string body;
};

class Demo {
 public:
  Demo(LocalOptions options, PortLayout ports, std::string exe, std::ostream& out)
      : options_(std::move(options)), ports_(std::move(ports)), exe_(std::move(exe)), out_(out) {}

  int Run();

 private:
  void Step(int n, const std::string& title);
  void Say(const std::string& line) { out_ << "  " << line << "\n" << std::flush; }
  std::optional<DemoError> Check(const Status& s);

  std::optional<DemoError> StartCluster();
  std::optional<DemoError> LoadRows();
  std::optional<DemoError> TakeSnapshot();
  std::optional<DemoError> Destroy();
  std::optional<DemoError> WriteYaml();
  std::optional<DemoError> Restore();
  std::optional<DemoError> Verify();

  Result<std::unique_ptr<MysqlClient>> Connect(const std::string& database, int64_t timeout_ms);
  Result<MysqlResult> Sql(MysqlClient& c, std::string_view statement, bool print);
  RestoreState GetRestoreState();
  void SayState(const std::string& state);  // prints each new restore state once
  std::optional<DemoError> WaitForFirstSelect(int64_t start_ms);

  LocalOptions options_;
  PortLayout ports_;
  std::string exe_;
  std::ostream& out_;
  std::unique_ptr<LocalCluster> cluster_;
  std::vector<MysqlRow> rows_before_;
  std::string snapshot_path_;
  std::string source_cluster_id_;
  MysqlResult rows_after_;
  int64_t recovery_ms_ = 0;
  std::string printed_state_;
};

void Demo::Step(int n, const std::string& title) {
  out_ << fmt::format("\n[{}/{}] {}\n", n, kSteps, title) << std::flush;
}

std::optional<DemoError> Demo::Check(const Status& s) {
  if (s.ok()) return std::nullopt;
  if (s.code() == StatusCode::kCancelled) return DemoError{"interrupted", 1};
  return DemoError{s.ToString(), 1};
}

Result<std::unique_ptr<MysqlClient>> Demo::Connect(const std::string& database, int64_t timeout_ms) {
  MysqlClientOptions o;
  o.port = ports_.query;
  o.database = database;
  const int64_t deadline = mysql::MonotonicMs() + timeout_ms;
  while (true) {
    Result<std::unique_ptr<MysqlClient>> c = MysqlClient::Connect(o);
    if (c.ok() || !c.status().retryable() || mysql::MonotonicMs() >= deadline) return c;
    if (!SleepUnlessStopped(200)) return Cancelled("interrupted");
  }
}

Result<MysqlResult> Demo::Sql(MysqlClient& c, std::string_view statement, bool print) {
  out_ << "mysql> " << statement << ";\n" << std::flush;
  const int64_t start = mysql::MonotonicMs();
  Result<MysqlResult> r = c.Query(statement);
  if (!r.ok()) {
    out_ << r.status().message() << "\n";
    return r;
  }
  std::string took = fmt::format(" ({:.2f} sec)", static_cast<double>(mysql::MonotonicMs() - start) / 1000.0);
  if (!r->has_result_set) {
    out_ << fmt::format("Query OK, {} row{} affected{}\n", r->affected_rows, r->affected_rows == 1 ? "" : "s", took);
  } else if (print) {
    std::string table = FormatTable(*r);
    table.pop_back();  // the newline after "N rows in set"
    out_ << table << took << "\n";
  }
  out_ << std::flush;
  return r;
}

std::optional<DemoError> Demo::StartCluster() {
  Step(1, fmt::format("Start a cluster: 1 FE and {} compute node(s) on 127.0.0.1", options_.cns));
  Say("directory: " + options_.dir);
  Say("volume:    " + DescribeVolume(options_));
  cluster_ = std::make_unique<LocalCluster>(options_, ports_, exe_);
  const int64_t start = mysql::MonotonicMs();
  Status s = cluster_->Prepare();
  if (s.ok()) s = cluster_->StartFe(/*restore=*/false);
  if (s.ok()) s = cluster_->StartCns();
  if (s.ok()) s = cluster_->WaitFeReady(kFeReadyTimeoutMs);
  if (s.ok()) s = cluster_->WaitCnsRegistered(kCnsTimeoutMs);
  if (auto e = Check(s)) return e;
  Result<std::string> id = cluster_->ClusterId();
  if (!id.ok()) return Check(id.status());
  source_cluster_id_ = *id;
  Say(fmt::format("ready in {} (FE pid {}, MySQL 127.0.0.1:{}); cluster id {}", Seconds(mysql::MonotonicMs() - start),
                  cluster_->fe()->pid(), ports_.query, source_cluster_id_));
  Say("logs: " + cluster_->paths().LogDir() + "/");
  return std::nullopt;
}

std::optional<DemoError> Demo::LoadRows() {
  Step(2, "Create the guide's database and table, insert its rows");
  Result<std::unique_ptr<MysqlClient>> c = Connect("", kConnectTimeoutMs);
  if (!c.ok()) return Check(c.status());
  for (std::string_view statement : {kDemoCreateDatabase, std::string_view("USE quickstart"), kDemoCreateTable}) {
    if (auto r = Sql(**c, statement, true); !r.ok()) return Check(r.status());
  }
  Result<MysqlResult> insert = Sql(**c, kDemoInsert, true);
  if (!insert.ok()) return Check(insert.status());
  if (insert->affected_rows != kDemoRows) {
    return DemoError{fmt::format("the INSERT affected {} rows, expected {}", insert->affected_rows, kDemoRows)};
  }
  Result<MysqlResult> select = Sql(**c, kDemoSelect, true);
  if (!select.ok()) return Check(select.status());
  if (select->rows.size() != kDemoRows) {
    return DemoError{fmt::format("SELECT returned {} rows, expected {}", select->rows.size(), kDemoRows)};
  }
  rows_before_ = Sorted(select->rows);
  return std::nullopt;
}

std::optional<DemoError> Demo::TakeSnapshot() {
  Step(3, "Take an automated cluster snapshot");
  Result<std::unique_ptr<MysqlClient>> c = Connect("", kConnectTimeoutMs);
  if (!c.ok()) return Check(c.status());
  for (std::string_view statement : {kDemoSetInterval, kDemoSnapshotOn}) {
    if (auto r = Sql(**c, statement, true); !r.ok()) return Check(r.status());
  }
  Say("waiting for the first snapshot (one interval after ON) ...");
  const int64_t start = mysql::MonotonicMs();
  while (true) {
    Result<MysqlResult> r = (*c)->Query(kDemoListSnapshots);
    if (!r.ok()) return Check(r.status());
    auto path_column = std::find(r->columns.begin(), r->columns.end(), "STORAGE_PATH");
    if (path_column == r->columns.end()) return DemoError{"CLUSTER_SNAPSHOTS has no STORAGE_PATH column"};
    if (!r->rows.empty()) {
      out_ << "mysql> " << kDemoListSnapshots << ";\n" << FormatTable(*r);
      // The newest: automated_cluster_snapshot_<ms> names sort by time.
      auto newest = std::max_element(r->rows.begin(), r->rows.end());
      const auto& path = (*newest)[static_cast<size_t>(path_column - r->columns.begin())];
      if (!path || path->empty()) return DemoError{"the snapshot has an empty STORAGE_PATH"};
      snapshot_path_ = *path;
      Say(fmt::format("snapshot after {}: STORAGE_PATH = {}", Seconds(mysql::MonotonicMs() - start), snapshot_path_));
      return std::nullopt;
    }
    if (mysql::MonotonicMs() - start > kSnapshotTimeoutMs) {
      return DemoError{fmt::format("no snapshot in INFORMATION_SCHEMA.CLUSTER_SNAPSHOTS after {}",
                                   Seconds(kSnapshotTimeoutMs))};
    }
    if (!SleepUnlessStopped(kSnapshotPollMs)) return DemoError{"interrupted"};
  }
}

std::optional<DemoError> Demo::Destroy() {
  Step(4, "Destroy the cluster: stop every process, delete the FE metadata and the CN caches");
  for (const std::string& line : cluster_->Stop()) Say("stopped " + line);
  const Paths p = cluster_->paths();
  cluster_.reset();
  std::vector<std::pair<std::string, std::string>> doomed = {{p.FeDir(), "fe.conf and the FE metadata"}};
  for (int i = 0; i < options_.cns; ++i) doomed.emplace_back(p.CnDir(i), "cn.conf and the compute node's cache");
  for (const auto& [dir, what] : doomed) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec || fs::exists(dir)) return DemoError{fmt::format("cannot delete {}: {}", dir, ec.message())};
    Say(fmt::format("deleted {} ({})", dir, what));
  }
  Say("kept the storage volume " + VolumeLocation(options_) + " and the logs in " + p.LogDir());
  return std::nullopt;
}

std::optional<DemoError> Demo::WriteYaml() {
  Step(5, "Write cluster_snapshot.yaml for a new cluster");
  cluster_ = std::make_unique<LocalCluster>(options_, ports_, exe_);
  if (auto e = Check(cluster_->Prepare())) return e;
  const std::string path = cluster_->paths().SnapshotYaml();
  if (auto e = Check(WriteFileAtomically(path, ClusterSnapshotYaml(options_, snapshot_path_)))) return e;
  Say(fmt::format("{} (beside the new {}):", path, cluster_->paths().FeConf()));
  LocalOptions masked = options_;
  if (masked.s3) masked.s3->access_key = masked.s3->secret_key = Secret("***");
  std::string yaml = ClusterSnapshotYaml(masked, snapshot_path_);
  for (size_t at = 0, nl; at < yaml.size(); at = nl + 1) {
    nl = yaml.find('\n', at);
    if (nl == std::string::npos) nl = yaml.size();
    out_ << "    " << yaml.substr(at, nl - at) << "\n";
  }
  return std::nullopt;
}

RestoreState Demo::GetRestoreState() {
  RestoreState s;
  Result<std::pair<int, std::string>> r = cluster_->FeGet(kRestoreStatePath);
  if (!r.ok()) return s;
  s.http_status = r->first;
  s.body = r->second;
  auto body = nlohmann::json::parse(r->second, nullptr, /*allow_exceptions=*/false);
  if (r->first == 200 && body.is_object() && body["cluster_snapshot_restore_state"].is_string()) {
    s.state = body["cluster_snapshot_restore_state"].get<std::string>();
  }
  return s;
}

void Demo::SayState(const std::string& state) {
  if (state.empty() || state == printed_state_) return;
  Say("restore state: " + state);
  printed_state_ = state;
}

std::optional<DemoError> Demo::WaitForFirstSelect(int64_t start_ms) {
  std::string last_error;
  MysqlClientOptions o;
  o.port = ports_.query;
  o.database = "quickstart";
  o.connect_timeout_ms = 2000;
  while (true) {
    if (auto e = Check(cluster_->CheckChildren())) return e;
    RestoreState state = GetRestoreState();
    SayState(state.state);
    if (state.state == "failed") return DemoError{"the restore failed: " + state.body};
    if (state.http_status == 404) {
      Result<std::pair<int, std::string>> ready = cluster_->FeGet("/api/ready");
      if (ready.ok() && ready->first == 200) {
        return DemoError{fmt::format("this FE has no restore mode (GET {} answered 404 while the FE is ready): the "
                                     "restore is not in this build, so the demo stops here",
                                     kRestoreStatePath),
                         kExitRestoreUnavailable};
      }
    }
    Result<std::unique_ptr<MysqlClient>> c = MysqlClient::Connect(o);
    Result<MysqlResult> r = c.ok() ? (*c)->Query(kDemoSelect) : Result<MysqlResult>(c.status());
    if (r.ok()) {
      recovery_ms_ = mysql::MonotonicMs() - start_ms;
      rows_after_ = std::move(r).value();
      return std::nullopt;
    }
    last_error = r.status().ToString();
    if (mysql::MonotonicMs() - start_ms > kRestoreTimeoutMs) {
      return DemoError{fmt::format("no successful SELECT {} after starting the restore (state '{}', last error: {})",
                                   Seconds(kRestoreTimeoutMs), printed_state_, last_error)};
    }
    if (!SleepUnlessStopped(kRestorePollMs)) return DemoError{"interrupted"};
  }
}

std::optional<DemoError> Demo::Restore() {
  Step(6, "Restore: a new FE in restore mode, then the compute nodes");
  const Paths p = cluster_->paths();
  Say(fmt::format("$ {}=true strata fe --conf {}    (= strata fe --cluster_snapshot)", kRestoreEnv, p.FeConf()));
  for (int i = 0; i < options_.cns; ++i) Say(fmt::format("$ strata cn --conf {}", p.CnConf(i)));
  const int64_t start = mysql::MonotonicMs();
  Status s = cluster_->StartFe(/*restore=*/true);
  if (s.ok()) s = cluster_->StartCns();
  if (auto e = Check(s)) return e;
  if (auto e = WaitForFirstSelect(start)) return e;
  Say(fmt::format("first successful SELECT {} after the restoring FE started", Seconds(recovery_ms_)));
  // The restore must have finished into a new lineage: an FE that merely
  // rejoined the old one (its log is in the volume too) proves nothing.
  const int64_t finished_by = mysql::MonotonicMs() + kFinishedTimeoutMs;
  RestoreState state = GetRestoreState();
  while (state.state != "finished" && mysql::MonotonicMs() < finished_by && SleepUnlessStopped(kRestorePollMs)) {
    state = GetRestoreState();
  }
  if (state.state != "finished") {
    return DemoError{fmt::format("the FE serves queries but its restore state is '{}' ({} {})", state.state,
                                 state.http_status, state.body)};
  }
  SayState(state.state);
  Say("GET " + std::string(kRestoreStatePath) + ": " + state.body);
  Result<std::string> id = cluster_->ClusterId();
  if (!id.ok()) return Check(id.status());
  if (*id == source_cluster_id_) {
    return DemoError{"the FE still follows the destroyed cluster's lineage " + *id + ": nothing was restored"};
  }
  Say(fmt::format("new lineage {} (the destroyed cluster was {})", *id, source_cluster_id_));
  if (auto e = Check(cluster_->WaitCnsRegistered(kCnsTimeoutMs))) return e;
  Say(fmt::format("{} compute node(s) joined the restored cluster", options_.cns));
  return std::nullopt;
}

std::optional<DemoError> Demo::Verify() {
  Step(7, "The guide's check: the same rows after the restore");
  out_ << "mysql> USE quickstart;\n";
  Result<std::unique_ptr<MysqlClient>> c = Connect("quickstart", kConnectTimeoutMs);
  if (!c.ok()) return Check(c.status());
  Result<MysqlResult> select = Sql(**c, kDemoSelect, true);
  if (!select.ok()) return Check(select.status());
  if (Sorted(select->rows) != rows_before_ || Sorted(rows_after_.rows) != rows_before_) {
    return DemoError{fmt::format("the rows differ from those before the disaster ({} rows, expected the same {})",
                                 select->rows.size(), rows_before_.size())};
  }
  Say(fmt::format("the same {} rows as before the disaster", rows_before_.size()));
  return std::nullopt;
}

int Demo::Run() {
  out_ << "strata local demo: StarRocks' cluster-snapshot disaster-recovery walkthrough, on this machine\n";
  std::optional<DemoError> error;
  for (auto step : {&Demo::StartCluster, &Demo::LoadRows, &Demo::TakeSnapshot, &Demo::Destroy, &Demo::WriteYaml,
                    &Demo::Restore, &Demo::Verify}) {
    error = (this->*step)();
    if (error) break;
  }
  if (cluster_ != nullptr) {
    for (const std::string& line : cluster_->Stop()) Say("stopped " + line);
  }
  if (error) {
    out_ << "\nstrata local demo: FAILED: " << error->message << "\n";
    if (cluster_ != nullptr) out_ << "  logs: " << cluster_->paths().LogDir() << "/\n";
    out_ << std::flush;
    return error->exit_code;
  }
  out_ << fmt::format("\nstrata local demo: OK — restored from {}\n", snapshot_path_)
       << fmt::format("  recovery time: {} (restoring FE started -> first successful SELECT)\n", Seconds(recovery_ms_))
       << fmt::format("  the restored cluster is in {}; start it again with: strata local --dir {}\n", options_.dir,
                      options_.dir)
       << std::flush;
  return 0;
}

}  // namespace

Status PrepareDemoDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir, ec.message()));
  const bool marked = fs::exists(fs::path(dir) / kMarker);
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename() != ".lock") entries.push_back(e.path());
  }
  if (ec) return Unavailable(fmt::format("cannot list {}: {}", dir, ec.message()));
  if (!entries.empty() && !marked) {
    return FailedPrecondition(fmt::format("{} is not empty and was not made by `strata local demo`; choose another "
                                          "--dir (the demo deletes its directory's contents)",
                                          dir));
  }
  for (const fs::path& e : entries) {
    fs::remove_all(e, ec);
    if (ec) return Unavailable(fmt::format("cannot delete {}: {}", e.string(), ec.message()));
  }
  return WriteFileAtomically((fs::path(dir) / kMarker).string(), "made by strata local demo; wiped at each run\n");
}

int RunDemo(LocalOptions options, const PortLayout& ports, const std::string& executable, std::ostream& out) {
  Status prepared = PrepareDemoDir(options.dir);
  if (!prepared.ok()) {
    out << "strata local demo: " << prepared.ToString() << "\n";
    return 1;
  }
  if (options.s3) {  // a fresh prefix: an earlier run's lineage must not be joined
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    options.s3->path += fmt::format("/strata-demo-{}", ms);
  }
  Demo demo(std::move(options), ports, executable, out);
  return demo.Run();
}

}  // namespace strata::server::local

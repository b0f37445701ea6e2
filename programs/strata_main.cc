// strata: the one binary. Subcommands:
//   strata fe [--conf PATH] [--cluster_snapshot]   run a frontend (default conf/fe.conf); restore first
//   strata cn [--conf PATH]                   run a compute node (default conf/cn.conf)
//   strata meta new-lineage [--conf PATH]     append a fresh lineage for the FE's cluster
//   strata snapshot list|inspect|verify ...   offline snapshot tools (src/snapshot/snapshot_tool.h)
//   strata drill [--conf PATH] [--json]       a DR drill of the cluster (src/server/drill_command.h)
//   strata local [demo] [--dir DIR] ...       an FE and CNs on this machine (src/server/local/local_command.h)
// Flags -> options -> Run(); everything else lives in src/server/.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "server/cn/cn_main.h"
#include "server/drill_command.h"
#include "server/fe_main.h"
#include "server/local/local_command.h"
#include "snapshot/snapshot_tool.h"

namespace {

constexpr const char* kUsage =
    "usage: strata fe [--conf PATH] [--cluster_snapshot]\n"
    "       strata cn [--conf PATH]\n"
    "       strata meta new-lineage [--conf PATH]\n"
    "       strata snapshot list|inspect|verify --volume LOC ...   (strata snapshot --help)\n"
    "       strata local [demo] [--dir DIR] [--cns N] [--port-base P] ...   (strata local --help)\n"
    "       strata drill [--conf PATH] [--json] [--keep-clone]   DR drill: restore the newest snapshot as a clone,\n"
    "                                              verify, compare canaries, report recovery time, remove it\n"
    "  --conf PATH   fe.conf (default conf/fe.conf); for cn, cn.conf (default conf/cn.conf)\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "strata: %s\n", error.c_str());
  std::fputs(kUsage, error.empty() ? stdout : stderr);
  return error.empty() ? strata::server::kExitOk : strata::server::kExitUsage;
}

// Parses the flags after the subcommand; false (with *error set) on a bad one.
bool ParseFlags(const std::vector<std::string>& args, strata::server::FeRunOptions* options, std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--conf" || a == "-conf") {
      if (i + 1 == args.size()) {
        *error = "--conf needs a path";
        return false;
      }
      options->conf_path = args[++i];
    } else if (a.rfind("--conf=", 0) == 0) {
      options->conf_path = a.substr(7);
    } else if (a == "--cluster_snapshot" || a == "-cluster_snapshot") {
      options->cluster_snapshot = true;  // restore from <conf dir>/cluster_snapshot.yaml first
    } else {
      *error = "unknown argument '" + a + "'";
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("missing subcommand");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") return Usage("");
  strata::server::FeRunOptions options;
  std::string error;
  if (args[0] == "fe") {
    if (!ParseFlags({args.begin() + 1, args.end()}, &options, &error)) return Usage(error);
    int code = strata::server::RunFe(options);
    if (code == strata::server::kExitRestart) {
      // The lineage was superseded by a restore: start over in a fresh
      // process image (same pid), which follows the new lineage.
      std::fflush(nullptr);
      execv("/proc/self/exe", argv);
      std::perror("strata fe: re-exec after the lineage changed");
      return strata::server::kExitFailure;
    }
    return code;
  }
  if (args[0] == "cn") {
    options.conf_path = strata::server::cn::CnRunOptions{}.conf_path;
    if (!ParseFlags({args.begin() + 1, args.end()}, &options, &error)) return Usage(error);
    return strata::server::cn::RunCn(strata::server::cn::CnRunOptions{.conf_path = options.conf_path});
  }
  if (args[0] == "meta" && args.size() >= 2 && args[1] == "new-lineage") {
    if (!ParseFlags({args.begin() + 2, args.end()}, &options, &error)) return Usage(error);
    return strata::server::RunMetaNewLineage(options);
  }
  if (args[0] == "drill") return strata::server::RunDrillCommand({args.begin() + 1, args.end()});
  if (args[0] == "local") return strata::server::local::RunLocalCommand({args.begin() + 1, args.end()});
  if (args[0] == "snapshot") {
    strata::snapshot::ToolEnv env{.out = &std::cout, .err = &std::cerr,
                                  .getenv = [](const std::string& name) -> std::optional<std::string> {
                                    const char* v = std::getenv(name.c_str());
                                    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
                                  }};
    return strata::snapshot::RunSnapshotTool({args.begin() + 1, args.end()}, env);
  }
  return Usage("unknown subcommand '" + args[0] + "'");
}

// `strata local`: the embedded default — one FE and N compute nodes on this
// machine, in the foreground until Ctrl-C (SIGINT) or SIGTERM, over a
// local-directory storage volume (or S3 when configured). And `strata local
// demo`: the cluster-snapshot walkthrough of StarRocks' disaster-recovery
// guide, end to end (demo.h). docs/operations/local.md is the user's guide.
//
//   strata local [--dir DIR] [--cns N] [--port-base P] [S3 flags]
//   strata local demo [--dir DIR] [--cns N] [--port-base P] [S3 flags]
//
// Exit codes: 0 clean stop (or the demo succeeded); 1 a process failed to
// start or died, or a demo check failed; 2 bad usage; 3 the demo reached the
// restore but this build's FE has no restore mode (kExitRestoreUnavailable).
//
// Thread-safety: called once, from main, before any other thread exists (it
// installs SIGINT/SIGTERM handlers).
#pragma once

#include <string>
#include <vector>

namespace strata::server::local {

inline constexpr int kExitRestoreUnavailable = 3;

// `args` are the arguments after "local".
int RunLocalCommand(const std::vector<std::string>& args);

}  // namespace strata::server::local

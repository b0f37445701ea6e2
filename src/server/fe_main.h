// The FE process: `strata fe --conf fe.conf` reads the config, opens the
// storage volume, starts the metadata service and serves HTTP until SIGTERM
// or SIGINT. Also the small admin tools that share its config
// (`strata meta new-lineage`).
//
// Exit codes: 0 clean shutdown; 1 the FE could not start or failed (e.g. the
// metadata service found DataLoss; the message says why); 2 bad usage or a
// bad fe.conf (unknown key, bad value, missing file).
//
// Thread-safety: RunFe is called once per process, from the main thread
// before any other thread exists (it blocks SIGTERM/SIGINT for all threads).
#pragma once

#include <string>

namespace strata::server {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
// The cluster's lineage was superseded by a restore: the caller re-executes
// the process, which then follows the new lineage (DESIGN invariant 6).
inline constexpr int kExitRestart = 3;

struct FeRunOptions {
  std::string conf_path = "conf/fe.conf";
  // Restore from <dir of conf_path>/cluster_snapshot.yaml before serving
  // (also env RESTORE_CLUSTER_SNAPSHOT=true); see server/fe_restore.h.
  bool cluster_snapshot = false;
};

int RunFe(const FeRunOptions& options);

// Appends a fresh lineage (a new random cluster_id) for the configured
// cluster_name on the configured volume, as a restore would: every FE of the
// cluster follows it at its next start and discards caches of the old one.
// Prints the new pointer on stdout. Meant for tests and operators' drills.
int RunMetaNewLineage(const FeRunOptions& options);

}  // namespace strata::server

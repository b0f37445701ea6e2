// `strata drill [--conf PATH] [--json] [--keep-clone]`: a DR drill of the
// cluster fe.conf describes (restore/drill.h), run from any machine that can
// reach its volume, while the cluster keeps running. Prints a report (text or
// JSON) with the recovery time, the verify result and each table's canary.
//
// Exit codes: kExitOk (the drill passed), kExitFailure (it failed, or the
// volume could not be read), kExitUsage (bad flags or fe.conf).
// Thread-safety: called once from main.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "restore/drill.h"

namespace strata::server {

int RunDrillCommand(const std::vector<std::string>& args);

// The report as JSON (what --json prints) and as text.
std::string DrillReportJson(const restore::DrillReport& report);
void PrintDrillReport(std::ostream& out, const restore::DrillReport& report);

}  // namespace strata::server

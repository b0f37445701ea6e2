// Parsing storage volume, ALTER SYSTEM and ADMIN statements (frontend config
// and automated cluster snapshots).
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

// CREATE STORAGE VOLUME [IF NOT EXISTS] sv TYPE = S3 LOCATIONS = ("s3://..", ...)
//   [COMMENT 'c'] [PROPERTIES ("k" = "v", ...)]
Statement Parser::ParseCreateStorageVolume() {
  CreateStorageVolumeStmt s;
  s.if_not_exists = AcceptIfNotExists();
  s.name = Identifier();
  ExpectKeyword("TYPE");
  ExpectOp("=");
  s.type = UpperAscii(IdentOrString());
  ExpectKeyword("LOCATIONS");
  ExpectOp("=");
  ExpectOp("(");
  do {
    s.locations.push_back(StringLiteral());
  } while (AcceptOp(","));
  ExpectOp(")");
  if (AcceptKeyword("COMMENT")) {
    AcceptOp("=");
    s.comment = StringLiteral();
  }
  if (AcceptKeyword("PROPERTIES")) s.properties = PropertyList();
  ExpectEnd();
  return s;
}

// ALTER SYSTEM ADD|DROP COMPUTE NODE|BACKEND "host:port" [, ...]
Statement Parser::ParseAlterSystem() {
  AlterSystemStmt s;
  if (AcceptKeyword("ADD")) {
    s.add = true;
  } else if (AcceptKeyword("DROP")) {
    s.add = false;
  } else {
    Error();
  }
  if (!AcceptKeywords({"COMPUTE", "NODE"}) && !AcceptKeyword("BACKEND")) {
    if (IsKeyword("FOLLOWER") || IsKeyword("OBSERVER")) {
      Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'ALTER SYSTEM " +
                                     UpperAscii(Peek().text) + "' (frontends join through the metadata log)");
    }
    Error();
  }
  do {
    s.host_ports.push_back(StringLiteral());
  } while (AcceptOp(","));
  ExpectEnd();
  return s;
}

// INTERVAL n SECOND|MINUTE|HOUR|DAY[S], in seconds.
uint64_t Parser::ParseInterval() {
  uint64_t n = Unsigned();
  std::string unit = UpperAscii(Identifier());
  if (!unit.empty() && unit.back() == 'S') unit.pop_back();
  uint64_t scale = 0;
  if (unit == "SECOND") scale = 1;
  if (unit == "MINUTE") scale = 60;
  if (unit == "HOUR") scale = 3600;
  if (unit == "DAY") scale = 86400;
  if (scale == 0) {
    Fail(ER_WRONG_ARGUMENTS, "Incorrect arguments to INTERVAL: unit must be SECOND, MINUTE, HOUR or DAY");
  }
  constexpr uint64_t kMaxIntervalSeconds = uint64_t{10} * 365 * 86400;
  if (n == 0 || n > kMaxIntervalSeconds / scale) {
    Fail(ER_WRONG_ARGUMENTS, "Incorrect arguments to INTERVAL: must be between 1 second and 10 years");
  }
  return n * scale;
}

Statement Parser::ParseAdminSnapshot(bool alter) {
  AdminSnapshotStmt s;
  if (alter) {
    ExpectKeyword("SET");
    ExpectKeyword("INTERVAL");
    s.action = AdminSnapshotStmt::Action::kSetInterval;
    s.interval_seconds = ParseInterval();
  } else if (AcceptKeyword("OFF")) {
    s.action = AdminSnapshotStmt::Action::kOff;
  } else {
    ExpectKeyword("ON");
    s.action = AdminSnapshotStmt::Action::kOn;
    if (AcceptKeyword("INTERVAL")) s.interval_seconds = ParseInterval();
    if (AcceptKeywords({"STORAGE", "VOLUME"})) s.storage_volume = Identifier();
  }
  ExpectEnd();
  return s;
}

Statement Parser::ParseAdmin() {
  if (AcceptKeywords({"SET", "FRONTEND", "CONFIG"})) {
    AdminSetConfigStmt s;
    s.pairs = PropertyList();
    if (s.pairs.empty()) Error();
    ExpectEnd();
    return s;
  }
  if (AcceptKeywords({"SHOW", "FRONTEND", "CONFIG"})) {
    ShowStmt s{.what = ShowStmt::What::kFrontendConfig};
    if (AcceptKeyword("LIKE")) s.like = StringLiteral();
    ExpectEnd();
    return s;
  }
  if (AcceptKeywords({"SET", "AUTOMATED", "CLUSTER", "SNAPSHOT"})) return ParseAdminSnapshot(false);
  if (AcceptKeywords({"ALTER", "AUTOMATED", "CLUSTER", "SNAPSHOT"})) return ParseAdminSnapshot(true);
  if (AcceptKeywords({"SHOW", "AUTOMATED", "CLUSTER", "SNAPSHOT"})) {
    ExpectEnd();
    return ShowStmt{.what = ShowStmt::What::kAutomatedSnapshot};
  }
  if (AcceptKeywords({"CREATE", "CLUSTER", "SNAPSHOT"})) {
    SkipToEnd();
    return UnsupportedStmt{.what = "ADMIN CREATE CLUSTER SNAPSHOT"};
  }
  Error();
}

}  // namespace strata::sql

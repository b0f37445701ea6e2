// What `strata local` runs, decided before any process starts: the command
// line (directory, compute nodes, port base, storage volume), the ports and
// paths of every process, and the text of the files it writes — fe.conf,
// cn.conf and the demo's cluster_snapshot.yaml (StarRocks schema).
//
// Layout under the directory D (absolute):
//   D/fe/fe.conf, D/fe/meta/               the FE's config and metadata cache
//   D/fe/cluster_snapshot.yaml             written by the demo before a restore
//   D/cn<i>/cn.conf, D/cn<i>/storage/      each compute node's config and disk cache
//   D/volume/                              the local-directory storage volume (no S3)
//   D/log/fe.log, D/log/cn<i>.log          every process's output, appended
// Everything but D/volume and D/log is a cache a restore may delete.
//
// Ports: --port-base P (default 9030) is the MySQL port; every other port keeps
// its StarRocks default's distance from 9030: FE http P-1000 (8030), rpc P-10
// (9020), edit_log P-20 (9010); compute node i: heartbeat P+20+i (9050),
// be_port P+30+i (9060), be_http P-990+i (8040), brpc P-970+i (8060).
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/secret.h"

namespace strata::server::local {

inline constexpr int kDefaultPortBase = 9030;
inline constexpr int kCnsMax = 10;  // compute node ports stay apart up to this many
inline constexpr const char* kBuiltinVolume = "builtin_storage_volume";

// An S3 (or S3-compatible) storage volume: fe.conf's aws_s3_* keys.
struct S3Volume {
  std::string endpoint;  // http://127.0.0.1:7480
  std::string path;      // bucket[/prefix], as aws_s3_path
  std::string region = "us-east-1";
  Secret access_key;
  Secret secret_key;
};

struct LocalOptions {
  bool demo = false;             // `strata local demo`
  std::string dir;               // absolute once parsed
  int cns = 1;
  int port_base = kDefaultPortBase;
  std::optional<S3Volume> s3;    // none: the local-directory volume D/volume
};

// Reads an environment variable (nullopt when unset); a seam for tests.
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

// Parses the arguments after `local`: [demo] [--dir D] [--cns N] [--port-base P]
// [--s3-endpoint URL --s3-bucket BUCKET[/PREFIX] [--s3-region R]
//  --s3-access-key K --s3-secret-key S]. Each flag also takes --flag=value.
// S3 settings missing from the flags come from the environment: AWS_S3_ENDPOINT,
// AWS_S3_PATH, AWS_S3_REGION, AWS_S3_ACCESS_KEY, AWS_S3_SECRET_KEY (or the same
// names in lower case, as fe.conf spells them; AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY for the keys). S3 is used when an endpoint or a bucket
// is given; then all of endpoint, bucket and both keys are required.
// The default directory is ./strata-local (./strata-demo for the demo), made
// absolute against `cwd`. InvalidArgument naming the flag for a bad one.
Result<LocalOptions> ParseLocalArgs(const std::vector<std::string>& args, const GetEnv& getenv,
                                    const std::string& cwd);

struct CnPorts {
  int heartbeat = 0;
  int be = 0;
  int http = 0;
  int brpc = 0;
};

struct PortLayout {
  int query = 0;
  int http = 0;
  int rpc = 0;
  int edit_log = 0;
  std::vector<CnPorts> cns;
  // Every port a process binds (FE query/http/rpc, CN heartbeat/be/http).
  std::vector<int> Bound() const;
};

// InvalidArgument when a port would fall outside 1..65535 or cns is not in 1..kCnsMax.
Result<PortLayout> Ports(int port_base, int cns);

struct Paths {
  std::string dir;
  std::string FeDir() const { return dir + "/fe"; }
  std::string FeConf() const { return FeDir() + "/fe.conf"; }
  std::string FeMeta() const { return FeDir() + "/meta"; }
  std::string SnapshotYaml() const { return FeDir() + "/cluster_snapshot.yaml"; }
  std::string CnDir(int i) const { return dir + "/cn" + std::to_string(i); }
  std::string CnConf(int i) const { return CnDir(i) + "/cn.conf"; }
  std::string CnStorage(int i) const { return CnDir(i) + "/storage"; }
  std::string Volume() const { return dir + "/volume"; }
  std::string LogDir() const { return dir + "/log"; }
  std::string FeLog() const { return LogDir() + "/fe.log"; }
  std::string CnLog(int i) const { return LogDir() + "/cn" + std::to_string(i) + ".log"; }
};

// The storage volume's location as the catalog records it: s3://<path> or the
// local directory D/volume.
std::string VolumeLocation(const LocalOptions& options);

// "<location> (local directory)" or "s3://... at <endpoint>" — never a key.
std::string DescribeVolume(const LocalOptions& options);

// The text of fe.conf / cn.conf i. Everything binds 127.0.0.1. fe.conf carries
// the S3 keys when S3 is configured (the file is written 0600).
// InvalidArgument if a path or value cannot be written as a config value
// (a newline or a double quote in it).
Result<std::string> FeConfText(const LocalOptions& options, const PortLayout& ports);
Result<std::string> CnConfText(const LocalOptions& options, const PortLayout& ports, int cn);

// cluster_snapshot.yaml as StarRocks' restore reads it: the snapshot to
// restore, no frontends or compute nodes (they join by themselves), and the
// builtin volume with its location and properties (credentials included, as
// StarRocks' file has them: write it 0600).
std::string ClusterSnapshotYaml(const LocalOptions& options, const std::string& snapshot_path);

// A YAML double-quoted scalar (JSON escaping is valid YAML).
std::string YamlQuote(const std::string& s);

}  // namespace strata::server::local

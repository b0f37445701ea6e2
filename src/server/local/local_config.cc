#include "server/local/local_config.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <map>

#include "common/check.h"

namespace strata::server::local {
namespace {

constexpr int kPortMax = 65535;

Result<int> ParseInt(const std::string& flag, const std::string& value, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < lo || v > hi) {
    return InvalidArgument(fmt::format("{}: '{}' is not a number in {}..{}", flag, value, lo, hi));
  }
  return v;
}

// The first set variable among `names`.
std::optional<std::string> FirstEnv(const GetEnv& getenv, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    std::optional<std::string> v = getenv(n);
    if (v && !v->empty()) return v;
  }
  return std::nullopt;
}

struct S3Setting {
  const char* flag;
  std::initializer_list<const char*> env;  // the first is the one error messages name
};

// Fills the S3 settings the flags left empty from the environment and checks
// that the set is complete. `flags` holds the --s3-* values given.
Result<std::optional<S3Volume>> ResolveS3(std::map<std::string, std::string> flags, const GetEnv& getenv) {
  const S3Setting settings[] = {
      {"--s3-endpoint", {"AWS_S3_ENDPOINT", "aws_s3_endpoint"}},
      {"--s3-bucket", {"AWS_S3_PATH", "aws_s3_path"}},
      {"--s3-region", {"AWS_S3_REGION", "aws_s3_region", "AWS_REGION"}},
      {"--s3-access-key", {"AWS_S3_ACCESS_KEY", "aws_s3_access_key", "AWS_ACCESS_KEY_ID"}},
      {"--s3-secret-key", {"AWS_S3_SECRET_KEY", "aws_s3_secret_key", "AWS_SECRET_ACCESS_KEY"}},
  };
  for (const S3Setting& s : settings) {
    if (flags[s.flag].empty()) flags[s.flag] = FirstEnv(getenv, s.env).value_or("");
  }
  if (flags["--s3-endpoint"].empty() && flags["--s3-bucket"].empty()) return std::optional<S3Volume>();
  for (const S3Setting& s : settings) {
    if (std::string(s.flag) != "--s3-region" && flags[s.flag].empty()) {
      return InvalidArgument(fmt::format("{}: required for an S3 volume (or set {})", s.flag, *s.env.begin()));
    }
  }
  S3Volume s3;
  s3.endpoint = flags["--s3-endpoint"];
  s3.path = flags["--s3-bucket"];
  if (s3.path.starts_with("s3://")) s3.path = s3.path.substr(5);
  while (!s3.path.empty() && s3.path.back() == '/') s3.path.pop_back();
  if (s3.path.empty()) return InvalidArgument("--s3-bucket: empty bucket");
  if (!flags["--s3-region"].empty()) s3.region = flags["--s3-region"];
  s3.access_key = Secret(flags["--s3-access-key"]);
  s3.secret_key = Secret(flags["--s3-secret-key"]);
  return std::optional<S3Volume>(std::move(s3));
}

// A config value: no newline (it would end the line) and no double quote.
Status CheckValue(const std::string& key, const std::string& value) {
  if (value.find_first_of("\n\r\"") != std::string::npos) {
    return InvalidArgument(fmt::format("{}: a newline or double quote cannot be written to a config file", key));
  }
  return Status::OK();
}

Result<std::string> ConfText(const std::string& header, const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = header;
  for (const auto& [k, v] : kv) {
    STRATA_RETURN_IF_ERROR(CheckValue(k, v));
    out += k + " = " + v + "\n";
  }
  return out;
}

}  // namespace

Result<LocalOptions> ParseLocalArgs(const std::vector<std::string>& args, const GetEnv& getenv,
                                    const std::string& cwd) {
  LocalOptions o;
  size_t i = 0;
  if (!args.empty() && args[0] == "demo") {
    o.demo = true;
    i = 1;
  }
  std::map<std::string, std::string> s3_flags;
  std::string dir;
  constexpr size_t kArgsMax = 64;
  if (args.size() > kArgsMax) return InvalidArgument("too many arguments");
  for (; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    const bool known = flag == "--dir" || flag == "--cns" || flag == "--port-base" || flag.starts_with("--s3-");
    if (!known) return InvalidArgument(fmt::format("unknown argument '{}'", args[i]));
    if (!value) {
      if (i + 1 == args.size()) return InvalidArgument(flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--dir") {
      if (value->empty()) return InvalidArgument("--dir: empty path");
      dir = *value;
    } else if (flag == "--cns") {
      STRATA_ASSIGN_OR_RETURN(o.cns, ParseInt(flag, *value, 1, kCnsMax));
    } else if (flag == "--port-base") {
      STRATA_ASSIGN_OR_RETURN(o.port_base, ParseInt(flag, *value, 1, kPortMax));
    } else if (flag == "--s3-endpoint" || flag == "--s3-bucket" || flag == "--s3-region" ||
               flag == "--s3-access-key" || flag == "--s3-secret-key") {
      s3_flags[flag] = *value;
    } else {
      return InvalidArgument(fmt::format("unknown argument '{}'", args[i]));
    }
  }
  if (dir.empty()) dir = o.demo ? "strata-demo" : "strata-local";
  std::filesystem::path p(dir);
  if (p.is_relative()) p = std::filesystem::path(cwd) / p;
  o.dir = p.lexically_normal().string();
  while (o.dir.size() > 1 && o.dir.back() == '/') o.dir.pop_back();
  STRATA_ASSIGN_OR_RETURN(o.s3, ResolveS3(std::move(s3_flags), getenv));
  STRATA_ASSIGN_OR_RETURN(PortLayout ports, Ports(o.port_base, o.cns));
  (void)ports;
  return o;
}

std::vector<int> PortLayout::Bound() const {
  std::vector<int> out = {query, http, rpc};
  for (const CnPorts& cn : cns) out.insert(out.end(), {cn.heartbeat, cn.be, cn.http});
  return out;
}

Result<PortLayout> Ports(int port_base, int cns) {
  if (cns < 1 || cns > kCnsMax) return InvalidArgument(fmt::format("--cns: {} is not in 1..{}", cns, kCnsMax));
  const int lowest = port_base - 1000;
  const int highest = port_base + 30 + cns - 1;
  if (lowest < 1 || highest > kPortMax) {
    return InvalidArgument(fmt::format("--port-base: {} puts ports outside 1..{} (use 1001..{})", port_base, kPortMax,
                                       kPortMax - 30 - cns + 1));
  }
  PortLayout p{.query = port_base, .http = port_base - 1000, .rpc = port_base - 10, .edit_log = port_base - 20};
  for (int i = 0; i < cns; ++i) {
    p.cns.push_back(CnPorts{.heartbeat = port_base + 20 + i, .be = port_base + 30 + i, .http = port_base - 990 + i,
                            .brpc = port_base - 970 + i});
  }
  return p;
}

std::string VolumeLocation(const LocalOptions& options) {
  return options.s3 ? "s3://" + options.s3->path : Paths{options.dir}.Volume();
}

std::string DescribeVolume(const LocalOptions& options) {
  if (options.s3) return fmt::format("{} at {}", VolumeLocation(options), options.s3->endpoint);
  return VolumeLocation(options) + " (local directory)";
}

Result<std::string> FeConfText(const LocalOptions& options, const PortLayout& ports) {
  Paths paths{options.dir};
  std::vector<std::pair<std::string, std::string>> kv = {
      {"host", "127.0.0.1"},
      {"query_port", std::to_string(ports.query)},
      {"http_port", std::to_string(ports.http)},
      {"rpc_port", std::to_string(ports.rpc)},
      {"edit_log_port", std::to_string(ports.edit_log)},
      {"run_mode", "shared_data"},
      {"cluster_name", "strata-local"},
      {"meta_dir", paths.FeMeta()},
  };
  if (options.s3) {
    kv.insert(kv.end(), {{"cloud_native_storage_type", "S3"},
                         {"aws_s3_path", options.s3->path},
                         {"aws_s3_endpoint", options.s3->endpoint},
                         {"aws_s3_region", options.s3->region},
                         {"aws_s3_access_key", options.s3->access_key.Reveal()},
                         {"aws_s3_secret_key", options.s3->secret_key.Reveal()}});
  } else {
    kv.emplace_back("storage_root", paths.Volume());
  }
  return ConfText("# Written by `strata local` at each start; edits are overwritten.\n", kv);
}

Result<std::string> CnConfText(const LocalOptions& options, const PortLayout& ports, int cn) {
  STRATA_CHECK(cn >= 0 && static_cast<size_t>(cn) < ports.cns.size());
  Paths paths{options.dir};
  const CnPorts& p = ports.cns[static_cast<size_t>(cn)];
  return ConfText("# Written by `strata local` at each start; edits are overwritten.\n",
                  {{"host", "127.0.0.1"},
                   {"heartbeat_service_port", std::to_string(p.heartbeat)},
                   {"be_port", std::to_string(p.be)},
                   {"be_http_port", std::to_string(p.http)},
                   {"brpc_port", std::to_string(p.brpc)},
                   {"fe_address", "127.0.0.1:" + std::to_string(ports.rpc)},
                   {"storage_root_path", paths.CnStorage(cn)}});
}

std::string YamlQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string ClusterSnapshotYaml(const LocalOptions& options, const std::string& snapshot_path) {
  std::string y = "# Written by `strata local demo`: restore the demo cluster from its automated snapshot.\n";
  y += "# StarRocks' cluster_snapshot.yaml schema; it holds the volume's credentials (mode 0600).\n";
  y += "cluster_snapshot:\n";
  y += "  cluster_snapshot_path: " + YamlQuote(snapshot_path) + "\n";
  y += std::string("  storage_volume_name: ") + kBuiltinVolume + "\n";
  y += "# the FE registers itself and compute nodes join by heartbeat\n";
  y += "frontends: []\n";
  y += "compute_nodes: []\n";
  y += "storage_volumes:\n";
  y += std::string("  - name: ") + kBuiltinVolume + "\n";
  y += std::string("    type: ") + (options.s3 ? "S3" : "LOCAL") + "\n";
  y += "    location: " + YamlQuote(VolumeLocation(options)) + "\n";
  y += "    comment: \"strata local\"\n";
  if (!options.s3) {
    y += "    properties: []\n";
    return y;
  }
  y += "    properties:\n";
  const std::vector<std::pair<std::string, std::string>> props = {
      {"aws.s3.region", options.s3->region},
      {"aws.s3.endpoint", options.s3->endpoint},
      {"aws.s3.enable_path_style_access", "true"},
      {"aws.s3.access_key", options.s3->access_key.Reveal()},
      {"aws.s3.secret_key", options.s3->secret_key.Reveal()},
  };
  for (const auto& [k, v] : props) y += "      - key: " + k + "\n        value: " + YamlQuote(v) + "\n";
  return y;
}

}  // namespace strata::server::local

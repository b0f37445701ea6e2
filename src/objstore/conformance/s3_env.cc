#include "objstore/conformance/s3_env.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

namespace strata::objstore {

std::optional<S3Options> S3OptionsFromEnv(const std::string& env_prefix) {
  auto get = [&](const char* suffix) -> std::optional<std::string> {
    const char* v = std::getenv((env_prefix + suffix).c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  auto endpoint = get("_ENDPOINT");
  auto bucket = get("_BUCKET");
  auto access = get("_ACCESS_KEY");
  auto secret = get("_SECRET_KEY");
  if (!endpoint || !bucket || !access || !secret) return std::nullopt;
  S3Options options;
  options.endpoint = *endpoint;
  options.region = get("_REGION").value_or("us-east-1");
  options.bucket = *bucket;
  options.access_key = Secret(*access);
  options.secret_key = Secret(*secret);
  return options;
}

const std::string& RunPrefix() {
  static const std::string prefix = fmt::format(
      "strata-test/{}-{}", std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count(),
      getpid());
  return prefix;
}

}  // namespace strata::objstore

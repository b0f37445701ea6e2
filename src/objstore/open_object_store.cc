#include "objstore/open_object_store.h"

#include "objstore/local/local_object_store.h"
#include "objstore/mem/mem_object_store.h"
#include "objstore/metrics/metrics_object_store.h"
#include "objstore/s3/s3_object_store.h"

namespace strata::objstore {
namespace {

using s3::S3Addressing;
using s3::S3ObjectStore;
using s3::S3Options;

Result<std::shared_ptr<ObjectStore>> OpenS3(const VolumeSpec& spec) {
  std::string_view rest = std::string_view(spec.location).substr(5);  // after "s3://"
  size_t slash = rest.find('/');
  S3Options options;
  options.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) options.prefix = std::string(rest.substr(slash + 1));
  while (!options.prefix.empty() && options.prefix.back() == '/') options.prefix.pop_back();
  if (options.bucket.empty()) return InvalidArgument("volume location '" + spec.location + "' names no bucket");
  if (spec.endpoint.empty()) {
    return InvalidArgument("volume " + spec.location + " needs an endpoint (aws.s3.endpoint)");
  }
  options.endpoint = spec.endpoint;
  options.region = spec.region;
  options.access_key = spec.access_key;
  options.secret_key = spec.secret_key;
  options.addressing = spec.path_style ? S3Addressing::kPath : S3Addressing::kVirtualHost;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<S3ObjectStore> store, S3ObjectStore::Open(std::move(options)));
  return std::shared_ptr<ObjectStore>(std::move(store));
}

Result<std::shared_ptr<ObjectStore>> OpenBase(const VolumeSpec& spec) {
  const std::string& loc = spec.location;
  if (loc.starts_with("s3://")) return OpenS3(spec);
  if (loc == "mem://") return std::shared_ptr<ObjectStore>(std::make_shared<MemObjectStore>());
  std::string root = loc.starts_with("file://") ? loc.substr(7) : loc;
  if (root.empty() || root.front() != '/') {
    return InvalidArgument("volume location '" + loc +
                           "' is neither s3://bucket[/prefix] nor an absolute directory (file:///dir)");
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<LocalObjectStore> store, LocalObjectStore::Open(root));
  return std::shared_ptr<ObjectStore>(std::move(store));
}

}  // namespace

Result<std::shared_ptr<ObjectStore>> OpenObjectStore(const VolumeSpec& spec) {
  Result<std::shared_ptr<ObjectStore>> base = OpenBase(spec);
  if (!base.ok()) return base.status().WithContext("open volume " + spec.location);
  return std::shared_ptr<ObjectStore>(std::make_shared<MetricsObjectStore>(std::move(base).value()));
}

}  // namespace strata::objstore

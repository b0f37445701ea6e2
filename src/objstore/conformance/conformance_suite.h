// The ObjectStore conformance suite: one set of tests that every backend must
// pass unchanged (mem, local directory, and real S3 servers: Ceph RADOS
// Gateway and MinIO). It pins down the semantics object_store.h promises.
//
// A runner registers backends before gtest initialises, then runs the tests:
//   RegisterConformanceBackend({"local", [](const std::string& test) { ... }});
//   testing::InitGoogleTest(&argc, argv); return RUN_ALL_TESTS();
// Each test gets a fresh, empty store from its backend's factory (for S3, a
// unique key prefix in a shared bucket) and deletes what it wrote at the end.
//
// Thread-safety: register backends from main() before InitGoogleTest only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "objstore/object_store.h"

namespace strata::objstore {

struct ConformanceBackend {
  std::string name;  // a gtest-safe identifier: letters, digits, '_'
  // Returns a fresh, empty store for the test named `test_name`.
  std::function<std::shared_ptr<ObjectStore>(const std::string& test_name)> make;
};

void RegisterConformanceBackend(ConformanceBackend backend);
const std::vector<ConformanceBackend>& ConformanceBackends();

}  // namespace strata::objstore

// Test helper for the log layer's tests: a fresh ObjectStore of a chosen
// backend (in-memory, or local directory in a temp dir removed at the end).
// Thread-safety: one TestStore per test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/failpoint.h"
#include "objstore/local/local_object_store.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::meta::testing_util {

enum class Backend { kMem, kLocal };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kMem ? "Mem" : "Local";
}

// A store of `backend`; the temp dir of a local store lives as long as this.
class TestStore {
 public:
  explicit TestStore(Backend backend) {
    if (backend == Backend::kMem) {
      store_ = std::make_shared<objstore::MemObjectStore>();
      return;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata-metalog-XXXXXX";
    EXPECT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
    auto local = objstore::LocalObjectStore::Open(root_);
    EXPECT_TRUE(local.ok()) << local.status().ToString();
    store_ = std::shared_ptr<objstore::ObjectStore>(std::move(*local));
  }
  ~TestStore() {
    failpoint::DisarmAll();
    if (!root_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
    }
  }
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  const std::shared_ptr<objstore::ObjectStore>& store() const { return store_; }

  // Every key under `prefix`, ascending.
  std::vector<std::string> Keys(const std::string& prefix = "") {
    auto all = objstore::ListAll(*store_, prefix);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::vector<std::string> keys;
    if (all.ok()) {
      for (auto& m : *all) keys.push_back(m.key);
    }
    return keys;
  }

 private:
  std::string root_;
  std::shared_ptr<objstore::ObjectStore> store_;
};

}  // namespace strata::meta::testing_util

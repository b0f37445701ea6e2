// What a user sees when an S3 volume is misconfigured: wrong credentials, an
// unknown bucket and an unreachable endpoint each give a distinct, clear error
// quickly (bounded retries and timeouts), and no credential ever appears in an
// error message or a log line (DESIGN invariant 7).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>

#include "common/logging.h"
#include "objstore/conformance/s3_env.h"

namespace strata::objstore {
namespace {

using s3::S3ObjectStore;
using s3::S3Options;

std::mutex g_log_mu;
std::string* g_log = nullptr;
void CaptureLog(std::string_view line) {
  std::lock_guard lock(g_log_mu);
  if (g_log != nullptr) g_log->append(line);
}

class S3Errors : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::optional<S3Options> options = S3OptionsFromEnv(GetParam());
    if (!options) GTEST_SKIP() << GetParam() << "_* not set";
    good_ = *options;
    good_.prefix = RunPrefix() + "/s3-errors";
    good_.retry = RetryPolicy{.attempts_max = 3, .base_delay_ms = 20, .max_delay_ms = 100};
    good_.connect_timeout_ms = 1000;
    {
      std::lock_guard lock(g_log_mu);
      g_log = &log_;
    }
    SetLogSinkForTest(&CaptureLog);
    saved_level_ = GetLogLevel();
    SetLogLevel(LogLevel::kDebug);
  }
  void TearDown() override {
    SetLogSinkForTest(nullptr);
    SetLogLevel(saved_level_);
    std::lock_guard lock(g_log_mu);
    g_log = nullptr;
  }
  Status PutWith(S3Options options) {
    Result<std::unique_ptr<S3ObjectStore>> store = S3ObjectStore::Open(std::move(options));
    if (!store.ok()) return store.status();
    return (*store)->Put("probe", "x");
  }
  // Fails the test if any credential string shows up in `text`.
  void ExpectNoSecrets(const std::string& text, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
      EXPECT_EQ(text.find(s), std::string::npos) << "a credential leaked: " << text;
    }
  }
  S3Options good_;
  std::string log_;
  LogLevel saved_level_ = LogLevel::kInfo;
};

TEST_P(S3Errors, WrongCredentialsUnknownBucketAndUnreachableEndpointAreDistinctAndClear) {
  S3Options wrong_secret = good_;
  wrong_secret.secret_key = Secret("wrong-secret-Zq81xv");
  S3Options wrong_access = good_;
  wrong_access.access_key = Secret("WRONGACCESSKEY7731");
  S3Options no_bucket = good_;
  no_bucket.bucket = "strata-no-such-bucket-4711";
  S3Options unreachable = good_;
  unreachable.endpoint = "http://127.0.0.1:1";

  Status secret_status = PutWith(wrong_secret);
  Status access_status = PutWith(wrong_access);
  Status bucket_status = PutWith(no_bucket);
  auto start = std::chrono::steady_clock::now();
  Status unreachable_status = PutWith(unreachable);
  auto unreachable_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::cout << "unreachable endpoint answered in " << unreachable_ms << " ms: " << unreachable_status.ToString()
            << "\n";

  EXPECT_EQ(secret_status.code(), StatusCode::kUnauthenticated) << secret_status.ToString();
  EXPECT_EQ(access_status.code(), StatusCode::kUnauthenticated) << access_status.ToString();
  EXPECT_EQ(bucket_status.code(), StatusCode::kFailedPrecondition) << bucket_status.ToString();
  EXPECT_EQ(unreachable_status.code(), StatusCode::kUnavailable) << unreachable_status.ToString();
  EXPECT_NE(bucket_status.message().find("strata-no-such-bucket-4711"), std::string::npos);
  EXPECT_NE(unreachable_status.message().find("127.0.0.1:1"), std::string::npos);

  std::vector<std::string> secrets = {good_.secret_key.Reveal(), good_.access_key.Reveal(), "wrong-secret-Zq81xv",
                                      "WRONGACCESSKEY7731"};
  for (const Status& s : {secret_status, access_status, bucket_status, unreachable_status}) {
    ExpectNoSecrets(s.ToString(), secrets);
  }
  // A good round trip too, so the log holds ordinary request lines as well.
  Result<std::unique_ptr<S3ObjectStore>> store = S3ObjectStore::Open(good_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("probe", "x").ok());
  ASSERT_TRUE((*store)->Delete("probe").ok());
  std::lock_guard lock(g_log_mu);
  EXPECT_FALSE(log_.empty()) << "expected debug/warn log lines to inspect";
  ExpectNoSecrets(log_, secrets);
}

INSTANTIATE_TEST_SUITE_P(Servers, S3Errors, testing::Values("STRATA_TEST_S3", "STRATA_TEST_MINIO"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param == "STRATA_TEST_S3" ? std::string("ceph_rgw") : std::string("minio");
                         });

TEST(S3Servers, RequiredServersAreConfigured) {
  for (const char* name : {"S3", "MINIO"}) {
    std::string require = std::string("STRATA_TEST_REQUIRE_") + name;
    const char* v = std::getenv(require.c_str());
    if (v == nullptr || std::string(v) != "1") continue;
    EXPECT_TRUE(S3OptionsFromEnv(std::string("STRATA_TEST_") + name).has_value())
        << require << "=1 but STRATA_TEST_" << name << "_* are not all set";
  }
}

}  // namespace
}  // namespace strata::objstore

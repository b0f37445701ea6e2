// Test helpers for sql_test: an in-memory CatalogReader/CatalogWriter over a
// real meta::Catalog (changes applied directly, one log version each), and a
// fixture that runs statements as root or as another account.
#pragma once

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "meta/catalog/catalog.h"
#include "sql/new_engine.h"

namespace strata::sql::testing {

class MemCatalog : public CatalogReader, public CatalogWriter {
 public:
  void Read(const std::function<void(const meta::Catalog&)>& reader) const override {
    std::lock_guard lock(mu_);
    reader(catalog_);
  }
  Result<meta::CommitResult> Submit(meta::Change change) override {
    std::lock_guard lock(mu_);
    ++submits_;
    if (race_) {  // a concurrent statement commits first
      uint64_t v = catalog_.version() + 1;
      EXPECT_TRUE(catalog_.Apply(meta::Change{.body = std::move(*race_)}, v, 1'700'000'000'000).ok());
      race_.reset();
    }
    uint64_t version = catalog_.version() + 1;
    auto r = catalog_.Apply(change, version, 1'700'000'000'000 + static_cast<int64_t>(version));
    if (!r.ok() && !error_context_.empty()) return r.status().WithContext(error_context_);
    if (!r.ok()) return r.status();
    return meta::CommitResult{.version = version, .id = *r};
  }
  std::string Image() const {
    std::lock_guard lock(mu_);
    // Without the version: a rejected change still takes a log position.
    std::string json = catalog_.ToJson();
    size_t at = json.rfind("\"version\"");
    return at == std::string::npos ? json : json.substr(0, at);
  }
  int submits() const { return submits_; }
  // Rejections come back wrapped in this context, as a metadata service may
  // wrap them ("committed at version N: ..."); "" returns them unchanged.
  void set_error_context(std::string context) {
    std::lock_guard lock(mu_);
    error_context_ = std::move(context);
  }
  // The next Submit first applies `body`: a concurrent statement that commits
  // between the engine's read of the catalog and its own change.
  void RaceNextSubmit(meta::ChangeBody body) {
    std::lock_guard lock(mu_);
    race_ = std::move(body);
  }

 private:
  mutable std::mutex mu_;
  meta::Catalog catalog_;
  int submits_ = 0;
  std::string error_context_;
  std::optional<meta::ChangeBody> race_;
};

inline std::string ErrorText(const ExecOutcome& o) {
  if (auto* e = std::get_if<SqlError>(&o)) return std::to_string(e->code) + " " + e->sqlstate + " " + e->message;
  return "ok";
}

class SqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.cluster_id = "c-1";
    engine_ = NewEngine(&cat_, &cat_, options);
    root_ = Connect("root", "%");
  }

  std::unique_ptr<Session> Connect(const std::string& user, const std::string& host, const std::string& db = "") {
    auto s = engine_->NewSession(AuthInfo{.user = user, .host = host}, db);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  ExecResult Ok(const std::string& sql, Session* s = nullptr) {
    ExecOutcome o = (s ? s : root_.get())->Execute(sql);
    EXPECT_TRUE(std::holds_alternative<ExecResult>(o)) << sql << " -> " << ErrorText(o);
    return std::holds_alternative<ExecResult>(o) ? std::get<ExecResult>(o) : ExecResult{};
  }

  SqlError Err(const std::string& sql, uint16_t code, Session* s = nullptr) {
    ExecOutcome o = (s ? s : root_.get())->Execute(sql);
    EXPECT_TRUE(std::holds_alternative<SqlError>(o)) << sql << " unexpectedly succeeded";
    if (!std::holds_alternative<SqlError>(o)) return {};
    SqlError e = std::get<SqlError>(o);
    EXPECT_EQ(e.code, code) << sql << " -> " << e.message;
    return e;
  }

  // Rows as "a|b|NULL" strings.
  std::vector<std::string> Rows(const std::string& sql, Session* s = nullptr) {
    ExecResult r = Ok(sql, s);
    EXPECT_TRUE(r.has_result_set) << sql;
    std::vector<std::string> out;
    for (const auto& row : r.result_set.rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      out.push_back(line);
    }
    return out;
  }

  std::vector<std::string> ColumnNames(const std::string& sql, Session* s = nullptr) {
    ExecResult r = Ok(sql, s);
    std::vector<std::string> out;
    for (const auto& c : r.result_set.columns) out.push_back(c.name);
    return out;
  }

  MemCatalog cat_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Session> root_;
};

}  // namespace strata::sql::testing

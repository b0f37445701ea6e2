// EngineImpl: accounts, sessions, global variables; the NewEngine factory.
#include <algorithm>
#include <chrono>

#include "sql/mysql_errors.h"
#include "sql/session_impl.h"
#include "sql/value.h"
#include "sql/variables.h"

namespace strata::sql {
namespace {

// MySQL host patterns: '%' and '_' wildcards, case-insensitive.
bool HostMatches(std::string_view pattern, std::string_view host) { return LikeMatch(host, pattern); }

bool HasWildcard(std::string_view host) { return host.find_first_of("%_") != std::string_view::npos; }

}  // namespace

EngineImpl::EngineImpl(const CatalogReader* reader, CatalogWriter* writer, EngineOptions options)
    : reader_(reader), writer_(writer), options_(std::move(options)) {}

meta::CatalogState EngineImpl::State() const {
  meta::CatalogState out;
  reader_->Read([&](const meta::Catalog& c) { out = c.state(); });
  return out;
}

int64_t EngineImpl::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void EngineImpl::RegisterSession(std::shared_ptr<SessionControl> control) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[control->connection_id] = std::move(control);
}

void EngineImpl::UnregisterSession(uint64_t connection_id, const SessionControl* control) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(connection_id);
  if (it != sessions_.end() && it->second.get() == control) sessions_.erase(it);  // not a newer session's entry
}

std::shared_ptr<SessionControl> EngineImpl::FindSession(uint64_t connection_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(connection_id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::string EngineImpl::GlobalVariable(const std::string& name) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = global_vars_.find(name); it != global_vars_.end()) return it->second;
  }
  if (name == "version") return options_.server_version;
  if (name == "version_comment") return options_.version_comment;
  const VarDef* def = FindVariable(name);
  return def == nullptr ? "" : std::string(def->default_value);
}

void EngineImpl::SetGlobalVariable(const std::string& name, const std::string& value) {
  std::lock_guard lock(mu_);
  global_vars_[name] = value;
}

// The most specific account wins: exact hosts before patterns, then longer patterns.
Result<AuthInfo> EngineImpl::LookupUser(std::string_view user, std::string_view host) {
  Result<AuthInfo> out = NotFound("no account matches '" + std::string(user) + "'@'" + std::string(host) + "'");
  reader_->Read([&](const meta::Catalog& c) {
    const meta::User* best = nullptr;
    auto rank = [](const meta::User& u) {
      return std::make_pair(!HasWildcard(u.identity.host), u.identity.host.size());
    };
    for (const auto& [id, u] : c.state().users) {
      if (id.name != user || !HostMatches(id.host, host)) continue;
      if (best == nullptr || rank(u) > rank(*best)) best = &u;
    }
    if (best == nullptr) return;
    const std::string& h = best->password_hash.Reveal();
    AuthInfo info{.user = best->identity.name, .host = best->identity.host};
    if (h.size() == 41 && h[0] == '*') {
      for (size_t i = 1; i + 1 < h.size(); i += 2) {
        info.native_hash.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
      }
    }
    out = std::move(info);
  });
  return out;
}

Result<std::unique_ptr<Session>> EngineImpl::NewSession(const AuthInfo& account, std::string_view database) {
  return NewSessionWithId(account, database, next_connection_id_.fetch_add(1));
}

Result<std::unique_ptr<Session>> EngineImpl::NewSessionWithId(const AuthInfo& account, std::string_view database,
                                                              uint64_t connection_id) {
  meta::UserIdentity id{.name = account.user, .host = account.host};
  if (!database.empty() && database != kInfoSchema) {
    meta::CatalogState st = State();
    if (!st.database_ids.contains(std::string(database))) {
      return NotFound("Unknown database '" + std::string(database) + "'");
    }
    if (!PrivilegeChecker(st, id).HasAnyOnDatabase(database)) {
      return PermissionDenied("Access denied for user " + meta::ToString(id) + " to database '" +
                              std::string(database) + "'");
    }
  }
  return std::unique_ptr<Session>(std::make_unique<SessionImpl>(this, id, std::string(database), connection_id));
}

std::unique_ptr<Engine> NewEngine(const CatalogReader* reader, CatalogWriter* writer, EngineOptions options) {
  return std::make_unique<EngineImpl>(reader, writer, std::move(options));
}

Result<std::unique_ptr<Session>> NewSessionWithConnectionId(Engine* engine, const AuthInfo& account,
                                                             std::string_view database, uint64_t connection_id) {
  auto* impl = dynamic_cast<EngineImpl*>(engine);
  if (impl == nullptr) return InvalidArgument("NewSessionWithConnectionId: the engine does not come from NewEngine");
  return impl->NewSessionWithId(account, database, connection_id);
}

}  // namespace strata::sql

// Catalog (catalog.h): the state machine's entry points and its JSON view.
#include "meta/catalog/catalog.h"

#include "meta/catalog/internal.h"
#include "meta/catalog/serde_json.h"

namespace strata::meta {

using serde::Json;

Catalog::Catalog() : state_(InitialCatalogState()) {}

Result<uint64_t> Catalog::Apply(const Change& change, uint64_t version, int64_t commit_time_ms) {
  if (version < state_.version) {
    return FailedPrecondition("log version " + std::to_string(version) + " is below the applied version " +
                              std::to_string(state_.version));
  }
  auto result = internal::ApplyChange(state_, change.body, internal::ApplyContext{.commit_time_ms = commit_time_ms, .version = version});
  state_.version = version;
  return result;
}

void Catalog::SetVersion(uint64_t version) { state_.version = std::max(state_.version, version); }
uint64_t Catalog::version() const { return state_.version; }
const std::string& Catalog::leader() const { return state_.leader; }
uint64_t Catalog::term() const { return state_.term; }
const CatalogState& Catalog::state() const { return state_; }

std::string Catalog::EncodeImage() const { return internal::EncodeImage(state_); }

Result<Catalog> Catalog::DecodeImage(std::string_view bytes) {
  STRATA_ASSIGN_OR_RETURN(CatalogState state, internal::DecodeImage(bytes));
  Catalog catalog;
  catalog.state_ = std::move(state);
  return catalog;
}

Result<Catalog> Catalog::FromState(CatalogState state) {
  STRATA_RETURN_IF_ERROR(internal::RebuildIndexes(&state));
  Catalog catalog;
  catalog.state_ = std::move(state);
  return catalog;
}

namespace {

Json PrivilegesJson(const PrivilegeMap& privileges) {
  Json out = Json::array();
  for (const auto& [object, names] : privileges) {
    Json g;
    serde::ToJson(g["object"], object);
    serde::ToJson(g["privileges"], names);
    out.push_back(std::move(g));
  }
  return out;
}

Json TableJson(const CatalogState& s, const Table& t) {
  Json j;
  serde::ToJson(j, t);
  Json parts = Json::array();
  for (const auto& [name, id] : t.partition_ids) {
    const Partition& p = s.partitions.at(id);
    parts.push_back({{"id", p.id}, {"name", p.name}, {"lower", p.lower}, {"upper", p.upper},
                     {"visible_version", p.visible_version}, {"next_version", p.next_version},
                     {"tablets", p.tablet_ids.size()}});
  }
  j["partitions"] = std::move(parts);
  return j;
}

Json DatabasesJson(const CatalogState& s) {
  Json out = Json::array();
  for (const auto& [name, id] : s.database_ids) {
    const Database& db = s.databases.at(id);
    Json tables = Json::array();
    for (const auto& [tname, tid] : db.table_ids) tables.push_back(TableJson(s, s.tables.at(tid)));
    out.push_back({{"id", db.id}, {"name", db.name}, {"create_time_ms", db.create_time_ms},
                   {"tables", std::move(tables)}});
  }
  return out;
}

Json AccessJson(const CatalogState& s) {
  Json users = Json::array();
  for (const auto& [identity, u] : s.users) {  // password hashes are left out
    Json j;
    serde::ToJson(j["identity"], u.identity);
    j["has_password"] = !u.password_hash.empty();
    serde::ToJson(j["roles"], u.roles);
    j["privileges"] = PrivilegesJson(u.privileges);
    users.push_back(std::move(j));
  }
  Json roles = Json::array();
  for (const auto& [name, r] : s.roles) roles.push_back({{"name", name}, {"privileges", PrivilegesJson(r.privileges)}});
  return {{"users", std::move(users)}, {"roles", std::move(roles)}};
}

template <typename Map>
Json ValuesJson(const Map& map) {
  Json out = Json::array();
  for (const auto& [key, value] : map) serde::ToJson(out.emplace_back(), value);
  return out;
}

}  // namespace

std::string Catalog::ToJson() const {
  const CatalogState& s = state_;
  Json j;
  j["version"] = s.version;
  j["term"] = s.term;
  j["leader"] = s.leader;
  j["next_id"] = s.next_id;
  j["databases"] = DatabasesJson(s);
  j["tablet_count"] = s.tablets.size();
  j["storage_volumes"] = ValuesJson(s.storage_volumes);  // credentials print as "***"
  j["default_storage_volume"] = s.default_storage_volume;
  Json access = AccessJson(s);
  j["users"] = std::move(access["users"]);
  j["roles"] = std::move(access["roles"]);
  j["frontends"] = ValuesJson(s.frontends);
  j["compute_nodes"] = ValuesJson(s.compute_nodes);
  serde::ToJson(j["automated_snapshot"], s.automated_snapshot);
  j["snapshot_jobs"] = ValuesJson(s.snapshot_jobs);
  serde::ToJson(j["fe_config"], s.fe_config);
  for (auto& [k, v] : j["fe_config"].items()) {
    if (IsCredentialKey(k)) v = serde::kMasked;
  }
  // Names are validated UTF-8, but an image from an older binary might not be: replace, never throw.
  return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace strata::meta

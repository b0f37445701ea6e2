// Changes (change.h): the batch encoding (docs/formats/meta-catalog.md), the
// JSON forms and one-line descriptions.
#include "meta/catalog/change.h"

#include <array>
#include <utility>

#include "meta/catalog/internal.h"
#include "meta/catalog/serde.h"
#include "meta/catalog/serde_json.h"

namespace strata::meta {
namespace {

using serde::Json;
constexpr size_t kChangeTypes = std::variant_size_v<ChangeBody>;

// ---------------------------------------------------------------- per-alternative tables
template <size_t I>
Status DecodeAlternative(Decoder& d, ChangeBody* body) {
  std::variant_alternative_t<I, ChangeBody> c{};
  STRATA_RETURN_IF_ERROR(serde::Get(d, &c));
  *body = std::move(c);
  return Status::OK();
}

template <size_t I>
Status ParseAlternative(const Json& j, ChangeBody* body) {
  std::variant_alternative_t<I, ChangeBody> c{};
  STRATA_RETURN_IF_ERROR(serde::FromJson(j, &c, ""));
  *body = std::move(c);
  return Status::OK();
}

using DecodeFn = Status (*)(Decoder&, ChangeBody*);
using ParseFn = Status (*)(const Json&, ChangeBody*);

template <size_t... I>
constexpr std::array<DecodeFn, kChangeTypes> MakeDecoders(std::index_sequence<I...>) {
  return {&DecodeAlternative<I>...};
}
template <size_t... I>
constexpr std::array<ParseFn, kChangeTypes> MakeParsers(std::index_sequence<I...>) {
  return {&ParseAlternative<I>...};
}
constexpr auto kDecoders = MakeDecoders(std::make_index_sequence<kChangeTypes>());
constexpr auto kParsers = MakeParsers(std::make_index_sequence<kChangeTypes>());

// ---------------------------------------------------------------- batch
Status DecodeChange(Decoder& d, Change* change) {
  uint64_t tag = 0;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&tag));
  if (tag >= kChangeTypes) return DataLoss("unknown change type tag " + std::to_string(tag));
  std::string body;
  STRATA_RETURN_IF_ERROR(d.GetString(&body));
  Decoder bd(body);
  STRATA_RETURN_IF_ERROR(kDecoders[tag](bd, &change->body).WithContext(kChangeTypeNames[tag]));
  if (!bd.empty()) {
    return DataLoss(std::string(kChangeTypeNames[tag]) + ": " + std::to_string(bd.remaining()) + " trailing bytes");
  }
  return Status::OK();
}

Status DecodeBatchFields(Decoder& d, Batch* batch) {
  uint64_t format = 0;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&format));
  if (format != internal::kBatchFormatVersion) {
    return DataLoss("unsupported batch format version " + std::to_string(format) + " (this binary reads " +
                    std::to_string(internal::kBatchFormatVersion) + ")");
  }
  STRATA_RETURN_IF_ERROR(d.GetString(&batch->writer_fe));
  STRATA_RETURN_IF_ERROR(d.GetVarint(&batch->writer_term));
  STRATA_RETURN_IF_ERROR(d.GetFixed64(&batch->nonce));
  STRATA_RETURN_IF_ERROR(d.GetSignedVarint(&batch->commit_time_ms));
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(serde::GetCount(d, &n));
  for (uint64_t i = 0; i < n; ++i) {
    Change c;
    STRATA_RETURN_IF_ERROR(DecodeChange(d, &c).WithContext("change " + std::to_string(i)));
    batch->changes.push_back(std::move(c));
  }
  if (!d.empty()) return DataLoss(std::to_string(d.remaining()) + " trailing bytes");
  return Status::OK();
}

// ---------------------------------------------------------------- descriptions
std::string Subject(const LeaderChange& c) { return c.fe_name + " term " + std::to_string(c.term); }
std::string Subject(const CreateDatabase& c) { return c.name; }
std::string Subject(const DropDatabase& c) { return c.name; }
std::string Subject(const CreateTable& c) { return c.db + "." + c.name; }
std::string Subject(const DropTable& c) { return c.db + "." + c.name; }
std::string Subject(const AddPartition& c) { return c.db + "." + c.table + " " + c.partition.name; }
std::string Subject(const DropPartition& c) { return c.db + "." + c.table + " " + c.name; }
std::string Subject(const TruncateTable& c) { return c.db + "." + c.table; }
std::string Subject(const CommitPartitionVersion& c) {
  return "partition " + std::to_string(c.partition_id) + " version " + std::to_string(c.version);
}
std::string Subject(const CreateStorageVolume& c) { return c.name; }
std::string Subject(const DropStorageVolume& c) { return c.name; }
std::string Subject(const SetDefaultStorageVolume& c) { return c.name; }
std::string Subject(const CreateUser& c) { return ToString(c.user); }
std::string Subject(const DropUser& c) { return ToString(c.user); }
std::string Subject(const AlterUserPassword& c) { return ToString(c.user); }
std::string Subject(const CreateRole& c) { return c.name; }
std::string Subject(const DropRole& c) { return c.name; }
std::string GrantText(const Grantee& g, const std::vector<std::string>& privileges, const PrivilegeObject& o) {
  std::string p;
  for (const auto& x : privileges) p += (p.empty() ? "" : ",") + x;
  std::string who = g.kind == GranteeKind::kRole ? "role " + g.name : ToString({.name = g.name, .host = g.host});
  return p + " on " + std::string(EnumName(o.type)) + (o.name.empty() ? "" : " " + o.name) + " " + who;
}
std::string Subject(const Grant& c) { return GrantText(c.grantee, c.privileges, c.object); }
std::string Subject(const Revoke& c) { return GrantText(c.grantee, c.privileges, c.object); }
std::string Subject(const GrantRole& c) { return c.role + " " + ToString(c.user); }
std::string Subject(const RevokeRole& c) { return c.role + " " + ToString(c.user); }
std::string Subject(const AddFrontend& c) { return c.name + " " + std::string(EnumName(c.role)); }
std::string Subject(const DropFrontend& c) { return c.name; }
std::string Subject(const AddComputeNode& c) { return c.host + ":" + std::to_string(c.heartbeat_port); }
std::string Subject(const DropComputeNode& c) { return c.host + ":" + std::to_string(c.heartbeat_port); }
std::string Subject(const SetFrontendConfig& c) {
  return c.key + " = " + (IsCredentialKey(c.key) ? std::string(serde::kMasked) : c.value);
}
std::string Subject(const SetAutomatedSnapshot& c) {
  std::string out(EnumName(c.action));
  if (c.interval_seconds > 0) out += " interval " + std::to_string(c.interval_seconds) + "s";
  if (!c.storage_volume.empty()) out += " volume " + c.storage_volume;
  return out;
}
std::string Subject(const UpsertSnapshotJob& c) {
  return c.job.name + " job " + std::to_string(c.job.job_id) + " " + c.job.state;
}
std::string Subject(const DeleteSnapshotJob& c) { return "job " + std::to_string(c.job_id); }
std::string Subject(const FenceLineage& c) { return "superseded by " + c.successor_cluster_id; }
std::string Subject(const CommitTxn& c) {
  return c.kind + " txn " + c.txn_id + (c.label.empty() ? "" : " label " + c.label) + " table " +
         std::to_string(c.table_id) + " (" + std::to_string(c.tablets.size()) + " tablets)";
}

// Credential-looking properties are never printed, wherever they sit.
void MaskProperties(Json& properties) {
  if (!properties.is_object()) return;
  for (auto& [k, v] : properties.items()) {
    if (IsCredentialKey(k)) v = serde::kMasked;
  }
}

}  // namespace

std::string EncodeBatch(const Batch& batch) {
  Encoder e;
  e.PutVarint(internal::kBatchFormatVersion);
  e.PutString(batch.writer_fe);
  e.PutVarint(batch.writer_term);
  e.PutFixed64(batch.nonce);
  e.PutSignedVarint(batch.commit_time_ms);
  e.PutVarint(batch.changes.size());
  for (const auto& change : batch.changes) {
    e.PutVarint(change.body.index());
    Encoder body;
    std::visit([&](const auto& c) { serde::Put(body, c); }, change.body);
    e.PutString(body.data());
  }
  return e.Take();
}

Result<Batch> DecodeBatch(std::string_view bytes) {
  Decoder d(bytes);
  Batch batch;
  STRATA_RETURN_IF_ERROR(DecodeBatchFields(d, &batch).WithContext("metadata batch"));
  return batch;
}

Result<Change> ChangeFromJson(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("change is not valid JSON");
  if (!j.is_object()) return InvalidArgument("change is not a JSON object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return InvalidArgument("field type: expected a string");
  const std::string name = type->get<std::string>();  // a copy: erased below
  size_t index = 0;
  while (index < kChangeTypes && kChangeTypeNames[index] != name) ++index;
  if (index == kChangeTypes) return InvalidArgument("field type: unknown change type '" + name + "'");
  j.erase("type");
  Change change;
  STRATA_RETURN_IF_ERROR(kParsers[index](j, &change.body).WithContext(name));
  if (auto* v = std::get_if<CreateStorageVolume>(&change.body)) {
    for (auto it = v->properties.begin(); it != v->properties.end();) {
      if (!IsCredentialKey(it->first)) {
        ++it;
        continue;
      }
      v->credentials[it->first] = Secret(it->second);
      it = v->properties.erase(it);
    }
  }
  return change;
}

std::string ChangeToJson(const Change& change) {
  Json j;
  std::visit([&](const auto& c) { serde::ToJson(j, c); }, change.body);
  j["type"] = kChangeTypeNames[change.body.index()];
  if (std::holds_alternative<CreateStorageVolume>(change.body)) MaskProperties(j["properties"]);
  if (const auto* c = std::get_if<SetFrontendConfig>(&change.body); c != nullptr && IsCredentialKey(c->key)) {
    j["value"] = serde::kMasked;
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);  // the change may hold non-UTF-8 bytes
}

std::string DescribeChange(const Change& change) {
  return std::visit(
      [&](const auto& c) { return std::string(kChangeTypeNames[change.body.index()]) + " " + Subject(c); },
      change.body);
}

}  // namespace strata::meta

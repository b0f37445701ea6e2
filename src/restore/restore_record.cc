#include "restore/restore_record.h"

#include <nlohmann/json.hpp>

namespace strata::restore {
namespace {

using Json = nlohmann::json;

std::string IntentKey(std::string_view cluster_name, std::string_view key) {
  return RestoreDir(cluster_name, key) + "intent.json";
}
std::string DoneKey(std::string_view cluster_name, std::string_view key) {
  return RestoreDir(cluster_name, key) + "done.json";
}

Result<Json> ReadJson(objstore::ObjectStore& store, const std::string& key) {
  STRATA_ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return DataLoss("restore record " + key + " is not a JSON object");
  if (j.value("format_version", 0u) != kRestoreRecordFormatVersion) {
    return DataLoss("restore record " + key + " has an unsupported format_version");
  }
  return j;
}

template <typename T>
Status Field(const Json& j, const char* name, const std::string& key, T* out) {
  auto it = j.find(name);
  if (it == j.end()) return DataLoss("restore record " + key + " lacks " + name);
  try {
    *out = it->get<T>();
  } catch (const Json::exception&) {
    return DataLoss("restore record " + key + ": bad " + name);
  }
  return Status::OK();
}

}  // namespace

std::string RestoreDir(std::string_view cluster_name, std::string_view key) {
  return "clusters/" + std::string(cluster_name) + "/restores/" + std::string(key) + "/";
}

Result<RestoreIntent> ReadIntent(objstore::ObjectStore& store, std::string_view cluster_name, std::string_view key) {
  const std::string object = IntentKey(cluster_name, key);
  STRATA_ASSIGN_OR_RETURN(Json j, ReadJson(store, object));
  RestoreIntent r;
  STRATA_RETURN_IF_ERROR(Field(j, "key", object, &r.key));
  STRATA_RETURN_IF_ERROR(Field(j, "generation", object, &r.generation));
  STRATA_RETURN_IF_ERROR(Field(j, "cluster_id", object, &r.cluster_id));
  STRATA_RETURN_IF_ERROR(Field(j, "source_cluster_id", object, &r.source_cluster_id));
  STRATA_RETURN_IF_ERROR(Field(j, "snapshot_name", object, &r.snapshot_name));
  STRATA_RETURN_IF_ERROR(Field(j, "snapshot_version", object, &r.snapshot_version));
  STRATA_RETURN_IF_ERROR(Field(j, "mode", object, &r.mode));
  STRATA_RETURN_IF_ERROR(Field(j, "started_ms", object, &r.started_ms));
  if (j.contains("target_version")) STRATA_RETURN_IF_ERROR(Field(j, "target_version", object, &r.target_version));
  if (j.contains("replaced_cluster_id")) {
    STRATA_RETURN_IF_ERROR(Field(j, "replaced_cluster_id", object, &r.replaced_cluster_id));
  }
  if (r.key != key) return DataLoss("restore record " + object + " is for key " + r.key);
  return r;
}

Result<RestoreDone> ReadDone(objstore::ObjectStore& store, std::string_view cluster_name, std::string_view key) {
  const std::string object = DoneKey(cluster_name, key);
  STRATA_ASSIGN_OR_RETURN(Json j, ReadJson(store, object));
  RestoreDone r;
  STRATA_RETURN_IF_ERROR(Field(j, "key", object, &r.key));
  STRATA_RETURN_IF_ERROR(Field(j, "cluster_id", object, &r.cluster_id));
  STRATA_RETURN_IF_ERROR(Field(j, "finished_ms", object, &r.finished_ms));
  STRATA_RETURN_IF_ERROR(Field(j, "tablet_versions", object, &r.tablet_versions));
  return r;
}

Result<RestoreIntent> WriteIntent(objstore::ObjectStore& store, std::string_view cluster_name,
                                  const RestoreIntent& intent) {
  Json j{{"format_version", kRestoreRecordFormatVersion},
         {"key", intent.key},
         {"generation", intent.generation},
         {"cluster_id", intent.cluster_id},
         {"source_cluster_id", intent.source_cluster_id},
         {"snapshot_name", intent.snapshot_name},
         {"snapshot_version", intent.snapshot_version},
         {"mode", intent.mode},
         {"started_ms", intent.started_ms},
         {"replaced_cluster_id", intent.replaced_cluster_id},
         {"target_version", intent.target_version}};
  Status s = store.PutIfAbsent(IntentKey(cluster_name, intent.key), j.dump(2) + "\n");
  if (s.ok()) return intent;
  if (s.code() != StatusCode::kAlreadyExists) return s;
  return ReadIntent(store, cluster_name, intent.key);
}

Status WriteDone(objstore::ObjectStore& store, std::string_view cluster_name, const RestoreDone& done) {
  Json j{{"format_version", kRestoreRecordFormatVersion},
         {"key", done.key},
         {"cluster_id", done.cluster_id},
         {"finished_ms", done.finished_ms},
         {"tablet_versions", done.tablet_versions}};
  Status s = store.PutIfAbsent(DoneKey(cluster_name, done.key), j.dump(2) + "\n");
  if (s.code() == StatusCode::kAlreadyExists) return Status::OK();
  return s;
}

}  // namespace strata::restore

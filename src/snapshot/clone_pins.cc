#include "snapshot/clone_pins.h"

#include <nlohmann/json.hpp>

namespace strata::snapshot {
namespace {

using Json = nlohmann::json;

Result<ClonePin> DecodePin(const std::string& bytes, const std::string& key) {
  Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format_version", 0u) != kClonePinFormatVersion) {
    return DataLoss("clone pin " + key + " does not decode (not a format " + std::to_string(kClonePinFormatVersion) +
                    " JSON object)");
  }
  ClonePin pin;
  try {
    pin.clone_cluster_id = j.at("clone_cluster_id").get<std::string>();
    pin.source_cluster_id = j.at("source_cluster_id").get<std::string>();
    pin.snapshot_name = j.at("snapshot_name").get<std::string>();
    pin.created_ms = j.at("created_ms").get<int64_t>();
    for (const auto& k : j.at("tablet_versions")) pin.tablet_versions.insert(k.get<std::string>());
  } catch (const Json::exception& e) {
    return DataLoss("clone pin " + key + ": " + e.what());
  }
  if (ClonePinKey(pin.clone_cluster_id) != key) return DataLoss("clone pin " + key + " names another clone");
  return pin;
}

}  // namespace

std::string ClonePinKey(std::string_view clone_cluster_id) {
  return std::string(kClonePinPrefix) + std::string(clone_cluster_id) + ".pin";
}

Status WriteClonePin(objstore::ObjectStore& store, const ClonePin& pin) {
  Json j{{"format_version", kClonePinFormatVersion},
         {"clone_cluster_id", pin.clone_cluster_id},
         {"source_cluster_id", pin.source_cluster_id},
         {"snapshot_name", pin.snapshot_name},
         {"created_ms", pin.created_ms},
         {"tablet_versions", pin.tablet_versions}};
  Status s = store.PutIfAbsent(ClonePinKey(pin.clone_cluster_id), j.dump());
  if (s.code() == StatusCode::kAlreadyExists) return Status::OK();
  return s;
}

Result<std::vector<ClonePin>> ReadClonePins(objstore::ObjectStore& store) {
  std::vector<ClonePin> pins;
  std::string token;
  do {
    STRATA_ASSIGN_OR_RETURN(objstore::ListPage page,
                            store.List(objstore::ListOptions{.prefix = std::string(kClonePinPrefix),
                                                             .continuation = token}));
    for (const auto& object : page.objects) {
      if (!object.key.ends_with(".pin")) continue;
      Result<std::string> bytes = store.Get(object.key);
      if (bytes.status().code() == StatusCode::kNotFound) continue;  // released meanwhile
      if (!bytes.ok()) return bytes.status().WithContext("read clone pin " + object.key);
      STRATA_ASSIGN_OR_RETURN(ClonePin pin, DecodePin(*bytes, object.key));
      pins.push_back(std::move(pin));
    }
    token = page.next_continuation;
  } while (!token.empty());
  return pins;
}

Status DeleteClonePin(objstore::ObjectStore& store, std::string_view clone_cluster_id) {
  Status s = store.Delete(ClonePinKey(clone_cluster_id));
  if (s.code() == StatusCode::kNotFound) return Status::OK();
  return s;
}

}  // namespace strata::snapshot

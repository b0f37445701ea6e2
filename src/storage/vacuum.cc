#include "storage/vacuum.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>
#include <span>

#include "common/check.h"
#include "common/failpoint.h"
#include "common/logging.h"
#include "storage/tablet_meta.h"

namespace strata::storage {
namespace {

constexpr std::string_view kTabletsInfix = "/data/tablets/";
constexpr std::string_view kMetaDir = "meta/";
constexpr std::string_view kDataDir = "data/";
constexpr size_t kUint64DigitsMax = 20;
constexpr size_t kMetaVersionDigits = 20;  // TabletMetaKey's <version:020>
constexpr size_t kDataSeqDigits = 6;       // DataFileKey's <seq:06>

// What a key made by TabletMetaKey or DataFileKey says about itself.
struct TabletObjectName {
  std::string lineage;
  uint64_t tablet_id = 0;
  bool is_meta = false;
  std::string txn_id;
};

std::optional<uint64_t> ParseDecimal(std::string_view s, size_t digits_max) {
  if (s.empty() || s.size() > digits_max) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Recognises exactly the keys TabletMetaKey and DataFileKey make (rebuilding
// the key from its parts must give it back); nullopt for anything else.
std::optional<TabletObjectName> ParseTabletObjectKey(std::string_view key) {
  const size_t infix = key.rfind(kTabletsInfix);
  if (infix == std::string_view::npos || infix == 0) return std::nullopt;
  std::string_view rest = key.substr(infix + kTabletsInfix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto tablet_id = ParseDecimal(rest.substr(0, slash), kUint64DigitsMax);
  auto txn_id = TxnIdOfKey(key);
  if (!tablet_id || !txn_id) return std::nullopt;
  TabletObjectName name{.lineage = std::string(key.substr(0, infix)), .tablet_id = *tablet_id,
                        .txn_id = std::move(*txn_id)};
  std::string_view file = rest.substr(slash + 1);
  std::string canonical;
  if (file.starts_with(kMetaDir)) {
    auto version = ParseDecimal(file.substr(kMetaDir.size(), kMetaVersionDigits), kMetaVersionDigits);
    if (!version) return std::nullopt;
    name.is_meta = true;
    canonical = TabletMetaKey(name.lineage, name.tablet_id, *version, name.txn_id);
  } else if (file.starts_with(kDataDir)) {
    const size_t seq_at = kDataDir.size() + name.txn_id.size() + 1;
    if (file.size() < seq_at) return std::nullopt;
    auto seq = ParseDecimal(file.substr(seq_at, kDataSeqDigits), kDataSeqDigits);
    if (!seq) return std::nullopt;
    canonical = DataFileKey(name.lineage, name.tablet_id, name.txn_id, static_cast<uint32_t>(*seq));
  }
  if (canonical != key) return std::nullopt;
  return name;
}

using VersionVisitor = std::function<Status(const std::string& key, const TabletMeta& meta)>;

// Reads every retained version, in key order, and hands it to `visit`.
Status ForEachRetained(objstore::ObjectStore& store, const RetainedVersions& retained, const VersionVisitor& visit) {
  for (const std::string& key : retained.meta_keys) {
    auto name = ParseTabletObjectKey(key);
    if (!name || !name->is_meta) return InvalidArgument("retained key '" + key + "' is not a tablet version");
    auto meta = ReadTabletMeta(store, key, name->tablet_id);
    if (!meta.ok()) return meta.status().WithContext("retained tablet version");
    STRATA_RETURN_IF_ERROR(visit(key, *meta));
  }
  return Status::OK();
}

struct Candidates {
  std::vector<std::string> metas;
  std::vector<std::string> data_files;
};

// Sorts every listed object into kept (counted in `report`) or deletable.
Candidates Classify(std::string_view lineage, const std::vector<objstore::ObjectMeta>& objects,
                    const RetainedVersions& retained, const std::set<std::string>& referenced,
                    const VacuumOptions& options, VacuumReport* report) {
  const int64_t cutoff_ms = options.now_ms - options.grace_ms;
  Candidates out;
  for (const auto& object : objects) {
    if (retained.meta_keys.contains(object.key) || referenced.contains(object.key)) {
      ++report->kept_referenced;
      continue;
    }
    auto name = ParseTabletObjectKey(object.key);
    if (!name || name->lineage != lineage) {
      ++report->kept_unknown;
      continue;
    }
    const int64_t txn_ms = *TxnIdTimeMs(name->txn_id);
    if (txn_ms >= cutoff_ms || object.last_modified_ms >= cutoff_ms) {
      ++report->kept_young;
      continue;
    }
    (name->is_meta ? out.metas : out.data_files).push_back(object.key);
  }
  return out;
}

Status DeleteInBatches(objstore::ObjectStore& store, std::span<const std::string> keys, uint64_t* deleted,
                       const std::function<Status()>& may_delete) {
  for (size_t i = 0; i < keys.size(); i += objstore::kDeleteBatchMax) {
    auto batch = keys.subspan(i, std::min(objstore::kDeleteBatchMax, keys.size() - i));
    if (may_delete) STRATA_RETURN_IF_ERROR(may_delete().WithContext("vacuum stopped before deleting"));
    STRATA_RETURN_IF_ERROR(store.DeleteBatch(batch).WithContext(
        "vacuum: delete " + std::to_string(batch.size()) + " objects from " + batch.front()));
    *deleted += batch.size();
    STRATA_FAILPOINT("vacuum_after_delete_batch");
  }
  return Status::OK();
}

Status ValidateVacuum(std::string_view lineage, const VacuumOptions& options) {
  if (lineage.empty()) return InvalidArgument("vacuum needs a lineage");
  if (options.now_ms <= 0 || options.grace_ms < 0) return InvalidArgument("vacuum needs now_ms > 0, grace_ms >= 0");
  if (options.listed_max == 0) return InvalidArgument("vacuum needs listed_max > 0");
  return Status::OK();
}

}  // namespace

Result<VacuumReport> VacuumLineage(objstore::ObjectStore& store, std::string_view lineage,
                                   const RetainedVersions& retained, const VacuumOptions& options) {
  STRATA_RETURN_IF_ERROR(ValidateVacuum(lineage, options));
  VacuumReport report;
  // Everything the retained versions need, first: if one cannot be read,
  // nothing can be known to be garbage.
  std::set<std::string> referenced;
  STRATA_RETURN_IF_ERROR(ForEachRetained(store, retained, [&](const std::string&, const TabletMeta& meta) {
    ++report.retained_meta;
    for (const auto& r : meta.rowsets) referenced.insert(r.data_file);
    return Status::OK();
  }).WithContext("vacuum " + std::string(lineage)));
  report.referenced_files = referenced.size();

  const std::string prefix = TabletsPrefix(lineage);
  auto objects = objstore::ListAll(store, prefix, options.listed_max);
  if (!objects.ok()) return objects.status().WithContext("vacuum: list " + prefix);
  report.listed = objects->size();
  Candidates candidates = Classify(lineage, *objects, retained, referenced, options, &report);

  // Versions before data files: a crash in between leaves only unlisted files.
  std::vector<std::string> doomed = std::move(candidates.metas);
  doomed.insert(doomed.end(), candidates.data_files.begin(), candidates.data_files.end());
  if (doomed.size() > options.deletes_max) {
    report.deferred = doomed.size() - options.deletes_max;
    doomed.resize(options.deletes_max);
  }
  STRATA_CHECK_EQ(report.listed,
                  report.kept_referenced + report.kept_young + report.kept_unknown + doomed.size() + report.deferred);
  if (options.dry_run) {
    report.deleted = doomed.size();
    report.deleted_keys = std::move(doomed);
    return report;
  }
  STRATA_RETURN_IF_ERROR(DeleteInBatches(store, doomed, &report.deleted, options.may_delete));
  STRATA_LOG(kInfo, "vacuum {}: listed {}, deleted {}, deferred {}, kept {} referenced, {} young, {} unknown",
             lineage, report.listed, report.deleted, report.deferred, report.kept_referenced, report.kept_young,
             report.kept_unknown);
  return report;
}

Status CheckRetainedReadable(objstore::ObjectStore& store, const RetainedVersions& retained) {
  std::set<std::string> checked;  // consecutive versions share most files
  Status s = ForEachRetained(store, retained, [&](const std::string& key, const TabletMeta& meta) -> Status {
    for (const auto& r : meta.rowsets) {
      if (checked.contains(r.data_file)) continue;
      auto head = store.Head(r.data_file);
      if (head.status().code() == StatusCode::kNotFound) {
        return DataLoss("data file " + r.data_file + " of retained tablet version " + key + " is missing");
      }
      if (!head.ok()) return head.status().WithContext("check data file " + r.data_file + " of " + key);
      if (head->size_bytes != r.size_bytes) {
        return DataLoss("data file " + r.data_file + " of retained tablet version " + key + " has " +
                        std::to_string(head->size_bytes) + " bytes; the version says " +
                        std::to_string(r.size_bytes));
      }
      checked.insert(r.data_file);
    }
    return Status::OK();
  });
  // A retained version that is gone is lost data, whatever the store calls it.
  if (s.code() == StatusCode::kNotFound) return DataLoss(s.message());
  return s;
}

}  // namespace strata::storage

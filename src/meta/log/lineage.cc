#include "meta/log/lineage.h"

#include <fmt/format.h>

#include <random>

#include "meta/log/framing.h"

namespace strata::meta {
namespace {

// Lineage pointers are appended once per restore; a bound far above that.
constexpr size_t kPointersMax = 100'000;
// EnsureLineage: a lost race is followed by a re-read, which finds the winner.
constexpr int kEnsureAttemptsMax = 3;

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > internal::kClusterIdBytesMax || name.find('/') != std::string_view::npos ||
      name == "." || name == "..") {
    return InvalidArgument(fmt::format("bad {} '{}': 1..{} bytes, no '/'", what, name, internal::kClusterIdBytesMax));
  }
  return Status::OK();
}

std::string PointerPrefix(const std::string& cluster_name) { return "clusters/" + cluster_name + "/lineage/"; }

std::string PointerKey(const std::string& cluster_name, uint64_t seq) {
  return PointerPrefix(cluster_name) + internal::VersionDigits(seq);
}

// Reads and verifies the pointer at `seq`; its record must name that seq.
Result<LineagePointer> ReadPointer(objstore::ObjectStore& store, const std::string& cluster_name, uint64_t seq) {
  const std::string key = PointerKey(cluster_name, seq);
  Result<std::string> bytes = store.Get(key);
  if (!bytes.ok()) return bytes.status().WithContext("read lineage pointer " + key);
  STRATA_ASSIGN_OR_RETURN(internal::FrameFields f, internal::ParseFrame(internal::kLineageKind, key, *bytes));
  if (f.version != seq) {
    return DataLoss(
        fmt::format("lineage pointer {}: holds seq {}, expected {} (misplaced object)", key, f.version, seq));
  }
  Status valid = ValidateName("cluster_id", f.cluster_id);
  if (!valid.ok()) return DataLoss(fmt::format("lineage pointer {}: {}", key, valid.message()));
  return LineagePointer{seq, std::string(f.cluster_id)};
}

}  // namespace

Result<LineagePointer> CurrentLineage(objstore::ObjectStore& store, const std::string& cluster_name) {
  STRATA_RETURN_IF_ERROR(ValidateName("cluster name", cluster_name));
  const std::string prefix = PointerPrefix(cluster_name);
  Result<std::vector<objstore::ObjectMeta>> all = objstore::ListAll(store, prefix, kPointersMax);
  if (!all.ok()) return all.status().WithContext("list lineage pointers of " + cluster_name);
  uint64_t highest = 0;
  for (const objstore::ObjectMeta& m : *all) {
    uint64_t seq = 0;
    if (internal::ParseVersionDigits(std::string_view(m.key).substr(prefix.size()), &seq)) {
      highest = std::max(highest, seq);
    }
  }
  if (highest == 0) return NotFound(fmt::format("cluster {} has no lineage under {}", cluster_name, prefix));
  // A damaged highest pointer is an error, never a reason to follow an older
  // lineage (DESIGN invariant 6).
  return ReadPointer(store, cluster_name, highest);
}

Result<LineagePointer> EnsureLineage(objstore::ObjectStore& store, const std::string& cluster_name) {
  for (int attempt = 0; attempt < kEnsureAttemptsMax; ++attempt) {
    Result<LineagePointer> current = CurrentLineage(store, cluster_name);
    if (current.ok() || current.status().code() != StatusCode::kNotFound) return current;
    LineagePointer mine{1, NewClusterId()};
    Status s = store.PutIfAbsent(PointerKey(cluster_name, 1), internal::Frame(internal::kLineageKind, mine.cluster_id,
                                                                              mine.seq, ""));
    if (s.ok()) return mine;
    // AlreadyExists: another FE won; the next CurrentLineage reads its pointer.
    if (s.code() != StatusCode::kAlreadyExists) return s.WithContext("create lineage of " + cluster_name);
  }
  return Unavailable(fmt::format("lineage of {}: pointer seq 1 exists but could not be read after {} attempts",
                                 cluster_name, kEnsureAttemptsMax));
}

Status AppendLineage(objstore::ObjectStore& store, const std::string& cluster_name, uint64_t expected_current_seq,
                     const std::string& cluster_id) {
  STRATA_RETURN_IF_ERROR(ValidateName("cluster name", cluster_name));
  STRATA_RETURN_IF_ERROR(ValidateName("cluster_id", cluster_id));
  if (expected_current_seq == UINT64_MAX) return InvalidArgument("lineage seq overflows");
  if (expected_current_seq > 0) {
    // Appending after a seq that does not exist would leave a gap.
    Result<objstore::ObjectMeta> head = store.Head(PointerKey(cluster_name, expected_current_seq));
    if (head.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition(fmt::format("lineage of {} has no seq {} to append after", cluster_name,
                                            expected_current_seq));
    }
    if (!head.ok()) return head.status().WithContext("append lineage of " + cluster_name);
  }
  uint64_t seq = expected_current_seq + 1;
  const std::string key = PointerKey(cluster_name, seq);
  return store.PutIfAbsent(key, internal::Frame(internal::kLineageKind, cluster_id, seq, ""))
      .WithContext("append lineage pointer " + key);
}

std::string NewClusterId() {
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", static_cast<uint32_t>(rd()));
  return id;
}

}  // namespace strata::meta

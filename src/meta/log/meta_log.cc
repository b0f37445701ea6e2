#include "meta/log/meta_log.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/failpoint.h"
#include "meta/log/framing.h"

namespace strata::meta {
namespace {

// A 17-digit key prefix covers a block of 1000 consecutive versions, which
// is exactly one List page.
constexpr uint64_t kBlockVersions = 1000;
constexpr size_t kBlockDigits = 17;
// Bounds on every listing loop (each page holds up to 1000 keys).
constexpr int kListPagesMax = 100'000;
constexpr uint64_t kLastVersionBlocksMax = 100'000;

std::string CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return std::string(a.substr(0, n));
}

}  // namespace

MetaLog::MetaLog(std::shared_ptr<objstore::ObjectStore> store, std::string cluster_id)
    : store_(std::move(store)), cluster_id_(std::move(cluster_id)) {
  STRATA_CHECK(store_ != nullptr, "MetaLog needs a store");
  STRATA_CHECK(!cluster_id_.empty() && cluster_id_.find('/') == std::string::npos, "bad cluster_id");
}

std::string MetaLog::Prefix() const { return cluster_id_ + "/meta/log/"; }

std::string MetaLog::KeyOf(uint64_t version) const { return Prefix() + internal::VersionDigits(version); }

Status MetaLog::Append(uint64_t version, std::string_view payload) {
  if (version == 0) return InvalidArgument("log versions start at 1; cannot append version 0");
  STRATA_FAILPOINT("meta.log.before_append");
  // One PutIfAbsent and nothing else: commit latency is this round trip.
  std::string key = KeyOf(version);
  Status s = store_->PutIfAbsent(key, FrameLogEntry(cluster_id_, version, payload));
  if (!s.ok()) return s.WithContext("append " + key);
  STRATA_FAILPOINT("meta.log.after_append");
  return Status::OK();
}

Result<std::string> MetaLog::Read(uint64_t version) {
  std::string key = KeyOf(version);
  Result<std::string> bytes = store_->Get(key);
  if (!bytes.ok()) return bytes.status().WithContext("read " + key);
  return internal::Unframe(internal::kLogEntryKind, key, cluster_id_, version, *bytes);
}

Result<std::vector<uint64_t>> MetaLog::ListRange(const std::string& digit_prefix, uint64_t from, uint64_t to) {
  std::vector<uint64_t> versions;
  objstore::ListOptions options;
  const std::string prefix = Prefix();
  options.prefix = prefix + digit_prefix;
  for (int page_no = 0; page_no < kListPagesMax; ++page_no) {
    Result<objstore::ListPage> page = store_->List(options);
    if (!page.ok()) return page.status().WithContext("list " + options.prefix);
    for (const objstore::ObjectMeta& m : page->objects) {
      uint64_t v = 0;
      // Anything that is not "<prefix><20 digits>" is not a log entry: skip it.
      if (!internal::ParseVersionDigits(std::string_view(m.key).substr(prefix.size()), &v)) continue;
      if (v > to) return versions;  // keys ascend, and so do 20-digit versions
      if (v >= from) versions.push_back(v);
    }
    if (page->next_continuation.empty()) return versions;
    options.continuation = std::move(page->next_continuation);
  }
  return ResourceExhausted(fmt::format("list {}: more than {} pages", options.prefix, kListPagesMax));
}

Result<uint64_t> MetaLog::OldestVersion() {
  objstore::ListOptions options;
  options.prefix = Prefix();
  options.max_keys = 16;
  for (int page_no = 0; page_no < kListPagesMax; ++page_no) {
    Result<objstore::ListPage> page = store_->List(options);
    if (!page.ok()) return page.status().WithContext("list " + options.prefix);
    for (const objstore::ObjectMeta& m : page->objects) {
      uint64_t v = 0;
      if (internal::ParseVersionDigits(std::string_view(m.key).substr(options.prefix.size()), &v)) return v;
    }
    if (page->next_continuation.empty()) return uint64_t{0};
    options.continuation = std::move(page->next_continuation);
  }
  return ResourceExhausted(fmt::format("list {}: more than {} pages", options.prefix, kListPagesMax));
}

// Lists block by block (one page each) from the block holding `at_least` and
// stops at the first block that does not run to its last version: entries are
// gap-free above the oldest image (invariant 2: version N is written only
// after N-1, and clean-up deletes only at or below an image), so nothing lies
// beyond it. If the first block holds nothing >= at_least, one small listing
// finds the oldest entry to tell "nothing newer" from "at_least is below the
// oldest entry". Debris of an interrupted clean-up (gaps below the oldest
// image) can make the answer lower than the true last version, never higher,
// and it is always a version that is present.
Result<uint64_t> MetaLog::LastVersion(uint64_t at_least) {
  uint64_t start = std::max<uint64_t>(at_least, 1);
  uint64_t block = start / kBlockVersions;
  uint64_t best = 0;
  bool restarted = false;
  for (uint64_t n = 0; n < kLastVersionBlocksMax; ++n) {
    std::string digits = internal::VersionDigits(block * kBlockVersions).substr(0, kBlockDigits);
    STRATA_ASSIGN_OR_RETURN(std::vector<uint64_t> versions, ListRange(digits, start, UINT64_MAX));
    if (versions.empty()) {
      if (best != 0 || restarted) return best;
      restarted = true;
      STRATA_ASSIGN_OR_RETURN(uint64_t oldest, OldestVersion());
      if (oldest <= start) return uint64_t{0};  // also when the log is empty (oldest == 0)
      start = oldest;
      block = oldest / kBlockVersions;
      continue;
    }
    best = versions.back();
    if (best % kBlockVersions != kBlockVersions - 1) return best;
    ++block;
  }
  return ResourceExhausted(fmt::format("last version of {}: more than {} blocks", Prefix(), kLastVersionBlocksMax));
}

Result<std::vector<uint64_t>> MetaLog::ListVersions(uint64_t from, uint64_t to) {
  if (from > to) return std::vector<uint64_t>{};
  // Every key in [from, to] shares the digits that KeyOf(from) and KeyOf(to) share.
  return ListRange(CommonPrefix(internal::VersionDigits(from), internal::VersionDigits(to)), from, to);
}

Status MetaLog::DeleteThrough(uint64_t version, size_t* deleted) {
  if (deleted != nullptr) *deleted = 0;
  if (version == 0) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(std::vector<uint64_t> versions, ListVersions(1, version));
  // Oldest first, batch by batch, so an interruption mostly leaves a suffix.
  std::vector<std::string> batch;
  for (size_t i = 0; i < versions.size(); ++i) {
    batch.push_back(KeyOf(versions[i]));
    if (batch.size() == objstore::kDeleteBatchMax || i + 1 == versions.size()) {
      Status s = store_->DeleteBatch(batch);
      if (!s.ok()) return s.WithContext(fmt::format("delete log entries through {} of {}", version, cluster_id_));
      if (deleted != nullptr) *deleted += batch.size();
      batch.clear();
    }
  }
  return Status::OK();
}

std::string FrameLogEntry(std::string_view cluster_id, uint64_t version, std::string_view payload) {
  return internal::Frame(internal::kLogEntryKind, cluster_id, version, payload);
}

Result<std::string> UnframeLogEntry(std::string_view cluster_id, uint64_t version, std::string_view bytes) {
  std::string key = fmt::format("{}/meta/log/{}", cluster_id, internal::VersionDigits(version));
  return internal::Unframe(internal::kLogEntryKind, key, cluster_id, version, bytes);
}

}  // namespace strata::meta

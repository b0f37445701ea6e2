// Restorable points (snapshot_history.h): the window's bounds from the log,
// images and snapshots of a lineage, and `strata snapshot history`.
#include "snapshot/snapshot_history.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>

#include "meta/catalog/change.h"
#include "meta/log/image_store.h"
#include "meta/log/meta_log.h"
#include "snapshot/snapshot_tool.h"

namespace strata::snapshot {
namespace {

using Json = nlohmann::ordered_json;

Result<int64_t> CommitTimeOf(meta::MetaLog& log, uint64_t version) {
  if (version == 0) return int64_t{0};
  STRATA_ASSIGN_OR_RETURN(std::string payload, log.Read(version));
  Result<meta::Batch> batch = meta::DecodeBatch(payload);
  if (!batch.ok()) return batch.status().WithContext(fmt::format("log entry {} of {}", version, log.cluster_id()));
  return batch->commit_time_ms;
}

// The newest version in (lo, hi] committed at or before `time_ms`, else `lo`
// (whose own entry is never read: it may be a base below the log). Commit
// times ascend with versions.
Result<uint64_t> VersionCurrentAt(meta::MetaLog& log, uint64_t lo, uint64_t hi, int64_t time_ms) {
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    STRATA_ASSIGN_OR_RETURN(int64_t t, CommitTimeOf(log, mid));
    if (t <= time_ms) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

struct Base {
  uint64_t version = 0;
  std::string what;
};

// "2026-11-29T03:00:00.123Z"; "-" for 0.
std::string FormatUtcMs(int64_t ms) {
  if (ms <= 0) return "-";
  std::string s = FormatUtc(ms);
  if (s.size() > 1 && s.back() == 'Z') s = s.substr(0, s.size() - 1) + fmt::format(".{:03d}Z", ms % 1000);
  return s;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<RestorableHistory> ReadRestorableHistory(const std::shared_ptr<objstore::ObjectStore>& store,
                                                const std::string& cluster_id, const HistoryOptions& options) {
  RestorableHistory h{.cluster_id = cluster_id};
  STRATA_ASSIGN_OR_RETURN(h.snapshots, ListSnapshots(*store, cluster_id));
  std::stable_sort(h.snapshots.begin(), h.snapshots.end(),
                   [](const Manifest& a, const Manifest& b) { return a.version < b.version; });
  meta::MetaLog log(store, cluster_id);
  RestorableWindow& w = h.window;
  STRATA_ASSIGN_OR_RETURN(w.log_oldest_version, log.OldestVersion());
  if (w.log_oldest_version == 0) return h;  // no log: only the snapshots
  STRATA_ASSIGN_OR_RETURN(const uint64_t last, log.LastVersion(w.log_oldest_version));
  // Every base from which the log reaches `last`, as restore::ChooseBase would use them.
  std::vector<Base> bases;
  auto usable = [&](uint64_t v) { return v <= last && v + 1 >= w.log_oldest_version; };
  for (const auto& m : h.snapshots) {
    if (usable(m.version)) bases.push_back({m.version, "snapshot " + m.name});
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<uint64_t> images, meta::ImageStore(store, cluster_id).List());
  for (uint64_t v : images) {
    if (usable(v)) bases.push_back({v, fmt::format("image {}", v)});
  }
  if (w.log_oldest_version == 1) bases.push_back({0, "empty catalog"});
  if (bases.empty()) return h;
  std::stable_sort(bases.begin(), bases.end(), [](const Base& a, const Base& b) { return a.version < b.version; });
  w.empty = false;
  w.oldest_version = bases.front().version;
  w.newest_version = last;
  if (options.window_ms > 0) {
    // Table data is kept for versions current within the window: start at the
    // one current when the window began.
    const int64_t cutoff = options.now_ms - options.window_ms;
    // The search never reads `lo` itself: the oldest base stays when the next entry is already newer.
    STRATA_ASSIGN_OR_RETURN(uint64_t at_cutoff, VersionCurrentAt(log, w.oldest_version, last, cutoff));
    w.oldest_version = std::max(w.oldest_version, at_cutoff);
    w.data_bounded = true;
  }
  // A restore to the oldest point starts from the newest base at or below it.
  for (const Base& b : bases) {
    if (b.version <= w.oldest_version) w.oldest_base = b.what;
  }
  // A base below the log's oldest entry has no commit time left to read.
  if (w.oldest_version >= w.log_oldest_version) {
    STRATA_ASSIGN_OR_RETURN(w.oldest_time_ms, CommitTimeOf(log, w.oldest_version));
  }
  STRATA_ASSIGN_OR_RETURN(w.newest_time_ms, CommitTimeOf(log, w.newest_version));
  return h;
}

Result<std::vector<std::string>> ListLineagesWithHistory(objstore::ObjectStore& store) {
  std::vector<std::string> prefixes;
  objstore::ListOptions options{.delimiter = "/"};
  for (size_t pages = 0;; ++pages) {
    if (pages > kScanLineagesMax) return ResourceExhausted("listing the volume root did not end");
    STRATA_ASSIGN_OR_RETURN(objstore::ListPage page, store.List(options));
    for (const auto& p : page.common_prefixes) {
      if (p.size() > 1 && p.back() == '/') prefixes.push_back(p.substr(0, p.size() - 1));
    }
    if (prefixes.size() > kScanLineagesMax) {
      return ResourceExhausted(fmt::format("more than {} top-level prefixes in the volume", kScanLineagesMax));
    }
    if (page.next_continuation.empty()) break;
    options.continuation = page.next_continuation;
  }
  std::vector<std::string> out;
  for (const auto& p : prefixes) {
    STRATA_ASSIGN_OR_RETURN(objstore::ListPage meta,
                            store.List(objstore::ListOptions{.prefix = p + "/meta/", .max_keys = 1}));
    if (!meta.objects.empty()) out.push_back(p);
  }
  return out;
}

namespace {

Json HistoryJson(const RestorableHistory& h) {
  Json snaps = Json::array();
  for (const auto& m : h.snapshots) {
    snaps.push_back({{"name", m.name}, {"type", m.type}, {"version", m.version}, {"created_ms", m.created_ms},
                     {"created", FormatUtcMs(m.created_ms)}, {"completed_ms", m.completed_ms}});
  }
  const RestorableWindow& w = h.window;
  Json window{{"empty", w.empty}, {"log_oldest_version", w.log_oldest_version}, {"data_bounded", w.data_bounded}};
  if (!w.empty) {
    window["oldest_version"] = w.oldest_version;
    window["oldest_time_ms"] = w.oldest_time_ms;
    window["oldest_time"] = FormatUtcMs(w.oldest_time_ms);
    window["oldest_base"] = w.oldest_base;
    window["newest_version"] = w.newest_version;
    window["newest_time_ms"] = w.newest_time_ms;
    window["newest_time"] = FormatUtcMs(w.newest_time_ms);
  }
  return Json{{"cluster_id", h.cluster_id}, {"snapshots", snaps}, {"window", window}};
}

void PrintHistoryText(std::ostream& out, const RestorableHistory& h) {
  out << "lineage " << h.cluster_id << "\n";
  out << fmt::format("  snapshots ({})\n", h.snapshots.size());
  for (const auto& m : h.snapshots) {
    out << fmt::format("    {:<40}  {:<9}  version {:<8}  created {}\n", m.name, m.type, m.version,
                       FormatUtcMs(m.created_ms));
  }
  const RestorableWindow& w = h.window;
  if (w.empty) {
    out << (w.log_oldest_version == 0
                ? "  point-in-time window: none (no metadata log on this volume)\n"
                : fmt::format("  point-in-time window: none (the log starts at version {} and no snapshot or image "
                              "lies at or after version {})\n",
                              w.log_oldest_version, w.log_oldest_version - 1));
    return;
  }
  out << fmt::format("  point-in-time window: versions {} .. {}\n", w.oldest_version, w.newest_version);
  out << fmt::format("    oldest  version {:<8}  committed {}  ({} ms; restore starts from the {})\n",
                     w.oldest_version, FormatUtcMs(w.oldest_time_ms), w.oldest_time_ms, w.oldest_base);
  out << fmt::format("    newest  version {:<8}  committed {}  ({} ms)\n", w.newest_version,
                     FormatUtcMs(w.newest_time_ms), w.newest_time_ms);
  if (!w.data_bounded) {
    out << "    (bounds from the metadata log; table data is kept only for versions current within\n"
           "     point_in_time_retention_seconds: pass --window-seconds N to bound the window by it)\n";
  }
}

}  // namespace

int RunHistory(const std::shared_ptr<objstore::ObjectStore>& store, const HistoryCommand& c, std::ostream& out,
               std::ostream& err) {
  std::vector<std::string> lineages;
  if (!c.cluster_id.empty()) {
    lineages.push_back(c.cluster_id);
  } else {
    auto listed = ListLineagesWithHistory(*store);
    if (!listed.ok()) {
      err << "strata snapshot history: " << listed.status().ToString() << "\n";
      return kToolExitProblems;
    }
    lineages = std::move(*listed);
  }
  const HistoryOptions options{.window_ms = c.window_seconds > 0 ? c.window_seconds * 1000 : 0,
                               .now_ms = c.now_ms != 0 ? c.now_ms : WallMs()};
  std::vector<RestorableHistory> histories;
  for (const auto& lineage : lineages) {
    auto h = ReadRestorableHistory(store, lineage, options);
    if (!h.ok()) {
      err << "strata snapshot history: lineage " << lineage << ": " << h.status().ToString() << "\n";
      return kToolExitProblems;
    }
    histories.push_back(std::move(*h));
  }
  if (c.json) {
    Json j{{"volume", c.volume}, {"lineages", Json::array()}};
    if (c.window_seconds >= 0) j["window_seconds"] = c.window_seconds;
    for (const auto& h : histories) j["lineages"].push_back(HistoryJson(h));
    out << j.dump(2) << "\n";
    return kToolExitOk;
  }
  if (histories.empty()) out << "no lineage with a metadata log or snapshots in " << c.volume << "\n";
  for (const auto& h : histories) PrintHistoryText(out, h);
  return kToolExitOk;
}

}  // namespace strata::snapshot

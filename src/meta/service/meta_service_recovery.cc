// Start-up: lineage, cache validation, newest image, replay (docs/design/meta.md).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "meta/log/lineage.h"
#include "meta/service/meta_service.h"
#include "meta/service/meta_service_internal.h"

namespace strata::meta {
namespace fs = std::filesystem;
namespace {

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `data` to `path` atomically (temp + rename); the cache is best effort.
bool WriteFileAtomically(const fs::path& path, const std::string& data) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return false;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

// "image.<20 digits>" -> version, or 0.
uint64_t CachedImageVersion(const fs::path& p) {
  std::string name = p.filename().string();
  if (!name.starts_with("image.") || name.size() != 26) return 0;
  return std::strtoull(name.c_str() + 6, nullptr, 10);
}

}  // namespace

Result<std::unique_ptr<MetaService>> MetaService::Start(MetaServiceOptions options) {
  std::unique_ptr<MetaService> service(new MetaService(std::move(options)));
  Status s = service->Recover();
  if (!s.ok()) return s.WithContext("metadata start-up");
  service->thread_ = std::thread([raw = service.get()] { raw->Loop(); });
  return service;
}

Status MetaService::Recover() {
  Result<LineagePointer> lineage = EnsureLineage(*options_.store, options_.cluster_name);
  if (!lineage.ok()) return lineage.status().WithContext("resolve the lineage of cluster " + options_.cluster_name);
  cluster_id_ = lineage->cluster_id;
  lease_key_ = cluster_id_ + "/meta/leader";
  log_ = std::make_unique<MetaLog>(options_.store, cluster_id_);
  images_ = std::make_unique<ImageStore>(options_.store, cluster_id_);
  ValidateCache();
  STRATA_RETURN_IF_ERROR(LoadNewestImage());
  STRATA_FAILPOINT("meta.start.after_image_load");
  STRATA_RETURN_IF_ERROR(ReplayAll());
  {
    std::lock_guard lock(mu_);
    leader_hint_ = catalog_.leader();
  }
  ready_.store(true);
  STRATA_LOG(kInfo, "{}: cluster {} lineage {} at version {} (image {}), leader {}", options_.fe_name,
             options_.cluster_name, cluster_id_, applied_.load(), last_image_version_.load(),
             catalog_.leader().empty() ? "none" : catalog_.leader());
  return Status::OK();
}

void MetaService::ValidateCache() {
  if (options_.cache_dir.empty()) return;
  fs::path dir(options_.cache_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path marker = dir / "lineage";
  std::string cached = fs::exists(marker, ec) ? ReadSmallFile(marker) : "";
  if (!cached.empty() && cached != cluster_id_) {
    // Invariant 6: a cache of another lineage (e.g. from before a restore) is discarded.
    STRATA_LOG(kWarn, "{}: meta_dir {} holds lineage {}, but the current lineage is {}; discarding the cache",
               options_.fe_name, dir.string(), cached, cluster_id_);
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
  }
  if (cached != cluster_id_ && !WriteFileAtomically(marker, cluster_id_)) {
    STRATA_LOG(kWarn, "{}: cannot write {}; running without a metadata cache", options_.fe_name, marker.string());
  }
}

void MetaService::CacheImage(uint64_t version, const std::string& payload) {
  if (options_.cache_dir.empty()) return;
  fs::path dir(options_.cache_dir);
  fs::path path = dir / fmt::format("image.{:020d}", version);
  if (!WriteFileAtomically(path, FrameImage(cluster_id_, version, payload))) return;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    uint64_t v = CachedImageVersion(entry.path());
    if (v != 0 && v < version) fs::remove(entry.path(), ec);
  }
}

Status MetaService::LoadNewestImage() {
  Result<std::vector<uint64_t>> versions = images_->List();
  if (!versions.ok()) return versions.status().WithContext("list images");
  uint64_t remote = versions->empty() ? 0 : versions->back();
  // A cached image at the same version saves the download; a damaged or older
  // cache is simply ignored (it is only a cache).
  std::string payload;
  if (!options_.cache_dir.empty() && remote != 0) {
    fs::path cached = fs::path(options_.cache_dir) / fmt::format("image.{:020d}", remote);
    std::error_code ec;
    if (fs::exists(cached, ec)) {
      Result<std::string> unframed = UnframeImage(cluster_id_, remote, ReadSmallFile(cached));
      if (unframed.ok()) {
        payload = std::move(unframed).value();
      } else {
        STRATA_LOG(kWarn, "ignoring damaged cached image {}: {}", cached.string(), unframed.status().ToString());
      }
    }
  }
  if (remote == 0) return Status::OK();  // a new lineage: replay from version 1
  if (payload.empty()) {
    Result<std::string> read = images_->Read(remote);
    if (!read.ok()) return read.status().WithContext(fmt::format("load image {}", remote));
    payload = std::move(read).value();
    CacheImage(remote, payload);
  }
  Result<Catalog> catalog = Catalog::DecodeImage(payload);
  if (!catalog.ok()) return catalog.status().WithContext(fmt::format("decode image {}", remote));
  if (catalog->version() != remote) {
    return DataLoss(fmt::format("image {} holds a catalog at version {}", remote, catalog->version()));
  }
  catalog_ = std::move(catalog).value();
  applied_.store(remote);
  last_image_version_.store(remote);
  return Status::OK();
}

Status MetaService::CatchUpFromNewerImage() {
  Result<std::vector<uint64_t>> versions = images_->List();
  if (!versions.ok()) return versions.status().WithContext("list images");
  if (versions->empty() || versions->back() <= applied_.load()) return Status::OK();
  uint64_t newest = versions->back();
  Result<std::string> payload = images_->Read(newest);
  if (!payload.ok()) return payload.status().WithContext(fmt::format("load image {}", newest));
  Result<Catalog> catalog = Catalog::DecodeImage(*payload);
  if (!catalog.ok()) return catalog.status().WithContext(fmt::format("decode image {}", newest));
  STRATA_LOG(kWarn, "{}: fell behind the log's clean-up at version {}; reloading from image {}", options_.fe_name,
             applied_.load(), newest);
  {
    std::unique_lock lock(catalog_mu_);
    catalog_ = std::move(catalog).value();
    std::lock_guard mlock(mu_);
    leader_hint_ = catalog_.leader();
    applied_.store(newest);
  }
  last_image_version_.store(newest);
  CacheImage(newest, *payload);
  applied_cv_.notify_all();
  return ReplayAvailable();
}

Status MetaService::ReplayAll() {
  // Entries are fetched in parallel, then applied in order; anything written
  // meanwhile is picked up by the sequential replay that follows.
  Result<uint64_t> last = log_->LastVersion(applied_.load() + 1);
  if (!last.ok()) return last.status().WithContext("find the end of the log");
  uint64_t first = applied_.load() + 1;
  if (*last >= first) {
    size_t n = *last - first + 1;
    std::vector<Result<std::string>> entries(n, Result<std::string>(Unavailable("not fetched")));
    std::atomic<size_t> next{0};
    std::vector<std::thread> fetchers;
    for (int t = 0; t < kReplayParallelism && static_cast<size_t>(t) < n; ++t) {
      fetchers.emplace_back([&] {
        for (size_t i = next++; i < n; i = next++) entries[i] = log_->Read(first + i);
      });
    }
    for (auto& f : fetchers) f.join();
    for (size_t i = 0; i < n; ++i) {
      if (!entries[i].ok()) {
        return entries[i].status().WithContext(fmt::format("read log entry {} (log ends at {})", first + i, *last));
      }
      std::vector<Result<uint64_t>> ignored;
      STRATA_RETURN_IF_ERROR(ApplyEntry(first + i, *entries[i], &ignored));
    }
  }
  return ReplayAvailable();
}

}  // namespace strata::meta

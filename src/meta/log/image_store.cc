#include "meta/log/image_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/failpoint.h"
#include "meta/log/framing.h"
#include "meta/log/meta_log.h"

namespace strata::meta {
namespace {

constexpr std::string_view kImageNamePrefix = "image.";
// Images are few (images_kept plus what snapshots retain); bound the listing.
constexpr size_t kImagesMax = 1'000'000;

}  // namespace

ImageStore::ImageStore(std::shared_ptr<objstore::ObjectStore> store, std::string cluster_id)
    : store_(std::move(store)), cluster_id_(std::move(cluster_id)) {
  STRATA_CHECK(store_ != nullptr, "ImageStore needs a store");
  STRATA_CHECK(!cluster_id_.empty() && cluster_id_.find('/') == std::string::npos, "bad cluster_id");
}

std::string ImageStore::KeyOf(uint64_t version) const {
  return fmt::format("{}/meta/image/{}{}", cluster_id_, kImageNamePrefix, internal::VersionDigits(version));
}

Status ImageStore::Write(uint64_t version, std::string_view payload) {
  if (version == 0) return InvalidArgument("image versions start at 1; cannot write image 0");
  STRATA_FAILPOINT("meta.image.before_write");
  const std::string key = KeyOf(version);
  const std::string framed = FrameImage(cluster_id_, version, payload);
  Status s = store_->PutIfAbsent(key, framed);
  if (s.code() == StatusCode::kAlreadyExists) {
    // Images are deterministic: another writer (or our own earlier attempt
    // whose reply was lost) must have written exactly these bytes.
    Result<std::string> existing = store_->Get(key);
    if (!existing.ok()) return existing.status().WithContext("read back existing " + key);
    if (*existing != framed) {
      return DataLoss(fmt::format("image {}: two different images for version {} ({} bytes stored, {} bytes new)",
                                  key, version, existing->size(), framed.size()));
    }
    s = Status::OK();
  }
  if (!s.ok()) return s.WithContext("write " + key);
  STRATA_FAILPOINT("meta.image.after_write");
  return Status::OK();
}

Result<std::vector<uint64_t>> ImageStore::List() {
  // Only "image.<20 digits>" directly under meta/image/ is an image; snapshot
  // directories and anything else there are not ours to list.
  const std::string prefix = fmt::format("{}/meta/image/{}", cluster_id_, kImageNamePrefix);
  Result<std::vector<objstore::ObjectMeta>> all = objstore::ListAll(*store_, prefix, kImagesMax);
  if (!all.ok()) return all.status().WithContext("list images of " + cluster_id_);
  std::vector<uint64_t> versions;
  for (const objstore::ObjectMeta& m : *all) {
    uint64_t v = 0;
    if (internal::ParseVersionDigits(std::string_view(m.key).substr(prefix.size()), &v)) versions.push_back(v);
  }
  std::sort(versions.begin(), versions.end());  // already ascending by key; cheap insurance
  return versions;
}

Result<std::string> ImageStore::Read(uint64_t version) {
  const std::string key = KeyOf(version);
  Result<std::string> bytes = store_->Get(key);
  if (!bytes.ok()) return bytes.status().WithContext("read " + key);
  return internal::Unframe(internal::kImageKind, key, cluster_id_, version, *bytes);
}

Status ImageStore::Delete(uint64_t version) {
  const std::string key = KeyOf(version);
  return store_->Delete(key).WithContext("delete " + key);
}

std::string FrameImage(std::string_view cluster_id, uint64_t version, std::string_view payload) {
  return internal::Frame(internal::kImageKind, cluster_id, version, payload);
}

Result<std::string> UnframeImage(std::string_view cluster_id, uint64_t version, std::string_view bytes) {
  std::string key = fmt::format("{}/meta/image/{}{}", cluster_id, kImageNamePrefix, internal::VersionDigits(version));
  return internal::Unframe(internal::kImageKind, key, cluster_id, version, bytes);
}

namespace {

// Which image is the oldest to keep: the index into `images` (ascending).
// Returns images.size() when nothing may be deleted (the hook needs a version
// older than every image, which only the full log can still rebuild).
size_t OldestKeptImage(const std::vector<uint64_t>& images, int images_kept, RetentionHook* hook) {
  size_t keep = std::min(images.size(), static_cast<size_t>(images_kept));
  size_t oldest = images.size() - keep;
  if (hook != nullptr) {
    std::optional<uint64_t> retained = hook->OldestRetainedVersion();
    if (retained.has_value()) {
      // The newest image at or below the retained version.
      auto it = std::upper_bound(images.begin(), images.end(), *retained);
      if (it == images.begin()) return images.size();
      oldest = std::min(oldest, static_cast<size_t>(it - images.begin() - 1));
    }
  }
  return oldest;
}

}  // namespace

// Order of deletions, so that a crash at any point leaves the log replayable:
//  1. images older than the cut, oldest first: every image still present keeps
//     all the entries after it, so each remaining image stays a valid start;
//  2. (failpoint meta.cleanup.between_images_and_log)
//  3. log entries <= the cut (the oldest kept image's version), oldest first:
//     the cut image covers them, and entries after it are never touched.
// Entries newer than the newest image and the newest image itself are never
// deleted (the cut is at most the newest image). A crash leaves only debris
// (old entries below the cut, or a gap among them) that the next run deletes.
Result<size_t> CleanUpMeta(MetaLog& log, ImageStore& images, int images_kept, RetentionHook* hook) {
  if (images_kept < 1) return InvalidArgument(fmt::format("images_kept must be >= 1, got {}", images_kept));
  STRATA_ASSIGN_OR_RETURN(std::vector<uint64_t> versions, images.List());
  if (versions.empty()) return size_t{0};  // no image: the log is all there is
  // Until images_kept images exist, the log before the oldest one stays too:
  // a follower a little behind the first checkpoint still finds its entries.
  if (versions.size() < static_cast<size_t>(images_kept)) return size_t{0};
  size_t oldest = OldestKeptImage(versions, images_kept, hook);
  if (oldest == versions.size()) return size_t{0};
  const uint64_t cut = versions[oldest];
  size_t deleted = 0;
  for (size_t i = 0; i < oldest; ++i) {
    STRATA_RETURN_IF_ERROR(images.Delete(versions[i]).WithContext("clean up meta"));
    ++deleted;
  }
  STRATA_FAILPOINT("meta.cleanup.between_images_and_log");
  size_t entries = 0;
  Status s = log.DeleteThrough(cut, &entries);
  if (!s.ok()) return s.WithContext("clean up meta");
  return deleted + entries;
}

}  // namespace strata::meta

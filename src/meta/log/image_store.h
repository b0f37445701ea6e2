// ImageStore: checkpoint images of one lineage,
// `<cluster_id>/meta/image/image.<version:20 digits>`, each the whole catalog
// at a log version, framed with magic, format version, lineage, version, length
// and CRC-32C (docs/formats/meta-image.md). Images are deterministic, so two
// writers of one version write identical bytes; Write uses put-if-absent and
// treats "already there" as success after checking the bytes.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::meta {

class ImageStore {
 public:
  ImageStore(std::shared_ptr<objstore::ObjectStore> store, std::string cluster_id);

  // Put-if-absent; if the image exists already, OK when its bytes are ours,
  // DataLoss ("two different images for version V") when not. InvalidArgument
  // for version 0. Failpoints meta.image.before_write / meta.image.after_write.
  Status Write(uint64_t version, std::string_view payload);
  // Ascending versions of the images present (only "image.<20 digits>" keys;
  // snapshot directories under meta/image/ are not images).
  Result<std::vector<uint64_t>> List();
  // The payload of image `version`: NotFound, or DataLoss when damaged.
  Result<std::string> Read(uint64_t version);
  // Idempotent: deleting a missing image is OK.
  Status Delete(uint64_t version);

  std::string KeyOf(uint64_t version) const;  // "<cluster_id>/meta/image/image.<version:020>"

 private:
  std::shared_ptr<objstore::ObjectStore> store_;
  std::string cluster_id_;
};

std::string FrameImage(std::string_view cluster_id, uint64_t version, std::string_view payload);
Result<std::string> UnframeImage(std::string_view cluster_id, uint64_t version, std::string_view bytes);

// What clean-up must keep. Later issues (snapshots, point-in-time recovery)
// implement this; today the only retained point is the current catalog.
class RetentionHook {
 public:
  virtual ~RetentionHook() = default;
  // The smallest log version that must stay restorable (its image at or
  // below it and every entry after that image are kept); nullopt: none.
  virtual std::optional<uint64_t> OldestRetainedVersion() = 0;
};

// Deletes old images and log entries: keeps the newest `images_kept` images
// and every entry after the oldest kept image, and never anything `hook` needs
// (the newest image at or below its version, every newer image and every entry
// after that image; if no image is that old, nothing is deleted). Never
// deletes the newest image or entries after it. Images go first, then (after
// the failpoint meta.cleanup.between_images_and_log) the entries, so a crash
// anywhere leaves the log replayable; see image_store.cc. InvalidArgument for
// images_kept < 1. Returns how many objects it deleted. Idempotent: safe to
// re-run after any failure, and concurrent runs only repeat deletes.
class MetaLog;
Result<size_t> CleanUpMeta(MetaLog& log, ImageStore& images, int images_kept, RetentionHook* hook);

}  // namespace strata::meta

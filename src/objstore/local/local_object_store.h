// LocalObjectStore: the ObjectStore over a local directory, the storage volume
// of `strata local` (DESIGN §2). Durable and crash-safe: a process killed at
// any instruction (or a machine losing power, given a file system that honours
// fsync) leaves every object either whole-old, whole-new or absent, never torn.
//
// Layout. Key "a/b/c" is the regular file <root>/a/b/c; directories are made
// on demand and removed (best effort) when a delete empties them. Temporary
// files live in <root>/.strata-tmp/, which List never shows. A key whose first
// segment is exactly ".strata-tmp" is rejected with InvalidArgument (such keys
// cannot be represented); ".strata-tmpx" or "a/.strata-tmp" are ordinary keys.
//
// Protocols (each step is a named failpoint, see below):
//   Put          write a unique temp file (pid.random.counter), fsync it,
//                rename(2) it over the target, fsync the target's directory
//                and every ancestor up to the root (so that directories made
//                by us or by a concurrent writer are durable before we ack).
//   PutIfAbsent  write + fsync a temp file, link(2) it to the target (EEXIST:
//                AlreadyExists, nothing changed), fsync the directories, unlink
//                the temp. link is atomic across processes, so exactly one of
//                any number of racing processes wins. A plain Put racing with
//                a PutIfAbsent of the same key may overwrite the winner (Put is
//                "last writer wins"; Strata never mixes them on one key).
//   Multipart    parts are appended, in order, to one temp file; Complete
//                fsyncs it and renames it into place like Put. Abort and the
//                destructor remove the temp file. Every part but the last must
//                be >= kMultipartPartMinBytes, exactly like the other backends.
//   DeleteBatch  unlink each key (missing is fine), remove parent directories
//                that became empty up to (not including) the root, then fsync
//                the directories that changed. A Put that races with the
//                directory removal re-creates the directory and retries
//                (bounded by kInstallAttemptsMax), so it never fails because of it.
//   List         an ordered walk of the tree that sorts each directory by
//                name for files and name + "/" for directories, which yields
//                exactly the byte order of full keys ("a-c" < "a/b" < "a0").
//                The walk starts at the deepest directory that covers the
//                prefix; pages and delimiter roll-ups use BuildListPage.
//
// Failpoints (STRATA_FAILPOINT; arm with failpoint::Arm or STRATA_FAILPOINTS):
//   local.put.after_tmp_write              temp written, not yet fsynced
//   local.put.after_fsync                  temp durable, not yet renamed
//   local.put.after_rename                 visible, directories not yet fsynced
//   local.put.after_dir_fsync              durable, about to return OK
//   local.put_if_absent.after_tmp_write    temp written, not yet fsynced
//   local.put_if_absent.after_fsync        temp durable, not yet linked
//   local.put_if_absent.after_link         visible, directories not yet fsynced
//   local.put_if_absent.after_dir_fsync    durable, temp not yet unlinked
//   local.multipart.after_part_write       a part appended to the temp file
//   local.multipart.before_fsync           Complete: all parts written
//   local.multipart.before_rename          Complete: temp durable, not renamed
//   local.multipart.after_rename           Complete: visible, dirs not fsynced
//   local.delete.after_unlink              DeleteBatch: one key unlinked
//
// Limits of a directory tree (documented, reported as errors, never silent):
//   - a key cannot be both an object and a "directory" of other keys: with
//     object "a", Put("a/b") fails with FailedPrecondition, and vice versa
//     (an *empty* leftover directory is removed and the write retried);
//   - a key segment longer than NAME_MAX (255 bytes) is InvalidArgument.
//
// Errors: root missing or not a directory: FailedPrecondition naming the root;
// EACCES/EPERM: PermissionDenied; ENOSPC/EDQUOT: ResourceExhausted; EIO while
// writing: Unavailable (the write can be retried from scratch); EIO while
// reading: DataLoss. Messages carry the path and strerror.
//
// Stale temp files (left by crashed writers) are removed by Open when older
// than options.stale_temp_age_ms; younger ones may belong to a live writer in
// another process and are left alone.
//
// Thread-safety: every method may be called from many threads (and many
// processes) at once; the store keeps no mutable state besides an atomic
// counter. A MultipartUpload is driven by one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "objstore/object_store.h"

namespace strata::objstore {

struct LocalObjectStoreOptions {
  // Temp files older than this are deleted by Open (crashed writers' debris).
  int64_t stale_temp_age_ms = 15 * 60 * 1000;
};

// Name of the hidden directory (under the root) that holds temp files.
inline constexpr std::string_view kLocalTempDirName = ".strata-tmp";
// How many times a write re-creates a directory that a concurrent delete
// removed before giving up with Unavailable.
inline constexpr int kInstallAttemptsMax = 16;

class LocalObjectStore : public ObjectStore {
 public:
  // Checks that `root` is an existing directory (FailedPrecondition if not),
  // creates the temp directory and removes stale temp files (best effort).
  static Result<std::unique_ptr<LocalObjectStore>> Open(std::string root,
                                                        LocalObjectStoreOptions options = {});

  // No I/O: errors (such as a missing root) surface on the first call.
  explicit LocalObjectStore(std::string root, LocalObjectStoreOptions options = {});

  Status Put(std::string_view key, std::string_view data) override;
  Status PutIfAbsent(std::string_view key, std::string_view data) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  Status DeleteBatch(std::span<const std::string> keys) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(std::string_view key) override;
  std::string_view BackendName() const override { return "local"; }

  const std::string& root() const { return root_; }
  std::string TempDir() const { return root_ + "/" + std::string(kLocalTempDirName); }

  // Removes temp files older than `age_ms`; returns how many it removed.
  Result<size_t> RemoveStaleTempFiles(int64_t age_ms);

 private:
  friend class LocalMultipartUpload;
  struct TempFile {
    std::string path;
    int fd = -1;  // open for writing; the caller closes it
  };
  // Creates a new, empty, uniquely named temp file.
  Result<TempFile> CreateTempFile(std::string_view tag);
  // Writes `data` to a new temp file and fsyncs it; hits the two failpoints
  // after the write and after the fsync. The file is closed; on error removed.
  Result<std::string> WriteDurableTemp(std::string_view data, std::string_view tag,
                                       std::string_view fp_after_write, std::string_view fp_after_fsync);
  // Renames a durable temp file over `key` (not yet durable: see SyncDirsOf).
  Status InstallByRename(const std::string& temp_path, std::string_view key);
  // Links a durable temp file to `key`; AlreadyExists if an object is there.
  Status LinkIntoPlace(const std::string& temp_path, std::string_view key);
  std::string PathOf(std::string_view key) const { return root_ + "/" + std::string(key); }
  // FailedPrecondition when the root is missing, else `otherwise`.
  Status RootMissingOr(Status otherwise) const;
  // Creates the directories of `key`'s parent; FailedPrecondition on a
  // file/directory conflict.
  Status MakeParentDirs(std::string_view key);
  // fsyncs the directory of `key` and every ancestor up to the root.
  Status SyncDirsOf(std::string_view key);
  // Removes an *empty* directory sitting where an object should go; false if
  // there is something else there.
  bool RemoveEmptyDirAt(const std::string& path);
  // Removes the now-empty directories above a deleted `key`; returns the
  // directory whose entries changed last (to be fsynced).
  std::string RemoveEmptyParents(std::string_view key);

  std::string root_;
  LocalObjectStoreOptions options_;
  uint64_t instance_random_ = 0;
  std::atomic<uint64_t> temp_counter_{0};
};

// Validates `key` for the local backend: ValidateKey plus the local limits
// above (hidden temp directory, NAME_MAX segments).
Status ValidateLocalKey(std::string_view key);

}  // namespace strata::objstore

#include "objstore/local/local_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "common/uninit_string.h"
#include "objstore/local/local_list_walk.h"
#include "objstore/local/local_posix.h"
#include "objstore/mem/mem_object_store.h"

namespace strata::objstore {
namespace {

using namespace local_internal;  // NOLINT: this file's own helpers

constexpr int kTempNameAttemptsMax = 8;
constexpr size_t kTempScanMax = size_t{1} << 20;  // entries RemoveStaleTempFiles looks at

}  // namespace

Status ValidateLocalKey(std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateKey(key));
  size_t start = 0;
  while (start < key.size()) {  // bounded: start strictly increases
    size_t slash = key.find('/', start);
    size_t end = slash == std::string_view::npos ? key.size() : slash;
    std::string_view segment = key.substr(start, end - start);
    if (start == 0 && segment == kLocalTempDirName) {
      return InvalidArgument("object key '" + std::string(key) + "' starts with the local backend's reserved " +
                             std::string(kLocalTempDirName) + " segment");
    }
    if (segment.size() > NAME_MAX) {
      return InvalidArgument(fmt::format("object key '{}' has a {}-byte segment; the local backend allows {}", key,
                                         segment.size(), NAME_MAX));
    }
    start = end + 1;
  }
  return Status::OK();
}

// One upload appends its parts, in order, to one temp file.
class LocalMultipartUpload : public MultipartUpload {
 public:
  LocalMultipartUpload(LocalObjectStore* store, std::string key, LocalObjectStore::TempFile temp)
      : store_(store), key_(std::move(key)), temp_path_(std::move(temp.path)), fd_(temp.fd) {}
  ~LocalMultipartUpload() override { (void)Abort(); }

  Status UploadPart(std::string_view data) override {
    if (done_) return FailedPrecondition("multipart upload of " + key_ + " is already finished");
    STRATA_RETURN_IF_ERROR(ValidateNextPart(key_, parts_, last_part_bytes_));
    Status s = WriteAll(fd_, data, temp_path_);
    if (s.ok()) s = failpoint::Hit("local.multipart.after_part_write");
    if (!s.ok()) {
      // Drop the partial part so that the caller may retry it.
      if (::ftruncate(fd_, static_cast<off_t>(bytes_)) != 0 ||
          ::lseek(fd_, static_cast<off_t>(bytes_), SEEK_SET) < 0) {
        (void)Abort();
      }
      return s.WithContext("multipart upload part of " + key_);
    }
    bytes_ += data.size();
    last_part_bytes_ = data.size();
    parts_++;
    return Status::OK();
  }

  Status Complete() override {
    if (done_) return FailedPrecondition("multipart upload of " + key_ + " is already finished");
    if (parts_ == 0) return InvalidArgument("multipart upload of " + key_ + " has no parts");
    done_ = true;
    Status s = Finish();
    if (!s.ok()) (void)Abort();
    return s.WithContext("complete multipart upload of " + key_);
  }

  Status Abort() override {
    done_ = true;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    temp_path_.clear();
    return Status::OK();
  }

 private:
  Status Finish() {
    STRATA_FAILPOINT("local.multipart.before_fsync");
    STRATA_RETURN_IF_ERROR(FsyncFd(fd_, temp_path_));
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoStatus(errno, "close", temp_path_);
    STRATA_FAILPOINT("local.multipart.before_rename");
    STRATA_RETURN_IF_ERROR(store_->InstallByRename(temp_path_, key_));
    temp_path_.clear();
    STRATA_FAILPOINT("local.multipart.after_rename");
    return store_->SyncDirsOf(key_);
  }

  LocalObjectStore* store_;
  std::string key_;
  std::string temp_path_;
  int fd_;
  uint64_t bytes_ = 0;
  uint64_t last_part_bytes_ = 0;
  int parts_ = 0;
  bool done_ = false;
};

LocalObjectStore::LocalObjectStore(std::string root, LocalObjectStoreOptions options)
    : root_(std::move(root)), options_(options) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  std::random_device rd;
  instance_random_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(std::string root,
                                                                 LocalObjectStoreOptions options) {
  auto store = std::make_unique<LocalObjectStore>(std::move(root), options);
  STRATA_RETURN_IF_ERROR(store->RootMissingOr(Status::OK()));
  const std::string temp_dir = store->TempDir();
  if (::mkdir(temp_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "create temp directory", temp_dir);
  }
  Result<size_t> removed = store->RemoveStaleTempFiles(options.stale_temp_age_ms);
  if (!removed.ok()) {
    STRATA_LOG(kWarn, "local object store {}: stale temp clean-up failed: {}", store->root_,
               removed.status().ToString());
  } else if (*removed > 0) {
    STRATA_LOG(kInfo, "local object store {}: removed {} stale temp files", store->root_, *removed);
  }
  return store;
}

Status LocalObjectStore::RootMissingOr(Status otherwise) const {
  struct stat st;
  if (::stat(root_.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return FailedPrecondition("local object store root " + root_ + " does not exist");
    }
    return ErrnoStatus(err, "stat local object store root", root_);
  }
  if (!S_ISDIR(st.st_mode)) return FailedPrecondition("local object store root " + root_ + " is not a directory");
  return otherwise;
}

Result<size_t> LocalObjectStore::RemoveStaleTempFiles(int64_t age_ms) {
  const std::string temp_dir = TempDir();
  int fd = ::open(temp_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return size_t{0};
    return ErrnoStatus(errno, "open temp directory", temp_dir);
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "fdopendir", temp_dir);
  }
  const int64_t cutoff_ms = NowMs() - age_ms;
  size_t removed = 0;
  size_t seen = 0;
  while (struct dirent* e = ::readdir(dir)) {
    if (++seen > kTempScanMax) break;
    struct stat st;
    if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (MtimeMs(st) > cutoff_ms) continue;  // may belong to a live writer
    if (::unlinkat(::dirfd(dir), e->d_name, 0) == 0) removed++;
  }
  ::closedir(dir);
  return removed;
}

Result<LocalObjectStore::TempFile> LocalObjectStore::CreateTempFile(std::string_view tag) {
  const std::string temp_dir = TempDir();
  for (int attempt = 0; attempt < kTempNameAttemptsMax; ++attempt) {
    std::string path = fmt::format("{}/{}.{}.{:016x}.{}.tmp", temp_dir, tag, ::getpid(), instance_random_,
                                   temp_counter_.fetch_add(1));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return TempFile{std::move(path), fd};
    int err = errno;
    if (err == EEXIST) continue;
    if (err != ENOENT) return ErrnoStatus(err, "create temp file", path);
    // The temp directory is missing (never made, or removed by hand).
    STRATA_RETURN_IF_ERROR(RootMissingOr(Status::OK()));
    if (::mkdir(temp_dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "create temp directory", temp_dir);
    }
  }
  return Unavailable("could not create a temp file in " + temp_dir);
}

Result<std::string> LocalObjectStore::WriteDurableTemp(std::string_view data, std::string_view tag,
                                                       std::string_view fp_after_write,
                                                       std::string_view fp_after_fsync) {
  STRATA_ASSIGN_OR_RETURN(TempFile temp, CreateTempFile(tag));
  TempRemover remover(temp.path);
  Fd fd(temp.fd);
  STRATA_RETURN_IF_ERROR(WriteAll(fd.get(), data, temp.path));
  STRATA_FAILPOINT(fp_after_write);
  STRATA_RETURN_IF_ERROR(FsyncFd(fd.get(), temp.path));
  if (fd.Close() != 0) return ErrnoStatus(errno, "close", temp.path);
  STRATA_FAILPOINT(fp_after_fsync);
  remover.Release();
  return std::move(temp.path);
}

Status LocalObjectStore::MakeParentDirs(std::string_view key) {
  std::string_view dir = ParentOf(key);
  if (dir.empty()) return Status::OK();
  struct stat st;
  if (::stat(PathOf(dir).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::OK();
  for (int attempt = 0; attempt < kInstallAttemptsMax; ++attempt) {
    bool restart = false;
    size_t end = 0;
    while (!restart && end < dir.size()) {  // bounded: end strictly increases
      end = std::min(dir.find('/', end + 1), dir.size());
      std::string path = PathOf(dir.substr(0, end));
      if (::mkdir(path.c_str(), 0755) == 0) continue;
      int err = errno;
      if (err == EEXIST) {
        if (::stat(path.c_str(), &st) != 0) {
          restart = true;  // removed by a concurrent delete
        } else if (!S_ISDIR(st.st_mode)) {
          return FailedPrecondition("key '" + std::string(key) + "' needs directory " + path +
                                    ", but object '" + std::string(dir.substr(0, end)) + "' exists");
        }
      } else if (err == ENOENT) {
        STRATA_RETURN_IF_ERROR(RootMissingOr(Status::OK()));
        restart = true;  // a parent was removed by a concurrent delete
      } else if (err == ENOTDIR) {
        return FailedPrecondition("key '" + std::string(key) + "' lies under an existing object: " +
                                  ErrnoText(err) + " at " + path);
      } else {
        return ErrnoStatus(err, "create directory", path);
      }
    }
    if (!restart) return Status::OK();
  }
  return Unavailable("directories for key '" + std::string(key) + "' kept vanishing");
}

bool LocalObjectStore::RemoveEmptyDirAt(const std::string& path) {
  return ::rmdir(path.c_str()) == 0 || errno == ENOENT;
}

Status LocalObjectStore::InstallByRename(const std::string& temp_path, std::string_view key) {
  const std::string target = PathOf(key);
  for (int attempt = 0; attempt < kInstallAttemptsMax; ++attempt) {
    STRATA_RETURN_IF_ERROR(MakeParentDirs(key));
    if (::rename(temp_path.c_str(), target.c_str()) == 0) return Status::OK();
    int err = errno;
    if (err == ENOENT) {
      STRATA_RETURN_IF_ERROR(RootMissingOr(Status::OK()));
      if (::access(temp_path.c_str(), F_OK) != 0) {
        return Unavailable("temp file " + temp_path + " vanished (removed as stale?)");
      }
      continue;  // the directory was removed by a concurrent delete
    }
    if (err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
      if (RemoveEmptyDirAt(target)) continue;
      return FailedPrecondition("key '" + std::string(key) + "' is a directory of other keys at " + target);
    }
    if (err == ENOTDIR) return FailedPrecondition("key '" + std::string(key) + "' lies under an existing object");
    return ErrnoStatus(err, "rename " + temp_path + " to", target);
  }
  return Unavailable("directory of key '" + std::string(key) + "' kept vanishing");
}

Status LocalObjectStore::LinkIntoPlace(const std::string& temp_path, std::string_view key) {
  const std::string target = PathOf(key);
  for (int attempt = 0; attempt < kInstallAttemptsMax; ++attempt) {
    STRATA_RETURN_IF_ERROR(MakeParentDirs(key));
    if (::link(temp_path.c_str(), target.c_str()) == 0) return Status::OK();
    int err = errno;
    if (err == EEXIST) {
      struct stat st;
      if (::lstat(target.c_str(), &st) != 0) continue;  // deleted meanwhile: try again
      if (!S_ISDIR(st.st_mode)) return AlreadyExists("object " + std::string(key) + " already exists");
      if (RemoveEmptyDirAt(target)) continue;
      return FailedPrecondition("key '" + std::string(key) + "' is a directory of other keys at " + target);
    }
    if (err == ENOENT) {
      STRATA_RETURN_IF_ERROR(RootMissingOr(Status::OK()));
      if (::access(temp_path.c_str(), F_OK) != 0) {
        return Unavailable("temp file " + temp_path + " vanished (removed as stale?)");
      }
      continue;
    }
    if (err == ENOTDIR) return FailedPrecondition("key '" + std::string(key) + "' lies under an existing object");
    return ErrnoStatus(err, "link " + temp_path + " to", target);
  }
  return Unavailable("directory of key '" + std::string(key) + "' kept vanishing");
}

Status LocalObjectStore::SyncDirsOf(std::string_view key) {
  std::string_view dir = ParentOf(key);
  while (true) {  // bounded by the depth of the key
    Status s = SyncDir(dir.empty() ? root_ : PathOf(dir));
    // A directory removed meanwhile held nothing of ours any more.
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    if (dir.empty()) return Status::OK();
    dir = ParentOf(dir);
  }
}

Status LocalObjectStore::Put(std::string_view key, std::string_view data) {
  STRATA_RETURN_IF_ERROR(ValidateLocalKey(key));
  const std::string context = "put " + std::string(key);
  Result<std::string> temp =
      WriteDurableTemp(data, "put", "local.put.after_tmp_write", "local.put.after_fsync");
  if (!temp.ok()) return temp.status().WithContext(context);
  TempRemover remover(*temp);
  STRATA_RETURN_IF_ERROR(InstallByRename(*temp, key).WithContext(context));
  remover.Release();
  STRATA_FAILPOINT("local.put.after_rename");
  STRATA_RETURN_IF_ERROR(SyncDirsOf(key).WithContext(context));
  STRATA_FAILPOINT("local.put.after_dir_fsync");
  return Status::OK();
}

Status LocalObjectStore::PutIfAbsent(std::string_view key, std::string_view data) {
  STRATA_RETURN_IF_ERROR(ValidateLocalKey(key));
  const std::string context = "put-if-absent " + std::string(key);
  Result<std::string> temp =
      WriteDurableTemp(data, "pia", "local.put_if_absent.after_tmp_write", "local.put_if_absent.after_fsync");
  if (!temp.ok()) return temp.status().WithContext(context);
  TempRemover remover(*temp);  // the object keeps its own link
  Status s = LinkIntoPlace(*temp, key);
  if (s.code() == StatusCode::kAlreadyExists) return s;
  STRATA_RETURN_IF_ERROR(s.WithContext(context));
  STRATA_FAILPOINT("local.put_if_absent.after_link");
  STRATA_RETURN_IF_ERROR(SyncDirsOf(key).WithContext(context));
  STRATA_FAILPOINT("local.put_if_absent.after_dir_fsync");
  return Status::OK();
}

Result<std::string> LocalObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  STRATA_RETURN_IF_ERROR(ValidateLocalKey(key));
  const std::string path = PathOf(key);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR || err == ELOOP) {
      return RootMissingOr(NotFound("object " + std::string(key) + " does not exist"));
    }
    return ErrnoStatus(err, "open", path, true).WithContext("get " + std::string(key));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "fstat", path, true);
  if (!S_ISREG(st.st_mode)) return NotFound("object " + std::string(key) + " does not exist");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (offset > size || (offset == size && offset != 0)) {
    return InvalidArgument("range start " + std::to_string(offset) + " is past the end of " + std::string(key) +
                           " (" + std::to_string(size) + " bytes)");
  }
  const uint64_t n = std::min(length, size - offset);
  std::string out = UninitializedString(n);  // pread fills every byte (or the read fails)
  uint64_t done = 0;
  int eintr = 0;
  while (done < n) {  // bounded: each pass reads > 0 bytes or counts an EINTR
    ssize_t r = ::pread(fd.get(), out.data() + done, std::min<uint64_t>(n - done, kIoChunkBytes),
                        static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR && ++eintr < kEintrRetriesMax) continue;
      return ErrnoStatus(errno, "pread", path, true).WithContext("get " + std::string(key));
    }
    if (r == 0) return DataLoss(fmt::format("get {}: {} shrank to {} bytes while read", key, path, offset + done));
    done += static_cast<uint64_t>(r);
  }
  return out;
}

Result<ObjectMeta> LocalObjectStore::Head(std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateLocalKey(key));
  const std::string path = PathOf(key);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return RootMissingOr(NotFound("object " + std::string(key) + " does not exist"));
    }
    return ErrnoStatus(err, "stat", path, true).WithContext("head " + std::string(key));
  }
  if (!S_ISREG(st.st_mode)) return NotFound("object " + std::string(key) + " does not exist");
  return ObjectMeta{std::string(key), static_cast<uint64_t>(st.st_size), MtimeMs(st)};
}

Result<ListPage> LocalObjectStore::List(const ListOptions& options) {
  STRATA_RETURN_IF_ERROR(ValidateListOptions(options));
  STRATA_RETURN_IF_ERROR(RootMissingOr(Status::OK()));
  // Start at the deepest directory that covers the prefix: keys outside it
  // cannot match.
  size_t slash = options.prefix.rfind('/');
  std::string base = slash == std::string::npos ? "" : options.prefix.substr(0, slash + 1);
  if (!PrefixDirCanMatch(base)) return ListPage{};
  ListCursor cursor(root_, std::move(base));
  Result<ListPage> page = BuildListPage(options, [&](const std::string& bound, bool inclusive, ObjectMeta* out) {
    return cursor.Next(bound, inclusive, out);
  });
  if (!cursor.status().ok()) return cursor.status().WithContext("list '" + options.prefix + "' in " + root_);
  return page;
}

std::string LocalObjectStore::RemoveEmptyParents(std::string_view key) {
  std::string_view dir = ParentOf(key);
  while (!dir.empty()) {  // bounded by the depth of the key
    // Fails (harmlessly) when the directory is not empty, e.g. because a
    // concurrent Put just made a file in it; that Put retries if we win.
    if (::rmdir(PathOf(dir).c_str()) != 0) return PathOf(dir);
    dir = ParentOf(dir);
  }
  return root_;
}

Status LocalObjectStore::DeleteBatch(std::span<const std::string> keys) {
  if (keys.size() > kDeleteBatchMax) {
    return InvalidArgument("delete batch of " + std::to_string(keys.size()) + " keys exceeds " +
                           std::to_string(kDeleteBatchMax));
  }
  for (const auto& k : keys) STRATA_RETURN_IF_ERROR(ValidateLocalKey(k));
  STRATA_RETURN_IF_ERROR(RootMissingOr(Status::OK()));
  std::set<std::string> changed_dirs;
  for (const auto& k : keys) {
    const std::string path = PathOf(k);
    if (::unlink(path.c_str()) != 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR || err == EISDIR) continue;  // no such object
      return ErrnoStatus(err, "unlink", path).WithContext("delete " + k);
    }
    STRATA_FAILPOINT("local.delete.after_unlink");
    changed_dirs.insert(RemoveEmptyParents(k));
  }
  for (const auto& dir : changed_dirs) {
    Status s = SyncDir(dir);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s.WithContext("delete");
  }
  return Status::OK();
}

Result<std::unique_ptr<MultipartUpload>> LocalObjectStore::StartMultipart(std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateLocalKey(key));
  Result<TempFile> temp = CreateTempFile("mp");
  if (!temp.ok()) return temp.status().WithContext("start multipart upload of " + std::string(key));
  return std::unique_ptr<MultipartUpload>(new LocalMultipartUpload(this, std::string(key), std::move(*temp)));
}

}  // namespace strata::objstore

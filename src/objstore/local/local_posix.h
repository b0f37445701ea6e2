// POSIX helpers of the local-directory backend: errno to Status mapping,
// an fd owner, bounded write/fsync loops. Internal to objstore/local (header
// only because the module's CMake source list is fixed; move to a .cc when it
// next changes).
//
// Thread-safety: free functions without shared state; Fd and TempRemover are
// owned by one thread.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "common/status.h"

namespace strata::objstore::local_internal {

inline constexpr int kEintrRetriesMax = 100;
inline constexpr size_t kIoChunkBytes = size_t{1} << 30;

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

inline std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Maps an errno to the canonical code that tells the caller what to do.
inline Status ErrnoStatus(int err, std::string_view op, const std::string& path, bool reading = false) {
  std::string msg = fmt::format("{} {}: {} (errno {})", op, path, ErrnoText(err), err);
  switch (err) {
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(msg));
    case ENOSPC:
    case EDQUOT:
      return ResourceExhausted(std::move(msg));
    case EIO:
      return reading ? DataLoss(std::move(msg)) : Unavailable(std::move(msg));
    case ENOENT:
      return NotFound(std::move(msg));
    case ENAMETOOLONG:
      return InvalidArgument(std::move(msg));
    case EROFS:
    case ENOTDIR:
    case EISDIR:
    case EEXIST:
    case ENOTEMPTY:
    case ELOOP:
      return FailedPrecondition(std::move(msg));
    case EINTR:
    case EAGAIN:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EBUSY:
    case ETIMEDOUT:
      return Unavailable(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  int Close() {
    int rc = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Unlinks a temp file when it goes out of scope, unless released.
class TempRemover {
 public:
  explicit TempRemover(std::string path) : path_(std::move(path)) {}
  ~TempRemover() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

inline Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  int eintr = 0;
  while (done < data.size()) {  // bounded: each pass writes > 0 bytes or counts an EINTR
    ssize_t n = ::write(fd, data.data() + done, std::min(data.size() - done, kIoChunkBytes));
    if (n < 0) {
      if (errno == EINTR && ++eintr < kEintrRetriesMax) continue;
      return ErrnoStatus(errno, "write", path);
    }
    if (n == 0) return Unavailable("write " + path + ": no progress");
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

inline Status FsyncFd(int fd, const std::string& path) {
  for (int i = 0; i < kEintrRetriesMax; ++i) {
    if (::fsync(fd) == 0) return Status::OK();
    if (errno != EINTR) break;
  }
  return ErrnoStatus(errno, "fsync", path);
}

// fsyncs a directory; NotFound if it is gone.
inline Status SyncDir(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open directory", path);
  return FsyncFd(fd.get(), path);
}

inline std::string_view ParentOf(std::string_view key) {
  size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : key.substr(0, slash);
}


}  // namespace strata::objstore::local_internal

// POSIX helpers of the local-directory backend: errno to Status mapping,
// an fd owner, bounded write/fsync loops. Internal to objstore/local (header
// inline only for the tiny ones; the rest is in local_posix.cc).
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

int64_t NowMs();

inline int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

std::string ErrnoText(int err);

// Maps an errno to the canonical code that tells the caller what to do.
Status ErrnoStatus(int err, std::string_view op, const std::string& path, bool reading = false);

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

Status WriteAll(int fd, std::string_view data, const std::string& path);

Status FsyncFd(int fd, const std::string& path);

// fsyncs a directory; NotFound if it is gone.
Status SyncDir(const std::string& path);

inline std::string_view ParentOf(std::string_view key) {
  size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : key.substr(0, slash);
}


}  // namespace strata::objstore::local_internal

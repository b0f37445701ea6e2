#include "objstore/local/local_posix.h"

namespace strata::objstore::local_internal {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

Status ErrnoStatus(int err, std::string_view op, const std::string& path, bool reading) {
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

Status WriteAll(int fd, std::string_view data, const std::string& path) {
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

Status FsyncFd(int fd, const std::string& path) {
  for (int i = 0; i < kEintrRetriesMax; ++i) {
    if (::fsync(fd) == 0) return Status::OK();
    if (errno != EINTR) break;
  }
  return ErrnoStatus(errno, "fsync", path);
}

Status SyncDir(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open directory", path);
  return FsyncFd(fd.get(), path);
}

}  // namespace strata::objstore::local_internal

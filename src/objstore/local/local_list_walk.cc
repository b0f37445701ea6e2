#include "objstore/local/local_list_walk.h"

namespace strata::objstore::local_internal {

bool PrefixDirCanMatch(std::string_view dir) {
  if (dir.empty()) return true;
  if (dir.find('\0') != std::string_view::npos) return false;
  std::string_view rest = dir.substr(0, dir.size() - 1);  // drop the trailing '/'
  bool first = true;
  while (true) {  // bounded by the number of '/' in dir
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == ".." || (first && seg == kLocalTempDirName)) return false;
    if (slash == std::string_view::npos) return true;
    rest = rest.substr(slash + 1);
    first = false;
  }
}

Status ListCursor::ReadFrame(std::string prefix, Frame* out) const {
  out->prefix = std::move(prefix);
  std::string path = root_ + "/" + out->prefix;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::OK();  // deleted meanwhile: empty
    return ErrnoStatus(errno, "open directory", path, /*reading=*/true);
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "fdopendir", path, true);
  }
  Status status;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {  // bounded by kDirEntriesMax
    std::string_view name = e->d_name;
    if (name == "." || name == ".." || (out->prefix.empty() && name == kLocalTempDirName)) continue;
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) {
      out->names.push_back(std::string(name) + "/");
    } else if (type == DT_REG) {
      out->names.emplace_back(name);
    }
    if (out->names.size() > kDirEntriesMax) {
      status = ResourceExhausted(fmt::format("directory {} has more than {} entries", path, kDirEntriesMax));
      break;
    }
    errno = 0;
  }
  if (status.ok() && errno != 0) status = ErrnoStatus(errno, "readdir", path, true);
  ::closedir(dir);
  std::sort(out->names.begin(), out->names.end());
  return status;
}

bool ListCursor::PushFrame(const std::string& prefix) {
  Frame frame;
  Status s = ReadFrame(prefix, &frame);
  if (!s.ok()) return Fail(std::move(s));
  stack_.push_back(std::move(frame));
  return true;
}

bool ListCursor::Next(const std::string& bound, bool inclusive, ObjectMeta* out) {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    if (!PushFrame(base_)) return false;
  }
  // Leave the directories that lie wholly before `bound`.
  while (!stack_.empty() && !bound.starts_with(stack_.back().prefix)) PopFrame();
  bool bounded = true;  // false once every remaining entry is past `bound`
  while (!stack_.empty()) {
    if (++steps_ > kListStepsMax) {
      return Fail(ResourceExhausted(fmt::format("list visited more than {} entries", kListStepsMax)));
    }
    Frame& f = stack_.back();
    if (f.idx >= f.names.size()) {
      PopFrame();
      bounded = false;
      continue;
    }
    const std::string& name = f.names[f.idx];
    bool is_dir = name.back() == '/';
    if (bounded) {
      std::string_view rest = std::string_view(bound).substr(f.prefix.size());
      int cmp = std::string_view(name).compare(rest);
      bool contains_bound = is_dir && rest.starts_with(name);
      if (!contains_bound && (cmp < 0 || (cmp == 0 && !inclusive))) {
        f.idx++;
        continue;
      }
      if (!contains_bound) bounded = false;
    }
    if (is_dir) {
      if (!PushFrame(f.prefix + name)) return false;
      continue;
    }
    std::string key = f.prefix + name;
    struct stat st;
    if (::lstat((root_ + "/" + key).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      f.idx++;  // deleted meanwhile
      continue;
    }
    *out = ObjectMeta{std::move(key), static_cast<uint64_t>(st.st_size), MtimeMs(st)};
    return true;
  }
  return false;
}

}  // namespace strata::objstore::local_internal

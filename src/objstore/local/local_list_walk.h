// The ordered directory walk behind LocalObjectStore::List. Internal to
// objstore/local; the code is in local_list_walk.cc.
//
// Each directory is read whole and sorted by name for files and by name + "/"
// for directories; a depth-first walk in that order yields exactly the byte
// order of full keys ("a-c" < "a/b" < "a0"), because every key below
// directory "a" starts with "a/" and no other entry's keys do.
//
// Thread-safety: a ListCursor is used by one thread for one List call.
#pragma once

#include <dirent.h>

#include <string>
#include <vector>

#include "objstore/local/local_object_store.h"
#include "objstore/local/local_posix.h"

namespace strata::objstore::local_internal {

inline constexpr size_t kDirEntriesMax = size_t{1} << 22;  // one directory, for List
inline constexpr size_t kListStepsMax = size_t{1} << 24;   // entries visited by one List call

// Whether keys can live under the directory part of a list prefix ("a/b/").
bool PrefixDirCanMatch(std::string_view dir);

// An ordered walk of the directory tree below `base` (a key prefix ending in
// '/', or ""). Each directory is read whole and sorted by name for files and
// by name + "/" for directories, which is the byte order of the full keys.
// The frames on the stack are the directories enclosing the current position.
class ListCursor {
 public:
  ListCursor(std::string root, std::string base) : root_(std::move(root)), base_(std::move(base)) {}

  // NextKeyFn for BuildListPage. Bounds never decrease within one listing.
  bool Next(const std::string& bound, bool inclusive, ObjectMeta* out);
  const Status& status() const { return status_; }

 private:
  struct Frame {
    std::string prefix;               // key prefix of this directory ("" or "a/b/")
    std::vector<std::string> names;   // sorted; directories end with '/'
    size_t idx = 0;
  };
  Status ReadFrame(std::string prefix, Frame* out) const;
  bool PushFrame(const std::string& prefix);
  void PopFrame() {
    stack_.pop_back();
    if (!stack_.empty()) stack_.back().idx++;
  }
  bool Fail(Status s) {
    status_ = std::move(s);
    return false;
  }

  std::string root_;
  std::string base_;
  std::vector<Frame> stack_;
  Status status_;
  size_t steps_ = 0;
  bool started_ = false;
};

}  // namespace strata::objstore::local_internal

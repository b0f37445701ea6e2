// Config: a `fe.conf`-style file reader.
//
// Format (the one StarRocks' fe.conf and cn.conf use):
//   # a comment            -- whole-line comments start with '#'
//   key = value            -- spaces around '=' and at both ends are ignored
//   key = "quoted value"   -- surrounding double quotes are removed
//   blank lines are ignored
// Keys are [A-Za-z0-9_.]+. A key given twice: the last wins (as StarRocks).
// Each program declares the keys it knows; an unknown key is an error, so a
// typo never silently falls back to a default.
//
// Errors are InvalidArgument with "<source>:<line>: <what>", e.g.
//   "fe.conf:7: malformed line (want key = value): 'query_port 9030'".
//
// Thread-safety: a parsed Config is immutable and safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace strata {

class Config {
 public:
  // Parses `text`; `source` names it in errors (usually the file path).
  static Result<Config> Parse(std::string_view text, std::string_view source,
                              const std::set<std::string, std::less<>>& known_keys);
  // Reads and parses a file. NotFound if it does not exist.
  static Result<Config> Load(const std::string& path, const std::set<std::string, std::less<>>& known_keys);

  bool Has(std::string_view key) const { return values_.find(key) != values_.end(); }
  std::string GetString(std::string_view key, std::string_view fallback) const;
  // InvalidArgument naming the key and line if the value is not an integer /
  // a boolean (true|false).
  Result<int64_t> GetInt(std::string_view key, int64_t fallback) const;
  Result<bool> GetBool(std::string_view key, bool fallback) const;

  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::string source_;
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, int, std::less<>> lines_;
};

}  // namespace strata

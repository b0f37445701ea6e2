#include "common/config.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace strata {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ValidKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Config> Config::Parse(std::string_view text, std::string_view source,
                             const std::set<std::string, std::less<>>& known_keys) {
  Config config;
  config.source_ = std::string(source);
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return config.source_ + ":" + std::to_string(line_no) + ": "; };
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument(where() + "malformed line (want key = value): '" + std::string(line) + "'");
    }
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    if (!ValidKey(key)) {
      return InvalidArgument(where() + "malformed key '" + std::string(key) + "' (letters, digits, '_' and '.')");
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    } else if (!value.empty() && (value.front() == '"' || value.back() == '"')) {
      return InvalidArgument(where() + "unbalanced quotes in the value of '" + std::string(key) + "'");
    }
    if (known_keys.find(key) == known_keys.end()) {
      return InvalidArgument(where() + "unknown key '" + std::string(key) + "'");
    }
    config.values_[std::string(key)] = std::string(value);
    config.lines_[std::string(key)] = line_no;
  }
  return config;
}

Result<Config> Config::Load(const std::string& path, const std::set<std::string, std::less<>>& known_keys) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return NotFound("config file " + path + " does not exist");
    return FailedPrecondition("cannot open config file " + path + ": " + std::strerror(err));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str(), path, known_keys);
}

std::string Config::GetString(std::string_view key, std::string_view fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string(fallback) : it->second;
}

Result<int64_t> Config::GetInt(std::string_view key, int64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return InvalidArgument(source_ + ":" + std::to_string(lines_.at(it->first)) + ": '" + it->first +
                           "' wants an integer, got '" + v + "'");
  }
  return out;
}

Result<bool> Config::GetBool(std::string_view key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  if (it->second == "true" || it->second == "TRUE") return true;
  if (it->second == "false" || it->second == "FALSE") return false;
  return InvalidArgument(source_ + ":" + std::to_string(lines_.at(it->first)) + ": '" + it->first +
                         "' wants true or false, got '" + it->second + "'");
}

}  // namespace strata

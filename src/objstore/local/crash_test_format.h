// The self-verifying objects and the journal shared by local_crash_writer
// and local_crash_test (test-only; not part of the objstore library).
//
// Object: a text header, a blank line, then a pseudo-random body:
//   "strata-crash-object v1\nkey=<key>\nwriter=<id>\nseq=<n>\nbody_bytes=<n>\nbody_fnv=<hex>\n\n<body>"
// so that a torn, truncated, misplaced or mixed-up object fails VerifyObject.
//
// Journal: one line per acknowledged write, appended and fdatasync'ed only
// after the store call returned OK: "<op> <key> <writer> <seq>\n", op one of
// PUT (Put), PIA (PutIfAbsent), MP (multipart), DEL (delete), WIN (a
// PutIfAbsent race won). A last line without '\n' was never acknowledged.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace strata::objstore::crashtest {

inline uint64_t Fnv1a64(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline std::string MakeObject(const std::string& key, int writer, uint64_t seq, size_t body_bytes) {
  std::string body(body_bytes, '\0');
  uint64_t state = (static_cast<uint64_t>(writer) << 40) ^ seq ^ Fnv1a64(key);
  for (size_t i = 0; i < body_bytes; i += 8) {
    uint64_t v = SplitMix64(state);
    std::memcpy(body.data() + i, &v, std::min<size_t>(8, body_bytes - i));
  }
  return fmt::format("strata-crash-object v1\nkey={}\nwriter={}\nseq={}\nbody_bytes={}\nbody_fnv={:016x}\n\n", key,
                     writer, seq, body_bytes, Fnv1a64(body)) +
         body;
}

struct ObjectIdentity {
  int writer = -1;
  uint64_t seq = 0;
};

// The writer and seq of a well-formed object stored under `key`, or an
// explanation of what is wrong with it.
inline std::optional<ObjectIdentity> VerifyObject(const std::string& key, std::string_view data,
                                                  std::string* why) {
  size_t end = data.find("\n\n");
  if (end == std::string_view::npos || !data.starts_with("strata-crash-object v1\n")) {
    *why = fmt::format("no header ({} bytes)", data.size());
    return std::nullopt;
  }
  std::istringstream header{std::string(data.substr(0, end))};
  std::string line, got_key;
  ObjectIdentity id;
  uint64_t body_bytes = 0, body_fnv = 0;
  int fields = 0;
  while (std::getline(header, line) && fields < 64) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = line.substr(0, eq), value = line.substr(eq + 1);
    if (name == "key") got_key = value;
    if (name == "writer") id.writer = std::stoi(value);
    if (name == "seq") id.seq = std::stoull(value);
    if (name == "body_bytes") body_bytes = std::stoull(value);
    if (name == "body_fnv") body_fnv = std::stoull(value, nullptr, 16);
    fields++;
  }
  std::string_view body = data.substr(end + 2);
  if (got_key != key) *why = "header names key '" + got_key + "'";
  else if (body.size() != body_bytes) *why = fmt::format("body is {} bytes, header says {}", body.size(), body_bytes);
  else if (Fnv1a64(body) != body_fnv) *why = "body checksum mismatch";
  else return id;
  return std::nullopt;
}

struct Ack {
  std::string op;
  std::string key;
  int writer = -1;
  uint64_t seq = 0;
};

inline std::string JournalLine(std::string_view op, const std::string& key, int writer, uint64_t seq) {
  return fmt::format("{} {} {} {}\n", op, key, writer, seq);
}

// The acknowledged writes of one journal, in order (a missing journal: none).
inline std::vector<Ack> ReadJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Ack> acks;
  size_t start = 0;
  while (start < all.size()) {  // bounded: start strictly increases
    size_t nl = all.find('\n', start);
    if (nl == std::string::npos) break;  // torn last line: never acknowledged
    std::istringstream line(all.substr(start, nl - start));
    Ack ack;
    if (line >> ack.op >> ack.key >> ack.writer >> ack.seq) acks.push_back(std::move(ack));
    start = nl + 1;
  }
  return acks;
}

}  // namespace strata::objstore::crashtest

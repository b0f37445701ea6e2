#include "meta/log/framing.h"

#include <fmt/format.h>

#include <array>

#include "common/coding.h"
#include "common/crc32c.h"

namespace strata::meta::internal {
namespace {

constexpr size_t kCrcBytes = 4;
// magic + format version + 1-byte cluster_id length + version + payload length + crc.
constexpr size_t kFrameBytesMin = kMagicBytes + 4 + 1 + 8 + 8 + kCrcBytes;

constexpr std::array<const FrameKind*, 3> kAllKinds = {&kLogEntryKind, &kImageKind, &kLineageKind};

uint32_t LoadFixed32(std::string_view b) {
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r |= static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return r;
}

Status Damaged(const FrameKind& kind, std::string_view key, std::string_view what) {
  return DataLoss(fmt::format("{} {}: {}", kind.name, key, what));
}

// DataLoss for a wrong magic, naming what the object seems to be instead.
Status BadMagic(const FrameKind& kind, std::string_view key, std::string_view magic) {
  for (const FrameKind* other : kAllKinds) {
    if (other->magic == magic) {
      return Damaged(kind, key, fmt::format("holds a record of kind '{}' instead (magic {})", other->name, magic));
    }
  }
  return Damaged(kind, key, fmt::format("bad magic (expected {}): not a Strata {}", kind.magic, kind.name));
}

}  // namespace

std::string VersionDigits(uint64_t version) { return fmt::format("{:020}", version); }

bool ParseVersionDigits(std::string_view digits, uint64_t* version) {
  if (digits.size() != 20) return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;  // past 18446744073709551615
    v = v * 10 + d;
  }
  *version = v;
  return true;
}

std::string Frame(const FrameKind& kind, std::string_view cluster_id, uint64_t version, std::string_view payload) {
  STRATA_CHECK(kind.magic.size() == kMagicBytes, "frame magic must be 8 bytes");
  STRATA_CHECK(!cluster_id.empty() && cluster_id.size() <= kClusterIdBytesMax, "cluster_id length out of range");
  Encoder e;
  e.PutRaw(kind.magic);
  e.PutFixed32(kFrameFormatVersion);
  e.PutString(cluster_id);
  e.PutFixed64(version);
  e.PutFixed64(payload.size());
  e.PutRaw(payload);
  e.PutFixed32(Crc32c(e.data()));
  return e.Take();
}

Result<FrameFields> ParseFrame(const FrameKind& kind, std::string_view key, std::string_view bytes) {
  if (bytes.size() < kMagicBytes) {
    return Damaged(kind, key, fmt::format("truncated: {} bytes, shorter than the magic", bytes.size()));
  }
  if (bytes.substr(0, kMagicBytes) != kind.magic) return BadMagic(kind, key, bytes.substr(0, kMagicBytes));
  if (bytes.size() < kFrameBytesMin) {
    return Damaged(kind, key, fmt::format("truncated: {} bytes, the smallest is {}", bytes.size(), kFrameBytesMin));
  }
  std::string_view body = bytes.substr(0, bytes.size() - kCrcBytes);
  uint32_t stored_crc = LoadFixed32(bytes.substr(body.size()));
  uint32_t actual_crc = Crc32c(body);
  if (stored_crc != actual_crc) {
    return Damaged(kind, key,
                   fmt::format("checksum mismatch (stored {:08x}, computed {:08x} over {} bytes): damaged or truncated",
                               stored_crc, actual_crc, body.size()));
  }
  Decoder d(body.substr(kMagicBytes));
  uint32_t format_version = 0;
  STRATA_RETURN_IF_ERROR(d.GetFixed32(&format_version));
  if (format_version > kFrameFormatVersion) {
    return FailedPrecondition(
        fmt::format("{} {}: format version {} was written by a newer Strata (this one reads up to {})", kind.name,
                    key, format_version, kFrameFormatVersion));
  }
  if (format_version == 0) return Damaged(kind, key, "format version 0 is invalid");
  FrameFields f;
  uint64_t id_len = 0;
  Status s = d.GetVarint(&id_len);
  if (!s.ok()) return s.WithContext(fmt::format("{} {}: cluster_id length", kind.name, key));
  if (id_len == 0 || id_len > kClusterIdBytesMax || id_len > d.remaining()) {
    return Damaged(kind, key, fmt::format("cluster_id length {} out of range", id_len));
  }
  STRATA_RETURN_IF_ERROR(d.GetRaw(id_len, &f.cluster_id));
  uint64_t payload_len = 0;
  s = d.GetFixed64(&f.version);
  if (s.ok()) s = d.GetFixed64(&payload_len);
  if (!s.ok()) return s.WithContext(fmt::format("{} {}: header", kind.name, key));
  if (payload_len != d.remaining()) {
    return Damaged(kind, key, fmt::format("payload length {} but {} bytes follow the header", payload_len,
                                          d.remaining()));
  }
  STRATA_RETURN_IF_ERROR(d.GetRaw(payload_len, &f.payload));
  return f;
}

Result<std::string> Unframe(const FrameKind& kind, std::string_view key, std::string_view cluster_id,
                            uint64_t version, std::string_view bytes) {
  STRATA_ASSIGN_OR_RETURN(FrameFields f, ParseFrame(kind, key, bytes));
  if (f.cluster_id != cluster_id) {
    return Damaged(kind, key, fmt::format("belongs to lineage {}, expected {} (misplaced object)", f.cluster_id,
                                          cluster_id));
  }
  if (f.version != version) {
    return Damaged(kind, key, fmt::format("holds version {}, expected {} (misplaced object)", f.version, version));
  }
  return std::string(f.payload);
}

}  // namespace strata::meta::internal

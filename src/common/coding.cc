#include "common/coding.h"

#include <cstring>

namespace strata {
namespace {
Status Truncated(const char* what) { return DataLoss(std::string("truncated input reading ") + what); }
}  // namespace

void Encoder::PutFixed32(uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out_.append(b, 4);
}

void Encoder::PutFixed64(uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out_.append(b, 8);
}

void Encoder::PutVarint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void Encoder::PutSignedVarint(int64_t v) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void Encoder::PutString(std::string_view s) {
  PutVarint(s.size());
  out_.append(s);
}

Status Decoder::GetFixed32(uint32_t* v) {
  if (in_.size() < 4) return Truncated("fixed32");
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r |= static_cast<uint32_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
  in_.remove_prefix(4);
  *v = r;
  return Status::OK();
}

Status Decoder::GetFixed64(uint64_t* v) {
  if (in_.size() < 8) return Truncated("fixed64");
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
  in_.remove_prefix(8);
  *v = r;
  return Status::OK();
}

Status Decoder::GetVarint(uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (in_.empty()) return Truncated("varint");
    auto byte = static_cast<unsigned char>(in_.front());
    in_.remove_prefix(1);
    if (shift == 63 && byte > 1) return DataLoss("varint overflows 64 bits");
    r |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = r;
      return Status::OK();
    }
  }
  return DataLoss("varint longer than 10 bytes");
}

Status Decoder::GetSignedVarint(int64_t* v) {
  uint64_t u;
  STRATA_RETURN_IF_ERROR(GetVarint(&u));
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return Status::OK();
}

Status Decoder::GetBool(bool* v) {
  if (in_.empty()) return Truncated("bool");
  auto byte = static_cast<unsigned char>(in_.front());
  if (byte > 1) return DataLoss("bool byte is " + std::to_string(byte));
  in_.remove_prefix(1);
  *v = byte == 1;
  return Status::OK();
}

Status Decoder::GetString(std::string* s) {
  uint64_t n;
  STRATA_RETURN_IF_ERROR(GetVarint(&n));
  if (n > in_.size()) return Truncated("string");
  s->assign(in_.data(), n);
  in_.remove_prefix(n);
  return Status::OK();
}

Status Decoder::GetRaw(size_t n, std::string_view* s) {
  if (n > in_.size()) return Truncated("bytes");
  *s = in_.substr(0, n);
  in_.remove_prefix(n);
  return Status::OK();
}

}  // namespace strata

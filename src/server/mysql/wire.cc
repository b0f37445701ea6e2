#include "server/mysql/wire.h"

namespace strata::server::mysql {

void WireWriter::Fixed(uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void WireWriter::LenencInt(uint64_t v) {
  if (v < 251) {
    U8(static_cast<uint8_t>(v));
  } else if (v < (1u << 16)) {
    U8(0xFC);
    Fixed(v, 2);
  } else if (v < (1u << 24)) {
    U8(0xFD);
    Fixed(v, 3);
  } else {
    U8(0xFE);
    Fixed(v, 8);
  }
}

void WireWriter::LenencStr(std::string_view s) {
  LenencInt(s.size());
  out_.append(s);
}

void WireWriter::NulStr(std::string_view s) {
  out_.append(s);
  out_.push_back('\0');
}

bool WireReader::Fixed(int bytes, uint64_t* v) {
  if (bytes < 0 || in_.size() < static_cast<size_t>(bytes)) return false;
  uint64_t r = 0;
  for (int i = 0; i < bytes; i++) r |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
  in_.remove_prefix(bytes);
  *v = r;
  return true;
}

bool WireReader::U8(uint8_t* v) {
  uint64_t r;
  if (!Fixed(1, &r)) return false;
  *v = static_cast<uint8_t>(r);
  return true;
}

bool WireReader::U16(uint16_t* v) {
  uint64_t r;
  if (!Fixed(2, &r)) return false;
  *v = static_cast<uint16_t>(r);
  return true;
}

bool WireReader::U32(uint32_t* v) {
  uint64_t r;
  if (!Fixed(4, &r)) return false;
  *v = static_cast<uint32_t>(r);
  return true;
}

bool WireReader::U64(uint64_t* v) { return Fixed(8, v); }

bool WireReader::LenencInt(uint64_t* v) {
  uint8_t first;
  if (!PeekU8(&first)) return false;
  if (first < 0xFB) {
    in_.remove_prefix(1);
    *v = first;
    return true;
  }
  if (first == 0xFB || first == 0xFF) return false;
  int bytes = first == 0xFC ? 2 : first == 0xFD ? 3 : 8;
  if (in_.size() < static_cast<size_t>(1 + bytes)) return false;
  in_.remove_prefix(1);
  return Fixed(bytes, v);
}

bool WireReader::LenencStr(std::string_view* s) {
  uint64_t n;
  WireReader save = *this;
  if (!LenencInt(&n) || n > in_.size()) {
    *this = save;
    return false;
  }
  *s = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

bool WireReader::NulStr(std::string_view* s, bool to_end_ok) {
  size_t nul = in_.find('\0');
  if (nul == std::string_view::npos) {
    if (!to_end_ok) return false;
    *s = in_;
    in_ = {};
    return true;
  }
  *s = in_.substr(0, nul);
  in_.remove_prefix(nul + 1);
  return true;
}

bool WireReader::Bytes(size_t n, std::string_view* s) {
  if (n > in_.size()) return false;
  *s = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

bool WireReader::Skip(size_t n) {
  if (n > in_.size()) return false;
  in_.remove_prefix(n);
  return true;
}

bool WireReader::PeekU8(uint8_t* v) const {
  if (in_.empty()) return false;
  *v = static_cast<uint8_t>(in_[0]);
  return true;
}

}  // namespace strata::server::mysql

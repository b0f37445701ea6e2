// Wire primitives of the MySQL client/server protocol: little-endian fixed
// integers, length-encoded integers and strings, NUL-terminated strings —
// an appending writer and a bounds-checked reader over one packet payload.
//
// The reader never reads past its input: every getter returns false when the
// bytes run out (a malformed packet from the network), and the caller answers
// with an error packet. Nothing here allocates more than the input's size.
//
// Thread-safety: value types; one object per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::server::mysql {

class WireWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Fixed(v, 2); }
  void U24(uint32_t v) { Fixed(v, 3); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void Fixed(uint64_t v, int bytes);
  void LenencInt(uint64_t v);
  void LenencStr(std::string_view s);
  void NulStr(std::string_view s);  // s must not contain NUL
  void Raw(std::string_view s) { out_.append(s); }
  void Zeros(size_t n) { out_.append(n, '\0'); }

  std::string& data() { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}

  bool U8(uint8_t* v);
  bool U16(uint16_t* v);
  bool U32(uint32_t* v);
  bool U64(uint64_t* v);
  bool Fixed(int bytes, uint64_t* v);
  // 0xFB (NULL) and 0xFF (error marker) are rejected: callers that accept a
  // NULL check for it with PeekU8 first.
  bool LenencInt(uint64_t* v);
  bool LenencStr(std::string_view* s);
  // Up to (not including) the next NUL, which is consumed. Without a NUL:
  // false, unless `to_end_ok`, in which case the rest of the input.
  bool NulStr(std::string_view* s, bool to_end_ok = false);
  bool Bytes(size_t n, std::string_view* s);
  bool Skip(size_t n);
  bool PeekU8(uint8_t* v) const;
  std::string_view Rest() { std::string_view r = in_; in_ = {}; return r; }

  size_t remaining() const { return in_.size(); }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace strata::server::mysql

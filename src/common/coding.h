// Binary encoding for persistent formats: little-endian fixed-width integers,
// LEB128 varints, length-prefixed strings. Writers append to a std::string;
// readers consume a string_view and report truncation or overflow as DataLoss
// (the bytes came from storage, so a short read means damage, not a bug).
//
//   Encoder e; e.PutVarint(7); e.PutString("db1"); std::string bytes = e.Take();
//   Decoder d(bytes); uint64_t v; std::string s;
//   STRATA_RETURN_IF_ERROR(d.GetVarint(&v)); STRATA_RETURN_IF_ERROR(d.GetString(&s));
//
// Thread-safety: value types; one object per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata {

class Encoder {
 public:
  void PutFixed32(uint32_t v);
  void PutFixed64(uint64_t v);
  void PutVarint(uint64_t v);
  void PutSignedVarint(int64_t v);  // zig-zag
  void PutBool(bool v) { out_.push_back(v ? 1 : 0); }
  void PutString(std::string_view s);  // varint length + bytes
  void PutRaw(std::string_view s) { out_.append(s); }

  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }
  size_t size() const { return out_.size(); }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  Status GetFixed32(uint32_t* v);
  Status GetFixed64(uint64_t* v);
  Status GetVarint(uint64_t* v);
  Status GetSignedVarint(int64_t* v);
  Status GetBool(bool* v);
  // Strings longer than the remaining input are DataLoss.
  Status GetString(std::string* s);
  Status GetRaw(size_t n, std::string_view* s);

  bool empty() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

 private:
  std::string_view in_;
};

}  // namespace strata

#include "storage/encoding.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <functional>

#include "common/check.h"
#include "common/coding.h"

namespace strata::storage {
namespace {

int PlainWidthBytes(const ColumnType& t) {
  switch (t.type) {
    case DataType::kTinyInt:
    case DataType::kBoolean: return 1;
    case DataType::kSmallInt: return 2;
    case DataType::kInt:
    case DataType::kDate:
    case DataType::kFloat: return 4;
    case DataType::kLargeInt: return 16;
    case DataType::kDecimal: return t.precision > 18 ? 16 : 8;
    default: return 8;
  }
}

int BitWidth(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

// Packs each value's low `width` bits, LSB first.
void PackBits(const std::vector<uint64_t>& v, int width, std::string* out) {
  out->push_back(static_cast<char>(width));
  unsigned __int128 acc = 0;
  int bits = 0;
  for (uint64_t x : v) {
    acc |= static_cast<unsigned __int128>(x) << bits;
    bits += width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(acc & 0xff));
}

// Values [0, safe) of width W (a compile-time constant, so every offset and
// shift below is one): eight values span exactly W bytes, each read with one
// unaligned 8-byte load. Returns how many it emitted (a multiple of 8).
template <int W, typename Emit>
size_t UnpackGroupsOf8(const char* p, size_t safe, Emit& emit) {
  constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
  const size_t groups = safe / 8;
  for (size_t g = 0; g < groups; ++g) {
    const char* q = p + g * W;
    const size_t base = g * 8;
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      uint64_t word;
      std::memcpy(&word, q + (j * W) / 8, 8);
      emit(base + j, (word >> ((j * W) % 8)) & kMask);
    }
  }
  return groups * 8;
}

template <typename Emit>
size_t UnpackGroupsOf8(int width, const char* p, size_t safe, Emit& emit) {
  switch (width) {
#define STRATA_UNPACK_CASE(W) \
  case W: return UnpackGroupsOf8<W>(p, safe, emit);
    STRATA_UNPACK_CASE(1) STRATA_UNPACK_CASE(2) STRATA_UNPACK_CASE(3) STRATA_UNPACK_CASE(4)
    STRATA_UNPACK_CASE(5) STRATA_UNPACK_CASE(6) STRATA_UNPACK_CASE(7) STRATA_UNPACK_CASE(8)
    STRATA_UNPACK_CASE(9) STRATA_UNPACK_CASE(10) STRATA_UNPACK_CASE(11) STRATA_UNPACK_CASE(12)
    STRATA_UNPACK_CASE(13) STRATA_UNPACK_CASE(14) STRATA_UNPACK_CASE(15) STRATA_UNPACK_CASE(16)
    STRATA_UNPACK_CASE(17) STRATA_UNPACK_CASE(18) STRATA_UNPACK_CASE(19) STRATA_UNPACK_CASE(20)
    STRATA_UNPACK_CASE(21) STRATA_UNPACK_CASE(22) STRATA_UNPACK_CASE(23) STRATA_UNPACK_CASE(24)
    STRATA_UNPACK_CASE(25) STRATA_UNPACK_CASE(26) STRATA_UNPACK_CASE(27) STRATA_UNPACK_CASE(28)
    STRATA_UNPACK_CASE(29) STRATA_UNPACK_CASE(30) STRATA_UNPACK_CASE(31) STRATA_UNPACK_CASE(32)
#undef STRATA_UNPACK_CASE
    default: return 0;  // wider values: the general loop
  }
}

// Calls emit(i, value) for each of `count` values of `width` bits packed
// little-endian in `raw` (which holds at least count * width bits).
template <typename Emit>
void ForEachPacked(std::string_view raw, size_t count, int width, Emit emit) {
  const uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
  size_t i = 0;
  if (width > 0 && width <= 56 && raw.size() >= 8) {
    // One unaligned 8-byte load per value while 8 bytes remain past its first
    // bit: value i starts in byte i*width/8, which is <= raw.size() - 8 exactly
    // when i*width <= 8*raw.size() - 57.
    const size_t safe = std::min(count, (raw.size() * 8 - 57) / static_cast<size_t>(width) + 1);
    const char* p = raw.data();
    i = UnpackGroupsOf8(width, p, safe, emit);
    size_t bit = i * static_cast<size_t>(width);
    for (; i < safe; ++i, bit += static_cast<size_t>(width)) {
      uint64_t word;
      std::memcpy(&word, p + (bit >> 3), 8);
      emit(i, (word >> (bit & 7)) & mask);
    }
  }
  size_t bit = i * static_cast<size_t>(width);
  size_t pos = bit >> 3;
  unsigned __int128 acc = 0;
  int bits = 0;
  if (bit & 7) {
    acc = static_cast<uint8_t>(raw[pos++]) >> (bit & 7);
    bits = 8 - static_cast<int>(bit & 7);
  }
  for (; i < count; ++i) {
    while (bits < width) {
      acc |= static_cast<unsigned __int128>(static_cast<uint8_t>(raw[pos++])) << bits;
      bits += 8;
    }
    emit(i, static_cast<uint64_t>(acc) & mask);
    acc >>= width;
    bits -= width;
  }
}

// The packed bytes of `count` values (after the width byte).
Status PackedRaw(Decoder* d, size_t count, int* width, std::string_view* raw) {
  std::string_view w;
  STRATA_RETURN_IF_ERROR(d->GetRaw(1, &w));
  *width = static_cast<uint8_t>(w[0]);
  if (*width > 64) return DataLoss("bit width " + std::to_string(*width) + " > 64");
  size_t nbytes = (count * static_cast<size_t>(*width) + 7) / 8;
  return d->GetRaw(nbytes, raw);
}

// Calls emit(j, value) for the value at position positions[j] of those of
// `width` bits packed little-endian in `raw` (which holds every position's
// bits: PackedRaw of more values than the largest position). Value i starts
// at bit i * width.
template <typename Emit>
void ForEachPackedAt(std::string_view raw, int width, std::span<const uint32_t> positions, Emit emit) {
  const size_t w = static_cast<size_t>(width);
  const uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
  const char* const p = raw.data();
  size_t j = 0;
  if (width == 0) {
    for (; j < positions.size(); ++j) emit(j, 0);
    return;
  }
  if (width <= 56 && raw.size() >= 8) {
    // One unaligned 8-byte load per value while 8 bytes remain from its
    // first byte (positions below `safe`, as in ForEachPacked); a value
    // starts within its first byte at bit <= 7, so its <= 56 bits are in the load.
    const size_t safe = (raw.size() * 8 - 57) / w + 1;
    for (; j < positions.size() && positions[j] < safe; ++j) {
      const size_t bit = positions[j] * w;
      uint64_t word;
      std::memcpy(&word, p + (bit >> 3), 8);
      emit(j, (word >> (bit & 7)) & mask);
    }
  }
  for (; j < positions.size(); ++j) {  // near the end, or wider values: the bytes the value spans (<= 9)
    const size_t bit = positions[j] * w;
    const size_t end_byte = (bit + w + 7) / 8;
    unsigned __int128 acc = 0;
    for (size_t b = bit >> 3, shift = 0; b < end_byte; ++b, shift += 8) {
      acc |= static_cast<unsigned __int128>(static_cast<uint8_t>(p[b])) << shift;
    }
    emit(j, static_cast<uint64_t>(acc >> (bit & 7)) & mask);
  }
}

// Room for `extra` more elements, growing geometrically: a column reserved
// for its row group (the reader's) is not touched, and appending page after
// page to an unreserved vector stays linear.
template <typename Vec>
void ReserveForAppend(Vec* v, size_t extra) {
  const size_t need = v->size() + extra;
  if (need > v->capacity()) v->reserve(std::max(need, 2 * v->capacity()));
}

// Appends map(x) for each of the `count` packed values in `raw`, written
// straight into the column's new slots (Int64Values: growing it does not zero
// them first, so each slot is written once).
template <typename Map>
void AppendUnpacked(std::string_view raw, size_t count, int width, Int64Values* out, Map map) {
  ReserveForAppend(out, count);
  const size_t base = out->size();
  out->resize(base + count);
  int64_t* const o = out->data() + base;
  ForEachPacked(raw, count, width, [o, map](size_t i, uint64_t x) { o[i] = map(x); });
}

// The same for the packed values at `positions` only (ForEachPackedAt).
template <typename Map>
void AppendPackedAt(std::string_view raw, int width, std::span<const uint32_t> positions, Int64Values* out, Map map) {
  ReserveForAppend(out, positions.size());
  const size_t base = out->size();
  out->resize(base + positions.size());
  int64_t* const o = out->data() + base;
  ForEachPackedAt(raw, width, positions, [o, map](size_t j, uint64_t x) { o[j] = map(x); });
}

// Appends read(p + position * width_bytes) for each of `positions`:
// fixed-width PLAIN values, picked.
template <typename Vec, typename Read>
void AppendPlainAt(const char* p, size_t width_bytes, std::span<const uint32_t> positions, Vec* out, Read read) {
  ReserveForAppend(out, positions.size());
  const size_t base = out->size();
  out->resize(base + positions.size());
  auto* const o = out->data() + base;
  for (size_t j = 0; j < positions.size(); ++j) o[j] = read(p + positions[j] * width_bytes);
}

template <typename T>
T LoadLE(const char* p) {  // little-endian host (x86-64/arm64)
  T x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

// Calls f(read), read(p) being the int64-kind PLAIN value of `w` bytes at p,
// narrow ones sign-extended: a load of a width known at compile time (a
// memcpy of `w` bytes would be a call per value).
template <typename F>
void WithPlainIntReader(int w, F f) {
  switch (w) {
    case 1: f([](const char* q) { return int64_t{LoadLE<int8_t>(q)}; }); break;
    case 2: f([](const char* q) { return int64_t{LoadLE<int16_t>(q)}; }); break;
    case 4: f([](const char* q) { return int64_t{LoadLE<int32_t>(q)}; }); break;
    default: f(LoadLE<int64_t>); break;
  }
}

// Dictionary indices of string pages are unpacked in blocks of this many.
constexpr size_t kUnpackBlockValues = 1024;

void PutLE(std::string* out, const void* p, int n) { out->append(static_cast<const char*>(p), n); }

size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
size_t PackedBytes(size_t count, int width) { return 1 + (count * static_cast<size_t>(width) + 7) / 8; }

size_t PlainSize(const ColumnType& t, const PageValuesView& v) {
  switch (KindOf(t)) {
    case PhysicalKind::kInt64: return v.ints.size() * PlainWidthBytes(t);
    case PhysicalKind::kInt128: return v.wides.size() * 16;
    case PhysicalKind::kDouble: return v.doubles.size() * PlainWidthBytes(t);
    case PhysicalKind::kBytes: {
      size_t n = 0;
      for (std::string_view x : v.strings) n += VarintBytes(x.size()) + x.size();
      return n;
    }
  }
  return 0;
}

std::string EncodePlain(const ColumnType& t, const PageValuesView& v) {
  std::string out;
  out.reserve(PlainSize(t, v));
  int w = PlainWidthBytes(t);
  switch (KindOf(t)) {
    case PhysicalKind::kInt64:
      for (int64_t x : v.ints) PutLE(&out, &x, w);  // little-endian host (x86-64/arm64)
      break;
    case PhysicalKind::kInt128:
      for (int128 x : v.wides) PutLE(&out, &x, 16);
      break;
    case PhysicalKind::kDouble:
      for (double x : v.doubles) {
        if (w == 4) { float f = static_cast<float>(x); PutLE(&out, &f, 4); }
        else PutLE(&out, &x, 8);
      }
      break;
    case PhysicalKind::kBytes: {
      Encoder e;
      for (std::string_view s : v.strings) e.PutString(s);
      out = e.Take();
      break;
    }
  }
  return out;
}

// A varint at *p (before `end`), exactly as Decoder::GetVarint reads it:
// at most 10 bytes, the 10th at most 1. False when truncated or overlong.
// Inline because PLAIN strings read one per value.
inline bool ReadVarint(const char** p, const char* end, uint64_t* v) {
  const char* q = *p;
  if (q < end && static_cast<uint8_t>(*q) < 0x80) {  // lengths < 128: the common case
    *v = static_cast<uint8_t>(*q);
    *p = q + 1;
    return true;
  }
  uint64_t r = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (q == end) return false;
    const auto byte = static_cast<uint8_t>(*q++);
    if (shift == 63 && byte > 1) return false;
    r |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = r;
      *p = q;
      return true;
    }
  }
  return false;
}

// PLAIN strings: (varint length, bytes) each, appended to `out` (one copy
// of the bytes, into the column's blocks). kPicked: only
// the strings at `positions` (ascending) are constructed; every length is
// still read and checked (the next string starts after this one).
template <bool kPicked = false>
Status DecodePlainStrings(Decoder* d, size_t count, StringColumn* out, std::span<const uint32_t> positions = {}) {
  if (count > d->remaining()) return DataLoss("more strings than bytes");
  std::string_view all;
  STRATA_RETURN_IF_ERROR(d->GetRaw(d->remaining(), &all));
  const char* p = all.data();
  const char* const end = p + all.size();
  ReserveForAppend(out, kPicked ? positions.size() : count);
  if (!kPicked) out->ReserveBytes(all.size());  // the values' bytes, in one block
  size_t j = 0;  // kPicked: the next position to construct
  for (size_t i = 0; i < count; ++i) {
    uint64_t n = 0;
    if (!ReadVarint(&p, end, &n)) return DataLoss("string " + std::to_string(i) + ": bad or truncated length");
    if (n > static_cast<uint64_t>(end - p)) return DataLoss("string " + std::to_string(i) + " truncated");
    if constexpr (kPicked) {
      if (j < positions.size() && positions[j] == i) {
        out->emplace_back(p, n);
        ++j;
      }
    } else {
      out->emplace_back(p, n);
    }
    p += n;
  }
  if (p != end) return DataLoss(std::to_string(end - p) + " trailing bytes");
  return Status::OK();
}

Status DecodePlain(const ColumnType& t, Decoder* d, size_t count, const ColumnVector::ValueBuffers& out) {
  int w = PlainWidthBytes(t);
  PhysicalKind k = KindOf(t);
  if (k == PhysicalKind::kBytes) return DecodePlainStrings(d, count, out.strings);
  std::string_view raw;
  STRATA_RETURN_IF_ERROR(d->GetRaw(count * w, &raw));
  // Little-endian host (x86-64/arm64): full-width values are the bytes themselves.
  auto copy_all = [&](auto* dst) {
    const size_t base = dst->size();
    dst->resize(base + count);
    if (count > 0) std::memcpy(dst->data() + base, raw.data(), count * w);
  };
  if (k == PhysicalKind::kInt128) {
    copy_all(out.wides);
  } else if (k == PhysicalKind::kDouble && w == 8) {
    copy_all(out.doubles);
  } else if (k == PhysicalKind::kInt64 && w == 8) {
    copy_all(out.ints);
  } else if (k == PhysicalKind::kDouble) {  // FLOAT
    const size_t base = out.doubles->size();
    out.doubles->resize(base + count);
    double* o = out.doubles->data() + base;
    for (size_t i = 0; i < count; ++i) {
      float f;
      std::memcpy(&f, raw.data() + i * 4, 4);
      o[i] = f;
    }
  } else {  // narrow integers: sign-extend
    const size_t base = out.ints->size();
    out.ints->resize(base + count);
    int64_t* o = out.ints->data() + base;
    WithPlainIntReader(w, [&](auto read) {
      for (size_t i = 0; i < count; ++i) o[i] = read(raw.data() + i * w);
    });
  }
  return Status::OK();
}

Status DecodePlainAt(const ColumnType& t, Decoder* d, size_t count, std::span<const uint32_t> positions,
                     const ColumnVector::ValueBuffers& out) {
  const PhysicalKind k = KindOf(t);
  if (k == PhysicalKind::kBytes) return DecodePlainStrings<true>(d, count, out.strings, positions);
  const size_t w = static_cast<size_t>(PlainWidthBytes(t));
  std::string_view raw;
  STRATA_RETURN_IF_ERROR(d->GetRaw(count * w, &raw));
  const char* p = raw.data();
  if (k == PhysicalKind::kInt128) {
    AppendPlainAt(p, w, positions, out.wides, LoadLE<int128>);
  } else if (k == PhysicalKind::kDouble) {
    if (w == 8) AppendPlainAt(p, w, positions, out.doubles, LoadLE<double>);
    else AppendPlainAt(p, w, positions, out.doubles, [](const char* q) { return double{LoadLE<float>(q)}; });
  } else {
    WithPlainIntReader(static_cast<int>(w), [&](auto read) { AppendPlainAt(p, w, positions, out.ints, read); });
  }
  return Status::OK();
}

// BIT_PACKED: fixed64 min, then (value - min) in the narrowest width.
int64_t MinOf(std::span<const int64_t> v) {
  int64_t mn = v.empty() ? 0 : v[0];
  for (int64_t x : v) mn = std::min(mn, x);
  return mn;
}
int BitPackedWidth(std::span<const int64_t> v, int64_t mn) {
  uint64_t max_delta = 0;
  for (int64_t x : v) max_delta = std::max(max_delta, static_cast<uint64_t>(x) - static_cast<uint64_t>(mn));
  return BitWidth(max_delta);
}
size_t BitPackedSize(std::span<const int64_t> v) { return 8 + PackedBytes(v.size(), BitPackedWidth(v, MinOf(v))); }

std::string EncodeBitPacked(const PageValuesView& v) {
  std::string out;
  const int64_t mn = MinOf(v.ints);
  Encoder e; e.PutFixed64(static_cast<uint64_t>(mn)); out = e.Take();
  std::vector<uint64_t> deltas; deltas.reserve(v.ints.size());
  for (int64_t x : v.ints) deltas.push_back(static_cast<uint64_t>(x) - static_cast<uint64_t>(mn));
  PackBits(deltas, BitPackedWidth(v.ints, mn), &out);
  return out;
}

Status DecodeBitPacked(Decoder* d, size_t count, Int64Values* out) {
  uint64_t mn = 0;
  STRATA_RETURN_IF_ERROR(d->GetFixed64(&mn));
  int width = 0;
  std::string_view raw;
  STRATA_RETURN_IF_ERROR(PackedRaw(d, count, &width, &raw));
  AppendUnpacked(raw, count, width, out, [mn](uint64_t x) { return static_cast<int64_t>(mn + x); });
  return Status::OK();
}

Status DecodeBitPackedAt(Decoder* d, size_t count, std::span<const uint32_t> positions, Int64Values* out) {
  uint64_t mn = 0;
  STRATA_RETURN_IF_ERROR(d->GetFixed64(&mn));
  int width = 0;
  std::string_view raw;
  STRATA_RETURN_IF_ERROR(PackedRaw(d, count, &width, &raw));
  AppendPackedAt(raw, width, positions, out, [mn](uint64_t x) { return static_cast<int64_t>(mn + x); });
  return Status::OK();
}

// RUN_LENGTH: (varint run length >= 1, svarint value) pairs covering count values.
size_t RunLengthSize(std::span<const int64_t> v) {
  size_t n = 0;
  for (size_t i = 0; i < v.size();) {  // bounded: each pass consumes >= 1 value
    size_t j = i + 1;
    while (j < v.size() && v[j] == v[i]) ++j;
    n += VarintBytes(j - i) + VarintBytes(ZigZag(v[i]));
    i = j;
  }
  return n;
}

std::string EncodeRunLength(const PageValuesView& v) {
  Encoder e;
  for (size_t i = 0; i < v.ints.size();) {
    size_t j = i;
    while (j < v.ints.size() && v.ints[j] == v.ints[i]) ++j;
    e.PutVarint(j - i);
    e.PutSignedVarint(v.ints[i]);
    i = j;
  }
  return e.Take();
}

Status DecodeRunLength(Decoder* d, size_t count, Int64Values* out) {
  size_t done = 0;
  while (done < count) {  // bounded: each run adds >= 1 value
    uint64_t run = 0; int64_t x = 0;
    STRATA_RETURN_IF_ERROR(d->GetVarint(&run));
    STRATA_RETURN_IF_ERROR(d->GetSignedVarint(&x));
    if (run == 0 || run > count - done) return DataLoss("bad run length " + std::to_string(run));
    out->insert(out->end(), run, x);
    done += run;
  }
  return Status::OK();
}

// Every run is read and checked; the selected positions inside a run take its value.
Status DecodeRunLengthAt(Decoder* d, size_t count, std::span<const uint32_t> positions, Int64Values* out) {
  ReserveForAppend(out, positions.size());
  const size_t base = out->size();
  out->resize(base + positions.size());
  int64_t* const o = out->data() + base;
  size_t done = 0, j = 0;
  while (done < count) {  // bounded: each run adds >= 1 value
    uint64_t run = 0; int64_t x = 0;
    STRATA_RETURN_IF_ERROR(d->GetVarint(&run));
    STRATA_RETURN_IF_ERROR(d->GetSignedVarint(&x));
    if (run == 0 || run > count - done) return DataLoss("bad run length " + std::to_string(run));
    done += run;
    for (; j < positions.size() && positions[j] < done; ++j) o[j] = x;
  }
  return Status::OK();
}

// DICTIONARY: varint entries, the entries (svarint or string), bit-packed indices.
// Built only while it can still be smaller than `size_bound`: the size of the
// entries so far plus their indices only grows with more entries.
template <typename T>
struct Dictionary {
  std::vector<T> entries;
  std::vector<uint64_t> idx;
  size_t entry_bytes = 0;  // encoded bytes of the entries

  size_t SizeWith(size_t count) const {
    size_t n = entries.size();
    return VarintBytes(n) + entry_bytes + PackedBytes(count, BitWidth(n <= 1 ? 0 : n - 1));
  }
};

size_t EntryBytes(int64_t x) { return VarintBytes(ZigZag(x)); }
size_t EntryBytes(std::string_view x) { return VarintBytes(x.size()) + x.size(); }

uint64_t HashOf(int64_t x) {
  auto h = static_cast<uint64_t>(x) * 0x9e3779b97f4a7c15ull;  // Fibonacci hashing: the high bits are mixed
  return h ^ (h >> 29);
}
uint64_t HashOf(std::string_view x) { return std::hash<std::string_view>{}(x); }

// nullopt when the dictionary has more than kDictionaryEntriesMax entries or
// would be at least `size_bound` bytes. An open-addressing table of entry
// numbers (no allocation per entry: pages are rebuilt for every column chunk).
template <typename T>
std::optional<Dictionary<T>> BuildDictionary(std::span<const T> vals, size_t size_bound) {
  Dictionary<T> d;
  size_t slots = 16;
  while (slots < 2 * std::min(vals.size(), kDictionaryEntriesMax)) slots *= 2;
  constexpr uint32_t kEmpty = UINT32_MAX;
  std::vector<uint32_t> table(slots, kEmpty);
  const size_t mask = slots - 1;
  d.idx.reserve(vals.size());
  for (const T& x : vals) {
    size_t slot = HashOf(x) & mask;
    while (table[slot] != kEmpty && !(d.entries[table[slot]] == x)) slot = (slot + 1) & mask;  // bounded: load <= 1/2
    if (table[slot] == kEmpty) {
      if (d.entries.size() >= kDictionaryEntriesMax) return std::nullopt;
      table[slot] = static_cast<uint32_t>(d.entries.size());
      d.entries.push_back(x);
      d.entry_bytes += EntryBytes(x);
      if (d.SizeWith(vals.size()) >= size_bound) return std::nullopt;
    }
    d.idx.push_back(table[slot]);
  }
  return d;
}

template <typename T>
std::string EncodeDictionary(const Dictionary<T>& d) {
  Encoder e;
  e.PutVarint(d.entries.size());
  for (const T& x : d.entries) {
    if constexpr (std::is_same_v<T, int64_t>) e.PutSignedVarint(x);
    else e.PutString(x);
  }
  std::string out = e.Take();
  PackBits(d.idx, BitWidth(d.entries.size() <= 1 ? 0 : d.entries.size() - 1), &out);
  return out;
}

// A DICTIONARY page's entries (of the kind's vector; string entries are
// views into the page) and its packed indices.
struct DictionaryPage {
  uint64_t n = 0;  // entries
  std::vector<int64_t> ints;
  std::vector<std::string_view> strings;
  int width = 0;
  std::string_view indices;  // `count` of `width` bits
};

// Reads the entries and the indices' bytes of a page of `count` values; a
// page with values and no entries is DataLoss (every index would be out of range).
Status ParseDictionary(PhysicalKind k, Decoder* d, size_t count, DictionaryPage* page) {
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(d->GetVarint(&n));
  if (n > d->remaining() || n > kDictionaryEntriesMax) return DataLoss("dictionary size " + std::to_string(n));
  page->n = n;
  if (k == PhysicalKind::kBytes) page->strings.resize(n);
  else page->ints.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (k == PhysicalKind::kBytes) {
      uint64_t len = 0;
      STRATA_RETURN_IF_ERROR(d->GetVarint(&len));
      STRATA_RETURN_IF_ERROR(d->GetRaw(len, &page->strings[i]));
    } else {
      STRATA_RETURN_IF_ERROR(d->GetSignedVarint(&page->ints[i]));
    }
  }
  STRATA_RETURN_IF_ERROR(PackedRaw(d, count, &page->width, &page->indices));
  if (count > 0 && n == 0) return DataLoss("dictionary index 0 >= 0");
  return Status::OK();
}

// Copies a string page's entries into `o` (in one block) and points them there.
void StoreEntries(DictionaryPage* page, StringColumn* o) {
  size_t entry_bytes = 0;
  for (std::string_view e : page->strings) entry_bytes += e.size();
  o->ReserveBytes(entry_bytes);
  for (std::string_view& e : page->strings) e = o->StoreBytes(e);
}

Status DictionaryIndexError(uint64_t max_index, uint64_t n) {
  return DataLoss("dictionary index " + std::to_string(max_index) + " >= " + std::to_string(n));
}

// The indices are checked as they are unpacked (an index out of range is
// replaced by 0 and the page then rejected), and every value is written
// straight into `out`: no vector of indices in between. String entries are
// views into the page (`d`'s input, alive for the call), copied into the
// column once; each row is a view of its entry there.
Status DecodeDictionary(PhysicalKind k, Decoder* d, size_t count, const ColumnVector::ValueBuffers& out) {
  DictionaryPage page;
  STRATA_RETURN_IF_ERROR(ParseDictionary(k, d, count, &page));
  if (count == 0) return Status::OK();
  const uint64_t n = page.n;
  const int width = page.width;
  const std::string_view raw = page.indices;
  uint64_t max_index = 0;
  if (k == PhysicalKind::kBytes) {
    // Indices first, a block of kUnpackBlockValues at a time (a multiple of 8,
    // so that a block starts on a byte of the packed bits), then the strings in a loop of their
    // own: constructing a string inside the unpacking loop (which may alias
    // the vector's pointers) made it about twice as slow.
    // The entries are copied into the column once; each row is a view of its
    // entry. A page decoded into an empty column also leaves its indices
    // there as the column's codes (StringColumn::AppendCodedViews).
    StringColumn& o = *out.strings;
    ReserveForAppend(&o, count);
    StoreEntries(&page, &o);
    const std::string_view* dict = page.strings.data();
    const bool coded = o.empty();
    NoInitVector<uint32_t> codes(coded ? count : 0);  // every one written below
    uint32_t block_buffer[kUnpackBlockValues];
    for (size_t first = 0; first < count; first += kUnpackBlockValues) {  // bounded by count
      const size_t m = std::min(kUnpackBlockValues, count - first);
      uint32_t* block = coded ? codes.data() + first : block_buffer;
      uint64_t block_max = 0;
      ForEachPacked(raw.substr(first / 8 * static_cast<size_t>(width)), m, width,
                    [block, &block_max, n](size_t i, uint64_t x) {
                      block_max = std::max(block_max, x);
                      block[i] = static_cast<uint32_t>(x < n ? x : 0);  // n <= kDictionaryEntriesMax
                    });
      max_index = std::max(max_index, block_max);
      if (!coded) o.AppendStoredViews(dict, block, m);
    }
    if (coded) o.AppendCodedViews(dict, n, std::move(codes));
  } else {
    // Captured by value, the out-of-range flag a bool: the column's int64
    // stores cannot alias them, so the loop keeps them in registers.
    const int64_t* dict = page.ints.data();
    const uint64_t entries = n;
    bool out_of_range = false;
    AppendUnpacked(raw, count, width, out.ints, [dict, entries, &out_of_range](uint64_t x) {
      out_of_range |= x >= entries;
      return dict[x < entries ? x : 0];
    });
    if (out_of_range) {  // the largest index, for the message (a damaged page: rare)
      ForEachPacked(raw, count, width, [&max_index](size_t, uint64_t x) { max_index = std::max(max_index, x); });
    }
  }
  if (max_index >= n) return DictionaryIndexError(max_index, n);
  return Status::OK();
}

// Only the selected indices are read, and so checked.
Status DecodeDictionaryAt(PhysicalKind k, Decoder* d, size_t count, std::span<const uint32_t> positions,
                          const ColumnVector::ValueBuffers& out) {
  DictionaryPage page;
  STRATA_RETURN_IF_ERROR(ParseDictionary(k, d, count, &page));
  if (positions.empty()) return Status::OK();
  const uint64_t n = page.n;  // > 0: ParseDictionary rejects no entries for count >= positions.size() > 0
  uint64_t max_index = 0;
  if (k == PhysicalKind::kBytes) {
    StringColumn& o = *out.strings;
    ReserveForAppend(&o, positions.size());
    if (o.empty() && positions.size() >= n) {
      // No more entries than selected rows: the entries are copied in once
      // and the rows view them, coded (as DecodeDictionary).
      StoreEntries(&page, &o);
      NoInitVector<uint32_t> codes(positions.size());  // every one written below
      ForEachPackedAt(page.indices, page.width, positions, [&codes, &max_index, n](size_t i, uint64_t x) {
        max_index = std::max(max_index, x);
        codes[i] = static_cast<uint32_t>(x < n ? x : 0);
      });
      o.AppendCodedViews(page.strings.data(), n, std::move(codes));
    } else {
      const std::string_view* dict = page.strings.data();
      ForEachPackedAt(page.indices, page.width, positions, [&o, &max_index, dict, n](size_t, uint64_t x) {
        max_index = std::max(max_index, x);
        const std::string_view s = dict[x < n ? x : 0];
        o.emplace_back(s.data(), s.size());
      });
    }
  } else {
    const int64_t* dict = page.ints.data();  // as in DecodeDictionary: a flag the stores cannot alias
    bool out_of_range = false;
    AppendPackedAt(page.indices, page.width, positions, out.ints, [dict, n, &out_of_range](uint64_t x) {
      out_of_range |= x >= n;
      return dict[x < n ? x : 0];
    });
    if (out_of_range) {
      ForEachPackedAt(page.indices, page.width, positions,
                      [&max_index](size_t, uint64_t x) { max_index = std::max(max_index, x); });
    }
  }
  if (max_index >= n) return DictionaryIndexError(max_index, n);
  return Status::OK();
}

// What every decode of a page's values ends with: the encoding as context,
// and no bytes left over.
Status FinishValues(Encoding e, const Status& s, const Decoder& d) {
  STRATA_RETURN_IF_ERROR(s.WithContext(EncodingName(e)));
  if (!d.empty()) return DataLoss(std::string(EncodingName(e)) + ": " + std::to_string(d.remaining()) + " trailing bytes");
  return Status::OK();
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  static constexpr std::string_view kNames[] = {"PLAIN", "DICTIONARY", "RUN_LENGTH", "BIT_PACKED"};
  auto i = static_cast<size_t>(e);
  return i <= kEncodingMax ? kNames[i] : "?";
}

bool EncodingApplies(const ColumnType& type, Encoding e) {
  PhysicalKind k = KindOf(type);
  switch (e) {
    case Encoding::kPlain: return true;
    case Encoding::kDictionary: return k == PhysicalKind::kInt64 || k == PhysicalKind::kBytes;
    case Encoding::kRunLength:
    case Encoding::kBitPacked: return k == PhysicalKind::kInt64;
  }
  return false;
}

std::string EncodeValues(const ColumnType& type, const PageValuesView& v, std::optional<Encoding> forced,
                         Encoding* chosen) {
  STRATA_CHECK(!forced || EncodingApplies(type, *forced), "forced encoding does not apply to the column type");
  const PhysicalKind k = KindOf(type);
  // Sizes first; a later candidate must be strictly smaller (cheapest to decode first).
  Encoding best = Encoding::kPlain;
  size_t best_size = SIZE_MAX;
  auto consider = [&](Encoding e, size_t size) {
    if (size < best_size) {
      best = e;
      best_size = size;
    }
  };
  auto wanted = [&](Encoding e) { return EncodingApplies(type, e) && (!forced || *forced == e); };
  if (wanted(Encoding::kPlain)) consider(Encoding::kPlain, PlainSize(type, v));
  if (wanted(Encoding::kRunLength)) consider(Encoding::kRunLength, RunLengthSize(v.ints));
  if (wanted(Encoding::kBitPacked)) consider(Encoding::kBitPacked, BitPackedSize(v.ints));
  std::optional<Dictionary<int64_t>> int_dict;
  std::optional<Dictionary<std::string_view>> string_dict;
  if (wanted(Encoding::kDictionary)) {
    if (k == PhysicalKind::kInt64) {
      int_dict = BuildDictionary(v.ints, best_size);
      if (int_dict) consider(Encoding::kDictionary, int_dict->SizeWith(v.ints.size()));
    } else {
      string_dict = BuildDictionary(v.strings, best_size);
      if (string_dict) consider(Encoding::kDictionary, string_dict->SizeWith(v.strings.size()));
    }
    // A forced dictionary that is too large still has to be written.
    if (forced && best_size == SIZE_MAX) {
      if (k == PhysicalKind::kInt64) int_dict = BuildDictionary(v.ints, SIZE_MAX);
      else string_dict = BuildDictionary(v.strings, SIZE_MAX);
      STRATA_CHECK(int_dict || string_dict, "forced DICTIONARY over kDictionaryEntriesMax entries");
      best = Encoding::kDictionary;
    }
  }
  *chosen = best;
  std::string out;
  switch (best) {
    case Encoding::kPlain: out = EncodePlain(type, v); break;
    case Encoding::kRunLength: out = EncodeRunLength(v); break;
    case Encoding::kBitPacked: out = EncodeBitPacked(v); break;
    case Encoding::kDictionary: out = int_dict ? EncodeDictionary(*int_dict) : EncodeDictionary(*string_dict); break;
  }
  STRATA_CHECK(best_size == SIZE_MAX || out.size() == best_size, "encoded size differs from the computed one");
  return out;
}

std::string EncodeValues(const ColumnType& type, const PageValues& v, std::optional<Encoding> forced,
                         Encoding* chosen) {
  std::vector<std::string_view> strings(v.strings.begin(), v.strings.end());
  return EncodeValues(type, PageValuesView{.ints = v.ints, .wides = v.wides, .doubles = v.doubles, .strings = strings},
                      forced, chosen);
}

Status DecodeValues(const ColumnType& type, Encoding e, std::string_view in, size_t count,
                    const ColumnVector::ValueBuffers& out) {
  if (!EncodingApplies(type, e)) return DataLoss("encoding " + std::string(EncodingName(e)) + " does not apply");
  Decoder d(in);
  Status s;
  switch (e) {
    case Encoding::kPlain: s = DecodePlain(type, &d, count, out); break;
    case Encoding::kDictionary: s = DecodeDictionary(KindOf(type), &d, count, out); break;
    case Encoding::kRunLength: s = DecodeRunLength(&d, count, out.ints); break;
    case Encoding::kBitPacked: s = DecodeBitPacked(&d, count, out.ints); break;
  }
  return FinishValues(e, s, d);
}

Status DecodeValuesAt(const ColumnType& type, Encoding e, std::string_view in, size_t count,
                      std::span<const uint32_t> positions, const ColumnVector::ValueBuffers& out) {
  STRATA_CHECK(AscendingBelow(positions, count), "DecodeValuesAt: positions not ascending below the count");
  if (!EncodingApplies(type, e)) return DataLoss("encoding " + std::string(EncodingName(e)) + " does not apply");
  Decoder d(in);
  Status s;
  switch (e) {
    case Encoding::kPlain: s = DecodePlainAt(type, &d, count, positions, out); break;
    case Encoding::kDictionary: s = DecodeDictionaryAt(KindOf(type), &d, count, positions, out); break;
    case Encoding::kRunLength: s = DecodeRunLengthAt(&d, count, positions, out.ints); break;
    case Encoding::kBitPacked: s = DecodeBitPackedAt(&d, count, positions, out.ints); break;
  }
  return FinishValues(e, s, d);
}

bool AscendingBelow(std::span<const uint32_t> positions, size_t end) {
  if (positions.empty()) return true;
  const uint32_t* p = positions.data();
  unsigned bad = positions.back() >= end;
  size_t j = 1;
  for (; j + 8 <= positions.size(); j += 8) {  // blocks of 8, no early exit: vectorized
    for (size_t k = 0; k < 8; ++k) bad |= p[j + k] <= p[j + k - 1];
  }
  for (; j < positions.size(); ++j) bad |= p[j] <= p[j - 1];
  return bad == 0;
}

Status DecodeValues(const ColumnType& type, Encoding e, std::string_view in, size_t count, PageValues* out) {
  Int64Values ints;
  STRATA_RETURN_IF_ERROR(DecodeValues(type, e, in, count,
                                      ColumnVector::ValueBuffers{.ints = &ints, .wides = &out->wides,
                                                                 .doubles = &out->doubles, .strings = &out->strings}));
  out->ints.insert(out->ints.end(), ints.begin(), ints.end());
  return Status::OK();
}

}  // namespace strata::storage

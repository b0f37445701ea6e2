#include "storage/encoding.h"

#include <cstring>
#include <unordered_map>

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

Status UnpackBits(Decoder* d, size_t count, std::vector<uint64_t>* out) {
  std::string_view w;
  STRATA_RETURN_IF_ERROR(d->GetRaw(1, &w));
  int width = static_cast<uint8_t>(w[0]);
  if (width > 64) return DataLoss("bit width " + std::to_string(width) + " > 64");
  size_t nbytes = (count * static_cast<size_t>(width) + 7) / 8;
  std::string_view raw;
  STRATA_RETURN_IF_ERROR(d->GetRaw(nbytes, &raw));
  out->resize(count);
  uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
  size_t pos = 0;
  unsigned __int128 acc = 0;
  int bits = 0;
  for (size_t i = 0; i < count; ++i) {
    while (bits < width) {
      acc |= static_cast<unsigned __int128>(static_cast<uint8_t>(raw[pos++])) << bits;
      bits += 8;
    }
    (*out)[i] = static_cast<uint64_t>(acc) & mask;
    acc >>= width;
    bits -= width;
  }
  return Status::OK();
}

void PutLE(std::string* out, const void* p, int n) { out->append(static_cast<const char*>(p), n); }

std::string EncodePlain(const ColumnType& t, const PageValues& v) {
  std::string out;
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
      for (const auto& s : v.strings) e.PutString(s);
      out = e.Take();
      break;
    }
  }
  return out;
}

Status DecodePlain(const ColumnType& t, Decoder* d, size_t count, PageValues* out) {
  int w = PlainWidthBytes(t);
  PhysicalKind k = KindOf(t);
  if (k == PhysicalKind::kBytes) {
    if (count > d->remaining()) return DataLoss("more strings than bytes");
    out->strings.resize(count);
    for (size_t i = 0; i < count; ++i) STRATA_RETURN_IF_ERROR(d->GetString(&out->strings[i]));
    return Status::OK();
  }
  std::string_view raw;
  STRATA_RETURN_IF_ERROR(d->GetRaw(count * w, &raw));
  for (size_t i = 0; i < count; ++i) {
    const char* p = raw.data() + i * w;
    if (k == PhysicalKind::kInt128) {
      int128 x; std::memcpy(&x, p, 16); out->wides.push_back(x);
    } else if (k == PhysicalKind::kDouble) {
      if (w == 4) { float f; std::memcpy(&f, p, 4); out->doubles.push_back(f); }
      else { double x; std::memcpy(&x, p, 8); out->doubles.push_back(x); }
    } else {
      int64_t x = 0; std::memcpy(&x, p, w);
      if (w < 8) x = (x << (64 - 8 * w)) >> (64 - 8 * w);  // sign-extend
      out->ints.push_back(x);
    }
  }
  return Status::OK();
}

// BIT_PACKED: fixed64 min, then (value - min) in the narrowest width.
std::string EncodeBitPacked(const PageValues& v) {
  std::string out;
  int64_t mn = v.ints.empty() ? 0 : v.ints[0];
  for (int64_t x : v.ints) mn = std::min(mn, x);
  Encoder e; e.PutFixed64(static_cast<uint64_t>(mn)); out = e.Take();
  std::vector<uint64_t> deltas; deltas.reserve(v.ints.size());
  uint64_t max_delta = 0;
  for (int64_t x : v.ints) {
    deltas.push_back(static_cast<uint64_t>(x) - static_cast<uint64_t>(mn));
    max_delta = std::max(max_delta, deltas.back());
  }
  PackBits(deltas, BitWidth(max_delta), &out);
  return out;
}

Status DecodeBitPacked(Decoder* d, size_t count, PageValues* out) {
  uint64_t mn = 0;
  STRATA_RETURN_IF_ERROR(d->GetFixed64(&mn));
  std::vector<uint64_t> deltas;
  STRATA_RETURN_IF_ERROR(UnpackBits(d, count, &deltas));
  for (uint64_t x : deltas) out->ints.push_back(static_cast<int64_t>(mn + x));
  return Status::OK();
}

// RUN_LENGTH: (varint run length >= 1, svarint value) pairs covering count values.
std::string EncodeRunLength(const PageValues& v) {
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

Status DecodeRunLength(Decoder* d, size_t count, PageValues* out) {
  size_t done = 0;
  while (done < count) {  // bounded: each run adds >= 1 value
    uint64_t run = 0; int64_t x = 0;
    STRATA_RETURN_IF_ERROR(d->GetVarint(&run));
    STRATA_RETURN_IF_ERROR(d->GetSignedVarint(&x));
    if (run == 0 || run > count - done) return DataLoss("bad run length " + std::to_string(run));
    out->ints.insert(out->ints.end(), run, x);
    done += run;
  }
  return Status::OK();
}

// DICTIONARY: varint entries, the entries (svarint or string), bit-packed indices.
template <typename T>
bool BuildDictionary(const std::vector<T>& vals, std::vector<T>* dict, std::vector<uint64_t>* idx) {
  std::unordered_map<T, uint64_t> pos;
  for (const T& x : vals) {
    auto [it, inserted] = pos.try_emplace(x, dict->size());
    if (inserted) {
      if (dict->size() >= kDictionaryEntriesMax) return false;
      dict->push_back(x);
    }
    idx->push_back(it->second);
  }
  return true;
}

std::optional<std::string> EncodeDictionary(PhysicalKind k, const PageValues& v) {
  Encoder e;
  std::vector<uint64_t> idx;
  size_t entries = 0;
  if (k == PhysicalKind::kInt64) {
    std::vector<int64_t> dict;
    if (!BuildDictionary(v.ints, &dict, &idx)) return std::nullopt;
    entries = dict.size();
    e.PutVarint(entries);
    for (int64_t x : dict) e.PutSignedVarint(x);
  } else {
    std::vector<std::string> dict;
    if (!BuildDictionary(v.strings, &dict, &idx)) return std::nullopt;
    entries = dict.size();
    e.PutVarint(entries);
    for (const auto& s : dict) e.PutString(s);
  }
  std::string out = e.Take();
  PackBits(idx, BitWidth(entries <= 1 ? 0 : entries - 1), &out);
  return out;
}

Status DecodeDictionary(PhysicalKind k, Decoder* d, size_t count, PageValues* out) {
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(d->GetVarint(&n));
  if (n > d->remaining() || n > kDictionaryEntriesMax) return DataLoss("dictionary size " + std::to_string(n));
  std::vector<int64_t> idict;
  std::vector<std::string> sdict(k == PhysicalKind::kBytes ? n : 0);
  for (uint64_t i = 0; i < n; ++i) {
    if (k == PhysicalKind::kBytes) { STRATA_RETURN_IF_ERROR(d->GetString(&sdict[i])); continue; }
    int64_t x = 0;
    STRATA_RETURN_IF_ERROR(d->GetSignedVarint(&x));
    idict.push_back(x);
  }
  std::vector<uint64_t> idx;
  STRATA_RETURN_IF_ERROR(UnpackBits(d, count, &idx));
  for (uint64_t i : idx) {
    if (i >= n) return DataLoss("dictionary index " + std::to_string(i) + " >= " + std::to_string(n));
    if (k == PhysicalKind::kBytes) out->strings.push_back(sdict[i]);
    else out->ints.push_back(idict[i]);
  }
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

std::string EncodeValues(const ColumnType& type, const PageValues& v, std::optional<Encoding> forced,
                         Encoding* chosen) {
  PhysicalKind k = KindOf(type);
  std::string best;
  bool have = false;
  // Cheapest to decode first: a later candidate must be strictly smaller.
  for (Encoding e : {Encoding::kPlain, Encoding::kRunLength, Encoding::kBitPacked, Encoding::kDictionary}) {
    if (!EncodingApplies(type, e) || (forced && *forced != e)) continue;
    std::optional<std::string> bytes;
    switch (e) {
      case Encoding::kPlain: bytes = EncodePlain(type, v); break;
      case Encoding::kDictionary: bytes = EncodeDictionary(k, v); break;
      case Encoding::kRunLength: bytes = EncodeRunLength(v); break;
      case Encoding::kBitPacked: bytes = EncodeBitPacked(v); break;
    }
    if (bytes && (!have || bytes->size() < best.size())) {
      best = std::move(*bytes);
      *chosen = e;
      have = true;
    }
  }
  STRATA_CHECK(have, "forced encoding does not apply to the column type");
  return best;
}

Status DecodeValues(const ColumnType& type, Encoding e, std::string_view in, size_t count,
                    PageValues* out) {
  if (!EncodingApplies(type, e)) return DataLoss("encoding " + std::string(EncodingName(e)) + " does not apply");
  Decoder d(in);
  Status s;
  switch (e) {
    case Encoding::kPlain: s = DecodePlain(type, &d, count, out); break;
    case Encoding::kDictionary: s = DecodeDictionary(KindOf(type), &d, count, out); break;
    case Encoding::kRunLength: s = DecodeRunLength(&d, count, out); break;
    case Encoding::kBitPacked: s = DecodeBitPacked(&d, count, out); break;
  }
  STRATA_RETURN_IF_ERROR(s.WithContext(EncodingName(e)));
  if (!d.empty()) return DataLoss(std::string(EncodingName(e)) + ": " + std::to_string(d.remaining()) + " trailing bytes");
  return Status::OK();
}

}  // namespace strata::storage

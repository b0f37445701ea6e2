#include "storage/data_file_format.h"

#include <cmath>
#include <cstring>
#include <set>

#include "common/coding.h"
#include "common/crc32c.h"

namespace strata::storage {

Datum ValueAt(const ColumnVector& c, size_t i) {
  switch (c.kind()) {
    case PhysicalKind::kInt64: return c.GetInt(i);
    case PhysicalKind::kInt128: return c.GetWide(i);
    case PhysicalKind::kDouble:
      return c.type().type == DataType::kFloat ? static_cast<double>(static_cast<float>(c.GetDouble(i)))
                                               : c.GetDouble(i);
    case PhysicalKind::kBytes: return std::string(c.GetString(i));
  }
  return {};
}

void PutDatum(Encoder* e, const Datum& d) {
  switch (d.index()) {
    case 1: e->PutSignedVarint(std::get<int64_t>(d)); break;
    case 2: {
      int128 v = std::get<int128>(d);
      e->PutRaw(std::string_view(reinterpret_cast<const char*>(&v), 16));
      break;
    }
    case 3: {
      uint64_t bits; double v = std::get<double>(d);
      std::memcpy(&bits, &v, 8);
      e->PutFixed64(bits);
      break;
    }
    case 4: e->PutString(std::get<std::string>(d)); break;
    default: break;
  }
}

Status GetDatum(Decoder* d, PhysicalKind k, Datum* out) {
  switch (k) {
    case PhysicalKind::kInt64: { int64_t v; STRATA_RETURN_IF_ERROR(d->GetSignedVarint(&v)); *out = v; break; }
    case PhysicalKind::kInt128: {
      std::string_view raw; STRATA_RETURN_IF_ERROR(d->GetRaw(16, &raw));
      int128 v; std::memcpy(&v, raw.data(), 16); *out = v; break;
    }
    case PhysicalKind::kDouble: {
      uint64_t bits; STRATA_RETURN_IF_ERROR(d->GetFixed64(&bits));
      double v; std::memcpy(&v, &bits, 8);
      if (std::isnan(v)) return DataLoss("NaN in min/max statistics");
      *out = v; break;
    }
    case PhysicalKind::kBytes: { std::string s; STRATA_RETURN_IF_ERROR(d->GetString(&s)); *out = std::move(s); break; }
  }
  return Status::OK();
}

namespace {

void PutStats(Encoder* e, const ColumnStats& s) {
  e->PutVarint(s.null_count);
  e->PutVarint(s.value_count);
  uint8_t flags = (s.min.index() != 0 ? 1 : 0) | (s.max.index() != 0 ? 2 : 0);
  e->PutRaw(std::string_view(reinterpret_cast<const char*>(&flags), 1));
  PutDatum(e, s.min);
  PutDatum(e, s.max);
}

Status GetStats(Decoder* d, PhysicalKind k, uint64_t rows, ColumnStats* s) {
  STRATA_RETURN_IF_ERROR(d->GetVarint(&s->null_count));
  STRATA_RETURN_IF_ERROR(d->GetVarint(&s->value_count));
  if (s->null_count > rows || s->value_count != rows - s->null_count) {
    return DataLoss("statistics counts do not add up to " + std::to_string(rows) + " rows");
  }
  std::string_view flags;
  STRATA_RETURN_IF_ERROR(d->GetRaw(1, &flags));
  auto f = static_cast<uint8_t>(flags[0]);
  if (f > 3 || (f != 0 && s->value_count == 0)) return DataLoss("bad statistics flags");
  if (f & 1) STRATA_RETURN_IF_ERROR(GetDatum(d, k, &s->min));
  if (f & 2) STRATA_RETURN_IF_ERROR(GetDatum(d, k, &s->max));
  if ((f & 3) == 3 && CompareDatum(s->min, s->max) > 0) return DataLoss("statistics min > max");
  return Status::OK();
}

Status Bounded(std::string_view what, uint64_t off, uint64_t size, uint64_t lo, uint64_t hi) {
  if (off < lo || off > hi || size > hi - off) {
    return DataLoss(std::string(what) + " [" + std::to_string(off) + ", +" + std::to_string(size) +
                    ") lies outside the data region [" + std::to_string(lo) + ", " + std::to_string(hi) + ")");
  }
  return Status::OK();
}

Status GetCount(Decoder* d, uint64_t max, std::string_view what, uint64_t* n) {
  STRATA_RETURN_IF_ERROR(d->GetVarint(n));
  if (*n > max || *n > d->remaining()) return DataLoss(std::string(what) + " count " + std::to_string(*n) + " too large");
  return Status::OK();
}

Status GetChunk(Decoder* d, const ColumnSchema& col, uint64_t rows, uint64_t data_end, ColumnChunkInfo* c) {
  PhysicalKind k = KindOf(col.type);
  STRATA_RETURN_IF_ERROR(d->GetVarint(&c->offset));
  STRATA_RETURN_IF_ERROR(d->GetVarint(&c->size_bytes));
  STRATA_RETURN_IF_ERROR(Bounded("column chunk", c->offset, c->size_bytes, kHeaderBytes, data_end));
  STRATA_RETURN_IF_ERROR(GetStats(d, k, rows, &c->stats));
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(GetCount(d, rows, "page", &n));
  uint64_t next = c->offset, page_rows = 0;
  c->pages.resize(n);
  for (PageInfo& p : c->pages) {
    uint64_t r = 0;
    std::string_view enc;
    STRATA_RETURN_IF_ERROR(d->GetVarint(&p.size_bytes));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&r));
    STRATA_RETURN_IF_ERROR(d->GetRaw(1, &enc));
    p.offset = next;
    p.encoding = static_cast<Encoding>(enc[0]);
    if (r == 0 || r > kPageRowsMax) return DataLoss("page row count " + std::to_string(r));
    if (static_cast<uint8_t>(enc[0]) > kEncodingMax) return DataLoss("unknown page encoding");
    p.num_rows = static_cast<uint32_t>(r);
    STRATA_RETURN_IF_ERROR(Bounded("page", p.offset, p.size_bytes, c->offset, c->offset + c->size_bytes));
    STRATA_RETURN_IF_ERROR(GetStats(d, k, r, &p.stats));
    next += p.size_bytes;
    page_rows += r;
  }
  if (next != c->offset + c->size_bytes) return DataLoss("pages do not fill their column chunk");
  if (page_rows != rows) return DataLoss("page rows do not add up to the row group's rows");
  if (!col.type.nullable && c->stats.null_count != 0) return DataLoss("NULLs in NOT NULL column " + col.name);
  return Status::OK();
}

Status GetSchema(Decoder* d, FileFooter* f) {
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(GetCount(d, kColumnsMax, "column", &n));
  if (n == 0) return DataLoss("schema has no columns");
  std::set<std::string> names;
  f->schema.resize(n);
  for (ColumnSchema& c : f->schema) {
    std::string_view t;
    uint64_t p = 0, s = 0;
    STRATA_RETURN_IF_ERROR(d->GetString(&c.name));
    STRATA_RETURN_IF_ERROR(d->GetRaw(1, &t));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&p));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&s));
    STRATA_RETURN_IF_ERROR(d->GetBool(&c.type.nullable));
    if (p > 38 || s > 38) return DataLoss("bad decimal precision/scale");
    c.type.type = static_cast<DataType>(t[0]);
    c.type.precision = static_cast<uint32_t>(p);
    c.type.scale = static_cast<uint32_t>(s);
    Status valid = ValidateColumnSchema(c);
    if (!valid.ok()) return DataLoss("schema: " + valid.message());
    if (!names.insert(c.name).second) return DataLoss("duplicate column " + c.name);
  }
  return Status::OK();
}

}  // namespace

ColumnStats ComputeStats(const ColumnVector& col, size_t begin, size_t end) {
  ColumnStats s;
  bool unknown_min = false, unknown_max = false;
  for (size_t i = begin; i < end; ++i) {
    if (col.IsNull(i)) { ++s.null_count; continue; }
    ++s.value_count;
    Datum v = ValueAt(col, i);
    if (v.index() == 3 && std::isnan(std::get<double>(v))) { unknown_min = unknown_max = true; continue; }
    if (s.min.index() == 0 || CompareDatum(v, s.min) < 0) s.min = v;
    if (s.max.index() == 0 || CompareDatum(v, s.max) > 0) s.max = v;
  }
  if (auto* str = std::get_if<std::string>(&s.min); str && str->size() > kStatStringBytesMax) {
    str->resize(kStatStringBytesMax);  // a prefix is still a lower bound
  }
  if (auto* str = std::get_if<std::string>(&s.max); str && str->size() > kStatStringBytesMax) unknown_max = true;
  if (unknown_min) s.min = {};
  if (unknown_max) s.max = {};
  return s;
}

void MergeStats(ColumnStats* into, const ColumnStats& from) {
  if (from.value_count > 0) {
    if (into->value_count == 0) {
      into->min = from.min;
      into->max = from.max;
    } else {
      if (into->min.index() == 0 || from.min.index() == 0) into->min = {};
      else if (CompareDatum(from.min, into->min) < 0) into->min = from.min;
      if (into->max.index() == 0 || from.max.index() == 0) into->max = {};
      else if (CompareDatum(from.max, into->max) > 0) into->max = from.max;
    }
  }
  into->null_count += from.null_count;
  into->value_count += from.value_count;
}

std::string EncodeFooter(const FileFooter& f) {
  Encoder e;
  e.PutVarint(f.format_version);
  e.PutVarint(static_cast<uint8_t>(f.compression));
  e.PutVarint(f.num_rows);
  e.PutVarint(f.schema.size());
  for (const ColumnSchema& c : f.schema) {
    e.PutString(c.name);
    char t = static_cast<char>(c.type.type);
    e.PutRaw(std::string_view(&t, 1));
    e.PutVarint(c.type.precision);
    e.PutVarint(c.type.scale);
    e.PutBool(c.type.nullable);
  }
  for (const ColumnStats& s : f.column_stats) PutStats(&e, s);
  e.PutVarint(f.row_groups.size());
  for (const RowGroupInfo& rg : f.row_groups) {
    e.PutVarint(rg.num_rows);
    for (const ColumnChunkInfo& c : rg.columns) {
      e.PutVarint(c.offset);
      e.PutVarint(c.size_bytes);
      PutStats(&e, c.stats);
      e.PutVarint(c.pages.size());
      for (const PageInfo& p : c.pages) {
        e.PutVarint(p.size_bytes);
        e.PutVarint(p.num_rows);
        char enc = static_cast<char>(p.encoding);
        e.PutRaw(std::string_view(&enc, 1));
        PutStats(&e, p.stats);
      }
    }
  }
  return e.Take();
}

Status DecodeFooter(std::string_view bytes, uint64_t data_end, FileFooter* f) {
  Decoder d(bytes);
  uint64_t version = 0, compression = 0;
  STRATA_RETURN_IF_ERROR(d.GetVarint(&version));
  if (version != kDataFileFormatVersion) return DataLoss("footer version " + std::to_string(version) + " != tail version");
  STRATA_RETURN_IF_ERROR(d.GetVarint(&compression));
  if (compression > kCompressionMax) return DataLoss("unknown compression " + std::to_string(compression));
  f->compression = static_cast<Compression>(compression);
  STRATA_RETURN_IF_ERROR(d.GetVarint(&f->num_rows));
  STRATA_RETURN_IF_ERROR(GetSchema(&d, f));
  f->column_stats.resize(f->schema.size());
  for (size_t i = 0; i < f->schema.size(); ++i) {
    STRATA_RETURN_IF_ERROR(GetStats(&d, KindOf(f->schema[i].type), f->num_rows, &f->column_stats[i]));
  }
  uint64_t groups = 0, rows = 0;
  STRATA_RETURN_IF_ERROR(GetCount(&d, UINT64_MAX, "row group", &groups));
  f->row_groups.resize(groups);
  for (RowGroupInfo& rg : f->row_groups) {
    STRATA_RETURN_IF_ERROR(d.GetVarint(&rg.num_rows));
    if (rg.num_rows == 0 || rg.num_rows > f->num_rows - rows) return DataLoss("row group row count out of range");
    rows += rg.num_rows;
    rg.columns.resize(f->schema.size());
    for (size_t i = 0; i < f->schema.size(); ++i) {
      Status s = GetChunk(&d, f->schema[i], rg.num_rows, data_end, &rg.columns[i]);
      if (!s.ok()) return s.WithContext("column " + f->schema[i].name);
    }
  }
  if (rows != f->num_rows) return DataLoss("row groups hold " + std::to_string(rows) + " rows, footer says " + std::to_string(f->num_rows));
  if (!d.empty()) return DataLoss("trailing bytes after the footer");
  return Status::OK();
}

std::string EncodeTail(std::string_view footer) {
  Encoder e;
  e.PutFixed32(static_cast<uint32_t>(footer.size()));
  e.PutFixed32(kDataFileFormatVersion);
  uint32_t crc = Crc32cExtend(Crc32c(footer), e.data());
  e.PutFixed32(crc);
  e.PutRaw(kDataFileMagic);
  return e.Take();
}

Status DecodeTail(std::string_view tail, Tail* t) {
  if (tail.size() != kTailBytes) return DataLoss("file shorter than its tail");
  if (tail.substr(12) != kDataFileMagic) return DataLoss("bad magic: not a Strata data file, or truncated");
  Decoder d(tail);
  STRATA_RETURN_IF_ERROR(d.GetFixed32(&t->footer_size));
  STRATA_RETURN_IF_ERROR(d.GetFixed32(&t->format_version));
  STRATA_RETURN_IF_ERROR(d.GetFixed32(&t->crc));
  return Status::OK();
}

Status VerifyFooter(std::string_view footer, const Tail& t) {
  Encoder e;
  e.PutFixed32(t.footer_size);
  e.PutFixed32(t.format_version);
  if (Crc32cExtend(Crc32c(footer), e.data()) != t.crc) return DataLoss("footer checksum mismatch");
  if (t.format_version > kDataFileFormatVersion) {
    return FailedPrecondition("format version " + std::to_string(t.format_version) + " is newer than this reader's " +
                              std::to_string(kDataFileFormatVersion));
  }
  if (t.format_version == 0) return DataLoss("format version 0");
  return Status::OK();
}

}  // namespace strata::storage

#include "storage/tablet_meta.h"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/data_file_format.h"
#include "storage/data_file_writer.h"

namespace strata::storage {
namespace {

constexpr size_t kTxnIdTimeDigits = 13;
constexpr size_t kTxnIdRandomHex = 16;
constexpr uint64_t kTabletMetaBytesMax = 256ull << 20;

Status Corrupt(std::string_view key, std::string_view what) {
  return DataLoss("tablet metadata " + std::string(key) + ": " + std::string(what));
}

void PutSchema(Encoder* e, const std::vector<ColumnSchema>& schema) {
  e->PutVarint(schema.size());
  for (const auto& c : schema) {
    e->PutString(c.name);
    e->PutVarint(static_cast<uint8_t>(c.type.type));
    e->PutVarint(c.type.precision);
    e->PutVarint(c.type.scale);
    e->PutBool(c.type.nullable);
  }
}

Status GetSchema(Decoder* d, std::vector<ColumnSchema>* schema) {
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(d->GetVarint(&n));
  if (n > kColumnsMax) return DataLoss("too many columns");
  schema->resize(n);
  for (auto& c : *schema) {
    uint64_t type = 0, precision = 0, scale = 0;
    STRATA_RETURN_IF_ERROR(d->GetString(&c.name));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&type));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&precision));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&scale));
    STRATA_RETURN_IF_ERROR(d->GetBool(&c.type.nullable));
    if (type == 0 || type > kDataTypeMax || precision > 38 || scale > 38) return DataLoss("bad column type");
    c.type.type = static_cast<DataType>(type);
    c.type.precision = static_cast<uint32_t>(precision);
    c.type.scale = static_cast<uint32_t>(scale);
    STRATA_RETURN_IF_ERROR(ValidateColumnSchema(c).WithContext("column"));
  }
  return Status::OK();
}

const ColumnSchema* FindColumn(const std::vector<ColumnSchema>& schema, std::string_view name) {
  for (const auto& c : schema) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void PutDeletes(Encoder* e, const std::vector<DeletePredicate>& deletes) {
  e->PutVarint(deletes.size());
  for (const auto& p : deletes) {
    e->PutVarint(p.version);
    e->PutVarint(p.conditions.size());
    for (const auto& c : p.conditions) {
      e->PutString(c.column);
      e->PutVarint(static_cast<uint8_t>(c.op));
      e->PutVarint(c.values.size());
      for (const auto& v : c.values) PutDatum(e, v);
    }
  }
}

Status GetCondition(Decoder* d, const std::vector<ColumnSchema>& schema, DeleteCondition* c) {
  uint64_t op = 0, n = 0;
  STRATA_RETURN_IF_ERROR(d->GetString(&c->column));
  STRATA_RETURN_IF_ERROR(d->GetVarint(&op));
  STRATA_RETURN_IF_ERROR(d->GetVarint(&n));
  const ColumnSchema* col = FindColumn(schema, c->column);
  if (col == nullptr) return DataLoss("delete condition on unknown column " + c->column);
  if (op == 0 || op > kDeleteOpMax || n > kInListMax) return DataLoss("bad delete condition");
  c->op = static_cast<DeleteOp>(op);
  c->values.resize(n);
  for (auto& v : c->values) STRATA_RETURN_IF_ERROR(GetDatum(d, KindOf(col->type), &v));
  return Status::OK();
}

Status GetDeletes(Decoder* d, const std::vector<ColumnSchema>& schema, std::vector<DeletePredicate>* deletes) {
  uint64_t n = 0;
  STRATA_RETURN_IF_ERROR(d->GetVarint(&n));
  if (n > kDeletesPerTabletMax) return DataLoss("too many delete predicates");
  deletes->resize(n);
  for (auto& p : *deletes) {
    uint64_t conditions = 0;
    STRATA_RETURN_IF_ERROR(d->GetVarint(&p.version));
    STRATA_RETURN_IF_ERROR(d->GetVarint(&conditions));
    if (conditions == 0 || conditions > kConditionsPerDeleteMax) return DataLoss("bad delete predicate");
    p.conditions.resize(conditions);
    for (auto& c : p.conditions) STRATA_RETURN_IF_ERROR(GetCondition(d, schema, &c));
  }
  return Status::OK();
}

Status CheckOrder(const TabletMeta& m) {
  uint64_t last = 0;
  for (const auto& r : m.rowsets) {
    if (r.version == 0 || r.version > m.version || r.version < last) return DataLoss("rowset versions out of order");
    if (r.data_file.empty()) return DataLoss("rowset without a data file");
    last = r.version;
  }
  last = 0;
  for (const auto& p : m.deletes) {
    if (p.version == 0 || p.version > m.version || p.version < last) return DataLoss("delete versions out of order");
    last = p.version;
  }
  return Status::OK();
}

}  // namespace

uint64_t TabletMeta::num_rows() const {
  uint64_t n = 0;
  for (const auto& r : rowsets) n += r.rows;
  return n;
}

uint64_t TabletMeta::size_bytes() const {
  uint64_t n = 0;
  for (const auto& r : rowsets) n += r.size_bytes;
  return n;
}

std::string NewTxnId() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          (static_cast<uint64_t>(std::random_device{}()) << 32));
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  return fmt::format("{:013d}-{:016x}", now_ms, rng());
}

std::optional<int64_t> TxnIdTimeMs(std::string_view id) {
  if (id.size() != kTxnIdTimeDigits + 1 + kTxnIdRandomHex || id[kTxnIdTimeDigits] != '-') return std::nullopt;
  int64_t ms = 0;
  for (size_t i = 0; i < kTxnIdTimeDigits; ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    ms = ms * 10 + (id[i] - '0');
  }
  for (size_t i = kTxnIdTimeDigits + 1; i < id.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(id[i]))) return std::nullopt;
  }
  return ms;
}

std::string TabletsPrefix(std::string_view lineage) { return fmt::format("{}/data/tablets/", lineage); }
std::string TabletPrefix(std::string_view lineage, uint64_t tablet_id) {
  return fmt::format("{}{}/", TabletsPrefix(lineage), tablet_id);
}
std::string TabletMetaKey(std::string_view lineage, uint64_t tablet_id, uint64_t version, std::string_view txn_id) {
  return fmt::format("{}meta/{:020d}_{}.tm", TabletPrefix(lineage, tablet_id), version, txn_id);
}
std::string DataFileKey(std::string_view lineage, uint64_t tablet_id, std::string_view txn_id, uint32_t seq) {
  return fmt::format("{}data/{}_{:06d}.sdf", TabletPrefix(lineage, tablet_id), txn_id, seq);
}

std::optional<std::string> TxnIdOfKey(std::string_view key) {
  size_t slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  const size_t id_len = kTxnIdTimeDigits + 1 + kTxnIdRandomHex;
  if (name.ends_with(".tm") && name.size() == 20 + 1 + id_len + 3) {
    std::string_view id = name.substr(21, id_len);
    if (TxnIdTimeMs(id)) return std::string(id);
  } else if (name.ends_with(".sdf") && name.size() == id_len + 1 + 6 + 4) {
    std::string_view id = name.substr(0, id_len);
    if (TxnIdTimeMs(id)) return std::string(id);
  }
  return std::nullopt;
}

std::string EncodeTabletMeta(const TabletMeta& m) {
  Encoder e;
  e.PutRaw(kTabletMetaMagic);
  e.PutFixed32(kTabletMetaFormatVersion);
  e.PutVarint(m.tablet_id);
  e.PutVarint(m.version);
  e.PutString(m.txn_id);
  PutSchema(&e, m.schema);
  e.PutVarint(m.rowsets.size());
  for (const auto& r : m.rowsets) {
    e.PutString(r.data_file);
    e.PutVarint(r.rows);
    e.PutVarint(r.size_bytes);
    e.PutVarint(r.version);
  }
  PutDeletes(&e, m.deletes);
  std::string out = e.data();
  Encoder crc;
  crc.PutFixed32(Crc32c(out));
  return out + crc.data();
}

Result<TabletMeta> DecodeTabletMeta(std::string_view bytes, std::string_view key) {
  if (bytes.size() < kTabletMetaMagic.size() + 8) return Corrupt(key, "truncated");
  if (bytes.substr(0, kTabletMetaMagic.size()) != kTabletMetaMagic) return Corrupt(key, "bad magic");
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  Decoder crc_d(bytes.substr(bytes.size() - 4));
  uint32_t crc = 0;
  STRATA_RETURN_IF_ERROR(crc_d.GetFixed32(&crc));
  if (crc != Crc32c(body)) return Corrupt(key, "checksum mismatch");
  Decoder d(body.substr(kTabletMetaMagic.size()));
  uint32_t format = 0;
  STRATA_RETURN_IF_ERROR(d.GetFixed32(&format));
  if (format > kTabletMetaFormatVersion) {
    return FailedPrecondition("tablet metadata " + std::string(key) + ": format version " + std::to_string(format) +
                              " is newer than this binary reads");
  }
  TabletMeta m;
  uint64_t rowsets = 0;
  Status s = d.GetVarint(&m.tablet_id);
  if (s.ok()) s = d.GetVarint(&m.version);
  if (s.ok()) s = d.GetString(&m.txn_id);
  if (s.ok()) s = GetSchema(&d, &m.schema);
  if (s.ok()) s = d.GetVarint(&rowsets);
  if (s.ok() && rowsets > kRowsetsPerTabletMax) s = DataLoss("too many rowsets");
  for (uint64_t i = 0; s.ok() && i < rowsets; ++i) {
    RowsetMeta r;
    s = d.GetString(&r.data_file);
    if (s.ok()) s = d.GetVarint(&r.rows);
    if (s.ok()) s = d.GetVarint(&r.size_bytes);
    if (s.ok()) s = d.GetVarint(&r.version);
    m.rowsets.push_back(std::move(r));
  }
  if (s.ok()) s = GetDeletes(&d, m.schema, &m.deletes);
  if (s.ok() && !d.empty()) s = DataLoss("trailing bytes");
  if (s.ok()) s = CheckOrder(m);
  if (!s.ok()) return Corrupt(key, s.message());
  return m;
}

Result<TabletMeta> ReadTabletMeta(objstore::ObjectStore& store, std::string_view key, uint64_t tablet_id) {
  if (key.empty()) return TabletMeta{.tablet_id = tablet_id};
  auto bytes = store.Get(key);
  if (!bytes.ok()) return bytes.status().WithContext("read tablet metadata " + std::string(key));
  if (bytes->size() > kTabletMetaBytesMax) return Corrupt(key, "too large");
  STRATA_ASSIGN_OR_RETURN(TabletMeta m, DecodeTabletMeta(*bytes, key));
  if (m.tablet_id != tablet_id) return Corrupt(key, "belongs to tablet " + std::to_string(m.tablet_id));
  return m;
}

Status PutTabletMeta(objstore::ObjectStore& store, std::string_view key, const TabletMeta& meta) {
  // Same rule as data files: put-if-absent, identical bytes already there is a retried put.
  return PutDataFile(store, key, EncodeTabletMeta(meta)).WithContext("tablet metadata");
}

TabletMeta NextTabletVersion(const TabletMeta& base, std::string txn_id, std::vector<ColumnSchema> schema,
                             std::vector<RowsetMeta> added, std::vector<std::vector<DeleteCondition>> deletes) {
  TabletMeta next = base;
  next.version = base.version + 1;
  next.txn_id = std::move(txn_id);
  next.schema = std::move(schema);
  for (auto& r : added) {
    r.version = next.version;
    next.rowsets.push_back(std::move(r));
  }
  for (auto& c : deletes) next.deletes.push_back(DeletePredicate{.version = next.version, .conditions = std::move(c)});
  return next;
}

}  // namespace strata::storage

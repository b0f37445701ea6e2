// Fragment and chunk bytes (fragment_codec.h; docs/formats/query-fragment.md).
#include "query/fragment_codec.h"

#include <cstring>

#include "common/coding.h"
#include "common/crc32c.h"

namespace strata::query {
namespace {

constexpr std::string_view kFragmentMagic = "SQF1";
constexpr std::string_view kChunkMagic = "SQC1";
constexpr size_t kTreeDepthMax = 256;       // expressions and plan nodes nest at most this deep
constexpr uint64_t kCountMax = 1ull << 32;  // any count in the bytes (rows, columns, args)

// ---------------------------------------------------------------- framing

std::string Seal(Encoder& e) {
  uint32_t crc = Crc32c(e.data());
  e.PutFixed32(crc);
  return e.Take();
}

// The body between the magic and the CRC; DataLoss when damaged.
Result<std::string_view> Unseal(std::string_view bytes, std::string_view magic, const char* what) {
  if (bytes.size() < magic.size() + 4 || bytes.substr(0, magic.size()) != magic) {
    return DataLoss(std::string(what) + ": not a Strata " + what + " (bad magic or too short)");
  }
  size_t body = bytes.size() - 4;
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + body, 4);  // little-endian, as Encoder::PutFixed32
  if (Crc32c(bytes.substr(0, body)) != stored) return DataLoss(std::string(what) + ": CRC-32C mismatch");
  return bytes.substr(magic.size(), body - magic.size());
}

// ---------------------------------------------------------------- values

void PutType(Encoder& e, const Type& t) {
  e.PutVarint(static_cast<uint64_t>(t.id));
  e.PutVarint(static_cast<uint64_t>(t.precision));
  e.PutVarint(static_cast<uint64_t>(t.scale));
  e.PutVarint(static_cast<uint64_t>(t.int_bytes));
  e.PutBool(t.is_float);
}

void PutI128(Encoder& e, int128 v) {
  auto u = static_cast<unsigned __int128>(v);
  e.PutFixed64(static_cast<uint64_t>(u));
  e.PutFixed64(static_cast<uint64_t>(u >> 64));
}

void PutF64(Encoder& e, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  e.PutFixed64(bits);
}

void PutScalar(Encoder& e, const Scalar& v) {
  e.PutBool(v.null);
  e.PutSignedVarint(v.i64);
  PutI128(e, v.i128);
  PutF64(e, v.f64);
  e.PutString(v.str);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : d_(in) {}
  Decoder& d() { return d_; }

  Status Count(uint64_t* n) {
    STRATA_RETURN_IF_ERROR(d_.GetVarint(n));
    if (*n > kCountMax || *n > d_.remaining() + 1) return DataLoss("a count larger than the bytes that follow");
    return Status::OK();
  }
  Status Small(uint64_t max, uint64_t* v, const char* what) {
    STRATA_RETURN_IF_ERROR(d_.GetVarint(v));
    if (*v > max) return DataLoss(std::string("unknown ") + what + " " + std::to_string(*v));
    return Status::OK();
  }
  Status GetType(Type* t) {
    uint64_t id, precision, scale, int_bytes;
    STRATA_RETURN_IF_ERROR(Small(static_cast<uint64_t>(TypeId::kDateTime), &id, "type"));
    STRATA_RETURN_IF_ERROR(Small(kDecimalPrecisionMax, &precision, "precision"));
    STRATA_RETURN_IF_ERROR(Small(kDecimalPrecisionMax, &scale, "scale"));
    STRATA_RETURN_IF_ERROR(Small(16, &int_bytes, "integer width"));
    t->id = static_cast<TypeId>(id);
    t->precision = static_cast<int>(precision);
    t->scale = static_cast<int>(scale);
    t->int_bytes = static_cast<int>(int_bytes);
    return d_.GetBool(&t->is_float);
  }
  Status GetI128(int128* v) {
    uint64_t lo, hi;
    STRATA_RETURN_IF_ERROR(d_.GetFixed64(&lo));
    STRATA_RETURN_IF_ERROR(d_.GetFixed64(&hi));
    *v = static_cast<int128>((static_cast<unsigned __int128>(hi) << 64) | lo);
    return Status::OK();
  }
  Status GetF64(double* v) {
    uint64_t bits;
    STRATA_RETURN_IF_ERROR(d_.GetFixed64(&bits));
    std::memcpy(v, &bits, 8);
    return Status::OK();
  }
  Status GetScalar(Scalar* v) {
    STRATA_RETURN_IF_ERROR(d_.GetBool(&v->null));
    STRATA_RETURN_IF_ERROR(d_.GetSignedVarint(&v->i64));
    STRATA_RETURN_IF_ERROR(GetI128(&v->i128));
    STRATA_RETURN_IF_ERROR(GetF64(&v->f64));
    return d_.GetString(&v->str);
  }

 private:
  Decoder d_;
};

// ---------------------------------------------------------------- expressions

void PutExpr(Encoder& e, const BoundExpr* x) {
  e.PutBool(x != nullptr);
  if (x == nullptr) return;
  e.PutVarint(static_cast<uint64_t>(x->op));
  PutType(e, x->type);
  e.PutVarint(x->column);
  PutScalar(e, x->value);
  e.PutVarint(static_cast<uint64_t>(x->cmp));
  e.PutVarint(static_cast<uint64_t>(x->arith));
  e.PutBool(x->negated);
  e.PutBool(x->has_else);
  e.PutString(x->name);
  e.PutString(x->text);
  e.PutVarint(x->args.size());
  for (const auto& a : x->args) PutExpr(e, a.get());
  e.PutBool(x->set != nullptr);
  if (x->set) {
    e.PutBool(x->set->has_null);
    e.PutVarint(x->set->keys.size());
    for (const auto& k : x->set->keys) e.PutString(k);
  }
}

Status GetExpr(Reader& r, size_t depth, BoundExprPtr* out) {
  bool present;
  STRATA_RETURN_IF_ERROR(r.d().GetBool(&present));
  if (!present) {
    out->reset();
    return Status::OK();
  }
  if (depth > kTreeDepthMax) return DataLoss("expression nested too deep");
  auto x = std::make_unique<BoundExpr>();
  uint64_t op, column, cmp, arith, args;
  STRATA_RETURN_IF_ERROR(r.Small(static_cast<uint64_t>(ExprOp::kFunc), &op, "expression"));
  x->op = static_cast<ExprOp>(op);
  STRATA_RETURN_IF_ERROR(r.GetType(&x->type));
  STRATA_RETURN_IF_ERROR(r.d().GetVarint(&column));
  x->column = static_cast<size_t>(column);
  STRATA_RETURN_IF_ERROR(r.GetScalar(&x->value));
  STRATA_RETURN_IF_ERROR(r.Small(static_cast<uint64_t>(CmpOp::kNullSafeEq), &cmp, "comparison"));
  x->cmp = static_cast<CmpOp>(cmp);
  STRATA_RETURN_IF_ERROR(r.Small(static_cast<uint64_t>(ArithOp::kMod), &arith, "arithmetic operator"));
  x->arith = static_cast<ArithOp>(arith);
  STRATA_RETURN_IF_ERROR(r.d().GetBool(&x->negated));
  STRATA_RETURN_IF_ERROR(r.d().GetBool(&x->has_else));
  STRATA_RETURN_IF_ERROR(r.d().GetString(&x->name));
  STRATA_RETURN_IF_ERROR(r.d().GetString(&x->text));
  STRATA_RETURN_IF_ERROR(r.Count(&args));
  for (uint64_t i = 0; i < args; ++i) {
    BoundExprPtr a;
    STRATA_RETURN_IF_ERROR(GetExpr(r, depth + 1, &a));
    if (a == nullptr) return DataLoss("an absent expression argument");
    x->args.push_back(std::move(a));
  }
  bool has_set;
  STRATA_RETURN_IF_ERROR(r.d().GetBool(&has_set));
  if (has_set) {
    auto set = std::make_shared<ValueSet>();
    uint64_t keys;
    STRATA_RETURN_IF_ERROR(r.d().GetBool(&set->has_null));
    STRATA_RETURN_IF_ERROR(r.Count(&keys));
    for (uint64_t i = 0; i < keys; ++i) {
      std::string k;
      STRATA_RETURN_IF_ERROR(r.d().GetString(&k));
      set->keys.insert(std::move(k));
    }
    x->set = std::move(set);
  }
  *out = std::move(x);
  return Status::OK();
}

// Every column an expression reads exists in its input (`width` columns).
Status CheckColumns(const BoundExpr* x, size_t width) {
  if (x == nullptr) return Status::OK();
  if (x->op == ExprOp::kColumn && x->column >= width) {
    return InvalidArgument("fragment: expression '" + x->text + "' reads column " + std::to_string(x->column) +
                           " of an input with " + std::to_string(width));
  }
  for (const auto& a : x->args) STRATA_RETURN_IF_ERROR(CheckColumns(a.get(), width));
  return Status::OK();
}

// ---------------------------------------------------------------- plan nodes

using Kind = PlanNode::Kind;

bool Carried(Kind k) {
  return k == Kind::kScan || k == Kind::kFilter || k == Kind::kProject || k == Kind::kAggregate ||
         k == Kind::kSort || k == Kind::kLimit;
}

void PutDatum(Encoder& e, const storage::Datum& v) {
  e.PutVarint(v.index());
  if (const auto* i = std::get_if<int64_t>(&v)) e.PutSignedVarint(*i);
  if (const auto* w = std::get_if<int128>(&v)) PutI128(e, *w);
  if (const auto* f = std::get_if<double>(&v)) PutF64(e, *f);
  if (const auto* s = std::get_if<std::string>(&v)) e.PutString(*s);
}

void PutScan(Encoder& e, const ScanSpec& s) {
  e.PutString(s.table.db);
  e.PutString(s.table.name);
  e.PutString(s.alias);
  e.PutVarint(s.table.columns.size());
  for (size_t i = 0; i < s.table.columns.size(); ++i) {
    const storage::ColumnSchema& c = s.table.columns[i];
    e.PutString(c.name);
    e.PutVarint(static_cast<uint64_t>(c.type.type));
    e.PutVarint(c.type.precision);
    e.PutVarint(c.type.scale);
    e.PutBool(c.type.nullable);
    e.PutBool(s.read[i]);
  }
  e.PutVarint(s.predicates.size());
  for (const auto& p : s.predicates) {
    e.PutString(p.column);
    e.PutVarint(static_cast<uint64_t>(p.op));
    PutDatum(e, p.value);
  }
}

Status PutNode(Encoder& e, const PlanNode& n) {
  if (!Carried(n.kind)) return InvalidArgument("a fragment cannot carry plan node kind " + std::to_string(static_cast<int>(n.kind)));
  e.PutVarint(static_cast<uint64_t>(n.kind));
  e.PutVarint(n.output.size());
  for (const auto& c : n.output) {
    e.PutString(c.name);
    PutType(e, c.type);
  }
  switch (n.kind) {
    case Kind::kScan: PutScan(e, n.scan); break;
    case Kind::kFilter: PutExpr(e, n.predicate.get()); break;
    case Kind::kProject:
      e.PutVarint(n.exprs.size());
      for (const auto& x : n.exprs) PutExpr(e, x.get());
      break;
    case Kind::kAggregate:
      e.PutVarint(n.group_keys.size());
      for (const auto& k : n.group_keys) PutExpr(e, k.get());
      e.PutVarint(n.aggs.size());
      for (const auto& a : n.aggs) {
        e.PutVarint(static_cast<uint64_t>(a.func));
        e.PutBool(a.distinct);
        PutExpr(e, a.arg.get());
        PutExpr(e, a.arg2.get());
        PutType(e, a.type);
        e.PutString(a.text);
      }
      break;
    case Kind::kSort:
      e.PutVarint(n.sort_keys.size());
      for (const auto& k : n.sort_keys) {
        e.PutVarint(k.column);
        e.PutBool(k.desc);
      }
      [[fallthrough]];
    case Kind::kLimit:
      e.PutBool(n.limit.has_value());
      e.PutVarint(n.limit.value_or(0));
      e.PutVarint(n.offset);
      break;
    default: break;
  }
  e.PutVarint(n.children.size());
  for (const auto& c : n.children) STRATA_RETURN_IF_ERROR(PutNode(e, *c));
  return Status::OK();
}

Status GetDatum(Reader& r, storage::Datum* v) {
  uint64_t tag;
  STRATA_RETURN_IF_ERROR(r.Small(4, &tag, "predicate value kind"));
  switch (tag) {
    case 0: *v = std::monostate{}; return Status::OK();
    case 1: {
      int64_t i;
      STRATA_RETURN_IF_ERROR(r.d().GetSignedVarint(&i));
      *v = i;
      return Status::OK();
    }
    case 2: {
      int128 w;
      STRATA_RETURN_IF_ERROR(r.GetI128(&w));
      *v = w;
      return Status::OK();
    }
    case 3: {
      double f;
      STRATA_RETURN_IF_ERROR(r.GetF64(&f));
      *v = f;
      return Status::OK();
    }
    default: {
      std::string s;
      STRATA_RETURN_IF_ERROR(r.d().GetString(&s));
      *v = std::move(s);
      return Status::OK();
    }
  }
}

Status GetScan(Reader& r, ScanSpec* s) {
  STRATA_RETURN_IF_ERROR(r.d().GetString(&s->table.db));
  STRATA_RETURN_IF_ERROR(r.d().GetString(&s->table.name));
  STRATA_RETURN_IF_ERROR(r.d().GetString(&s->alias));
  uint64_t columns, predicates;
  STRATA_RETURN_IF_ERROR(r.Count(&columns));
  for (uint64_t i = 0; i < columns; ++i) {
    storage::ColumnSchema c;
    uint64_t type, precision, scale;
    bool read;
    STRATA_RETURN_IF_ERROR(r.d().GetString(&c.name));
    STRATA_RETURN_IF_ERROR(r.Small(storage::kDataTypeMax, &type, "column type"));
    STRATA_RETURN_IF_ERROR(r.Small(kDecimalPrecisionMax, &precision, "precision"));
    STRATA_RETURN_IF_ERROR(r.Small(kDecimalPrecisionMax, &scale, "scale"));
    STRATA_RETURN_IF_ERROR(r.d().GetBool(&c.type.nullable));
    STRATA_RETURN_IF_ERROR(r.d().GetBool(&read));
    c.type.type = static_cast<storage::DataType>(type);
    c.type.precision = static_cast<uint32_t>(precision);
    c.type.scale = static_cast<uint32_t>(scale);
    s->table.columns.push_back(std::move(c));
    s->read.push_back(read);
  }
  STRATA_RETURN_IF_ERROR(r.Count(&predicates));
  for (uint64_t i = 0; i < predicates; ++i) {
    storage::Predicate p;
    uint64_t op;
    STRATA_RETURN_IF_ERROR(r.d().GetString(&p.column));
    STRATA_RETURN_IF_ERROR(r.Small(static_cast<uint64_t>(storage::CompareOp::kGe), &op, "predicate operator"));
    p.op = static_cast<storage::CompareOp>(op);
    STRATA_RETURN_IF_ERROR(GetDatum(r, &p.value));
    s->predicates.push_back(std::move(p));
  }
  return Status::OK();
}

Status GetExprList(Reader& r, std::vector<BoundExprPtr>* out) {
  uint64_t n;
  STRATA_RETURN_IF_ERROR(r.Count(&n));
  for (uint64_t i = 0; i < n; ++i) {
    BoundExprPtr x;
    STRATA_RETURN_IF_ERROR(GetExpr(r, 0, &x));
    if (x == nullptr) return DataLoss("an absent expression in a list");
    out->push_back(std::move(x));
  }
  return Status::OK();
}

Status GetNode(Reader& r, size_t depth, PlanPtr* out);

Status GetNodeBody(Reader& r, size_t depth, PlanNode& n) {
  uint64_t outputs;
  STRATA_RETURN_IF_ERROR(r.Count(&outputs));
  for (uint64_t i = 0; i < outputs; ++i) {
    OutputColumn c;
    STRATA_RETURN_IF_ERROR(r.d().GetString(&c.name));
    STRATA_RETURN_IF_ERROR(r.GetType(&c.type));
    n.output.push_back(std::move(c));
  }
  switch (n.kind) {
    case Kind::kScan: STRATA_RETURN_IF_ERROR(GetScan(r, &n.scan)); break;
    case Kind::kFilter:
      STRATA_RETURN_IF_ERROR(GetExpr(r, 0, &n.predicate));
      if (n.predicate == nullptr) return DataLoss("a filter without a predicate");
      break;
    case Kind::kProject: STRATA_RETURN_IF_ERROR(GetExprList(r, &n.exprs)); break;
    case Kind::kAggregate: {
      STRATA_RETURN_IF_ERROR(GetExprList(r, &n.group_keys));
      uint64_t aggs;
      STRATA_RETURN_IF_ERROR(r.Count(&aggs));
      for (uint64_t i = 0; i < aggs; ++i) {
        AggSpec a;
        uint64_t func;
        STRATA_RETURN_IF_ERROR(r.Small(static_cast<uint64_t>(AggFunc::kAvgMerge), &func, "aggregate function"));
        a.func = static_cast<AggFunc>(func);
        STRATA_RETURN_IF_ERROR(r.d().GetBool(&a.distinct));
        STRATA_RETURN_IF_ERROR(GetExpr(r, 0, &a.arg));
        STRATA_RETURN_IF_ERROR(GetExpr(r, 0, &a.arg2));
        STRATA_RETURN_IF_ERROR(r.GetType(&a.type));
        STRATA_RETURN_IF_ERROR(r.d().GetString(&a.text));
        const bool needs_arg = a.func != AggFunc::kCountStar;
        if (needs_arg != (a.arg != nullptr) || (a.func == AggFunc::kAvgMerge) != (a.arg2 != nullptr)) {
          return DataLoss("aggregate '" + a.text + "' with the wrong arguments");
        }
        n.aggs.push_back(std::move(a));
      }
      break;
    }
    case Kind::kSort: {
      uint64_t keys;
      STRATA_RETURN_IF_ERROR(r.Count(&keys));
      for (uint64_t i = 0; i < keys; ++i) {
        uint64_t column;
        SortKey k;
        STRATA_RETURN_IF_ERROR(r.d().GetVarint(&column));
        STRATA_RETURN_IF_ERROR(r.d().GetBool(&k.desc));
        if (column >= n.output.size()) return DataLoss("a sort key past the sort's columns");
        k.column = static_cast<size_t>(column);
        n.sort_keys.push_back(k);
      }
      [[fallthrough]];
    }
    case Kind::kLimit: {
      bool has_limit;
      uint64_t limit;
      STRATA_RETURN_IF_ERROR(r.d().GetBool(&has_limit));
      STRATA_RETURN_IF_ERROR(r.d().GetVarint(&limit));
      STRATA_RETURN_IF_ERROR(r.d().GetVarint(&n.offset));
      if (has_limit) n.limit = limit;
      break;
    }
    default: break;
  }
  uint64_t children;
  STRATA_RETURN_IF_ERROR(r.Count(&children));
  if (children != (n.kind == Kind::kScan ? 0u : 1u)) return DataLoss("a fragment node with the wrong number of inputs");
  for (uint64_t i = 0; i < children; ++i) {
    PlanPtr c;
    STRATA_RETURN_IF_ERROR(GetNode(r, depth + 1, &c));
    n.children.push_back(std::move(c));
  }
  return Status::OK();
}

Status GetNode(Reader& r, size_t depth, PlanPtr* out) {
  if (depth > kTreeDepthMax) return DataLoss("plan nested too deep");
  uint64_t kind;
  STRATA_RETURN_IF_ERROR(r.Small(static_cast<uint64_t>(Kind::kExchange), &kind, "plan node kind"));
  auto n = std::make_unique<PlanNode>();
  n->kind = static_cast<Kind>(kind);
  if (!Carried(n->kind)) return DataLoss("a fragment holds plan node kind " + std::to_string(kind));
  STRATA_RETURN_IF_ERROR(GetNodeBody(r, depth, *n));
  *out = std::move(n);
  return Status::OK();
}

// The decoded tree is consistent: every expression reads columns its input
// has, every node's output has the width its kind gives it.
Status CheckNode(const PlanNode& n) {
  if (n.kind == Kind::kScan) {
    if (n.output.size() != n.scan.table.columns.size()) return InvalidArgument("fragment: scan output is not its table");
    for (const auto& c : n.scan.table.columns) STRATA_RETURN_IF_ERROR(storage::ValidateColumnSchema(c));
    return Status::OK();
  }
  const PlanNode& in = *n.children[0];
  STRATA_RETURN_IF_ERROR(CheckNode(in));
  const size_t width = in.output.size();
  size_t expected = width;
  switch (n.kind) {
    case Kind::kFilter: STRATA_RETURN_IF_ERROR(CheckColumns(n.predicate.get(), width)); break;
    case Kind::kProject:
      for (const auto& x : n.exprs) STRATA_RETURN_IF_ERROR(CheckColumns(x.get(), width));
      expected = n.exprs.size();
      break;
    case Kind::kAggregate:
      for (const auto& k : n.group_keys) STRATA_RETURN_IF_ERROR(CheckColumns(k.get(), width));
      for (const auto& a : n.aggs) {
        STRATA_RETURN_IF_ERROR(CheckColumns(a.arg.get(), width));
        STRATA_RETURN_IF_ERROR(CheckColumns(a.arg2.get(), width));
      }
      expected = n.group_keys.size() + n.aggs.size();
      break;
    default: break;
  }
  if (n.output.size() != expected) return InvalidArgument("fragment: a node's output width does not match its kind");
  return Status::OK();
}

}  // namespace

std::string SqlErrorMark(uint16_t code, const std::string& message) {
  return "[mysql-error " + std::to_string(code) + "] " + message;
}

std::optional<std::pair<uint16_t, std::string>> FindSqlErrorMark(std::string_view message) {
  constexpr std::string_view kMark = "[mysql-error ";
  size_t at = message.find(kMark);
  if (at == std::string_view::npos) return std::nullopt;
  size_t p = at + kMark.size();
  uint32_t code = 0;
  size_t digits = 0;
  while (p < message.size() && message[p] >= '0' && message[p] <= '9' && digits < 5) {
    code = code * 10 + static_cast<uint32_t>(message[p++] - '0');
    ++digits;
  }
  if (digits == 0 || code > 0xFFFF || message.substr(p, 2) != "] ") return std::nullopt;
  return std::make_pair(static_cast<uint16_t>(code), std::string(message.substr(p + 2)));
}

const PlanNode& FragmentScan(const PlanNode& fragment) {
  const PlanNode* n = &fragment;
  while (n->kind != Kind::kScan) n = n->children.at(0).get();
  return *n;
}

PlanNode& FragmentScan(PlanNode& fragment) {
  return const_cast<PlanNode&>(FragmentScan(static_cast<const PlanNode&>(fragment)));
}

Result<std::string> EncodeFragment(const PlanNode& fragment) {
  Encoder e;
  e.PutRaw(kFragmentMagic);
  STRATA_RETURN_IF_ERROR(PutNode(e, fragment));
  return Seal(e);
}

Result<PlanPtr> DecodeFragment(std::string_view bytes) {
  STRATA_ASSIGN_OR_RETURN(std::string_view body, Unseal(bytes, kFragmentMagic, "fragment"));
  Reader r(body);
  PlanPtr plan;
  STRATA_RETURN_IF_ERROR(GetNode(r, 0, &plan));
  if (!r.d().empty()) return DataLoss("fragment: bytes after the plan");
  STRATA_RETURN_IF_ERROR(CheckNode(*plan));
  return plan;
}

// ---------------------------------------------------------------- chunks

std::string EncodeChunk(const Chunk& chunk) {
  Encoder e;
  e.PutRaw(kChunkMagic);
  e.PutVarint(chunk.rows);
  e.PutVarint(chunk.columns.size());
  for (const Column& c : chunk.columns) {
    PutType(e, c.type());
    e.PutBool(c.is_constant());
    const size_t n = c.is_constant() ? 1 : chunk.rows;
    for (size_t r = 0; r < n; ++r) {
      const bool null = c.IsNull(r);
      e.PutBool(null);
      if (null) continue;
      if (UsesI64(c.type())) e.PutSignedVarint(c.I64(r));
      else if (UsesI128(c.type())) PutI128(e, c.I128(r));
      else if (c.type().id == TypeId::kDouble) PutF64(e, c.F64(r));
      else if (c.type().id == TypeId::kString) e.PutString(c.Str(r));
    }
  }
  return Seal(e);
}

Result<Chunk> DecodeChunk(std::string_view bytes) {
  STRATA_ASSIGN_OR_RETURN(std::string_view body, Unseal(bytes, kChunkMagic, "chunk"));
  Reader r(body);
  Chunk chunk;
  uint64_t rows, columns;
  STRATA_RETURN_IF_ERROR(r.d().GetVarint(&rows));
  if (rows > kCountMax) return DataLoss("chunk: too many rows");
  STRATA_RETURN_IF_ERROR(r.Count(&columns));
  chunk.rows = static_cast<size_t>(rows);
  for (uint64_t i = 0; i < columns; ++i) {
    Type type;
    bool constant;
    STRATA_RETURN_IF_ERROR(r.GetType(&type));
    STRATA_RETURN_IF_ERROR(r.d().GetBool(&constant));
    if (!constant && rows > r.d().remaining()) return DataLoss("chunk: fewer bytes than rows");
    Column c(type);
    const size_t n = constant ? 1 : chunk.rows;
    c.Reserve(n);
    if (!constant && type.id == TypeId::kString) {  // each value's bytes straight into the column's blocks
      for (size_t row = 0; row < n; ++row) {
        bool null;
        STRATA_RETURN_IF_ERROR(r.d().GetBool(&null));
        if (null) {
          c.AppendNull();
          continue;
        }
        uint64_t size;
        std::string_view value;
        STRATA_RETURN_IF_ERROR(r.d().GetVarint(&size));
        if (size > r.d().remaining()) return DataLoss("chunk: a string past the end");
        STRATA_RETURN_IF_ERROR(r.d().GetRaw(static_cast<size_t>(size), &value));
        c.AppendStr(value);
      }
      chunk.columns.push_back(std::move(c));
      continue;
    }
    for (size_t row = 0; row < n; ++row) {
      bool null;
      STRATA_RETURN_IF_ERROR(r.d().GetBool(&null));
      Scalar v;
      v.null = null;
      if (!null) {
        if (UsesI64(type)) STRATA_RETURN_IF_ERROR(r.d().GetSignedVarint(&v.i64));
        else if (UsesI128(type)) STRATA_RETURN_IF_ERROR(r.GetI128(&v.i128));
        else if (type.id == TypeId::kDouble) STRATA_RETURN_IF_ERROR(r.GetF64(&v.f64));
        else if (type.id == TypeId::kString) STRATA_RETURN_IF_ERROR(r.d().GetString(&v.str));
        else return DataLoss("chunk: a non-NULL value of type NULL");
      }
      if (constant) {
        c = Column::Constant(type, v, chunk.rows);
      } else {
        c.Append(v);
      }
    }
    chunk.columns.push_back(std::move(c));
  }
  if (!r.d().empty()) return DataLoss("chunk: bytes after the last column");
  return chunk;
}

}  // namespace strata::query

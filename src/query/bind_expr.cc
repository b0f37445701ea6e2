// Binding expressions (binder_internal.h): names, types, casts, functions,
// aggregates, and uncorrelated subqueries (run now, bound as constants).
#include <algorithm>
#include <chrono>
#include <ctime>

#include "query/binder_internal.h"
#include "query/functions.h"
#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"  // UpperAscii / LowerAscii

namespace strata::query {

using sql::Expr;
using sql::Fail;
using K = sql::Expr::Kind;

namespace {

bool SameRepresentation(const Type& a, const Type& b) {
  if (a.id != b.id) return false;
  if (a.id == TypeId::kDecimal) return a.scale == b.scale;
  if (a.id == TypeId::kDouble) return a.is_float == b.is_float || !b.is_float;
  return true;
}

std::string LocalNow(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::optional<CmpOp> CmpOpOf(const std::string& op) {
  if (op == "=") return CmpOp::kEq;
  if (op == "!=") return CmpOp::kNe;
  if (op == "<") return CmpOp::kLt;
  if (op == "<=") return CmpOp::kLe;
  if (op == ">") return CmpOp::kGt;
  if (op == ">=") return CmpOp::kGe;
  if (op == "<=>") return CmpOp::kNullSafeEq;
  return std::nullopt;
}

std::optional<ArithOp> ArithOpOf(const std::string& op) {
  if (op == "+") return ArithOp::kAdd;
  if (op == "-") return ArithOp::kSub;
  if (op == "*") return ArithOp::kMul;
  if (op == "/") return ArithOp::kDiv;
  if (op == "DIV") return ArithOp::kIntDiv;
  if (op == "%" || op == "MOD") return ArithOp::kMod;
  return std::nullopt;
}

Type AsDecimal(const Type& t) {
  if (t.id == TypeId::kDecimal) return t;
  if (t.id == TypeId::kLargeInt) return Type::Decimal(38, 0);
  return Type::Decimal(19, 0);
}

// The operand and result types of `a op b` (MySQL rules).
void ArithTypes(ArithOp op, Type a, Type b, Type* operand_a, Type* operand_b, Type* result) {
  auto numeric = [](const Type& t) { return IsNumeric(t) ? t : (t.id == TypeId::kNull ? Type::Int() : Type::Double()); };
  a = numeric(a), b = numeric(b);
  if (op == ArithOp::kIntDiv) {
    *operand_a = a, *operand_b = b, *result = Type::Int();
    return;
  }
  if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) {
    *operand_a = *operand_b = *result = Type::Double();
    return;
  }
  if (op == ArithOp::kDiv || a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
    Type da = AsDecimal(a), db = AsDecimal(b);
    *operand_a = da, *operand_b = db;
    int ia = da.precision - da.scale, ib = db.precision - db.scale;
    switch (op) {
      case ArithOp::kAdd: case ArithOp::kSub: case ArithOp::kMod: {
        int s = std::max(da.scale, db.scale);
        *result = Type::Decimal(std::max(ia, ib) + s + 1, s);
        return;
      }
      case ArithOp::kMul: *result = Type::Decimal(da.precision + db.precision, std::min(da.scale + db.scale, 30)); return;
      default: *result = Type::Decimal(38, std::min(da.scale + kDivScaleIncrement, 30)); return;
    }
  }
  if (a.id == TypeId::kLargeInt || b.id == TypeId::kLargeInt) {
    *operand_a = *operand_b = *result = Type::LargeInt();
    return;
  }
  *operand_a = a, *operand_b = b, *result = Type::Int();
}

Type CastTarget(const std::string& name) {
  if (name == "SIGNED" || name == "UNSIGNED" || name == "INT" || name == "BIGINT" || name == "SMALLINT" ||
      name == "TINYINT" || name == "BOOLEAN") {
    return Type::Int();
  }
  if (name == "LARGEINT") return Type::LargeInt();
  if (name == "DOUBLE") return Type::Double();
  if (name == "FLOAT") return Type{.id = TypeId::kDouble, .is_float = true};
  if (name == "DATE") return Type::Date();
  if (name == "DATETIME") return Type::DateTime();
  if (name.rfind("DECIMAL(", 0) == 0) {
    int p = 10, s = 0;
    std::sscanf(name.c_str(), "DECIMAL(%d,%d)", &p, &s);
    return Type::Decimal(p, s);
  }
  if (name == "JSON") Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'CAST AS JSON'");
  return Type::String();
}

}  // namespace

BoundExprPtr CastIfNeeded(BoundExprPtr e, const Type& to) {
  if (SameRepresentation(e->type, to)) return e;
  return MakeCast(std::move(e), to);
}

BoundExprPtr MakeCompareOp(CmpOp op, BoundExprPtr a, BoundExprPtr b) {
  Type t = ComparisonType(a->type, b->type);
  std::string text = a->text + " " + (op == CmpOp::kEq ? "=" : op == CmpOp::kNe ? "!=" : op == CmpOp::kLt ? "<"
                                      : op == CmpOp::kLe ? "<=" : op == CmpOp::kGt ? ">" : op == CmpOp::kGe ? ">=" : "<=>") +
                     " " + b->text;
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kCompare, e->cmp = op, e->type = Type::Int(), e->text = text;
  // Decimals of different scales are brought to one scale.
  if (a->type.id == TypeId::kDecimal && b->type.id == TypeId::kDecimal && a->type.scale != b->type.scale) {
    a = MakeCast(std::move(a), t), b = MakeCast(std::move(b), t);
  } else {
    a = CastIfNeeded(std::move(a), t), b = CastIfNeeded(std::move(b), t);
  }
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

BoundExprPtr MakeAnd(BoundExprPtr a, BoundExprPtr b) {
  if (!a) return b;
  if (!b) return a;
  auto e = std::make_unique<BoundExpr>();
  e->op = ExprOp::kAnd, e->type = Type::Int(), e->text = "(" + a->text + " AND " + b->text + ")";
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

bool Binder::HasAggregate(const Expr& e) {
  if (e.kind == K::kFunc && IsAggregateFunction(e.text)) return true;
  return std::any_of(e.args.begin(), e.args.end(), [](const sql::ExprPtr& a) { return a && HasAggregate(*a); });
}

std::string Binder::Canonical(const Expr& e, const Scope& scope) {
  std::string out = std::to_string(static_cast<int>(e.kind)) + ":";
  if (e.kind == K::kColumn) {
    size_t index = 0;
    try {
      BindColumn(e, scope, &index);
    } catch (const sql::SqlException&) {  // not an input column (an alias): by name
      return out + "?" + sql::LowerAscii(e.qualifier) + "." + sql::LowerAscii(e.text);
    }
    return out + "#" + std::to_string(index);
  }
  out += (e.kind == K::kString ? e.text : sql::UpperAscii(e.text)) + "|" + e.qualifier + (e.negated ? "!" : "") +
         (e.distinct ? "D" : "") + "(";
  for (const auto& a : e.args) out += Canonical(*a, scope) + ",";
  if (e.subquery) out += "subquery@" + std::to_string(reinterpret_cast<uintptr_t>(e.subquery.get()));
  return out + ")";
}

BoundExprPtr Binder::BindColumn(const Expr& e, const Scope& scope, size_t* index_out) {
  if (e.text == "*") Fail(sql::ER_PARSE_ERROR, "'*' is not valid here");
  std::string name = sql::LowerAscii(e.text), table = sql::LowerAscii(e.qualifier);
  std::optional<size_t> found;
  for (bool outer : {false, true}) {  // the inner query's columns hide the enclosing one's
    for (size_t i = 0; i < scope.columns.size(); ++i) {
      const ScopeColumn& c = scope.columns[i];
      if (c.outer != outer || sql::LowerAscii(c.name) != name) continue;
      if (table.empty() ? c.hidden : c.table != table) continue;
      if (found) {
        Fail(sql::ER_NON_UNIQ_ERROR, "Column '" + e.text + "' in field list is ambiguous");
      }
      found = i;
    }
    if (found) break;
  }
  if (!found) {
    Fail(sql::ER_BAD_FIELD_ERROR,
         "Unknown column '" + (e.qualifier.empty() ? e.text : e.qualifier + "." + e.text) + "' in 'field list'");
  }
  const ScopeColumn& c = scope.columns[*found];
  if (c.scan != nullptr) c.scan->read[c.scan_column] = true;
  if (index_out) *index_out = *found;
  return MakeColumnRef(*found, c.type, e.qualifier.empty() ? c.name : c.table + "." + c.name);
}

BoundExprPtr Binder::BindLiteral(const Expr& e) {
  switch (e.kind) {
    case K::kString: return MakeConst(Type::String(), Scalar::Str(e.text), "'" + e.text + "'");
    case K::kNull: return MakeConst(Type::Null(), Scalar::Null(), "NULL");
    case K::kBool: return MakeConst(Type::Int(1), Scalar::I64(e.text == "1"), e.text == "1" ? "TRUE" : "FALSE");
    default: break;
  }
  const std::string& t = e.text;  // kNumber
  bool has_exp = t.find_first_of("eE") != std::string::npos;
  size_t dot = t.find('.');
  if (!has_exp) {
    std::string digits;
    for (char c : t) {
      if (c != '.') digits.push_back(c);
    }
    size_t lead = digits.find_first_not_of('0');
    size_t significant = lead == std::string::npos ? 1 : digits.size() - lead;
    int scale = dot == std::string::npos ? 0 : static_cast<int>(t.size() - dot - 1);
    if (scale == 0 && significant <= 18) return MakeConst(Type::Int(), Scalar::I64(std::stoll(t)), t);
    if (significant <= static_cast<size_t>(kDecimalPrecisionMax)) {
      int precision = std::max<int>(static_cast<int>(significant), scale);
      if (auto v = ParseDecimal(t, scale)) return MakeConst(Type::Decimal(precision, scale), Scalar::I128(*v), t);
    }
  }
  return MakeConst(Type::Double(), Scalar::F64(StringToDouble(t)), t);
}

BoundExprPtr Binder::BindSession(const Expr& e) {
  sql::Value v = sql::Eval(e, *ctx_.session);
  std::string text = e.source.empty() ? e.text : e.source;
  switch (v.type) {
    case sql::Value::Type::kNull: return MakeConst(Type::Null(), Scalar::Null(), text);
    case sql::Value::Type::kInt: return MakeConst(Type::Int(), Scalar::I64(v.i), text);
    case sql::Value::Type::kDouble: return MakeConst(Type::Double(), Scalar::F64(v.d), text);
    case sql::Value::Type::kString: return MakeConst(Type::String(), Scalar::Str(v.s), text);
  }
  return MakeConst(Type::Null(), Scalar::Null(), text);
}

BoundExprPtr Binder::Bind(const Expr& e, const Scope& scope, AggBinding* agg) {
  for (const auto& [expr, bound] : substitutes_) {
    if (expr == &e) return bound->Clone();
  }
  if (agg != nullptr) {
    // After aggregation: a grouped expression or an aggregate is a column of the aggregate's output.
    if (e.kind != K::kString && e.kind != K::kNumber && e.kind != K::kNull && e.kind != K::kBool) {
      bool aliased = false;
      if (e.kind == K::kColumn && e.qualifier.empty()) {
        // A select alias (HAVING / ORDER BY) that is not also an input column.
        for (const auto& [alias, item] : agg->aliases) {
          if (sql::LowerAscii(alias) != sql::LowerAscii(e.text)) continue;
          bool is_input = std::any_of(agg->input->columns.begin(), agg->input->columns.end(),
                                      [&](const ScopeColumn& c) { return sql::LowerAscii(c.name) == sql::LowerAscii(e.text); });
          if (!is_input) return Bind(*item, scope, agg);
          aliased = true;
        }
      }
      (void)aliased;
      if (!(e.kind == K::kFunc && IsAggregateFunction(e.text))) {
        std::string text = Canonical(e, *agg->input);
        for (size_t i = 0; i < agg->key_texts.size(); ++i) {
          if (agg->key_texts[i] == text) return MakeColumnRef(i, agg->key_types[i], e.source.empty() ? e.text : e.source);
        }
      }
    }
    if (e.kind == K::kColumn) {
      BindColumn(e, *agg->input);  // unknown columns first
      Fail(sql::ER_WRONG_FIELD_WITH_GROUP,
           "'" + (e.qualifier.empty() ? e.text : e.qualifier + "." + e.text) +
               "' isn't in GROUP BY (a selected column must be grouped or inside an aggregate)");
    }
  }
  switch (e.kind) {
    case K::kString: case K::kNumber: case K::kNull: case K::kBool: return BindLiteral(e);
    case K::kColumn: return BindColumn(e, scope);
    case K::kSysVar: case K::kUserVar: return BindSession(e);
    case K::kStar: Fail(sql::ER_PARSE_ERROR, "'*' is not valid here");
    case K::kFunc: return BindFunction(e, scope, agg);
    case K::kBinary: return BindBinary(e, scope, agg);
    case K::kNot: {
      auto a = Bind(*e.args[0], scope, agg);
      auto n = std::make_unique<BoundExpr>();
      n->op = ExprOp::kNot, n->type = Type::Int(), n->text = "NOT " + a->text;
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kNeg: {
      auto a = Bind(*e.args[0], scope, agg);
      if (a->op == ExprOp::kConst && a->type.id == TypeId::kInt && a->value.i64 == 0 && false) return a;
      Type t = IsNumeric(a->type) ? a->type : Type::Double();
      if (t.id == TypeId::kInt) t = Type::Int();
      auto n = std::make_unique<BoundExpr>();
      n->op = ExprOp::kNeg, n->type = t, n->text = "-" + a->text;
      n->args.push_back(CastIfNeeded(std::move(a), t));
      if (n->args[0]->op == ExprOp::kConst) {  // fold -literal
        Chunk one{.rows = 1};
        Column c = Evaluate(*n, one);
        return MakeConst(t, c.At(0), n->text);
      }
      return n;
    }
    case K::kIsNull: {
      auto a = Bind(*e.args[0], scope, agg);
      auto n = std::make_unique<BoundExpr>();
      n->op = ExprOp::kIsNull, n->type = Type::Int(), n->negated = e.negated;
      n->text = a->text + (e.negated ? " IS NOT NULL" : " IS NULL");
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kIn: {
      std::vector<BoundExprPtr> args;
      for (const auto& a : e.args) args.push_back(Bind(*a, scope, agg));
      Type t = args[0]->type;
      for (size_t i = 1; i < args.size(); ++i) t = ComparisonType(t, args[i]->type);
      if (t.id == TypeId::kDecimal) {
        for (auto& a : args) a = MakeCast(std::move(a), t);
      }
      auto n = std::make_unique<BoundExpr>();
      n->op = ExprOp::kIn, n->type = Type::Int(), n->negated = e.negated;
      n->text = args[0]->text + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) n->text += std::string(i > 1 ? ", " : "") + args[i]->text;
        n->args.push_back(CastIfNeeded(std::move(args[i]), t));
      }
      n->text += ")";
      return n;
    }
  }
  Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support this expression");
}

BoundExprPtr Binder::BindBinary(const Expr& e, const Scope& scope, AggBinding* agg) {
  const std::string& op = e.text;
  // date +/- INTERVAL n unit
  bool interval_right = e.args[1]->kind == K::kFunc && e.args[1]->text == "INTERVAL";
  bool interval_left = e.args[0]->kind == K::kFunc && e.args[0]->text == "INTERVAL";
  if ((op == "+" || op == "-") && (interval_right || (interval_left && op == "+"))) {
    const Expr& date = interval_right ? *e.args[0] : *e.args[1];
    const Expr& iv = interval_right ? *e.args[1] : *e.args[0];
    auto d = Bind(date, scope, agg);
    auto n = Bind(*iv.args[0], scope, agg);
    if (op == "-") {
      auto neg = std::make_unique<BoundExpr>();
      neg->op = ExprOp::kNeg, neg->type = Type::Int(), neg->text = "-" + n->text;
      neg->args.push_back(CastIfNeeded(std::move(n), Type::Int()));
      n = std::move(neg);
    }
    std::vector<BoundExprPtr> args;
    args.push_back(std::move(d));
    args.push_back(std::move(n));
    args.push_back(MakeConst(Type::String(), Scalar::Str(iv.qualifier), iv.qualifier));
    Scalar unit = Scalar::Str(iv.qualifier);
    std::vector<Type> types{args[0]->type, args[1]->type, Type::String()};
    FunctionSignature sig = ResolveFunction("DATE_ADD", types, {nullptr, nullptr, &unit});
    auto f = std::make_unique<BoundExpr>();
    f->op = ExprOp::kFunc, f->name = "DATE_ADD", f->type = sig.result, f->text = e.source.empty() ? "date_add" : e.source;
    for (size_t i = 0; i < args.size(); ++i) f->args.push_back(CastIfNeeded(std::move(args[i]), sig.args[i]));
    return f;
  }
  auto a = Bind(*e.args[0], scope, agg);
  auto b = Bind(*e.args[1], scope, agg);
  if (op == "AND" || op == "OR") {
    auto n = std::make_unique<BoundExpr>();
    n->op = op == "AND" ? ExprOp::kAnd : ExprOp::kOr, n->type = Type::Int();
    n->text = "(" + a->text + " " + op + " " + b->text + ")";
    n->args.push_back(std::move(a));
    n->args.push_back(std::move(b));
    return n;
  }
  if (auto cmp = CmpOpOf(op)) return MakeCompareOp(*cmp, std::move(a), std::move(b));
  if (op == "LIKE") {
    auto n = std::make_unique<BoundExpr>();
    n->op = ExprOp::kLike, n->type = Type::Int(), n->text = a->text + " LIKE " + b->text;
    n->args.push_back(CastIfNeeded(std::move(a), Type::String()));
    n->args.push_back(CastIfNeeded(std::move(b), Type::String()));
    return n;
  }
  if (auto arith = ArithOpOf(op)) {
    Type ta, tb, tr;
    ArithTypes(*arith, a->type, b->type, &ta, &tb, &tr);
    auto n = std::make_unique<BoundExpr>();
    n->op = ExprOp::kArith, n->arith = *arith, n->type = tr;
    n->text = "(" + a->text + " " + op + " " + b->text + ")";
    n->args.push_back(CastIfNeeded(std::move(a), ta));
    n->args.push_back(CastIfNeeded(std::move(b), tb));
    if (n->args[0]->op == ExprOp::kConst && n->args[1]->op == ExprOp::kConst) {
      Chunk one{.rows = 1};
      Column c = Evaluate(*n, one);
      return MakeConst(tr, c.At(0), n->text);
    }
    return n;
  }
  Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support the operator '" + op + "'");
}

BoundExprPtr Binder::BindAggregate(const Expr& e, const Scope& scope, AggBinding* agg) {
  if (agg == nullptr) Fail(sql::ER_INVALID_GROUP_FUNC_USE, "Invalid use of group function");
  std::string canonical = Canonical(e, *agg->input);
  for (size_t j = 0; j < agg->agg_texts.size(); ++j) {
    if (agg->agg_texts[j] == canonical) {
      return MakeColumnRef(agg->key_texts.size() + j, agg->aggs[j].type, agg->aggs[j].text);
    }
  }
  AggSpec spec;
  spec.distinct = e.distinct;
  spec.text = e.source.empty() ? e.text : e.source;
  const std::string& f = e.text;
  bool star = e.args.size() == 1 && e.args[0]->kind == K::kStar;
  if (f == "COUNT" && star) {
    spec.func = AggFunc::kCountStar;
    spec.type = Type::Int();
  } else {
    if (e.args.size() != 1) {
      if (f == "COUNT" && e.distinct) {
        Fail(sql::ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'COUNT(DISTINCT) of several columns'");
      }
      Fail(sql::ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "Incorrect parameter count in the call to native function '" + f + "'");
    }
    for (const auto& a : e.args) {
      if (HasAggregate(*a)) Fail(sql::ER_INVALID_GROUP_FUNC_USE, "Invalid use of group function");
    }
    BoundExprPtr arg = Bind(*e.args[0], *agg->input, nullptr);
    Type in = arg->type;
    if (f == "COUNT") {
      spec.func = AggFunc::kCount, spec.type = Type::Int();
    } else if (f == "MIN" || f == "MAX" || f == "ANY_VALUE") {
      spec.func = f == "MIN" ? AggFunc::kMin : f == "MAX" ? AggFunc::kMax : AggFunc::kAnyValue;
      spec.type = in;
    } else {  // SUM / AVG
      spec.func = f == "SUM" ? AggFunc::kSum : AggFunc::kAvg;
      if (in.id == TypeId::kInt || in.id == TypeId::kLargeInt) {
        arg = MakeCast(std::move(arg), Type::Decimal(38, 0));
        spec.type = Type::Decimal(38, spec.func == AggFunc::kAvg ? kDivScaleIncrement : 0);
      } else if (in.id == TypeId::kDecimal) {
        spec.type = Type::Decimal(38, spec.func == AggFunc::kAvg ? std::min(in.scale + kDivScaleIncrement, 30) : in.scale);
      } else {
        arg = CastIfNeeded(std::move(arg), Type::Double());
        spec.type = Type::Double();
      }
    }
    spec.arg = std::move(arg);
  }
  agg->aggs.push_back(std::move(spec));
  agg->agg_texts.push_back(canonical);
  const AggSpec& added = agg->aggs.back();
  return MakeColumnRef(agg->key_texts.size() + agg->aggs.size() - 1, added.type, added.text);
}

BoundExprPtr Binder::BindSubquery(const Expr& e, const Scope& scope, AggBinding* agg) {
  if (Prepare(*e.subquery, agg ? *agg->input : scope) != nullptr) {
    Fail(sql::ER_NOT_SUPPORTED_YET,
         "This version of Strata doesn't yet support 'a correlated subquery in ON, GROUP BY, HAVING, ORDER BY "
         "or the select list of an aggregated query'");
  }
  SubqueryResult r = ctx_.run_subquery(*e.subquery);
  std::string text = e.source.empty() ? "(subquery)" : e.source;
  if (e.text == "EXISTS") return MakeConst(Type::Int(), Scalar::I64((r.rows.rows > 0) != e.negated), text);
  if (r.columns.size() != 1) Fail(sql::ER_OPERAND_COLUMNS, "Operand should contain 1 column(s)");
  const Column& values = r.rows.columns[0];
  if (e.text == "SUBQUERY") {
    if (r.rows.rows > 1) Fail(sql::ER_SUBQUERY_NO_1_ROW, "Subquery returns more than 1 row");
    Scalar v = r.rows.rows == 0 ? Scalar::Null() : values.At(0);
    return MakeConst(r.columns[0].type, v, text);
  }
  // IN_SUBQUERY
  auto probe = Bind(*e.args[0], scope, agg);
  Type t = ComparisonType(probe->type, r.columns[0].type);
  auto set = std::make_shared<ValueSet>();
  Column cast = CastColumn(values, t);
  std::string key;
  for (size_t i = 0; i < r.rows.rows; ++i) {
    if (cast.IsNull(i)) {
      set->has_null = true;
      continue;
    }
    key.clear();
    EncodeKey(cast, i, &key);
    set->keys.insert(key);
  }
  auto n = std::make_unique<BoundExpr>();
  n->op = ExprOp::kInSet, n->type = Type::Int(), n->negated = e.negated, n->set = std::move(set);
  n->text = probe->text + (e.negated ? " NOT IN " : " IN ") + "(" + std::to_string(r.rows.rows) + " values of a subquery)";
  n->args.push_back(MakeCast(std::move(probe), t));
  return n;
}

BoundExprPtr Binder::BindFunction(const Expr& e, const Scope& scope, AggBinding* agg) {
  const std::string& f = e.text;
  std::string text = e.source.empty() ? f : e.source;
  if (IsAggregateFunction(f)) return BindAggregate(e, scope, agg);
  if (f == "EXISTS" || f == "SUBQUERY" || f == "IN_SUBQUERY") {
    if (!e.subquery) Fail(sql::ER_SP_DOES_NOT_EXIST, "FUNCTION " + f + " does not exist");
    return BindSubquery(e, scope, agg);
  }
  if (f == "INTERVAL") Fail(sql::ER_PARSE_ERROR, "INTERVAL is only valid in date arithmetic");
  if (e.args.empty()) {
    if (f == "NOW" || f == "CURRENT_TIMESTAMP" || f == "LOCALTIME" || f == "LOCALTIMESTAMP" || f == "SYSDATE") {
      return MakeConst(Type::DateTime(), Scalar::I64(*ParseDateTime(LocalNow("%Y-%m-%d %H:%M:%S"))), text);
    }
    if (f == "CURDATE" || f == "CURRENT_DATE") {
      return MakeConst(Type::Date(), Scalar::I64(*ParseDate(LocalNow("%Y-%m-%d"))), text);
    }
    if (ctx_.session != nullptr && f != "PI") {
      if (auto v = ctx_.session->SessionFunction(f)) return BindSession(e);
    }
  }
  if (f == "CASE") {
    size_t i = 0;
    BoundExprPtr operand;
    if (e.has_operand) operand = Bind(*e.args[i++], scope, agg);
    auto n = std::make_unique<BoundExpr>();
    n->op = ExprOp::kCase, n->has_else = e.has_else, n->text = text;
    std::vector<BoundExprPtr> results;
    std::vector<BoundExprPtr> whens;
    size_t end = e.args.size() - (e.has_else ? 1 : 0);
    for (; i + 1 < end + 1 && i < end; i += 2) {
      auto w = Bind(*e.args[i], scope, agg);
      if (operand) w = MakeCompareOp(CmpOp::kEq, operand->Clone(), std::move(w));
      whens.push_back(std::move(w));
      results.push_back(Bind(*e.args[i + 1], scope, agg));
    }
    if (e.has_else) results.push_back(Bind(*e.args.back(), scope, agg));
    Type t = Type::Null();
    for (const auto& r : results) t = UnifyTypes(t, r->type);
    for (size_t k = 0; k < whens.size(); ++k) {
      n->args.push_back(std::move(whens[k]));
      n->args.push_back(CastIfNeeded(std::move(results[k]), t));
    }
    if (e.has_else) n->args.push_back(CastIfNeeded(std::move(results.back()), t));
    n->type = t;
    return n;
  }
  if (f == "CAST") {
    auto a = Bind(*e.args[0], scope, agg);
    Type to = CastTarget(e.qualifier);
    if (to.id == TypeId::kString) return MakeCast(std::move(a), to);
    return MakeCast(std::move(a), to);
  }
  if (f == "BETWEEN") {
    auto x = Bind(*e.args[0], scope, agg);
    auto lo = Bind(*e.args[1], scope, agg);
    auto hi = Bind(*e.args[2], scope, agg);
    BoundExprPtr x2 = x->Clone();
    if (!e.negated) {
      BoundExprPtr low = MakeCompareOp(CmpOp::kGe, std::move(x2), std::move(lo));
      return MakeAnd(std::move(low), MakeCompareOp(CmpOp::kLe, std::move(x), std::move(hi)));
    }
    auto n = std::make_unique<BoundExpr>();
    n->op = ExprOp::kOr, n->type = Type::Int(), n->text = text;
    n->args.push_back(MakeCompareOp(CmpOp::kLt, std::move(x2), std::move(lo)));
    n->args.push_back(MakeCompareOp(CmpOp::kGt, std::move(x), std::move(hi)));
    return n;
  }
  std::string name = f;
  std::vector<BoundExprPtr> args;
  for (const auto& a : e.args) {
    if (a->kind == K::kStar) Fail(sql::ER_PARSE_ERROR, "'*' is not valid in " + f + "()");
    if (a->kind == K::kFunc && a->text == "INTERVAL") {
      args.push_back(Bind(*a->args[0], scope, agg));
      args.push_back(MakeConst(Type::String(), Scalar::Str(a->qualifier), a->qualifier));
      continue;
    }
    args.push_back(Bind(*a, scope, agg));
  }
  if (name == "DATE_ADD" || name == "DATE_SUB" || name == "ADDDATE" || name == "SUBDATE") {
    if (args.size() == 2) args.push_back(MakeConst(Type::String(), Scalar::Str("DAY"), "DAY"));
    if (args.size() != 3) {
      Fail(sql::ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "Incorrect parameter count in the call to native function '" + name + "'");
    }
    if (name == "DATE_SUB" || name == "SUBDATE") {
      auto neg = std::make_unique<BoundExpr>();
      neg->op = ExprOp::kNeg, neg->type = Type::Int(), neg->text = "-" + args[1]->text;
      neg->args.push_back(CastIfNeeded(std::move(args[1]), Type::Int()));
      args[1] = std::move(neg);
    }
    name = "DATE_ADD";
  }
  if (name == "POWER") name = "POW";
  std::vector<Type> types;
  std::vector<const Scalar*> constants;
  for (const auto& a : args) {
    types.push_back(a->type);
    constants.push_back(a->op == ExprOp::kConst ? &a->value : nullptr);
  }
  FunctionSignature sig = ResolveFunction(name, types, constants);
  auto n = std::make_unique<BoundExpr>();
  n->op = ExprOp::kFunc, n->name = name, n->type = sig.result, n->text = text;
  bool all_const = true;
  for (size_t i = 0; i < args.size(); ++i) {
    all_const = all_const && args[i]->op == ExprOp::kConst;
    n->args.push_back(i < sig.args.size() ? CastIfNeeded(std::move(args[i]), sig.args[i]) : std::move(args[i]));
  }
  if (all_const) {
    Chunk one{.rows = 1};
    Column c = Evaluate(*n, one);
    return MakeConst(n->type, c.At(0), text);
  }
  return n;
}

}  // namespace strata::query

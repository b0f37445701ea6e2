// Parsing CREATE / DROP / ALTER / TRUNCATE for databases, tables and
// partitions (and the dispatch of CREATE/DROP/ALTER to the other families).
#include <set>

#include "sql/mysql_errors.h"
#include "sql/parser_internal.h"

namespace strata::sql {

Statement Parser::ParseCreate() {
  if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) {
    CreateDatabaseStmt s;
    s.if_not_exists = AcceptIfNotExists();
    s.name = Identifier();
    while (Peek().kind != TokenKind::kEnd && !IsOp(";")) {  // [DEFAULT] CHARACTER SET x / COLLATE x / PROPERTIES
      if (IsKeyword("PROPERTIES")) {
        Take();
        PropertyList();
        continue;
      }
      AcceptKeyword("DEFAULT");
      if (AcceptKeywords({"CHARACTER", "SET"}) || AcceptKeyword("CHARSET") || AcceptKeyword("COLLATE")) {
        AcceptOp("=");
        IdentOrString();
        continue;
      }
      Error();
    }
    ExpectEnd();
    return s;
  }
  if (IsKeyword("TABLE") || (IsKeyword("EXTERNAL") && IsKeyword("TABLE", 1))) {
    if (AcceptKeyword("EXTERNAL")) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'EXTERNAL TABLE'");
    Take();
    return ParseCreateTable();
  }
  if (AcceptKeywords({"STORAGE", "VOLUME"})) return ParseCreateStorageVolume();
  if (AcceptKeyword("USER")) return ParseCreateUser();
  if (AcceptKeyword("ROLE")) {
    CreateRoleStmt s;
    s.if_not_exists = AcceptIfNotExists();
    do {
      s.names.push_back(IdentOrString());
    } while (AcceptOp(","));
    ExpectEnd();
    return s;
  }
  if (AcceptKeywords({"CLUSTER", "SNAPSHOT"})) {
    ClusterSnapshotStmt c{.name = Identifier()};
    ExpectEnd();
    return c;
  }
  if (IsKeyword("VIEW") || IsKeyword("MATERIALIZED") || IsKeyword("INDEX") || IsKeyword("FUNCTION") ||
      IsKeyword("RESOURCE") || IsKeyword("CATALOG") || IsKeyword("REPOSITORY")) {
    std::string what = "CREATE " + UpperAscii(Take().text);
    SkipToEnd();
    return UnsupportedStmt{.what = what};
  }
  Error();
}

Statement Parser::ParseDrop() {
  if (AcceptKeyword("DATABASE") || AcceptKeyword("SCHEMA")) {
    DropDatabaseStmt s;
    s.if_exists = AcceptIfExists();
    s.name = Identifier();
    s.force = AcceptKeyword("FORCE");
    ExpectEnd();
    return s;
  }
  if (AcceptKeyword("TABLE")) {
    DropTableStmt s;
    s.if_exists = AcceptIfExists();
    s.name = QualifiedName();
    s.force = AcceptKeyword("FORCE");
    ExpectEnd();
    return s;
  }
  if (AcceptKeywords({"STORAGE", "VOLUME"})) {
    DropStorageVolumeStmt s;
    s.if_exists = AcceptIfExists();
    s.name = Identifier();
    ExpectEnd();
    return s;
  }
  if (AcceptKeyword("USER")) return ParseDropUser();
  if (AcceptKeyword("ROLE")) {
    DropRoleStmt s;
    s.if_exists = AcceptIfExists();
    do {
      s.names.push_back(IdentOrString());
    } while (AcceptOp(","));
    ExpectEnd();
    return s;
  }
  if (AcceptKeywords({"CLUSTER", "SNAPSHOT"})) {
    ClusterSnapshotStmt c{.drop = true};
    c.if_exists = AcceptIfExists();
    c.name = Identifier();
    ExpectEnd();
    return c;
  }
  Error();
}

Statement Parser::ParseAlter() {
  if (AcceptKeyword("SYSTEM")) return ParseAlterSystem();
  if (AcceptKeyword("USER")) return ParseAlterUser();
  if (!AcceptKeyword("TABLE")) Error();
  AlterTableStmt s;
  s.name = QualifiedName();
  if (AcceptKeyword("ADD")) {
    s.add = true;
    if (!IsKeyword("PARTITION")) {
      SkipToEnd();
      return UnsupportedStmt{.what = "ALTER TABLE ADD COLUMN"};
    }
    Take();
    s.if_exists = AcceptIfNotExists();
    s.partition = ParsePartitionSpec();
    if (IsKeyword("DISTRIBUTED")) Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'a partition-specific distribution'");
  } else if (AcceptKeyword("DROP")) {
    s.add = false;
    if (!IsKeyword("PARTITION")) {
      SkipToEnd();
      return UnsupportedStmt{.what = "ALTER TABLE DROP COLUMN"};
    }
    Take();
    s.if_exists = AcceptIfExists();
    s.partition_name = Identifier();
    AcceptKeyword("FORCE");
  } else {
    SkipToEnd();
    return UnsupportedStmt{.what = "this ALTER TABLE clause"};
  }
  ExpectEnd();
  return s;
}

Statement Parser::ParseTruncate() {
  AcceptKeyword("TABLE");
  TruncateTableStmt s;
  s.name = QualifiedName();
  if (AcceptKeyword("PARTITION") || AcceptKeyword("PARTITIONS")) {
    if (IsOp("(")) {
      s.partitions = IdentList();
    } else {
      s.partitions.push_back(Identifier());
    }
  }
  ExpectEnd();
  return s;
}

CreateTableStmt Parser::ParseCreateTable() {
  CreateTableStmt t;
  t.if_not_exists = AcceptIfNotExists();
  t.name = QualifiedName();
  if (IsKeyword("LIKE") || IsKeyword("AS")) {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'CREATE TABLE " + UpperAscii(Peek().text) + "'");
  }
  ExpectOp("(");
  do {
    if (IsKeyword("INDEX")) {
      Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'indexes'");
    }
    ParseColumnDef(t);
  } while (AcceptOp(","));
  ExpectOp(")");
  ParseTableTail(t);
  ExpectEnd();
  return t;
}

// The type as stored in the catalog: upper case, integer display widths dropped.
// Type parameters are checked against StarRocks' limits with MySQL's codes.
std::string Parser::ParseType(const std::string& column) {
  static const std::set<std::string> kNoArgs = {"TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "LARGEINT",
                                                "FLOAT", "DOUBLE", "BOOLEAN", "BOOL", "STRING", "DATE",
                                                "DATETIME", "JSON"};
  static const std::set<std::string> kArgs = {"DECIMAL", "DECIMALV2", "DECIMAL32", "DECIMAL64", "DECIMAL128",
                                              "CHAR", "VARCHAR", "BINARY", "VARBINARY"};
  if (Peek().kind != TokenKind::kIdent) Error();
  std::string base = UpperAscii(Peek().text);
  if (!kNoArgs.contains(base) && !kArgs.contains(base)) Error();
  Take();
  if (base == "BOOL") base = "BOOLEAN";
  if (base == "INTEGER") base = "INT";
  std::vector<uint64_t> args;
  if (AcceptOp("(")) {
    do {
      args.push_back(Unsigned());
    } while (args.size() < 2 && AcceptOp(","));
    ExpectOp(")");
  }
  AcceptKeyword("UNSIGNED");
  if (kNoArgs.contains(base)) return base;  // INT(11): display width only
  if (base == "CHAR" && args.empty()) args = {1};
  if (base.rfind("DECIMAL", 0) == 0 && args.empty()) args = {10, 0};
  if (base.rfind("DECIMAL", 0) == 0 && args.size() == 1) args.push_back(0);
  if (args.size() > 1 && base.rfind("DECIMAL", 0) != 0) Error();
  CheckTypeArgs(base, args, column);
  std::string out = base;
  if (!args.empty()) {
    out += "(" + std::to_string(args[0]);
    if (args.size() > 1) out += "," + std::to_string(args[1]);
    out += ")";
  }
  return out;
}

void Parser::ParseColumnDef(CreateTableStmt& t) {
  ColumnSpec c;
  c.name = Identifier();
  c.type = ParseType(c.name);
  while (true) {
    if (AcceptKeywords({"NOT", "NULL"})) {
      c.nullable = false;
    } else if (AcceptKeyword("NULL")) {
      c.nullable = true;
    } else if (AcceptKeyword("DEFAULT")) {
      if (AcceptKeyword("NULL")) {
        c.default_null = true;
      } else if (AcceptKeyword("CURRENT_TIMESTAMP")) {
        if (AcceptOp("(")) ExpectOp(")");
        c.default_value = "CURRENT_TIMESTAMP";
        c.default_current_timestamp = true;
      } else if (Peek().kind == TokenKind::kString || Peek().kind == TokenKind::kNumber) {
        c.default_value = Take().text;
      } else if (IsOp("-") && Peek(1).kind == TokenKind::kNumber) {
        Take();
        c.default_value = "-" + Take().text;
      } else {
        Error();
      }
    } else if (AcceptKeyword("COMMENT")) {
      c.comment = StringLiteral();
    } else if (AcceptKeyword("KEY")) {
      // StarRocks allows "KEY" after a key column's type; the KEY clause decides.
    } else if (AcceptKeywords({"CHARACTER", "SET"}) || AcceptKeyword("CHARSET") || AcceptKeyword("COLLATE")) {
      IdentOrString();
    } else {
      break;
    }
  }
  t.columns.push_back(std::move(c));
}

void CheckTypeArgs(const std::string& base, const std::vector<uint64_t>& args, const std::string& column) {
  if (base.rfind("DECIMAL", 0) == 0 && args.size() == 2) {
    uint64_t max = base == "DECIMAL32" ? 9 : base == "DECIMAL64" ? 18 : base == "DECIMALV2" ? 27 : 38;
    if (args[0] > max) {
      Fail(ER_TOO_BIG_PRECISION, "Too-big precision " + std::to_string(args[0]) + " specified for '" + column +
                                     "'. Maximum is " + std::to_string(max) + ".");
    }
    if (args[1] > args[0]) {
      Fail(ER_M_BIGGER_THAN_D, "For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '" + column + "').");
    }
    return;
  }
  if (args.empty()) return;
  uint64_t max = (base == "CHAR" || base == "BINARY") ? kMaxCharLength : kMaxVarcharLength;
  if (args[0] > max) {
    Fail(ER_TOO_BIG_FIELDLENGTH, "Column length too big for column '" + column + "' (max = " + std::to_string(max) +
                                     "); use BLOB or TEXT instead");
  }
}

// VALUES LESS THAN (v, ...) | LESS THAN MAXVALUE | VALUES [(lo, ...), (hi, ...))
PartitionSpec Parser::ParsePartitionSpec() {
  PartitionSpec p;
  p.name = Identifier();
  ExpectKeyword("VALUES");
  if (AcceptKeywords({"LESS", "THAN"})) {
    p.less_than = true;
    if (AcceptKeyword("MAXVALUE")) return p;
    p.upper = ParsePartitionValues();
    return p;
  }
  ExpectOp("[");
  p.less_than = false;
  p.lower = ParsePartitionValues();
  ExpectOp(",");
  p.upper = ParsePartitionValues();
  ExpectOp(")");
  return p;
}

// ( v, ... ) with string or number values; (MAXVALUE) is unbounded (empty).
std::vector<std::string> Parser::ParsePartitionValues() {
  std::vector<std::string> out;
  ExpectOp("(");
  if (AcceptKeyword("MAXVALUE")) {
    ExpectOp(")");
    return out;
  }
  do {
    bool negative = AcceptOp("-");
    const Token& t = Peek();
    if (t.kind != TokenKind::kString && t.kind != TokenKind::kNumber) Error();
    if (negative && t.kind != TokenKind::kNumber) Error();
    out.push_back((negative ? "-" : "") + Take().text);
  } while (AcceptOp(","));
  ExpectOp(")");
  return out;
}

// ENGINE, KEY, COMMENT, PARTITION BY, DISTRIBUTED BY, ORDER BY, PROPERTIES.
void Parser::ParseTableTail(CreateTableStmt& t) {
  if (AcceptKeyword("ENGINE")) {
    AcceptOp("=");
    if (UpperAscii(Identifier()) != "OLAP") Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support engines other than OLAP");
  }
  if (IsKeyword("DUPLICATE") || IsKeyword("PRIMARY")) {
    t.primary_key = UpperAscii(Take().text) == "PRIMARY";
    ExpectKeyword("KEY");
    t.key_columns = IdentList();
  } else if (IsKeyword("AGGREGATE") || IsKeyword("UNIQUE")) {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support '" + UpperAscii(Peek().text) + " KEY tables'");
  }
  if (AcceptKeyword("COMMENT")) t.comment = StringLiteral();
  if (AcceptKeyword("PARTITION")) {
    ExpectKeyword("BY");
    if (!AcceptKeyword("RANGE")) {
      if (IsKeyword("LIST") || IsKeyword("HASH") || IsKeyword("DATE_TRUNC") || IsKeyword("TIME_SLICE")) {
        Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'PARTITION BY " + UpperAscii(Peek().text) + "'");
      }
      Error();
    }
    t.partition_columns = IdentList();
    ExpectOp("(");
    if (!IsOp(")")) {
      do {
        ExpectKeyword("PARTITION");
        t.partitions.push_back(ParsePartitionSpec());
      } while (AcceptOp(","));
    }
    ExpectOp(")");
  }
  if (AcceptKeyword("DISTRIBUTED")) {
    ExpectKeyword("BY");
    if (AcceptKeyword("RANDOM")) {
      t.random_distribution = true;
    } else {
      ExpectKeyword("HASH");
      t.distribution_columns = IdentList();
    }
    if (AcceptKeyword("BUCKETS")) {
      uint64_t n = Unsigned();
      if (n == 0 || n > UINT32_MAX) Error();
      t.buckets = static_cast<uint32_t>(n);
    }
  }
  if (AcceptKeywords({"ORDER", "BY"})) {
    Fail(ER_NOT_SUPPORTED_YET, "This version of Strata doesn't yet support 'ORDER BY in CREATE TABLE'");
  }
  if (AcceptKeyword("PROPERTIES")) t.properties = PropertyList();
}

}  // namespace strata::sql

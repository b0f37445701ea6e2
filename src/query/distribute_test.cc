// Distribution (distribute.h) and the fragment wire format (fragment_codec.h):
// split plans return exactly the rows unsplit plans do, in-process and
// through the bytes a compute node would receive and send back; damaged
// bytes are errors, never plans or rows.
#include "query/distribute.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "query/binder.h"
#include "query/executor.h"
#include "query/fragment_codec.h"
#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "sql/parser.h"

namespace strata::query {
namespace {

using testing::MemTableSource;
using testing::NoSession;

// A source whose fragments "travel": each is encoded, decoded on one of two
// pretend nodes (each taking half of the tablets), run there, and its chunks
// encoded and decoded on the way back.
class TwoNodeSource : public MemTableSource {
 public:
  Status RunFragment(const FragmentCall& call, const std::function<bool(Chunk&&)>& sink) override {
    if (call.should_stop()) return Aborted("stopped");
    ++fragments;
    const std::vector<TabletRef>& tablets = call.tablets;
    STRATA_ASSIGN_OR_RETURN(std::string bytes, EncodeFragment(call.fragment));
    const size_t half = tablets.size() / 2;
    for (int node = 0; node < 2; ++node) {
      std::vector<TabletRef> mine(tablets.begin() + (node ? static_cast<long>(half) : 0),
                                  node ? tablets.end() : tablets.begin() + static_cast<long>(half));
      STRATA_ASSIGN_OR_RETURN(PlanPtr plan, DecodeFragment(bytes));
      MemoryTracker memory(call.memory_limit_bytes);
      ExecContext ctx{.source = this, .memory = &memory};
      std::vector<std::string> sent;
      struct Collect : Sink {
        std::vector<std::string>* out;
        std::mutex mu;
        bool Push(Chunk c) override {
          std::lock_guard<std::mutex> lock(mu);
          out->push_back(EncodeChunk(c));
          return true;
        }
        void Finish() override {}
      } collect;
      collect.out = &sent;
      query::RunFragment(*plan, mine, collect, ctx);
      for (const std::string& b : sent) {
        STRATA_ASSIGN_OR_RETURN(Chunk c, DecodeChunk(b));
        if (!sink(std::move(c))) return Status::OK();
      }
    }
    return Status::OK();
  }
  int fragments = 0;
};

class DistributeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (MemTableSource* s : {static_cast<MemTableSource*>(&local_), static_cast<MemTableSource*>(&remote_)}) {
      s->CreateTable("db", "t", {{"k", "INT"}, {"g", "VARCHAR(8)"}, {"x", "DECIMAL(10,2)"}, {"f", "DOUBLE"}, {"d", "DATE"}},
                     {"k"}, {{.name = "p1", .upper = {"50"}}, {.name = "p2", .lower = {"50"}}}, 3);
      // Three tablets per partition, two files each, NULLs in every column.
      for (int file = 0; file < 12; ++file) {
        std::vector<std::vector<std::optional<std::string>>> rows;
        for (int i = 0; i < 40; ++i) {
          int k = (file % 2) * 50 + (file * 7 + i) % 50;
          auto maybe = [&](std::string v) -> std::optional<std::string> {
            return (k + file) % 11 == 0 ? std::nullopt : std::optional<std::string>(std::move(v));
          };
          rows.push_back({std::to_string(k), maybe(std::string(1, static_cast<char>('a' + k % 5))),
                          maybe(std::to_string(k * 3 - 100) + "." + std::to_string(10 + i)),
                          maybe(std::to_string(k) + ".25"), maybe("2024-01-" + std::to_string(10 + k % 19))});
        }
        s->Load("db", "t", rows, file % 2 ? "p2" : "p1", 16, static_cast<size_t>(file / 2 % 3));
      }
    }
  }
  static std::vector<std::string> Rows(const sql::ResultSet& rs) { return testing::SortedRows(rs); }

  std::vector<std::string> Engine(TableSource* source, const std::string& text) {
    sql::Statement st = sql::Parse(text);
    QueryEngine engine(source);
    return Rows(engine.Select(std::get<sql::SelectStmt>(st), SelectOptions{.current_db = "db", .session = &session_}));
  }

  // The plan as bound, never split.
  std::vector<std::string> Unsplit(const std::string& text) {
    sql::Statement st = sql::Parse(text);
    BindContext bind{.source = &local_, .current_db = "db", .session = &session_};
    PlanPtr plan = BindQuery(std::get<sql::SelectStmt>(st), bind);
    MemoryTracker memory(1ull << 30);
    ExecContext ctx{.source = &local_, .memory = &memory};
    Chunk rows = RunToChunk(*plan, ctx);
    sql::ResultSet rs;
    for (size_t r = 0; r < rows.rows; ++r) {
      sql::Row row;
      for (const auto& c : rows.columns) row.push_back(FormatCell(c, r));
      rs.rows.push_back(std::move(row));
    }
    return Rows(rs);
  }

  MemTableSource local_;
  TwoNodeSource remote_;
  NoSession session_;
};

TEST_F(DistributeTest, SplitPlansReturnTheRowsOfUnsplitOnes) {
  const char* queries[] = {
      "SELECT COUNT(*), COUNT(x), SUM(x), AVG(x), MIN(x), MAX(x), SUM(f), AVG(f), MIN(d), MAX(g) FROM t",
      "SELECT g, COUNT(*), SUM(x), AVG(x), AVG(k), MIN(f), MAX(d) FROM t GROUP BY g",
      "SELECT g, d, COUNT(x), SUM(k) FROM t WHERE k > 30 GROUP BY g, d HAVING COUNT(*) > 1",
      "SELECT k % 7 AS m, AVG(f), ANY_VALUE(k % 7) FROM t GROUP BY k % 7",
      "SELECT COUNT(*), SUM(x), AVG(f) FROM t WHERE k < 0",              // no rows pass: one row, 0 and NULLs
      "SELECT g, COUNT(*) FROM t WHERE k < 0 GROUP BY g",                // no rows, no groups
      "SELECT COUNT(*), AVG(x) FROM t WHERE k >= 50",                    // one partition pruned
      "SELECT k, x FROM t ORDER BY x DESC, k LIMIT 7",                   // top-N
      "SELECT k, g FROM t WHERE f IS NOT NULL ORDER BY g, k DESC LIMIT 5 OFFSET 3",
      "SELECT g, COUNT(DISTINCT k) FROM t GROUP BY g",                   // DISTINCT: grouped by (g, k) below
      "SELECT COUNT(DISTINCT x), SUM(DISTINCT x), AVG(DISTINCT x), MIN(DISTINCT x) FROM t WHERE k > 10",
      "SELECT d, COUNT(DISTINCT k % 3) FROM t GROUP BY d",               // the argument an expression
      "SELECT COUNT(DISTINCT g), COUNT(*) FROM t",                       // not split (COUNT(*) is not DISTINCT)
      "SELECT COUNT(DISTINCT f) FROM t WHERE k < 0",                     // no rows: 0
      "SELECT COUNT(*) FROM t",                                          // not split (metadata)
      "SELECT SUM(x) FROM (SELECT g, SUM(x) AS x FROM t GROUP BY g) s",  // split inside a subquery in FROM
      "SELECT k, g, x * 2 FROM t WHERE f > 30 AND g <> 'c'",            // a filtering chain as a fragment
      "SELECT a.k, b.g FROM t a JOIN t b ON a.k = b.k WHERE a.f > 20 AND b.k < 70",  // both join inputs
      "SELECT COUNT(DISTINCT g), COUNT(*) FROM t WHERE d > '2024-01-15'",  // DISTINCT over a filtering fragment
      "SELECT a.g, a.k, SUM(b.x) FROM t a, t b WHERE a.g = b.g AND a.k = b.k GROUP BY a.g, a.k HAVING SUM(b.x) > a.k",
      // Joins carry only the columns read above them (needed_columns.h).
      "SELECT a.k, b.d FROM t a LEFT JOIN t b ON a.k = b.k AND b.f > a.f WHERE a.k < 30",
      "SELECT DISTINCT a.g, b.g FROM t a JOIN t b ON a.d = b.d",
      "SELECT a.x FROM t a JOIN t b ON a.k = b.k UNION ALL SELECT b.f FROM t a JOIN t b ON a.g = b.g AND a.k = b.k + 1",
      "SELECT a.k, c.x FROM t a JOIN t b ON a.k = b.k JOIN t c ON b.k = c.k + 50 ORDER BY c.x DESC, a.k LIMIT 9",
      "SELECT k, g FROM t a WHERE EXISTS (SELECT 1 FROM t b WHERE b.k = a.k + 50 AND b.f > a.f)",
  };
  for (const char* q : queries) {
    std::vector<std::string> expected = Unsplit(q);
    EXPECT_EQ(Engine(&local_, q), expected) << q;
    EXPECT_EQ(Engine(&remote_, q), expected) << q;
    if (::testing::Test::HasFailure()) {
      for (const auto& line : Engine(&local_, std::string("EXPLAIN ") + q)) ADD_FAILURE() << line;
      break;
    }
  }
  EXPECT_GT(remote_.fragments, 8);
}

TEST_F(DistributeTest, ExplainShowsTheExchangeAndThePartialAggregate) {
  sql::Statement st = sql::Parse("EXPLAIN SELECT g, AVG(x) FROM t WHERE k > 60 GROUP BY g");
  QueryEngine engine(&local_);
  sql::ResultSet rs = engine.Select(std::get<sql::SelectStmt>(st), SelectOptions{.current_db = "db", .session = &session_});
  std::string text;
  for (const auto& row : rs.rows) text += *row[0] + "\n";
  EXPECT_NE(text.find("HASH AGGREGATE (merge) group by [g] [AVG(x)]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("EXCHANGE"), std::string::npos) << text;
  EXPECT_NE(text.find("[partial SUM of AVG(x), partial COUNT of AVG(x)]"), std::string::npos) << text;
  EXPECT_NE(text.find("partitions: 1/2 [p2]"), std::string::npos) << text;
}

// The fragment of `text` (the child of its first EXCHANGE).
PlanPtr BindAndSplit(TableSource* source, const sql::EvalScope* session, const std::string& text) {
  sql::Statement st = sql::Parse(text);
  BindContext bind{.source = source, .current_db = "db", .session = session};
  return Distribute(BindQuery(std::get<sql::SelectStmt>(st), bind));
}

const PlanNode* FindExchange(const PlanNode& n) {
  if (n.kind == PlanNode::Kind::kExchange) return &n;
  for (const auto& c : n.children) {
    if (const PlanNode* e = FindExchange(*c)) return e;
  }
  return nullptr;
}

TEST_F(DistributeTest, FragmentBytesRoundTripAndDamageIsAnError) {
  PlanPtr plan = BindAndSplit(&local_, &session_,
                              "SELECT g, SUM(x * 2), AVG(f) FROM t WHERE k IN (1, 2, 3) AND g LIKE 'a%' AND "
                              "CASE WHEN d > '2024-01-12' THEN 1 ELSE 0 END = 1 GROUP BY g");
  const PlanNode* exchange = FindExchange(*plan);
  ASSERT_NE(exchange, nullptr);
  auto bytes = EncodeFragment(*exchange->children[0]);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto decoded = DecodeFragment(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  auto again = EncodeFragment(**decoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);  // nothing lost on the way
  // Every single-byte change and every truncation is refused.
  for (size_t i = 0; i < bytes->size(); ++i) {
    std::string damaged = *bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(DecodeFragment(damaged).ok()) << "byte " << i;
    EXPECT_FALSE(DecodeFragment(std::string_view(*bytes).substr(0, i)).ok()) << "first " << i << " bytes";
  }
  // A join cannot travel in a fragment.
  PlanPtr join = BindAndSplit(&local_, &session_, "SELECT a.k FROM t a JOIN t b ON a.k = b.k");
  EXPECT_EQ(EncodeFragment(*join).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DistributeTest, ChunkBytesRoundTripEveryTypeAndDamageIsAnError) {
  Chunk c;
  c.rows = 3;
  Column i(Type::Int()), w(Type::Decimal(30, 4)), f(Type::Double()), s(Type::String()), d(Type::Date());
  i.AppendI64(-5), i.AppendNull(), i.AppendI64(int64_t{1} << 40);
  w.AppendI128(-(static_cast<int128>(1) << 100)), w.AppendI128(7), w.AppendNull();
  f.AppendF64(-0.0), f.AppendNull(), f.AppendF64(1e300);
  s.AppendStr(""), s.AppendStr(std::string("a\0b", 3)), s.AppendNull();
  d.AppendNull(), d.AppendI64(19000), d.AppendI64(-1);
  for (Column* col : {&i, &w, &f, &s, &d}) c.columns.push_back(std::move(*col));
  c.columns.push_back(Column::Constant(Type::String(), Scalar::Str("same"), 3));
  c.columns.push_back(Column::Constant(Type::Null(), Scalar::Null(), 3));
  std::string bytes = EncodeChunk(c);
  auto back = DecodeChunk(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->rows, 3u);
  ASSERT_EQ(back->columns.size(), c.columns.size());
  for (size_t col = 0; col < c.columns.size(); ++col) {
    EXPECT_EQ(back->columns[col].type(), c.columns[col].type());
    for (size_t r = 0; r < 3; ++r) EXPECT_EQ(FormatCell(back->columns[col], r), FormatCell(c.columns[col], r)) << col << "," << r;
  }
  EXPECT_TRUE(back->columns[5].is_constant());
  for (size_t k = 0; k < bytes.size(); ++k) {
    std::string damaged = bytes;
    damaged[k] = static_cast<char>(damaged[k] ^ 0x01);
    EXPECT_FALSE(DecodeChunk(damaged).ok()) << "byte " << k;
  }
  EXPECT_FALSE(DecodeChunk(bytes.substr(0, bytes.size() - 1)).ok());
}

// GROUP BY the distribution columns: each partial group comes from one
// tablet, so the merge takes every partial row as a group without a hash
// lookup (PlanNode::groups_disjoint) — and only then.
TEST_F(DistributeTest, GroupsByTheDistributionColumnsAreMergedWithoutHashing) {
  for (MemTableSource* s : {static_cast<MemTableSource*>(&local_), static_cast<MemTableSource*>(&remote_)}) {
    // h: unpartitioned, 4 tablets, a row's tablet = k % 4 (NULL k: tablet 0), each tablet in three files.
    s->CreateTable("db", "h", {{"k", "INT"}, {"g", "VARCHAR(8)"}, {"x", "DECIMAL(10,2)"}}, {}, {}, 4);
    s->SetDistribution("db", "h", {"k"});
    // hp: partitioned by p (p1: p < 2, p2: the rest), 2 tablets each by k % 2; the same k in both partitions.
    s->CreateTable("db", "hp", {{"k", "INT"}, {"p", "INT"}, {"x", "INT"}}, {"p"},
                   {{.name = "p1", .upper = {"2"}}, {.name = "p2", .lower = {"2"}}}, 2);
    s->SetDistribution("db", "hp", {"k"});
    for (int file = 0; file < 3; ++file) {
      for (size_t tablet = 0; tablet < 4; ++tablet) {
        std::vector<std::vector<std::optional<std::string>>> rows;
        for (int k = static_cast<int>(tablet); k < 60; k += 4) {
          rows.push_back({std::to_string(k), std::string(1, static_cast<char>('a' + (k + file) % 3)),
                          std::to_string(k * 10 + file) + ".5"});
        }
        if (tablet == 0) rows.push_back({std::nullopt, "n", std::to_string(file)});
        s->Load("db", "h", rows, "", 16, tablet);
      }
      for (int part = 0; part < 2; ++part) {
        for (size_t tablet = 0; tablet < 2; ++tablet) {
          std::vector<std::vector<std::optional<std::string>>> rows;
          for (int k = static_cast<int>(tablet); k < 20; k += 2) {
            rows.push_back({std::to_string(k), std::to_string(part * 2 + file % 2), std::to_string(k + file)});
          }
          s->Load("db", "hp", rows, part ? "p2" : "p1", 16, tablet);
        }
      }
    }
  }
  const std::pair<const char*, bool> queries[] = {  // query, merged without hashing
      {"SELECT k, COUNT(*), SUM(x), AVG(x), MIN(g), MAX(g) FROM h GROUP BY k", true},
      {"SELECT g, k, COUNT(*) FROM h WHERE x > 100 GROUP BY g, k HAVING SUM(x) > 300", true},
      {"SELECT kk, COUNT(*) FROM (SELECT k AS kk, g FROM h) s GROUP BY kk", true},
      {"SELECT g, COUNT(*), SUM(x) FROM h GROUP BY g", false},             // groups span tablets
      {"SELECT k % 5, COUNT(*) FROM h GROUP BY k % 5", false},             // computed from k
      {"SELECT k, COUNT(*), SUM(x) FROM hp GROUP BY k", false},            // a k in both partitions
      {"SELECT k, p, COUNT(*), SUM(x) FROM hp GROUP BY k, p", true},       // ... but not a (k, p)
      {"SELECT k, COUNT(*), SUM(x) FROM hp WHERE p >= 2 GROUP BY k", true},  // one partition read
  };
  for (const auto& [q, disjoint] : queries) {
    std::vector<std::string> expected = Unsplit(q);
    ASSERT_FALSE(expected.empty()) << q;
    EXPECT_EQ(Engine(&local_, q), expected) << q;
    EXPECT_EQ(Engine(&remote_, q), expected) << q;
    std::string plan;
    for (const auto& line : Engine(&local_, std::string("EXPLAIN ") + q)) plan += line + "\n";
    EXPECT_EQ(plan.find("grouped by the distribution columns") != std::string::npos, disjoint) << q << "\n" << plan;
  }
}

// A join on two keys whose build side has NULL keys: every row pairs rows
// with equal keys, as many as the one-key join filtered afterwards gives.
TEST_F(DistributeTest, ATwoKeyJoinPairsRowsWithEqualKeys) {
  std::vector<std::string> rows = Unsplit("SELECT a.k, b.k, a.g, b.g, b.x FROM t a JOIN t b ON a.k = b.k AND a.g = b.g");
  ASSERT_FALSE(rows.empty());
  for (const std::string& r : rows) {
    std::vector<std::string> cells;
    for (size_t start = 0, bar;; start = bar + 1) {
      bar = r.find('|', start);
      cells.push_back(r.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
    }
    ASSERT_EQ(cells.size(), 5u);
    EXPECT_EQ(cells[0], cells[1]) << r;
    EXPECT_EQ(cells[2], cells[3]) << r;
  }
  EXPECT_EQ(Unsplit("SELECT COUNT(*) FROM t a JOIN t b ON a.k = b.k WHERE a.g = b.g"),
            std::vector<std::string>{std::to_string(rows.size())});
}
}  // namespace
}  // namespace strata::query

// Join ordering by estimated rows (join_order.cc, join_estimate.cc): the
// smaller side is built, a filtered dimension joins first, an equality on
// columns that identify no row (many-to-many) waits, and the rows are the
// same as with the written order (the source then knows no row counts).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "query/binder.h"
#include "query/distribute.h"
#include "query/fold.h"
#include "query/needed_columns.h"
#include "query/query_test_util.h"
#include "sql/parser.h"

namespace strata::query {
namespace {

using testing::ExplainText;
using testing::MemTableSource;
using testing::RunSql;
using testing::SortedRows;

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class JoinOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // fact: 300 rows referencing dim1 (d1 = k % 30) and dim2 (d2 = k % 20).
    source_.CreateTable("db", "fact", {{"k", "INT"}, {"d1", "INT"}, {"d2", "INT"}, {"v", "INT"}});
    Rows fact;
    for (int k = 0; k < 300; ++k) {
      fact.push_back({std::to_string(k), std::to_string(k % 30), std::to_string(k % 20), std::to_string(k * 3 % 17)});
    }
    source_.Load("db", "fact", fact);
    source_.CreateTable("db", "dim1", {{"k", "INT"}, {"name", "VARCHAR(8)"}, {"g", "INT"}});
    Rows dim1;
    for (int k = 0; k < 30; ++k) dim1.push_back({std::to_string(k), "n" + std::to_string(k % 10), std::to_string(k % 3)});
    source_.Load("db", "dim1", dim1);
    source_.CreateTable("db", "dim2", {{"k", "INT"}, {"g", "INT"}});
    Rows dim2;
    for (int k = 0; k < 20; ++k) dim2.push_back({std::to_string(k), std::to_string(k % 3)});
    source_.Load("db", "dim2", dim2);
    for (const char* t : {"fact", "dim1", "dim2"}) source_.SetLeadingKey("db", t, "k");
  }

  // The rows of `q`, checked to be the same when the joins follow the text.
  std::vector<std::string> SameEitherWay(const std::string& q) {
    source_.knows_row_counts = false;
    std::vector<std::string> written = SortedRows(RunSql(&source_, q));
    source_.knows_row_counts = true;
    std::vector<std::string> sized = SortedRows(RunSql(&source_, q));
    EXPECT_EQ(sized, written) << q;
    return sized;
  }

  // The line right below the first HASH JOIN: its probe side's first node.
  std::string FirstProbe(const std::string& q) {
    std::string plan = ExplainText(&source_, q);
    size_t join = plan.find("HASH JOIN");
    EXPECT_NE(join, std::string::npos) << plan;
    size_t start = plan.find('\n', join) + 1;
    std::string line = plan.substr(start, plan.find('\n', start) - start);
    return line.substr(line.find_first_not_of(' '));
  }

  // The plan of `q` as the engine runs it (bound, folded, distributed, columns marked).
  PlanPtr PlanOf(const std::string& q) {
    sql::Statement st = sql::Parse(q);
    static const testing::NoSession session;
    BindContext ctx{.source = &source_, .current_db = "db", .session = &session};
    PlanPtr plan = BindQuery(std::get<sql::SelectStmt>(st), ctx);
    FoldPlan(*plan);
    plan = Distribute(std::move(plan));
    MarkNeededColumns(*plan);
    return plan;
  }

  MemTableSource source_;
};

void CollectNodes(const PlanNode& n, PlanNode::Kind kind, std::vector<const PlanNode*>* out) {
  if (n.kind == kind) out->push_back(&n);
  for (const auto& c : n.children) CollectNodes(*c, kind, out);
}

size_t CountTrue(const std::vector<bool>& v) { return static_cast<size_t>(std::count(v.begin(), v.end(), true)); }

TEST_F(JoinOrderTest, TheSmallerSideIsBuilt) {
  const std::string q = "SELECT COUNT(*), SUM(v) FROM dim1, fact WHERE dim1.k = fact.d1";
  EXPECT_EQ(SameEitherWay(q), (std::vector<std::string>{"300|" + std::to_string([] {
                                                          int s = 0;
                                                          for (int k = 0; k < 300; ++k) s += k * 3 % 17;
                                                          return s;
                                                        }())}));
  EXPECT_EQ(FirstProbe(q), "SCAN db.fact");
  source_.knows_row_counts = false;  // the text's order: the first table probes
  EXPECT_EQ(FirstProbe(q), "SCAN db.dim1");
}

TEST_F(JoinOrderTest, JoinOnIsOrderedLikeAList) {
  // Written as JOIN ... ON, with no WHERE: the same plan as the comma list.
  const std::string q = "SELECT COUNT(*), SUM(v) FROM dim1 JOIN fact ON dim1.k = fact.d1";
  EXPECT_EQ(SameEitherWay(q), SameEitherWay("SELECT COUNT(*), SUM(v) FROM dim1, fact WHERE dim1.k = fact.d1"));
  EXPECT_EQ(FirstProbe(q), "SCAN db.fact");
  // A LEFT JOIN stays whole (its right side is not moved across it); the inner join around it is ordered.
  const std::string l =
      "SELECT dim2.k, fact.k, dim1.name FROM dim2 LEFT JOIN fact ON fact.d2 = dim2.k AND fact.v > 15 "
      "JOIN dim1 ON dim1.k = dim2.k";
  std::vector<std::string> rows = SameEitherWay(l);
  // fact rows with v > 15 (k % 17 == 11: 17 of them) fall on 17 distinct dim2 keys; 3 keys get NULLs.
  EXPECT_EQ(rows.size(), 20u);
  EXPECT_NE(ExplainText(&source_, l).find("HASH JOIN LEFT"), std::string::npos);
}

TEST_F(JoinOrderTest, AFilteredDimensionJoinsFirst) {
  // dim1 filtered to 3 of its 30 rows shrinks fact's rows most: its join is the innermost.
  const std::string q =
      "SELECT fact.k, dim1.name, dim2.g FROM fact, dim2, dim1 WHERE fact.d2 = dim2.k AND fact.d1 = dim1.k "
      "AND dim1.name = 'n3'";
  std::vector<std::string> rows = SameEitherWay(q);
  EXPECT_EQ(rows.size(), 30u);  // fact rows with k % 30 in {3, 13, 23}
  std::string plan = ExplainText(&source_, q);
  size_t d1 = plan.find("dim1.k"), d2 = plan.find("dim2.k");
  ASSERT_NE(d1, std::string::npos) << plan;
  ASSERT_NE(d2, std::string::npos) << plan;
  EXPECT_GT(d1, d2) << plan;  // printed later = deeper in the tree
  // The columns keep the written order.
  EXPECT_EQ(RunSql(&source_, q).columns[1].name, "name");
}

TEST_F(JoinOrderTest, AManyToManyEqualityWaits) {
  // a.g = b.g identifies no row (3 values over 100 rows each: ~3,300 pairs);
  // joining through fact's references to their keys comes first.
  for (const char* t : {"a", "b"}) {
    source_.CreateTable("db", t, {{"k", "INT"}, {"g", "INT"}});
    Rows rows;
    for (int k = 0; k < 100; ++k) rows.push_back({std::to_string(k), std::to_string(k % 3)});
    source_.Load("db", t, rows);
    source_.SetLeadingKey("db", t, "k");
  }
  const std::string q = "SELECT COUNT(*) FROM a, b, fact WHERE a.g = b.g AND fact.d1 = a.k AND fact.d2 = b.k";
  std::vector<std::string> rows = SameEitherWay(q);
  int n = 0;
  for (int k = 0; k < 300; ++k) n += (k % 30) % 3 == (k % 20) % 3;
  EXPECT_EQ(rows, (std::vector<std::string>{std::to_string(n)}));
  std::string plan = ExplainText(&source_, q);
  size_t first_join = plan.find("HASH JOIN");
  size_t last_join = plan.rfind("HASH JOIN");
  ASSERT_NE(first_join, last_join) << plan;
  std::string innermost = plan.substr(last_join, plan.find('\n', last_join) - last_join);
  EXPECT_EQ(innermost.find(".g"), std::string::npos) << plan;
}

TEST_F(JoinOrderTest, ExistsOverALargerTableBuildsTheOuterSide) {
  // dim1 (30 rows, one NULL key added) against fact's 300: dim1 is built, fact's rows mark it.
  source_.Load("db", "dim1", {{std::nullopt, "nul", "0"}});
  for (const char* neg : {"", "NOT "}) {
    const std::string q = std::string("SELECT k, name FROM dim1 WHERE ") + neg +
                          "EXISTS (SELECT 1 FROM fact WHERE fact.d1 = dim1.k AND fact.v > 12)";
    std::vector<std::string> rows = SameEitherWay(q);
    std::set<int> found;
    for (int k = 0; k < 300; ++k) {
      if (k * 3 % 17 > 12) found.insert(k % 30);
    }
    // EXISTS: the keys some fact row with v > 12 names; NOT EXISTS: the others and the NULL key.
    EXPECT_EQ(rows.size(), *neg ? 31 - found.size() : found.size()) << q;
    EXPECT_NE(ExplainText(&source_, q).find("(build: left)"), std::string::npos) << ExplainText(&source_, q);
  }
  // A residual over both sides: a stored row is marked by the pairs it holds for.
  for (const char* neg : {"", "NOT "}) {
    const std::string q = std::string("SELECT k, g FROM dim1 WHERE ") + neg +
                          "EXISTS (SELECT 1 FROM fact WHERE fact.d1 = dim1.k AND fact.v > dim1.g * 6)";
    std::vector<std::string> rows = SameEitherWay(q);
    size_t found = 0;
    for (int k1 = 0; k1 < 30; ++k1) {
      bool any = false;
      for (int k = 0; k < 300; ++k) any = any || (k % 30 == k1 && k * 3 % 17 > (k1 % 3) * 6);
      found += any;
    }
    EXPECT_EQ(rows.size(), *neg ? 31 - found : found) << q;
    EXPECT_NE(ExplainText(&source_, q).find("(build: left)"), std::string::npos) << ExplainText(&source_, q);
  }
  source_.knows_row_counts = false;
  EXPECT_NE(ExplainText(&source_, "SELECT k FROM dim1 WHERE EXISTS (SELECT 1 FROM fact WHERE fact.d1 = dim1.k)")
                .find("(build: right)"),
            std::string::npos);
}

TEST_F(JoinOrderTest, ALeftJoinOfASmallTableBuildsTheLeftSide) {
  // dim1 (30 rows + a NULL key) LEFT JOIN fact (300): dim1 is built, fact's rows find their partners;
  // dim1 rows without one come out once, with NULLs.
  source_.Load("db", "dim1", {{std::nullopt, "nul", "0"}});
  for (const char* on : {"fact.d1 = dim1.k AND fact.v > 12", "fact.d1 = dim1.k AND fact.v > dim1.g * 6"}) {
    const std::string q = std::string("SELECT dim1.k, dim1.name, fact.k, fact.v FROM dim1 LEFT JOIN fact ON ") + on;
    std::vector<std::string> rows = SameEitherWay(q);
    size_t expected = 1;  // the NULL key
    for (int k1 = 0; k1 < 30; ++k1) {
      size_t partners = 0;
      for (int k = 0; k < 300; ++k) {
        const int v = k * 3 % 17;
        partners += k % 30 == k1 && (std::string(on).find("12") != std::string::npos ? v > 12 : v > (k1 % 3) * 6);
      }
      expected += std::max<size_t>(partners, 1);
    }
    EXPECT_EQ(rows.size(), expected) << q;
    EXPECT_NE(ExplainText(&source_, q).find("HASH JOIN LEFT on [dim1.k = fact.d1]"), std::string::npos);
    EXPECT_NE(ExplainText(&source_, q).find("(build: left)"), std::string::npos) << ExplainText(&source_, q);
  }
}

TEST_F(JoinOrderTest, ACorrelatedAggregateReadsOnlyTheOuterKeys) {
  // The subquery's fact rows are semi-joined with dim1 filtered to 3 keys before grouping;
  // each kept group still sees all its rows (COUNT 10 per key) and the answers are those of the plain plan.
  for (const char* cmp : {"<", ">="}) {
    const std::string q = std::string("SELECT k, g FROM dim1 WHERE dim1.name = 'n3' AND dim1.g * 5 ") + cmp +
                          " (SELECT COUNT(*) FROM fact WHERE fact.d1 = dim1.k AND fact.v > 2)";
    std::vector<std::string> rows = SameEitherWay(q);
    size_t expected = 0;
    for (int k1 : {3, 13, 23}) {
      int count = 0;
      for (int k = 0; k < 300; ++k) count += k % 30 == k1 && k * 3 % 17 > 2;
      expected += std::string(cmp) == "<" ? (k1 % 3) * 5 < count : (k1 % 3) * 5 >= count;
    }
    EXPECT_EQ(rows.size(), expected) << q;
    std::string plan = ExplainText(&source_, q);
    size_t aggregate = plan.find("AGGREGATE"), semi = plan.find("HASH JOIN SEMI on [fact.d1 = k]");
    EXPECT_NE(semi, std::string::npos) << plan;
    EXPECT_GT(semi, aggregate) << plan;  // below the aggregate
  }
}

TEST_F(JoinOrderTest, JoinsCarryOnlyTheColumnsReadAbove) {
  // Joined out of the written order, so a projection restores the written column order on top of
  // the joins; it names every column, but only dim1.name is read above it: no join below carries
  // any other (join keys are read by the join itself, not carried in its pairs).
  const std::string q =
      "SELECT dim1.name, COUNT(*) FROM dim1, dim2, fact WHERE fact.d2 = dim2.k AND fact.d1 = dim1.k "
      "AND dim2.g = 1 GROUP BY dim1.name";
  std::vector<std::string> rows = SameEitherWay(q);
  std::map<std::string, int> expected;
  for (int k = 0; k < 300; ++k) {
    if (k % 20 % 3 == 1) ++expected["n" + std::to_string(k % 30 % 10)];
  }
  std::vector<std::string> want;
  for (const auto& [name, n] : expected) want.push_back(name + "|" + std::to_string(n));
  EXPECT_EQ(rows, want);

  PlanPtr plan = PlanOf(q);
  std::vector<const PlanNode*> joins, projects;
  CollectNodes(*plan, PlanNode::Kind::kHashJoin, &joins);
  CollectNodes(*plan, PlanNode::Kind::kProject, &projects);
  ASSERT_EQ(joins.size(), 2u) << ExplainText(&source_, q);
  for (const PlanNode* j : joins) {
    ASSERT_FALSE(j->pair_needed.empty());
    EXPECT_LE(CountTrue(j->pair_needed), 1u) << ExplainText(&source_, q);
  }
  EXPECT_EQ(CountTrue(joins[0]->pair_needed), 1u);  // the top join: dim1.name
  // The reordering projection: 3 + 2 + 4 columns named, one read.
  bool reorder_seen = false;
  for (const PlanNode* p : projects) {
    if (p->exprs.size() != 9) continue;
    reorder_seen = true;
    EXPECT_EQ(CountTrue(p->needed_outputs), 1u);
  }
  EXPECT_TRUE(reorder_seen) << ExplainText(&source_, q);
}

}  // namespace
}  // namespace strata::query

// Correlated subqueries (subquery.cc): EXISTS / IN / scalar subqueries that
// name the enclosing query's columns, planned as semi, anti and null-aware
// anti joins and as joins with grouped aggregates. Exact rows, MySQL's NULL
// rules (NOT IN over a NULL, COUNT over no rows), and clear errors for the
// forms that are not supported.
#include <gtest/gtest.h>

#include <algorithm>

#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "sql/mysql_errors.h"
#include "sql/parser.h"

namespace strata::query {
namespace {

using testing::MemTableSource;
using testing::NoSession;
using V = std::vector<std::string>;

class SubqueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_.CreateTable("db", "t1", {{"k", "INT"}, {"a", "INT"}, {"s", "VARCHAR(8)"}});
    source_.Load("db", "t1", {{"1", "10", "x"}, {"2", "20", "y"}, {"3", std::nullopt, "z"}, {"4", "40", std::nullopt},
                              {std::nullopt, "50", "w"}});
    source_.CreateTable("db", "t2", {{"k", "INT"}, {"b", "INT"}, {"d", "DECIMAL(10,2)"}});
    source_.Load("db", "t2", {{"1", "10", "1.50"}, {"1", "11", "2.50"}, {"2", std::nullopt, "3.00"}, {"3", "30", std::nullopt},
                              {std::nullopt, "50", "5.00"}, {"5", "60", "6.00"}});
  }

  sql::ResultSet Run(const std::string& text) {
    sql::Statement st = sql::Parse(text);
    auto* select = std::get_if<sql::SelectStmt>(&st);
    EXPECT_NE(select, nullptr) << text;
    QueryEngine engine(&source_);
    return engine.Select(*select, SelectOptions{.current_db = "db", .session = &session_});
  }

  // Rows as "a|b|NULL", sorted.
  V Q(const std::string& text) { return testing::SortedRows(Run(text)); }

  std::string Explain(const std::string& text) {
    std::string out;
    for (const auto& row : Run("EXPLAIN " + text).rows) out += row[0].value_or("") + "\n";
    return out;
  }

  uint16_t ErrorOf(const std::string& text) {
    try {
      Run(text);
    } catch (const sql::SqlException& e) {
      return e.code();
    }
    return 0;
  }

  MemTableSource source_;
  NoSession session_;
};

TEST_F(SubqueryTest, CorrelatedExists) {
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k)"), (V{"1", "2", "3"}));
  // A NULL key never matches, so NOT EXISTS holds for it.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT EXISTS (SELECT * FROM t2 WHERE t2.k = t1.k)"), (V{"4", "NULL"}));
  // Non-equality correlation: the join's residual.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT * FROM t2 WHERE t2.k = t1.k AND t2.b > t1.a)"), (V{"1"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT EXISTS (SELECT * FROM t2 WHERE t2.k = t1.k AND t2.b > t1.a)"),
            (V{"2", "3", "4", "NULL"}));
  // Only a residual (no equality): every right row is a candidate.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT * FROM t2 WHERE t2.b = t1.a + 1)"), (V{"1"}));
  // The subquery's own conditions filter it; other outer conditions still apply.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE k < 3 AND EXISTS (SELECT * FROM t2 WHERE t2.k = t1.k AND b IS NULL)"), (V{"2"}));
  // An outer-only condition inside NOT EXISTS is part of the subquery, not a filter of t1.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT EXISTS (SELECT * FROM t2 WHERE t2.k = t1.k AND t1.a > 15)"),
            (V{"1", "3", "4", "NULL"}));
  // An unqualified name resolves to the subquery's own table first: uncorrelated.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE k = 5)").size(), 5u);
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE k = 7)").size(), 0u);
  // Both sides: a join inside the subquery, aliases on both levels.
  EXPECT_EQ(Q("SELECT o.k FROM t1 o WHERE EXISTS (SELECT 1 FROM t2 x, t2 y WHERE x.k = y.k AND x.b < y.b AND x.k = o.k)"),
            (V{"1"}));
}

TEST_F(SubqueryTest, NullKeysOnTheBuildSide) {
  // t2's rows with a NULL key sit between others: the rows after them must still pair right.
  EXPECT_EQ(Q("SELECT t1.k, t2.b FROM t1 JOIN t2 ON t1.k = t2.k AND t1.a = t2.b"), (V{"1|10"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k + 1 AND t2.d > 5)"), (V{"4"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k + 1 AND t2.d < 5)"),
            (V{"2", "3", "4", "NULL"}));
}

TEST_F(SubqueryTest, EmptyBuildSide) {
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k AND t2.b > 100)"), V{});
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k AND t2.b > 100)").size(), 5u);
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2 WHERE t2.k = t1.k AND t2.b > 100)").size(), 5u);
}

TEST_F(SubqueryTest, CorrelatedIn) {
  // k=2: 20 IN (NULL) is NULL; k=3: NULL IN (30) is NULL; k=4: no rows.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a IN (SELECT b FROM t2 WHERE t2.k = t1.k)"), (V{"1"}));
  // NOT IN: k=1 false; k=2 NULL (a NULL in the subquery); k=3 NULL (a NULL probe,
  // rows exist); k=4 and k=NULL: the subquery is empty, so true.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2 WHERE t2.k = t1.k)"), (V{"4", "NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT (a IN (SELECT b FROM t2 WHERE t2.k = t1.k))"), (V{"4", "NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2 WHERE t2.k = t1.k AND b IS NOT NULL)"),
            (V{"2", "4", "NULL"}));
  // Types differ: INT probe against DECIMAL values.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a / 10 IN (SELECT d - 0.5 FROM t2 WHERE t2.k = t1.k)"), (V{"1"}));
  // An expression on the subquery side.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a + 1 IN (SELECT b FROM t2 WHERE t2.k = t1.k)"), (V{"1"}));
}

TEST_F(SubqueryTest, UncorrelatedNotInWithNulls) {
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2)"), V{});
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2 WHERE b IS NOT NULL)"), (V{"2", "4"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a IN (SELECT b FROM t2)"), (V{"1", "NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2 WHERE b > 1000)").size(), 5u);
}

TEST_F(SubqueryTest, CorrelatedScalarAggregate) {
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a < (SELECT SUM(b) FROM t2 WHERE t2.k = t1.k)"), (V{"1"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a * 2 > (SELECT 0.5 * AVG(b) FROM t2 WHERE t2.k = t1.k) + 1"), (V{"1"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT MAX(b) FROM t2 WHERE t2.k = t1.k) = 30"), (V{"3"}));
  // Two correlation keys.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k AND t2.b = t1.a) = 1"), (V{"1"}));
  // The subquery's own filter and a nested uncorrelated subquery.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE a <= (SELECT MIN(b) FROM t2 WHERE t2.k = t1.k AND b > (SELECT MIN(b) FROM t2))"),
            (V{"1"}));
}

TEST_F(SubqueryTest, CountOverNoRowsIsZero) {
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k) = 0"), (V{"4", "NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k) = 2"), (V{"1"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT COUNT(b) FROM t2 WHERE t2.k = t1.k) = 0"), (V{"2", "4", "NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT COUNT(*) + 1 FROM t2 WHERE t2.k = t1.k) = 1"), (V{"4", "NULL"}));
  // SUM over no rows is NULL: no row compares true.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT SUM(b) FROM t2 WHERE t2.k = t1.k) IS NULL"), (V{"2", "4", "NULL"}));
  // Inside an OR (a scalar subquery may sit anywhere in a WHERE condition).
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE k = 4 OR (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k) = 2"), (V{"1", "4"}));
}

TEST_F(SubqueryTest, ScalarInSelectList) {
  // Every outer row stays, with the value over its group (0 for COUNT, NULL for SUM over none).
  EXPECT_EQ(Q("SELECT k, (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k), (SELECT SUM(b) FROM t2 WHERE t2.k = t1.k) FROM t1"),
            (V{"1|2|21", "2|1|NULL", "3|1|30", "4|0|NULL", "NULL|0|NULL"}));
  EXPECT_EQ(Q("SELECT k, a > (SELECT MIN(b) FROM t2 WHERE t2.k = t1.k) AS gt FROM t1 WHERE k < 3"), (V{"1|0", "2|NULL"}));
}

TEST_F(SubqueryTest, MarkJoinsInsideExpressions) {
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE k = 4 OR EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k AND t2.b > 10)"),
            (V{"1", "3", "4"}));
  // IN is true, false or NULL as MySQL's: NULL when a NULL is on either side and nothing is equal.
  EXPECT_EQ(Q("SELECT k, a IN (SELECT b FROM t2 WHERE t2.k = t1.k), a NOT IN (SELECT b FROM t2 WHERE t2.k = t1.k), "
              "EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k) FROM t1"),
            (V{"1|1|0|1", "2|NULL|NULL|1", "3|NULL|NULL|1", "4|0|1|0", "NULL|0|1|0"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT (a IN (SELECT b FROM t2 WHERE t2.k = t1.k)) OR k = 1"), (V{"1", "4", "NULL"}));
  // Two in one condition.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE NOT (a IN (SELECT b FROM t2 WHERE t2.k = t1.k) AND "
              "EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k))"),
            (V{"4", "NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (a NOT IN (SELECT b FROM t2 WHERE t2.k = t1.k)) IS NULL"), (V{"2", "3"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE CASE WHEN EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k) THEN a > 15 ELSE TRUE END"),
            (V{"2", "4", "NULL"}));
  std::string plan = Explain("SELECT k FROM t1 WHERE k = 4 OR EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k)");
  EXPECT_NE(plan.find("HASH JOIN MARK EXISTS on [t1.k = t2.k]"), std::string::npos) << plan;
}

TEST_F(SubqueryTest, ScalarWithoutAggregate) {
  EXPECT_EQ(Q("SELECT k, (SELECT b FROM t2 WHERE t2.k = t1.k AND t2.b > 10) FROM t1"),
            (V{"1|11", "2|NULL", "3|30", "4|NULL", "NULL|NULL"}));
  // No row is NULL, whatever the expression would give for NULLs.
  EXPECT_EQ(Q("SELECT k, (SELECT COALESCE(b, -1) FROM t2 WHERE t2.k = t1.k AND t2.k = 2) FROM t1 WHERE k IN (2, 4)"),
            (V{"2|-1", "4|NULL"}));
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE (SELECT b FROM t2 WHERE t2.k = t1.k AND t2.k > 1) IS NULL"), (V{"1", "2", "4", "NULL"}));
  // Correlated by a non-equality too.
  EXPECT_EQ(Q("SELECT k, (SELECT t2.k FROM t2 WHERE t2.b > t1.a AND t2.b < t1.a + 11) FROM t1 WHERE k IN (2, 4)"),
            (V{"2|3", "4|NULL"}));
  // Two rows for one outer row: MySQL's error.
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE a = (SELECT b FROM t2 WHERE t2.k = t1.k)"), sql::ER_SUBQUERY_NO_1_ROW);
  EXPECT_EQ(ErrorOf("SELECT k, (SELECT b FROM t2 WHERE t2.k = t1.k) FROM t1"), sql::ER_SUBQUERY_NO_1_ROW);
}

TEST_F(SubqueryTest, NestedAndDerived) {
  // A correlated subquery inside an uncorrelated IN subquery (TPC-H Q20's shape).
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE k IN (SELECT k FROM t2 WHERE b > (SELECT MIN(a) FROM t1 x WHERE x.k = t2.k))"),
            (V{"1"}));
  // Inside a derived table (TPC-H Q22's shape), and over one.
  EXPECT_EQ(Q("SELECT c FROM (SELECT k + 100 AS c FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k)) v"),
            (V{"104", "NULL"}));
  EXPECT_EQ(Q("SELECT kk FROM (SELECT k AS kk, a FROM t1) v WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.b = v.a)"),
            (V{"1", "NULL"}));
  // A correlated EXISTS inside a correlated EXISTS, each naming its own outer query.
  EXPECT_EQ(Q("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k AND "
              "NOT EXISTS (SELECT 1 FROM t1 y WHERE y.a = t2.b))"),
            (V{"1", "2", "3"}));
  // Grouping and ordering above the joins.
  EXPECT_EQ(Q("SELECT s, COUNT(*) FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k) GROUP BY s"),
            (V{"x|1", "y|1", "z|1"}));
  EXPECT_EQ(Q("SELECT * FROM t1 WHERE (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k) = 2"), (V{"1|10|x"}));
}

TEST_F(SubqueryTest, WithNamesDerivedTables) {
  EXPECT_EQ(Q("WITH c AS (SELECT k, COUNT(*) AS n FROM t2 GROUP BY k), d AS (SELECT k FROM c WHERE n > 1) "
              "SELECT t1.k, s FROM t1, d WHERE t1.k = d.k"),
            (V{"1|x"}));
  // A name used twice, once inside a scalar subquery (TPC-H Q15's shape).
  EXPECT_EQ(Q("WITH c AS (SELECT k, SUM(b) AS total FROM t2 GROUP BY k) "
              "SELECT k FROM c WHERE total = (SELECT MAX(total) FROM c)"),
            (V{"5"}));
  EXPECT_EQ(ErrorOf("WITH RECURSIVE c AS (SELECT 1) SELECT * FROM c"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("WITH c (x) AS (SELECT 1) SELECT * FROM c"), sql::ER_NOT_SUPPORTED_YET);
}

TEST_F(SubqueryTest, PlansAreJoins) {
  std::string plan = Explain("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k)");
  EXPECT_NE(plan.find("HASH JOIN SEMI on [t1.k = t2.k]"), std::string::npos) << plan;
  plan = Explain("SELECT k FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k AND t2.b > t1.a)");
  EXPECT_NE(plan.find("HASH JOIN ANTI on [t1.k = t2.k] where t2.b > t1.a"), std::string::npos) << plan;
  plan = Explain("SELECT k FROM t1 WHERE a NOT IN (SELECT b FROM t2 WHERE t2.k = t1.k)");
  EXPECT_NE(plan.find("HASH JOIN NULL-AWARE ANTI"), std::string::npos) << plan;
  plan = Explain("SELECT k FROM t1 WHERE a < (SELECT SUM(b) FROM t2 WHERE t2.k = t1.k)");
  EXPECT_NE(plan.find("HASH JOIN INNER on [t1.k = t2.k]"), std::string::npos) << plan;
  EXPECT_NE(plan.find("AGGREGATE"), std::string::npos) << plan;
  // Not null-rejecting: outer rows without a group must reach the filter.
  plan = Explain("SELECT k FROM t1 WHERE (SELECT SUM(b) FROM t2 WHERE t2.k = t1.k) IS NULL");
  EXPECT_NE(plan.find("HASH JOIN LEFT on [t1.k = t2.k]"), std::string::npos) << plan;
  plan = Explain("SELECT k FROM t1 WHERE (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k) = 0");
  EXPECT_NE(plan.find("HASH JOIN LEFT on [t1.k = t2.k]"), std::string::npos) << plan;
  // Comma joins with WHERE equalities are hash joins, not cross joins.
  plan = Explain("SELECT t1.k FROM t1, t2 WHERE t1.k = t2.k AND t2.b > 0");
  EXPECT_EQ(plan.find("CROSS"), std::string::npos) << plan;
}

TEST_F(SubqueryTest, CommaJoinsFollowTheEqualities) {
  // t2 meets t1 only through x: joined as x, t1, t2; the columns keep the written order.
  const std::string q = "SELECT * FROM t1, t2, t1 x WHERE x.k = t2.k AND t1.a = x.a";
  EXPECT_EQ(Q(q), (V{"1|10|x|1|10|1.50|1|10|x", "1|10|x|1|11|2.50|1|10|x", "2|20|y|2|NULL|3.00|2|20|y"}));
  EXPECT_EQ(Explain(q).find("CROSS"), std::string::npos) << Explain(q);
  // An OR whose branches share an equality: the equality is a hash key.
  const std::string o = "SELECT t1.k, b FROM t1, t2 WHERE (t1.k = t2.k AND b > 10) OR (t1.k = t2.k AND t1.a = 20)";
  EXPECT_EQ(Q(o), (V{"1|11", "2|NULL", "3|30"}));
  EXPECT_TRUE(Explain(o).find("HASH JOIN INNER on [t1.k = t2.k]") != std::string::npos ||
              Explain(o).find("HASH JOIN INNER on [t2.k = t1.k]") != std::string::npos)
      << Explain(o);
  // A branch that is only the shared part makes the rest of the OR true.
  EXPECT_EQ(Q("SELECT t1.k, b FROM t1, t2 WHERE t1.k = t2.k OR (t1.k = t2.k AND b > 10)").size(), 4u);
}

TEST_F(SubqueryTest, UnsupportedFormsFailClearly) {
  // In an aggregated select list, ORDER BY, HAVING, ON: ER_NOT_SUPPORTED_YET, never a crash.
  EXPECT_EQ(ErrorOf("SELECT s, (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k) FROM t1 GROUP BY s"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 ORDER BY (SELECT COUNT(*) FROM t2 WHERE t2.k = t1.k)"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT s FROM t1 GROUP BY s HAVING EXISTS (SELECT 1 FROM t2 WHERE t2.b = t1.s)"),
            sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE a = (SELECT DISTINCT b FROM t2 WHERE t2.k = t1.k)"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE a < (SELECT SUM(b) FROM t2 WHERE t2.k > t1.k)"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE a IN (SELECT MAX(b) FROM t2 WHERE t2.k = t1.k GROUP BY b)"),
            sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE EXISTS (SELECT t1.a FROM t2 WHERE t2.k = 1)"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE a IN (SELECT b FROM t2 WHERE t2.k = t1.k LIMIT 1)"), sql::ER_NOT_SUPPORTED_YET);
  EXPECT_EQ(ErrorOf("SELECT t1.k FROM t1 JOIN t2 ON t2.b IN (SELECT b FROM t2 x WHERE x.k = t1.k)"),
            sql::ER_NOT_SUPPORTED_YET);
  // A reference two levels out, or from a derived table, is an unknown column (as before).
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE EXISTS (SELECT 1 FROM t2 y WHERE y.k = t1.k))"),
            sql::ER_BAD_FIELD_ERROR);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM (SELECT * FROM t2 WHERE t2.k = t1.k) d)"),
            sql::ER_BAD_FIELD_ERROR);
  // Wrong shapes and unknown names keep their MySQL errors.
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE a IN (SELECT b, k FROM t2 WHERE t2.k = t1.k)"), sql::ER_OPERAND_COLUMNS);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.nope = t1.k)"), sql::ER_BAD_FIELD_ERROR);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.nope)"), sql::ER_BAD_FIELD_ERROR);
  EXPECT_EQ(ErrorOf("SELECT k FROM t1 WHERE EXISTS (SELECT 1 FROM nope WHERE nope.k = t1.k)"), sql::ER_NO_SUCH_TABLE);
}

}  // namespace
}  // namespace strata::query

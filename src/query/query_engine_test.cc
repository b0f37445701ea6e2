// End-to-end tests of the query engine: SQL text -> parser -> binder ->
// executor over real data files in an in-memory store.
#include "query/query_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "query/query_test_util.h"
#include "sql/mysql_errors.h"
#include "sql/parser.h"

namespace strata::query {
namespace {

using testing::MemTableSource;
using testing::NoSession;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

class QueryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_.CreateTable("db", "t", {{"k", "INT"}, {"s", "VARCHAR(16)"}, {"x", "DECIMAL(10,2)"}, {"d", "DATE"}, {"f", "DOUBLE"}},
                        {"k"},
                        {{.name = "p1", .upper = {"10"}}, {.name = "p2", .lower = {"10"}, .upper = {"20"}},
                         {.name = "p3", .lower = {"20"}}});
    source_.Load("db", "t", {{"1", "a", "1.25", "2024-01-02", "0.5"}, {"2", "b", "-3.10", std::nullopt, "1.5"},
                             {"5", std::nullopt, std::nullopt, "2024-03-01", std::nullopt}}, "p1");
    source_.Load("db", "t", {{"12", "a", "10.00", "2023-12-31", "2"}, {"15", "c", "0.05", "2024-01-02", "-1"}}, "p2");
    source_.Load("db", "t", {{"25", "b", "7.50", "2024-02-29", "3.25"}}, "p3");
    source_.CreateTable("db", "u", {{"k", "INT"}, {"name", "VARCHAR(16)"}});
    source_.Load("db", "u", {{"1", "one"}, {"2", "two"}, {"12", "twelve"}, {"99", "ninety-nine"}, {std::nullopt, "null"}});
  }

  sql::ResultSet Run(const std::string& text, uint64_t memory = 1ull << 30) {
    sql::Statement st = sql::Parse(text);
    auto* select = std::get_if<sql::SelectStmt>(&st);
    EXPECT_NE(select, nullptr) << text;
    QueryEngine engine(&source_);
    return engine.Select(*select, SelectOptions{.current_db = "db", .session = &session_, .memory_limit_bytes = memory});
  }

  // Rows as "a|b|NULL"; sorted unless `ordered`.
  std::vector<std::string> Q(const std::string& text, bool ordered = false) {
    sql::ResultSet rs = Run(text);
    std::vector<std::string> out;
    for (const auto& row : rs.rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      out.push_back(line);
    }
    if (!ordered) std::sort(out.begin(), out.end());
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

using V = std::vector<std::string>;

TEST_F(QueryEngineTest, ScanProjectFilter) {
  EXPECT_EQ(Q("SELECT k, s FROM t WHERE k > 4 AND s IS NOT NULL"), (V{"12|a", "15|c", "25|b"}));
  EXPECT_EQ(Q("SELECT * FROM t WHERE k = 1"), (V{"1|a|1.25|2024-01-02|0.5"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s IN ('a', 'c') AND x BETWEEN 0 AND 5"), (V{"1", "15"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE 'b%' OR d < '2024-01-01'"), (V{"12", "2", "25"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE NOT (k < 20)"), (V{"25"}));
  // NULL never satisfies a comparison, and NOT IN with a NULL in the list is never true.
  EXPECT_EQ(Q("SELECT k FROM t WHERE s NOT IN ('a', NULL)"), V{});
}

TEST_F(QueryEngineTest, ResultTypesAndFormatsAreMySqls) {
  sql::ResultSet rs = Run("SELECT k, x, d, f, k / 4, x * 2, k + 1.5, CAST(k AS CHAR) FROM t WHERE k = 1");
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.columns[0].type, sql::ColumnType::kLong);
  EXPECT_EQ(rs.columns[1].type, sql::ColumnType::kNewDecimal);
  EXPECT_EQ(rs.columns[2].type, sql::ColumnType::kDate);
  EXPECT_EQ(rs.columns[3].type, sql::ColumnType::kDouble);
  EXPECT_EQ(rs.columns[4].type, sql::ColumnType::kNewDecimal);
  EXPECT_EQ(rs.columns[7].type, sql::ColumnType::kVarString);
  EXPECT_EQ(rs.columns[4].name, "k / 4");
  std::vector<std::optional<std::string>> want{"1", "1.25", "2024-01-02", "0.5", "0.2500", "2.50", "2.5", "1"};
  EXPECT_EQ(rs.rows[0], want);
}

TEST_F(QueryEngineTest, AggregatesWithGroupByAndHaving) {
  EXPECT_EQ(Q("SELECT COUNT(*), COUNT(s), COUNT(DISTINCT s), SUM(k), MIN(s), MAX(d), AVG(x), SUM(f) FROM t"),
            (V{"6|5|3|60|a|2024-03-01|3.140000|6.25"}));
  EXPECT_EQ(Q("SELECT s, COUNT(*) AS n, SUM(x) FROM t GROUP BY s"),
            (V{"NULL|1|NULL", "a|2|11.25", "b|2|4.40", "c|1|0.05"}));
  EXPECT_EQ(Q("SELECT s, COUNT(*) n FROM t GROUP BY s HAVING n > 1 ORDER BY s DESC", true), (V{"b|2", "a|2"}));
  EXPECT_EQ(Q("SELECT s, SUM(k) FROM t GROUP BY 1 HAVING SUM(k) > 20"), (V{"b|27"}));
  // Without GROUP BY an aggregate over no rows is one row; with it, none.
  EXPECT_EQ(Q("SELECT COUNT(*), SUM(k), MAX(s) FROM t WHERE k > 100"), (V{"0|NULL|NULL"}));
  EXPECT_EQ(Q("SELECT s, COUNT(*) FROM t WHERE k > 100 GROUP BY s"), V{});
  EXPECT_EQ(Q("SELECT YEAR(d), COUNT(*) FROM t GROUP BY YEAR(d)"), (V{"2023|1", "2024|4", "NULL|1"}));
  EXPECT_EQ(ErrorOf("SELECT s, k FROM t GROUP BY s"), sql::ER_WRONG_FIELD_WITH_GROUP);
  EXPECT_EQ(ErrorOf("SELECT k FROM t WHERE SUM(k) > 1"), sql::ER_INVALID_GROUP_FUNC_USE);
}

// Arithmetic one aggregate's argument shares with later ones is evaluated
// once per chunk and read by the others (x * (k - 1) below, inside three
// later arguments, one of which also holds the second shared argument).
TEST_F(QueryEngineTest, AggregatesShareCommonArithmetic) {
  EXPECT_EQ(Q("SELECT s, SUM(x * (k - 1)), SUM(x * (k - 1) * (k + 1)), AVG(x * (k - 1)), "
              "SUM(x * (k - 1) * (k + 1) - x * (k - 1)), COUNT(*) FROM t GROUP BY s"),
            (V{"NULL|NULL|NULL|NULL|NULL|1", "a|110.00|1430.00|55.000000|1320.00|2",
               "b|176.90|4670.70|88.450000|4493.80|2", "c|0.70|11.20|0.700000|10.50|1"}));
  EXPECT_EQ(Q("SELECT SUM(k * 2), SUM(k * 2 + 1), MAX(k * 2) FROM t WHERE k < 20"), (V{"70|75|30"}));
}

// Aggregates of one argument that keep the same state fold it once and read
// it each their own way: SUM next to AVG, COUNT(x) next to SUM(x) (NULLs not
// counted), the DISTINCT forms among themselves (never with the plain ones).
// (The binder already merges textually equal aggregates; a split AVG's
// partial SUM next to the query's own SUM is what repeats them.)
TEST_F(QueryEngineTest, AggregatesOfOneArgumentShareTheirState) {
  EXPECT_EQ(Q("SELECT COUNT(x), SUM(x), AVG(x), COUNT(*), COUNT(DISTINCT s), COUNT(s), SUM(DISTINCT k % 2), "
              "COUNT(k % 2) FROM t"),
            (V{"5|15.70|3.140000|6|3|5|1|6"}));
  EXPECT_EQ(Q("SELECT s, SUM(x), AVG(x), COUNT(x), SUM(x), COUNT(DISTINCT k % 2), SUM(DISTINCT k % 2), "
              "COUNT(k % 2), MIN(d), MAX(d) FROM t GROUP BY s"),
            (V{"NULL|NULL|NULL|0|NULL|1|1|1|2024-03-01|2024-03-01",
               "a|11.25|5.625000|2|11.25|2|1|2|2023-12-31|2024-01-02",
               "b|4.40|2.200000|2|4.40|2|1|2|2024-02-29|2024-02-29",
               "c|0.05|0.050000|1|0.05|1|1|1|2024-01-02|2024-01-02"}));
}

// MIN / MAX of strings and SUM / AVG of integers against a brute force over
// random rows: runs of one value (a dictionary page's rows view one entry),
// neighbours of equal length and different bytes, NULLs, with and without
// GROUP BY, and over a constant.
TEST_F(QueryEngineTest, StringMinMaxAndIntegerSumsMatchABruteForce) {
  std::mt19937 rng(11);
  const std::vector<std::string> words = {"MAIL", "SHIP", "RAIL", "AIR", "TRUCK", "FOB", "REG AIR", "", "zz", "Z"};
  source_.CreateTable("db", "w", {{"g", "INT"}, {"s", "VARCHAR(16)"}, {"n", "BIGINT"}});
  Rows rows;
  struct Expect {
    std::optional<std::string> min, max;
    int128 sum = 0;
    int64_t count = 0, rows = 0;
  };
  std::map<int, Expect> by_group;
  Expect all;
  for (int i = 0; i < 3000; ++i) {
    const int g = static_cast<int>(rng() % 3);
    std::optional<std::string> str;
    if (rng() % 9 != 0) str = i % 50 < 20 ? words[(i / 10) % words.size()] : words[rng() % words.size()];
    std::optional<int64_t> n;
    if (rng() % 7 != 0) n = static_cast<int64_t>(rng() % 2000001) - 1000000 + (i % 100 == 0 ? (int64_t{1} << 61) : 0);
    rows.push_back({std::to_string(g), str, n ? std::optional<std::string>(std::to_string(*n)) : std::nullopt});
    for (Expect* e : {&by_group[g], &all}) {
      ++e->rows;
      if (str) {
        if (!e->min || *str < *e->min) e->min = str;
        if (!e->max || *str > *e->max) e->max = str;
      }
      if (n) e->sum += *n, ++e->count;
    }
  }
  source_.Load("db", "w", rows, "", 1000);
  auto line = [](const Expect& e, const std::string& prefix) {
    const std::string avg = e.count == 0 ? "NULL" : FormatInt128(e.sum / e.count);  // the integer part
    return prefix + e.min.value_or("NULL") + "|" + e.max.value_or("NULL") + "|" +
 (e.count == 0 ? "NULL" : FormatInt128(e.sum)) + "|" + std::to_string(e.count) + "|" + avg;
  };
  auto strip_avg_fraction = [](std::vector<std::string> got) {  // AVG prints 4 decimals; keep the integer part
    for (std::string& l : got) {
      const size_t dot = l.rfind('.');
      if (dot != std::string::npos && dot > l.rfind('|')) l.resize(dot);
    }
    return got;
  };
  V expected_groups;
  for (const auto& [g, e] : by_group) expected_groups.push_back(line(e, std::to_string(g) + "|"));
  EXPECT_EQ(strip_avg_fraction(Q("SELECT g, MIN(s), MAX(s), SUM(n), COUNT(n), AVG(n) FROM w GROUP BY g")),
            expected_groups);
  EXPECT_EQ(strip_avg_fraction(Q("SELECT MIN(s), MAX(s), SUM(n), COUNT(n), AVG(n) FROM w")), (V{line(all, "")}));
  // Neighbours of one length: each must be compared, not taken for the row before.
  source_.CreateTable("db", "w2", {{"s", "VARCHAR(16)"}});
  source_.Load("db", "w2", {{"zy"}, {"zz"}, {"AA"}, {"AB"}, {std::nullopt}, {"zzz"}, {"B"}});
  EXPECT_EQ(Q("SELECT MIN(s), MAX(s) FROM w2"), (V{"AA|zzz"}));
  source_.Load("db", "w2", {{""}});
  EXPECT_EQ(Q("SELECT MIN(s), MAX(s) FROM w2"), (V{"|zzz"}));
  EXPECT_EQ(Q("SELECT MIN('b'), MAX('b'), SUM(3), MIN(s), MAX(s) FROM w WHERE g = 1"),
            (V{"b|b|" + std::to_string(3 * by_group[1].rows) + "|" + by_group[1].min.value_or("NULL") + "|" +
               by_group[1].max.value_or("NULL")}));
}

// Several fixed-width GROUP BY keys pack into one hash key (NULL flags, -0 as
// 0); COUNT(DISTINCT) keeps integers, decimals, double bits and strings in
// typed sets.
TEST_F(QueryEngineTest, PackedGroupKeysAndTypedDistinctSets) {
  EXPECT_EQ(Q("SELECT k % 2, d, COUNT(*) FROM t GROUP BY k % 2, d"),
            (V{"0|2023-12-31|1", "0|NULL|1", "1|2024-01-02|2", "1|2024-02-29|1", "1|2024-03-01|1"}));
  EXPECT_EQ(Q("SELECT f * 0, COUNT(*) FROM t GROUP BY f * 0, k % 1"), (V{"0|5", "NULL|1"}));
  EXPECT_EQ(Q("SELECT x, k, COUNT(*) FROM t WHERE k < 10 GROUP BY x, k"), (V{"-3.10|2|1", "1.25|1|1", "NULL|5|1"}));
  EXPECT_EQ(Q("SELECT COUNT(DISTINCT k % 3), COUNT(DISTINCT x), COUNT(DISTINCT f * 0), COUNT(DISTINCT d), "
              "COUNT(DISTINCT s) FROM t"),
            (V{"3|5|1|4|3"}));
  EXPECT_EQ(Q("SELECT s, COUNT(DISTINCT d) FROM t GROUP BY s"), (V{"NULL|1", "a|2", "b|1", "c|1"}));
}

// A constant LIKE pattern is classified once (equals / prefix / suffix /
// contains / general); every shape answers as the general matcher does.
TEST_F(QueryEngineTest, LikePatternShapes) {
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE 'a'"), (V{"1", "12"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE 'b%'"), (V{"2", "25"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE '%a'"), (V{"1", "12"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s NOT LIKE '%b%'"), (V{"1", "12", "15"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE '%'"), (V{"1", "12", "15", "2", "25"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE '_'"), (V{"1", "12", "15", "2", "25"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE s LIKE 'a%a'"), V{});
  EXPECT_EQ(Q("SELECT k, s LIKE NULL FROM t WHERE k = 1"), (V{"1|NULL"}));
}

TEST_F(QueryEngineTest, OrderByLimitOffsetDistinct) {
  EXPECT_EQ(Q("SELECT k FROM t ORDER BY k DESC LIMIT 2", true), (V{"25", "15"}));
  EXPECT_EQ(Q("SELECT k FROM t ORDER BY k LIMIT 2 OFFSET 3", true), (V{"12", "15"}));
  EXPECT_EQ(Q("SELECT k FROM t ORDER BY k LIMIT 1, 2", true), (V{"2", "5"}));
  // NULLs first ascending, last descending; ordering by a column not selected.
  EXPECT_EQ(Q("SELECT s FROM t ORDER BY s, k", true), (V{"NULL", "a", "a", "b", "b", "c"}));
  EXPECT_EQ(Q("SELECT k FROM t ORDER BY x DESC, k", true), (V{"12", "25", "1", "15", "2", "5"}));
  EXPECT_EQ(Q("SELECT DISTINCT s FROM t ORDER BY 1", true), (V{"NULL", "a", "b", "c"}));
  EXPECT_EQ(Q("SELECT k * 2 AS dbl FROM t ORDER BY dbl DESC LIMIT 1", true), (V{"50"}));
  EXPECT_EQ(Q("SELECT k FROM t LIMIT 0"), V{});
}

TEST_F(QueryEngineTest, Joins) {
  EXPECT_EQ(Q("SELECT t.k, u.name FROM t JOIN u ON t.k = u.k"), (V{"12|twelve", "1|one", "2|two"}));
  EXPECT_EQ(Q("SELECT t.k, u.name FROM t LEFT JOIN u ON t.k = u.k WHERE t.k < 13"),
            (V{"12|twelve", "1|one", "2|two", "5|NULL"}));
  EXPECT_EQ(Q("SELECT u.k, t.s FROM t RIGHT JOIN u ON t.k = u.k AND t.s = 'a'"),
            (V{"12|a", "1|a", "2|NULL", "99|NULL", "NULL|NULL"}));
  EXPECT_EQ(Q("SELECT a.k, b.name FROM t a, u b WHERE a.k = b.k AND b.name LIKE 't%'"), (V{"12|twelve", "2|two"}));
  EXPECT_EQ(Q("SELECT COUNT(*) FROM t CROSS JOIN u"), (V{"30"}));
  EXPECT_EQ(Q("SELECT k, name FROM t JOIN u USING (k) WHERE k > 1"), (V{"12|twelve", "2|two"}));
  EXPECT_EQ(ErrorOf("SELECT k FROM t JOIN u ON t.k = u.k"), sql::ER_NON_UNIQ_ERROR);
}

TEST_F(QueryEngineTest, SubqueriesAndUnion) {
  EXPECT_EQ(Q("SELECT k FROM t WHERE k IN (SELECT k FROM u)"), (V{"1", "12", "2"}));
  // NOT IN over a set holding NULL is never true (MySQL).
  EXPECT_EQ(Q("SELECT k FROM t WHERE k NOT IN (SELECT k FROM u)"), V{});
  EXPECT_EQ(Q("SELECT k FROM t WHERE k NOT IN (SELECT k FROM u WHERE k IS NOT NULL)"), (V{"15", "25", "5"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE EXISTS (SELECT 1 FROM u WHERE k = 99) AND k < 3"), (V{"1", "2"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE k = (SELECT MAX(k) FROM t)"), (V{"25"}));
  EXPECT_EQ(Q("SELECT m.s, m.n FROM (SELECT s, COUNT(*) AS n FROM t GROUP BY s) AS m WHERE m.n > 1"),
            (V{"a|2", "b|2"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE k < 3 UNION ALL SELECT k FROM u WHERE k < 3"), (V{"1", "1", "2", "2"}));
  EXPECT_EQ(Q("SELECT k FROM t WHERE k < 3 UNION SELECT k FROM u WHERE k < 3"), (V{"1", "2"}));
  EXPECT_EQ(Q("SELECT k FROM t UNION ALL SELECT k FROM u ORDER BY k DESC LIMIT 2", true), (V{"99", "25"}));
  EXPECT_EQ(ErrorOf("SELECT k FROM t WHERE k = (SELECT k FROM u)"), sql::ER_SUBQUERY_NO_1_ROW);
  EXPECT_EQ(ErrorOf("SELECT k FROM t UNION SELECT k, name FROM u"), sql::ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT);
}

TEST_F(QueryEngineTest, ExpressionsAndFunctions) {
  EXPECT_EQ(Q("SELECT CASE WHEN k < 5 THEN 'low' WHEN k < 20 THEN 'mid' ELSE 'high' END, "
              "CASE s WHEN 'a' THEN 1 END FROM t WHERE k IN (1, 12, 25)"),
            (V{"high|NULL", "low|1", "mid|1"}));
  EXPECT_EQ(Q("SELECT CONCAT(s, '-', k), UPPER(s), LENGTH(s), SUBSTRING('hello', 2, 3), REPLACE('aXbX', 'X', '.') "
              "FROM t WHERE k = 1"),
            (V{"a-1|A|1|ell|a.b."}));
  EXPECT_EQ(Q("SELECT IFNULL(s, 'none'), COALESCE(NULL, x, 0), IF(k > 1, 'y', 'n'), NULLIF(k, 5) FROM t WHERE k = 5"),
            (V{"none|0.00|y|NULL"}));
  EXPECT_EQ(Q("SELECT DATE_ADD(d, INTERVAL 1 MONTH), d + INTERVAL 1 DAY, DATEDIFF(d, '2024-01-01'), "
              "DATE_FORMAT(d, '%Y/%m/%d'), MONTH(d), DAYOFWEEK(d) FROM t WHERE k = 25"),
            (V{"2024-03-29|2024-03-01|59|2024/02/29|2|5"}));
  EXPECT_EQ(Q("SELECT ROUND(x, 1), FLOOR(x), CEIL(f), ABS(x), MOD(k, 4), 7 DIV 2, POWER(2, 10) FROM t WHERE k = 2"),
            (V{"-3.1|-4|2|3.10|2|3|1024"}));
  EXPECT_EQ(Q("SELECT CAST('2024-05-06' AS DATE), CAST(x AS SIGNED), CAST(k AS DECIMAL(5,1)) FROM t WHERE k = 1"),
            (V{"2024-05-06|1|1.0"}));
  EXPECT_EQ(Q("SELECT 1 + NULL, NULL = NULL, NULL <=> NULL, 5 / 0 FROM t WHERE k = 1"), (V{"NULL|NULL|1|NULL"}));
  EXPECT_EQ(ErrorOf("SELECT nope FROM t"), sql::ER_BAD_FIELD_ERROR);
  EXPECT_EQ(ErrorOf("SELECT * FROM missing"), sql::ER_NO_SUCH_TABLE);
  EXPECT_EQ(ErrorOf("SELECT NO_SUCH_FN(k) FROM t"), sql::ER_SP_DOES_NOT_EXIST);
}

TEST_F(QueryEngineTest, PartitionsAndRowGroupsArePruned) {
  sql::ResultSet plan = Run("EXPLAIN SELECT s FROM t WHERE k >= 12 AND k < 16");
  std::string text;
  for (const auto& row : plan.rows) text += *row[0] + "\n";
  EXPECT_NE(text.find("partitions: 1/3 [p2]"), std::string::npos) << text;
  EXPECT_NE(text.find("columns: [k, s]"), std::string::npos) << text;
  EXPECT_NE(text.find("min/max pruning"), std::string::npos) << text;
  source_.tablets_scanned = 0;
  EXPECT_EQ(Q("SELECT s FROM t WHERE k >= 12 AND k < 16"), (V{"a", "c"}));
  EXPECT_EQ(source_.tablets_scanned, 1u);
  // Row groups: 1000 rows in groups of 100; k = 450 reads one group.
  source_.CreateTable("db", "big", {{"k", "BIGINT"}, {"v", "VARCHAR(8)"}});
  Rows rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({std::to_string(i), "v" + std::to_string(i % 7)});
  source_.Load("db", "big", rows, "", 100);
  source_.rows_returned = 0;
  EXPECT_EQ(Q("SELECT v FROM big WHERE k = 450"), (V{"v2"}));
  EXPECT_EQ(source_.rows_returned, 100u);
  source_.rows_returned = 0;
  EXPECT_EQ(Q("SELECT COUNT(*) FROM big WHERE k >= 950"), (V{"50"}));
  EXPECT_EQ(source_.rows_returned, 100u);
}

TEST_F(QueryEngineTest, MemoryBoundEndsTheQueryWithAClearError) {
  source_.CreateTable("db", "wide", {{"k", "BIGINT"}, {"s", "VARCHAR(64)"}});
  Rows rows;
  for (int i = 0; i < 20000; ++i) rows.push_back({std::to_string(i), std::string(40, 'a' + i % 26)});
  source_.Load("db", "wide", rows);
  try {
    Run("SELECT k, s FROM wide ORDER BY s, k", 256 * 1024);
    FAIL() << "no memory error";
  } catch (const sql::SqlException& e) {
    EXPECT_EQ(e.code(), sql::ER_CAPACITY_EXCEEDED);
    EXPECT_NE(std::string(e.what()).find("exec_mem_limit"), std::string::npos);
  }
  EXPECT_EQ(Run("SELECT COUNT(DISTINCT s) FROM wide", 64ull << 20).rows[0][0], "26");
}

TEST_F(QueryEngineTest, LimitStopsTheScanEarly) {
  source_.CreateTable("db", "many", {{"k", "BIGINT"}});
  for (int file = 0; file < 5; ++file) {
    Rows rows;
    for (int i = 0; i < 100; ++i) rows.push_back({std::to_string(file * 100 + i)});
    source_.Load("db", "many", rows, "", 100);
  }
  source_.rows_returned = 0;
  EXPECT_EQ(Run("SELECT k FROM many LIMIT 3").rows.size(), 3u);
  EXPECT_EQ(source_.rows_returned, 100u);
}

// String columns read from DICTIONARY pages reach the aggregation with their
// codes (StringColumn::coded): GROUP BY one or two such keys and MIN / MAX
// work per entry. Row groups with NULLs (not coded) come between coded ones;
// filters keep most rows (rows kept in place), some (the keys decoded at the
// passing rows) or all. Every answer is checked against one computed here.
TEST_F(QueryEngineTest, DictionaryCodedStringsGroupAndCompareAsTheirValues) {
  using V = std::vector<std::string>;
  source_.CreateTable("db", "coded", {{"a", "VARCHAR(16)"}, {"b", "VARCHAR(16)"}, {"n", "INT"}});
  const std::vector<std::string> as = {"TRUCK", "AIR", "REG AIR", "a longer mode name"}, bs = {"N", "O", "F"};
  std::mt19937 rng(29);
  Rows rows;
  struct Row {
    std::optional<std::string> a;
    std::string b;
    int n;
  };
  std::vector<Row> data;
  for (int i = 0; i < 6000; ++i) {
    Row r{as[rng() % 3], bs[rng() % bs.size()], static_cast<int>(rng() % 1000)};
    if (r.n >= 950) r.a = as[3];  // an entry of every page that WHERE n < 900 leaves no row of
    if (i >= 2000 && i < 2500 && rng() % 5 == 0) r.a.reset();  // one row group's page has NULLs
    data.push_back(r);
    rows.push_back({r.a, r.b, std::to_string(r.n)});
  }
  source_.Load("db", "coded", rows, "", 500);
  for (int below : {1000, 900, 100, 3}) {
    std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> by_ab;  // count, sum
    std::map<std::string, std::pair<int64_t, std::string>> by_a;                        // count, max(b)
    std::optional<std::string> min_a, max_a, min_b, max_b;
    int64_t count_a = 0;
    for (const Row& r : data) {
      if (r.n >= below) continue;
      const std::string a = r.a.value_or("NULL");
      auto& ab = by_ab[{a, r.b}];
      ++ab.first, ab.second += r.n;
      auto& ga = by_a[a];
      ++ga.first;
      ga.second = std::max(ga.second, r.b);
      if (r.a) {
        ++count_a;
        if (!min_a || *r.a < *min_a) min_a = r.a;
        if (!max_a || *r.a > *max_a) max_a = r.a;
      }
      if (!min_b || r.b < *min_b) min_b = r.b;
      if (!max_b || r.b > *max_b) max_b = r.b;
    }
    const std::string where = " FROM coded WHERE n < " + std::to_string(below);
    V expected;
    for (const auto& [k, v] : by_ab) {
      expected.push_back(k.first + "|" + k.second + "|" + std::to_string(v.first) + "|" + std::to_string(v.second));
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Q("SELECT a, b, COUNT(*), SUM(n)" + where + " GROUP BY a, b"), expected) << below;
    expected.clear();
    for (const auto& [k, v] : by_a) expected.push_back(k + "|" + std::to_string(v.first) + "|" + v.second);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Q("SELECT a, COUNT(*), MAX(b)" + where + " GROUP BY a"), expected) << below;
    EXPECT_EQ(Q("SELECT MIN(a), MAX(a), MIN(b), MAX(b), COUNT(a)" + where),
              (V{min_a.value_or("NULL") + "|" + max_a.value_or("NULL") + "|" + min_b.value_or("NULL") + "|" +
                 max_b.value_or("NULL") + "|" + std::to_string(count_a)}))
        << below;
    // Tests of a coded column against constants, evaluated once per entry
    // (select_rows.h); a NULL value passes none of them.
    const std::vector<std::pair<std::string, std::function<bool(const std::string&)>>> tests = {
        {"a = 'TRUCK'", [](const std::string& a) { return a == "TRUCK"; }},
        {"'AIR' <> a", [](const std::string& a) { return a != "AIR"; }},
        {"a < 'B'", [](const std::string& a) { return a < "B"; }},
        {"a IN ('AIR', 'a longer mode name', 'none')", [](const std::string& a) { return a == "AIR" || a == "a longer mode name"; }},
        {"a NOT IN ('AIR')", [](const std::string& a) { return a != "AIR"; }},
        {"a LIKE '%AIR'", [](const std::string& a) { return a.size() >= 3 && a.substr(a.size() - 3) == "AIR"; }},
        {"a NOT LIKE 'a %'", [](const std::string& a) { return a.rfind("a ", 0) != 0; }},
    };
    for (const auto& [text, test] : tests) {
      std::map<std::string, int64_t> want;
      for (const Row& r : data) {
        if (r.n < below && r.a && test(*r.a)) ++want[r.b];
      }
      V expected_b;
      for (const auto& [b, count] : want) expected_b.push_back(b + "|" + std::to_string(count));
      EXPECT_EQ(Q("SELECT b, COUNT(*)" + where + " AND " + text + " GROUP BY b"), expected_b) << text << " " << below;
    }
  }
}

// GROUP BY one integer key over rows in runs of equal keys (a row with the
// key of the row before takes its group without a lookup), NULL keys in the
// middle of runs and between them, a key coming back after other keys, and
// enough keys to grow the group table many times: every group as counted here.
TEST_F(QueryEngineTest, OneIntegerKeyGroupsRunsOfEqualKeys) {
  source_.CreateTable("db", "runs", {{"k", "BIGINT"}, {"n", "INT"}});
  std::mt19937 rng(41);
  Rows rows;
  std::map<std::string, std::pair<int64_t, int64_t>> want;  // key -> count, sum
  int64_t run_key = -5000;
  for (int i = 0; i < 20000; ++i) {
    if (rng() % 4 == 0) run_key += 7;  // runs of about four rows
    const bool null = rng() % 17 == 0;
    const int64_t key = i % 997 == 0 ? 3 : run_key;  // key 3 recurs out of order
    const int n = static_cast<int>(rng() % 100);
    const std::string k = null ? "NULL" : std::to_string(key);
    rows.push_back({null ? std::nullopt : std::optional<std::string>(k), std::to_string(n)});
    auto& w = want[k];
    ++w.first, w.second += n;
  }
  source_.Load("db", "runs", rows, "", 1500);
  std::vector<std::string> expected;
  for (const auto& [k, v] : want) expected.push_back(k + "|" + std::to_string(v.first) + "|" + std::to_string(v.second));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Q("SELECT k, COUNT(*), SUM(n) FROM runs GROUP BY k"), expected);
}

}  // namespace
}  // namespace strata::query

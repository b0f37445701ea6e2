// The 22 TPC-H queries (test/query/tpch/queries.sql) over small TPC-H-shaped
// tables (test/query/tpch/data, made by gen.py) compared with the rows DuckDB
// returns for the same text (test/query/tpch/expected). Numbers match within
// 1e-4 relative: Strata divides DECIMALs as MySQL does (scale + 4), DuckDB in
// DOUBLE.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "sql/mysql_errors.h"
#include "sql/parser.h"

#ifndef STRATA_TPCH_DIR
#error "STRATA_TPCH_DIR must name test/query/tpch"
#endif

namespace strata::query {
namespace {

using testing::MemTableSource;
using testing::NoSession;

// The files' folder: $STRATA_TPCH_DIR (to check other query texts, e.g. a
// copy made by gen.py with other queries) or the source tree's.
std::string Dir() {
  const char* env = std::getenv("STRATA_TPCH_DIR");
  return env != nullptr && *env != '\0' ? env : STRATA_TPCH_DIR;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// "Q01" -> query text, from queries.sql's "-- Qnn" blocks.
std::map<std::string, std::string> ReadQueries() {
  std::map<std::string, std::string> out;
  std::string name;
  for (const auto& line : ReadLines(Dir() + "/queries.sql")) {
    if (std::regex_match(line, std::regex("-- Q[0-9][0-9]\\s*"))) {
      name = Trim(line.substr(3));
    } else if (!name.empty() && line.rfind("--", 0) != 0) {
      out[name] += line + "\n";
    }
  }
  for (auto& [n, text] : out) {
    text = Trim(text);
    if (!text.empty() && text.back() == ';') text.pop_back();
  }
  return out;
}

class TpchEnvironment {
 public:
  static MemTableSource& Source() {
    static MemTableSource* source = Load();
    return *source;
  }

 private:
  static MemTableSource* Load() {
    auto* source = new MemTableSource();
    for (const auto& line : ReadLines(Dir() + "/schema.txt")) {
      size_t colon = line.find(':');
      std::string table = line.substr(0, colon);
      std::vector<std::pair<std::string, std::string>> columns;
      // "name TYPE, name TYPE" (a DECIMAL(15,2) has no space after its comma).
      std::string rest = line.substr(colon + 1);
      std::vector<std::string> defs;
      for (size_t start = 0; start < rest.size();) {
        size_t next = rest.find(", ", start);
        defs.push_back(rest.substr(start, next == std::string::npos ? std::string::npos : next - start));
        start = next == std::string::npos ? rest.size() : next + 2;
      }
      for (const auto& c : defs) {
        std::string col = Trim(c);
        size_t space = col.find(' ');
        columns.emplace_back(col.substr(0, space), col.substr(space + 1));
      }
      source->CreateTable("tpch", table, columns);
      std::vector<std::vector<std::optional<std::string>>> rows;
      for (const auto& row : ReadLines(Dir() + "/data/" + table + ".tbl")) {
        std::vector<std::optional<std::string>> cells;
        for (const auto& v : SplitOn(row, '|')) cells.emplace_back(v);
        rows.push_back(std::move(cells));
      }
      source->Load("tpch", table, rows, "", 1000);
    }
    return source;
  }
};

bool SameCell(const std::string& got, const std::string& want) {
  if (got == want) return true;
  char* end_a = nullptr;
  char* end_b = nullptr;
  double a = std::strtod(got.c_str(), &end_a), b = std::strtod(want.c_str(), &end_b);
  if (got.empty() || want.empty() || *end_a != '\0' || *end_b != '\0') return false;
  return std::fabs(a - b) <= 1e-4 * std::max(1.0, std::fabs(b));
}

class TpchTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TpchTest, MatchesDuckDb) {
  const std::string q = GetParam();
  const std::string text = ReadQueries().at(q);
  std::string lower = q;
  lower[0] = 'q';
  std::vector<std::string> want = ReadLines(Dir() + "/expected/" + lower + ".txt");
  sql::Statement st = sql::Parse(text);
  auto* select = std::get_if<sql::SelectStmt>(&st);
  ASSERT_NE(select, nullptr);
  NoSession session;
  QueryEngine engine(&TpchEnvironment::Source());
  sql::ResultSet rs;
  try {
    rs = engine.Select(*select, SelectOptions{.current_db = "tpch", .session = &session});
  } catch (const sql::SqlException& e) {
    FAIL() << q << ": error " << e.code() << ": " << e.what();
  }
  ASSERT_EQ(rs.rows.size(), want.size()) << q;
  for (size_t r = 0; r < want.size(); ++r) {
    std::vector<std::string> cells = SplitOn(want[r], '|');
    ASSERT_EQ(rs.rows[r].size(), cells.size()) << q << " row " << r;
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string got = rs.rows[r][c].value_or("NULL");
      EXPECT_TRUE(SameCell(got, cells[c])) << q << " row " << r << " column " << c << ": got " << got << ", want "
                                           << cells[c];
    }
  }
}

// Every join of a TPC-H query has keys: WHERE equalities become hash join
// keys, also when each branch of an OR repeats them (Q19).
TEST_P(TpchTest, NoCrossJoins) {
  const std::string q = GetParam();
  sql::Statement st = sql::Parse("EXPLAIN " + ReadQueries().at(q));
  auto* select = std::get_if<sql::SelectStmt>(&st);
  ASSERT_NE(select, nullptr);
  NoSession session;
  QueryEngine engine(&TpchEnvironment::Source());
  sql::ResultSet rs = engine.Select(*select, SelectOptions{.current_db = "tpch", .session = &session});
  std::string plan;
  for (const auto& row : rs.rows) plan += row[0].value_or("") + "\n";
  for (const auto& row : rs.rows) {
    const std::string line = row[0].value_or("");
    if (line.find("HASH JOIN") != std::string::npos) {
      EXPECT_NE(line.find(" on ["), std::string::npos) << q << "\n" << plan;
    }
  }
}

std::vector<std::string> AllQueries() {
  std::vector<std::string> out;
  for (int i = 1; i <= 22; ++i) out.push_back((i < 10 ? "Q0" : "Q") + std::to_string(i));
  return out;
}

INSTANTIATE_TEST_SUITE_P(Tpch, TpchTest, ::testing::ValuesIn(AllQueries()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace strata::query

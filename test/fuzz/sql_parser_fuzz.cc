// Fuzz target for the SQL parser (src/sql/parser.h): any input must end in a
// Statement or a SqlException (ER_PARSE_ERROR and friends), never a crash, a
// hang, a leak or another exception.
//
// Built with clang -fsanitize=fuzzer it is a libFuzzer target. Built without
// (STRATA_FUZZ_STANDALONE, e.g. gcc + ASan/UBSan) main() runs every file given
// on the command line, then mutates them (and built-in seeds: the guide's
// statements) at random for --seconds=N (default 60), printing its seed
// (--seed=N reproduces a run); --dump-seeds=DIR writes the seeds as files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sql/mysql_errors.h"
#include "sql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxInputBytes = 64 * 1024;
  if (size > kMaxInputBytes) return 0;
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  try {
    strata::sql::Statement s = strata::sql::Parse(sql);
    (void)s;
  } catch (const strata::sql::SqlException&) {
    // a clean rejection
  }
  return 0;
}

#ifdef STRATA_FUZZ_STANDALONE
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sql/guide_statements.h"

namespace {

// One random edit: flip, insert, delete, splice from another seed, or insert a token.
std::string Mutate(std::string s, const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  static const char* kTokens[] = {"(", ")", "'", "\"", "`", ",", ";", "/*", "*/", "--", "#", "@@", "@",
                                  "SELECT", "CREATE", "TABLE", "PARTITION", "VALUES", "LESS", "THAN", "NOT",
                                  "IN", "LIKE", "NULL", "*", ".", "=", "\\", "\n", "99999999999999999999",
                                  "MAXVALUE", "[", "INTERVAL", "GRANT", "ON", "TO", "INSERT INTO t", "DELETE FROM t WHERE",
                                  "WITH LABEL", "IS NOT NULL", "AND"};
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:
        if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng() % 256);
        break;
      case 1:
        s.insert(pos, 1, static_cast<char>(rng() % 128));
        break;
      case 2:
        if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % std::min<size_t>(16, s.size() - pos));
        break;
      case 3: {
        const std::string& other = corpus[rng() % corpus.size()];
        size_t from = other.empty() ? 0 : rng() % other.size();
        s.insert(pos, other.substr(from, rng() % 64));
        break;
      }
      default:
        s.insert(pos, kTokens[rng() % (sizeof(kTokens) / sizeof(kTokens[0]))]);
    }
  }
  return s.size() > 16 * 1024 ? s.substr(0, 16 * 1024) : s;
}

}  // namespace

int main(int argc, char** argv) {
  long seconds = 60;
  uint64_t seed = std::random_device{}();
  std::vector<std::string> corpus;
  for (auto s : strata::sql::testing::kGuideStatements) corpus.emplace_back(s);
  for (auto s : strata::sql::testing::kExtraSeeds) corpus.emplace_back(s);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--dump-seeds=", 0) == 0) {  // writes the built-in seeds as files (libFuzzer corpus)
      for (size_t k = 0; k < corpus.size(); ++k) {
        std::ofstream(arg.substr(13) + "/seed_" + std::to_string(k) + ".sql", std::ios::binary) << corpus[k];
      }
      return 0;
    }
    if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::strtol(arg.c_str() + 10, nullptr, 10);
    } else if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    } else {
      std::ifstream in(arg, std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      corpus.push_back(buf.str());
    }
  }
  std::printf("sql_parser_fuzz: seed=%llu seconds=%ld corpus=%zu\n", static_cast<unsigned long long>(seed), seconds,
              corpus.size());
  for (const auto& c : corpus) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(c.data()), c.size());
  std::mt19937_64 rng(seed);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  uint64_t runs = 0;
  constexpr size_t kMaxCorpus = 4096;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string input = Mutate(corpus[rng() % corpus.size()], corpus, rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    if (corpus.size() < kMaxCorpus && rng() % 64 == 0) corpus.push_back(std::move(input));
    ++runs;
  }
  std::printf("sql_parser_fuzz: %llu runs, no crash\n", static_cast<unsigned long long>(runs));
  return 0;
}
#endif

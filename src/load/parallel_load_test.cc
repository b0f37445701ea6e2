#include "load/parallel_load.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "load/load_test_util.h"

namespace strata::load {
namespace {

using testing::Col;

meta::Partition Part(uint64_t id, std::string name, std::vector<std::string> lower, std::vector<std::string> upper,
                     uint32_t buckets) {
  meta::Partition p{.id = id, .table_id = 1, .name = std::move(name), .lower = std::move(lower),
                    .upper = std::move(upper)};
  for (uint32_t b = 0; b < buckets; ++b) p.tablet_ids.push_back(id * 100 + b);
  return p;
}

struct Fixture {
  meta::Table table{.id = 1,
                    .name = "events",
                    .columns = {Col("id", "BIGINT", false, std::nullopt, true), Col("day", "DATE"),
                                Col("v", "VARCHAR(10)")},
                    .partition_columns = {"day"},
                    .distribution_columns = {"id"},
                    .bucket_count = 4};
  std::vector<meta::Partition> partitions{Part(1, "p1", {"2024-01-01"}, {"2024-02-01"}, 4),
                                          Part(2, "p2", {"2024-02-01"}, {"2024-03-01"}, 4)};
  std::vector<TableColumn> schema = testing::Schema(table.columns);
  Router router = *Router::Make(table, schema, partitions);
};

// The sequential path: LoadCsv over the whole body, then Route.
RoutedLoad Sequential(const Fixture& f, const BuilderOptions& options, const CsvOptions& csv, std::string_view body) {
  LoadBatch batch = *LoadCsv(f.schema, options, csv, body);
  RoutedBatch routed = f.router.Route(batch.columns, batch.line_numbers, options.error_messages_max);
  RoutedLoad out{.rows_total = batch.rows_total, .rows_loaded = batch.rows_loaded - routed.rows_filtered,
                 .rows_filtered = batch.rows_filtered + routed.rows_filtered, .errors = batch.errors};
  out.errors.insert(out.errors.end(), routed.errors.begin(), routed.errors.end());
  for (auto& t : routed.tablets) {
    t.rows.clear();
    out.tablets.push_back(std::move(t));
  }
  std::sort(out.tablets.begin(), out.tablets.end(), [](const TabletRows& a, const TabletRows& b) {
    return std::pair(a.partition_id, a.bucket_index) < std::pair(b.partition_id, b.bucket_index);
  });
  return out;
}

void ExpectSame(const RoutedLoad& want, const RoutedLoad& got, const std::string& context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(got.rows_total, want.rows_total);
  EXPECT_EQ(got.rows_loaded, want.rows_loaded);
  EXPECT_EQ(got.rows_filtered, want.rows_filtered);
  EXPECT_EQ(got.errors, want.errors);
  ASSERT_EQ(got.tablets.size(), want.tablets.size());
  for (size_t i = 0; i < want.tablets.size(); ++i) {
    EXPECT_EQ(got.tablets[i].tablet_id, want.tablets[i].tablet_id);
    ASSERT_EQ(got.tablets[i].columns.size(), want.tablets[i].columns.size());
    for (size_t c = 0; c < want.tablets[i].columns.size(); ++c) {
      EXPECT_TRUE(got.tablets[i].columns[c].Equals(want.tablets[i].columns[c])) << "tablet " << i << " column " << c;
    }
  }
}

// A body of good rows and bad ones (unparsable values, no partition, wrong
// field counts, blank lines, CRLF endings).
std::string RandomBody(std::mt19937_64& rng, size_t rows, char sep, const std::string& row_delimiter) {
  std::string body;
  for (size_t r = 0; r < rows; ++r) {
    switch (rng() % 20) {
      case 0: body += "x" + std::string(1, sep) + "2024-01-05" + sep + "a"; break;  // bad id
      case 1: body += std::to_string(r) + sep + "2031-01-05" + sep + "a"; break;    // no partition
      case 2: body += std::to_string(r) + sep + "2024-01-05"; break;                // too few fields
      case 3: break;                                                                // blank
      case 4: body += std::to_string(r) + sep + "\\N" + sep + "\\N"; break;         // NULL day: no partition
      default:
        body += std::to_string(rng() % 1000) + sep + "2024-0" + std::to_string(1 + rng() % 2) + "-1" +
                std::to_string(rng() % 10) + sep + std::string(rng() % 8, 'a' + static_cast<char>(r % 26));
    }
    body += (row_delimiter == "\n" && rng() % 7 == 0) ? "\r\n" : row_delimiter;
  }
  return body;
}

TEST(ParallelLoadTest, SameAsSequentialForEveryPieceSize) {
  const char* env = std::getenv("STRATA_TEST_SEED");  // reproduce a failure with its printed seed
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::printf("[seed] STRATA_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  Fixture f;
  for (const std::string rd : {"\n", "|"}) {
    CsvOptions csv{.column_separator = ",", .row_delimiter = rd, .skip_header_rows = 2};
    BuilderOptions options{.error_messages_max = 5};
    std::string body = RandomBody(rng, 500, ',', rd);
    RoutedLoad want = Sequential(f, options, csv, body);
    for (size_t piece : {1, 7, 64, 1000, 100000}) {
      for (size_t threads : {1, 3}) {
        auto got = LoadCsvRouted(f.schema, options, csv, body, f.router, {.threads = threads, .piece_bytes = piece});
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ExpectSame(want, *got, "seed " + std::to_string(seed) + " rd '" + rd + "' piece " + std::to_string(piece) +
                                   " threads " + std::to_string(threads));
      }
    }
  }
}

TEST(ParallelLoadTest, LineNumbersCountTheWholeBody) {
  Fixture f;
  std::string body = "1,2024-01-01,a\n2,2024-01-02,b\n3,bad,c\n4,2031-01-01,d\n";
  auto got = LoadCsvRouted(f.schema, {}, CsvOptions{.column_separator = ","}, body, f.router,
                           {.threads = 2, .piece_bytes = 1});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rows_total, 4u);
  EXPECT_EQ(got->rows_loaded, 2u);
  EXPECT_EQ(got->rows_filtered, 2u);
  ASSERT_EQ(got->errors.size(), 2u);
  EXPECT_TRUE(got->errors[0].starts_with("line 3: ")) << got->errors[0];
  EXPECT_TRUE(got->errors[1].starts_with("line 4: no partition")) << got->errors[1];
}

TEST(ParallelLoadTest, SplitsOnlyWhereARowDelimiterAlwaysEndsARecord) {
  std::string body(100, 'a');
  body[30] = '\n';
  body[60] = '\n';
  EXPECT_EQ(SplitCsvBody(body, CsvOptions{}, 10).size(), 3u);
  EXPECT_EQ(SplitCsvBody(body, CsvOptions{.enclose = '"'}, 10).size(), 1u);
  EXPECT_EQ(SplitCsvBody(body, CsvOptions{.escape = '\\'}, 10).size(), 1u);
  EXPECT_EQ(SplitCsvBody(body, CsvOptions{.row_delimiter = "\r\n"}, 10).size(), 1u);
  EXPECT_EQ(SplitCsvBody(body, CsvOptions{.column_separator = "a\nb"}, 10).size(), 1u);
  std::string joined;
  for (auto p : SplitCsvBody(body, CsvOptions{}, 10)) joined += p;
  EXPECT_EQ(joined, body);
}

TEST(ParallelLoadTest, BadMappingIsInvalidArgument) {
  Fixture f;
  auto got = LoadCsvRouted(f.schema, {.columns = {"id", "id"}}, CsvOptions{}, "1\t1\n", f.router);
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::load

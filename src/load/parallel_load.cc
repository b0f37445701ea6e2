// Parallel CSV loading (parallel_load.h).
#include "load/parallel_load.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <thread>
#include <utility>

#include "common/check.h"

namespace strata::load {
namespace {

bool CutIsExact(const CsvOptions& csv) {
  return !csv.enclose && !csv.escape && csv.row_delimiter.size() == 1 &&
         csv.column_separator.find(csv.row_delimiter[0]) == std::string::npos;
}

// What one piece produced.
struct PieceResult {
  uint64_t rows_total = 0;
  uint64_t rows_loaded = 0;   // after routing
  uint64_t rows_filtered = 0; // parse + routing
  std::vector<std::string> parse_errors;
  std::vector<std::string> route_errors;
  std::vector<TabletRows> tablets;
};

// Runs fn(i) for i in [0, count) on up to `threads` threads (the caller's
// among them); each i exactly once.
template <typename Fn>
void ForEachParallel(size_t count, size_t threads, Fn fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) fn(i);  // bounded by count
  };
  const size_t helpers = std::min(threads, count) == 0 ? 0 : std::min(threads, count) - 1;
  std::vector<std::thread> pool;
  pool.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace

std::vector<std::string_view> SplitCsvBody(std::string_view body, const CsvOptions& csv, size_t piece_bytes) {
  STRATA_CHECK(piece_bytes > 0, "piece_bytes must be positive");
  std::vector<std::string_view> pieces;
  if (!CutIsExact(csv) || body.size() <= piece_bytes) {
    pieces.push_back(body);
    return pieces;
  }
  const char delimiter = csv.row_delimiter[0];
  size_t begin = 0;
  while (begin < body.size()) {  // bounded: each pass consumes >= 1 byte
    size_t target = begin + piece_bytes;
    if (target >= body.size()) {
      pieces.push_back(body.substr(begin));
      break;
    }
    const void* hit = std::memchr(body.data() + target - 1, delimiter, body.size() - (target - 1));
    size_t end = hit == nullptr ? body.size() : static_cast<size_t>(static_cast<const char*>(hit) - body.data()) + 1;
    pieces.push_back(body.substr(begin, end - begin));
    begin = end;
  }
  return pieces;
}

Result<RoutedLoad> LoadCsvRouted(const std::vector<TableColumn>& schema, const BuilderOptions& options,
                                 const CsvOptions& csv, std::string_view body, const Router& router,
                                 ParallelOptions parallel) {
  STRATA_CHECK(parallel.threads >= 1 && parallel.threads <= kLoadThreadsMax, "load threads out of range");
  STRATA_RETURN_IF_ERROR(ValidateCsvOptions(csv));
  STRATA_ASSIGN_OR_RETURN(RowBatchBuilder prototype, RowBatchBuilder::Make(schema, options));
  const std::vector<std::string_view> pieces = SplitCsvBody(body, csv, parallel.piece_bytes);

  // Records and lines before each piece: every piece but the last ends with
  // its one-byte row delimiter, so a piece holds as many records as it has
  // delimiter bytes (the last piece's count is never needed).
  std::vector<uint64_t> records_before(pieces.size(), 0), lines_before(pieces.size(), 0);
  std::vector<uint64_t> records(pieces.size(), 0), lines(pieces.size(), 0);
  if (pieces.size() > 1) {
    const char delimiter = csv.row_delimiter[0];
    ForEachParallel(pieces.size() - 1, parallel.threads, [&](size_t i) {
      lines[i] = static_cast<uint64_t>(std::count(pieces[i].begin(), pieces[i].end(), '\n'));
      records[i] = delimiter == '\n' ? lines[i]
                                     : static_cast<uint64_t>(std::count(pieces[i].begin(), pieces[i].end(), delimiter));
    });
    for (size_t i = 1; i < pieces.size(); ++i) {
      records_before[i] = records_before[i - 1] + records[i - 1];
      lines_before[i] = lines_before[i - 1] + lines[i - 1];
    }
  }

  std::vector<PieceResult> results(pieces.size());
  ForEachParallel(pieces.size(), parallel.threads, [&](size_t i) {
    RowBatchBuilder builder = prototype;
    if (i + 1 < pieces.size()) builder.Reserve(records[i]);  // exact for all pieces but the last
    CsvReader reader(pieces[i], csv);
    reader.ContinueNumbering(records_before[i], lines_before[i]);
    SourceRow row;
    while (reader.Next(&row)) builder.Add(row);  // bounded: the reader consumes the piece
    LoadBatch batch = builder.Finish();
    RoutedBatch routed = router.Route(batch.columns, batch.line_numbers, options.error_messages_max);
    PieceResult& r = results[i];
    r.rows_total = batch.rows_total;
    r.rows_loaded = batch.rows_loaded - routed.rows_filtered;
    r.rows_filtered = batch.rows_filtered + routed.rows_filtered;
    r.parse_errors = std::move(batch.errors);
    r.route_errors = std::move(routed.errors);
    r.tablets = std::move(routed.tablets);
  });

  // Join in body order, into columns sized once.
  RoutedLoad out;
  std::vector<std::string> route_errors;
  std::map<std::pair<uint64_t, uint32_t>, std::pair<TabletRows, size_t>> tablets;  // (partition, bucket) -> rows
  for (const PieceResult& r : results) {
    for (const TabletRows& t : r.tablets) {
      tablets[{t.partition_id, t.bucket_index}].second += t.columns.empty() ? 0 : t.columns[0].size();
    }
  }
  for (PieceResult& r : results) {
    out.rows_total += r.rows_total;
    out.rows_loaded += r.rows_loaded;
    out.rows_filtered += r.rows_filtered;
    for (auto& e : r.parse_errors) {
      if (out.errors.size() < options.error_messages_max) out.errors.push_back(std::move(e));
    }
    for (auto& e : r.route_errors) {
      if (route_errors.size() < options.error_messages_max) route_errors.push_back(std::move(e));
    }
    for (TabletRows& t : r.tablets) {
      auto& [into, rows] = tablets.at({t.partition_id, t.bucket_index});
      if (into.columns.empty()) {
        into.partition_id = t.partition_id;
        into.bucket_index = t.bucket_index;
        into.tablet_id = t.tablet_id;
        for (const storage::ColumnVector& c : t.columns) into.columns.emplace_back(c.type()).Reserve(rows);
      }
      STRATA_CHECK_EQ(into.columns.size(), t.columns.size());
      for (size_t c = 0; c < t.columns.size(); ++c) into.columns[c].AppendMoved(t.columns[c]);
    }
    r.tablets.clear();
  }
  for (auto& e : route_errors) out.errors.push_back(std::move(e));
  for (auto& [key, t] : tablets) out.tablets.push_back(std::move(t.first));
  return out;
}

}  // namespace strata::load

// Query fragments on a compute node (fragment_runner.h).
#include "server/cn/fragment_runner.h"

#include <mutex>

#include "common/metrics.h"
#include "query/executor.h"
#include "query/fragment_codec.h"
#include "sql/mysql_errors.h"

namespace strata::server::cn {
namespace {

constexpr uint64_t kDefaultMemoryLimitBytes = 2ull << 30;  // when the request names none

// The one table a fragment reads, through the node's tablet service.
class NodeTableSource final : public query::TableSource {
 public:
  NodeTableSource(storage::TabletService* tablets, const storage::VolumeRef& volume)
      : tablets_(tablets), volume_(volume) {}
  Result<query::TableInfo> Resolve(const std::string& db, const std::string& table) override {
    return FailedPrecondition("a query fragment reads only its own scan, not " + db + "." + table);
  }
  Status ScanTablet(const query::TableInfo&, const query::TabletRef& tablet, const storage::TabletScanOptions& options,
                    const storage::RowsetSink& sink) override {
    return tablets_->ScanTablet(
        storage::ScanTabletRequest{.volume = volume_, .tablet_id = tablet.tablet_id, .meta_key = tablet.meta_key,
                                   .options = options},
        sink);
  }
  Status ScanTabletBatches(const query::TableInfo&, const query::TabletRef& tablet,
                           const storage::TabletScanOptions& options, const storage::BatchSink& sink) override {
    return tablets_->ScanTabletBatches(
        storage::ScanTabletRequest{.volume = volume_, .tablet_id = tablet.tablet_id, .meta_key = tablet.meta_key,
                                   .options = options},
        sink);
  }

 private:
  storage::TabletService* tablets_;
  const storage::VolumeRef& volume_;
};

// Encodes every chunk the fragment's instances push (serialized by the
// engine) into the caller's sink; the first sink error stops the fragment.
class EncodingSink final : public query::Sink {
 public:
  explicit EncodingSink(const storage::FragmentSink& sink) : sink_(sink) {}
  bool Push(query::Chunk chunk) override {
    if (!error_.ok()) return false;
    error_ = sink_(query::EncodeChunk(chunk));
    return error_.ok();
  }
  void Finish() override {}
  const Status& error() const { return error_; }

 private:
  const storage::FragmentSink& sink_;
  Status error_;
};

Counter& Fragments() { return MetricsRegistry::Global().GetCounter("strata_cn_fragments_total"); }
Counter& FragmentTablets() { return MetricsRegistry::Global().GetCounter("strata_cn_fragment_tablets_total"); }

}  // namespace

Status FragmentRunnerOnNode::Run(const storage::FragmentRequest& request, const storage::FragmentSink& sink) {
  STRATA_ASSIGN_OR_RETURN(query::PlanPtr plan, query::DecodeFragment(request.fragment));
  Fragments().Add();
  FragmentTablets().Add(request.tablets.size());
  std::vector<query::TabletRef> tablets;
  for (const auto& t : request.tablets) tablets.push_back(query::TabletRef{.tablet_id = t.tablet_id, .meta_key = t.meta_key});
  NodeTableSource source(tablets_, request.volume);
  query::MemoryTracker memory(request.memory_limit_bytes ? request.memory_limit_bytes : kDefaultMemoryLimitBytes);
  query::ExecContext ctx{.source = &source, .memory = &memory, .check_interrupt = [&] {
                           if (request.should_stop && request.should_stop()) {
                             sql::Fail(sql::ER_QUERY_INTERRUPTED, "Query execution was interrupted");
                           }
                         }};
  EncodingSink out(sink);
  try {
    query::RunFragment(*plan, std::move(tablets), out, ctx);
  } catch (const sql::SqlException& e) {
    if (e.code() == sql::ER_QUERY_INTERRUPTED) return Cancelled("query fragment: the caller went away");
    return FailedPrecondition(query::SqlErrorMark(e.code(), e.what()));
  } catch (const std::exception& e) {
    return Internal(std::string("query fragment: ") + e.what());
  }
  return out.error();
}

}  // namespace strata::server::cn

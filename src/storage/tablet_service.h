// TabletService: the work a compute node does on tablets, behind one
// interface so the FE can run it in-process (LocalTabletService, the
// embedded default and tests) or on the CN that owns the tablet (the gRPC
// client in src/server/cn/). All of it is I/O against the table's storage
// volume; none of it makes anything visible — the FE commits CommitTxn.
//
// Errors: as tablet_io.h, plus Unavailable when the serving node is
// unreachable (retry on the tablet's new owner).
// Thread-safety: implementations are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"
#include "objstore/open_object_store.h"
#include "storage/compaction.h"
#include "storage/tablet_io.h"
#include "storage/tablet_meta.h"

namespace strata::storage {

// Names the storage volume a request works on. `name` + `location` identify
// it; the spec carries what is needed to open it (credentials included — it
// never goes to logs).
struct VolumeRef {
  std::string name;
  objstore::VolumeSpec spec;
};

struct WriteRowsetRequest {
  VolumeRef volume;
  std::string lineage;
  uint64_t tablet_id = 0;
  std::string txn_id;
  uint32_t seq = 0;  // data file number within the txn and tablet
  std::vector<ColumnSchema> schema;
  std::vector<ColumnVector> columns;
};

struct ScanTabletRequest {
  VolumeRef volume;
  uint64_t tablet_id = 0;
  std::string meta_key;  // "" = empty tablet
  TabletScanOptions options;
};

struct CompactRequest {
  VolumeRef volume;
  std::string lineage;
  uint64_t tablet_id = 0;
  std::string base_meta_key;  // the version to compact (must not be "")
  std::string txn_id;         // names the output
  CompactionPolicy policy;
};

// A query fragment (docs/formats/query-fragment.md; opaque bytes here) to
// run over some tablets of one volume, where the tablets are served.
struct FragmentRequest {
  struct Tablet {
    uint64_t tablet_id = 0;
    std::string meta_key;  // never "" (empty tablets are not sent)
  };
  VolumeRef volume;
  std::vector<Tablet> tablets;
  std::string fragment;
  uint64_t memory_limit_bytes = 0;       // the query's exec_mem_limit
  std::function<bool()> should_stop;     // polled by the caller's side; true cancels the work
};
// Takes one encoded result chunk; an error ends the fragment.
using FragmentSink = std::function<Status(std::string&& chunk)>;

class TabletService {
 public:
  virtual ~TabletService() = default;
  virtual Result<RowsetMeta> WriteRowset(const WriteRowsetRequest& request) = 0;
  virtual Status ScanTablet(const ScanTabletRequest& request, const RowsetSink& sink) = 0;
  // The same batches with columns decoded on demand (scan_batch.h) where the
  // tablet is read in this process; a service that receives decoded rows
  // hands them on as DecodedBatch (the default).
  virtual Status ScanTabletBatches(const ScanTabletRequest& request, const BatchSink& sink) {
    return ScanTablet(request, AsDecodedBatches(sink));
  }
  virtual Result<CompactionOutput> Compact(const CompactRequest& request) = 0;
  // Runs a query fragment on the nodes that own the tablets. Unimplemented
  // when this service runs fragments nowhere (in-process: the query engine
  // runs them itself).
  virtual Status RunFragment(const FragmentRequest& request, const FragmentSink& sink) {
    (void)request, (void)sink;
    return Unimplemented("this tablet service runs no query fragments");
  }
};

// Opens (and caches) object stores for volumes; shared by the FE and the CN.
// `wrap` may decorate each opened store (the CN adds its disk cache).
class VolumeStores {
 public:
  using Wrap = std::function<Result<std::shared_ptr<objstore::ObjectStore>>(std::shared_ptr<objstore::ObjectStore>)>;
  explicit VolumeStores(Wrap wrap = nullptr) : wrap_(std::move(wrap)) {}
  Result<std::shared_ptr<objstore::ObjectStore>> Get(const VolumeRef& volume);

 private:
  Wrap wrap_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<objstore::ObjectStore>> stores_;  // by name + location
};

// Runs everything in this process over `stores`.
std::unique_ptr<TabletService> NewLocalTabletService(std::shared_ptr<VolumeStores> stores);

}  // namespace strata::storage

// The compute node's query-fragment runner (TabletRpc.RunFragment): decodes
// the fragment (query/fragment_codec.h), runs it with the query engine over
// the requested tablets on this node's cores — scans through the node's
// tablet service, so through its disk cache — and hands back each result
// chunk encoded. The node knows no catalog: the fragment carries the scan's
// schema, projection and pruning predicates.
//
// Errors: DataLoss / InvalidArgument for damaged or inconsistent fragment
// bytes (nothing runs); a MySQL error the engine raises (memory bound past
// the request's exec_mem_limit, overflow, storage errors) comes back with
// its code marked (query::SqlErrorMark); Cancelled when the caller went away.
// Thread-safety: thread-safe (each call is independent).
#pragma once

#include "storage/tablet_service.h"

namespace strata::server::cn {

class FragmentRunnerOnNode {
 public:
  // `tablets` (the node's local tablet service) must outlive the runner.
  explicit FragmentRunnerOnNode(storage::TabletService* tablets) : tablets_(tablets) {}
  Status Run(const storage::FragmentRequest& request, const storage::FragmentSink& sink);

 private:
  storage::TabletService* tablets_;
};

}  // namespace strata::server::cn

// TabletRpcService: the CN's side of TabletRpc (strata_cn.proto). Decodes
// each request, runs it on a storage::TabletService (on the CN, a
// LocalTabletService over the CN's cached volume stores) and encodes the
// answer. ScanTablet streams one message per rowset batch the scan yields;
// RunFragment hands the request to the node's FragmentRunner (the query
// engine, wired by cn_main) and streams one message per result chunk.
//
// Bad input (an unknown type number, a damaged batch, a batch that does not
// match the schema) is answered with a clear error and changes nothing.
// Requests are never logged: they carry credentials.
//
// Thread-safety: thread-safe if the backend is (gRPC calls handlers
// concurrently).
#pragma once

#include <functional>

#include "server/cn/strata_cn.grpc.pb.h"
#include "storage/tablet_service.h"

namespace strata::server::cn {

// Runs one query fragment on this node (request.should_stop: the caller went away).
using FragmentRunner = std::function<Status(const storage::FragmentRequest&, const storage::FragmentSink&)>;

class TabletRpcService final : public strata::cn::TabletRpc::Service {
 public:
  // `backend` must outlive the service; without `fragments` RunFragment is
  // answered UNIMPLEMENTED.
  explicit TabletRpcService(storage::TabletService* backend, FragmentRunner fragments = nullptr)
      : backend_(backend), fragments_(std::move(fragments)) {}

  grpc::Status WriteRowset(grpc::ServerContext* context, const strata::cn::WriteRowsetRequest* request,
                           strata::cn::WriteRowsetResponse* response) override;
  grpc::Status ScanTablet(grpc::ServerContext* context, const strata::cn::ScanTabletRequest* request,
                          grpc::ServerWriter<strata::cn::ScanTabletResponse>* writer) override;
  grpc::Status Compact(grpc::ServerContext* context, const strata::cn::CompactRequest* request,
                       strata::cn::CompactResponse* response) override;
  grpc::Status RunFragment(grpc::ServerContext* context, const strata::cn::RunFragmentRequest* request,
                           grpc::ServerWriter<strata::cn::RunFragmentResponse>* writer) override;

 private:
  storage::TabletService* backend_;
  FragmentRunner fragments_;
};

}  // namespace strata::server::cn

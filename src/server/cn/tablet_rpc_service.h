// TabletRpcService: the CN's side of TabletRpc (strata_cn.proto). Decodes
// each request, runs it on a storage::TabletService (on the CN, a
// LocalTabletService over the CN's cached volume stores) and encodes the
// answer. ScanTablet streams one message per rowset batch the scan yields.
//
// Bad input (an unknown type number, a damaged batch, a batch that does not
// match the schema) is answered with a clear error and changes nothing.
// Requests are never logged: they carry credentials.
//
// Thread-safety: thread-safe if the backend is (gRPC calls handlers
// concurrently).
#pragma once

#include "server/cn/strata_cn.grpc.pb.h"
#include "storage/tablet_service.h"

namespace strata::server::cn {

class TabletRpcService final : public strata::cn::TabletRpc::Service {
 public:
  // `backend` must outlive the service.
  explicit TabletRpcService(storage::TabletService* backend) : backend_(backend) {}

  grpc::Status WriteRowset(grpc::ServerContext* context, const strata::cn::WriteRowsetRequest* request,
                           strata::cn::WriteRowsetResponse* response) override;
  grpc::Status ScanTablet(grpc::ServerContext* context, const strata::cn::ScanTabletRequest* request,
                          grpc::ServerWriter<strata::cn::ScanTabletResponse>* writer) override;
  grpc::Status Compact(grpc::ServerContext* context, const strata::cn::CompactRequest* request,
                       strata::cn::CompactResponse* response) override;

 private:
  storage::TabletService* backend_;
};

}  // namespace strata::server::cn

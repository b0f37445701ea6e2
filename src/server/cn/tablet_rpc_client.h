// TabletRpcClient: the FE's client of one CN's TabletRpc. Each call encodes
// the storage request (batches as lz4 data files), sends it with a deadline
// and decodes the answer; it tells the caller whether a failure was in
// transport (the node is unreachable; another node may take the call) and,
// for scans, whether any rows reached the sink (then a retry would repeat them).
//
// Errors: the CN's own status (codes as tablet_service.h) with the node as
// context; Unavailable for an unreachable node; DeadlineExceeded when the
// deadline passed (outcome unknown); EncodeBatch's errors before sending.
// Thread-safety: thread-safe (the stub and channel are).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/cn/strata_cn.grpc.pb.h"
#include "storage/tablet_service.h"

namespace strata::server::cn {

struct TabletRpcClientOptions {
  int64_t write_timeout_ms = 120'000;
  int64_t scan_timeout_ms = 600'000;     // the whole stream
  int64_t compact_timeout_ms = 600'000;
};

inline constexpr int64_t kFragmentStopPollMs = 50;

// What a failed call looked like from the client's side.
struct CallInfo {
  bool transport_failure = false;  // never reached a handler (or the node went away)
  bool rows_delivered = false;     // scans, fragments: the sink got at least one batch
};

class TabletRpcClient {
 public:
  // `address` is the CN's "host:rpc_port" (for messages).
  TabletRpcClient(std::string address, std::shared_ptr<grpc::Channel> channel, TabletRpcClientOptions options);

  Result<storage::RowsetMeta> WriteRowset(const storage::WriteRowsetRequest& request, CallInfo* info);
  // Hands each streamed batch to `sink`; a sink error cancels the stream and
  // is returned as is.
  Status ScanTablet(const storage::ScanTabletRequest& request, const storage::RowsetSink& sink, CallInfo* info);
  Result<storage::CompactionOutput> Compact(const storage::CompactRequest& request, CallInfo* info);
  // Runs a query fragment over the request's tablets on this node, handing
  // each result chunk to `sink`; request.should_stop is polled every
  // kFragmentStopPollMs while the node works (true cancels the call).
  Status RunFragment(const storage::FragmentRequest& request, const storage::FragmentSink& sink, CallInfo* info);

  const std::string& address() const { return address_; }

 private:
  const std::string address_;
  std::unique_ptr<strata::cn::TabletRpc::Stub> stub_;
  const TabletRpcClientOptions options_;
};

}  // namespace strata::server::cn

// GrpcServer: a synchronous gRPC server on one or more addresses, with the
// limits every Strata listener has (CONVENTIONS "Errors": bounded threads and
// message sizes), used by the CN (TabletRpc) and the FE (FeRpc).
//
// SO_REUSEPORT is off: a second process asking for a port in use fails to
// start instead of silently sharing it (two CNs must never share an identity).
// Plaintext: the cluster network is trusted for now (docs/operations/cn.md).
//
// Thread-safety: Start and Stop from one controlling thread; the services run
// on gRPC's threads and must be thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/result.h"

namespace strata::server::cn {

struct GrpcServerOptions {
  std::vector<std::string> addresses;  // "host:port"; port 0 picks a free one (tests)
  int threads_max = 64;                // request-handling threads at most
  int message_bytes_max = 256 << 20;
  int64_t shutdown_grace_ms = 5000;    // calls in flight may finish this long on Stop
};

class GrpcServer {
 public:
  // Binds every address and starts serving `services` (not owned; they must
  // outlive the server). Unavailable naming the addresses when one cannot be bound.
  static Result<std::unique_ptr<GrpcServer>> Start(const GrpcServerOptions& options,
                                                   const std::vector<grpc::Service*>& services);
  ~GrpcServer();  // Stop()s

  // The bound ports, in options.addresses order.
  const std::vector<int>& ports() const { return ports_; }
  // Stops accepting, cancels calls still running after the grace period,
  // waits for the handlers to return. Idempotent.
  void Stop();

 private:
  GrpcServer() = default;
  std::unique_ptr<grpc::Server> server_;
  std::vector<int> ports_;
  int64_t shutdown_grace_ms_ = 0;
};

// A plaintext channel to "host:port" with Strata's message limit.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, int message_bytes_max = 256 << 20);

}  // namespace strata::server::cn

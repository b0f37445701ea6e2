#include "server/cn/grpc_server.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <grpcpp/resource_quota.h>

namespace strata::server::cn {

Result<std::unique_ptr<GrpcServer>> GrpcServer::Start(const GrpcServerOptions& options,
                                                      const std::vector<grpc::Service*>& services) {
  if (options.addresses.empty()) return InvalidArgument("grpc server: no address to listen on");
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  server->shutdown_grace_ms_ = options.shutdown_grace_ms;
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.message_bytes_max);
  builder.SetMaxSendMessageSize(options.message_bytes_max);
  grpc::ResourceQuota quota("strata-grpc");
  quota.SetMaxThreads(options.threads_max);
  builder.SetResourceQuota(quota);
  std::vector<int> selected(options.addresses.size(), 0);
  for (size_t i = 0; i < options.addresses.size(); ++i) {
    builder.AddListeningPort(options.addresses[i], grpc::InsecureServerCredentials(), &selected[i]);
  }
  for (grpc::Service* s : services) builder.RegisterService(s);
  server->server_ = builder.BuildAndStart();
  // gRPC does not say which address failed when BuildAndStart does.
  bool all_bound = server->server_ != nullptr &&
                   std::find(selected.begin(), selected.end(), 0) == selected.end();
  if (!all_bound) {
    if (server->server_ != nullptr) server->server_->Shutdown();
    return Unavailable(fmt::format("grpc: cannot listen on {} (a port in use, or not a local address)",
                                   fmt::join(options.addresses, " and ")));
  }
  server->ports_ = std::move(selected);
  return server;
}

GrpcServer::~GrpcServer() { Stop(); }

void GrpcServer::Stop() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(shutdown_grace_ms_));
  server_->Wait();
  server_.reset();
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, int message_bytes_max) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(message_bytes_max);
  args.SetMaxSendMessageSize(message_bytes_max);
  // A restarted CN is found within a second rather than after gRPC's default
  // back-off of up to two minutes.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  // Its own connection, not one shared through gRPC's global subchannel pool:
  // a channel made anew for a restarted node must not inherit the old
  // connection's back-off.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace strata::server::cn

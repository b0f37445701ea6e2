#include "server/fe_http.h"

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "common/metrics.h"

namespace strata::server {
namespace {

using nlohmann::json;

HttpResponse JsonResponse(int status, const json& body) { return HttpResponse::Json(status, body.dump()); }

json ErrorBody(const Status& status) {
  return json{{"ok", false}, {"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}};
}

// Submit's "FailedPrecondition: not the leader; leader is X" (meta_service.h).
bool IsNotLeader(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition && status.message().find("not the leader") != std::string::npos;
}

// Maps the leader's Submit result to the documented answer:
//   200 ok:true            committed: version and id
//   200 ok:false + version the change took a log position and was rejected
//                          deterministically (AlreadyExists, NotFound, ...)
//   503 Unavailable / DeadlineExceeded / Cancelled: not committed, or outcome unknown — retry
//   500 Internal
HttpResponse CommitAnswer(MetaApi& meta, const Result<meta::CommitResult>& result) {
  if (result.ok()) {
    return JsonResponse(200, json{{"ok", true}, {"version", result->version}, {"id", result->id}});
  }
  const Status& st = result.status();
  switch (st.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kCancelled:
    case StatusCode::kResourceExhausted:
      return JsonResponse(503, ErrorBody(st));
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return JsonResponse(500, ErrorBody(st));
    default: {
      // Submit does not return the rejected entry's version; the applied
      // version right after it is at or beyond it, which is what a reader
      // needs for read-your-writes.
      json body = ErrorBody(st);
      body["version"] = meta.AppliedVersion();
      return JsonResponse(200, body);
    }
  }
}

HttpResponse NoLeader(const std::string& why) {
  return JsonResponse(421, json{{"ok", false}, {"code", "NoLeader"}, {"message", why}});
}

// Forwards the original body to the leader, then waits until this FE has
// applied the version the leader answered with.
HttpResponse Forward(MetaApi& meta, const FeHttpOptions& options, const HttpRequest& request) {
  std::string leader = meta.Leader();
  if (!request.Header(kForwardedHeader).empty()) {
    return NoLeader("forwarded by " + request.Header(kForwardedHeader) + " but this FE (" + meta.FeName() +
                    ") is not the leader; retry");
  }
  if (leader.empty() || leader == meta.FeName()) return NoLeader("no leader known; retry");
  HttpCallOptions call;
  call.read_timeout_ms = options.forward_timeout_ms;
  call.write_timeout_ms = options.forward_timeout_ms;
  call.headers.emplace(kForwardedHeader, meta.FeName());
  auto answer = HttpPost(leader, "/api/meta/change", request.body, call);
  if (!answer.ok()) {
    Status st = Unavailable(answer.status().message() + " (forwarded to the leader; outcome unknown)");
    return JsonResponse(503, ErrorBody(st));
  }
  if (answer->status != 200) return HttpResponse::Json(answer->status, answer->body);
  json body = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("version") || !body["version"].is_number_unsigned()) {
    Status st = Unavailable("malformed answer from the leader " + leader + " (outcome unknown)");
    return JsonResponse(503, ErrorBody(st));
  }
  uint64_t version = body["version"].get<uint64_t>();
  Status waited = meta.WaitApplied(version, options.wait_applied_ms);
  if (!waited.ok()) {
    Status st = DeadlineExceeded(fmt::format("committed at version {} by the leader {} but not applied here yet: {}",
                                             version, leader, waited.message()));
    json out = ErrorBody(st);
    out["version"] = version;
    return JsonResponse(503, out);
  }
  return HttpResponse::Json(200, answer->body);
}

HttpResponse StartingAnswer() {
  return JsonResponse(503, ErrorBody(Unavailable("the FE is starting; retry")));
}

HttpResponse HandleChange(MetaApi& meta, const FeHttpOptions& options, const HttpRequest& request) {
  if (!meta.Started()) return StartingAnswer();
  auto change = meta.ParseChange(request.body);
  if (!change.ok()) return JsonResponse(400, ErrorBody(change.status()));
  if (meta.IsLeader()) {
    auto result = meta.Submit(std::move(change).value());
    if (!IsNotLeader(result.status())) return CommitAnswer(meta, result);
    // Lost leadership between the check and the submit: not committed; forward.
  }
  return Forward(meta, options, request);
}

// The binary form a follower's SQL writes arrive in (sql_catalog_access.h).
HttpResponse HandleInternalChange(MetaApi& meta, const HttpRequest& request) {
  if (!meta.Started()) return StartingAnswer();
  auto batch = meta::DecodeBatch(request.body);
  if (!batch.ok()) return JsonResponse(400, ErrorBody(InvalidArgument("change_internal: " + batch.status().message())));
  if (batch->changes.size() != 1) {
    return JsonResponse(400, ErrorBody(InvalidArgument("change_internal: exactly one change per request")));
  }
  if (!meta.IsLeader()) return NoLeader("this FE (" + meta.FeName() + ") is not the leader; retry");
  auto result = meta.Submit(std::move(batch->changes[0]));
  if (IsNotLeader(result.status())) return NoLeader("this FE (" + meta.FeName() + ") lost leadership; retry");
  return CommitAnswer(meta, result);
}

HttpResponse HandleCatalog(MetaApi& meta) {
  if (!meta.Started()) return StartingAnswer();
  CatalogView view = meta.ReadCatalog();
  json head{{"version", view.version}, {"leader", meta.Leader()}, {"is_leader", meta.IsLeader()},
            {"cluster_id", meta.ClusterId()}};
  std::string out = head.dump();
  out.pop_back();  // '}' — append the catalog verbatim (it is JSON already)
  out += ",\"catalog\":";
  out += view.json.empty() ? "null" : view.json;
  out += "}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse HandleStatus(MetaApi& meta) {
  return JsonResponse(200, json{{"version", meta.AppliedVersion()},
                                {"leader", meta.Leader()},
                                {"is_leader", meta.IsLeader()},
                                {"ready", meta.Ready()},
                                {"cluster_id", meta.ClusterId()},
                                {"fe_name", meta.FeName()},
                                {"started", meta.Started()}});
}

HttpResponse HandleCheckpoint(MetaApi& meta) {
  auto result = meta.Checkpoint();
  if (result.ok()) return JsonResponse(200, json{{"ok", true}, {"version", *result}});
  const Status& st = result.status();
  int code = st.code() == StatusCode::kFailedPrecondition ? 409 : st.retryable() ? 503 : 500;
  json body = ErrorBody(st);
  body["leader"] = meta.Leader();
  return JsonResponse(code, body);
}

HttpResponse Readiness(MetaApi& meta) {
  bool ready = meta.Ready();
  return JsonResponse(ready ? 200 : 503, json{{"ready", ready}, {"version", meta.AppliedVersion()}});
}

}  // namespace

HttpRouter BuildFeRouter(MetaApi* meta, FeHttpOptions options) {
  STRATA_CHECK(meta != nullptr, "BuildFeRouter needs a MetaApi");
  HttpRouter r;
  r.Add("GET", "/api/health", [meta](const HttpRequest& req) {
    if (req.HasParam("ready")) return Readiness(*meta);
    return JsonResponse(200, json{{"status", "OK"}});
  });
  r.Add("GET", "/api/ready", [meta](const HttpRequest&) { return Readiness(*meta); });
  r.Add("GET", "/metrics", [meta](const HttpRequest&) {
    return HttpResponse::Text(200, MetricsRegistry::Global().RenderPrometheus() + meta->MetricsText());
  });
  r.Add("POST", "/api/meta/change",
        [meta, options](const HttpRequest& req) { return HandleChange(*meta, options, req); });
  r.Add("POST", kInternalChangePath, [meta](const HttpRequest& req) { return HandleInternalChange(*meta, req); });
  r.Add("GET", "/api/meta/catalog", [meta](const HttpRequest&) { return HandleCatalog(*meta); });
  r.Add("GET", "/api/meta/status", [meta](const HttpRequest&) { return HandleStatus(*meta); });
  r.Add("POST", "/api/meta/checkpoint", [meta](const HttpRequest&) { return HandleCheckpoint(*meta); });
  return r;
}

}  // namespace strata::server

#include "server/sql_catalog_access.h"

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "server/fe_http.h"

namespace strata::server {

namespace {

using nlohmann::json;

bool IsNotLeader(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition && status.message().find("not the leader") != std::string::npos;
}

// The StatusCode whose StatusCodeName is `name` (Unavailable if unknown:
// a reply we cannot interpret means the outcome is unknown).
StatusCode CodeFromName(const std::string& name) {
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); c++) {
    if (StatusCodeName(static_cast<StatusCode>(c)) == name) return static_cast<StatusCode>(c);
  }
  return StatusCode::kUnavailable;
}

}  // namespace

InternalChangeAnswer ParseInternalChangeAnswer(const HttpResponse& response) {
  InternalChangeAnswer out;
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    out.status = Unavailable(fmt::format("malformed answer from the leader (HTTP {}); outcome unknown", response.status));
    return out;
  }
  if (body.contains("version") && body["version"].is_number_unsigned()) out.result.version = body["version"].get<uint64_t>();
  if (body.contains("id") && body["id"].is_number_unsigned()) out.result.id = body["id"].get<uint64_t>();
  if (response.status == 200 && body.value("ok", false)) return out;
  std::string code = body.contains("code") && body["code"].is_string() ? body["code"].get<std::string>() : "";
  std::string message = body.contains("message") && body["message"].is_string() ? body["message"].get<std::string>() : "";
  if (response.status == 421) {
    out.status = Unavailable("the leader moved: " + message + "; retry");
  } else if (response.status == 200) {
    out.status = Status(CodeFromName(code), message);  // the change's own rejection
    if (out.status.ok()) out.status = Internal("leader answered ok:false with code OK");
  } else if (response.status == 400) {
    out.status = InvalidArgument(message);
  } else {
    out.status = Status(response.status == 503 ? StatusCode::kUnavailable : CodeFromName(code), message);
    if (out.status.ok()) out.status = Unavailable(message);
  }
  return out;
}

ForwardingCatalogWriter::ForwardingCatalogWriter(MetaApi* meta, CatalogWriterOptions options, LeaderPost post)
    : meta_(meta), options_(options), post_(std::move(post)) {
  if (!post_) post_ = HttpPost;
}

Result<meta::CommitResult> ForwardingCatalogWriter::Submit(meta::Change change) {
  if (!meta_->Started()) return Unavailable("the FE is starting (metadata service not up yet); retry");
  if (meta_->IsLeader()) {
    auto result = meta_->Submit(change);
    if (!IsNotLeader(result.status())) return result;
    // Lost leadership between the check and the submit: not committed; forward.
  }
  return Forward(change);
}

Result<meta::CommitResult> ForwardingCatalogWriter::Forward(const meta::Change& change) {
  std::string leader = meta_->Leader();
  if (leader.empty() || leader == meta_->FeName()) return Unavailable("no leader known; retry");
  meta::Batch batch;
  batch.writer_fe = meta_->FeName();
  batch.changes.push_back(change);
  HttpCallOptions call;
  call.read_timeout_ms = options_.forward_timeout_ms;
  call.write_timeout_ms = options_.forward_timeout_ms;
  call.headers.emplace(kForwardedHeader, meta_->FeName());
  call.headers.emplace("Content-Type", "application/octet-stream");
  auto answer = post_(leader, kInternalChangePath, meta::EncodeBatch(batch), call);
  if (!answer.ok()) {
    return Unavailable(answer.status().message() + " (forwarded to the leader " + leader + "; outcome unknown)");
  }
  InternalChangeAnswer parsed = ParseInternalChangeAnswer(*answer);
  if (parsed.result.version > 0) {
    Status waited = meta_->WaitApplied(parsed.result.version, options_.wait_applied_ms);
    if (!waited.ok()) {
      return DeadlineExceeded(fmt::format("committed at version {} by the leader {} but not applied here yet: {}",
                                          parsed.result.version, leader, waited.message()));
    }
  }
  if (!parsed.status.ok()) return parsed.status;
  return parsed.result;
}

}  // namespace strata::server

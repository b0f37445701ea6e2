// Status: the outcome of every operation below SQL.
//
// A Status carries a canonical code that tells the caller what to do next
// (retry the call, retry the transaction, give up) and a human-readable
// message. Context is added at each hop with WithContext(), so an error that
// surfaces to an operator reads as a path: "open tablet 42: get data/…: not found".
//
// Thread-safety: a Status is a value type; distinct objects may be used from
// distinct threads freely.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace strata {

// Canonical codes (a subset of Abseil's, with the same meaning).
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed; do not retry
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // create/put-if-absent lost: something is already there
  kFailedPrecondition,  // the system is not in a state to do this; do not retry as is
  kAborted,             // a concurrency conflict; retry the whole transaction
  kUnavailable,         // transient: retry the same call (with back-off)
  kDeadlineExceeded,    // timed out; the operation may or may not have happened
  kResourceExhausted,   // throttled or out of quota; retry later
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // credentials missing or wrong
  kDataLoss,            // stored bytes are corrupt or missing
  kCancelled,           // the caller gave up
  kUnimplemented,       // not supported by this backend/version
  kInternal,            // an invariant broke; a bug
};

// "OK", "NotFound", ... — stable names used in logs and error packets.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True when repeating the same call later may succeed: Unavailable,
  // ResourceExhausted (throttling) and DeadlineExceeded.
  bool retryable() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

  // "NotFound: get a/b: no such object", or "OK".
  std::string ToString() const;

  bool operator==(const Status& other) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Shorthand constructors, one per code.
inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace strata

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define STRATA_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::strata::Status strata_status_ = (expr);   \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

// AWS Signature Version 4 for S3 requests, computed here with OpenSSL
// (HMAC-SHA256, SHA-256) rather than by libcurl, so that the canonical request
// is under our control and unit-tested against AWS's published examples.
//
// Reference: "Signature Version 4 signing process" and "Authenticating
// Requests: Using the Authorization Header" in the AWS documentation.
//
// The secret key only enters SigningKey(); nothing here logs or returns it.
// The Authorization header carries the access key id (as AWS requires): never
// log it.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/secret.h"

namespace strata::objstore::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// SHA-256 of the empty string, the payload hash of every body-less request.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);
// Base64 of the raw MD5 of `data` (the Content-MD5 header value).
std::string Md5Base64(std::string_view data);

// SigV4 URI encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every
// other byte becomes %XX (upper-case hex); '/' stays only when !encode_slash
// (object paths) and is encoded in query names and values.
std::string UriEncode(std::string_view s, bool encode_slash);

// "20130524T000000Z" for a UTC time.
std::string FormatAmzDate(std::time_t utc_seconds);

struct SigV4Request {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // already URI-encoded path, e.g. "/bucket/a/b%20c"
  HeaderList query;           // raw (not encoded) names and values, any order
  HeaderList headers;         // every header to sign; must include host and x-amz-date
  std::string payload_sha256_hex;
};

// The canonical query string: encoded names and values, sorted, '&'-joined.
// The same string is used in the URL that is sent, so the two never differ.
std::string CanonicalQueryString(const HeaderList& query);

// Canonical request (AWS's step 1). `signed_headers_out` gets "host;range;...".
std::string CanonicalRequest(const SigV4Request& request, std::string* signed_headers_out);

// "20130524/us-east-1/s3/aws4_request".
std::string CredentialScope(std::string_view amz_date, std::string_view region, std::string_view service);

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// The derived signing key (raw 32 bytes).
std::string SigningKey(const Secret& secret_key, std::string_view date_yyyymmdd, std::string_view region,
                       std::string_view service);

struct SigV4Credentials {
  Secret access_key;
  Secret secret_key;
  std::string region;
  std::string service = "s3";
};

// The full Authorization header value for `request` signed at `amz_date`.
// `request.headers` must already contain x-amz-date == amz_date.
std::string AuthorizationHeader(const SigV4Request& request, const SigV4Credentials& credentials,
                                std::string_view amz_date);

}  // namespace strata::objstore::s3

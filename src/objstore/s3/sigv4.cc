#include "objstore/s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "common/check.h"

namespace strata::objstore::s3 {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims both ends and collapses runs of spaces into one (SigV4 header rule).
std::string TrimAll(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  STRATA_CHECK(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) == 1, "EVP_Digest sha256");
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  unsigned char* r = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  STRATA_CHECK(r != nullptr, "HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Md5Base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  STRATA_CHECK(EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr) == 1, "EVP_Digest md5");
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

std::string UriEncode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    bool unreserved = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string FormatAmzDate(std::time_t utc_seconds) {
  std::tm tm{};
  gmtime_r(&utc_seconds, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  STRATA_CHECK_EQ(n, size_t{16});
  return std::string(buf, n);
}

std::string CanonicalQueryString(const HeaderList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& request, std::string* signed_headers_out) {
  std::map<std::string, std::string> headers;  // sorted by lower-case name
  for (const auto& [name, value] : request.headers) {
    std::string& slot = headers[ToLower(name)];
    if (!slot.empty()) slot.push_back(',');
    slot += TrimAll(value);
  }
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
  }
  if (signed_headers_out != nullptr) *signed_headers_out = signed_headers;
  return request.method + "\n" + request.canonical_uri + "\n" + CanonicalQueryString(request.query) + "\n" +
         canonical_headers + "\n" + signed_headers + "\n" + request.payload_sha256_hex;
}

std::string CredentialScope(std::string_view amz_date, std::string_view region, std::string_view service) {
  STRATA_CHECK(amz_date.size() >= 8, "amz_date too short");
  return std::string(amz_date.substr(0, 8)) + "/" + std::string(region) + "/" + std::string(service) +
         "/aws4_request";
}

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::string SigningKey(const Secret& secret_key, std::string_view date_yyyymmdd, std::string_view region,
                       std::string_view service) {
  std::string k_date = HmacSha256("AWS4" + secret_key.Reveal(), date_yyyymmdd);
  std::string k_region = HmacSha256(k_date, region);
  std::string k_service = HmacSha256(k_region, service);
  return HmacSha256(k_service, "aws4_request");
}

std::string AuthorizationHeader(const SigV4Request& request, const SigV4Credentials& credentials,
                                std::string_view amz_date) {
  std::string signed_headers;
  std::string canonical = CanonicalRequest(request, &signed_headers);
  std::string scope = CredentialScope(amz_date, credentials.region, credentials.service);
  std::string to_sign = StringToSign(amz_date, scope, canonical);
  std::string key = SigningKey(credentials.secret_key, amz_date.substr(0, 8), credentials.region,
                               credentials.service);
  std::string signature = HexEncode(HmacSha256(key, to_sign));
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key.Reveal() + "/" + scope +
         ",SignedHeaders=" + signed_headers + ",Signature=" + signature;
}

}  // namespace strata::objstore::s3

#include "objstore/s3/sigv4.h"

#include <gtest/gtest.h>

namespace strata::objstore::s3 {
namespace {

// AWS documentation, "Signature Version 4: Deriving the signing key" (the IAM
// example, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830).
TEST(SigV4, SigningKeyMatchesAwsExample) {
  Secret secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(HexEncode(SigningKey(secret, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, HashesAndEncodings) {
  EXPECT_EQ(Sha256Hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(Sha256Hex("hello world"), "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  EXPECT_EQ(Md5Base64("hello world"), "XrY7u+Ae7tCTyyK7j1rNww==");
  EXPECT_EQ(UriEncode("a/b c~d_e-f.g+h=*", false), "a/b%20c~d_e-f.g%2Bh%3D%2A");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
  EXPECT_EQ(FormatAmzDate(1369353600), "20130524T000000Z");
}

TEST(SigV4, CanonicalQueryIsSortedAndEncoded) {
  HeaderList query = {{"prefix", "a/"}, {"list-type", "2"}, {"uploads", ""}, {"delimiter", "/"}};
  EXPECT_EQ(CanonicalQueryString(query), "delimiter=%2F&list-type=2&prefix=a%2F&uploads=");
}

// AWS S3 documentation, "Signature Calculations for the Authorization Header:
// Example: GET Object" (examplebucket, test.txt, Range bytes=0-9).
TEST(SigV4, AwsGetObjectExample) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = "/test.txt";
  req.payload_sha256_hex = std::string(kEmptyPayloadSha256);
  req.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Range", "bytes=0-9"},
                 {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)},
                 {"x-amz-date", "20130524T000000Z"}};
  SigV4Credentials creds{Secret("AKIAIOSFODNN7EXAMPLE"), Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                         "us-east-1"};
  std::string signed_headers;
  std::string canonical = CanonicalRequest(req, &signed_headers);
  EXPECT_EQ(signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(canonical,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(AuthorizationHeader(req, creds, "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// The expected signatures below come from a second, independent implementation:
// botocore 1.29 (Debian's python3-botocore), S3SigV4Auth with credentials
// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1,
// timestamp 20240301T123456Z: canonical_request() / string_to_sign() /
// signature() on an AWSRequest with the same URL and headers.
const SigV4Credentials kBotoCreds{Secret("AKIDEXAMPLE"), Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                  "us-east-1"};

std::string SignatureOf(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST(SigV4, ListObjectsV2QueryMatchesBotocore) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = "/bucket";
  req.query = {{"list-type", "2"}, {"prefix", "a/b c"}, {"delimiter", "/"}, {"max-keys", "1000"},
               {"continuation-token", "x+y="}};
  req.payload_sha256_hex = std::string(kEmptyPayloadSha256);
  req.headers = {{"host", "127.0.0.1:9000"},
                 {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)},
                 {"x-amz-date", "20240301T123456Z"}};
  EXPECT_EQ(CanonicalQueryString(req.query),
            "continuation-token=x%2By%3D&delimiter=%2F&list-type=2&max-keys=1000&prefix=a%2Fb%20c");
  EXPECT_EQ(SignatureOf(AuthorizationHeader(req, kBotoCreds, "20240301T123456Z")),
            "1f8a63832a3fc5b6571732f9d91eef2ec1a1d06e502d99ad344a1ea1843b9fd8");
}

TEST(SigV4, VirtualHostPutIfAbsentMatchesBotocore) {
  SigV4Request req;
  req.method = "PUT";
  req.canonical_uri = "/" + UriEncode("data/k ey~1.bin", false);
  req.payload_sha256_hex = Sha256Hex("hello world");
  req.headers = {{"host", "bucket.localhost:9000"},
                 {"If-None-Match", "*"},
                 {"x-amz-content-sha256", req.payload_sha256_hex},
                 {"x-amz-date", "20240301T123456Z"}};
  EXPECT_EQ(req.canonical_uri, "/data/k%20ey~1.bin");
  EXPECT_EQ(SignatureOf(AuthorizationHeader(req, kBotoCreds, "20240301T123456Z")),
            "38a9a8d9bb3c0830ae5e90f6698b625e01e85c03c973a3789eccab3f15c9cff5");
}

TEST(SigV4, HeaderValuesAreTrimmedAndNamesLowered) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = "/";
  req.payload_sha256_hex = "p";
  req.headers = {{"X-Amz-Meta-A", "  one   two  "}, {"Host", "h"}};
  std::string signed_headers;
  EXPECT_EQ(CanonicalRequest(req, &signed_headers), "GET\n/\n\nhost:h\nx-amz-meta-a:one two\n\nhost;x-amz-meta-a\np");
}

}  // namespace
}  // namespace strata::objstore::s3

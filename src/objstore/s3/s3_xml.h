// s3_xml: a small, strict XML reader for the S3 responses the S3 backend
// needs (ListBucketResult, InitiateMultipartUploadResult,
// CompleteMultipartUploadResult, DeleteResult, Error), and the escaping used
// to build request bodies.
//
// The parser handles elements, attributes (skipped), text, the five named
// entities and numeric character references, CDATA, comments, the XML
// declaration and processing instructions. No DTDs, no namespaces beyond
// ignoring a "prefix:" in names. Input comes from the network, so it is
// bounded (size, depth, node count) and every malformed document gives
// InvalidArgument with the byte offset, never a crash.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "objstore/object_store.h"

namespace strata::objstore::s3 {

inline constexpr size_t kXmlBytesMax = 64ull << 20;
inline constexpr int kXmlDepthMax = 32;
inline constexpr size_t kXmlNodesMax = 1'000'000;

struct XmlNode {
  std::string name;  // local name, without any "ns:" prefix
  std::string text;  // decoded character data directly inside this element
  std::vector<XmlNode> children;

  // First child with this name, or nullptr.
  const XmlNode* Child(std::string_view child_name) const;
  // Text of the first child with this name, or "" when there is none.
  std::string ChildText(std::string_view child_name) const;
};

// Parses a whole document; returns its root element.
Result<XmlNode> ParseXml(std::string_view document);

// Escapes & < > " ' for element text and attribute values.
std::string XmlEscape(std::string_view text);

// Decodes %XX sequences (S3's encoding-type=url). InvalidArgument on a bad escape.
Result<std::string> UrlDecode(std::string_view text);

// "2024-03-01T12:34:56.789Z" → milliseconds since the epoch.
Result<int64_t> ParseIso8601Ms(std::string_view text);

// An S3 <Error> document. Ceph may send an empty <Message/>.
struct S3Error {
  std::string code;
  std::string message;
  std::string request_id;
};

// Parses <Error>; InvalidArgument when the document is not an Error.
Result<S3Error> ParseError(std::string_view document);

struct ListResult {
  std::vector<ObjectMeta> objects;           // keys exactly as the server sent them (decoded)
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;
};

// ListObjectsV2's <ListBucketResult>. With <EncodingType>url</EncodingType>,
// keys and prefixes are URL-decoded.
Result<ListResult> ParseListBucketResult(std::string_view document);

// <InitiateMultipartUploadResult> → the UploadId (never empty on success).
Result<std::string> ParseInitiateMultipartUploadResult(std::string_view document);

// <CompleteMultipartUploadResult> → OK, or the S3 error when the server
// answered 200 with an <Error> body (S3 does that for CompleteMultipartUpload).
// `error_out` is filled in that case and the result is FailedPrecondition.
Status ParseCompleteMultipartUploadResult(std::string_view document, S3Error* error_out);

struct DeleteError {
  std::string key;
  std::string code;
  std::string message;
};

// <DeleteResult> → the per-key errors (empty in quiet mode when all went well).
Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view document);

}  // namespace strata::objstore::s3

#include "objstore/s3/s3_xml.h"

#include <cstdio>
#include <ctime>

namespace strata::objstore::s3 {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Recursive-descent parser over one document; depth and node count bounded.
class Parser {
 public:
  explicit Parser(std::string_view doc) : doc_(doc) {}

  Result<XmlNode> ParseDocument() {
    if (doc_.size() > kXmlBytesMax) return Error("document larger than " + std::to_string(kXmlBytesMax) + " bytes");
    STRATA_RETURN_IF_ERROR(SkipMisc());
    if (pos_ >= doc_.size() || doc_[pos_] != '<') return Error("expected a root element");
    XmlNode root;
    STRATA_RETURN_IF_ERROR(ParseElement(&root, 1));
    STRATA_RETURN_IF_ERROR(SkipMisc());
    if (pos_ != doc_.size()) return Error("unexpected content after the root element");
    return root;
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgument("malformed XML at byte " + std::to_string(pos_) + ": " + what);
  }
  bool StartsWith(std::string_view s) const { return doc_.substr(pos_).starts_with(s); }
  void SkipSpace() {
    while (pos_ < doc_.size() && IsSpace(doc_[pos_])) pos_++;
  }
  // Moves past the next `end`; error if there is none.
  Status SkipPast(std::string_view end, std::string_view what) {
    size_t e = doc_.find(end, pos_);
    if (e == std::string_view::npos) return Error("unterminated " + std::string(what));
    pos_ = e + end.size();
    return Status::OK();
  }
  // Whitespace, comments and processing instructions (including <?xml ...?>).
  Status SkipMisc() {
    for (int i = 0; i < 1000; ++i) {
      SkipSpace();
      if (StartsWith("<?")) {
        STRATA_RETURN_IF_ERROR(SkipPast("?>", "processing instruction"));
      } else if (StartsWith("<!--")) {
        STRATA_RETURN_IF_ERROR(SkipPast("-->", "comment"));
      } else if (StartsWith("<!")) {
        return Error("DTDs are not supported");
      } else {
        return Status::OK();
      }
    }
    return Error("too many comments or processing instructions");
  }

  Result<std::string> ParseName() {
    size_t start = pos_;
    while (pos_ < doc_.size() && !IsSpace(doc_[pos_]) && doc_[pos_] != '/' && doc_[pos_] != '>' &&
           doc_[pos_] != '=' && doc_[pos_] != '<') {
      pos_++;
    }
    if (pos_ == start) return Error("expected a name");
    std::string_view name = doc_.substr(start, pos_ - start);
    size_t colon = name.rfind(':');
    if (colon != std::string_view::npos) name = name.substr(colon + 1);
    return std::string(name);
  }

  // Skips attributes; returns true when the tag was self-closing ("/>").
  Result<bool> SkipAttributes() {
    while (true) {
      SkipSpace();
      if (pos_ >= doc_.size()) return Error("unterminated start tag");
      if (StartsWith("/>")) {
        pos_ += 2;
        return true;
      }
      if (doc_[pos_] == '>') {
        pos_++;
        return false;
      }
      STRATA_ASSIGN_OR_RETURN(std::string attr, ParseName());
      SkipSpace();
      if (pos_ >= doc_.size() || doc_[pos_] != '=') return Error("expected '=' after attribute " + attr);
      pos_++;
      SkipSpace();
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) return Error("expected a quoted value");
      char quote = doc_[pos_++];
      size_t end = doc_.find(quote, pos_);
      if (end == std::string_view::npos) return Error("unterminated attribute value");
      pos_ = end + 1;
    }
  }

  Status DecodeEntity(std::string* out) {
    size_t semi = doc_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return Error("unterminated entity");
    std::string_view ent = doc_.substr(pos_ + 1, semi - pos_ - 1);
    if (ent == "amp") out->push_back('&');
    else if (ent == "lt") out->push_back('<');
    else if (ent == "gt") out->push_back('>');
    else if (ent == "quot") out->push_back('"');
    else if (ent == "apos") out->push_back('\'');
    else if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return Error("empty character reference");
      uint32_t cp = 0;
      for (char c : digits) {
        int v = (c >= '0' && c <= '9') ? c - '0'
                : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                : -1;
        if (v < 0) return Error("bad character reference &" + std::string(ent) + ";");
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) return Error("character reference out of range");
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return Error("invalid character reference");
      AppendUtf8(cp, out);
    } else {
      return Error("unknown entity &" + std::string(ent) + ";");
    }
    pos_ = semi + 1;
    return Status::OK();
  }

  Status ParseText(std::string* out) {
    while (pos_ < doc_.size() && doc_[pos_] != '<') {
      if (doc_[pos_] == '&') {
        STRATA_RETURN_IF_ERROR(DecodeEntity(out));
      } else {
        out->push_back(doc_[pos_++]);
      }
    }
    return Status::OK();
  }

  Status ParseEndTag(const XmlNode& node) {
    pos_ += 2;
    STRATA_ASSIGN_OR_RETURN(std::string name, ParseName());
    if (name != node.name) return Error("end tag </" + name + "> does not match <" + node.name + ">");
    SkipSpace();
    if (pos_ >= doc_.size() || doc_[pos_] != '>') return Error("unterminated end tag");
    pos_++;
    return Status::OK();
  }

  Status ParseElement(XmlNode* node, int depth) {
    if (depth > kXmlDepthMax) return Error("nesting deeper than " + std::to_string(kXmlDepthMax));
    if (++nodes_ > kXmlNodesMax) return Error("more than " + std::to_string(kXmlNodesMax) + " elements");
    pos_++;  // '<'
    STRATA_ASSIGN_OR_RETURN(node->name, ParseName());
    STRATA_ASSIGN_OR_RETURN(bool self_closing, SkipAttributes());
    if (self_closing) return Status::OK();
    while (true) {
      if (pos_ >= doc_.size()) return Error("unterminated element <" + node->name + ">");
      if (StartsWith("</")) return ParseEndTag(*node);
      if (StartsWith("<!--")) {
        STRATA_RETURN_IF_ERROR(SkipPast("-->", "comment"));
      } else if (StartsWith("<![CDATA[")) {
        size_t start = pos_ + 9;
        STRATA_RETURN_IF_ERROR(SkipPast("]]>", "CDATA section"));
        node->text.append(doc_.substr(start, pos_ - 3 - start));
      } else if (StartsWith("<?")) {
        STRATA_RETURN_IF_ERROR(SkipPast("?>", "processing instruction"));
      } else if (StartsWith("<!")) {
        return Error("unexpected markup declaration");
      } else if (doc_[pos_] == '<') {
        node->children.emplace_back();
        STRATA_RETURN_IF_ERROR(ParseElement(&node->children.back(), depth + 1));
      } else {
        STRATA_RETURN_IF_ERROR(ParseText(&node->text));
      }
    }
  }

  std::string_view doc_;
  size_t pos_ = 0;
  size_t nodes_ = 0;
};

Result<XmlNode> ParseRoot(std::string_view document, std::string_view expected_root) {
  STRATA_ASSIGN_OR_RETURN(XmlNode root, ParseXml(document));
  if (root.name != expected_root) {
    return InvalidArgument("expected an S3 <" + std::string(expected_root) + "> document, got <" + root.name + ">");
  }
  return root;
}

Result<uint64_t> ParseUint(std::string_view text, std::string_view what) {
  if (text.empty() || text.size() > 20) return InvalidArgument("bad " + std::string(what) + " '" + std::string(text) + "'");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidArgument("bad " + std::string(what) + " '" + std::string(text) + "'");
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return InvalidArgument(std::string(what) + " overflows: " + std::string(text));
    v = next;
  }
  return v;
}

}  // namespace

const XmlNode* XmlNode::Child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string XmlNode::ChildText(std::string_view child_name) const {
  const XmlNode* c = Child(child_name);
  return c == nullptr ? std::string() : c->text;
}

Result<XmlNode> ParseXml(std::string_view document) { return Parser(document).ParseDocument(); }

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed literally in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "&#" + std::to_string(static_cast<int>(c)) + ";";
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

Result<std::string> UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      if (i + 2 >= text.size() || hex(text[i + 1]) < 0 || hex(text[i + 2]) < 0) {
        return InvalidArgument("bad %-escape in '" + std::string(text) + "'");
      }
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    }
  }
  return out;
}

Result<int64_t> ParseIso8601Ms(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  std::tm tm{};
  int ms = 0;
  std::string s(text);
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 19) {
    return InvalidArgument("bad timestamp '" + s + "'");
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 0;
    for (size_t i = 1; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i, ++digits) {
      if (digits < 3) ms = ms * 10 + (rest[i] - '0');
    }
    for (size_t d = digits; d < 3; ++d) ms *= 10;
    rest = rest.substr(1 + digits);
  }
  if (rest != "Z" && rest != "+00:00" && !rest.empty()) return InvalidArgument("bad timestamp '" + s + "'");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

Result<S3Error> ParseError(std::string_view document) {
  STRATA_ASSIGN_OR_RETURN(XmlNode root, ParseRoot(document, "Error"));
  S3Error e{root.ChildText("Code"), root.ChildText("Message"), root.ChildText("RequestId")};
  if (e.code.empty()) return InvalidArgument("S3 <Error> without a <Code>");
  return e;
}

Result<ListResult> ParseListBucketResult(std::string_view document) {
  STRATA_ASSIGN_OR_RETURN(XmlNode root, ParseRoot(document, "ListBucketResult"));
  bool url = root.ChildText("EncodingType") == "url";
  auto decode = [url](const std::string& s) -> Result<std::string> { return url ? UrlDecode(s) : Result<std::string>(s); };
  ListResult out;
  out.is_truncated = root.ChildText("IsTruncated") == "true";
  out.next_continuation_token = root.ChildText("NextContinuationToken");
  for (const XmlNode& c : root.children) {
    if (c.name == "Contents") {
      ObjectMeta meta;
      STRATA_ASSIGN_OR_RETURN(meta.key, decode(c.ChildText("Key")));
      if (meta.key.empty()) return InvalidArgument("S3 listing has a <Contents> without a <Key>");
      STRATA_ASSIGN_OR_RETURN(meta.size_bytes, ParseUint(c.ChildText("Size"), "object size"));
      std::string modified = c.ChildText("LastModified");
      if (!modified.empty()) {
        STRATA_ASSIGN_OR_RETURN(meta.last_modified_ms, ParseIso8601Ms(modified));
      }
      out.objects.push_back(std::move(meta));
    } else if (c.name == "CommonPrefixes") {
      STRATA_ASSIGN_OR_RETURN(std::string prefix, decode(c.ChildText("Prefix")));
      out.common_prefixes.push_back(std::move(prefix));
    }
  }
  if (out.is_truncated && out.next_continuation_token.empty()) {
    return InvalidArgument("S3 listing is truncated but has no <NextContinuationToken>");
  }
  return out;
}

Result<std::string> ParseInitiateMultipartUploadResult(std::string_view document) {
  STRATA_ASSIGN_OR_RETURN(XmlNode root, ParseRoot(document, "InitiateMultipartUploadResult"));
  std::string id = root.ChildText("UploadId");
  if (id.empty()) return InvalidArgument("S3 <InitiateMultipartUploadResult> without an <UploadId>");
  return id;
}

Status ParseCompleteMultipartUploadResult(std::string_view document, S3Error* error_out) {
  STRATA_ASSIGN_OR_RETURN(XmlNode root, ParseXml(document));
  if (root.name == "CompleteMultipartUploadResult") return Status::OK();
  if (root.name == "Error") {
    *error_out = S3Error{root.ChildText("Code"), root.ChildText("Message"), root.ChildText("RequestId")};
    return FailedPrecondition("CompleteMultipartUpload failed: " + error_out->code);
  }
  return InvalidArgument("expected an S3 <CompleteMultipartUploadResult> document, got <" + root.name + ">");
}

Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view document) {
  STRATA_ASSIGN_OR_RETURN(XmlNode root, ParseRoot(document, "DeleteResult"));
  std::vector<DeleteError> errors;
  for (const XmlNode& c : root.children) {
    if (c.name == "Error") errors.push_back({c.ChildText("Key"), c.ChildText("Code"), c.ChildText("Message")});
  }
  return errors;
}

}  // namespace strata::objstore::s3

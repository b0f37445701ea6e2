#include "objstore/s3/s3_xml.h"

#include <gtest/gtest.h>

namespace strata::objstore::s3 {
namespace {

TEST(S3Xml, ParsesElementsTextAndEntities) {
  auto r = ParseXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><a x=\"1\" y='2'><b>1 &amp; 2 &lt;&gt;&quot;&apos;</b>"
      "<c/><d>&#65;&#x42;&#xe9;<![CDATA[<raw&>]]></d></a>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "a");
  ASSERT_EQ(r->children.size(), 3u);
  EXPECT_EQ(r->ChildText("b"), "1 & 2 <>\"'");
  EXPECT_NE(r->Child("c"), nullptr);
  EXPECT_EQ(r->ChildText("d"), "AB\xc3\xa9<raw&>");
  EXPECT_EQ(r->ChildText("missing"), "");
}

TEST(S3Xml, MalformedInputGivesClearErrors) {
  const char* bad[] = {
      "",
      "not xml",
      "<a>",
      "<a></b>",
      "<a><b></a>",
      "<a>&bogus;</a>",
      "<a>&#0;</a>",
      "<a>&#xD800;</a>",
      "<a>&#99999999;</a>",
      "<a>&amp</a>",
      "<a x=1></a>",
      "<a x=\"1></a>",
      "<a><![CDATA[x</a>",
      "<a><!-- x</a>",
      "<a></a><b></b>",
      "<!DOCTYPE a><a/>",
      "<",
      "</a>",
      "<a",
  };
  for (const char* doc : bad) {
    auto r = ParseXml(doc);
    EXPECT_FALSE(r.ok()) << doc;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << doc;
      EXPECT_NE(r.status().message().find("malformed XML"), std::string::npos) << r.status().message();
    }
  }
}

TEST(S3Xml, DeepNestingIsRejectedNotACrash) {
  std::string doc;
  for (int i = 0; i < 100000; ++i) doc += "<a>";
  auto r = ParseXml(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting"), std::string::npos);
}

TEST(S3Xml, ParsesCephErrorWithEmptyMessage) {
  auto e = ParseError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucket</Code><Message/>"
      "<BucketName>b</BucketName><RequestId>tx1</RequestId><HostId>h</HostId></Error>");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->code, "NoSuchBucket");
  EXPECT_EQ(e->message, "");
  EXPECT_EQ(e->request_id, "tx1");
  EXPECT_FALSE(ParseError("<Error><Message>x</Message></Error>").ok());
  EXPECT_FALSE(ParseError("<ListBucketResult/>").ok());
}

TEST(S3Xml, ParsesListBucketResult) {
  auto r = ParseListBucketResult(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix>"
      "<KeyCount>3</KeyCount><MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok+/=</NextContinuationToken>"
      "<Contents><Key>p/a&amp;b</Key><LastModified>2024-03-01T12:34:56.789Z</LastModified>"
      "<ETag>&quot;abc&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>p/c</Key><LastModified>1970-01-01T00:00:01.000Z</LastModified><Size>0</Size></Contents>"
      "<CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].key, "p/a&b");
  EXPECT_EQ(r->objects[0].size_bytes, 42u);
  EXPECT_EQ(r->objects[0].last_modified_ms, 1709296496789);
  EXPECT_EQ(r->objects[1].last_modified_ms, 1000);
  ASSERT_EQ(r->common_prefixes.size(), 1u);
  EXPECT_EQ(r->common_prefixes[0], "p/d/");
  EXPECT_TRUE(r->is_truncated);
  EXPECT_EQ(r->next_continuation_token, "tok+/=");
}

TEST(S3Xml, ListBucketResultWithUrlEncoding) {
  auto r = ParseListBucketResult(
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
      "<Contents><Key>a%2Fb%20c%01</Key><Size>1</Size></Contents>"
      "<CommonPrefixes><Prefix>d%2F</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->objects[0].key, std::string("a/b c\x01"));
  EXPECT_EQ(r->common_prefixes[0], "d/");
  EXPECT_FALSE(r->is_truncated);
}

TEST(S3Xml, ListBucketResultRejectsBadFields) {
  EXPECT_FALSE(ParseListBucketResult("<ListBucketResult><Contents><Key>a</Key><Size>x</Size></Contents>"
                                     "</ListBucketResult>").ok());
  EXPECT_FALSE(ParseListBucketResult("<ListBucketResult><Contents><Size>1</Size></Contents>"
                                     "</ListBucketResult>").ok());
  EXPECT_FALSE(ParseListBucketResult("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>").ok());
  EXPECT_FALSE(ParseListBucketResult("<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
                                     "<LastModified>yesterday</LastModified></Contents></ListBucketResult>").ok());
  EXPECT_FALSE(ParseListBucketResult("<Error><Code>X</Code></Error>").ok());
}

TEST(S3Xml, ParsesMultipartResults) {
  auto id = ParseInitiateMultipartUploadResult(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "2~abc");
  EXPECT_FALSE(ParseInitiateMultipartUploadResult("<InitiateMultipartUploadResult/>").ok());

  S3Error err;
  EXPECT_TRUE(ParseCompleteMultipartUploadResult(
                  "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>", &err)
                  .ok());
  Status s = ParseCompleteMultipartUploadResult(
      "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>", &err);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(err.code, "InternalError");
  EXPECT_FALSE(ParseCompleteMultipartUploadResult("garbage", &err).ok());
}

TEST(S3Xml, ParsesDeleteResult) {
  auto r = ParseDeleteResult(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b&lt;</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].key, "b<");
  EXPECT_EQ((*r)[0].code, "AccessDenied");
  auto empty = ParseDeleteResult("<DeleteResult/>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(S3Xml, EscapeRoundTrips) {
  std::string text = "a&b<c>d\"e'f\x01g";
  std::string doc = "<k>" + XmlEscape(text) + "</k>";
  auto r = ParseXml(doc);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, text);
}

TEST(S3Xml, UrlDecodeAndTimestamps) {
  EXPECT_EQ(*UrlDecode("a%2fb+c"), "a/b c");
  EXPECT_FALSE(UrlDecode("a%2").ok());
  EXPECT_FALSE(UrlDecode("a%zz").ok());
  EXPECT_EQ(*ParseIso8601Ms("2024-03-01T12:34:56Z"), 1709296496000);
  EXPECT_EQ(*ParseIso8601Ms("2024-03-01T12:34:56.5Z"), 1709296496500);
  EXPECT_FALSE(ParseIso8601Ms("2024-03-01").ok());
  EXPECT_FALSE(ParseIso8601Ms("2024-03-01T12:34:56.000Zjunk").ok());
}

}  // namespace
}  // namespace strata::objstore::s3

#!/usr/bin/python3
"""Tiny boto3 helper for the test S3 servers (Debian's python3-boto3, /usr/bin/python3).

  s3_tool.py mkbucket ENDPOINT REGION ACCESS SECRET BUCKET   # create (ok if it exists already, owned by us)
  s3_tool.py check    ENDPOINT REGION ACCESS SECRET BUCKET   # put/get + conditional put, prints results

Debian 12's botocore (1.29) predates the IfNoneMatch parameter of PutObject, so
the conditional put adds the If-None-Match header in a before-sign hook (the
header is then covered by the SigV4 signature, as a newer SDK would do).
"""
import sys
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client(endpoint, region, ak, sk):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id=ak, aws_secret_access_key=sk,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                      connect_timeout=5, read_timeout=30))


def put_if_none_match(s3, bucket, key, body):
    def add_header(request, **kwargs):
        request.headers["If-None-Match"] = "*"
    s3.meta.events.register("before-sign.s3.PutObject", add_header)
    try:
        resp = s3.put_object(Bucket=bucket, Key=key, Body=body)
        return resp["ResponseMetadata"]["HTTPStatusCode"], "OK"
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code", "?")
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", add_header)


def main(argv):
    cmd, endpoint, region, ak, sk, bucket = argv[1:7]
    s3 = client(endpoint, region, ak, sk)
    if cmd == "mkbucket":
        deadline = time.monotonic() + 30
        while True:
            try:
                s3.create_bucket(Bucket=bucket)
                break
            except ClientError as e:
                if e.response["Error"].get("Code") == "BucketAlreadyOwnedByYou":
                    break
                transient = e.response["ResponseMetadata"].get("HTTPStatusCode", 0) >= 500
                if not transient or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
            except Exception:  # endpoint still warming up
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        s3.head_bucket(Bucket=bucket)
        return 0
    if cmd == "check":
        key = "s3-tool-check/" + uuid.uuid4().hex
        body = b"strata s3 check " + key.encode()
        ok = True
        t = time.monotonic()
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        print(f"put/get: {'OK' if got == body else 'MISMATCH'} ({len(body)} bytes, {1000*(time.monotonic()-t):.1f} ms)")
        ok &= got == body
        ckey = key + ".cond"
        first = put_if_none_match(s3, bucket, ckey, b"first")
        second = put_if_none_match(s3, bucket, ckey, b"second")
        kept = s3.get_object(Bucket=bucket, Key=ckey)["Body"].read()
        print(f"put If-None-Match:* on a new key: HTTP {first[0]} {first[1]}")
        print(f"put If-None-Match:* again:        HTTP {second[0]} {second[1]}")
        print(f"object after both: {kept!r}")
        cond_ok = first[0] == 200 and second[0] == 412 and kept == b"first"
        print(f"conditional put (If-None-Match: *): {'SUPPORTED' if cond_ok else 'NOT SUPPORTED'}")
        ok &= cond_ok
        for k in (key, ckey):
            s3.delete_object(Bucket=bucket, Key=k)
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""What the S3 server itself serves on loopback: whole-object GETs of a given set of keys with boto3 (one
client, keep-alive connections, `threads` GETs in flight), bytes / wall time. The reference for the cold
scan throughput of bench_tpch.py's S3 mode (same server, same objects)."""

import concurrent.futures
import os
import time

import boto3
from botocore.config import Config


def client(threads):
    return boto3.client("s3", endpoint_url=os.environ["STRATA_TEST_S3_ENDPOINT"],
                        region_name=os.environ.get("STRATA_TEST_S3_REGION", "us-east-1"),
                        aws_access_key_id=os.environ["STRATA_TEST_S3_ACCESS_KEY"],
                        aws_secret_access_key=os.environ["STRATA_TEST_S3_SECRET_KEY"],
                        config=Config(max_pool_connections=max(10, threads), s3={"addressing_style": "path"},
                                      retries={"max_attempts": 3}))


def list_keys(prefix):
    """(key, size) of every object under prefix."""
    s3, bucket = client(1), os.environ["STRATA_TEST_S3_BUCKET"]
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out.extend((o["Key"], o["Size"]) for o in page.get("Contents", []))
    return out


def get_all(keys, threads):
    """Reads every key whole with `threads` GETs in flight; returns (bytes, seconds)."""
    s3, bucket = client(threads), os.environ["STRATA_TEST_S3_BUCKET"]

    def one(key):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        n = 0
        for chunk in iter(lambda: body.read(1 << 20), b""):
            n += len(chunk)
        return n

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(one, keys))
    return total, time.perf_counter() - start

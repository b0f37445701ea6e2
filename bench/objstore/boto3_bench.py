#!/usr/bin/env python3
"""The reference client for bench/objstore: the same PUT/GET workload as
objstore_bench, with boto3 (one client, keep-alive connections), printing the
same JSON lines. Run with Debian's /usr/bin/python3 (python3-boto3).

  boto3_bench.py --endpoint http://127.0.0.1:7480 --bucket b --prefix p \
                 --sizes 4096,16777216 --count 200,10
Credentials: STRATA_BENCH_ACCESS_KEY / STRATA_BENCH_SECRET_KEY.
"""
import argparse
import json
import os
import random
import time

import boto3
from botocore.config import Config


def percentile(values, p):
    v = sorted(values)
    i = int(p * (len(v) - 1) + 0.5)
    return v[min(i, len(v) - 1)]


def report(op, size, ms, total_s):
    print(json.dumps({"client": "boto3", "op": op, "size_bytes": size, "count": len(ms),
                      "p50_ms": round(percentile(ms, 0.5), 3), "p99_ms": round(percentile(ms, 0.99), 3),
                      "ops_per_s": round(len(ms) / total_s, 1),
                      "mib_per_s": round(size * len(ms) / (1 << 20) / total_s, 1)}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--prefix", default="bench")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--sizes", default="4096,16777216")
    ap.add_argument("--count", default="200,10")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    counts = [int(x) for x in a.count.split(",")]
    # Single-part uploads for every size, as objstore_bench's Put does.
    s3 = boto3.client("s3", endpoint_url=a.endpoint, region_name=a.region,
                      aws_access_key_id=os.environ["STRATA_BENCH_ACCESS_KEY"],
                      aws_secret_access_key=os.environ["STRATA_BENCH_SECRET_KEY"],
                      config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))
    rnd = random.Random(7)
    for size, count in zip(sizes, counts):
        data = rnd.randbytes(size)
        keys = [f"{a.prefix}/boto3/{size}/{i}" for i in range(count)]
        put_ms = []
        start = time.perf_counter()
        for k in keys:
            t0 = time.perf_counter()
            s3.put_object(Bucket=a.bucket, Key=k, Body=data)
            put_ms.append((time.perf_counter() - t0) * 1000)
        report("put", size, put_ms, time.perf_counter() - start)
        get_ms = []
        start = time.perf_counter()
        for k in keys:
            t0 = time.perf_counter()
            body = s3.get_object(Bucket=a.bucket, Key=k)["Body"].read()
            get_ms.append((time.perf_counter() - t0) * 1000)
            assert len(body) == size
        report("get", size, get_ms, time.perf_counter() - start)
        for i in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=a.bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]],
                                                       "Quiet": True})


if __name__ == "__main__":
    main()

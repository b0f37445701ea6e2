"""bench/pitr: RPO of point-in-time restore, and what the window costs in object storage (issue 10).

Two runs of the same steady load against one FE on the S3 server (STRATA_TEST_S3_*):
  on:  point_in_time_retention_seconds = 3600 (everything of the run stays restorable)
  off: the window off, vacuum grace 10 s, checkpoints every 50 entries (what a cluster without PITR keeps)
Load: one small INSERT (ROWS_PER_INSERT rows) every INTERVAL_MS into a 1-bucket table, through one
MySQL connection (PyMySQL); compaction rounds every second, as in production (data_maintenance).

RPO (run "on"): a sampler reads the newest restorable point straight from object storage with
`strata snapshot history --json` (the log the restore replays) every ~SAMPLE_MS. Per sample: the newest
acknowledged commit A known before the read started (its version: /api/meta/status read right after the
INSERT returned, an upper bound of the commit's own version). lag = 0 when the newest restorable version >=
A's version, else A's acknowledgement time - the newest restorable entry's commit time. Also reported: the
sample time minus the newest restorable commit time (the age of the newest point, which includes the idle
gap between INSERTs and the sampler's own read).

Storage: after each run (vacuum and checkpoint clean-up having run), the bytes under the run's prefix.
The window's extra = bytes(on) - bytes(off); per hour of history = extra / run seconds * 3600. That is
linear in the commit rate: while the window is longer than the history, nothing is deleted, so it grows
with every replaced tablet version, data file (compaction output included) and log entry; once history is
older than the window, it stays at window-length's worth.

Usage: python3 bench/pitr/bench_pitr.py [--seconds 60] [--interval-ms 100] [--rows 5] [--out FILE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import boto3
import pymysql

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "e2e"))
import harness  # noqa: E402
from harness import Cluster, log  # noqa: E402


def prefix_bytes(volume):
    bucket, prefix = volume["aws_s3_path"].split("/", 1)
    s3 = boto3.client("s3", endpoint_url=volume["aws_s3_endpoint"], region_name=volume["aws_s3_region"],
                      aws_access_key_id=volume["aws_s3_access_key"],
                      aws_secret_access_key=volume["aws_s3_secret_key"])
    total, count = 0, 0
    by_kind = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for o in page.get("Contents", []):
            total += o["Size"]
            count += 1
            key = o["Key"][len(prefix) + 1:]
            parts = key.split("/")
            kind = "/".join(parts[1:3]) if len(parts) > 3 else parts[0]
            by_kind.setdefault(kind, [0, 0])
            by_kind[kind][0] += 1
            by_kind[kind][1] += o["Size"]
    return total, count, by_kind


def delete_prefix(volume):
    bucket, prefix = volume["aws_s3_path"].split("/", 1)
    s3 = boto3.client("s3", endpoint_url=volume["aws_s3_endpoint"], region_name=volume["aws_s3_region"],
                      aws_access_key_id=volume["aws_s3_access_key"],
                      aws_secret_access_key=volume["aws_s3_secret_key"])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})


def history(volume, lineage):
    env = dict(os.environ, STRATA_S3_ACCESS_KEY=volume["aws_s3_access_key"],
               STRATA_S3_SECRET_KEY=volume["aws_s3_secret_key"])
    r = subprocess.run([harness.binary(), "snapshot", "history", "--volume", f"s3://{volume['aws_s3_path']}",
                        "--cluster-id", lineage, "--endpoint", volume["aws_s3_endpoint"], "--json"],
                       capture_output=True, text=True, timeout=60, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"history: {r.stderr}")
    return json.loads(r.stdout)["lineages"][0]["window"]


def run(mode, args):
    volume = harness.s3_volume_or_skip(f"pitrbench-{mode}")
    conf = dict(meta_checkpoint_entries=50, data_maintenance_interval_ms=1000, vacuum_interval_ms=2000)
    if mode == "on":
        conf.update(point_in_time_retention_seconds=3600, vacuum_grace_ms=10_000)
    else:
        conf.update(point_in_time_retention_seconds=0, vacuum_grace_ms=10_000)
    result = {"mode": mode, "prefix": volume["aws_s3_path"]}
    try:
        with Cluster(f"pitrbench{mode}", volume) as c:
            fe = c.add_fe(**conf)
            fe.start().wait_ready()
            fe.wait_query_port()
            c.leader()
            lineage = fe.status()[1]["cluster_id"]
            db = pymysql.connect(host="127.0.0.1", port=fe.query_port, user="root", autocommit=True)
            cur = db.cursor()
            cur.execute("CREATE DATABASE bench")
            cur.execute("CREATE TABLE bench.t (k BIGINT, v VARCHAR(32)) DUPLICATE KEY(k) "
                        "DISTRIBUTED BY HASH(k) BUCKETS 1")
            acked = []  # (version upper bound, ack wall ms)
            lock = threading.Lock()
            stop = threading.Event()
            samples = []

            def sampler():
                while not stop.is_set():
                    with lock:
                        newest_acked = acked[-1] if acked else None
                    t_read = time.time() * 1000
                    w = history(volume, lineage)
                    if newest_acked and not w["empty"]:
                        v, ack_ms = newest_acked
                        lag = 0.0 if w["newest_version"] >= v else ack_ms - w["newest_time_ms"]
                        samples.append({"lag_ms": lag, "age_ms": t_read - w["newest_time_ms"],
                                        "newest": w["newest_version"], "acked": v})
                    stop.wait(args.sample_ms / 1000)

            th = threading.Thread(target=sampler, daemon=True)
            if mode == "on":
                th.start()
            t_start = time.time()
            n = 0
            next_at = t_start
            while time.time() - t_start < args.seconds:
                rows = ", ".join(f"({n * args.rows + i}, 'r{n}_{i}')" for i in range(args.rows))
                cur.execute(f"INSERT INTO bench.t VALUES {rows}")
                v = fe.status()[1]["version"]
                with lock:
                    acked.append((v, time.time() * 1000))
                n += 1
                next_at += args.interval_ms / 1000
                time.sleep(max(0.0, next_at - time.time()))
            elapsed = time.time() - t_start
            stop.set()
            if mode == "on":
                th.join()
            # Let vacuum (10 s grace) and clean-up catch up, then one maintenance pass.
            time.sleep(12)
            fe.post("/api/data/maintenance", timeout=120)
            time.sleep(1)
            cur.execute("SELECT COUNT(*) FROM bench.t")
            count = cur.fetchone()[0]
            db.close()
            fe.stop()
            total, objects, by_kind = prefix_bytes(volume)
            result.update(inserts=n, seconds=round(elapsed, 1), rows=count, bytes=total, objects=objects,
                          by_kind=by_kind, newest_version=acked[-1][0] if acked else 0)
            if samples:
                lags = sorted(s["lag_ms"] for s in samples)
                ages = sorted(s["age_ms"] for s in samples)
                result["rpo"] = {"samples": len(samples), "lag_ms_max": lags[-1],
                                 "lag_ms_p50": statistics.median(lags),
                                 "lag_nonzero": sum(1 for x in lags if x > 0),
                                 "age_ms_p50": statistics.median(ages), "age_ms_p99": ages[int(0.99 * (len(ages) - 1))],
                                 "age_ms_max": ages[-1]}
    finally:
        delete_prefix(volume)
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--interval-ms", type=float, default=100)
    p.add_argument("--rows", type=int, default=5)
    p.add_argument("--sample-ms", type=float, default=200)
    p.add_argument("--out", default="")
    args = p.parse_args()
    results = {}
    for mode in ("on", "off"):
        log(f"run {mode}: {args.seconds}s of INSERTs every {args.interval_ms} ms")
        results[mode] = run(mode, args)
        log(json.dumps({k: v for k, v in results[mode].items() if k != "by_kind"}))
    extra = results["on"]["bytes"] - results["off"]["bytes"]
    per_hour = extra / results["on"]["seconds"] * 3600
    results["extra_bytes"] = extra
    results["extra_bytes_per_hour"] = per_hour
    results["load_avg"] = os.getloadavg()
    log(f"window extra: {extra} bytes over {results['on']['seconds']} s -> {per_hour / 2**20:.1f} MiB per hour")
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()

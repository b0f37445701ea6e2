#!/usr/bin/env python3
"""bench/snapshot: cluster snapshot job time and bytes written versus catalog size and versus data size.

Reuses bench/load's volume and FE helpers. For each backend (local directory, Ceph RGW):
  catalog curve: a fresh FE and volume, one table of N tablets (N = 1k, 10k, 100k; empty tablets), then
                 REPS x CREATE CLUSTER SNAPSHOT, each timed by the client (the statement returns when the
                 job is FINISHED) and by the job's own timestamps;
  data curve:    a fresh FE, a 32-tablet table, stream loads growing it to 0.1M, 1M and 4M rows; a snapshot
                 after each step. The snapshot writes only the catalog image: its time and bytes stay flat.
Writes one JSON line per measurement to --results.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "load"))
import bench_load  # noqa: E402  (Volume, Fe, free_port, log)


def table_ddl(tablets):
    buckets = min(tablets, 1000)
    parts = tablets // buckets
    ranges = ", ".join(f"PARTITION p{i} VALUES LESS THAN ({(i + 1) * 1_000_000})" for i in range(parts))
    return (f"CREATE TABLE sb.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) PARTITION BY RANGE(k) ({ranges}) "
            f"DISTRIBUTED BY HASH(k) BUCKETS {buckets}")


def sql_ok(fe, statement):
    r = fe.sql(statement)
    if r.returncode != 0:
        fe.fail(f"{statement[:120]}: {r.stderr.strip()}")
    return r.stdout


def snapshot_bytes(strata, volume, name):
    """image_bytes of snapshot `name`, via `strata snapshot list --json` on the volume."""
    if volume.backend == "local":
        args = ["--volume", volume.root]
    else:
        e = bench_load.s3_env()
        args = ["--volume", f"s3://{volume.bucket}/{volume.prefix}", "--endpoint", e["endpoint"], "--region",
                e["region"]]
    env = dict(os.environ)
    if volume.backend != "local":
        env["STRATA_S3_ACCESS_KEY"] = bench_load.s3_env()["access_key"]
        env["STRATA_S3_SECRET_KEY"] = bench_load.s3_env()["secret_key"]
    r = subprocess.run([strata, "snapshot", "list", "--json", *args], capture_output=True, text=True, env=env,
                       timeout=120)
    if r.returncode != 0:
        sys.exit(f"snapshot list: {r.stderr}")
    doc = json.loads(r.stdout)
    items = doc.get("snapshots", doc) if isinstance(doc, dict) else doc
    for s in items:
        if s.get("name") == name:
            return s.get("image_bytes")
    return None


def take(fe, strata, volume, name):
    t = time.monotonic()
    sql_ok(fe, f"CREATE CLUSTER SNAPSHOT {name}")
    wall = time.monotonic() - t
    return wall, snapshot_bytes(strata, volume, name)


def catalog_curve(args, backend, out, taken):
    for tablets in args.tablets:
        work = os.path.join(args.work, f"{backend}-cat-{tablets}")
        os.makedirs(work)
        volume = bench_load.Volume(backend, work, f"snapbench-cat-{tablets}-{int(time.time())}")
        fe = bench_load.Fe(args.strata, work, volume, taken)
        try:
            fe.wait_ready()
            sql_ok(fe, "CREATE DATABASE sb")
            sql_ok(fe, table_ddl(tablets))
            for rep in range(args.reps):
                wall, image = take(fe, args.strata, volume, f"cat_{tablets}_{rep}")
                row = {"curve": "catalog", "backend": backend, "tablets": tablets, "rep": rep, "wall_s": wall,
                       "image_bytes": image}
                out.write(json.dumps(row) + "\n")
                out.flush()
                bench_load.log(f"{backend} {tablets} tablets rep {rep}: {wall:.3f} s, {image} bytes")
        finally:
            fe.stop()
            volume.remove()


def data_curve(args, backend, out, taken):
    work = os.path.join(args.work, f"{backend}-data")
    os.makedirs(work)
    volume = bench_load.Volume(backend, work, f"snapbench-data-{int(time.time())}")
    fe = bench_load.Fe(args.strata, work, volume, taken)
    try:
        fe.wait_ready()
        sql_ok(fe, "CREATE DATABASE sb")
        sql_ok(fe, "CREATE TABLE sb.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 32")
        loaded = 0
        for target in args.rows:
            body = os.path.join(work, "body.csv")
            with open(body, "w") as f:
                for k in range(loaded, target):
                    f.write(f"{k},{k % 97}\n")
            r = subprocess.run(["curl", "-sS", "-u", "root:", "-H", "column_separator:,", "-H",
                                f"label:rows_{target}", "-T", body, f"http://{fe.addr}/api/sb/t/_stream_load"],
                               capture_output=True, text=True, timeout=600)
            if '"Success"' not in r.stdout:
                fe.fail(f"load to {target} rows: {r.stdout} {r.stderr}")
            loaded = target
            data_bytes = sum(size for key, size in volume.objects() if key.endswith(".sdf"))
            for rep in range(args.reps):
                wall, image = take(fe, args.strata, volume, f"data_{target}_{rep}")
                row = {"curve": "data", "backend": backend, "rows": target, "data_bytes": data_bytes, "rep": rep,
                       "wall_s": wall, "image_bytes": image}
                out.write(json.dumps(row) + "\n")
                out.flush()
                bench_load.log(f"{backend} {target} rows ({data_bytes} B of data) rep {rep}: {wall:.3f} s, {image} B")
    finally:
        fe.stop()
        volume.remove()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--strata", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--backends", default="local,s3")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--tablets", default="1000,10000,100000")
    p.add_argument("--rows", default="100000,1000000,4000000")
    args = p.parse_args()
    args.tablets = [int(x) for x in args.tablets.split(",")]
    args.rows = [int(x) for x in args.rows.split(",")]
    taken = set()
    with open(args.results, "a") as out:
        for backend in args.backends.split(","):
            catalog_curve(args, backend, out, taken)
            data_curve(args, backend, out, taken)


if __name__ == "__main__":
    main()

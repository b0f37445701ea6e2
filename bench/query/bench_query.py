#!/usr/bin/env python3
"""Query benchmark: scan / filter / aggregate / top-N / join queries on
Strata (one `strata fe`, local-directory volume, through the MySQL protocol)
and on DuckDB (PyPI, in-process, same rows, same types) in the same run.

    bench/query/run.sh [--rows N] [--reps N] [--seed N]

Data: one fact table `f` (id BIGINT, grp INT, cat VARCHAR, price
DECIMAL(10,2), qty INT, day DATE, score DOUBLE), range-partitioned on id into
4 partitions x 4 buckets, loaded by one stream load of a generated CSV
(deterministic in rows and seed), and a 20-row dimension table `c`.

Per query: Strata's first run after the load (its object reads come from the
OS page cache: there is no CN disk cache in this setup, so "cold" means the
engine's first touch, not a cold object store), then the median of --reps
warm runs; DuckDB's median of --reps runs. Results are checked equal
(multisets, numbers within 1e-6) before they are timed. Prints a Markdown
table; the ratio is Strata warm / DuckDB.
"""

import argparse
import decimal
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "e2e"))

import harness  # noqa: E402
from harness import Cluster  # noqa: E402

import duckdb  # noqa: E402
import pymysql  # noqa: E402

CATS = [f"c{i:02d}" for i in range(20)]

QUERIES = [
    ("count", "SELECT COUNT(*) FROM bq.f"),
    ("filter_sum", "SELECT SUM(price), AVG(qty) FROM bq.f WHERE day >= '2023-01-01' AND qty > 10"),
    ("group_small", "SELECT cat, COUNT(*), SUM(price * qty), MIN(day) FROM bq.f GROUP BY cat"),
    ("group_large", "SELECT grp, MAX(score), COUNT(*) FROM bq.f WHERE qty > 50 GROUP BY grp"),
    ("count_distinct", "SELECT COUNT(DISTINCT grp) FROM bq.f WHERE cat LIKE 'c1%'"),
    ("pruned_range", "SELECT id, price FROM bq.f WHERE id BETWEEN 100000 AND 100100"),
    ("top_n", "SELECT id, price, cat FROM bq.f ORDER BY price DESC, id LIMIT 10"),
    ("join_group", "SELECT c.label, SUM(f.qty) FROM bq.f f JOIN bq.c c ON f.cat = c.cat WHERE f.score > 0 "
                   "GROUP BY c.label"),
]


def gen_csv(path, rows, seed):
    rng = random.Random(seed)
    with open(path, "w") as out:
        lines = []
        for i in range(rows):
            day = 18262 + rng.randrange(1826)  # 2020-01-01 .. 2024-12-30 (days since epoch)
            d = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
            lines.append(f"{i},{rng.randrange(1000)},{CATS[rng.randrange(20)]},{rng.randrange(100000) / 100:.2f},"
                         f"{rng.randrange(100)},{d},{rng.randrange(-100000, 100000) / 64}\n")
            if len(lines) >= 100000:
                out.write("".join(lines))
                lines = []
        out.write("".join(lines))


def canon(v):
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    try:
        d = decimal.Decimal(str(v))
        return float(d)
    except decimal.InvalidOperation:
        return str(v)


def same(a, b):
    a = sorted(a, key=str)
    b = sorted(b, key=str)
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 1e-6 * max(1.0, abs(x), abs(y)):
                    return False
            elif x != y:
                return False
    return True


def timed(fn):
    start = time.perf_counter()
    rows = fn()
    return time.perf_counter() - start, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    c = Cluster("bench-query", None)
    ok = False
    try:
        csv = os.path.join(c.dir, "f.csv")
        t0 = time.time()
        gen_csv(csv, args.rows, args.seed)
        print(f"generated {args.rows} rows ({os.path.getsize(csv)} bytes) in {time.time() - t0:.1f}s", file=sys.stderr)
        c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe()
        fe.start().wait_ready()
        fe.wait_query_port()
        conn = pymysql.connect(host="127.0.0.1", port=fe.query_port, user="root", password="", conv={},
                               read_timeout=600, autocommit=True)
        cur = conn.cursor()
        cols = ("id BIGINT NOT NULL, grp INT, cat VARCHAR(8), price DECIMAL(10,2), qty INT, day DATE, score DOUBLE")
        cur.execute("CREATE DATABASE bq")
        q = args.rows // 4
        cur.execute(f"CREATE TABLE bq.f ({cols}) DUPLICATE KEY(id) PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS "
                    f"THAN ({q}), PARTITION p2 VALUES LESS THAN ({2 * q}), PARTITION p3 VALUES LESS THAN ({3 * q}), "
                    "PARTITION p4 VALUES LESS THAN MAXVALUE) DISTRIBUTED BY HASH(id) BUCKETS 4")
        cur.execute("CREATE TABLE bq.c (cat VARCHAR(8), label VARCHAR(8)) DUPLICATE KEY(cat) "
                    "DISTRIBUTED BY HASH(cat) BUCKETS 1")
        dim = ", ".join(f"('{cat}', 'l{i % 4}')" for i, cat in enumerate(CATS))
        cur.execute(f"INSERT INTO bq.c VALUES {dim}")
        t0 = time.time()
        load = subprocess.run(["curl", "-sS", "--fail-with-body", "-u", "root:", "-H", "label:bench_query_f",
                               "-H", "column_separator:,", "-H", "format:csv", "-H", "Expect:100-continue",
                               "-T", csv, f"http://{fe.addr}/api/bq/f/_stream_load"],
                              capture_output=True, text=True, check=True)
        answer = json.loads(load.stdout)
        if answer.get("Status") != "Success":
            sys.exit(f"bench_query: stream load failed: {load.stdout[:500]}")
        print(f"strata: stream load {time.time() - t0:.1f}s", file=sys.stderr)
        duck = duckdb.connect()
        duck.execute("CREATE SCHEMA bq")
        duck.execute(f"CREATE TABLE bq.f ({cols})")
        duck.execute(f"INSERT INTO bq.f SELECT * FROM read_csv('{csv}', header=false, columns={{'id':'BIGINT',"
                     "'grp':'INT','cat':'VARCHAR','price':'DECIMAL(10,2)','qty':'INT','day':'DATE','score':'DOUBLE'})")
        duck.execute("CREATE TABLE bq.c (cat VARCHAR, label VARCHAR)")
        duck.execute(f"INSERT INTO bq.c VALUES {dim}")

        def strata(sql):
            cur.execute(sql)
            return [tuple(canon(v) for v in r) for r in cur.fetchall()]

        def duckq(sql):
            return [tuple(canon(v) for v in r) for r in duck.execute(sql).fetchall()]

        loop = os.environ.get("BENCH_QUERY_LOOP")  # profiling: run one query for 20 s (attach perf to the FE)
        if loop:
            print(f"looping {loop}; FE pid {fe.proc.pid}", file=sys.stderr, flush=True)
            deadline = time.time() + 20
            while time.time() < deadline:
                strata(dict(QUERIES)[loop])
        print(f"| query | Strata first (ms) | Strata warm (ms) | DuckDB (ms) | warm / DuckDB |")
        print(f"|---|---:|---:|---:|---:|")
        for name, sql in QUERIES:
            first, got = timed(lambda: strata(sql))
            want = duckq(sql)
            if not same(got, want):
                sys.exit(f"bench_query: {name}: results differ\n strata {got[:5]}\n duckdb {want[:5]}")
            warm = statistics.median(timed(lambda: strata(sql))[0] for _ in range(args.reps))
            dd = statistics.median(timed(lambda: duckq(sql))[0] for _ in range(args.reps))
            print(f"| {name} | {first * 1000:.1f} | {warm * 1000:.1f} | {dd * 1000:.1f} | {warm / dd:.1f}x |", flush=True)
        threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]
        print(f"\nrows {args.rows}, seed {args.seed}, reps {args.reps}; duckdb {duckdb.__version__} "
              f"(threads {threads}); machine {platform.node()} {os.cpu_count()} cores, {platform.platform()}")
        cur.execute("DROP DATABASE bq")
        ok = True
    finally:
        c.cleanup(ok)


if __name__ == "__main__":
    main()

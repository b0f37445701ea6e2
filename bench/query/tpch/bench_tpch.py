#!/usr/bin/env python3
"""TPC-H on Strata vs DuckDB, in one run.

    bench/query/tpch/run.sh [--sf 1] [--reps 3] [--mode local|s3] [--queries q01,q06] [--json out.json]

Data: our own generator (gen.py), cached under ~/.cache/strata/tpch/sf<SF>/. Strata gets it by HTTP
stream loads ('|'-separated, one load per 1.5 M rows), DuckDB (PyPI, in-process, default threads) by
read_csv of the same files into the same types.

Modes:
  local  one `strata fe` over a local-directory volume (the FE does the tablet work). "first" = the first
         run after the load (objects come from the OS page cache).
  s3     one FE + one `strata cn` over an S3 volume on a real S3 server (start one with
         scripts/s3/start-ceph.sh and source its env file: STRATA_TEST_S3_*). "cold" = the CN restarted
         on a new, empty disk-cache directory right before the query, so every data byte comes from S3;
         the bytes the CN read from S3 (strata_objstore_read_bytes_total) / the cold time = cold scan
         throughput. Afterwards the same lineitem objects are read whole with boto3 (s3raw.py) at 1, 2, 4
         and 8 GETs in flight: what the server serves on loopback.

Every query: Strata cold/first run, its result compared with DuckDB's (the same rows in the same order, or
else as multisets for ties; numbers within 1e-6 relative or 1e-4 absolute, for decimal scales and floating
sums), then the median of --reps warm runs on each engine. A query Strata rejects or answers differently
is reported with the error and not timed. Output: a Markdown table on stdout (and --json).
"""

import argparse
import decimal
import json
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import duckdb  # noqa: E402
import pymysql  # noqa: E402

from cluster import StrataTpch  # noqa: E402
from gen import default_dir, generate  # noqa: E402
from queries import SCAN_FILTER_AGG, SKIP_STANDARD, queries, variants  # noqa: E402
from schema import TABLES, duckdb_columns, duckdb_ddl  # noqa: E402

# A full scan of lineitem touching every column: the cold-throughput probe.
SCAN_ALL = ("scan_all", "select sum(l_orderkey), sum(l_partkey), sum(l_suppkey), sum(l_linenumber), sum(l_quantity), "
                        "sum(l_extendedprice), sum(l_discount), sum(l_tax), max(l_returnflag), max(l_linestatus), "
                        "max(l_shipdate), max(l_commitdate), max(l_receiptdate), max(l_shipinstruct), "
                        "max(l_shipmode), max(l_comment) from lineitem")
READ_BYTES = "strata_objstore_read_bytes_total"


def canon(v):
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    try:
        return float(decimal.Decimal(str(v)))
    except decimal.InvalidOperation:
        return str(v)


def close(x, y):
    if isinstance(x, float) and isinstance(y, float):
        return abs(x - y) <= max(1e-6 * max(abs(x), abs(y)), 1e-4)
    return x == y


def rows_equal(a, b):
    return len(a) == len(b) and all(len(ra) == len(rb) and all(close(x, y) for x, y in zip(ra, rb))
                                    for ra, rb in zip(a, b))


def same(got, want):
    """Equal in order, or else as multisets (rows tied in an ORDER BY may come in either order)."""
    if rows_equal(got, want):
        return True

    def key(r):
        return tuple((0, round(x, 2)) if isinstance(x, float) else (1, str(x)) for x in r)
    return rows_equal(sorted(got, key=key), sorted(want, key=key))


def timed(fn):
    start = time.perf_counter()
    rows = fn()
    return time.perf_counter() - start, rows


def load_duckdb(data_dir):
    duck = duckdb.connect()
    for table in TABLES:
        duck.execute(duckdb_ddl("main", table))
        duck.execute(f"INSERT INTO {table} SELECT * FROM read_csv('{data_dir}/{table}.tbl', delim='|', header=false, "
                     f"quote='', columns={duckdb_columns(table)})")
    return duck


def run_query(strata, duck, name, sql, reps, mode):
    r = {"query": name}
    if mode == "s3":
        strata.restart_cn_cold()
        before = strata.cn_metric(READ_BYTES)
    try:
        cold, got = timed(lambda: [tuple(canon(v) for v in row) for row in strata.sql(sql)])
    except pymysql.Error as e:
        r["error"] = f"{e.args[0]}: {e.args[1] if len(e.args) > 1 else ''}"[:300]
        return r
    r["cold_ms"] = cold * 1000
    if mode == "s3":
        r["cold_read_bytes"] = strata.cn_metric(READ_BYTES) - before
    want = [tuple(canon(v) for v in row) for row in duck.execute(sql).fetchall()]
    if not same(got, want):
        r["error"] = f"result differs: strata {len(got)} rows {got[:3]}, duckdb {len(want)} rows {want[:3]}"[:600]
        return r
    r["rows"] = len(got)
    r["warm_ms"] = statistics.median(timed(lambda: strata.sql(sql))[0] for _ in range(reps)) * 1000
    r["duckdb_ms"] = statistics.median(timed(lambda: duck.execute(sql).fetchall())[0] for _ in range(reps)) * 1000
    return r


def raw_s3(strata, thread_counts):
    import s3raw
    keys = strata.lineitem_data_files()
    out = {"objects": len(keys), "bytes": sum(n for _, n in keys), "by_threads": {}}
    for threads in thread_counts:
        n, secs = s3raw.get_all([k for k, _ in keys], threads)
        out["by_threads"][threads] = n / secs
    return out


def report(results, raw, args, meta):
    cold_name = "cold" if args.mode == "s3" else "first"
    print(f"| query | Strata {cold_name} (ms) | Strata warm (ms) | DuckDB (ms) | warm / DuckDB | {cold_name} / DuckDB |"
          + (" cold MB read | cold MB/s |" if args.mode == "s3" else ""))
    print("|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.mode == "s3" else ""))
    for r in results:
        tag = " (scan/filter/agg)" if r["query"] in SCAN_FILTER_AGG else ""
        tag += " (rewritten)" if "variant" in r else ""
        if "warm_ms" not in r:
            print(f"| {r['query']}{tag} | fails: {r['error'][:160].replace('|', '/')} | | | | |")
            continue
        line = (f"| {r['query']}{tag} | {r['cold_ms']:.0f} | {r['warm_ms']:.0f} | {r['duckdb_ms']:.0f} | "
                f"{r['warm_ms'] / r['duckdb_ms']:.2f}x | {r['cold_ms'] / r['duckdb_ms']:.2f}x |")
        if args.mode == "s3":
            mb = r["cold_read_bytes"] / 1e6
            line += f" {mb:.1f} | {mb / (r['cold_ms'] / 1000):.1f} |"
        print(line)
    if raw:
        print(f"\nS3 raw (boto3 whole-object GETs of lineitem's {raw['objects']} data objects, "
              f"{raw['bytes'] / 1e6:.1f} MB): " +
              ", ".join(f"{t} in flight {bps / 1e6:.1f} MB/s" for t, bps in raw["by_threads"].items()))
    print("\nStandard text rejected or wrong on Strata:\n")
    for r in results:
        if "standard_error" in r or ("error" in r and "variant" not in r):
            how = f"; rewritten ({r['variant']}): " + ("ok" if "warm_ms" in r else r.get("error", "")) \
                if "variant" in r else ""
            print(f"- {r['query']}: {r.get('standard_error', r.get('error'))}{how}")
    print(f"\n{meta}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--mode", choices=["local", "s3"], default="local")
    ap.add_argument("--queries", help="comma-separated names (q01..q22, scan_all); default all")
    ap.add_argument("--raw-threads", default="1,2,4,8")
    ap.add_argument("--run-skipped", action="store_true", help="send queries.SKIP_STANDARD's texts as well")
    ap.add_argument("--json")
    args = ap.parse_args()
    data_dir = default_dir(args.sf)
    t0 = time.time()
    info = generate(args.sf, data_dir)
    print(f"data: {data_dir} {info['rows']} ({time.time() - t0:.1f}s)", file=sys.stderr, flush=True)
    todo = [SCAN_ALL] + queries(args.sf)
    if args.queries:
        want = set(args.queries.split(","))
        todo = [q for q in todo if q[0] in want]
    strata = StrataTpch(args.mode)
    ok = False
    try:
        strata.start()
        t0 = time.time()
        strata.load("tpch", data_dir, args.sf)
        load_s = time.time() - t0
        t0 = time.time()
        duck = load_duckdb(data_dir)
        duck_load_s = time.time() - t0
        print(f"loaded: strata {load_s:.1f}s, duckdb {duck_load_s:.1f}s", file=sys.stderr, flush=True)
        results = []
        alt = variants(args.sf)
        for name, sql in todo:
            if name in SKIP_STANDARD and args.sf > 0.01 and not args.run_skipped:
                r = {"query": name, "error": "not run: " + SKIP_STANDARD[name]}
            else:
                r = run_query(strata, duck, name, sql, args.reps, args.mode)
            if "error" in r and name in alt:
                note, variant_sql = alt[name]
                v = run_query(strata, duck, name, variant_sql, args.reps, args.mode)
                r = dict(v, standard_error=r["error"], variant=note)
            print(f"{name}: {json.dumps(r)}", file=sys.stderr, flush=True)
            results.append(r)
        raw = None
        if args.mode == "s3":
            raw = raw_s3(strata, [int(t) for t in args.raw_threads.split(",")])
        threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]
        meta = (f"SF {args.sf:g} ({info['rows']['lineitem']} lineitem rows), mode {args.mode}, reps {args.reps}; "
                f"strata load {load_s:.1f}s, duckdb load {duck_load_s:.1f}s; duckdb {duckdb.__version__} "
                f"(threads {threads}); {platform.node()} {os.cpu_count()} cores; load average "
                f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
        report(results, raw, args, meta)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"args": vars(args), "results": results, "raw_s3": raw, "meta": meta}, f, indent=1)
        ok = True
    finally:
        strata.stop(ok)


if __name__ == "__main__":
    main()

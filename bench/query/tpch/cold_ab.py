#!/usr/bin/env python3
"""Cold scans from S3, two `strata` binaries side by side on the same server and the same loaded data.

    . $DATA/env   # an S3 server from scripts/s3/start-ceph.sh or start-minio.sh
    ~/.cache/strata/bench-venv/bin/python bench/query/tpch/cold_ab.py --bins before=/path/a,after=/path/b \
        [--sf 1] [--queries scan_all,q01,q06] [--rounds 2] [--reps 3]
(the venv is bench/query/tpch/run.sh's: DuckDB, PyMySQL, numpy, boto3 from the system).

One FE + one CN over an S3 volume (bench_tpch.py's s3 mode; the FE and the load run on the last binary
given). For every round, query and binary: the CN is restarted with that binary on a new, empty
disk-cache directory, the query runs cold (every data byte from S3), then --reps warm runs (from that
CN's disk cache). Per cold run: wall time, the bytes and GETs the CN sent to S3
(strata_objstore_read_bytes_total, strata_objstore_requests_total{op="get"}), MB/s = bytes / cold time,
and, where the binary exports them, the read-ahead counters (strata_storage_prefetch_*). Every answer is
checked equal to DuckDB's, cold and warm. At the end, what the server serves boto3 for the same objects (s3raw.py).

CPU of a cold run (from /proc, user + system): the CN's, and the S3 server's when $STRATA_TEST_S3_DATA/pids
lists its processes (scripts/s3/start-ceph.sh writes it). --perf DIR also records each cold run's CN with
`perf record` into DIR/<query>-<binary>-<round>.data (perf costs CPU: time such runs apart from the A/B).
"""

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_tpch import SCAN_ALL, canon, load_duckdb, raw_s3, same, timed  # noqa: E402
from cluster import StrataTpch  # noqa: E402
from gen import default_dir, generate  # noqa: E402
from queries import queries  # noqa: E402

READ_BYTES = "strata_objstore_read_bytes_total"
WAIT_US = "strata_storage_prefetch_wait_microseconds_total"
PREFETCH_GETS = "strata_storage_prefetch_gets_total"
PLANNED = "strata_storage_prefetch_planned_bytes_total"


def metric_text(strata):
    from harness import http
    status, text = http("GET", f"127.0.0.1:{strata.cn.http_port}", "/metrics", timeout=5)
    if status != 200:
        sys.exit(f"cold_ab: cn /metrics: {status}")
    return text


def counter(text, name, must_contain=""):
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if (line.startswith(name + "{") or line.startswith(name + " ")) and must_contain in line)


def snapshot(strata):
    text = metric_text(strata)
    return {"bytes": counter(text, READ_BYTES), "gets": counter(text, "strata_objstore_requests_total", 'op="get"'),
            "wait_us": counter(text, WAIT_US), "prefetch_gets": counter(text, PREFETCH_GETS),
            "planned": counter(text, PLANNED)}


def cpu_secs(pids):
    """User + system CPU seconds of the processes (those gone count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def server_pids():
    path = os.path.join(os.environ.get("STRATA_TEST_S3_DATA", ""), "pids")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [int(line.split()[1]) for line in f if len(line.split()) == 2]


def start_perf(pid, path, call_graph):
    perf = subprocess.Popen(["perf", "record", f"--call-graph={call_graph}", "-q", "-o", path, "-p", str(pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # perf attaches
    return perf


def stop_perf(perf):
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait(60)


def cold_run(strata, duck_rows, binary, sql, reps, perf_path=None, perf_call_graph="fp", env=None, perf_warm=False):
    os.environ["STRATA_BIN"] = binary
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})  # the CN started now inherits them
    try:
        strata.restart_cn_cold()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    cn_pid = strata.cn.proc.pid
    perf = start_perf(cn_pid, perf_path, perf_call_graph) if perf_path and not perf_warm else None
    before = snapshot(strata)
    cpu0 = (cpu_secs([cn_pid]), cpu_secs(server_pids()))
    secs, got = timed(lambda: [tuple(canon(v) for v in row) for row in strata.sql(sql)])
    cpu1 = (cpu_secs([cn_pid]), cpu_secs(server_pids()))
    after = snapshot(strata)
    stop_perf(perf)
    if not same(got, duck_rows):
        sys.exit(f"cold_ab: {binary}: result differs from DuckDB's: {got[:3]} vs {duck_rows[:3]}")
    perf = start_perf(cn_pid, perf_path, perf_call_graph) if perf_path and perf_warm else None
    warm_runs = [timed(lambda: [tuple(canon(v) for v in row) for row in strata.sql(sql)]) for _ in range(reps)]
    for _, rows in warm_runs:  # served from the disk cache: checked as the cold answer is
        if not same(rows, duck_rows):
            sys.exit(f"cold_ab: {binary}: warm result differs from DuckDB's: {rows[:3]} vs {duck_rows[:3]}")
    warm = statistics.median(secs for secs, _ in warm_runs)
    stop_perf(perf)
    d = {k: after[k] - before[k] for k in before}
    return {"cold_ms": secs * 1000, "warm_ms": warm * 1000, "mb": d["bytes"] / 1e6, "gets": d["gets"],
            "wait_ms": d["wait_us"] / 1000, "prefetch_gets": d["prefetch_gets"], "planned_mb": d["planned"] / 1e6,
            "cn_cpu_ms": (cpu1[0] - cpu0[0]) * 1000, "s3_cpu_ms": (cpu1[1] - cpu0[1]) * 1000}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bins", required=True, help="label=path,label=path (the last one runs the FE)")
    ap.add_argument("--sf", type=float, default=1.0)
    ap.add_argument("--queries", default="scan_all,q01,q06")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--raw-threads", default="1,2,4,8")
    ap.add_argument("--perf", default="", help="directory: perf record -g each cold run's CN into it")
    ap.add_argument("--perf-call-graph", default="fp", help="perf record --call-graph mode (fp, dwarf)")
    ap.add_argument("--perf-warm", action="store_true", help="with --perf: record the warm runs instead")
    ap.add_argument("--bin-env", action="append", default=[],
                    help="LABEL:VAR=VALUE: the CN of that binary label runs with this environment variable "
                         "(repeatable; e.g. GLIBC_TUNABLES to try malloc settings); a label may name a path twice")
    args = ap.parse_args()
    bins = [tuple(b.split("=", 1)) for b in args.bins.split(",")]
    bin_env = {}
    for item in args.bin_env:
        label, var = item.split(":", 1)
        name, value = var.split("=", 1)
        bin_env.setdefault(label, {})[name] = value
    os.environ["STRATA_BIN"] = bins[-1][1]
    data_dir = default_dir(args.sf)
    generate(args.sf, data_dir)
    want = args.queries.split(",")
    todo = [q for q in [SCAN_ALL] + queries(args.sf) if q[0] in want]
    strata = StrataTpch("s3")
    ok = False
    try:
        strata.start()
        strata.load("tpch", data_dir, args.sf)
        duck = load_duckdb(data_dir)
        rows = {name: [tuple(canon(v) for v in row) for row in duck.execute(sql).fetchall()] for name, sql in todo}
        results = []
        for rnd in range(args.rounds):
            for name, sql in todo:
                for label, path in bins:
                    perf_path = os.path.join(args.perf, f"{name}-{label}-{rnd + 1}.data") if args.perf else None
                    r = dict(cold_run(strata, rows[name], path, sql, args.reps, perf_path, args.perf_call_graph,
                                      bin_env.get(label), args.perf_warm),
                             query=name, bin=label,
                             round=rnd)
                    print(r, file=sys.stderr, flush=True)
                    results.append(r)
        print("| query | binary | round | cold (ms) | warm (ms) | cold MB read | GETs | MB/GET | cold MB/s |"
              " read-ahead wait (ms) | CN CPU cold (ms) | S3 server CPU cold (ms) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            mb_per_get = r["mb"] / r["gets"] if r["gets"] else 0
            print(f"| {r['query']} | {r['bin']} | {r['round'] + 1} | {r['cold_ms']:.0f} | {r['warm_ms']:.0f} | "
                  f"{r['mb']:.1f} | {r['gets']:.0f} | {mb_per_get:.2f} | {r['mb'] / (r['cold_ms'] / 1000):.1f} | "
                  f"{r['wait_ms']:.0f} | {r['cn_cpu_ms']:.0f} | {r['s3_cpu_ms']:.0f} |")
        raw = raw_s3(strata, [int(t) for t in args.raw_threads.split(",")])
        raw2 = raw["by_threads"].get(2)
        print("\nMedians over the rounds:\n")
        print("| query | binary | cold (ms) | warm (ms) | cold - warm (ms) | cold MB read | MB needed | GETs |"
              " cold MB/s | % of raw at 2 in flight | read-ahead wait (ms) | CN CPU cold (ms) |"
              " S3 server CPU cold (ms) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, _ in todo:
            for label, _ in bins:
                rs = [r for r in results if r["query"] == name and r["bin"] == label]
                med = {k: statistics.median(r[k] for r in rs)
                       for k in ("cold_ms", "warm_ms", "mb", "planned_mb", "gets", "wait_ms", "cn_cpu_ms",
                                 "s3_cpu_ms")}
                mbps = med['mb'] / (med['cold_ms'] / 1000)
                share = f"{100 * mbps * 1e6 / raw2:.0f} %" if raw2 else "-"
                print(f"| {name} | {label} | {med['cold_ms']:.0f} | {med['warm_ms']:.0f} | "
                      f"{med['cold_ms'] - med['warm_ms']:.0f} | {med['mb']:.1f} | {med['planned_mb']:.1f} | "
                      f"{med['gets']:.0f} | "
                      f"{mbps:.1f} | {share} | {med['wait_ms']:.0f} | {med['cn_cpu_ms']:.0f} | {med['s3_cpu_ms']:.0f} |")
        print(f"\nS3 raw (boto3 whole-object GETs of lineitem's {raw['objects']} data objects, "
              f"{raw['bytes'] / 1e6:.1f} MB): " +
              ", ".join(f"{t} in flight {bps / 1e6:.1f} MB/s" for t, bps in raw["by_threads"].items()))
        print(f"\nSF {args.sf:g}, {platform.node()} {os.cpu_count()} cores; load average "
              f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} at the end; {time.strftime('%H:%M UTC', time.gmtime())}")
        ok = True
    finally:
        strata.stop(ok)


if __name__ == "__main__":
    main()

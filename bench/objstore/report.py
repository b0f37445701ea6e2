#!/usr/bin/env python3
"""Turns the JSON lines of bench/objstore/run.sh into a markdown report:
the median over rounds of each (client, op, size), and Strata/boto3 ratios
(latency: lower is better, < 1 means Strata is faster; throughput: > 1 means
Strata is faster)."""
import argparse
import collections
import json
import os
import platform
import statistics
import subprocess
import time


def machine():
    cpu = "unknown cpu"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, {platform.platform()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--command", required=True)
    a = ap.parse_args()
    runs = collections.defaultdict(list)
    with open(a.results) as f:
        for line in f:
            r = json.loads(line)
            runs[(r["client"], r["op"], r["size_bytes"])].append(r)
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("p50_ms", "p99_ms", "mib_per_s", "ops_per_s")}
           for k, v in runs.items()}
    rounds = max(len(v) for v in runs.values())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print("# bench/objstore: Strata's S3 client vs boto3 on Ceph RADOS Gateway\n")
    print(f"- when: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}")
    print(f"- machine: {machine()}")
    print(f"- command: `{a.command}`")
    print(f"- method: {rounds} alternating rounds (Strata, then boto3) against one server on 127.0.0.1; "
          "sequential requests on one keep-alive connection; medians over rounds.\n")
    print("| op | size | Strata p50 ms | boto3 p50 ms | p50 ratio | Strata p99 ms | boto3 p99 ms | p99 ratio "
          "| Strata MiB/s | boto3 MiB/s | throughput ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (client, op, size) in sorted(k for k in med if k[0] == "strata"):
        s, b = med[(client, op, size)], med.get(("boto3", op, size))
        if b is None:
            continue
        print(f"| {op} | {size} | {s['p50_ms']:.2f} | {b['p50_ms']:.2f} | {s['p50_ms'] / b['p50_ms']:.2f} "
              f"| {s['p99_ms']:.2f} | {b['p99_ms']:.2f} | {s['p99_ms'] / b['p99_ms']:.2f} "
              f"| {s['mib_per_s']:.1f} | {b['mib_per_s']:.1f} | {s['mib_per_s'] / b['mib_per_s']:.2f} |")
    print("\nLatency ratio = Strata / boto3 (below 1: Strata faster). Throughput ratio = Strata / boto3 "
          "(above 1: Strata faster).")


if __name__ == "__main__":
    main()

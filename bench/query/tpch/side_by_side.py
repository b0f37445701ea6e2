"""Two (or more) strata binaries side by side on one query set, FE over a local directory.

For each round and binary: start a fresh FE, load lineitem at the given scale, wait for compaction,
run every query once to warm up, then N times; print the median and fastest wall time and the FE
process's CPU time per run (from /proc). Binaries alternate within each round, so that the machine's
load (shared, noisy) falls on all of them alike; compare CPU per run first.

  ~/.cache/strata/bench-venv/bin/python bench/query/tpch/side_by_side.py \\
      --bins base=/tmp/a/strata,new=build/programs/strata --queries q06,q01,pruned --runs 40 --rounds 2

Only lineitem is loaded unless --all-tables (for queries that join). A query is a TPC-H name (queries.py), scan_all, pruned (a filter min/max pruning leaves with nothing to
read) or range_count (a one-column date-range count).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
import schema  # noqa: E402
from bench_tpch import SCAN_ALL  # noqa: E402
from queries import queries  # noqa: E402

EXTRA = {
    "pruned": "select sum(l_quantity) from lineitem where l_shipdate < date '1900-01-01'",
    "range_count": "select count(*) from lineitem where l_shipdate >= date '1994-01-01' "
                   "and l_shipdate < date '1995-01-01'",
}


def fe_cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def run_binary(binary, sf, names, runs, settle, all_tables):
    os.environ["STRATA_BIN"] = binary
    cluster.TABLES = {k: v for k, v in schema.TABLES.items() if all_tables or k == "lineitem"}
    s = cluster.StrataTpch("local")
    s.start()
    try:
        s.load("tpch", os.path.expanduser(f"~/.cache/strata/tpch/sf{sf:g}"), sf)
        time.sleep(settle)
        texts = dict(queries(sf))
        texts["scan_all"] = SCAN_ALL[1]
        texts.update(EXTRA)
        out = {}
        for name in names:
            s.sql(texts[name])
            walls = []
            c0 = fe_cpu_ms(s.fe.proc.pid)
            for _ in range(runs):
                t0 = time.perf_counter()
                s.sql(texts[name])
                walls.append((time.perf_counter() - t0) * 1000)
            walls.sort()
            out[name] = (walls[len(walls) // 2], walls[0], (fe_cpu_ms(s.fe.proc.pid) - c0) / runs)
        return out
    finally:
        s.stop(True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bins", required=True, help="label=path,label=path,...")
    ap.add_argument("--queries", default="q06,q01")
    ap.add_argument("--sf", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--settle", type=float, default=10.0, help="seconds after the load (compaction)")
    ap.add_argument("--all-tables", action="store_true", help="load all eight tables (default: lineitem only)")
    args = ap.parse_args()
    bins = [b.split("=", 1) for b in args.bins.split(",")]
    names = args.queries.split(",")
    print(f"# {time.strftime('%H:%M:%S')} load average {os.getloadavg()[0]:.1f}; sf {args.sf:g}; "
          f"{args.runs} runs per query", flush=True)
    print("| round | binary | query | median ms | fastest ms | FE CPU ms / run |\n|---|---|---|---:|---:|---:|")
    for rnd in range(args.rounds):
        for label, path in bins:
            for name, (median, fastest, cpu) in run_binary(path, args.sf, names, args.runs, args.settle,
                                                                   args.all_tables).items():
                print(f"| {rnd + 1} | {label} | {name} | {median:.2f} | {fastest:.2f} | {cpu:.2f} |", flush=True)
    print(f"# {time.strftime('%H:%M:%S')} load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

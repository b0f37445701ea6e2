#!/usr/bin/env python3
"""Renders bench/restore's JSON lines as the markdown of bench/results/restore.md (analysis.md appended)."""
import argparse
import json
import os
import platform
import statistics
import time

GOAL_S = 5.0
GOAL_TABLETS = 100_000
HERE = os.path.dirname(os.path.abspath(__file__))


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def f3(x):
    return "" if x is None else f"{x:.3f}"


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(open("/proc/meminfo").readline().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError):
        pass
    return f"{platform.node()}: nproc {os.cpu_count()} ({model}){mem}, shared with other work — expect noise"


def group(rows, curve, key):
    out = {}
    for r in rows:
        if r["curve"] == curve:
            out.setdefault((r["backend"], r["address"], r[key]), []).append(r)
    return dict(sorted(out.items(), key=lambda kv: (kv[0][0] != "s3", kv[0][1] != "same", kv[0][2])))


def loads(rs):
    return ", ".join(f"{r['load_avg'][0]:.1f}" for r in rs)


def timing_cells(rs):
    return (f"{f3(med(r['finished_s'] for r in rs))} | {f3(med(r['ready_s'] for r in rs))} | "
            f"**{f3(med(r['query_s'] for r in rs))}** | {', '.join(f3(r['query_s']) for r in rs)}")


def breakdown(rs):
    """Median seconds between the FE's log events (and the client's observations)."""
    def gap(a, b):
        vals = []
        for r in rs:
            ev = dict(r["log"], ready_seen=r["ready_s"], query=r["query_s"], spawn=0.0)
            if a in ev and b in ev:
                vals.append(ev[b] - ev[a])
        return f3(med(vals))
    lease = [r["log"]["leader"] - r["log"]["meta_start"] for r in rs if "leader" in r["log"]]
    return (f"{gap('spawn', 'requested')} | {gap('requested', 'intent')} | {gap('intent', 'restored')} | "
            f"{gap('restored', 'leader')} | {gap('leader', 'up')} | {gap('up', 'ready_seen')} | "
            f"{gap('ready_seen', 'query')} | {'yes' if any('lease_expired' in r['log'] for r in rs) else 'no'} | "
            f"{f3(med(lease))}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True, action="append", help="JSON lines; repeat to merge runs")
    p.add_argument("--command", required=True, action="append", help="one per run")
    p.add_argument("--commit", required=True)
    p.add_argument("--binary", default="")
    p.add_argument("--seconds", required=True)
    p.add_argument("--notes", default=os.path.join(HERE, "analysis.md"))
    p.add_argument("--after", help="JSON lines of a later run with another build, shown in a section of its own")
    p.add_argument("--after-title", default="A later build")
    p.add_argument("--after-command", default="")
    a = p.parse_args()
    rows = [json.loads(line) for path in a.results for line in open(path) if line.startswith("{")]
    cat = group(rows, "catalog", "tablets")
    data = group(rows, "data", "rows")
    w = print
    w("# bench/restore: FE start to ready-and-queryable after a cluster-snapshot restore\n")
    w(f"- when: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (run time: {a.seconds})")
    w(f"- machine: {machine()}; the 1-minute load average at each restore's start is in the tables "
      "(2 cores: above 2 means other work was waiting for the CPU)")
    w(f"- command: {'; then '.join(f'`{c}`' for c in a.command)}; strata at {a.commit} ({a.binary}; the working "
      "tree had other engineers' uncommitted changes)")
    w(f"- S3: the team's Ceph RGW on {os.environ.get('STRATA_TEST_S3_ENDPOINT', '127.0.0.1')} "
      "(bucket prefix restorebench-*, removed afterwards); local: a directory volume on the same disk")
    w("- per point: a source FE builds the table and takes `CREATE CLUSTER SNAPSHOT`, then stops; each restore is a "
      "new machine — a new directory with `fe.conf` (the source's settings, an empty `meta_dir`) and "
      "`cluster_snapshot.yaml` (the snapshot's path and the volume, credentials included), the FE started with "
      "`RESTORE_CLUSTER_SNAPSHOT=true` and a `RESTORE_CLUSTER_GENERATION` never used before (takeover mode). "
      "Address *same*: the FE keeps the source FE's host:port (the operator's stable pod name); *new*: another "
      "host:port (a different machine). Times from just before the FE process is spawned, polled every 10 ms: "
      "(a) `/api/v2/get_cluster_snapshot_restore_state` says `finished`, (b) `/api/ready` answers 200, (c) the "
      "first `SELECT COUNT(*)` over the table answered by the `mysql` client (includes the client's own start, "
      "~10-30 ms; the count is checked). Catalog curve: one table of N empty tablets (1,000 buckets x N/1,000 "
      "partitions). Data curve: 32 tablets grown by one stream load per step, a snapshot after each step; "
      "restored largest first.\n")

    w("## Goal: <= 5 s from FE start to ready-and-queryable at 100k tablets on S3\n")
    w("| address | (b) ready s | (c) first COUNT(*) s (median) | runs s | load avg | verdict |")
    w("|---|---|---|---|---|---|")
    for (backend, address, n), rs in cat.items():
        if backend == "s3" and n == GOAL_TABLETS:
            q = med(r["query_s"] for r in rs)
            w(f"| {address} | {f3(med(r['ready_s'] for r in rs))} | **{f3(q)}** | "
              f"{', '.join(f3(r['query_s']) for r in rs)} | {loads(rs)} | "
              f"{'**met**' if q <= GOAL_S else '**not met**'} |")
    w("")

    w("## Versus catalog size (empty tablets)\n")
    w("| backend | address | tablets | (a) finished s | (b) ready s | (c) first COUNT(*) s | (c) runs s | "
      "FE CPU s | load avg |")
    w("|---|---|---|---|---|---|---|---|---|")
    for (backend, address, n), rs in cat.items():
        w(f"| {backend} | {address} | {n:,} | {timing_cells(rs)} | {f3(med(r['fe_cpu_s'] for r in rs))} | "
          f"{loads(rs)} |")
    w("")
    w("## Versus data size (32 tablets)\n")
    w("| backend | address | rows | data bytes (.sdf files) | (a) finished s | (b) ready s | (c) first COUNT(*) s | "
      "(c) runs s | FE CPU s | load avg |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for (backend, address, n), rs in data.items():
        w(f"| {backend} | {address} | {n:,} | {rs[0]['data_bytes']:,} ({rs[0]['data_files']}) | {timing_cells(rs)} | "
          f"{f3(med(r['fe_cpu_s'] for r in rs))} | {loads(rs)} |")
    w("")

    loaded = group(rows, "loaded", "tablets")
    if loaded:
        w("## Versus catalog size, every tablet holding data\n")
        w("The catalog curve's tablets are empty: nothing for the restore's verify to read, no version key per "
          "tablet in the image. Here one stream load puts ~8 rows in every tablet first, so (almost) every "
          "tablet has a version (its metadata object read by verify) and a data file (HEADed by verify), and "
          "the image carries a version key per tablet. (c) here is the first answered "
          "`SELECT COUNT(*) FROM sb.t WHERE k = 0` (one row): a whole-table COUNT(*) on a cold FE over 10k "
          "loaded tablets on S3 did not answer within 60 s in a trial, a query-path cost outside the restore.\n")
        w("| backend | address | tablets | tablet versions checked | objects on the volume | source load s | "
          "(a) finished s | (b) ready s | (c) first query s | (c) runs s | restore ms per tablet version | "
          "FE CPU s | load avg |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (backend, address, n), rs in loaded.items():
            per = med(r["log"]["restore_elapsed_ms"] / r["log"]["tablet_versions_checked"] for r in rs
                      if r["log"].get("tablet_versions_checked"))
            w(f"| {backend} | {address} | {n:,} | {rs[0]['log'].get('tablet_versions_checked', '')} | "
              f"{rs[0]['objects']:,} | {', '.join(str(r['source_load_s']) for r in rs)} | {timing_cells(rs)} | "
              f"{'' if per is None else f'{per:.2f}'} | {f3(med(r['fe_cpu_s'] for r in rs))} | {loads(rs)} |")
        w("")
        for backend in sorted({k[0] for k in loaded}):
            pts = [(n, r["ready_s"]) for (b, _, n), rs in loaded.items() if b == backend for r in rs]
            if len({n for n, _ in pts}) < 2:
                continue
            mx = statistics.mean(n for n, _ in pts)
            my = statistics.mean(y for _, y in pts)
            slope = sum((n - mx) * (y - my) for n, y in pts) / sum((n - mx) ** 2 for n, _ in pts)
            at = my + slope * (GOAL_TABLETS - mx)
            verdict = (f" — goal **{'met' if at <= GOAL_S else 'not met'}** for a catalog whose tablets hold data"
                       if backend == "s3" else "")
            w(f"Least-squares line through the {backend} (b) ready times: {slope * 1000:.2f} s per 1,000 loaded "
              f"tablets; at {GOAL_TABLETS:,} tablets that is **~{at:.1f} s** (an extrapolation, not a "
              f"measurement){verdict}.\n")
    w("## Where the time goes (medians, seconds, from the FE's INFO log and the client)\n")
    w("spawn→requested: process start, config, volume opened, HTTP up; requested→intent: the restore record "
      "read and the snapshot resolved, intent written; intent→restored: manifest + image read, catalog built, "
      "verify, new image, lineage pointer, fence, done record; restored→leader: metadata service start (image "
      "load) and the take-over (a full lease wait when the image names another FE as leader); leader→up: SQL "
      "front door, compute-node service; up→ready: until the client saw 200; ready→first query: the COUNT(*) (loaded: the WHERE k = 0 one).\n")
    w("| curve | backend | address | size | spawn→requested | requested→intent | intent→restored | "
      "restored→leader | leader→up | up→ready seen | ready→first query | lease wait | meta start→leader |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for curve, groups in (("catalog", cat), ("loaded", loaded), ("data", data)):
        for (backend, address, n), rs in groups.items():
            size = f"{n:,} rows" if curve == "data" else f"{n:,} tablets"
            w(f"| {curve} | {backend} | {address} | {size} | {breakdown(rs)} |")
    w("")
    by_kind = {}
    for r in rows:
        if r["curve"] == "steps":
            by_kind.setdefault((r.get("of", "catalog"), r["tablets"]), []).append(r)
    for (kind, tablets), steps in sorted(by_kind.items()):
        names = list(steps[0]["to_step_s"])
        what = "empty tablets" if kind == "catalog" else "tablets holding data"
        w(f"### Inside the restore: S3, {tablets:,} {what}, a crash failpoint after each step\n")
        w("Each run is killed (`STRATA_FAILPOINTS=<step>=crash`, a new generation each) right after one step; "
          "spawn→death is the cumulative time to that step (process start included). Medians over "
          f"{len(steps)} run(s) per step; load avg at the runs' start {loads(steps)}.\n")
        w("| step | spawn→crash s (median) | runs s | step alone s (difference of medians) |")
        w("|---|---|---|---|")
        prev = 0.0
        for name in names:
            m = med(r["to_step_s"][name] for r in steps)
            w(f"| {name} | {f3(m)} | {', '.join(f3(r['to_step_s'][name]) for r in steps)} | {f3(m - prev)} |")
            prev = m
        w("")
    if a.after:
        later = [json.loads(line) for line in open(a.after) if line.startswith("{")]
        w(f"## {a.after_title}\n")
        if a.after_command:
            w(f"`{a.after_command}`\n")
        w("| backend | address | tablets | (a) finished s | (b) ready s | (c) first COUNT(*) s | (c) runs s | "
          "FE CPU s | load avg |")
        w("|---|---|---|---|---|---|---|---|---|")
        for (backend, address, n), rs in group(later, "catalog", "tablets").items():
            w(f"| {backend} | {address} | {n:,} | {timing_cells(rs)} | {f3(med(r['fe_cpu_s'] for r in rs))} | "
              f"{loads(rs)} |")
        w("")
        w("<details><summary>raw (JSON lines) of this later run</summary>\n\n```")
        for r in later:
            print(json.dumps(r))
        w("```\n</details>\n")
    if a.notes and os.path.exists(a.notes):
        w(open(a.notes).read().rstrip("\n"))
        w("")
    w("<details><summary>raw (JSON lines)</summary>\n\n```")
    for r in rows:
        print(json.dumps(r))
    w("```\n</details>")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turns meta_bench / fe_start.py JSON lines into bench/results/meta.md (see bench/meta/run.sh)."""
import argparse
import datetime
import json
import os
import platform
import subprocess

COMMIT_GOAL = 2000.0  # commits/s at 64 writers on the real S3 server
START_GOAL_MS = 2000.0  # cold start with 100k tablets


def machine():
    cores = os.cpu_count()
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
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / (1 << 20):.0f} GiB"
    except OSError:
        pass
    return f"{cores} cores ({model}), {mem}, {platform.platform()}"


def commit_id():
    try:
        head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], text=True).strip()
        dirty = subprocess.check_output(["git", "status", "--porcelain", "--untracked-files=no"], text=True).strip()
        return head + (" (working tree has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def runs(values):
    return ", ".join(f"{v:.0f}" if v >= 100 else f"{v:.1f}" for v in values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--command", required=True)
    ap.add_argument("--notes", default="")
    ap.add_argument("--fe-note", default="")
    args = ap.parse_args()
    recs = [json.loads(line) for line in open(args.results) if line.startswith("{")]
    by = lambda kind: [r for r in recs if r["bench"] == kind]  # noqa: E731
    order = {"s3": 0, "local": 1}
    key = lambda r: (order.get(r["backend"], 9), -r.get("checkpoint_entries", 0), r.get("writers", 0),  # noqa: E731
                     r.get("tablets", 0), r.get("tail_entries", 0))  # noqa: E731

    out = ["# bench/meta: the metadata service on Ceph RGW (S3) and on a local directory", ""]
    out += [f"- when: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit_id()}",
            f"- machine: {machine()}",
            f"- command: `{args.command}`",
            "- backends: `s3` = Ceph RADOS Gateway 16.2 (memstore OSD) started by run.sh on 127.0.0.1:7480, "
            "path-style, one keep-alive client per MetaService; `local` = a local-directory volume (the embedded "
            "default) under $TMPDIR.",
            "- method: one process, one MetaService in-process (the leader), default options (batch_max 1024, "
            "checkpoint every 1000 entries) unless said; every measurement on a fresh volume prefix.", ""]

    # goals
    goals = []
    c64 = [r for r in by("commit") if r["backend"] == "s3" and r["writers"] == 64 and r["checkpoint_entries"] == 1000]
    if c64:
        v = c64[0]["commits_per_s"]
        goals.append(("commits/s at 64 writers, S3", f">= {COMMIT_GOAL:,.0f}", f"{v:,.0f}",
                      "**met**" if v >= COMMIT_GOAL else "**missed**"))
    for kind, label in (("start", "MetaService::Start, no cache"), ("fe_process", "`strata fe` launch -> ready 200, no cache")):
        for r in by(kind):
            if r["backend"] == "s3" and r["tablets"] >= 100000:
                v = r["cold_ms"]
                goals.append((f"cold start, {r['tablets']:,} tablets + {r['tail_entries']} log entries, S3: {label}", f"<= {START_GOAL_MS:,.0f} ms",
                              f"{v:,.0f} ms", "**met**" if v <= START_GOAL_MS else "**missed**"))
    out += ["## Goals", "", table(["goal", "target", "measured", "verdict"], goals), ""]

    # commits
    rows = []
    for r in sorted(by("commit"), key=key):
        rows.append((r["backend"], r["checkpoint_entries"] or "off", r["writers"], f"{r['seconds']:.1f}", f"{r['commits']:,}", f"{r['commits_per_s']:,.0f}",
                     f"{r['entries_per_s']:,.0f}", f"{r['changes_per_entry']:.1f}", f"{r['p50_ms']:.2f}",
                     f"{r['p99_ms']:.2f}", f"{r['max_ms']:.1f}", r["errors"]))
    out += ["## 1. Commits (create_database, unique names, W concurrent writers, one leader)", "",
            table(["backend", "checkpoint every", "writers", "s", "commits", "commits/s", "log entries/s", "changes/entry", "p50 ms",
                   "p99 ms", "max ms", "errors"], rows), "",
            "Commit latency = Submit() call to return, per change (errors: Submit() results that were not OK; every change "
            "is a new name, so any error is a failure). Log entries/s = batches (one put-if-absent each).", ""]
    rows = []
    for r in sorted(by("append"), key=key):
        rows.append((r["backend"], r["changes"], r["bytes"], f"{r['append_p50_ms']:.2f}", f"{r['append_p99_ms']:.2f}",
                     f"{r['read_p50_ms']:.2f}", f"{r['read_p99_ms']:.2f}", f"{r['encode_us']:.1f}"))
    out += ["Floor under every commit: `MetaLog::Append` alone (one conditional PUT), sequential, and a `MetaLog::Read` "
            "of the same entries:", "",
            table(["backend", "changes/batch", "batch bytes", "append p50 ms", "append p99 ms", "read p50 ms",
                   "read p99 ms", "EncodeBatch µs"], rows), ""]

    # images
    rows, seen = [], set()
    for r in sorted(by("image"), key=key):
        if (r["backend"], r["tablets"]) in seen:  # the worst-case-tail volume repeats the largest catalog
            continue
        seen.add((r["backend"], r["tablets"]))
        rows.append((r["backend"], f"{r['tablets']:,}", f"{r['tables']:,}", f"{r['image_bytes'] / 1024:,.0f}",
                     f"{r['encode_ms']:.2f}", f"{r['write_ms']:.2f}", f"**{r['write_total_ms']:.2f}**",
                     f"{r['read_ms']:.2f}", f"{r['decode_ms']:.2f}", f"**{r['load_total_ms']:.2f}**"))
    out += ["## 2. Images (medians of the runs)", "",
            "Catalog: one database, tables of 10 range partitions x 10 buckets (100 tablets per table), built with "
            "create_table changes through the service.", "",
            table(["backend", "tablets", "tables", "image KiB", "EncodeImage ms", "ImageStore::Write ms", "write total ms",
                   "ImageStore::Read ms", "DecodeImage ms", "load total ms"], rows), ""]

    # start
    rows = []
    for r in sorted(by("start"), key=key):
        rows.append((r["backend"], f"{r['tablets']:,}", r["image_version"], r["tail_entries"],
                     f"**{r['cold_ms']:.1f}**", runs(r["cold_runs_ms"]), f"**{r['warm_ms']:.1f}**", runs(r["warm_runs_ms"])))
    out += ["## 3. FE cold start", "",
            "Volume: the catalog above as an image at version V plus a tail of log entries (one create_database each). "
            "`MetaService::Start` as a follower with a new object-store client (no connections), first with an empty "
            "meta_dir (no cache), then with the meta_dir that start left (warm cache); alternated, median ms.", "",
            table(["backend", "tablets", "image V", "tail entries", "no cache ms", "runs", "warm cache ms", "runs"], rows), ""]
    rows = []
    for r in sorted(by("start"), key=key):
        total = sum(r[k] for k in r if k.startswith("phase_"))
        rows.append((r["backend"], f"{r['tablets']:,}", r["tail_entries"], f"{r['phase_lineage_ms']:.1f}", f"{r['phase_list_images_ms']:.1f}",
                     f"{r['phase_image_read_ms']:.1f}", f"{r['phase_image_decode_ms']:.1f}",
                     f"{r['phase_last_version_ms']:.1f}", f"{r['phase_tail_fetch_ms']:.1f}",
                     f"{r['phase_tail_apply_ms']:.1f}", f"{r['phase_probe_ms']:.1f}", f"{total:.1f}"))
    out += ["Where a cold start's time goes: the steps of `MetaService::Recover` done one by one with the public APIs "
            "(one run, new client):", "",
            table(["backend", "tablets", "tail entries", "lineage", "list images", "image read", "image decode", "LastVersion",
                   "tail fetch (8 threads)", "tail apply", "final probe", "sum ms"], rows), ""]
    rows = []
    for r in sorted(by("fe_process"), key=key):
        rows.append((r["backend"], f"{r['tablets']:,}", r["tail_entries"], f"{r['http_up_ms']:.1f}", f"**{r['cold_ms']:.1f}**",
                     runs(r["cold_runs_ms"]), f"**{r['warm_ms']:.1f}**", runs(r["warm_runs_ms"])))
    out += ["Real process: from launching `build/programs/strata fe --conf ...` (a follower over the same volume) until "
            "`GET /api/ready` answers 200 (polled every 5 ms); HTTP up = first answer of any kind.", ""]
    if rows:
        out += [table(["backend", "tablets", "tail entries", "HTTP up ms", "no cache: ready ms", "runs", "warm cache: ready ms", "runs"],
                      rows), ""]
    else:
        out += [args.fe_note or "Not measured in this run.", ""]

    if args.notes and os.path.exists(args.notes):
        out += [open(args.notes).read().rstrip(), ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()

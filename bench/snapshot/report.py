#!/usr/bin/env python3
"""Renders bench/snapshot's JSON lines as the markdown of bench/results/snapshot.md."""
import argparse
import json
import os
import statistics
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--commit", required=True)
    p.add_argument("--seconds", required=True)
    a = p.parse_args()
    rows = [json.loads(line) for line in open(a.results)]
    print("# bench/snapshot: snapshot job time and bytes vs catalog size and vs data size\n")
    print(f"- when: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (the run took {a.seconds} s)")
    print(f"- machine: nproc {os.cpu_count()}, shared with other work, so expect noise")
    print(f"- command: `{a.command}`; strata at {a.commit}")
    print("- time = the client's wall time of `CREATE CLUSTER SNAPSHOT` (it returns once the job is FINISHED:")
    print("  cut, image, manifest, job record; includes the statement's 20 ms poll); bytes = the image object")
    print("  (the manifest adds ~0.5 KB). Catalog curve: one table of N empty tablets. Data curve: 32 tablets")
    print("  holding a growing amount of loaded data.\n")
    print("## Versus catalog size\n")
    print("| backend | tablets | time s (median) | runs s | image bytes |")
    print("|---|---|---|---|---|")
    keys = sorted({(r["backend"], r["tablets"]) for r in rows if r["curve"] == "catalog"})
    for backend, n in keys:
        rs = [r for r in rows if r["curve"] == "catalog" and r["backend"] == backend and r["tablets"] == n]
        walls = [r["wall_s"] for r in rs]
        print(f"| {backend} | {n:,} | {statistics.median(walls):.3f} | {', '.join(f'{w:.3f}' for w in walls)} | "
              f"{rs[0]['image_bytes']:,} |")
    print("\n## Versus data size\n")
    print("| backend | rows | data bytes | time s (median) | runs s | image bytes |")
    print("|---|---|---|---|---|---|")
    keys = sorted({(r["backend"], r["rows"]) for r in rows if r["curve"] == "data"})
    for backend, n in keys:
        rs = [r for r in rows if r["curve"] == "data" and r["backend"] == backend and r["rows"] == n]
        walls = [r["wall_s"] for r in rs]
        print(f"| {backend} | {n:,} | {rs[0]['data_bytes']:,} | {statistics.median(walls):.3f} | "
              f"{', '.join(f'{w:.3f}' for w in walls)} | {rs[0]['image_bytes']:,} |")
    print("\n<details><summary>raw</summary>\n\n```")
    for r in rows:
        print(json.dumps(r))
    print("```\n</details>")


if __name__ == "__main__":
    main()

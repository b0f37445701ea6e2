#!/usr/bin/env python3
"""Leader hand-over on a rolling restart: the time from SIGTERM to the leader FE until the other FE,
as the new leader, commits its first write (polls /api/meta/status every 10 ms; once it says
is_leader, a create_database through its /api/meta/change, retried until accepted).

  source /tmp/dev-ceph/env   # STRATA_TEST_S3_*: the volume is a fresh prefix on that S3 server
  python3 bench/meta/handover.py --strata build/programs/strata [--reps 5] [--lease-ms 3000]

Two FEs with the default meta_lease_ms (3000) and meta_poll_ms (100) unless told. Each rep: find the
leader, SIGTERM it, time until the other FE commits, note how the new leader says it took over
(strata_meta_takeovers_total by reason in /metrics; binaries without that metric report "n/a"), then
restart the stopped FE and wait until both FEs are ready at one version. Prints one line per rep and
a JSON summary. Processes run on 127.0.0.1 and are stopped by their PIDs (test/e2e/harness.py).
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "e2e"))
import harness  # noqa: E402
from harness import Cluster  # noqa: E402


def takeover_reasons(fe):
    status, body = fe.get("/metrics")
    if status != 200 or not isinstance(body, str):
        return {}
    return {m.group(1): int(float(m.group(2)))
            for m in re.finditer(r'^strata_meta_takeovers_total\{reason="(\w+)"\} (\S+)$', body, re.M)}


def one_rep(cluster, rep):
    old = cluster.leader(timeout=120)
    new = next(fe for fe in cluster.fes if fe is not old)
    before = takeover_reasons(new)
    t0 = time.monotonic()
    old.proc.send_signal(15)  # SIGTERM
    attempts = 0
    while True:
        # A write the stopping leader still commits (forwarded to it) does not count: only one
        # the new leader commits itself.
        status, body = new.status()
        if status == 200 and body.get("is_leader"):
            attempts += 1
            status, body = new.change({"type": "create_database", "name": f"handover_{rep}_{attempts}"},
                                      timeout=30)
            if status == 200 and isinstance(body, dict) and body.get("ok"):
                break
        if time.monotonic() - t0 > 120:
            raise SystemExit(f"rep {rep}: no write accepted by fe{new.index} as leader within 120 s")
        time.sleep(0.01)
    elapsed_ms = (time.monotonic() - t0) * 1000
    code = old.stop(timeout=60)
    after = takeover_reasons(new)
    reason = next((r for r in after if after[r] > before.get(r, 0)), "n/a")
    print(f"rep {rep}: fe{old.index} -> fe{new.index}: first write after {elapsed_ms:.0f} ms "
          f"(take-over: {reason}; old leader exit {code}; {attempts} attempts)", flush=True)
    old.start()
    old.wait_ready(timeout=120)
    cluster.wait_converged(timeout=120)
    return elapsed_ms, reason


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--lease-ms", type=int, default=3000)
    ap.add_argument("--poll-ms", type=int, default=100)
    args = ap.parse_args()
    os.environ["STRATA_BIN"] = os.path.abspath(args.strata)
    volume = harness.s3_volume_or_skip("bench-handover")
    results = []
    with Cluster("bench-handover", volume) as cluster:
        for _ in range(2):
            cluster.add_fe(meta_lease_ms=args.lease_ms, meta_poll_ms=args.poll_ms)
        cluster.fes[0].start().wait_ready(timeout=120)
        cluster.leader(timeout=120)
        cluster.fes[1].start().wait_ready(timeout=120)
        cluster.wait_converged(timeout=120)
        for rep in range(1, args.reps + 1):
            results.append(one_rep(cluster, rep))
    ms = [r[0] for r in results]
    print(json.dumps({"binary": args.strata, "lease_ms": args.lease_ms, "poll_ms": args.poll_ms,
                      "reps": len(ms), "median_ms": round(statistics.median(ms)), "min_ms": round(min(ms)),
                      "max_ms": round(max(ms)), "takeovers": [r[1] for r in results]}))


if __name__ == "__main__":
    main()

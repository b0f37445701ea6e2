"""drill: `strata drill` against a running cluster on the real S3 server (issue 10).

  1. One FE loads two tables, takes CREATE CLUSTER SNAPSHOT, then keeps changing (more rows, a dropped
     table) — the drill must compare with the state at the snapshot, not now.
  2. `strata drill --conf fe.conf --json` while the FE runs: passes, verify OK, each table's canary row count
     equals what the snapshot held, a recovery time is reported, and nothing of the clone is left on the
     volume (no clusters/<scratch>/ objects, no <clone id>/ objects, no pins). The FE keeps serving.
  3. The data files are deleted: the drill fails (exit 1) naming the problem, and still removes what it
     wrote.
  4. Scheduled mode: another cluster with drill_interval_seconds = 1 reports strata_drill_last_ok 0 on
     /metrics while it has no snapshot, then 1 (with strata_drill_last_recovery_ms) once it has one.
"""

import json
import os
import subprocess
import time

import boto3

import harness
from harness import Cluster, fail, log
from stream_load import sql


def expect(cond, msg):
    if not cond:
        fail(msg)


def s3_client(v):
    return boto3.client("s3", endpoint_url=v["aws_s3_endpoint"], region_name=v["aws_s3_region"],
                        aws_access_key_id=v["aws_s3_access_key"], aws_secret_access_key=v["aws_s3_secret_key"])


def keys(v, sub):
    bucket, prefix = v["aws_s3_path"].split("/", 1)
    out = []
    for page in s3_client(v).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/{sub}"):
        out += [o["Key"][len(prefix) + 1:] for o in page.get("Contents", [])]
    return out


def drill(fe):
    r = subprocess.run([harness.binary(), "drill", "--conf", fe.conf_path, "--json"], capture_output=True,
                       text=True, timeout=300, cwd=fe.dir)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        fail(f"drill printed no JSON (exit {r.returncode}): {r.stdout} {r.stderr}")
    return r.returncode, report


def metrics(fe):
    status, text = fe.get("/metrics")
    expect(status == 200, f"/metrics: {status}")
    out = {}
    for line in text.splitlines():
        if line.startswith("strata_drill_"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def wait_metric(fe, name, want, timeout=90):
    deadline = time.time() + timeout
    seen = None
    while time.time() < deadline:
        seen = metrics(fe)
        if seen.get(name) == want:
            return seen
        time.sleep(0.2)
    fail(f"{name} never became {want}: {seen}")


def scheduled():
    volume = harness.s3_volume_or_skip("drillsched")
    with Cluster("drillsched", volume) as c:
        fe = c.add_fe(drill_interval_seconds=1)
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        wait_metric(fe, "strata_drill_last_ok", 0)  # nothing to recover from yet
        sql(fe, "CREATE DATABASE s")
        sql(fe, "CREATE TABLE s.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
        sql(fe, "INSERT INTO s.t VALUES (1), (2), (3)")
        sql(fe, "CREATE CLUSTER SNAPSHOT sched")
        m = wait_metric(fe, "strata_drill_last_ok", 1)
        expect(m.get("strata_drill_last_recovery_ms", 0) > 0 and m.get('strata_drill_runs_total{result="passed"}', 0) >= 1,
               f"recovery time and a passed run: {m}")
        fe.stop()
        left = keys(volume, "pins/")
        expect(left == [], f"the scheduled drills left no pins: {left}")
        log(f"4. scheduled drills: last_ok 0 without a snapshot, then 1; recovery {m['strata_drill_last_recovery_ms']} ms")


def test():
    volume = harness.s3_volume_or_skip("drill")
    with Cluster("drillsrc", volume) as c:
        fe = c.add_fe(vacuum_grace_ms=2000, vacuum_interval_ms=1000)
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        sql(fe, "CREATE DATABASE d")
        sql(fe, "CREATE TABLE d.a (k BIGINT, v VARCHAR(16)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3")
        sql(fe, "CREATE TABLE d.b (k INT, n INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
        for i in range(4):
            sql(fe, "INSERT INTO d.a VALUES " + ", ".join(f"({i * 10 + j}, 'v{j}')" for j in range(10)))
        sql(fe, "INSERT INTO d.b VALUES (1, 1), (2, 2), (3, NULL)")
        sql(fe, "CREATE CLUSTER SNAPSHOT drill_me")
        sql(fe, "INSERT INTO d.a VALUES (1000, 'after')")
        sql(fe, "DROP TABLE d.b")
        log("1. two tables (40 and 3 rows) in snapshot drill_me; then a row added and d.b dropped")

        code, r = drill(fe)
        expect(code == 0 and r["ok"], f"the drill passes: exit {code}: {r}")
        expect(r["snapshot_name"] == "drill_me" and r["verify_ok"], f"verified the newest snapshot: {r}")
        canaries = {x["table"]: x for x in r["canaries"]}
        expect(set(canaries) == {"d.a", "d.b"}, f"both tables at the snapshot: {canaries}")
        expect(canaries["d.a"]["clone_rows"] == 40 and canaries["d.b"]["clone_rows"] == 3,
               f"row counts as at the snapshot: {canaries}")
        expect(all(x["ok"] for x in canaries.values()), f"clone equals source: {canaries}")
        expect(r["recovery_ms"] > 0 and r["cleaned_up"], f"recovery time and clean-up: {r}")
        left = keys(volume, f"clusters/{r['scratch_name']}/") + keys(volume, f"{r['clone_cluster_id']}/") + \
            keys(volume, "pins/")
        expect(left == [], f"nothing of the clone is left: {left}")
        expect(sql(fe, "SELECT COUNT(*) FROM d.a") == [["41"]], "the source keeps serving its own state")
        log(f"2. drill passed: recovery {r['recovery_ms']} ms, verify {r['verify_ms']} ms, canaries "
            f"{r['canary_ms']} ms, {r['objects_removed']} objects removed")

        # 3. Damage: the data files go missing.
        data = [k for k in keys(volume, "") if k.endswith(".sdf")]
        expect(data, "data files exist")
        bucket, prefix = volume["aws_s3_path"].split("/", 1)
        for k in data:  # every one: whichever the snapshot names are gone
            s3_client(volume).delete_object(Bucket=bucket, Key=f"{prefix}/{k}")
        code, r = drill(fe)
        expect(code == 1 and not r["ok"], f"the drill fails: exit {code}: {r}")
        expect(any("restore" in p for p in r["problems"]) and not r["verify_ok"], f"it says why: {r['problems']}")
        left = keys(volume, f"clusters/{r['scratch_name']}/") + keys(volume, "pins/")
        expect(r["cleaned_up"] and left == [], f"a failed drill still cleans up: {left}")
        log(f"3. missing data files fail the drill: {r['problems'][0][:160]}")
    scheduled()


if __name__ == "__main__":
    harness.main(test)

"""data_maintenance: compaction and vacuum of table data on one FE (local-directory volume).

Many small loads and a DELETE make a tablet with many rowsets; a maintenance
round compacts it (same rows before and after), and after the grace period
vacuum deletes the replaced versions and files while every current version
stays readable (/api/data/check HEADs every file). Then the FE is killed at
each failpoint of compaction and vacuum; after a restart the rows are the same,
nothing referenced is missing, and the next rounds finish the work.
"""

import os
import time

import harness
from harness import Cluster, fail, log
from stream_load import sql, stream_load

GRACE_MS = 1500


def expect(cond, msg):
    if not cond:
        fail(msg)


def rows(fe):
    return sorted(tuple(r) for r in sql(fe, "SELECT k, v FROM sl.t"))


def load(fe, start, n, label):
    body = "".join(f"{k},{k % 10}\n" for k in range(start, start + n))
    status, r = stream_load(fe, body, label=label, column_separator=",")
    expect(r.get("Status") == "Success", f"load {label}: {status} {r}")


def maintenance(fe, vacuum=True):
    return fe.post("/api/data/maintenance" + ("" if vacuum else "?vacuum=0"), timeout=60)


def check(fe, what):
    status, body = fe.get("/api/data/check", timeout=60)
    expect(status == 200 and body.get("ok") is True, f"{what}: check failed: {status} {body}")


def data_objects(volume_dir):
    n = 0
    for _, _, files in os.walk(volume_dir):
        n += sum(1 for f in files if f.endswith(".sdf") or f.endswith(".tm"))
    return n


def restart(fe, failpoint=None):
    if fe.running():
        fe.stop()
    fe.start(env={"STRATA_FAILPOINTS": failpoint}).wait_ready()
    fe.wait_query_port()


def run():
    with Cluster("maintenance", None) as c:
        volume_dir = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(volume_dir)
        fe = c.add_fe(compaction_min_rowsets=3, data_maintenance_interval_ms=3600000, vacuum_interval_ms=1,
                      vacuum_grace_ms=GRACE_MS)
        restart(fe)
        c.leader()
        sql(fe, "CREATE DATABASE sl")
        sql(fe, "CREATE TABLE sl.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1")
        for i in range(6):
            load(fe, i * 100, 100, f"a{i}")
        sql(fe, "DELETE FROM sl.t WHERE v = 3")
        truth = rows(fe)
        expect(len(truth) == 540, f"{len(truth)} rows before compaction")
        status, r = maintenance(fe, vacuum=False)
        expect(status == 200 and r.get("compactions_committed", 0) >= 1, f"compaction round: {status} {r}")
        expect(rows(fe) == truth, "rows changed by compaction")
        check(fe, "after compaction")
        before = data_objects(volume_dir)
        time.sleep(GRACE_MS / 1000 + 0.5)
        status, r = maintenance(fe)
        expect(status == 200 and r.get("vacuum_deleted", 0) > 0, f"vacuum round: {status} {r}")
        after = data_objects(volume_dir)
        expect(after < before, f"vacuum left {after} of {before} objects")
        expect(rows(fe) == truth, "rows changed by vacuum")
        check(fe, "after vacuum")
        log(f"compaction and vacuum: {before} -> {after} objects, {len(truth)} rows")

        base = 10_000
        for point in ["compaction_after_data_file", "compaction_after_meta", "vacuum_after_delete_batch"]:
            for i in range(4):
                load(fe, base, 50, f"{point}{i}")
                base += 50
            truth = rows(fe)
            if point.startswith("vacuum"):
                status, r = maintenance(fe, vacuum=False)  # makes garbage for vacuum
                expect(status == 200 and r.get("compactions_committed", 0) >= 1, f"{point}: compaction {r}")
                restart(fe, f"{point}=crash")
                time.sleep(GRACE_MS / 1000 + 0.5)  # a fresh FE waits one grace period
                maintenance(fe)
            else:
                restart(fe, f"{point}=crash")
                maintenance(fe, vacuum=False)
            # A round may find nothing to do yet (a just-restarted FE that is not leading yet): ask again.
            deadline = time.time() + 60
            while fe.wait_exit(2) is None and time.time() < deadline:
                maintenance(fe, vacuum=point.startswith("vacuum"))
            expect(fe.wait_exit(1) is not None, f"{point}: the FE did not crash")
            restart(fe)
            expect(rows(fe) == truth, f"{point}: rows differ after the crash")
            check(fe, f"{point}: after the crash")
            time.sleep(GRACE_MS / 1000 + 0.5)
            status, r = maintenance(fe)
            expect(status == 200, f"{point}: maintenance after restart: {status} {r}")
            time.sleep(GRACE_MS / 1000 + 0.5)
            status, r = maintenance(fe)
            expect(status == 200, f"{point}: second maintenance after restart: {status} {r}")
            expect(rows(fe) == truth, f"{point}: rows differ after recovery")
            check(fe, f"{point}: after recovery")
            log(f"{point}: crash, restart and recovery ok ({len(truth)} rows, {data_objects(volume_dir)} objects)")


if __name__ == "__main__":
    harness.main(run)

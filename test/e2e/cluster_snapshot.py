"""cluster_snapshot: manual and automated cluster snapshots on one FE (local-directory volume).

  1. CREATE CLUSTER SNAPSHOT waits for its job; information_schema lists it; its manifest and image exist.
  2. The snapshot pins its tablet versions: after DELETE, TRUNCATE, compaction and vacuum, every file it
     names still exists; after DROP CLUSTER SNAPSHOT, vacuum reclaims them.
  3. Automated snapshots every second keep only the newest `retention` ones in storage; OFF purges them.
  4. The FE is killed at every failpoint of a snapshot job: afterwards the job shows ERROR (cut off), no
     manifest of it exists, and the next snapshot succeeds.
"""

import glob
import os
import subprocess
import time

import harness
from harness import Cluster, fail, log
from stream_load import sql, stream_load

GRACE_MS = 1500
RETENTION = 2


def expect(cond, msg):
    if not cond:
        fail(msg)


def sql_error(fe, statement):
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B", "-e", statement],
                       capture_output=True, text=True, timeout=180)
    return r.returncode, r.stderr.strip()


def manifests(volume_dir):
    return sorted(os.path.basename(os.path.dirname(p))
                  for p in glob.glob(os.path.join(volume_dir, "*", "meta", "image", "*", "snapshot_meta.json")))


def pinned_bytes(fe):
    status, text = fe.get("/metrics")
    expect(status == 200, f"/metrics: {status}")
    for line in text.splitlines():
        if line.startswith("strata_snapshot_pinned_bytes"):
            return int(line.split()[-1])
    return None


def jobs(fe):
    return {r[0]: r for r in sql(fe, "SELECT SNAPSHOT_NAME, STATE, ERROR_MESSAGE FROM "
                                     "information_schema.cluster_snapshot_jobs")}


def maintenance(fe):
    status, r = fe.post("/api/data/maintenance", timeout=60)
    expect(status == 200, f"maintenance: {status} {r}")
    return r


def data_files(volume_dir):
    return len(glob.glob(os.path.join(volume_dir, "**", "*.sdf"), recursive=True))


def load(fe, start, n, label):
    body = "".join(f"{k},{k % 10}\n" for k in range(start, start + n))
    status, r = stream_load(fe, body, label=label, column_separator=",")
    expect(r.get("Status") == "Success", f"load {label}: {status} {r}")


def restart(fe, failpoint=None):
    if fe.running():
        fe.stop()
    fe.start(env={"STRATA_FAILPOINTS": failpoint}).wait_ready()
    fe.wait_query_port()


def verify_tool(volume_dir, *args):
    """`strata snapshot verify` when the tool exists; None when it does not (yet)."""
    r = subprocess.run([harness.binary(), "snapshot", "verify", "--volume", volume_dir, *args],
                       capture_output=True, text=True, timeout=120)
    if "unknown" in (r.stderr + r.stdout).lower() and r.returncode == 2 and "snapshot" in r.stderr:
        return None
    return r


def manual(fe, volume_dir):
    rc, err = sql_error(fe, "CREATE CLUSTER SNAPSHOT s1")
    expect(rc == 0, f"CREATE CLUSTER SNAPSHOT: {err}")
    rows = sql(fe, "SELECT SNAPSHOT_NAME, SNAPSHOT_TYPE, FE_JOURNAL_ID FROM information_schema.cluster_snapshots")
    expect([r[:2] for r in rows] == [["s1", "MANUAL"]] and int(rows[0][2]) > 0, f"cluster_snapshots: {rows}")
    expect(manifests(volume_dir) == ["s1"], f"manifests: {manifests(volume_dir)}")
    rc, err = sql_error(fe, "CREATE CLUSTER SNAPSHOT s1")
    expect(rc != 0 and "already exists" in err, f"second s1: {rc} {err}")
    rc, err = sql_error(fe, "CREATE CLUSTER SNAPSHOT `bad/name`")
    expect(rc != 0, f"bad name accepted: {err}")
    before = data_files(volume_dir)
    # Churn: everything s1 names is replaced in the catalog, then compacted and vacuumed.
    sql(fe, "DELETE FROM sl.t WHERE v < 5")
    maintenance(fe)
    sql(fe, "TRUNCATE TABLE sl.t")
    load(fe, 100_000, 10, "after-s1")
    time.sleep(GRACE_MS / 1000 + 0.5)
    maintenance(fe)
    expect(data_files(volume_dir) >= before, f"vacuum deleted files s1 pins: {before} -> {data_files(volume_dir)}")
    held = pinned_bytes(fe)
    expect(held is not None and held > 0, f"strata_snapshot_pinned_bytes while s1 holds replaced data: {held}")
    r = verify_tool(volume_dir, "--all")
    if r is not None:
        expect(r.returncode == 0, f"snapshot verify after churn: {r.returncode}\n{r.stdout}\n{r.stderr}")
    rc, err = sql_error(fe, "DROP CLUSTER SNAPSHOT s1")
    expect(rc == 0, f"DROP CLUSTER SNAPSHOT: {err}")
    deadline = time.time() + 10
    while manifests(volume_dir) and time.time() < deadline:
        time.sleep(0.1)
    expect(manifests(volume_dir) == [], f"s1 still in storage: {manifests(volume_dir)}")
    rc, err = sql_error(fe, "DROP CLUSTER SNAPSHOT IF EXISTS s1")
    expect(rc == 0, f"DROP IF EXISTS: {err}")
    time.sleep(GRACE_MS / 1000 + 0.5)
    maintenance(fe)
    after = data_files(volume_dir)
    expect(after < before, f"vacuum did not reclaim after the drop: {before} -> {after}")
    expect(pinned_bytes(fe) == 0, f"pinned bytes after the drop: {pinned_bytes(fe)}")
    log(f"manual snapshot pinned {before} files ({held} bytes only it held) through churn; after DROP vacuum left {after}")


def automated(fe, volume_dir):
    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON INTERVAL 1 SECOND")
    deadline = time.time() + 60
    while time.time() < deadline:
        finished = [n for n, r in jobs(fe).items() if r[1] == "FINISHED" and n.startswith("automated")]
        deleted = [n for n, r in jobs(fe).items() if r[1] == "DELETED"]
        if len(finished) == RETENTION and len(deleted) >= 2:
            break
        time.sleep(0.2)
    else:
        fail(f"automated snapshots: {jobs(fe)}")
    on_disk = [m for m in manifests(volume_dir) if m.startswith("automated")]
    expect(len(on_disk) <= RETENTION + 1, f"retention {RETENTION}: {on_disk}")
    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF")
    deadline = time.time() + 15
    while [m for m in manifests(volume_dir) if m.startswith("automated")] and time.time() < deadline:
        time.sleep(0.1)
    expect(not [m for m in manifests(volume_dir) if m.startswith("automated")], "OFF did not purge")
    log(f"automated: retention {RETENTION} held, OFF purged")


def crash_sweep(fe, volume_dir):
    points = ["snapshot.job.after_snapshoting", "snapshot.job.after_uploading", "snapshot.after_image",
              "snapshot.after_manifest"]
    for i, point in enumerate(points):
        restart(fe, f"{point}=crash")
        name = f"crash{i}"
        sql_error(fe, f"CREATE CLUSTER SNAPSHOT {name}")
        expect(fe.wait_exit(30) is not None, f"{point}: the FE did not crash")
        restart(fe)
        deadline = time.time() + 10
        while jobs(fe).get(name, [None, None])[1] != "ERROR" and time.time() < deadline:
            time.sleep(0.1)
        job = jobs(fe).get(name)
        expect(job is not None and job[1] == "ERROR" and "cut off" in job[2], f"{point}: job {job}")
        expect(name not in manifests(volume_dir), f"{point}: an incomplete snapshot has a manifest")
        listed = [r[0] for r in sql(fe, "SELECT SNAPSHOT_NAME FROM information_schema.cluster_snapshots")]
        expect(name not in listed, f"{point}: listed {listed}")
        rc, err = sql_error(fe, f"CREATE CLUSTER SNAPSHOT ok{i}")
        expect(rc == 0, f"{point}: the next snapshot failed: {err}")
        log(f"{point}: crash -> ERROR, nothing listed, next snapshot ok")


def run():
    with Cluster("snapshot", None) as c:
        volume_dir = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(volume_dir)
        fe = c.add_fe(compaction_min_rowsets=2, data_maintenance_interval_ms=3600000, vacuum_interval_ms=1,
                      vacuum_grace_ms=GRACE_MS, automated_cluster_snapshot_retention_count=RETENTION)
        restart(fe)
        c.leader()
        sql(fe, "CREATE DATABASE sl")
        sql(fe, "CREATE TABLE sl.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
        for i in range(3):
            load(fe, i * 100, 100, f"a{i}")
        manual(fe, volume_dir)
        automated(fe, volume_dir)
        crash_sweep(fe, volume_dir)


if __name__ == "__main__":
    harness.main(run)

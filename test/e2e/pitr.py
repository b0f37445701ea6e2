"""pitr: point-in-time restore to the version just before an accidental DROP TABLE (issue 10).

One FE on a local-directory volume with point_in_time_retention_seconds = 3600, checkpoints every 5 entries
(so clean-up runs and must keep the window's log) and a 1 s vacuum grace (the window must win):
  1. a table is loaded in several statements; the log version just before DROP TABLE is recorded;
     DROP TABLE, then more changes (a new table, rows); maintenance and vacuum run.
  2. The FE restarts in restore mode with target_version = that version: the table and all its rows are
     back, nothing committed after the target is present, and the restored cluster accepts writes.
  3. A target outside the window (beyond the log's end) fails with an error naming the window's bounds.
"""

import os
import time

import harness
from harness import Cluster, fail, log
from stream_load import sql


def expect(cond, msg):
    if not cond:
        fail(msg)


def version(fe):
    status, body = fe.status()
    expect(status == 200, f"status: {status} {body}")
    return body["version"], body["cluster_id"]


def write_yaml(fe, path, target_line):
    with open(os.path.join(fe.dir, "cluster_snapshot.yaml"), "w") as f:
        f.write("cluster_snapshot:\n"
                f"  cluster_snapshot_path: {path}\n"
                "  storage_volume_name: builtin_storage_volume\n"
                f"{target_line}")


def wait_state(fe, want, timeout=60):
    deadline = time.time() + timeout
    body = None
    while time.time() < deadline:
        status, body = fe.get("/api/v2/get_cluster_snapshot_restore_state", timeout=3)
        if status == 200 and body.get("cluster_snapshot_restore_state") == want:
            return body
        time.sleep(0.1)
    fail(f"restore state not {want}: {body}")


def test():
    with Cluster("pitr", None) as c:
        root = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(root)
        fe = c.add_fe(point_in_time_retention_seconds=3600, meta_checkpoint_entries=5, vacuum_grace_ms=1000,
                      vacuum_interval_ms=500)
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        sql(fe, "CREATE DATABASE shop")
        sql(fe, "CREATE TABLE shop.orders (id BIGINT, item VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
                "BUCKETS 4")
        for i in range(6):
            sql(fe, f"INSERT INTO shop.orders VALUES ({2 * i}, 'item{2 * i}'), ({2 * i + 1}, 'item{2 * i + 1}')")
        want = sorted(tuple(r) for r in sql(fe, "SELECT * FROM shop.orders"))
        expect(len(want) == 12, f"12 rows loaded: {want}")
        before_drop, source = version(fe)
        sql(fe, "DROP TABLE shop.orders")
        sql(fe, "CREATE TABLE shop.later (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
        sql(fe, "INSERT INTO shop.later VALUES (1), (2)")
        for _ in range(3):
            sql(fe, "CREATE DATABASE scratch")
            sql(fe, "DROP DATABASE scratch")
        time.sleep(1.5)
        st, body = fe.post("/api/data/maintenance", timeout=60)
        expect(st == 200, f"maintenance: {st} {body}")
        images = sorted(os.listdir(os.path.join(root, source, "meta", "image")))
        expect(any(n.startswith("image.") for n in images), f"checkpoints ran: {images}")
        expect(os.path.exists(os.path.join(root, source, "meta", "log", f"{1:020d}")),
               "clean-up kept the window's log from version 1")
        log(f"1. dropped shop.orders after version {before_drop}; checkpoints and vacuum ran")

        fe.stop()
        write_yaml(fe, f"{root}/{source}/meta", f"  target_version: {before_drop}\n")
        t0 = time.time()
        fe.start(env={"RESTORE_CLUSTER_SNAPSHOT": "true", "RESTORE_CLUSTER_GENERATION": "1"})
        wait_state(fe, "finished")
        fe.wait_ready(60)
        fe.wait_query_port()
        log(f"2. restored to version {before_drop} in {time.time() - t0:.2f}s")
        got = sorted(tuple(r) for r in sql(fe, "SELECT * FROM shop.orders"))
        expect(got == want, f"every row of the dropped table is back: {got}")
        tables = sorted(r[0] for r in sql(fe, "SHOW TABLES FROM shop"))
        expect(tables == ["orders"], f"nothing after the target: {tables}")
        sql(fe, "INSERT INTO shop.orders VALUES (100, 'after restore')")
        expect(len(sql(fe, "SELECT * FROM shop.orders")) == 13, "the restored cluster accepts writes")
        log("2. the table and its 12 rows are back, shop.later is not, writes work")

        fe.stop()
        write_yaml(fe, f"{root}/{source}/meta", "  target_version: 999999\n")
        fe.start(env={"RESTORE_CLUSTER_SNAPSHOT": "true", "RESTORE_CLUSTER_GENERATION": "2"})
        body = wait_state(fe, "failed")
        expect("outside the point-in-time window" in body.get("error", "") and "[1, " in body["error"],
               f"a target outside the window names its bounds: {body}")
        log(f"3. outside the window: {body['error'][:160]}")


if __name__ == "__main__":
    harness.main(test)

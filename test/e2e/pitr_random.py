"""pitr_random: a randomized stream of loads and DDL, restored to random points inside the window (issue 10).

On the real S3 server (STRATA_TEST_S3_*; skipped without it), one FE with point_in_time_retention_seconds = 3600,
checkpoints every 8 entries (so restores start from checkpoint images and a snapshot, not only the empty
catalog), compaction every second and vacuum every 0.5 s with a 1 s grace (the window must win over it):
  1. A seeded stream of operations — INSERT, stream load, DELETE, TRUNCATE, CREATE/DROP TABLE, CREATE/DROP
     DATABASE, and one CREATE CLUSTER SNAPSHOT — runs against the FE. A Python model of every table's rows
     is kept; after each operation the FE's log version and the wall clock are recorded, so the history is
     version range -> expected full dump (databases, tables, every row). The live dump must equal the
     model at the end (checks the model itself).
  2. `strata snapshot history --json` and information_schema.point_in_time_window report the window: it
     covers every recorded point, ends at the FE's newest version, and lists the snapshot at its version.
  3. Several random points inside the window (random versions inside a recorded range, and one by
     target_time between two operations) are restored, each into a clone cluster (restore_mode: clone, a new
     generation each time) while the source keeps running; each clone's full dump must equal the recorded
     history at that point, and the clone accepts a write.

Seed: STRATA_PITR_SEED (else STRATA_TEST_SEED, else random), printed. STRATA_PITR_OPS (default 80) and
STRATA_PITR_RESTORES (default 6) size the run (about 25 s on the dev machine).
"""

import base64
import json
import os
import random
import subprocess
import time
import urllib.error
import urllib.request

import harness
from harness import Cluster, fail, log
from stream_load import sql

MAX_DBS = 3
MAX_TABLES = 3
SCHEMAS = {
    "a": ("(k BIGINT, v VARCHAR(16)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2", 2),
    "b": ("(k INT, n INT, s VARCHAR(8)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3", 3),
}


def expect(cond, msg):
    if not cond:
        fail(msg)


def seed_from_env():
    raw = os.environ.get("STRATA_PITR_SEED") or os.environ.get("STRATA_TEST_SEED")
    seed = int(raw) if raw else random.SystemRandom().randrange(1 << 31)
    log(f"seed {seed} (reproduce with STRATA_PITR_SEED={seed})")
    return seed


class Model:
    """databases -> tables -> (schema key, rows as tuples of the strings the mysql CLI prints)."""

    def __init__(self, rng):
        self.rng = rng
        self.dbs = {}
        self.next_id = 0

    def name(self, prefix):
        self.next_id += 1
        return f"{prefix}{self.next_id}"

    def dump(self):
        out = {"databases": sorted(self.dbs)}
        for db, tables in self.dbs.items():
            out[f"tables {db}"] = sorted(tables)
            for t, (_, rows) in tables.items():
                out[f"rows {db}.{t}"] = sorted(rows)
        return out

    def row(self, schema):
        k = self.rng.randrange(1000)
        if schema == "a":
            return (str(k), f"v{self.rng.randrange(10 ** 6)}")
        return (str(k), str(self.rng.randrange(-50, 50)), f"s{self.rng.randrange(100)}")

    def tables(self):
        return [(db, t) for db, ts in self.dbs.items() for t in ts]


def stream_load(fe, db, table, body, label):
    """(http status, parsed JSON) of a CSV stream load into db.table as root."""
    auth = base64.b64encode(b"root:").decode()
    req = urllib.request.Request(f"http://{fe.addr}/api/{db}/{table}/_stream_load", data=body.encode(), method="PUT",
                                 headers={"Authorization": f"Basic {auth}", "Content-Type": "text/plain",
                                          "label": label, "column_separator": ","})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def sql_literal(row):
    return "(" + ", ".join(v if v.lstrip("-").isdigit() else f"'{v}'" for v in row) + ")"


def run_op(fe, m, rng, op_index):
    """Applies one random operation to the FE and the model; returns a short description."""
    tables = m.tables()
    choices = [("insert", 30), ("stream_load", 14), ("delete", 8), ("truncate", 4), ("create_table", 12),
               ("drop_table", 6), ("create_db", 8), ("drop_db", 4)]
    if not tables:
        choices = [c for c in choices if c[0] in ("create_table", "create_db")]
    if not m.dbs:
        choices = [("create_db", 1)]
    op = rng.choices([c[0] for c in choices], weights=[c[1] for c in choices])[0]
    if op == "create_db" and len(m.dbs) >= MAX_DBS:
        op = "create_table"
    if op == "create_table" and all(len(ts) >= MAX_TABLES for ts in m.dbs.values()):
        op = "insert" if tables else "drop_db"
    if op == "create_db":
        db = m.name("db")
        sql(fe, f"CREATE DATABASE {db}")
        m.dbs[db] = {}
        return f"CREATE DATABASE {db}"
    if op == "drop_db":
        db = rng.choice(sorted(m.dbs))
        sql(fe, f"DROP DATABASE {db} FORCE")
        del m.dbs[db]
        return f"DROP DATABASE {db}"
    if op == "create_table":
        db = rng.choice(sorted(d for d, ts in m.dbs.items() if len(ts) < MAX_TABLES))
        t = m.name("t")
        schema = rng.choice(sorted(SCHEMAS))
        sql(fe, f"CREATE TABLE {db}.{t} {SCHEMAS[schema][0]}")
        m.dbs[db][t] = (schema, [])
        return f"CREATE TABLE {db}.{t} ({schema})"
    db, t = rng.choice(tables)
    schema, rows = m.dbs[db][t]
    if op == "drop_table":
        sql(fe, f"DROP TABLE {db}.{t}")
        del m.dbs[db][t]
        return f"DROP TABLE {db}.{t}"
    if op == "truncate":
        sql(fe, f"TRUNCATE TABLE {db}.{t}")
        rows.clear()
        return f"TRUNCATE TABLE {db}.{t}"
    if op == "delete":
        cut = rng.randrange(1000)
        sql(fe, f"DELETE FROM {db}.{t} WHERE k < {cut}")
        rows[:] = [r for r in rows if int(r[0]) >= cut]
        return f"DELETE FROM {db}.{t} WHERE k < {cut}"
    new = [m.row(schema) for _ in range(rng.randrange(1, 6 if op == "insert" else 40))]
    if op == "insert":
        sql(fe, f"INSERT INTO {db}.{t} VALUES " + ", ".join(sql_literal(r) for r in new))
    else:
        status, r = stream_load(fe, db, t, "".join(",".join(row) + "\n" for row in new),
                                f"pitr_{op_index}_{rng.randrange(1 << 30)}")
        expect(status == 200 and r.get("Status") == "Success" and r.get("NumberLoadedRows") == len(new),
               f"stream load into {db}.{t}: {status} {r}")
    rows.extend(new)
    return f"{op} {len(new)} rows into {db}.{t}"


def live_dump(fe):
    return harness.data_dump(lambda q: sql(fe, q))


def diff(got, want):
    keys = sorted(set(got) | set(want))
    return [f"{k}: got {got.get(k)!r:.300} want {want.get(k)!r:.300}" for k in keys if got.get(k) != want.get(k)]


def fe_version(fe):
    status, body = fe.status()
    expect(status == 200, f"status: {status} {body}")
    return body["version"]


def write_yaml(fe, volume, path, target_line):
    lines = ["cluster_snapshot:", f"  cluster_snapshot_path: {path}", "  storage_volume_name: builtin_storage_volume",
             "  restore_mode: clone", target_line,
             "frontends: []", "compute_nodes: []", "storage_volumes:", "  - name: builtin_storage_volume",
             "    type: S3", f"    location: s3://{volume['aws_s3_path']}", "    comment: pitr_random clone",
             "    properties:",
             "      - key: aws.s3.region", f"        value: {volume['aws_s3_region']}",
             "      - key: aws.s3.endpoint", f"        value: {volume['aws_s3_endpoint']}",
             "      - key: aws.s3.enable_path_style_access", "        value: \"true\"",
             "      - key: aws.s3.access_key", f"        value: {volume['aws_s3_access_key']}",
             "      - key: aws.s3.secret_key", f"        value: {volume['aws_s3_secret_key']}"]
    with open(os.path.join(fe.dir, "cluster_snapshot.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def wait_state(fe, want, timeout=120):
    deadline = time.time() + timeout
    body = None
    while time.time() < deadline:
        if not fe.running():
            fail(f"clone FE exited during restore:\n{fe.log_tail()}")
        status, body = fe.get("/api/v2/get_cluster_snapshot_restore_state", timeout=3)
        if status == 200 and body.get("cluster_snapshot_restore_state") == want:
            return body
        if status == 200 and body.get("cluster_snapshot_restore_state") == "failed" and want != "failed":
            fail(f"restore failed: {body}")
        time.sleep(0.1)
    fail(f"restore state not {want}: {body}")


def history_tool(volume, lineage):
    location = f"s3://{volume['aws_s3_path']}"
    env = dict(os.environ, STRATA_S3_ACCESS_KEY=volume["aws_s3_access_key"],
               STRATA_S3_SECRET_KEY=volume["aws_s3_secret_key"])
    r = subprocess.run([harness.binary(), "snapshot", "history", "--volume", location, "--cluster-id", lineage,
                        "--endpoint", volume["aws_s3_endpoint"], "--window-seconds", "3600", "--json"],
                       capture_output=True, text=True, timeout=120, env=env)
    expect(r.returncode == 0, f"snapshot history: exit {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)["lineages"][0]


def test():
    seed = seed_from_env()
    rng = random.Random(seed)
    ops = int(os.environ.get("STRATA_PITR_OPS", "80"))
    restores = int(os.environ.get("STRATA_PITR_RESTORES", "6"))
    volume = harness.s3_volume_or_skip("pitr-random")
    log(f"volume s3://{volume['aws_s3_path']}")
    with Cluster("pitrsrc", volume) as c:
        fe = c.add_fe(point_in_time_retention_seconds=3600, meta_checkpoint_entries=8, vacuum_grace_ms=1000,
                      vacuum_interval_ms=500, data_maintenance_interval_ms=1000, compaction_min_rowsets=2)
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        source = fe.status()[1]["cluster_id"]
        m = Model(rng)
        # history[i] = (a version of the state, wall ms when it was recorded, dump): the state after
        # operation i - 1. It is also the state at every version up to last_before[i], read just before
        # operation i was sent (entries in between are background work: compaction, snapshot jobs).
        history = [(fe_version(fe), int(time.time() * 1000), m.dump())]
        starts = []  # wall ms just before each operation was sent
        last_before = []
        snapshot_at = rng.randrange(ops // 3, ops)
        snapshot_version = None
        for i in range(ops):
            time.sleep(0.05)
            last_before.append(fe_version(fe))
            starts.append(int(time.time() * 1000))
            what = run_op(fe, m, rng, i)
            v = fe_version(fe)
            history.append((v, int(time.time() * 1000), m.dump()))
            log(f"  op {i:3d} -> version {v}: {what}")
            if i == snapshot_at:
                sql(fe, "CREATE CLUSTER SNAPSHOT pitr_mid")
                snapshot_version = int(sql(fe, "SELECT FE_JOURNAL_ID FROM information_schema.cluster_snapshots "
                                               "WHERE SNAPSHOT_NAME = 'pitr_mid'")[0][0])
                # The snapshot job's entries change no user-visible state: still this history point.
                log(f"  snapshot pitr_mid at version {snapshot_version}")
        newest = fe_version(fe)
        got = live_dump(fe)
        expect(got == m.dump(), "the live state equals the model: " + "; ".join(diff(got, m.dump())))
        log(f"1. {ops} operations, versions {history[0][0]}..{newest}; the live state equals the model")

        # 2. The window as the tool and information_schema report it.
        h = history_tool(volume, source)
        w = h["window"]
        expect(not w["empty"] and w["oldest_version"] <= history[0][0] and w["newest_version"] >= newest,
               f"the window covers every recorded point {history[0][0]}..{newest}: {w}")
        snaps = {s["name"]: s["version"] for s in h["snapshots"]}
        expect(snaps.get("pitr_mid") == snapshot_version, f"history lists pitr_mid at {snapshot_version}: {snaps}")
        view = sql(fe, "SELECT RETENTION_SECONDS, STATE, OLDEST_VERSION, NEWEST_VERSION, NEWEST_TIME_MS "
                       "FROM information_schema.point_in_time_window")
        expect(len(view) == 1 and view[0][:2] == ["3600", "ON"], f"the view shows the window on: {view}")
        expect(int(view[0][2]) == w["oldest_version"] and int(view[0][3]) >= w["newest_version"],
               f"the view agrees with the tool: {view} vs {w}")
        log(f"2. history: window {w['oldest_version']}..{w['newest_version']} from the {w['oldest_base']}; "
            f"snapshot pitr_mid at {snapshot_version}; information_schema agrees")

        # 3. Restore random points into a clone cluster (the source keeps running).
        picks = sorted(rng.sample(range(len(history)), min(restores, len(history))))
        targets = []
        for n, i in enumerate(picks):
            lo = history[i][0]
            hi = last_before[i] if i < len(last_before) else newest
            if n == len(picks) - 1 and 0 < i < len(history) - 1:
                # By time: between the end of operation i and the start of operation i + 1.
                t = (history[i][1] + starts[i]) // 2
                targets.append((i, f"  target_time: {t}", f"time {t}"))
            else:
                v = rng.randint(lo, max(lo, hi))
                targets.append((i, f"  target_version: {v}", f"version {v}"))
        with Cluster("pitrclone", volume) as cc:
            clone = cc.add_fe(vacuum_grace_ms=1000, vacuum_interval_ms=500)
            for gen, (i, line, what) in enumerate(targets, start=1):
                write_yaml(clone, volume, f"s3://{volume['aws_s3_path']}/{source}/meta", line)
                t0 = time.time()
                clone.start(env={"RESTORE_CLUSTER_SNAPSHOT": "true", "RESTORE_CLUSTER_GENERATION": str(gen)})
                wait_state(clone, "finished")
                clone.wait_ready(60)
                clone.wait_query_port()
                took = time.time() - t0
                want = history[i][2]
                got = live_dump(clone)
                expect(got == want, f"restore to {what} (history point {i}, versions {history[i][0]}..): " +
                       "; ".join(diff(got, want)))
                if want["databases"]:
                    db = want["databases"][0]
                    sql(clone, f"CREATE TABLE {db}.after_restore (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) "
                               "BUCKETS 1")
                    sql(clone, f"INSERT INTO {db}.after_restore VALUES (1)")
                    expect(sql(clone, f"SELECT * FROM {db}.after_restore") == [["1"]], "the clone accepts writes")
                log(f"3. restored {what} (history point {i}: {len(want['databases'])} databases, "
                    f"{sum(len(v) for k, v in want.items() if k.startswith('rows'))} rows) in {took:.1f}s: equal")
                clone.stop()
        got = live_dump(fe)
        expect(got == m.dump(), "the source is untouched by the clones: " + "; ".join(diff(got, m.dump())))
        log("3. the source kept running untouched")


if __name__ == "__main__":
    harness.main(test)

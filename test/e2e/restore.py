"""restore: cluster-snapshot restore on the real S3 server (DESIGN §6; issue 8).

  1. A two-FE cluster (fe0, fe1) loads the guide's table, users and grants; CREATE CLUSTER SNAPSHOT s1 is
     the restore point. Later changes (rows, a table, a user) must not survive the restore.
  2. A crash mid-snapshot: fe0 is killed -9 after s2's image, before its manifest. A restore from
     ".../<cluster id>/meta" must choose s1, the newest *complete* snapshot.
  3. Takeover in place, with the old meta_dir caches and the compute node's cache directory kept, and fe1
     still running on the old lineage: fe0 restarts with --cluster_snapshot (generation 1). It reports restoring -> finished, serves exactly
     the snapshot's state, the source lineage's log ends with a fence, and fe1 — never wiped — follows the
     new lineage by itself (no split): same state, its DDL lands in the restored cluster.
  4. Restarting fe0 with the same yaml and generation restores nothing (a new row survives); a new
     generation restores again (the row is gone).
  5. kill -9 at every failpoint of the restore, then a plain restart: the restore completes, same state.
  6. A bad yaml and a snapshot path with no snapshot: the FE reports "failed" with the reason and
     changes nothing.
  7. Clone while the source runs: a new cluster name restores the newest snapshot of the restored
     cluster in clone mode; both accept writes independently; the source truncates the table, drops the
     snapshot and vacuums with a short grace — the clone's rows are still all readable (its pin keeps them);
     once the clone is stopped and `strata snapshot unpin` releases the pin, the same vacuum reclaims them.
  8. Restore into another bucket: every object copied to a second bucket (a "replica"), a new cluster
     restores from it with the yaml's volume pointing there, and serves the same rows.
"""

import os
import subprocess
import time

import boto3

import harness
from harness import Cluster, fail, log
from stream_load import sql
from test_cn_data import cn_rpc_calls
from test_cn_liveness import Cn, nodes_by_port, wait_for

GUIDE_DDL = """CREATE DATABASE IF NOT EXISTS quickstart;
USE quickstart;
CREATE TABLE source_wiki_edit (event_time DATETIME, channel VARCHAR(32) DEFAULT '', user VARCHAR(128) DEFAULT '',
  is_anonymous TINYINT DEFAULT '0', is_minor TINYINT DEFAULT '0', is_new TINYINT DEFAULT '0',
  is_robot TINYINT DEFAULT '0', is_unpatrolled TINYINT DEFAULT '0', delta INT DEFAULT '0', added INT DEFAULT '0',
  deleted INT DEFAULT '0')
DUPLICATE KEY(event_time, channel, user, is_anonymous, is_minor, is_new, is_robot, is_unpatrolled)
PARTITION BY RANGE(event_time)(
  PARTITION p06 VALUES LESS THAN ('2015-09-12 06:00:00'), PARTITION p12 VALUES LESS THAN ('2015-09-12 12:00:00'),
  PARTITION p18 VALUES LESS THAN ('2015-09-12 18:00:00'), PARTITION p24 VALUES LESS THAN ('2015-09-13 00:00:00'))
DISTRIBUTED BY HASH(user);
INSERT INTO source_wiki_edit VALUES
  ("2015-09-12 00:00:00","#en.wikipedia","AustinFF",0,0,0,0,0,21,5,0),
  ("2015-09-12 00:00:00","#ca.wikipedia","helloSR",0,1,0,1,0,3,23,0),
  ("2015-09-12 08:00:00","#ca.wikipedia","helloSR",0,1,0,1,0,3,23,0);
CREATE ROLE readers;
GRANT SELECT ON TABLE quickstart.source_wiki_edit TO ROLE readers;
CREATE USER analyst IDENTIFIED BY 'pw1' DEFAULT ROLE readers;
GRANT SELECT ON quickstart.source_wiki_edit TO analyst;
"""

RESTORE_POINTS = ["restore.after_intent", "restore.after_verify", "restore.after_image", "restore.after_lineage",
                  "restore.after_fence"]


def expect(cond, msg):
    if not cond:
        fail(msg)


def run_sql(fe, statements):
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B"], input=statements,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        fail(f"SQL failed on fe{fe.index}: {r.stderr.strip()}")
    return r.stdout


def dump(fe):
    """Everything a restore must bring back: databases, tables, rows, users, grants."""
    out = harness.data_dump(lambda q: sql(fe, q))
    out["grants analyst"] = sorted(tuple(r) for r in sql(fe, "SHOW GRANTS FOR analyst")) if has_user(fe, "analyst") else None
    out["grants temp"] = sorted(tuple(r) for r in sql(fe, "SHOW GRANTS FOR temp")) if has_user(fe, "temp") else None
    out["roles"] = sorted(r[0] for r in sql(fe, "SHOW ROLES"))
    out["grants role readers"] = sorted(tuple(r) for r in sql(fe, "SHOW GRANTS FOR ROLE readers"))
    return out


def has_user(fe, name):
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B", "-e",
                        f"SHOW GRANTS FOR {name}"], capture_output=True, text=True, timeout=60)
    return r.returncode == 0


def cluster_id(fe):
    status, body = fe.status()
    expect(status == 200, f"fe{fe.index} status: {status} {body}")
    return body["cluster_id"]


def restore_state(fe):
    status, body = fe.get("/api/v2/get_cluster_snapshot_restore_state", timeout=3)
    return body if status == 200 else None


def wait_restore(fe, want, timeout=90.0):
    deadline = time.time() + timeout
    seen = None
    while time.time() < deadline:
        seen = restore_state(fe)
        if seen and seen.get("cluster_snapshot_restore_state") == want:
            return seen
        if fe.proc.poll() is not None and want != "exit":
            fail(f"fe{fe.index} exited ({fe.proc.returncode}) during restore; last state {seen}")
        time.sleep(0.1)
    fail(f"fe{fe.index}: restore state not {want} within {timeout}s: {seen}")


def volume_yaml(fe, path, mode=None, volume_conf=None):
    v = volume_conf or fe.cluster.volume
    lines = ["cluster_snapshot:", f"  cluster_snapshot_path: {path}",
             "  storage_volume_name: builtin_storage_volume"]
    if mode:
        lines.append(f"  restore_mode: {mode}")
    lines += ["frontends: []", "compute_nodes: []", "storage_volumes:", "  - name: builtin_storage_volume",
              "    type: S3", f"    location: s3://{v['aws_s3_path']}", "    comment: restored by e2e",
              "    properties:",
              "      - key: aws.s3.region", f"        value: {v['aws_s3_region']}",
              "      - key: aws.s3.endpoint", f"        value: {v['aws_s3_endpoint']}",
              "      - key: aws.s3.enable_path_style_access", "        value: \"true\"",
              "      - key: aws.s3.access_key", f"        value: {v['aws_s3_access_key']}",
              "      - key: aws.s3.secret_key", f"        value: {v['aws_s3_secret_key']}"]
    with open(os.path.join(fe.dir, "cluster_snapshot.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def s3_client(v):
    return boto3.client("s3", endpoint_url=v["aws_s3_endpoint"], region_name=v["aws_s3_region"],
                        aws_access_key_id=v["aws_s3_access_key"], aws_secret_access_key=v["aws_s3_secret_key"])


def keys_under(client, bucket, prefix):
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def full_vacuum_pass(fe):
    """Runs maintenance on `fe` until a whole vacuum pass began after this call; returns the report."""
    st, body = fe.post("/api/data/maintenance", timeout=120)
    expect(st == 200, f"maintenance: {st} {body}")
    want = body["vacuum_passes"] + 2  # passes count per volume and lineage; two more = one began after now
    deadline = time.time() + 60
    while body["vacuum_passes"] < want:
        expect(time.time() < deadline, f"no vacuum pass within 60s: {body}")
        time.sleep(0.5)
        st, body = fe.post("/api/data/maintenance", timeout=120)
        expect(st == 200, f"maintenance: {st} {body}")
    return body


def start_restore(fe, generation, failpoints=None):
    env = {"RESTORE_CLUSTER_SNAPSHOT": "true", "RESTORE_CLUSTER_GENERATION": str(generation)}
    env["STRATA_FAILPOINTS"] = failpoints if failpoints else None
    fe.start(env=env)


def test():
    volume = harness.s3_volume_or_skip("restore")
    bucket, prefix = volume["aws_s3_path"].split("/", 1)
    location = f"s3://{volume['aws_s3_path']}"
    with Cluster("dr", volume) as cluster:
        fe0 = cluster.add_fe(vacuum_grace_ms=2000, vacuum_interval_ms=1000)
        fe1 = cluster.add_fe(vacuum_grace_ms=2000, vacuum_interval_ms=1000)
        fe0.start().wait_ready()
        fe1.start().wait_ready()
        cluster.leader()
        fe0.wait_query_port()
        fe1.wait_query_port()
        # One compute node, heartbeating to fe0; its cache directory is never wiped.
        cn = Cn(cluster, 0, f"127.0.0.1:{fe0.conf['rpc_port']}").start()
        wait_for("the CN alive", lambda: any(n["alive"] for n in nodes_by_port(fe0).values()), 30, [cn])
        run_sql(fe0, GUIDE_DDL)
        source = cluster_id(fe0)
        sql(fe0, "CREATE CLUSTER SNAPSHOT s1")
        at_snapshot = dump(fe0)
        expect(len(at_snapshot["rows quickstart.source_wiki_edit"]) == 3, f"3 rows before: {at_snapshot}")
        expect(at_snapshot["grants analyst"], "analyst has grants")
        log(f"1. snapshot s1 of lineage {source}: {at_snapshot['databases']}")

        run_sql(fe0, "INSERT INTO quickstart.source_wiki_edit VALUES "
                     "('2015-09-12 13:00:00','#de.wikipedia','late',0,0,0,0,0,1,1,1);\n"
                     "CREATE TABLE quickstart.after_snapshot (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k);\n"
                     "CREATE USER temp IDENTIFIED BY 'x';\nDROP USER analyst;\nCREATE ROLE writers;\n"
                     "REVOKE SELECT ON TABLE quickstart.source_wiki_edit FROM ROLE readers;\n")
        expect(dump(fe0) != at_snapshot, "changes after the snapshot are visible before the restore")

        # 2. s2 dies after its image, before its manifest.
        leader = cluster.leader()
        other = fe1 if leader is fe0 else fe0
        # kill -9, not SIGTERM: a leader stopped cleanly hands its lease to the other FE at once,
        # while one that died is still the catalog's leader, which it takes back as soon as it
        # restarts (before the other FE's lease clock runs out), now with the failpoint armed.
        leader.kill9()
        leader.start(env={"STRATA_FAILPOINTS": "snapshot.after_image=crash"})
        leader.wait_ready()
        expect(cluster.leader() is leader, "the restarted FE (with the failpoint) leads again")
        leader.wait_query_port()
        subprocess.run(["mysql", "-h127.0.0.1", f"-P{leader.query_port}", "-uroot", "-e",
                        "CREATE CLUSTER SNAPSHOT s2"], capture_output=True, text=True, timeout=120)
        leader.wait_exit(60)
        s3 = s3_client(volume)
        s2_keys = keys_under(s3, bucket, f"{prefix}/{source}/meta/image/s2/")
        expect(any(k.endswith("/image") for k in s2_keys) and not any(k.endswith("snapshot_meta.json") for k in s2_keys),
               f"s2 left an image and no manifest: {s2_keys}")
        log("2. s2 crashed after its image (no manifest)")

        # 3. Takeover in place: fe0 restores; fe1 keeps running on the old lineage with its old cache.
        if fe0.running():
            fe0.kill9()
        if not fe1.running():
            fe1.start()
        volume_yaml(fe0, f"{location}/{source}/meta")
        t0 = time.time()
        start_restore(fe0, 1)
        wait_restore(fe0, "finished")
        fe0.wait_ready(60)
        fe0.wait_query_port()
        restored = cluster_id(fe0)
        expect(restored != source, "the restore made a new lineage")
        log(f"3. restored into lineage {restored} in {time.time() - t0:.2f}s (FE start to ready)")
        with open(fe0.log_path, errors="replace") as f:
            expect("object index, listed" in f.read(), "the restore did not verify through the snapshot's object index")
        wait_for("the CN (old cache kept) serving the restored cluster",
                 lambda: any(n["alive"] for n in nodes_by_port(fe0).values()), 30, [cn])
        got = dump(fe0)
        expect(got == at_snapshot, f"restored state differs from the snapshot:\n got {got}\nwant {at_snapshot}")
        jobs = {r[0]: r[1] for r in sql(fe0, "SELECT SNAPSHOT_NAME, STATE FROM information_schema.cluster_snapshot_jobs")}
        expect(jobs.get("s1") == "FINISHED", f"the restored snapshot's job is FINISHED: {jobs}")
        snaps = [r[0] for r in sql(fe0, "SELECT SNAPSHOT_NAME FROM information_schema.cluster_snapshots")]
        expect("s1" in snaps, f"s1 still listed after restore: {snaps}")
        # fe1 never wiped: it must follow the new lineage by itself.
        deadline = time.time() + 60
        while time.time() < deadline:
            st, body = fe1.status()
            if st == 200 and body.get("cluster_id") == restored and body.get("ready"):
                break
            time.sleep(0.2)
        else:
            fail(f"fe1 did not follow lineage {restored}: {fe1.status()}")
        fe1.wait_query_port()
        expect(dump(fe1) == at_snapshot, "fe1 serves the restored state")
        sql(fe1, "CREATE DATABASE made_on_fe1")
        deadline = time.time() + 30
        while "made_on_fe1" not in [r[0] for r in sql(fe0, "SHOW DATABASES")]:
            expect(time.time() < deadline, "fe1's DDL reached the restored cluster")
            time.sleep(0.2)
        # The compute node, its cache directory kept, does the restored cluster's tablet work.
        sql(fe0, "CREATE TABLE made_on_fe1.probe (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 4")
        calls_before = cn_rpc_calls(cn)
        deadline = time.time() + 30
        n = 0
        while cn_rpc_calls(cn) == calls_before:  # the CN re-registers with the restored catalog by heartbeat
            expect(time.time() < deadline, "the restored cluster's tablet work runs on the CN with its old cache")
            n += 1
            sql(fe0, f"INSERT INTO made_on_fe1.probe VALUES ({n})")
            time.sleep(0.2)
        expect(len(sql(fe0, "SELECT * FROM made_on_fe1.probe")) == n, "every probe row is there")
        expect(dump(fe0)["rows quickstart.source_wiki_edit"] == at_snapshot["rows quickstart.source_wiki_edit"],
               "the rows are right with the CN's old cache in use")
        sql(fe0, "DROP DATABASE made_on_fe1")
        # The restored cluster's vacuum (which adopted the source's data) keeps everything it needs.
        time.sleep(2.5)
        full_vacuum_pass(cluster.leader())
        st, body = fe0.get("/api/data/check", timeout=120)
        expect(st == 200, f"data check after the restored cluster's vacuum: {st} {body}")
        expect(dump(fe0) == at_snapshot, "the rows survive the restored cluster's vacuum of the source's leftovers")
        log("3. the restored cluster's vacuum ran over the source's data; data check OK, same state")
        log("3. fe1 (old cache, never wiped) followed the restored lineage; one cluster; the CN (old cache) serves it")

        # 4. Same generation: no second restore. New generation: restore again.
        sql(fe0, "INSERT INTO quickstart.source_wiki_edit VALUES "
                 "('2015-09-12 14:00:00','#fr.wikipedia','after',0,0,0,0,0,2,2,2)")
        fe0.stop()
        start_restore(fe0, 1)
        wait_restore(fe0, "finished")
        fe0.wait_ready(60)
        fe0.wait_query_port()
        expect(cluster_id(fe0) == restored, "same generation: same lineage")
        expect(len(sql(fe0, "SELECT * FROM quickstart.source_wiki_edit")) == 4, "same generation keeps the new row")
        fe0.stop()
        start_restore(fe0, 2)
        wait_restore(fe0, "finished")
        fe0.wait_ready(60)
        fe0.wait_query_port()
        gen2 = cluster_id(fe0)
        expect(gen2 not in (source, restored), "generation 2 made another lineage")
        expect(dump(fe0) == at_snapshot, "generation 2 restored the snapshot again")
        # Generation 2 replaced generation 1's lineage: fenced and adopted, its data is swept.
        time.sleep(2.5)
        full_vacuum_pass(cluster.leader())
        expect(not keys_under(s3, bucket, f"{prefix}/{restored}/data/"),
               "generation 1's leftovers (rows and tables written after its restore) are vacuumed")
        log("4. same generation did nothing; generation 2 restored again")

        # 5. kill -9 at every restore failpoint, then a plain restart completes it.
        generation = 10
        for point in RESTORE_POINTS:
            generation += 1
            fe0.stop()
            start_restore(fe0, generation, failpoints=f"{point}=crash")
            fe0.wait_exit(60)
            start_restore(fe0, generation)
            wait_restore(fe0, "finished")
            fe0.wait_ready(60)
            fe0.wait_query_port()
            expect(dump(fe0) == at_snapshot, f"after a crash at {point} the restore completed with the snapshot's state")
            log(f"5. crash at {point}: completed on restart (lineage {cluster_id(fe0)})")

        # 6. Bad input: failed with the reason; nothing changes.
        before = cluster_id(fe0)
        fe0.stop()
        with open(os.path.join(fe0.dir, "cluster_snapshot.yaml"), "w") as f:
            f.write("cluster_snapshot:\n  storage_volume_name: builtin_storage_volume\n")
        start_restore(fe0, 100)
        state = wait_restore(fe0, "failed")
        expect("cluster_snapshot_path" in state.get("error", ""), f"the error names the field: {state}")
        fe0.stop()
        volume_yaml(fe0, f"{location}/{source}/meta/image/nosuch")
        start_restore(fe0, 101)
        state = wait_restore(fe0, "failed")
        expect("no complete snapshot" in state.get("error", ""), f"the error says why: {state}")
        expect(volume["aws_s3_secret_key"] not in str(state), "no secret in the restore state")
        fe0.stop()
        fe0.start(env={"RESTORE_CLUSTER_SNAPSHOT": None, "RESTORE_CLUSTER_GENERATION": None})
        fe0.wait_ready(60)
        fe0.wait_query_port()
        expect(cluster_id(fe0) == before and dump(fe0) == at_snapshot, "failed restores changed nothing")
        log("6. bad yaml / missing snapshot: failed with the reason, nothing changed")

        # 7. Clone while the source runs.
        # A row only s3 (and then the clone's pin) will hold once the source truncates.
        sql(fe0, "INSERT INTO quickstart.source_wiki_edit VALUES "
                 "('2015-09-12 16:00:00','#es.wikipedia','pre-clone',0,0,0,0,0,4,4,4)")
        at_s3 = dump(fe0)
        sql(fe0, "CREATE CLUSTER SNAPSHOT s3")
        src_lineage = cluster_id(fe0)
        with Cluster("dr-clone", volume) as clone_cluster:
            c0 = clone_cluster.add_fe(vacuum_grace_ms=2000, vacuum_interval_ms=1000)
            volume_yaml(c0, f"{location}/{src_lineage}/meta", mode="clone")
            start_restore(c0, 1)
            wait_restore(c0, "finished")
            c0.wait_ready(60)
            c0.wait_query_port()
            cluster_id_of_clone = cluster_id(c0)
            expect(cluster_id_of_clone != src_lineage, "the clone has its own lineage")
            expect(dump(c0) == at_s3, "the clone serves the snapshot")
            sql(c0, "INSERT INTO quickstart.source_wiki_edit VALUES "
                    "('2015-09-12 15:00:00','#it.wikipedia','clone',0,0,0,0,0,3,3,3)")
            sql(fe0, "TRUNCATE TABLE quickstart.source_wiki_edit")
            sql(fe0, "DROP CLUSTER SNAPSHOT s3")
            time.sleep(2.5)  # past the source's vacuum grace
            leader = cluster.leader()
            kept_by_pin = full_vacuum_pass(leader)
            expect(keys_under(s3, bucket, f"{prefix}/{src_lineage}/data/"),
                   "the source's truncated rows are still stored: the clone's pin keeps them")
            expect(len(sql(fe0, "SELECT * FROM quickstart.source_wiki_edit")) == 0, "the source truncated")
            rows = sql(c0, "SELECT * FROM quickstart.source_wiki_edit")
            expect(len(rows) == 5, f"the clone keeps its 4 borrowed rows and its own: {rows}")
            st, body = c0.get("/api/data/check", timeout=120)
            expect(st == 200, f"the clone's data check: {st} {body}")
            st, body = fe0.get("/api/data/check", timeout=120)
            expect(st == 200, f"the source's data check: {st} {body}")
            log("7. clone and source both work; the source's vacuum kept what the clone borrows")
            c0.stop()
            r = subprocess.run([harness.binary(), "snapshot", "unpin", "--volume", location, "--cluster-id",
                                cluster_id_of_clone, "--endpoint", volume["aws_s3_endpoint"],
                                "--access-key", volume["aws_s3_access_key"], "--secret-key",
                                volume["aws_s3_secret_key"]], capture_output=True, text=True, timeout=60)
            expect(r.returncode == 0, f"unpin: {r.stdout} {r.stderr}")
            after_unpin = full_vacuum_pass(leader)
            expect(after_unpin["vacuum_deleted"] > kept_by_pin["vacuum_deleted"],
                   f"after unpin the source's vacuum reclaims what only the clone's pin kept: {after_unpin}")
            expect(not keys_under(s3, bucket, f"{prefix}/{src_lineage}/data/"),
                   "the source's truncated data is gone once nothing pins it")
            log("7. unpinned: the source's vacuum reclaimed the data only the pin had kept")

        # 8. Restore into another bucket (a replica of everything).
        replica_bucket = bucket + "-replica"
        try:
            s3.create_bucket(Bucket=replica_bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        for key in keys_under(s3, bucket, prefix + "/"):
            s3.copy_object(Bucket=replica_bucket, Key=key, CopySource={"Bucket": bucket, "Key": key})
        replica = dict(volume)
        replica["aws_s3_path"] = f"{replica_bucket}/{prefix}"
        with Cluster("dr", replica) as other_region:
            r0 = other_region.add_fe()
            volume_yaml(r0, f"s3://{replica_bucket}/{prefix}/{source}/meta/image/s1", volume_conf=replica)
            start_restore(r0, 1000)  # the replica holds the source's restore records for 1, 2, ...
            wait_restore(r0, "finished")
            r0.wait_ready(60)
            r0.wait_query_port()
            expect(dump(r0) == at_snapshot, "the restore from the replica bucket serves the snapshot")
            log("8. restored from a replica bucket")
        for key in keys_under(s3, replica_bucket, ""):
            s3.delete_object(Bucket=replica_bucket, Key=key)
        s3.delete_bucket(Bucket=replica_bucket)


if __name__ == "__main__":
    harness.main(test)

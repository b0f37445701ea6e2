#!/usr/bin/env python3
"""bench/restore: time from FE start to ready-and-queryable after a cluster-snapshot restore, versus catalog
size and versus data size (issue 8). Reuses bench/load's Volume/Fe helpers and bench/snapshot's table DDL.

For each backend (local directory, Ceph RGW):
  catalog curve: per N (1k, 10k, 100k tablets): a fresh volume and source FE, one table of N empty tablets,
                 CREATE CLUSTER SNAPSHOT, the source FE stopped; then REPS restores of that snapshot;
  data curve:    a fresh volume and source FE, a 32-tablet table grown by stream loads to 0.1M, 1M, 4M rows
                 with a snapshot after each step; the source FE stopped; then REPS restores of each snapshot,
                 the largest first (a restored lineage only retains the snapshots its image lists, so restoring
                 the older ones afterwards never needs data a newer restore's vacuum could drop).
Each restore is "a new machine": a new directory with fe.conf (the source's settings, new ports, an empty
meta_dir) and cluster_snapshot.yaml naming the snapshot and the volume, and an FE started with
RESTORE_CLUSTER_SNAPSHOT=true and a RESTORE_CLUSTER_GENERATION never used before. Measured from just before the
FE process is spawned (polling every 10 ms): (a) restore state "finished", (b) /api/ready 200, (c) the first
successful SELECT COUNT(*) over the table (mysql client; the count is checked). The FE's INFO log gives a
breakdown (restore requested / intent written / restore done / metadata service started / up).
--profile-steps: at the largest S3 catalog point, restores killed (failpoint crash) after each restore step;
the time from spawn to the process's death is the cumulative time up to that step.
Writes one JSON line per measurement to --results.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
sys.path.insert(0, os.path.join(HERE, "..", "snapshot"))
import bench_load  # noqa: E402  (Volume, Fe, free_port, http_get, s3_env, log)
import bench_snapshot  # noqa: E402  (table_ddl, sql_ok)

POLL_S = 0.01
PHASE_TIMEOUT_S = 900  # per restore, from spawn to the first answered query
ROWS_PER_TABLET = 8  # loaded curve: a tablet stays empty with probability e^-8 (~0.03%)
STEPS = ["restore.after_intent", "restore.after_verify", "restore.after_image", "restore.after_lineage",
         "restore.after_fence"]
LOG_EVENTS = {  # FE INFO log line -> event name
    "requested": re.compile(r"fe: restore requested"),
    "intent": re.compile(r"restore \S+: (takeover|clone) snapshot"),
    "restored": re.compile(r"fe: restored snapshot .*\((?:version \d+, )?(\d+) tablet versions checked\).* in (\d+) ms"),
    "meta_start": re.compile(r"fe: starting the metadata service"),
    "lease_expired": re.compile(r"has not renewed its lease for \d+ ms; taking over"),
    "leader": re.compile(r" is the leader \(term "),
    "up": re.compile(r"fe \S+ up: "),
}


class Generations:
    """RESTORE_CLUSTER_GENERATION values never used before on any volume: a per-run stamp and a counter."""

    def __init__(self):
        self.stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        self.n = 0

    def next(self):
        self.n += 1
        return f"rb{self.stamp}-{self.n}"


def location_of(volume):
    return volume.root if volume.backend == "local" else f"s3://{volume.bucket}/{volume.prefix}"


def yaml_text(volume, snapshot_path):
    lines = ["cluster_snapshot:", f"  cluster_snapshot_path: {snapshot_path}",
             "  storage_volume_name: builtin_storage_volume", "frontends: []", "compute_nodes: []",
             "storage_volumes:", "  - name: builtin_storage_volume"]
    if volume.backend == "local":
        lines += ["    type: local", f"    location: {volume.root}"]
    else:
        e = bench_load.s3_env()
        lines += ["    type: S3", f"    location: s3://{volume.bucket}/{volume.prefix}", "    properties:",
                  "      - key: aws.s3.region", f"        value: {e['region']}",
                  "      - key: aws.s3.endpoint", f"        value: {e['endpoint']}",
                  "      - key: aws.s3.enable_path_style_access", "        value: \"true\"",
                  "      - key: aws.s3.access_key", f"        value: {e['access_key']}",
                  "      - key: aws.s3.secret_key", f"        value: {e['secret_key']}"]
    return "\n".join(lines) + "\n"


def cluster_id(fe):
    status, body = bench_load.http_get(fe.addr, "/api/meta/status")
    if status != 200:
        fe.fail(f"/api/meta/status: {status} {body[:200]}")
    return json.loads(body)["cluster_id"]


class RestoringFe(bench_load.Fe):
    """An FE restoring `snapshot_path` on a new machine: the source's fe.conf with an empty meta_dir and INFO
    logging, cluster_snapshot.yaml beside it; address "same" keeps the source FE's ports (so its name,
    host:http_port, is the one the snapshot's image records as leader), "new" takes new ones (another host).
    t0 = time.monotonic() just before the spawn."""

    def __init__(self, strata, work, source_conf, volume, snapshot_path, generation, taken, address,
                 failpoints=None):
        os.makedirs(work)
        self.work = work
        conf = dict(source_conf)
        if address == "new":
            conf.update({"http_port": bench_load.free_port(taken), "rpc_port": bench_load.free_port(taken),
                         "query_port": bench_load.free_port(taken), "edit_log_port": bench_load.free_port(taken)})
        conf.update({"meta_dir": os.path.join(work, "meta"), "sys_log_level": "INFO"})
        self.port = int(conf["http_port"])
        self.addr = f"127.0.0.1:{self.port}"
        self.query_port = int(conf["query_port"])
        self.conf_path = os.path.join(work, "fe.conf")
        with open(self.conf_path, "w") as f:
            for k, v in conf.items():
                f.write(f"{k} = {v}\n")
        with open(os.path.join(work, "cluster_snapshot.yaml"), "w") as f:
            f.write(yaml_text(volume, snapshot_path))
        env = dict(os.environ, RESTORE_CLUSTER_SNAPSHOT="true", RESTORE_CLUSTER_GENERATION=generation)
        env.pop("STRATA_LOG_LEVEL", None)
        if failpoints:
            env["STRATA_FAILPOINTS"] = failpoints
        self.log_path = os.path.join(work, "fe.log")
        with open(self.log_path, "ab") as logf:
            self.wall0 = time.time()
            self.t0 = time.monotonic()
            self.proc = subprocess.Popen([strata, "fe", "--conf", self.conf_path], stdout=logf, stderr=logf,
                                         stdin=subprocess.DEVNULL, cwd=work, env=env)

    def sql(self, statement):
        return subprocess.run(["mysql", "-h127.0.0.1", f"-P{self.query_port}", "-uroot", "-N", "-B", "-e", statement],
                              capture_output=True, text=True, timeout=PHASE_TIMEOUT_S)

    def elapsed(self):
        return time.monotonic() - self.t0

    def wait_until(self, what, probe):
        deadline = self.t0 + PHASE_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.fail(f"the restoring FE exited with {self.proc.returncode} waiting for {what}")
            got = probe()
            if got:
                return self.elapsed(), got
            time.sleep(POLL_S)
        self.fail(f"no {what} within {PHASE_TIMEOUT_S} s of the FE's start")

    def restore_state(self):
        status, body = bench_load.http_get(self.addr, "/api/v2/get_cluster_snapshot_restore_state")
        if status != 200:
            return None
        state = json.loads(body)
        if state.get("cluster_snapshot_restore_state") == "failed":
            self.fail(f"restore failed: {state.get('error')}")
        return state if state.get("cluster_snapshot_restore_state") == "finished" else None

    def ready(self):
        return bench_load.http_get(self.addr, "/api/ready")[0] == 200

    def query_port_open(self):
        try:
            with socket.create_connection(("127.0.0.1", self.query_port), timeout=1):
                return True
        except OSError:
            return False

    def log_events(self):
        """Seconds from the spawn to each INFO line of LOG_EVENTS (wall clock, ms resolution)."""
        out = {}
        with open(self.log_path, errors="replace") as f:
            for line in f:
                for name, pattern in LOG_EVENTS.items():
                    m = pattern.search(line)
                    if m and name not in out:
                        stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f")
                        at = stamp.replace(tzinfo=datetime.timezone.utc).timestamp()
                        out[name] = round(at - self.wall0, 3)
                        if name == "restored":
                            out["tablet_versions_checked"] = int(m.group(1))
                            out["restore_elapsed_ms"] = int(m.group(2))
        return out


def read_conf(path):
    conf = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.split("=", 1)
                conf[k.strip()] = v.strip()
    return conf


def restore_once(args, volume, source_conf, snapshot_path, table, expect_rows, gen, taken, address, tag,
                 query=None):
    """One restore on a new machine, timed; returns the measurement. `query` replaces the COUNT(*) over the
    whole table (its single-number answer must be `expect_rows`)."""
    query = query or f"SELECT COUNT(*) FROM {table}"
    load_avg = os.getloadavg()
    work = os.path.join(args.work, tag)
    fe = RestoringFe(args.strata, work, source_conf, volume, snapshot_path, gen.next(), taken, address)
    try:
        t_finished, state = fe.wait_until("restore state finished", fe.restore_state)
        t_ready, _ = fe.wait_until("/api/ready 200", fe.ready)
        t_port, _ = fe.wait_until("the MySQL port", fe.query_port_open)
        count = None

        def counted():
            nonlocal count
            r = fe.sql(query)
            if r.returncode == 0:
                count = int(r.stdout.strip())
                return True
            return False

        t_query, _ = fe.wait_until(f"a successful {query}", counted)
        if count != expect_rows:
            fe.fail(f"{query} = {count}, expected {expect_rows}")
        cpu = fe.cpu_s()
        hwm = fe.vm_hwm_kib()
    finally:
        fe.stop()
    events = fe.log_events()
    if args.logs:
        shutil.copy(fe.log_path, os.path.join(args.logs, f"{tag}.log"))
    shutil.rmtree(work, ignore_errors=True)
    return {"finished_s": round(t_finished, 3), "ready_s": round(t_ready, 3), "port_s": round(t_port, 3),
            "query_s": round(t_query, 3), "query": query, "count": count, "restored_cluster_id": state.get("cluster_id"),
            "generation": state.get("generation"), "log": events, "fe_cpu_s": round(cpu, 2),
            "fe_vm_hwm_kib": hwm, "load_avg": [round(x, 2) for x in load_avg]}


def profile_steps(args, volume, source_conf, snapshot_path, gen, taken, tag):
    """Spawn -> death with a crash failpoint after each restore step (cumulative time to that step)."""
    out = {}
    for step in STEPS:
        work = os.path.join(args.work, f"{tag}-{step}-{gen.n}")
        fe = RestoringFe(args.strata, work, source_conf, volume, snapshot_path, gen.next(), taken, "same",
                         failpoints=f"{step}=crash")
        try:
            fe.proc.wait(timeout=PHASE_TIMEOUT_S)
            out[step] = round(fe.elapsed(), 3)
        finally:
            fe.stop()
        shutil.rmtree(work, ignore_errors=True)
    return out


def write(out, row):
    out.write(json.dumps(row) + "\n")
    out.flush()


def describe(row):
    return (f"finished {row['finished_s']:.3f} s, ready {row['ready_s']:.3f} s, query {row['query_s']:.3f} s "
            f"(load {row['load_avg'][0]})")


def source_fe(args, work, volume, taken):
    fe = bench_load.Fe(args.strata, work, volume, taken)
    fe.wait_ready()
    bench_snapshot.sql_ok(fe, "CREATE DATABASE sb")
    return fe


def catalog_curve(args, backend, out, taken, gen):
    for tablets in args.tablets:
        work = os.path.join(args.work, f"{backend}-cat-{tablets}")
        os.makedirs(work)
        volume = bench_load.Volume(backend, work, f"restorebench-cat-{tablets}-{int(time.time())}")
        try:
            fe = source_fe(args, work, volume, taken)
            try:
                t = time.monotonic()
                bench_snapshot.sql_ok(fe, bench_snapshot.table_ddl(tablets))
                create_s = time.monotonic() - t
                bench_snapshot.sql_ok(fe, "CREATE CLUSTER SNAPSHOT s")
                source = cluster_id(fe)
            finally:
                fe.stop()
            bench_load.log(f"{backend} {tablets} tablets: table created in {create_s:.1f} s, snapshot s taken")
            path = f"{location_of(volume)}/{source}/meta/image/s"
            conf = read_conf(fe.conf_path)
            for rep in range(args.reps):
                for address in args.addresses:
                    row = restore_once(args, volume, conf, path, "sb.t", 0, gen, taken, address,
                                       f"{backend}-cat-{tablets}-{address}-r{rep}")
                    row.update({"curve": "catalog", "backend": backend, "address": address, "tablets": tablets,
                                "rep": rep})
                    write(out, row)
                    bench_load.log(f"{backend} {tablets} tablets, {address} address, rep {rep}: {describe(row)}")
            if args.profile_steps and backend == "s3" and tablets == max(args.tablets):
                for rep in range(args.reps):
                    load_avg = [round(x, 2) for x in os.getloadavg()]
                    steps = profile_steps(args, volume, conf, path, gen, taken, f"{backend}-cat-{tablets}-prof")
                    write(out, {"curve": "steps", "of": "catalog", "backend": backend, "tablets": tablets,
                                "rep": rep, "to_step_s": steps, "load_avg": load_avg})
                    bench_load.log(f"{backend} {tablets} tablets, spawn -> crash after each step: {steps}")
        finally:
            volume.remove()


def loaded_curve(args, backend, out, taken, gen):
    """Like the catalog curve, but every tablet holds data: ROWS_PER_TABLET rows per tablet on average, spread
    over all partitions in one stream load, so that (almost) every tablet has a version and a data file
    that the restore's verify reads and HEADs, and the image holds a version key per tablet."""
    for tablets in args.loaded_tablets:
        work = os.path.join(args.work, f"{backend}-loaded-{tablets}")
        os.makedirs(work)
        volume = bench_load.Volume(backend, work, f"restorebench-loaded-{tablets}-{int(time.time())}")
        try:
            fe = source_fe(args, work, volume, taken)
            try:
                bench_snapshot.sql_ok(fe, bench_snapshot.table_ddl(tablets))
                buckets = min(tablets, 1000)
                per_partition = buckets * ROWS_PER_TABLET
                body = os.path.join(work, "body.csv")
                with open(body, "w") as f:
                    for part in range(tablets // buckets):
                        for j in range(per_partition):
                            f.write(f"{part * 1_000_000 + j},{j % 97}\n")
                rows = tablets // buckets * per_partition
                t = time.monotonic()
                post_load(fe, body, f"loaded_{tablets}")
                load_s = time.monotonic() - t
                bench_snapshot.sql_ok(fe, "CREATE CLUSTER SNAPSHOT s")
                source = cluster_id(fe)
            finally:
                fe.stop()
            objs = list(volume.objects())
            data_files = sum(1 for k, _ in objs if k.endswith(".sdf"))
            bench_load.log(f"{backend} {tablets} loaded tablets: {rows} rows in {load_s:.1f} s, {data_files} data "
                           f"files, {len(objs)} objects; snapshot s taken")
            path = f"{location_of(volume)}/{source}/meta/image/s"
            conf = read_conf(fe.conf_path)
            for rep in range(args.loaded_reps):
                for address in args.addresses:
                    row = restore_once(args, volume, conf, path, "sb.t", 1, gen, taken, address,
                                       f"{backend}-loaded-{tablets}-{address}-r{rep}",
                                       query="SELECT COUNT(*) FROM sb.t WHERE k = 0")
                    row.update({"curve": "loaded", "backend": backend, "address": address, "tablets": tablets,
                                "rows": rows, "data_files": data_files, "objects": len(objs),
                                "source_load_s": round(load_s, 1), "rep": rep})
                    write(out, row)
                    bench_load.log(f"{backend} {tablets} loaded tablets, {address} address, rep {rep}: "
                                   f"{describe(row)}, {row['log'].get('tablet_versions_checked')} versions checked")
            if args.profile_steps and backend == "s3" and tablets == min(args.loaded_tablets):
                load_avg = [round(x, 2) for x in os.getloadavg()]
                steps = profile_steps(args, volume, conf, path, gen, taken, f"{backend}-loaded-{tablets}-prof")
                write(out, {"curve": "steps", "of": "loaded", "backend": backend, "tablets": tablets, "rep": 0,
                            "to_step_s": steps, "load_avg": load_avg})
                bench_load.log(f"{backend} {tablets} loaded tablets, spawn -> crash after each step: {steps}")
        finally:
            volume.remove()


def post_load(fe, body, label):
    r = subprocess.run(["curl", "-sS", "-u", "root:", "-H", "column_separator:,", "-H", f"label:{label}",
                        "-T", body, f"http://{fe.addr}/api/sb/t/_stream_load"], capture_output=True, text=True,
                       timeout=1800)
    os.remove(body)
    if '"Success"' not in r.stdout:
        fe.fail(f"load {label}: {r.stdout} {r.stderr}")


def load_rows(fe, work, start, end):
    body = os.path.join(work, "body.csv")
    with open(body, "w") as f:
        for k in range(start, end):
            f.write(f"{k},{k % 97}\n")
    post_load(fe, body, f"rows_{end}")


def data_curve(args, backend, out, taken, gen):
    work = os.path.join(args.work, f"{backend}-data")
    os.makedirs(work)
    volume = bench_load.Volume(backend, work, f"restorebench-data-{int(time.time())}")
    try:
        fe = source_fe(args, work, volume, taken)
        points = []
        try:
            bench_snapshot.sql_ok(fe, "CREATE TABLE sb.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) "
                                      "DISTRIBUTED BY HASH(k) BUCKETS 32")
            loaded = 0
            for target in args.rows:
                load_rows(fe, work, loaded, target)
                loaded = target
                bench_snapshot.sql_ok(fe, f"CREATE CLUSTER SNAPSHOT d{target}")
                objs = list(volume.objects())
                points.append((target, sum(s for k, s in objs if k.endswith(".sdf")),
                               sum(1 for k, _ in objs if k.endswith(".sdf"))))
                bench_load.log(f"{backend}: {target} rows loaded, snapshot d{target}")
            source = cluster_id(fe)
        finally:
            fe.stop()
        conf = read_conf(fe.conf_path)
        for target, data_bytes, data_files in sorted(points, reverse=True):
            path = f"{location_of(volume)}/{source}/meta/image/d{target}"
            for rep in range(args.reps):
                for address in args.addresses:
                    row = restore_once(args, volume, conf, path, "sb.t", target, gen, taken, address,
                                       f"{backend}-data-{target}-{address}-r{rep}")
                    row.update({"curve": "data", "backend": backend, "address": address, "rows": target,
                                "data_bytes": data_bytes, "data_files": data_files, "rep": rep})
                    write(out, row)
                    bench_load.log(f"{backend} {target} rows, {address} address, rep {rep}: {describe(row)}")
    finally:
        volume.remove()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--strata", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--backends", default="s3,local")
    p.add_argument("--curves", default="catalog,data")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--tablets", default="1000,10000,100000")
    p.add_argument("--rows", default="100000,1000000,4000000")
    p.add_argument("--loaded-tablets", default="10000,100000")
    p.add_argument("--loaded-reps", type=int, default=1)
    p.add_argument("--profile-steps", action="store_true")
    p.add_argument("--logs", help="keep each restoring FE's log here")
    p.add_argument("--addresses", default="same,new", help="restoring FE's address: same as the source's, new")
    args = p.parse_args()
    args.strata = os.path.abspath(args.strata)
    args.tablets = [int(x) for x in args.tablets.split(",")]
    args.rows = [int(x) for x in args.rows.split(",")]
    args.loaded_tablets = [int(x) for x in args.loaded_tablets.split(",")]
    args.addresses = args.addresses.split(",")
    taken, gen = set(), Generations()
    with open(args.results, "a") as out:
        for backend in args.backends.split(","):
            if "catalog" in args.curves:
                catalog_curve(args, backend, out, taken, gen)
            if "data" in args.curves:
                data_curve(args, backend, out, taken, gen)
            if "loaded" in args.curves:
                loaded_curve(args, backend, out, taken, gen)


if __name__ == "__main__":
    main()

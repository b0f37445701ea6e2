#!/usr/bin/env python3
"""bench/load: stream-load throughput of a real `strata fe` against DuckDB loading the same CSV.

  bench_load.py run --strata BIN --csv-dir DIR --work DIR --results FILE.jsonl
                    [--backends s3,local] [--reps 3] [--modes single,seq,conc]
  bench_load.py duckdb --csv FILE --db FILE          (one DuckDB load; run by `run` as a child process)
  bench_load.py report FILE.jsonl --command CMD ...   (markdown on stdout)

`run` needs DIR/all.csv and DIR/part-*.csv (gen_csv) and, for the s3 backend, STRATA_TEST_S3_* (as in
test/e2e/harness.py). For each backend, REPS rounds of: every Strata mode on a fresh FE and a fresh volume
(single = one stream load of all rows; seq = the parts one after another; conc = the parts at once), then one
DuckDB load of all.csv into a fresh database file. One JSON line per measurement.

Strata: wall time from the first byte sent (curl, as StarRocks documents it) to the last answer; every answer
must be Success with all rows loaded. Peak RSS of the FE is VmHWM in /proc/<pid>/status (a fresh FE per
measurement). Object sizes: everything under <lineage>/data/ of the volume (data files .sdf and tablet
metadata .tm), listed right after the load. DuckDB: connect, CREATE TABLE, COPY FROM the CSV, CHECKPOINT, close.
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

DB = "lb"
TABLE = "events"
COLUMNS = ("event_time DATETIME NOT NULL, user_id BIGINT NOT NULL, channel VARCHAR(32), city VARCHAR(64), "
           "amount DECIMAL(12,2), qty INT, is_new BOOLEAN, note VARCHAR(128)")
STRATA_DDL = (f"CREATE TABLE {DB}.{TABLE} ({COLUMNS}) DUPLICATE KEY(event_time, user_id) "
              "PARTITION BY RANGE(event_time) ("
              "PARTITION p202401 VALUES LESS THAN ('2024-02-01 00:00:00'), "
              "PARTITION p202402 VALUES LESS THAN ('2024-03-01 00:00:00'), "
              "PARTITION p202403 VALUES LESS THAN ('2024-04-01 00:00:00'), "
              "PARTITION p202404 VALUES LESS THAN ('2024-05-01 00:00:00')) "
              "DISTRIBUTED BY HASH(user_id) BUCKETS 8")
DUCKDB_DDL = (f"CREATE TABLE {TABLE} (event_time TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, channel VARCHAR(32), "
              "city VARCHAR(64), amount DECIMAL(12,2), qty INTEGER, is_new BOOLEAN, note VARCHAR(128))")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port(taken):
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def http_get(addr, path):
    try:
        with urllib.request.urlopen(f"http://{addr}{path}", timeout=2) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError):
        return None, b""


def s3_env():
    env = os.environ
    return {"endpoint": env["STRATA_TEST_S3_ENDPOINT"], "region": env.get("STRATA_TEST_S3_REGION", "us-east-1"),
            "bucket": env["STRATA_TEST_S3_BUCKET"], "access_key": env["STRATA_TEST_S3_ACCESS_KEY"],
            "secret_key": env["STRATA_TEST_S3_SECRET_KEY"]}


def s3_client():
    import boto3  # the venv sees the system site-packages (python3-boto3)
    from botocore.config import Config
    e = s3_env()
    return boto3.client("s3", endpoint_url=e["endpoint"], region_name=e["region"], aws_access_key_id=e["access_key"],
                        aws_secret_access_key=e["secret_key"],
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))


class Volume:
    """A fresh volume: a local directory or a prefix in the S3 bucket."""

    def __init__(self, backend, work, name):
        self.backend = backend
        if backend == "local":
            self.root = os.path.join(work, "volume")
            os.makedirs(self.root)
        else:
            self.bucket = s3_env()["bucket"]
            self.prefix = f"loadbench/{name}"

    def conf(self):
        if self.backend == "local":
            return {"storage_root": self.root}
        e = s3_env()
        return {"cloud_native_storage_type": "S3", "aws_s3_path": f"{self.bucket}/{self.prefix}",
                "aws_s3_endpoint": e["endpoint"], "aws_s3_region": e["region"],
                "aws_s3_access_key": e["access_key"], "aws_s3_secret_key": e["secret_key"]}

    def objects(self):
        """(key relative to the volume, size) of every object."""
        if self.backend == "local":
            for d, _, files in os.walk(self.root):
                for f in files:
                    p = os.path.join(d, f)
                    yield os.path.relpath(p, self.root), os.path.getsize(p)
            return
        pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + "/")
        for page in pages:
            for o in page.get("Contents", []):
                yield o["Key"][len(self.prefix) + 1:], o["Size"]

    def sizes(self):
        out = {"data_objects": 0, "data_bytes": 0, "sdf_files": 0, "sdf_bytes": 0, "tm_bytes": 0, "all_bytes": 0}
        for key, size in self.objects():
            out["all_bytes"] += size
            if not re.match(r"^[^/]+/data/", key):  # <lineage>/data/...: tablet data, not the metadata log
                continue
            out["data_objects"] += 1
            out["data_bytes"] += size
            if key.endswith(".sdf"):
                out["sdf_files"] += 1
                out["sdf_bytes"] += size
            elif key.endswith(".tm"):
                out["tm_bytes"] += size
        return out

    def remove(self):
        if self.backend == "local":
            shutil.rmtree(self.root, ignore_errors=True)
            return
        client = s3_client()
        keys = [self.prefix + "/" + k for k, _ in self.objects()]
        for i in range(0, len(keys), 1000):
            client.delete_objects(Bucket=self.bucket,
                                  Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})


class Fe:
    def __init__(self, strata, work, volume, taken):
        self.work = work
        self.port = free_port(taken)
        self.addr = f"127.0.0.1:{self.port}"
        self.query_port = free_port(taken)
        conf = {"http_port": self.port, "rpc_port": free_port(taken), "query_port": self.query_port,
                "edit_log_port": free_port(taken), "run_mode": "shared_data", "cluster_name": "loadbench",
                "meta_dir": os.path.join(work, "meta"), "host": "127.0.0.1", "sys_log_level": "WARN"}
        conf.update(volume.conf())
        self.conf_path = os.path.join(work, "fe.conf")
        with open(self.conf_path, "w") as f:
            for k, v in conf.items():
                f.write(f"{k} = {v}\n")
        self.log_path = os.path.join(work, "fe.log")
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen([strata, "fe", "--conf", self.conf_path], stdout=logf, stderr=logf,
                                         stdin=subprocess.DEVNULL, cwd=work)

    def fail(self, msg):
        try:
            with open(self.log_path, errors="replace") as f:
                tail = "".join(f.readlines()[-20:])
        except OSError:
            tail = ""
        self.stop()
        sys.exit(f"bench_load: {msg}\n--- fe.log tail:\n{tail}")

    def sql(self, statement):
        return subprocess.run(["mysql", "-h127.0.0.1", f"-P{self.query_port}", "-uroot", "-N", "-B", "-e", statement],
                              capture_output=True, text=True, timeout=60)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.fail(f"the FE exited with {self.proc.returncode}")
            status, body = http_get(self.addr, "/api/meta/status")
            if status == 200 and json.loads(body).get("is_leader"):
                r = self.sql("SELECT 1")
                if r.returncode == 0:
                    return
            time.sleep(0.1)
        self.fail(f"not leader and answering SQL after {timeout} s")

    def create_table(self):
        for statement in (f"CREATE DATABASE {DB}", STRATA_DDL):
            r = self.sql(statement)
            if r.returncode != 0:
                self.fail(f"{statement}: {r.stderr.strip()}")

    def vm_hwm_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return None

    def cpu_s(self):
        """User + system CPU seconds of the FE process so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def curl_load(addr, path, label):
    """A started curl: PUT the file as one stream load, as StarRocks documents it."""
    url = f"http://{addr}/api/{DB}/{TABLE}/_stream_load"
    return subprocess.Popen(["curl", "-sS", "--fail-with-body", "-u", "root:", "-H", f"label:{label}",
                             "-H", "column_separator:,", "-H", "format:csv", "-H", "Content-Type: text/plain",
                             "-H", "Expect:100-continue", "-T", path, url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


RETRIES_MAX = 20  # client retries (same label) of a load answered Fail with a retryable message


def load_answer(proc):
    out, err = proc.communicate()
    try:
        answer = json.loads(out)
    except ValueError:
        answer = {}
    return answer, f"curl exit {proc.returncode} {err.strip()} answer {out.strip()[:500]}"


def retryable(answer):
    """A Fail that a StarRocks client retries with the same label: commit conflicts (Aborted) and the like."""
    return answer.get("Status") == "Fail" and "retry" in answer.get("Message", "")


def run_loads(addr, files, name, concurrent):
    """Loads every file (label name-i), all at once or one after another; a retryable Fail is sent again with
    the same label (as a client would) up to RETRIES_MAX times. Returns (answers, retries, first failure)."""
    answers, retries, first_failure = [None] * len(files), 0, None
    pending = list(range(len(files)))
    for attempt in range(RETRIES_MAX + 1):
        if concurrent:
            procs = [(i, curl_load(addr, files[i], f"{name}-{i}")) for i in pending]
            results = [(i, *load_answer(p)) for i, p in procs]
        else:
            results = []
            for i in pending:
                results.append((i, *load_answer(curl_load(addr, files[i], f"{name}-{i}"))))
        pending = []
        for i, answer, text in results:
            if answer.get("Status") == "Success":
                answers[i] = answer
            elif retryable(answer) and attempt < RETRIES_MAX:
                pending.append(i)
                retries += 1
                first_failure = first_failure or answer.get("Message")
            else:
                raise RuntimeError(f"load {name}-{i} (attempt {attempt + 1}): {text}")
        if not pending:
            return answers, retries, first_failure
    raise AssertionError("unreachable")


def strata_once(args, backend, mode, rep, files, taken):
    name = f"{backend}-{mode}-{rep}-{int(time.time())}"
    work = os.path.join(args.work, name)
    os.makedirs(work)
    volume = Volume(backend, work, name)
    fe = Fe(args.strata, work, volume, taken)
    try:
        fe.wait_ready()
        fe.create_table()
        base_hwm = fe.vm_hwm_kib()
        load_avg = os.getloadavg()[0]
        cpu0 = fe.cpu_s()
        t0 = time.monotonic()
        try:
            answers, retries, first_failure = run_loads(fe.addr, files, name, mode == "conc")
        except RuntimeError as e:
            fe.fail(str(e))
        wall = time.monotonic() - t0
        cpu = fe.cpu_s() - cpu0
        hwm = fe.vm_hwm_kib()
        loaded = sum(a["NumberLoadedRows"] for a in answers)
        if loaded != args.rows or any(a.get("NumberFilteredRows") for a in answers):
            fe.fail(f"{loaded} rows loaded, expected {args.rows}: {answers}")
        sizes = volume.sizes()
    finally:
        fe.stop()
    volume.remove()
    shutil.rmtree(work, ignore_errors=True)
    return {"engine": "strata", "backend": backend, "mode": mode, "rep": rep, "loads": len(files),
            "rows": loaded, "csv_bytes": sum(os.path.getsize(f) for f in files), "wall_s": round(wall, 3),
            "server_load_ms": [a.get("LoadTimeMs") for a in answers],
            "reported_data_bytes": sum(a.get("DataBytes", 0) for a in answers),
            "client_retries": retries, "first_failure": first_failure,
            "cpu_s": round(cpu, 2), "load_avg_1m": round(load_avg, 2),
            "fe_vm_hwm_kib": hwm, "fe_vm_hwm_before_kib": base_hwm, **sizes}


def duckdb_once(args, backend, rep):
    db = os.path.join(args.work, f"duckdb-{backend}-{rep}.duckdb")
    csv = os.path.join(args.csv_dir, "all.csv")
    load_avg = os.getloadavg()[0]
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "duckdb", "--csv", csv, "--db", db],
                       capture_output=True, text=True)
    wall = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit(f"bench_load: duckdb load failed: {r.stderr}")
    inner = json.loads(r.stdout)
    if inner["rows"] != args.rows:
        sys.exit(f"bench_load: duckdb loaded {inner['rows']} rows, expected {args.rows}")
    for p in glob.glob(db + "*"):
        os.remove(p)
    return {"engine": "duckdb", "backend": backend, "mode": "single", "rep": rep, "loads": 1, "rows": inner["rows"],
            "csv_bytes": os.path.getsize(csv), "wall_s": round(inner["load_s"], 3),
            "process_wall_s": round(wall, 3), "cpu_s": round(inner["cpu_s"], 2), "load_avg_1m": round(load_avg, 2),
            "db_file_bytes": inner["db_file_bytes"],
            "peak_rss_kib": inner["peak_rss_kib"], "duckdb_version": inner["version"], "threads": inner["threads"]}


def cmd_duckdb(args):
    import resource
    import duckdb
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    con = duckdb.connect(args.db)
    con.execute(DUCKDB_DDL)
    con.execute(f"COPY {TABLE} FROM '{args.csv}' (FORMAT csv, HEADER false, DELIMITER ',')")
    con.execute("CHECKPOINT")
    con.close()
    load_s = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    con = duckdb.connect(args.db, read_only=True)
    rows = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()
    print(json.dumps({"rows": rows, "load_s": load_s, "cpu_s": cpu_s, "db_file_bytes": os.path.getsize(args.db),
                      "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "version": duckdb.__version__, "threads": threads}))


def cmd_run(args):
    args.strata = os.path.abspath(args.strata)
    parts = sorted(glob.glob(os.path.join(args.csv_dir, "part-*.csv")))
    whole = [os.path.join(args.csv_dir, "all.csv")]
    files = {"single": whole, "seq": parts, "conc": parts}
    modes = args.modes.split(",")
    if ("seq" in modes or "conc" in modes) and not parts:
        sys.exit("bench_load: no part-*.csv in --csv-dir")
    taken = set()
    with open(args.results, "a") as out:
        for backend in args.backends.split(","):
            for rep in range(1, args.reps + 1):
                for mode in modes:
                    log(f"{backend} rep {rep}/{args.reps}: strata {mode} ({len(files[mode])} load(s))")
                    rec = strata_once(args, backend, mode, rep, files[mode], taken)
                    log(f"  {rec['wall_s']} s (CPU {rec['cpu_s']} s, loadavg {rec['load_avg_1m']}), "
                        f"{rec['rows'] / rec['wall_s']:,.0f} rows/s, "
                        f"FE VmHWM {rec['fe_vm_hwm_kib'] / 1024:,.0f} MiB, data/ {rec['data_bytes']:,} B")
                    out.write(json.dumps(rec) + "\n")
                    out.flush()
                log(f"{backend} rep {rep}/{args.reps}: duckdb")
                rec = duckdb_once(args, backend, rep)
                log(f"  {rec['wall_s']} s (CPU {rec['cpu_s']} s, loadavg {rec['load_avg_1m']}), "
                    f"{rec['rows'] / rec['wall_s']:,.0f} rows/s")
                out.write(json.dumps(rec) + "\n")
                out.flush()


# ---- report -------------------------------------------------------------------------------------------------

MODE_TEXT = {"single": "1 load of all rows", "seq": "{n} loads, one after another", "conc": "{n} loads at once"}


def fmt_int(x):
    return f"{x:,.0f}"


def cmd_report(args):
    recs = [json.loads(line) for line in open(args.results) if line.startswith("{")]
    meta = json.load(open(args.meta)) if args.meta else {}
    backends = list(dict.fromkeys(r["backend"] for r in recs))
    lines = []
    w = lines.append
    w("# bench/load: stream load into Strata (S3 and local volume) vs DuckDB COPY of the same CSV")
    w("")
    for k in ("when", "machine", "command", "data", "s3", "strata", "duckdb", "method"):
        if k in meta:
            w(f"- {k}: {meta[k]}")
    w("")
    goal_rows = []
    table = ["| backend | engine | how | wall s (median) | runs s | rows/s | MB/s | **vs DuckDB** | per round | "
             "CPU s | vs DuckDB by CPU | peak RSS MiB | client retries | load avg at start |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    sizes = ["| backend | how | CSV bytes | data/ bytes | of which .sdf (files) | .tm bytes | CSV / data/ | "
             "committed data files (answers' DataBytes) | CSV / committed |", "|---|---|---|---|---|---|---|---|---|"]
    for backend in backends:
        duck = [r for r in recs if r["backend"] == backend and r["engine"] == "duckdb"]
        duck_rps = statistics.median(r["rows"] / r["wall_s"] for r in duck) if duck else None
        duck_cpu = statistics.median(r["cpu_s"] for r in duck) if duck and "cpu_s" in duck[0] else None
        duck_by_rep = {r["rep"]: r for r in duck}
        groups = [("strata", m) for m in ("single", "seq", "conc")] + [("duckdb", "single")]
        for engine, mode in groups:
            rs = sorted((r for r in recs if r["backend"] == backend and r["engine"] == engine and r["mode"] == mode),
                        key=lambda r: r["rep"])
            if not rs:
                continue
            wall = statistics.median(r["wall_s"] for r in rs)
            csv = rs[0]["csv_bytes"]
            rps = statistics.median(r["rows"] / r["wall_s"] for r in rs)
            mbps = statistics.median(r["csv_bytes"] / r["wall_s"] / 1e6 for r in rs)
            ratio = rps / duck_rps if duck_rps else None
            cpu = statistics.median(r["cpu_s"] for r in rs) if "cpu_s" in rs[0] else None
            if engine == "strata":
                rss = statistics.median(r["fe_vm_hwm_kib"] for r in rs) / 1024
                how = MODE_TEXT[mode].format(n=rs[0]["loads"])
            else:
                rss = statistics.median(r["peak_rss_kib"] for r in rs) / 1024
                how = "COPY FROM all.csv"
            runs = ", ".join(f"{r['wall_s']:.1f}" for r in rs)
            loads = ", ".join(f"{r['load_avg_1m']:.1f}" for r in rs if "load_avg_1m" in r)
            cpu_text = f"{cpu:.1f}" if cpu is not None else ""
            if engine == "strata":
                per_round = ", ".join(f"{duck_by_rep[r['rep']]['wall_s'] / r['wall_s']:.2f}" for r in rs
                                      if r["rep"] in duck_by_rep)
                by_cpu = duck_cpu / cpu if cpu and duck_cpu else None
                retries = ", ".join(str(r.get("client_retries", 0)) for r in rs)
                table.append(f"| {backend} | strata | {how} | {wall:.1f} | {runs} | {fmt_int(rps)} | {mbps:.1f} | "
                             f"**{ratio:.2f}** | {per_round} | {cpu_text} | "
                             f"{'' if by_cpu is None else f'{by_cpu:.2f}'} | {fmt_int(rss)} | {retries} | {loads} |")
                goal_rows.append((backend, how, ratio, per_round, by_cpu))
                d = statistics.median(r["data_bytes"] for r in rs)
                sdf = statistics.median(r["sdf_bytes"] for r in rs)
                files = statistics.median(r["sdf_files"] for r in rs)
                tm = statistics.median(r["tm_bytes"] for r in rs)
                committed = statistics.median(r["reported_data_bytes"] for r in rs)
                sizes.append(f"| {backend} | {how} | {fmt_int(csv)} | {fmt_int(d)} | {fmt_int(sdf)} ({files:.0f}) | "
                             f"{fmt_int(tm)} | **{csv / d:.2f}x** | {fmt_int(committed)} | {csv / committed:.2f}x |")
            else:
                table.append(f"| {backend} | duckdb | {how} | {wall:.1f} | {runs} | {fmt_int(rps)} | {mbps:.1f} | "
                             f"| | {cpu_text} | | {fmt_int(rss)} | | {loads} |")
                db = statistics.median(r["db_file_bytes"] for r in rs)
                sizes.append(f"| (duckdb, local disk) | {how} | {fmt_int(csv)} | {fmt_int(db)} (database file) | | | "
                             f"**{csv / db:.2f}x** | | |")
    w("## Goal")
    w("")
    w("| goal | backend | how | Strata rows/s / DuckDB rows/s (medians) | per round | by CPU time | verdict |")
    w("|---|---|---|---|---|---|---|")
    for backend, how, ratio, per_round, by_cpu in goal_rows:
        w(f"| >= 0.5x DuckDB | {backend} | {how} | {ratio:.2f} | {per_round} | "
          f"{'' if by_cpu is None else f'{by_cpu:.2f}'} | {'**met**' if ratio >= 0.5 else '**not met**'} |")
    w("")
    w("## Throughput")
    w("")
    lines.extend(table)
    w("")
    w("Throughput = rows (or CSV bytes, MB = 10^6 B) / wall time; medians over the rounds. vs DuckDB = Strata "
      "rows/s / DuckDB rows/s, DuckDB's median from the same backend's rounds (DuckDB itself always loads from "
      "and into local disk); per round = the same with the DuckDB load of that round (run right after). "
      "CPU s = user + system CPU of the FE process over the load(s) (/proc/<pid>/stat; the curl clients not "
      "counted), of the DuckDB process over connect .. close; vs DuckDB by CPU = DuckDB CPU s / Strata CPU s, "
      "less sensitive than wall time to the other work on the machine. Peak RSS: Strata = the FE's VmHWM after "
      "the load(s) (a fresh FE each time); DuckDB = ru_maxrss of its process. Client retries (per round): "
      f"loads answered Fail with a retryable message (commit conflicts) and sent again with the same label, up to "
      f"{RETRIES_MAX} times each; the wall time includes them. Load avg = the machine's 1-minute load average "
      "when the measurement started (2 cores: above 2 means other work was waiting for the CPU).")
    w("")
    w("## Stored size")
    w("")
    lines.extend(sizes)
    w("")
    w("data/ = every object under the volume's `<lineage>/data/` prefix right after the load (data files `.sdf` "
      "and tablet metadata `.tm`; the metadata log and images are not counted). Compression ratio = CSV bytes / "
      "data/ bytes. data/ also holds what the FE's background compaction wrote during the split loads and the "
      "files of failed commit attempts, until vacuum removes the replaced ones after its grace period; the "
      "committed data files (the sum of DataBytes in the successful answers) are the loaded rows once.")
    server = [r for r in recs if r["engine"] == "strata"]
    if server:
        w("")
        w("## Where the time goes (Strata)")
        w("")
        w("| backend | how | wall s | sum of server LoadTimeMs s | max server LoadTimeMs s | upload + other s "
          "(wall - max for one load) |")
        w("|---|---|---|---|---|---|")
        for backend in backends:
            for mode in ("single", "seq", "conc"):
                rs = [r for r in server if r["backend"] == backend and r["mode"] == mode]
                if not rs:
                    continue
                r = sorted(rs, key=lambda r: r["wall_s"])[len(rs) // 2]
                ms = [x or 0 for x in r["server_load_ms"]]
                other = f"{r['wall_s'] - ms[0] / 1000:.1f}" if len(ms) == 1 else ""
                w(f"| {backend} | {MODE_TEXT[mode].format(n=r['loads'])} | {r['wall_s']:.1f} | {sum(ms) / 1000:.1f} | "
                  f"{max(ms) / 1000:.1f} | {other} |")
        w("")
        w("LoadTimeMs = the FE's own time for a load (parse, route, write the data files, commit), from its answer; "
          "it starts once the whole body has arrived.")
    failures = {}
    for r in server:
        if r.get("first_failure"):
            msg = re.sub(r"\b\d{13}-[0-9a-f]{16}\b", "<txn>", r["first_failure"])
            msg = re.sub(r"tablet \d+", "tablet <id>", msg)
            failures.setdefault(msg, []).append(f"{r['backend']} {r['mode']} round {r['rep']}: {r['client_retries']}")
    if failures:
        w("")
        w("Retryable failures answered by the FE (first message of each kind; where: retries):")
        w("")
        for msg, where in failures.items():
            w(f"- `{msg}` — {'; '.join(where)}")
    if args.notes and os.path.exists(args.notes):
        w("")
        lines.extend(open(args.notes).read().rstrip("\n").split("\n"))
    w("")
    w("<details><summary>raw measurements (JSON lines)</summary>")
    w("")
    w("```")
    lines.extend(json.dumps(r) for r in recs)
    w("```")
    w("</details>")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--strata", required=True)
    r.add_argument("--csv-dir", required=True)
    r.add_argument("--rows", type=int, required=True)
    r.add_argument("--work", required=True)
    r.add_argument("--results", required=True)
    r.add_argument("--backends", default="s3,local")
    r.add_argument("--reps", type=int, default=3)
    r.add_argument("--modes", default="single,seq,conc")
    d = sub.add_parser("duckdb")
    d.add_argument("--csv", required=True)
    d.add_argument("--db", required=True)
    p = sub.add_parser("report")
    p.add_argument("results")
    p.add_argument("--meta")
    p.add_argument("--notes")
    args = ap.parse_args()
    {"run": cmd_run, "duckdb": cmd_duckdb, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()

"""Strata for the TPC-H benchmark: one `strata fe` over a local directory (mode "local": the FE does the
tablet work), or one FE + one `strata cn` over an S3 volume (mode "s3": scans run on the CN through its disk
cache; `restart_cn_cold()` gives the CN a fresh, empty cache directory). Built on test/e2e's harness: every
process is started on 127.0.0.1 and killed by its PID at exit.
"""

import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "test", "e2e"))

import harness  # noqa: E402
from harness import Cluster, http  # noqa: E402
from test_cn_liveness import Cn  # noqa: E402

import pymysql  # noqa: E402

from schema import TABLES, strata_ddl  # noqa: E402

LOAD_CHUNK_ROWS = 1_500_000  # one stream load per chunk of a large .tbl file


def s3_volume_from_env(name):
    keys = ["ENDPOINT", "BUCKET", "ACCESS_KEY", "SECRET_KEY"]
    env = {k: os.environ.get("STRATA_TEST_S3_" + k, "") for k in keys}
    if not all(env.values()):
        sys.exit("bench_tpch: mode s3 needs STRATA_TEST_S3_ENDPOINT/_BUCKET/_ACCESS_KEY/_SECRET_KEY "
                 "(source the env file of scripts/s3/start-ceph.sh or start-minio.sh)")
    prefix = f"bench-{name}-{int(time.time())}"
    vol = {"cloud_native_storage_type": "S3", "aws_s3_path": f"{env['BUCKET']}/{prefix}",
           "aws_s3_endpoint": env["ENDPOINT"], "aws_s3_region": os.environ.get("STRATA_TEST_S3_REGION", "us-east-1"),
           "aws_s3_access_key": env["ACCESS_KEY"], "aws_s3_secret_key": env["SECRET_KEY"]}
    return vol, prefix


class StrataTpch:
    def __init__(self, mode, cache_bytes=16 << 30):
        self.mode = mode
        self.cluster = Cluster(f"bench-tpch-{mode}", None)
        self.cn = None
        self.prefix = None
        self.cache_bytes = cache_bytes
        self.cold_runs = 0

    def start(self):
        c = self.cluster
        if self.mode == "s3":
            c.volume, self.prefix = s3_volume_from_env("tpch")
        else:
            c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        self.fe = c.add_fe()
        self.fe.start().wait_ready()
        self.fe.wait_query_port()
        c.leader()
        if self.mode == "s3":
            self.cn = Cn(c, 0, f"127.0.0.1:{self.fe.conf['rpc_port']}")
            self.cn.conf["cache_capacity_bytes"] = self.cache_bytes
            self.cn.conf["cache_dir"] = self._fresh_cache_dir()
            self.cn.write_conf()
            self.cn.start()
            self._wait_cn_alive()
        self.conn = self._connect(None)
        return self

    def _connect(self, db):
        return pymysql.connect(host="127.0.0.1", port=self.fe.query_port, user="root", password="", conv={},
                               read_timeout=3600, autocommit=True, database=db)

    def _fresh_cache_dir(self):
        self.cold_runs += 1
        path = os.path.join(self.cluster.dir, f"cn-cache-{self.cold_runs}")
        os.makedirs(path)
        return path

    def _wait_cn_alive(self, timeout=60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, body = self.fe.get("/api/cn", timeout=3)
            nodes = body.get("nodes", []) if status == 200 and isinstance(body, dict) else []
            if any(n.get("alive") and not n.get("suspect") and n.get("heartbeat_port") == self.cn.heartbeat_port
                   for n in nodes) and self.cn.status()[0] == 200:
                return
            if not self.cn.running():
                sys.exit(f"bench_tpch: cn exited:\n{self.cn.log_tail()}")
            time.sleep(0.1)
        sys.exit(f"bench_tpch: cn not alive after {timeout}s: {body}")

    def restart_cn_cold(self):
        """Stops the CN, removes its cache directory, starts it on a new empty one: the next scan reads S3."""
        old = self.cn.conf["cache_dir"]
        self.cn.stop()
        shutil.rmtree(old, ignore_errors=True)
        self.cn.conf["cache_dir"] = self._fresh_cache_dir()
        self.cn.write_conf()
        self.cn.start()
        self._wait_cn_alive()

    def cn_metric(self, name):
        """Sum of a counter over its labels on the CN's /metrics (0 if absent)."""
        status, text = http("GET", f"127.0.0.1:{self.cn.http_port}", "/metrics", timeout=5)
        if status != 200:
            sys.exit(f"bench_tpch: cn /metrics: {status}")
        return sum(float(line.split()[-1]) for line in text.splitlines()
                   if line.startswith(name + "{") or line.startswith(name + " "))

    def sql(self, query):
        cur = self.conn.cursor()
        cur.execute(query)
        return cur.fetchall()

    def load(self, db, data_dir, sf):
        self.sql(f"CREATE DATABASE {db}")
        for table in TABLES:
            self.sql(strata_ddl(db, table, sf))
            path = os.path.join(data_dir, f"{table}.tbl")
            if table == "lineitem" and self.mode == "s3":
                self.keys_before_lineitem = set(k for k, _ in self.list_data_files())
            t0 = time.time()
            chunks = self._chunks(path)
            for i, chunk in enumerate(chunks):
                self._stream_load(db, table, chunk, f"tpch_{table}_{i}")
            if chunks != [path]:
                shutil.rmtree(os.path.dirname(chunks[0]), ignore_errors=True)
            print(f"strata: loaded {table} ({len(chunks)} stream loads) in {time.time() - t0:.1f}s",
                  file=sys.stderr, flush=True)
        self.conn = self._connect(db)

    def _chunks(self, path):
        with open(path, "rb") as f:
            lines = sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 24), b""))
        if lines <= LOAD_CHUNK_ROWS:
            return [path]
        out = os.path.join(self.cluster.dir, "chunks-" + os.path.basename(path))
        os.makedirs(out)
        subprocess.run(["split", "-l", str(LOAD_CHUNK_ROWS), "-d", "-a", "3", path, os.path.join(out, "c")],
                       check=True)
        return sorted(os.path.join(out, n) for n in os.listdir(out))

    def _stream_load(self, db, table, path, label):
        load = subprocess.run(["curl", "-sS", "--fail-with-body", "-u", "root:", "-H", f"label:{label}",
                               "-H", "column_separator:|", "-H", "format:csv", "-H", "Expect:100-continue",
                               "-T", path, f"http://{self.fe.addr}/api/{db}/{table}/_stream_load"],
                              capture_output=True, text=True)
        try:
            answer = json.loads(load.stdout)
        except ValueError:
            answer = {}
        if load.returncode != 0 or answer.get("Status") != "Success":
            sys.exit(f"bench_tpch: stream load {label} failed: {load.stdout[:500]} {load.stderr[:500]}")

    def list_data_files(self):
        """(key, size) of the volume's data files (<tablet>/data/*.sdf) in S3."""
        import s3raw
        return [(k, n) for k, n in s3raw.list_keys(self.prefix + "/") if "/data/tablets/" in k and k.endswith(".sdf")]

    def lineitem_data_files(self):
        """The data files lineitem's loads wrote (lineitem is loaded last): what a full scan of it reads."""
        return [(k, n) for k, n in self.list_data_files() if k not in self.keys_before_lineitem]

    def stop(self, ok):
        if self.cn and self.cn.running():
            self.cn.stop()
        self.cluster.cleanup(ok)

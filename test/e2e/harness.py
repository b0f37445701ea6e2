"""End-to-end harness: real `strata fe` processes on 127.0.0.1 (Python 3 stdlib only).

    with Cluster("smoke", volume=local_volume(tmp)) as c:
        fe = c.add_fe(); fe.start(); fe.wait_ready()
        fe.change({"type": "create_database", "name": "db1"})

Every process the harness starts is recorded by PID and killed at exit (also
on failure); the temp dir is removed unless STRATA_TEST_KEEP=1. The binary is
$STRATA_BIN, else build/programs/strata (or build-fe/programs/strata).
S3: STRATA_TEST_S3_ENDPOINT/_REGION/_BUCKET/_ACCESS_KEY/_SECRET_KEY; a test
without them exits 77 (skipped) unless STRATA_TEST_REQUIRE_S3=1 (then fails).
"""

from http.client import HTTPException
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_handed_ports = set()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def fail(msg):
    log("FAIL: " + msg)
    raise AssertionError(msg)


def binary():
    env = os.environ.get("STRATA_BIN")
    if env:
        return env
    for build in ("build", "build-fe"):
        path = os.path.join(REPO, build, "programs", "strata")
        if os.path.exists(path):
            return path
    fail("strata binary not found: set STRATA_BIN or build build/programs/strata")


def free_port():
    """A port free on 127.0.0.1 now and not handed out before in this process."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_ports:
            _handed_ports.add(port)
            return port
    fail("no free port")


def seed_from_env():
    seed = int(os.environ.get("STRATA_TEST_SEED", str(random.SystemRandom().randrange(1 << 31))))
    log(f"seed {seed} (reproduce with STRATA_TEST_SEED={seed})")
    return seed


def local_volume(root):
    os.makedirs(root, exist_ok=True)
    return {"storage_root": root}


def s3_volume_or_skip(test_name):
    """fe.conf keys for the S3 server from the environment, under a unique prefix."""
    keys = ["ENDPOINT", "REGION", "BUCKET", "ACCESS_KEY", "SECRET_KEY"]
    env = {k: os.environ.get("STRATA_TEST_S3_" + k, "") for k in keys}
    missing = [k for k in keys if not env[k] and k != "REGION"]
    if missing:
        msg = f"{test_name}: STRATA_TEST_S3_{missing[0]} is not set: no S3 server"
        if os.environ.get("STRATA_TEST_REQUIRE_S3") == "1":
            log("FAIL: " + msg + " but STRATA_TEST_REQUIRE_S3=1")
            sys.exit(1)
        log("SKIP: " + msg)
        sys.exit(SKIP)
    prefix = f"e2e-{test_name}-{int(time.time())}-{random.SystemRandom().randrange(1 << 30):x}"
    return {
        "cloud_native_storage_type": "S3",
        "aws_s3_path": f"{env['BUCKET']}/{prefix}",
        "aws_s3_endpoint": env["ENDPOINT"],
        "aws_s3_region": env["REGION"] or "us-east-1",
        "aws_s3_access_key": env["ACCESS_KEY"],
        "aws_s3_secret_key": env["SECRET_KEY"],
    }


def http(method, addr, path, body=None, timeout=10.0):
    """(status, parsed JSON or text); status None when the FE is unreachable."""
    data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
    if isinstance(data, str):
        data = data.encode()
    req = urllib.request.Request(f"http://{addr}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                status, raw = res.status, res.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
    # A server killed between its headers and its body (IncompleteRead) is as unreachable as one that refused.
    except (urllib.error.URLError, OSError, HTTPException) as e:
        return None, str(e)
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def data_dump(query):
    """Databases, their tables and every table's rows (sorted), read through `query(sql) -> rows`: what a restore
    must bring back, comparable with ==."""
    out = {}
    dbs = sorted(r[0] for r in query("SHOW DATABASES") if r[0] not in ("information_schema", "_statistics_"))
    out["databases"] = dbs
    for db in dbs:
        tables = sorted(r[0] for r in query(f"SHOW TABLES FROM {db}"))
        out[f"tables {db}"] = tables
        for t in tables:
            out[f"rows {db}.{t}"] = sorted(tuple(r) for r in query(f"SELECT * FROM {db}.{t}"))
    return out


def database_names(catalog_json):
    """Database names in a Catalog::ToJson() document (a list or a map by id), with repeats."""
    dbs = (catalog_json or {}).get("databases", [])
    items = dbs.values() if isinstance(dbs, dict) else dbs
    return [d["name"] for d in items]


class Fe:
    def __init__(self, cluster, index, extra_conf):
        self.cluster = cluster
        self.index = index
        self.dir = os.path.join(cluster.dir, f"fe{index}")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.conf_path = os.path.join(self.dir, "fe.conf")
        self.log_path = os.path.join(self.dir, "fe.log")
        self.proc = None
        self.conf = {
            "http_port": self.port, "rpc_port": free_port(), "query_port": free_port(),
            "edit_log_port": free_port(), "run_mode": "shared_data",
            "cluster_name": cluster.name, "meta_dir": os.path.join(self.dir, "meta"),
            "host": "127.0.0.1", "meta_lease_ms": 2000, "meta_poll_ms": 50,
        }
        self.conf.update(cluster.volume)
        self.conf.update(extra_conf)
        self.write_conf()

    def write_conf(self, extra_lines=""):
        with open(self.conf_path, "w") as f:
            f.write("# generated by test/e2e/harness.py\n")
            for k, v in self.conf.items():
                f.write(f"{k} = {v}\n")
            f.write(extra_lines)

    def start(self, env=None):
        """Starts the FE; `env` adds variables to (or, with value None, removes them from) its environment."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        child_env = None
        if env:
            child_env = dict(os.environ)
            for k, v in env.items():
                if v is None:
                    child_env.pop(k, None)
                else:
                    child_env[k] = str(v)
        logf = open(self.log_path, "ab")
        extra = "".join(f" {k}={v}" for k, v in (env or {}).items())
        logf.write(f"---- start {time.strftime('%H:%M:%S')}{extra}\n".encode())
        logf.flush()
        self.proc = subprocess.Popen([binary(), "fe", "--conf", self.conf_path], stdout=logf, stderr=logf,
                                     stdin=subprocess.DEVNULL, cwd=self.dir, env=child_env)
        logf.close()
        self.cluster.pids.add(self.proc.pid)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.cluster.pids.discard(self.proc.pid)

    def stop(self, timeout=15.0):
        """SIGTERM, wait; returns the exit code (SIGKILL after `timeout`)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"fe{self.index}: no exit {timeout}s after SIGTERM; SIGKILL")
            self.kill9()
        self.cluster.pids.discard(self.proc.pid)
        return self.proc.returncode

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def wait_ready(self, timeout=60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.running():
                fail(f"fe{self.index} exited with {self.proc.returncode} before ready:\n{self.log_tail()}")
            status, _ = http("GET", self.addr, "/api/ready", timeout=2)
            if status == 200:
                return self
            time.sleep(0.1)
        fail(f"fe{self.index} not ready after {timeout}s:\n{self.log_tail()}")

    @property
    def query_port(self):
        """The FE's MySQL-protocol port (fe.conf `query_port`)."""
        return int(self.conf["query_port"])

    def wait_query_port(self, timeout=30.0):
        """Waits until query_port accepts a TCP connection (the MySQL listener is up)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.running():
                fail(f"fe{self.index} exited with {self.proc.returncode} before query_port opened:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.query_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        fail(f"fe{self.index}: query_port {self.query_port} not accepting after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def get(self, path, timeout=10.0):
        return http("GET", self.addr, path, timeout=timeout)

    def post(self, path, body=None, timeout=15.0):
        return http("POST", self.addr, path, body if body is not None else b"", timeout=timeout)

    def change(self, change, timeout=15.0):
        return self.post("/api/meta/change", change, timeout)

    def status(self):
        return self.get("/api/meta/status", timeout=3)

    def catalog(self):
        status, body = self.get("/api/meta/catalog")
        if status != 200:
            fail(f"fe{self.index} catalog: {status} {body}")
        return body


class Cluster:
    def __init__(self, name, volume, keep_dir=None):
        self.name = name
        self.volume = volume
        self.dir = keep_dir or tempfile.mkdtemp(prefix=f"strata-e2e-{name}.")
        self.fes = []
        self.pids = set()

    def add_fe(self, **extra_conf):
        fe = Fe(self, len(self.fes), extra_conf)
        self.fes.append(fe)
        return fe

    def leader(self, timeout=30.0):
        """The FE that says it is the leader (and that the others agree on)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for fe in self.fes:
                if fe.running():
                    status, body = fe.status()
                    if status == 200 and body.get("is_leader"):
                        return fe
            time.sleep(0.05)
        fail(f"no leader within {timeout}s")

    def wait_converged(self, timeout=60.0):
        """Every running FE ready and at the same version; returns that version."""
        deadline = time.time() + timeout
        versions = {}
        while time.time() < deadline:
            versions = {}
            for fe in self.fes:
                if fe.running():
                    status, body = fe.status()
                    versions[fe.index] = body.get("version") if status == 200 and body.get("ready") else None
            if None not in versions.values() and len(set(versions.values())) == 1:
                return next(iter(versions.values()))
            time.sleep(0.1)
        fail(f"FEs did not converge within {timeout}s: versions {versions}")

    def cleanup(self, ok):
        for fe in self.fes:
            if fe.running():
                fe.proc.kill()
                fe.proc.wait()
        for pid in list(self.pids):  # anything started and not reaped above
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not ok:
            for fe in self.fes:
                log(f"---- fe{fe.index} log tail ({fe.log_path}):\n{fe.log_tail(40)}")
        if ok and os.environ.get("STRATA_TEST_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            log(f"kept {self.dir}")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.cleanup(exc_type is None)
        return False


def main(test_fn):
    """Runs `test_fn()`; exit 0 on success, 1 on failure (77 from a skip)."""
    start = time.time()
    try:
        test_fn()
    except AssertionError as e:
        log(f"FAILED after {time.time() - start:.1f}s: {e}")
        sys.exit(1)
    log(f"PASSED in {time.time() - start:.1f}s")
    sys.exit(0)

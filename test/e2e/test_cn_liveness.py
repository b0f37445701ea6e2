"""Compute nodes register through heartbeats and their liveness follows them.

Two FEs and two `strata cn` processes over a local-directory volume; the CNs
are configured with the follower FE's address only:
  1. both CNs register (the follower forwards AddComputeNode to the leader), learn
     the leader from the answer and heartbeat it too: /api/cn on both FEs shows them alive;
  2. a CN claiming another's identity port cannot start;
  3. kill -9 of one CN: the FE marks it dead within cn_liveness_timeout_ms, the other stays alive;
  4. the killed CN restarts and is alive again under the same id (no second catalog entry);
  5. SIGTERM stops the CNs cleanly.
"""

import os
import signal
import subprocess
import time

import harness
from harness import Cluster, fail, free_port, http, local_volume, log

LIVENESS_TIMEOUT_MS = 3000
HEARTBEAT_INTERVAL_MS = 300


class Cn:
    """A `strata cn` process with its own cn.conf and log, killed by PID at exit."""

    def __init__(self, cluster, index, fe_rpc_address):
        self.cluster = cluster
        self.index = index
        self.dir = os.path.join(cluster.dir, f"cn{index}")
        os.makedirs(self.dir, exist_ok=True)
        self.http_port = free_port()
        self.heartbeat_port = free_port()
        self.conf = {
            "host": "127.0.0.1", "heartbeat_service_port": self.heartbeat_port, "be_port": free_port(),
            "be_http_port": self.http_port, "fe_address": fe_rpc_address,
            "storage_root_path": os.path.join(self.dir, "storage"), "cache_capacity_bytes": 64 << 20,
            "heartbeat_interval_ms": HEARTBEAT_INTERVAL_MS,
        }
        self.conf_path = os.path.join(self.dir, "cn.conf")
        self.log_path = os.path.join(self.dir, "cn.log")
        self.proc = None
        self.write_conf()

    def write_conf(self):
        with open(self.conf_path, "w") as f:
            for k, v in self.conf.items():
                f.write(f"{k} = {v}\n")

    def start(self, env=None):
        """Starts the CN; `env` adds variables to its environment (e.g. STRATA_FAILPOINTS)."""
        logf = open(self.log_path, "ab")
        child_env = dict(os.environ, **env) if env else None
        self.proc = subprocess.Popen([harness.binary(), "cn", "--conf", self.conf_path], stdout=logf, stderr=logf,
                                     stdin=subprocess.DEVNULL, cwd=self.dir, env=child_env)
        logf.close()
        self.cluster.pids.add(self.proc.pid)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.cluster.pids.discard(self.proc.pid)

    def stop(self, timeout=15.0):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self.cluster.pids.discard(self.proc.pid)
        return code

    def status(self):
        return http("GET", f"127.0.0.1:{self.http_port}", "/api/status", timeout=2)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"


def nodes_by_port(fe):
    status, body = fe.get("/api/cn", timeout=3)
    if status != 200:
        return {}
    return {n["heartbeat_port"]: n for n in body["nodes"]}


def wait_for(what, predicate, timeout, cns):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        for cn in cns:
            if cn.proc is not None and cn.proc.poll() is not None and cn.proc.returncode not in (-9, 0):
                fail(f"cn{cn.index} exited with {cn.proc.returncode}:\n{cn.log_tail()}")
        time.sleep(0.05)
    for cn in cns:
        log(f"---- cn{cn.index} log tail:\n{cn.log_tail()}")
    fail(f"{what}: not within {timeout}s")


def catalog_compute_nodes(fe):
    nodes = (fe.catalog().get("catalog") or {}).get("compute_nodes", {})
    return list(nodes.values()) if isinstance(nodes, dict) else nodes


def check_registration(c, fe, cns):
    def both_alive(f):
        nodes = nodes_by_port(f)
        return all(nodes.get(cn.heartbeat_port, {}).get("alive") for cn in cns) and nodes
    for other in c.fes:
        if other is not fe:
            wait_for(f"both CNs alive in fe{other.index}'s /api/cn", lambda: both_alive(other), 30, cns)
    nodes = wait_for(f"both CNs alive in fe{fe.index}'s /api/cn", lambda: both_alive(fe), 30, cns)
    in_catalog = {n["heartbeat_port"]: n["id"] for n in catalog_compute_nodes(fe)}
    for cn in cns:
        node = nodes[cn.heartbeat_port]
        if in_catalog.get(cn.heartbeat_port) != node["id"]:
            fail(f"cn{cn.index}: catalog {in_catalog} does not hold id {node['id']}")
        status, body = cn.status()
        if status != 200 or body.get("node_id") != node["id"]:
            fail(f"cn{cn.index} /api/status says {status} {body}, FE says id {node['id']}")
        if node["rpc_port"] != cn.conf["be_port"] or node["http_port"] != cn.http_port:
            fail(f"cn{cn.index}: ports in /api/cn {node} differ from cn.conf")
    log(f"registered: {[(n['host'], n['heartbeat_port'], n['id']) for n in nodes.values()]}")
    return {cn.index: nodes[cn.heartbeat_port]["id"] for cn in cns}


def check_identity_port_is_exclusive(c, cns, fe_rpc):
    dup = Cn(c, 9, fe_rpc)
    dup.conf["heartbeat_service_port"] = cns[1].heartbeat_port
    dup.write_conf()
    dup.start()
    try:
        code = dup.proc.wait(20)
    except subprocess.TimeoutExpired:
        fail("a CN reusing another CN's heartbeat_service_port kept running")
    c.pids.discard(dup.proc.pid)
    if code != 1:
        fail(f"duplicate CN exited with {code}, want 1:\n{dup.log_tail()}")
    log("a second CN on the same identity port refuses to start")


def check_kill_and_restart(fe, cns, ids):
    victim, survivor = cns[0], cns[1]
    victim.kill9()
    killed_at = time.time()
    wait_for("killed CN marked dead", lambda: not nodes_by_port(fe)[victim.heartbeat_port]["alive"], 30, [survivor])
    elapsed = time.time() - killed_at
    log(f"killed cn{victim.index} marked dead after {elapsed:.2f}s (timeout {LIVENESS_TIMEOUT_MS} ms)")
    if elapsed > LIVENESS_TIMEOUT_MS / 1000 + 1.5:
        fail(f"dead only after {elapsed:.2f}s")
    if not nodes_by_port(fe)[survivor.heartbeat_port]["alive"]:
        fail("the surviving CN was marked dead too")
    victim.start()
    wait_for("restarted CN alive again", lambda: nodes_by_port(fe)[victim.heartbeat_port]["alive"], 30, cns)
    if nodes_by_port(fe)[victim.heartbeat_port]["id"] != ids[victim.index]:
        fail("the restarted CN came back under another id")
    if len(catalog_compute_nodes(fe)) != 2:
        fail(f"catalog compute nodes after restart: {catalog_compute_nodes(fe)}")
    log(f"cn{victim.index} re-registered as id {ids[victim.index]}")


def test():
    with Cluster("cn-liveness", volume=None) as c:
        c.volume = local_volume(os.path.join(c.dir, "volume"))
        for _ in range(2):
            c.add_fe(cn_liveness_timeout_ms=LIVENESS_TIMEOUT_MS).start()
        for f in c.fes:
            f.wait_ready()
        fe = c.leader()
        follower = next(f for f in c.fes if f is not fe)
        fe_rpc = f"127.0.0.1:{follower.conf['rpc_port']}"
        log(f"leader fe{fe.index}; the CNs know only follower fe{follower.index} ({fe_rpc})")
        cns = [Cn(c, i, fe_rpc).start() for i in range(2)]
        try:
            ids = check_registration(c, fe, cns)
            check_identity_port_is_exclusive(c, cns, fe_rpc)
            check_kill_and_restart(fe, cns, ids)
            for cn in cns:
                code = cn.stop()
                if code != 0:
                    fail(f"cn{cn.index} exited with {code} on SIGTERM:\n{cn.log_tail()}")
        except AssertionError:
            for cn in cns:
                log(f"---- cn{cn.index} log tail ({cn.log_path}):\n{cn.log_tail(40)}")
            raise


if __name__ == "__main__":
    harness.main(test)

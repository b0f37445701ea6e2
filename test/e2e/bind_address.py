"""bind_address: FEs and CNs bind bind_address while advertising host (what a Kubernetes pod needs).

An FE and a CN whose host is a DNS name that never resolves (a pod's name before the headless
Service publishes it) and whose bind_address is 127.0.0.1 must start: the FE becomes ready under
its advertised name and serves HTTP and MySQL on 127.0.0.1; the CN binds its ports on 127.0.0.1,
registers under host:heartbeat_service_port, and the FE sees it alive. A bind_address that is not
an IPv4 address makes `strata fe` and `strata cn` exit 2 naming the key. Local-directory volume.
"""

import os
import socket
import subprocess
import tempfile
import time

import harness
from harness import Cluster, fail, free_port, local_volume, log

FE_HOST = "strata-fe-0.strata-fe-peer.ns.svc.cluster.invalid"  # .invalid never resolves (RFC 2606)
CN_HOST = "strata-cn-0.strata-cn.ns.svc.cluster.invalid"
WAIT_S = 60  # a bound on waiting, not an assertion on speed


def expect(cond, msg):
    if not cond:
        fail(msg)


def write_conf(path, conf):
    with open(path, "w") as f:
        for k, v in conf.items():
            f.write(f"{k} = {v}\n")


def start_cn(cluster, conf):
    d = os.path.join(cluster.dir, "cn")
    os.makedirs(d, exist_ok=True)
    path, log_path = os.path.join(d, "cn.conf"), os.path.join(d, "cn.log")
    conf = dict(conf, storage_root_path=os.path.join(d, "storage"), cache_capacity_bytes=64 << 20)
    write_conf(path, conf)
    with open(log_path, "ab") as logf:
        proc = subprocess.Popen([harness.binary(), "cn", "--conf", path], stdout=logf, stderr=logf,
                                stdin=subprocess.DEVNULL, cwd=d)
    cluster.pids.add(proc.pid)
    return proc, log_path


def tail(path):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-20:])
    except OSError:
        return "(no log)"


def cn_alive(fe, heartbeat_port):
    status, body = fe.get("/api/cn")
    if status != 200 or not isinstance(body, dict):
        return False
    return any(n.get("host") == CN_HOST and n.get("heartbeat_port") == heartbeat_port and n.get("alive")
               for n in body.get("nodes", []))


def test():
    with Cluster("bind", local_volume(tempfile.mkdtemp(prefix="strata-e2e-bind-vol."))) as cluster:
        fe = cluster.add_fe(host=FE_HOST, bind_address="127.0.0.1")
        fe.start().wait_ready(timeout=WAIT_S)
        status, body = fe.status()
        expect(status == 200 and body.get("fe_name") == f"{FE_HOST}:{fe.port}",
               f"the FE advertises host: {status} {body}")
        fe.wait_query_port(timeout=WAIT_S)
        log(f"fe up as {body.get('fe_name')}, bound on 127.0.0.1")

        hb = free_port()
        proc, cn_log = start_cn(cluster, {"host": CN_HOST, "bind_address": "127.0.0.1", "heartbeat_service_port": hb,
                                          "be_port": free_port(), "be_http_port": free_port(),
                                          "fe_address": f"127.0.0.1:{fe.conf['rpc_port']}",
                                          "heartbeat_interval_ms": 200})
        deadline = time.time() + WAIT_S
        while not cn_alive(fe, hb):
            if proc.poll() is not None:
                fail(f"strata cn exited with {proc.returncode}:\n{tail(cn_log)}")
            if time.time() > deadline:
                fail(f"the CN {CN_HOST}:{hb} is not alive on the FE after {WAIT_S}s:\n{tail(cn_log)}")
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", hb), timeout=5):
            pass
        log(f"cn registered as {CN_HOST}:{hb}, bound on 127.0.0.1")
        proc.terminate()
        proc.wait(WAIT_S)
        cluster.pids.discard(proc.pid)

        bad_fe = cluster.add_fe(bind_address="fe.example")
        bad_fe.start()
        code = bad_fe.wait_exit(WAIT_S)
        expect(code == 2 and "bind_address" in bad_fe.log_tail(), f"strata fe with a bad bind_address: exit {code}:\n"
               f"{bad_fe.log_tail()}")
        proc, cn_log = start_cn(cluster, {"bind_address": "0.0.0.0:9050", "fe_address": "127.0.0.1:1",
                                          "heartbeat_service_port": free_port(), "be_port": free_port(),
                                          "be_http_port": free_port()})
        code = proc.wait(WAIT_S)
        cluster.pids.discard(proc.pid)
        expect(code == 2 and "bind_address" in tail(cn_log), f"strata cn with a bad bind_address: exit {code}:\n"
               f"{tail(cn_log)}")
        log("bad bind_address values: exit 2 naming the key")


if __name__ == "__main__":
    harness.main(test)

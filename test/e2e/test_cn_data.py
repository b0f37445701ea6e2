"""Loads and scans run on the compute nodes, survive a CN kill, and fall back to the FE without CNs.

One FE and two `strata cn` processes over a local-directory volume:
  1. a stream load and a SELECT go to the CNs (the FE's /api/cn counts remote calls, no fallback calls;
     the CNs' /metrics count TabletRpc calls);
  2. kill -9 of one CN, then at once a SELECT and a load: the calls to the dead node fail over to the
     other (it is marked suspect before the liveness timeout), and every row is there;
  3. kill -9 of the other CN: once both are dead the FE does the tablet work itself, rows intact;
  4. a CN comes back: tablet work goes to it again.
"""

import os
import time

import harness
from harness import Cluster, fail, http, log
from stream_load import count, csv_rows, sql, stream_load
from test_cn_liveness import LIVENESS_TIMEOUT_MS, Cn, nodes_by_port, wait_for


def tablet_calls(fe):
    status, body = fe.get("/api/cn", timeout=3)
    if status != 200:
        fail(f"/api/cn: {status} {body}")
    return body["tablet_service"]["remote_calls"], body["tablet_service"]["fallback_calls"]


def cn_rpc_calls(cn):
    status, text = http("GET", f"127.0.0.1:{cn.http_port}", "/metrics", timeout=3)
    if status != 200:
        fail(f"cn{cn.index} /metrics: {status}")
    return sum(int(float(line.split()[-1])) for line in text.splitlines()
               if line.startswith("strata_cn_rpc_calls_total"))


def load(fe, label, start, n):
    status, r = stream_load(fe, csv_rows(start, n), label=label, column_separator=",")
    if status != 200 or r.get("Status") != "Success" or r.get("NumberLoadedRows") != n:
        fail(f"load {label}: {status} {r}")


def expect_rows(fe, want, what):
    # COUNT(k), not COUNT(*): a bare COUNT(*) is answered from tablet metadata
    # without a scan, and this test follows the scans to the CNs.
    got = int(sql(fe, "SELECT COUNT(k) FROM sl.t")[0][0])
    if got != want:
        fail(f"{what}: {got} rows, expected {want}")


def on_compute_nodes(fe, cns):
    load(fe, "on-cns", 0, 2000)
    expect_rows(fe, 2000, "after a load through the CNs")
    remote, fallback = tablet_calls(fe)
    if remote == 0 or fallback != 0:
        fail(f"tablet work not on the CNs: remote {remote}, fallback {fallback}")
    served = [cn_rpc_calls(cn) for cn in cns]
    if min(served) == 0:
        fail(f"a CN served no TabletRpc call (32 tablets spread over both): {served}")
    log(f"load + scan on the CNs: {remote} remote calls, per CN {served}")


def failover(fe, cns):
    cns[0].kill9()
    expect_rows(fe, 2000, "right after kill -9 of cn0")  # well within the liveness timeout
    load(fe, "after-kill", 10_000, 500)
    expect_rows(fe, 2500, "after a load with cn0 dead")
    node = nodes_by_port(fe)[cns[0].heartbeat_port]
    if node["alive"]:
        fail(f"cn0 still alive after failed calls: {node}")
    log(f"cn0 killed: scans and loads failed over (cn0 suspect={node['suspect']})")


def fallback(fe, cns):
    cns[1].kill9()
    wait_for("both CNs dead", lambda: not any(n["alive"] for n in nodes_by_port(fe).values()),
             LIVENESS_TIMEOUT_MS / 1000 + 10, [])
    _, before = tablet_calls(fe)
    expect_rows(fe, 2500, "with no CN alive")
    load(fe, "no-cn", 20_000, 100)
    expect_rows(fe, 2600, "after a load with no CN")
    _, after = tablet_calls(fe)
    if after <= before:
        fail("no CN alive but the FE did not do the tablet work itself")
    log(f"no CN alive: the FE did the work ({after - before} in-process calls)")


def comeback(fe, cns):
    cns[0].start()
    wait_for("cn0 alive again", lambda: nodes_by_port(fe)[cns[0].heartbeat_port]["alive"], 30, cns[:1])
    remote_before, _ = tablet_calls(fe)
    expect_rows(fe, 2600, "after cn0 came back")
    remote_after, _ = tablet_calls(fe)
    if remote_after <= remote_before:
        fail("cn0 is back but tablet work stayed in the FE")
    log("cn0 back: tablet work on the CN again")


def crash_during_load(fe, cns):
    """kill -9 of a CN in the middle of a load, before and after it stores a data file: the load either
    commits whole (and a retry of its label loads nothing) or fails whole (and the retry loads it once)."""
    want = count(fe)
    for i, point in enumerate(["cn_before_write_rowset", "cn_after_write_rowset"]):
        before = nodes_by_port(fe)[cns[0].heartbeat_port]["started_ms"]
        cns[0].kill9()
        cns[0].start(env={"STRATA_FAILPOINTS": f"{point}=crash@3"})

        def restarted():
            node = nodes_by_port(fe)[cns[0].heartbeat_port]
            return node["alive"] and not node["suspect"] and node["started_ms"] != before
        wait_for("cn0 restarted and heard", restarted, 30, cns[:1])
        label = f"cn-crash-{i}"
        status, r = stream_load(fe, csv_rows(50_000 + i * 1000, 800), label=label, column_separator=",")
        cns[0].proc.wait(30)  # it crashed at its third write
        got = count(fe)
        if r.get("Status") == "Success":
            want += 800
        if got != want:
            fail(f"{point}: {got} rows after the load answered {r.get('Status')}, expected {want}")
        status, r2 = stream_load(fe, csv_rows(50_000 + i * 1000, 800), label=label, column_separator=",")
        if r.get("Status") == "Success":
            ok = r2.get("Status") == "Label Already Exists"
        else:
            ok = r2.get("Status") == "Success"
            want += 800
        if not ok or count(fe) != want:
            fail(f"{point}: retry of {label} answered {r2}, {count(fe)} rows, expected {want}")
        log(f"{point}: CN killed mid-load; load answered {r.get('Status')}, retry {r2.get('Status')}, {want} rows")
        cns[0].start()
        wait_for("cn0 alive again", lambda: nodes_by_port(fe)[cns[0].heartbeat_port]["alive"], 30, cns[:1])


def run():
    with Cluster("cn-data", None) as c:
        c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe(cn_liveness_timeout_ms=LIVENESS_TIMEOUT_MS)
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        cns = [Cn(c, i, f"127.0.0.1:{fe.conf['rpc_port']}").start() for i in range(2)]
        try:
            wait_for("both CNs alive", lambda: sum(n["alive"] for n in nodes_by_port(fe).values()) == 2, 30, cns)
            sql(fe, "CREATE DATABASE sl")
            sql(fe, "CREATE TABLE sl.t (k BIGINT NOT NULL, v INT, s VARCHAR(16) DEFAULT 'dflt', d DATE) "
                    "DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p0 VALUES LESS THAN (1000000)) "
                    "DISTRIBUTED BY HASH(k) BUCKETS 32")
            on_compute_nodes(fe, cns)
            failover(fe, cns)
            fallback(fe, cns)
            comeback(fe, cns)
            cns[1].start()
            wait_for("cn1 alive again", lambda: nodes_by_port(fe)[cns[1].heartbeat_port]["alive"], 30, cns[1:])
            crash_during_load(fe, cns)
        except AssertionError:
            for cn in cns:
                log(f"---- cn{cn.index} log tail ({cn.log_path}):\n{cn.log_tail(40)}")
            raise


if __name__ == "__main__":
    harness.main(run)

"""Query equivalence: one set of SELECTs answers the same rows through every change of where the data is read.

Two FEs and two `strata cn` processes over the S3 server (STRATA_TEST_S3_*; skipped without it). A
partitioned, bucketed table is filled by several stream loads (many rowsets per tablet) and a DELETE
(so some tablets carry delete predicates), plus a small dimension table. The same queries (scan,
filter, GROUP BY, COUNT(DISTINCT), top-N, join, subquery, UNION ALL, a bare COUNT(*)) run:
  1. with a cold cache (both CNs restarted on empty cache directories),
  2. again with a warm cache,
  3. after a compaction round rewrote the tablets (new versions, fewer rowsets),
  4. right after kill -9 of a CN (its tablets move to the other) and once the FE declared it dead,
  5. after kill -9 of the leading FE (the other FE leads; the CNs heartbeat to both).
Aggregates and top-N run as fragments on the CNs (their strata_cn_fragments_total grows), and a MySQL
error a CN raises there (exec_mem_limit) reaches the client with its code. Every answer must equal the first, compared as sorted rows (doubles to 9 significant digits: the
order in which partial sums meet may differ between runs). The rows themselves are also checked
against the values computed here from the generated data for a few queries, so "equal" cannot mean
"equally wrong". Seeded (STRATA_TEST_SEED).
"""

import os
import random
import shutil
import subprocess

import harness
from harness import Cluster, fail, http, log
from stream_load import sql, stream_load
from test_cn_data import tablet_calls
from test_cn_liveness import Cn, nodes_by_port, wait_for

LIVENESS_TIMEOUT_MS = 3000
LOADS = 6
ROWS_PER_LOAD = 1500
CATS = [f"c{i}" for i in range(12)]

QUERIES = [
    ("count_star", "SELECT COUNT(*) FROM sl.f"),
    ("count_col", "SELECT COUNT(k), COUNT(s), SUM(v) FROM sl.f"),
    ("filter", "SELECT k, v, s FROM sl.f WHERE v BETWEEN 10 AND 12 AND s LIKE 'c1%'"),
    ("group", "SELECT s, COUNT(*), SUM(v), MIN(d), MAX(x), AVG(p) FROM sl.f GROUP BY s"),
    ("group_int", "SELECT v % 7, COUNT(*), MAX(k) FROM sl.f WHERE k % 3 = 0 GROUP BY v % 7"),
    ("having", "SELECT d, COUNT(*) FROM sl.f GROUP BY d HAVING COUNT(*) > 20"),
    ("distinct", "SELECT COUNT(DISTINCT v), COUNT(DISTINCT s) FROM sl.f WHERE d >= '2024-01-10'"),
    ("top_n", "SELECT k, p, s FROM sl.f ORDER BY p DESC, k LIMIT 15"),
    ("top_n_offset", "SELECT k FROM sl.f WHERE v > 50 ORDER BY k DESC LIMIT 5 OFFSET 10"),
    ("pruned", "SELECT k, s FROM sl.f WHERE k BETWEEN 2000 AND 2050"),
    ("join", "SELECT c.label, COUNT(*), SUM(f.v) FROM sl.f f JOIN sl.c c ON f.s = c.cat GROUP BY c.label"),
    ("left_join", "SELECT c.cat, COUNT(f.k) FROM sl.c c LEFT JOIN sl.f f ON f.s = c.cat AND f.v = 1 "
                  "GROUP BY c.cat"),
    ("in_subquery", "SELECT COUNT(*) FROM sl.f WHERE s IN (SELECT cat FROM sl.c WHERE label = 'l1')"),
    ("union", "SELECT k FROM sl.f WHERE v = 3 UNION ALL SELECT k FROM sl.f WHERE v = 97"),
    ("case", "SELECT CASE WHEN v < 50 THEN 'lo' ELSE 'hi' END, COUNT(*) FROM sl.f "
             "GROUP BY CASE WHEN v < 50 THEN 'lo' ELSE 'hi' END"),
]


def canon_cell(text):
    if text == "NULL":
        return None
    try:
        if any(ch in text for ch in ".eE") and not text.count("-") == 2:
            return f"{float(text):.9g}"
    except ValueError:
        pass
    return text


def answers(fe):
    return {name: sorted(tuple(canon_cell(c) for c in row) for row in sql(fe, q)) for name, q in QUERIES}


def compare(truth, got, what):
    bad = [name for name, _ in QUERIES if got[name] != truth[name]]
    if bad:
        name = bad[0]
        fail(f"{what}: {len(bad)} queries differ ({', '.join(bad)}); {name}: first rows {got[name][:3]} "
             f"vs {truth[name][:3]} ({len(got[name])} vs {len(truth[name])} rows)")
    log(f"{what}: {len(QUERIES)} queries, same rows")


def gen_rows(rng, first, n):
    """n rows with keys first, first + LOADS, ...: every load touches every partition and bucket."""
    rows = []
    for k in range(first, first + n * LOADS, LOADS):
        rows.append((k, rng.randrange(100), CATS[rng.randrange(len(CATS))], f"2024-01-{1 + rng.randrange(28):02d}",
                     rng.randrange(-10000, 10000) / 8, f"{rng.randrange(100000) / 100:.2f}"))
    return rows


def load_all(fe, rng):
    """The loads and the DELETE; returns the rows left, as generated."""
    kept = []
    for i in range(LOADS):
        rows = gen_rows(rng, i, ROWS_PER_LOAD)
        body = "".join(",".join(str(x) for x in r) + "\n" for r in rows)
        status, r = stream_load(fe, body, label=f"eq{i}", table="f", column_separator=",")
        if status != 200 or r.get("Status") != "Success":
            fail(f"load eq{i}: {status} {r}")
        kept += rows
    sql(fe, "DELETE FROM sl.f WHERE v = 42")
    return [r for r in kept if r[1] != 42]


def check_truth(truth, rows):
    """A few answers against what the generated rows say."""
    want_count = str(len(rows))
    if truth["count_star"] != [(want_count,)]:
        fail(f"COUNT(*) {truth['count_star']}, generated {want_count}")
    if truth["count_col"] != [(want_count, want_count, str(sum(r[1] for r in rows)))]:
        fail(f"COUNT(k), COUNT(s), SUM(v): {truth['count_col']}")
    want_pruned = sorted((str(r[0]), r[2]) for r in rows if 2000 <= r[0] <= 2050)
    if truth["pruned"] != want_pruned:
        fail(f"pruned range: {truth['pruned'][:3]} vs generated {want_pruned[:3]}")
    want_top = sorted(rows, key=lambda r: (-float(r[5]), r[0]))[:15]
    if truth["top_n"] != sorted((str(r[0]), canon_cell(r[5]), r[2]) for r in want_top):
        fail(f"top_n: {truth['top_n'][:3]} vs generated")


def cn_metric(cns, prefix):
    """A CN metric (lines starting with `prefix`), summed over the CNs' /metrics."""
    total = 0
    for cn in cns:
        status, text = http("GET", f"127.0.0.1:{cn.http_port}", "/metrics", timeout=3)
        if status != 200:
            fail(f"cn{cn.index} /metrics: {status}")
        total += sum(int(float(line.split()[-1])) for line in text.splitlines() if line.startswith(prefix))
    return total


def cn_fragments(cns):
    return cn_metric(cns, "strata_cn_fragments_total")


def check_fragment_error(fe, cns):
    """A partial aggregate past exec_mem_limit on a CN fails the query with ER_CAPACITY_EXCEEDED (3170)."""
    errors = 'strata_cn_rpc_errors_total{method="RunFragment"}'
    before = cn_metric(cns, errors)
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B", "-e",
                        "SET exec_mem_limit = 4096; SELECT k, COUNT(*) FROM sl.f GROUP BY k"],
                       capture_output=True, text=True, timeout=60)
    message = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    if r.returncode == 0 or "ERROR 3170" not in message or "exec_mem_limit" not in message:
        fail(f"a grouped query past exec_mem_limit: exit {r.returncode}, {r.stderr.strip()!r}")
    if cn_metric(cns, errors) <= before:
        fail("the memory bound was not hit on the CNs")
    log(f"memory bound on the CNs: {message}")


def restart_cold(cns):
    for cn in cns:
        cn.kill9()
        cn.proc.wait(30)
        shutil.rmtree(os.path.join(cn.dir, "storage"), ignore_errors=True)
        cn.start()
    # The FE still counts the killed processes alive (its liveness timeout has not run out), so its node
    # list cannot tell when the new ones serve: wait for them. A CN's tablet RPC listens before its HTTP
    # status answers, and "registered" means its heartbeats reached an FE.
    def up():
        for cn in cns:
            status, body = cn.status()
            if status != 200 or not isinstance(body, dict) or not body.get("registered"):
                return False
        return True
    wait_for("the restarted CNs serving and registered", up, 30, cns)


def wait_cns(fe, cns, alive, what):
    ports = [cn.heartbeat_port for cn in cns]

    def ready():
        nodes = nodes_by_port(fe)
        return all(p in nodes and nodes[p]["alive"] == alive for p in ports)
    wait_for(what, ready, LIVENESS_TIMEOUT_MS / 1000 + 30, cns if alive else [])


def run():
    rng = random.Random(harness.seed_from_env())
    volume = harness.s3_volume_or_skip("query-equivalence")
    with Cluster("query-equivalence", volume) as c:
        conf = dict(cn_liveness_timeout_ms=LIVENESS_TIMEOUT_MS, compaction_min_rowsets=3,
                    data_maintenance_interval_ms=3600000)
        fes = [c.add_fe(**conf) for _ in range(2)]
        for fe in fes:
            fe.start().wait_ready()
            fe.wait_query_port()
        leader = c.leader()
        fe_rpc = ",".join(f"127.0.0.1:{fe.conf['rpc_port']}" for fe in fes)
        cns = [Cn(c, i, fe_rpc).start() for i in range(2)]
        try:
            wait_cns(leader, cns, True, "both CNs alive")
            sql(leader, "CREATE DATABASE sl")
            sql(leader, "CREATE TABLE sl.f (k BIGINT NOT NULL, v INT, s VARCHAR(8), d DATE, x DOUBLE, "
                        "p DECIMAL(10,2)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p0 VALUES LESS THAN "
                        "(3000), PARTITION p1 VALUES LESS THAN (6000), PARTITION p2 VALUES LESS THAN MAXVALUE) "
                        "DISTRIBUTED BY HASH(k) BUCKETS 4")
            sql(leader, "CREATE TABLE sl.c (cat VARCHAR(8), label VARCHAR(8)) DUPLICATE KEY(cat) "
                        "DISTRIBUTED BY HASH(cat) BUCKETS 2")
            sql(leader, "INSERT INTO sl.c VALUES " + ", ".join(f"('{cat}', 'l{i % 3}')" for i, cat in enumerate(CATS)))
            rows = load_all(leader, rng)

            restart_cold(cns)
            wait_cns(leader, cns, True, "CNs back with empty caches")
            remote_before, _ = tablet_calls(leader)
            truth = answers(leader)
            remote_after, _ = tablet_calls(leader)
            if remote_after <= remote_before:
                fail("the cold-cache queries did not read through the CNs")
            ran = cn_fragments(cns)  # since their restart above
            if ran < 2:
                fail(f"the aggregates and top-N ran {ran} fragments on the CNs")
            log(f"cold cache: the CNs ran {ran} query fragments")
            check_truth(truth, rows)
            log(f"cold cache: {len(QUERIES)} queries answered, {len(rows)} rows in the table")
            compare(truth, answers(leader), "warm cache")
            check_fragment_error(leader, cns)

            status, r = leader.post("/api/data/maintenance?vacuum=0", timeout=120)
            if status != 200 or r.get("compactions_committed", 0) < 1:
                fail(f"compaction round: {status} {r}")
            compare(truth, answers(leader), f"after compaction ({r.get('compactions_committed')} tablets)")

            cns[0].kill9()
            compare(truth, answers(leader), "right after kill -9 of cn0")
            wait_cns(leader, cns[:1], False, "cn0 declared dead")
            compare(truth, answers(leader), "with cn0 dead (its tablets on cn1)")

            leader.kill9()
            new_leader = c.leader(timeout=60)
            if new_leader is leader:
                fail("the killed FE still leads")
            new_leader.wait_query_port()
            compare(truth, answers(new_leader), f"after FE failover (fe{new_leader.index} leads)")
        except AssertionError:
            for cn in cns:
                log(f"---- cn{cn.index} log tail ({cn.log_path}):\n{cn.log_tail(40)}")
            raise


if __name__ == "__main__":
    harness.main(run)

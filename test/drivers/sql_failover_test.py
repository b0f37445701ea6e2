"""sql_failover: catalog changes made through SQL survive leader fail-over and restarts.

Three FEs share one volume (the real S3 server when STRATA_TEST_S3_* is set, else a
local directory). A client creates databases and tables through the MySQL port of
every FE (followers forward to the leader); the leader is killed with SIGKILL and a
follower takes over; the client keeps going through the survivors; the killed FE is
restarted. Every statement that was acknowledged must then be visible through the
MySQL port of every FE, and a statement that failed must have changed nothing.
Prints "N passed, M failed". Seeded: STRATA_TEST_SEED.
"""

import os
import random
import sys
import time

import pymysql

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import harness  # noqa: E402
from harness import Cluster, log  # noqa: E402
from driver_util import Checks  # noqa: E402


def connect(fe):
    return pymysql.connect(host="127.0.0.1", port=fe.query_port, user="root", password="",
                           connect_timeout=10, read_timeout=30, write_timeout=30, autocommit=True)


def ddl(fe, sql):
    """Runs one statement on `fe`; returns None on success, else the MySQL error code (or 'io')."""
    try:
        conn = connect(fe)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
            return None
        finally:
            conn.close()
    except pymysql.err.MySQLError as e:
        return e.args[0] if e.args and isinstance(e.args[0], int) else "io"


def databases(fe):
    conn = connect(fe)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW DATABASES")
            return {row[0] for row in cur.fetchall()}
    finally:
        conn.close()


def tables(fe, db):
    conn = connect(fe)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SHOW TABLES FROM {db}")
            return {row[0] for row in cur.fetchall()}
    finally:
        conn.close()


def run_round(rng, live, acked, failed, prefix, n):
    for i in range(n):
        fe = rng.choice([f for f in live if f.running()])
        name = f"{prefix}_{i}"
        err = ddl(fe, f"CREATE DATABASE {name}")
        if err is None:
            acked[name] = set()
            t_err = ddl(fe, f"CREATE TABLE {name}.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k) "
                            f"DISTRIBUTED BY HASH(k) BUCKETS 2")
            if t_err is None:
                acked[name].add("t")
        else:
            failed[name] = err


def test():
    seed = harness.seed_from_env()
    rng = random.Random(seed)
    volume = harness.s3_volume_or_skip("sql-failover") if os.environ.get("STRATA_TEST_S3_ENDPOINT") else None
    checks = Checks()
    with Cluster("sql-failover", volume) as c:
        if volume is None:
            c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fes = [c.add_fe() for _ in range(3)]
        for fe in fes:
            fe.start()
        for fe in fes:
            fe.wait_ready()
            fe.wait_query_port()
        acked, failed = {}, {}
        run_round(rng, fes, acked, failed, "before", 15)
        leader = c.leader()
        start = time.time()
        leader.kill9()
        log(f"killed the leader fe{leader.index}")
        survivors = [f for f in fes if f is not leader]
        new_leader = c.leader(timeout=30)
        log(f"fe{new_leader.index} leads after {time.time() - start:.2f}s")
        run_round(rng, survivors, acked, failed, "during", 15)
        leader.start().wait_ready()
        leader.wait_query_port()
        run_round(rng, fes, acked, failed, "after", 10)
        c.wait_converged()
        checks.check(len(acked) >= 30, "most statements acknowledged", f"{len(acked)} acked, failed: {failed}")
        for fe in fes:
            seen = databases(fe)
            missing = sorted(set(acked) - seen)
            checks.check(not missing, f"fe{fe.index} sees every acknowledged database", f"missing {missing}")
            stray = sorted(d for d in seen if d.startswith(("before_", "during_", "after_")) and d not in acked
                           and d not in failed)
            checks.check(not stray, f"fe{fe.index} has nothing no client asked for", f"stray {stray}")
            missing_tables = sorted(db for db, ts in acked.items() if "t" in ts and "t" not in tables(fe, db))
            checks.check(not missing_tables, f"fe{fe.index} sees every acknowledged table",
                         f"missing in {missing_tables}")
        # A failed statement changes nothing: a duplicate CREATE is refused with 1007 everywhere.
        some = sorted(acked)[0]
        checks.check(ddl(fes[0], f"CREATE DATABASE {some}") == 1007, "duplicate CREATE DATABASE is 1007")
        for fe in fes:
            fe.stop()
        for fe in fes:
            fe.start()
        for fe in fes:
            fe.wait_ready()
            fe.wait_query_port()
        checks.check(set(acked) <= databases(fes[1]), "every acknowledged database survives a full restart")
    print(f"{checks.passed} passed, {checks.failed} failed")
    if checks.failed:
        raise AssertionError(f"{checks.failed} checks failed")


if __name__ == "__main__":
    harness.main(test)

#!/usr/bin/python3
"""KILL QUERY <id> and KILL [CONNECTION] <id> with real MySQL clients.

One FE started with the failpoint query.scan.batch=sleep:<ms>, so every batch
a scan reads takes that long and a SELECT over a table of many rowsets runs
for tens of seconds. A PyMySQL connection runs such a SELECT on a thread; the
`mysql` command-line client (another connection, another client library)
sends KILL until the SELECT has answered. Checked, MySQL's way:
  - KILL QUERY: the SELECT ends with 1317 (Query execution was interrupted,
    SQLSTATE 70100) and the same connection keeps working;
  - KILL CONNECTION / KILL <id>: the running SELECT ends with 1317 and the
    connection is closed; an idle connection killed is closed at once;
  - an unknown id is 1094; another user's connection needs a privilege (1095).
No check depends on timing: KILL is resent (bounded) until the SELECT answers,
and a SELECT that finished whole instead of being interrupted fails the test.
"""

import subprocess
import threading
import time

import pymysql

from driver_util import run_with_fe

BATCH_SLEEP_MS = 500
ROWSETS = 120             # one INSERT each: 120 batches x 0.5 s = a 60 s SELECT unless killed
KILL_ATTEMPTS_MAX = 200   # resends of KILL (0.1 s apart) while the SELECT runs
IDLE_KILLS = 10           # idle connections killed, each followed at once by a statement
SLOW_SELECT = "SELECT COUNT(k), SUM(v) FROM kq.t"


def connect(fe, user="root", password=""):
    return pymysql.connect(host="127.0.0.1", port=fe.query_port, user=user, password=password, connect_timeout=10,
                           read_timeout=300, write_timeout=60, autocommit=True)


def errno_of(fn):
    try:
        fn()
    except pymysql.err.MySQLError as e:
        return e.args[0]
    return None


def mysql_cli(fe, sql, user="root"):
    """(exit code, stdout + stderr) of the mysql client running `sql`."""
    p = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(fe.query_port), "-u", user, "--batch",
                        "--skip-column-names", "-e", sql], capture_output=True, text=True, timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()


class SlowSelect:
    """SLOW_SELECT on `conn` in a thread; .error is the MySQL errno it ended with (None: it finished)."""

    def __init__(self, conn):
        self.conn = conn
        self.error = None
        self.rows = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            cur = self.conn.cursor()
            cur.execute(SLOW_SELECT)
            self.rows = cur.fetchall()
        except pymysql.err.MySQLError as e:
            self.error = e.args[0]
        finally:
            self.done.set()


def kill_until_done(fe, stmt, select):
    """Sends `stmt` through the mysql client until `select` answered; the client's last answer."""
    answer = None
    for _ in range(KILL_ATTEMPTS_MAX):
        if select.done.is_set():
            break
        answer = mysql_cli(fe, stmt)
        select.done.wait(0.1)
    select.done.wait(120)
    return answer


def setup(fe):
    conn = connect(fe)
    cur = conn.cursor()
    cur.execute("CREATE DATABASE kq")
    cur.execute("CREATE TABLE kq.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1")
    for i in range(ROWSETS):
        cur.execute(f"INSERT INTO kq.t VALUES ({i}, {i % 7}), ({i + 1000}, 1)")
    cur.execute("CREATE USER 'plain'@'%' IDENTIFIED BY 'pw'")
    return conn


def body(fe, checks):
    setup(fe).close()

    # KILL QUERY: the statement ends with 1317, the connection stays.
    victim = connect(fe)
    cur = victim.cursor()
    cur.execute("SELECT CONNECTION_ID()")
    vid = cur.fetchone()[0]
    select = SlowSelect(victim)
    answer = kill_until_done(fe, f"KILL QUERY {vid}", select)
    checks.check(select.done.is_set(), "KILL QUERY: the SELECT answered", answer)
    checks.check(select.error == 1317, "KILL QUERY: the running SELECT ends with 1317", (select.error, select.rows))
    checks.check(answer is not None and answer[0] == 0, "KILL QUERY answers OK to the mysql client", answer)
    cur.execute("SELECT 1 + 1")
    checks.check(cur.fetchone() == (2,), "after KILL QUERY the connection still works")
    cur.execute("SELECT COUNT(*) FROM kq.t")
    checks.check(cur.fetchone() == (2 * ROWSETS,), "after KILL QUERY the next statement is not interrupted")
    victim.close()

    # KILL CONNECTION during a SELECT: 1317, then the connection is gone.
    victim = connect(fe)
    cur = victim.cursor()
    cur.execute("SELECT CONNECTION_ID()")
    vid = cur.fetchone()[0]
    select = SlowSelect(victim)
    answer = kill_until_done(fe, f"KILL CONNECTION {vid}", select)
    checks.check(select.error == 1317, "KILL CONNECTION: the running SELECT ends with 1317", (select.error, answer))
    err = errno_of(lambda: victim.cursor().execute("SELECT 1"))
    checks.check(err in (2006, 2013, 0), "KILL CONNECTION: the connection is closed afterwards", err)

    # KILL <id> of an idle connection: closed at once, and its next statement is never run (a few times:
    # the statement may reach the server before its connection reads again).
    answers, errors = [], []
    for _ in range(IDLE_KILLS):
        idle = connect(fe)
        icur = idle.cursor()
        icur.execute("SELECT CONNECTION_ID()")
        iid = icur.fetchone()[0]
        rc, out = mysql_cli(fe, f"KILL {iid}")
        answers.append((rc, out))
        errors.append(errno_of(lambda: icur.execute("SELECT 1")))
    checks.check(all(rc == 0 for rc, _ in answers), "KILL <id> of an idle connection answers OK", answers)
    checks.check(all(err in (2006, 2013, 0) for err in errors), "KILL <id>: the idle connection is closed", errors)

    # Errors.
    rc, out = mysql_cli(fe, "KILL 987654321")
    checks.check(rc != 0 and "ERROR 1094" in out, "KILL of an unknown id is 1094", out)
    owner = connect(fe)
    ocur = owner.cursor()
    ocur.execute("SELECT CONNECTION_ID()")
    oid = ocur.fetchone()[0]
    plain = connect(fe, user="plain", password="pw")
    err = errno_of(lambda: plain.cursor().execute(f"KILL QUERY {oid}"))
    checks.check(err == 1095, "KILL of another user's connection without a privilege is 1095", err)
    pcur = plain.cursor()
    pcur.execute("SELECT CONNECTION_ID()")
    pid = pcur.fetchone()[0]
    rc, out = mysql_cli(fe, f"KILL QUERY {pid}")
    checks.check(rc == 0, "root may KILL QUERY another user's connection", out)
    pcur.execute("SELECT 1")
    checks.check(pcur.fetchone() == (1,), "KILL QUERY of an idle connection leaves it working")
    ocur.execute("SELECT 1")
    checks.check(ocur.fetchone() == (1,), "the connection a refused KILL named still works")
    err = errno_of(lambda: pcur.execute("KILL QUERY abc"))
    checks.check(err == 1064, "KILL with a non-numeric id is a parse error", err)
    plain.close()
    owner.close()


if __name__ == "__main__":
    run_with_fe("mysql-kill", body, env={"STRATA_FAILPOINTS": f"query.scan.batch=sleep:{BATCH_SLEEP_MS}"})

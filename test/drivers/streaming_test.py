#!/usr/bin/python3
"""Large results stream to the client instead of being held whole in the FE.

One FE; a table of ROWS rows (about 40 MB as text) loaded by stream load. With
exec_mem_limit at 4 MiB — far below what the result takes as text:
  - SELECT of every row succeeds, read row by row with PyMySQL's unbuffered
    cursor and whole by the `mysql` client: the rows sent stop counting against
    the limit once the result streams;
  - the same rows through ORDER BY (a sort must hold them) fail with 3170, so the
    limit is real and the plain SELECT passed only because it streamed;
  - KILL QUERY while the client is still reading a streamed result ends it with
    1317 (an ERR packet in place of the rest of the rows) and the connection
    keeps working;
  - a small result is sent whole as before.
"""

import base64
import json
import subprocess
import urllib.request

import pymysql
import pymysql.cursors

from driver_util import run_with_fe

ROWS = 400_000
PAD = "x" * 80
MEM_LIMIT = 4 << 20


def connect(fe, **kw):
    return pymysql.connect(host="127.0.0.1", port=fe.query_port, user="root", password="", connect_timeout=10,
                           read_timeout=300, write_timeout=60, autocommit=True, **kw)


def load(fe):
    body = "".join(f"{k},{k % 1000},{PAD}{k % 7}\n" for k in range(ROWS)).encode()
    auth = base64.b64encode(b"root:").decode()
    req = urllib.request.Request(f"http://{fe.addr}/api/st/t/_stream_load", data=body, method="PUT",
                                 headers={"Authorization": f"Basic {auth}", "Content-Type": "text/plain",
                                          "column_separator": ",", "label": "streaming-rows"})
    with urllib.request.urlopen(req, timeout=300) as res:
        return json.loads(res.read())


def body(fe, checks):
    conn = connect(fe)
    cur = conn.cursor()
    cur.execute("CREATE DATABASE st")
    cur.execute("CREATE TABLE st.t (k BIGINT NOT NULL, v INT, s VARCHAR(100)) DUPLICATE KEY(k) "
                "DISTRIBUTED BY HASH(k) BUCKETS 4")
    r = load(fe)
    checks.check(r.get("Status") == "Success", "stream load of the rows", r)
    want_sum = ROWS * (ROWS - 1) // 2

    # Unbuffered: rows are read as they arrive.
    sconn = connect(fe, cursorclass=pymysql.cursors.SSCursor)
    scur = sconn.cursor()
    scur.execute(f"SET exec_mem_limit = {MEM_LIMIT}")
    scur.execute("SELECT k, v, s FROM st.t")
    n = total = 0
    for row in scur:
        n += 1
        total += row[0]
    checks.check((n, total) == (ROWS, want_sum), "a result far above exec_mem_limit streams whole",
                 (n, total, ROWS, want_sum))

    cur.execute(f"SET exec_mem_limit = {MEM_LIMIT}")
    try:
        cur.execute("SELECT k, v, s FROM st.t ORDER BY s, k")
        err = None
    except pymysql.err.MySQLError as e:
        err = e.args[0]
    checks.check(err == 3170, "the same rows through a sort exceed exec_mem_limit (3170)", err)

    p = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(fe.query_port), "-u", "root", "--batch",
                        "--skip-column-names", "-e", f"SET exec_mem_limit = {MEM_LIMIT}; SELECT k FROM st.t"],
                       capture_output=True, text=True, timeout=120)
    lines = p.stdout.splitlines()
    checks.check(p.returncode == 0 and len(lines) == ROWS and sum(int(x) for x in lines) == want_sum,
                 "the mysql client reads the streamed result whole", (p.returncode, len(lines), p.stderr[-300:]))

    # KILL QUERY while the client is mid-result: the FE is held back by the
    # socket (the client stopped reading), so the rest of the rows are not
    # produced yet; the client then reads on and meets the error.
    scur.execute("SELECT CONNECTION_ID()")
    victim = scur.fetchone()[0]
    scur.execute("SELECT k, v, s FROM st.t")
    got = 0
    for _ in range(1000):
        scur.fetchone()
        got += 1
    cur.execute(f"KILL QUERY {victim}")
    err = None
    try:
        while scur.fetchone() is not None:
            got += 1
    except pymysql.err.MySQLError as e:
        err = e.args[0]
    checks.check(err == 1317 and got < ROWS, "KILL QUERY ends a streaming result with 1317", (err, got))
    try:
        scur.execute("SELECT 1")
        alive = scur.fetchone() == (1,)
    except pymysql.err.MySQLError:
        alive = False
    checks.check(alive, "the connection works after the killed streaming result")

    cur.execute("SELECT v, COUNT(*) FROM st.t WHERE k < 10 GROUP BY v ORDER BY v")
    checks.check(cur.fetchall() == tuple((k, 1) for k in range(10)), "a small result comes whole")
    scur.close()
    sconn.close()
    conn.close()


if __name__ == "__main__":
    run_with_fe("streaming", body)

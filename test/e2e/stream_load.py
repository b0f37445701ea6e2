"""stream_load: StarRocks-style stream load into one FE over a local-directory volume.

CSV and JSON bodies, labels applied once, bad rows rejected whole (or filtered
under max_filter_ratio), bad credentials and unknown tables refused; then the FE
is killed at each failpoint of a load (after the data files, after the tablet
versions, after the commit) and, after a restart, every acknowledged load is
fully visible, no unacknowledged load is partly visible, and a retried label is
applied exactly once.
"""

import base64
import json
import os
import time
import subprocess
import urllib.error
import urllib.request

import harness
from harness import Cluster, fail, log


def expect(cond, msg):
    if not cond:
        fail(msg)


def sql(fe, statement):
    """Runs SQL with the mysql CLI; returns stdout rows (tab-separated) or fails."""
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B", "-e", statement],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"SQL failed: {statement}: {r.stderr.strip()}")
    return [line.split("\t") for line in r.stdout.splitlines()]


def count(fe):
    return int(sql(fe, "SELECT COUNT(*) FROM sl.t")[0][0])


def stream_load(fe, body, user="root", password="", table="t", **headers):
    """(http status, parsed JSON) of PUT /api/sl/<table>/_stream_load; (None, error) if the FE is gone."""
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    req = urllib.request.Request(f"http://{fe.addr}/api/sl/{table}/_stream_load", data=body.encode(), method="PUT",
                                 headers={"Authorization": f"Basic {auth}", "Content-Type": "text/plain", **headers})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as e:
        return None, str(e)


def csv_rows(start, n):
    return "".join(f"{k},{k % 7},name{k},2024-01-{1 + k % 28:02d}\n" for k in range(start, start + n))


def basics(fe):
    status, r = stream_load(fe, csv_rows(0, 1000), label="l1", column_separator=",")
    expect(status == 200 and r["Status"] == "Success" and r["NumberLoadedRows"] == 1000, f"load l1: {status} {r}")
    status, r = stream_load(fe, csv_rows(0, 1000), label="l1", column_separator=",")
    expect(r.get("Status") == "Label Already Exists", f"retried l1: {status} {r}")
    expect(count(fe) == 1000, "l1 applied more than once")
    # Bad rows: rejected whole under the default max_filter_ratio 0 ...
    bad = csv_rows(1000, 10) + "oops,1,x,2024-01-01\n" + "1,2,3\n"
    status, r = stream_load(fe, bad, label="l2", column_separator=",")
    expect(r.get("Status") == "Fail", f"bad rows accepted: {r}")
    expect(count(fe) == 1000, "a failed load is partly visible")
    # ... loaded without them under max_filter_ratio.
    status, r = stream_load(fe, bad, label="l2", column_separator=",", max_filter_ratio="0.5")
    expect(r.get("Status") == "Success" and r["NumberLoadedRows"] == 10 and r["NumberFilteredRows"] == 2,
           f"filtered load: {r}")
    # JSON, with a column subset and defaults.
    body = json.dumps([{"k": 5000 + i, "v": i} for i in range(5)])
    status, r = stream_load(fe, body, label="l3", format="json", strip_outer_array="true")
    expect(r.get("Status") == "Success" and r["NumberLoadedRows"] == 5, f"json load: {r}")
    rows = sql(fe, "SELECT k, v, s, d FROM sl.t WHERE k = 5003")
    expect(rows == [["5003", "3", "dflt", "NULL"]], f"json row: {rows}")
    # A row outside every partition is filtered with a clear message.
    status, r = stream_load(fe, "99999999,1,x,2024-01-01\n", label="l4", column_separator=",")
    expect(r.get("Status") == "Fail" and "partition" in r.get("Message", ""), f"out of range: {r}")
    status, r = stream_load(fe, csv_rows(0, 1), password="wrong", column_separator=",")
    expect(status == 401 and r.get("Status") == "Fail", f"bad password: {status} {r}")
    status, r = stream_load(fe, csv_rows(0, 1), table="nope", column_separator=",")
    expect(r.get("Status") == "Fail" and "nope" in r.get("Message", ""), f"unknown table: {r}")
    # A row longer than the 1 MiB row limit is filtered, naming its line.
    huge = "1,1," + "x" * (1 << 20) + ",2024-01-01\n"
    status, r = stream_load(fe, huge, label="l5", column_separator=",")
    expect(r.get("Status") == "Fail" and "line 1" in r.get("Message", ""), f"oversized row: {str(r)[:300]}")
    # Wrong column count and an unknown format header.
    status, r = stream_load(fe, "1,2\n", label="l6", column_separator=",")
    expect(r.get("Status") == "Fail", f"wrong column count: {r}")
    status, r = stream_load(fe, "1,2\n", label="l7", format="parquet")
    expect(r.get("Status") == "Fail" and "format" in r.get("Message", ""), f"unknown format: {r}")
    expect(count(fe) == 1015, f"rows after basics: {count(fe)}")


def crash_sweep(fe):
    expected = count(fe)
    for i, point in enumerate(["load_after_data_files", "load_after_tablet_meta", "load_after_commit"]):
        fe.stop()
        fe.start(env={"STRATA_FAILPOINTS": f"{point}=crash"}).wait_ready()
        fe.wait_query_port()
        label = f"crash{i}"
        # A just-restarted FE may refuse the load before it reaches the failpoint (not leading yet): a
        # refused load wrote nothing visible, so the client retries with the same label until the FE dies.
        deadline = time.time() + 60
        while True:
            status, r = stream_load(fe, csv_rows(100_000 * (i + 1), 500), label=label, column_separator=",")
            expect(status is None or r.get("Status") != "Success", f"{point}: the load was acknowledged: {r}")
            if fe.wait_exit(5) is not None:
                break
            if time.time() > deadline:
                fail(f"{point}: the FE did not reach the failpoint; the load answered {status} {r}")
            log(f"{point}: the load was refused before the failpoint ({status} {r}); retrying")
        fe.start(env={"STRATA_FAILPOINTS": None}).wait_ready()
        fe.wait_query_port()
        after = count(fe)
        committed = point == "load_after_commit"
        expect(after == expected + (500 if committed else 0),
               f"{point}: {after} rows, expected {expected + (500 if committed else 0)} (partial or lost load)")
        # The client retries with the same label: applied exactly once.
        status, r = stream_load(fe, csv_rows(100_000 * (i + 1), 500), label=label, column_separator=",")
        want = "Label Already Exists" if committed else "Success"
        expect(r.get("Status") == want, f"{point}: retry answered {r}")
        expected += 500
        expect(count(fe) == expected, f"{point}: {count(fe)} rows after the retry, expected {expected}")
        log(f"{point}: crash, restart and retry ok ({expected} rows)")


def run():
    with Cluster("stream-load", None) as c:
        c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe()
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        sql(fe, "CREATE DATABASE sl")
        sql(fe, "CREATE TABLE sl.t (k BIGINT NOT NULL, v INT, s VARCHAR(16) DEFAULT 'dflt', d DATE) "
                "DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p0 VALUES LESS THAN (1000000)) "
                "DISTRIBUTED BY HASH(k) BUCKETS 4")
        basics(fe)
        crash_sweep(fe)
        damaged_file(fe, os.path.join(c.dir, "volume"))


def damaged_file(fe, volume_dir):
    """A bit flip in a data file is an error naming the damage, never wrong rows."""
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(volume_dir) for f in fs if f.endswith(".sdf"))
    expect(files, "no data files in the volume")
    with open(files[0], "r+b") as f:
        f.seek(8)
        b = f.read(1)
        f.seek(8)
        f.write(bytes([b[0] ^ 0x20]))
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B", "-e",
                        # SUM reads every data file (a bare COUNT(*) is answered from tablet metadata).
                        "SELECT SUM(k) FROM sl.t"], capture_output=True, text=True, timeout=60)
    expect(r.returncode != 0 and "DataLoss" in r.stderr, f"damaged file: rc {r.returncode} {r.stdout} {r.stderr}")
    log(f"damaged data file detected: {r.stderr.strip()[:200]}")


if __name__ == "__main__":
    harness.main(run)

"""`strata local` and `strata local demo` (src/server/local/), as a user runs them.

  1. `strata local --cns 2` in the foreground: the FE answers the MySQL handshake on the port base, both
     compute nodes are alive in the FE's /api/cn, the printed connect line and logs are right; SIGINT stops
     it with exit 0 and every child PID it printed is gone.
  2. `strata local demo`: the guide's walkthrough. Checked from its output and from the directory: the guide's
     statements ran (3 rows inserted, the SELECT shows the guide's 3 rows), a snapshot's STORAGE_PATH was
     printed and exists in the volume, the FE metadata and CN cache directories were deleted before the
     restore, cluster_snapshot.yaml names the snapshot, and — once the FE has a restore mode — the restore
     finished into a new lineage, the same 3 rows came back, and the recovery time is printed.
     Until the FE has a restore mode the demo exits 3 at the restore step; the test then checks everything
     before it and exits 77 (skipped), never passing an unchecked restore.
  With --s3 the demo runs on the S3 server of STRATA_TEST_S3_* (skipped without one).
No process outlives the test: each is started by PID and the ports are checked free afterwards.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import harness
from harness import fail, http, log

GUIDE_ROWS = sorted([
    ("2015-09-12 00:00:00", "#en.wikipedia", "AustinFF", "0", "0", "0", "0", "0", "21", "5", "0"),
    ("2015-09-12 00:00:00", "#ca.wikipedia", "helloSR", "0", "1", "0", "1", "0", "3", "23", "0"),
    ("2015-09-12 08:00:00", "#ca.wikipedia", "helloSR", "0", "1", "0", "1", "0", "3", "23", "0"),
])
DEMO_TIMEOUT_S = 480
EXIT_RESTORE_UNAVAILABLE = 3


def ports_for(base, cns):
    """Every port `strata local --port-base base --cns cns` binds (local_config.h)."""
    ports = [base, base - 1000, base - 10]
    for i in range(cns):
        ports += [base + 20 + i, base + 30 + i, base - 990 + i]
    return ports


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pick_port_base(cns):
    rng = random.SystemRandom()
    for _ in range(200):
        base = rng.randrange(21000, 60000)
        if all(port_free(p) for p in ports_for(base, cns)):
            return base
    fail("no free port base")


def wait_ports_free(ports, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = [p for p in ports if not port_free(p)]
        if not busy:
            return
        time.sleep(0.2)
    fail(f"ports still bound after the run: {busy}")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def processes_under(directory):
    """PIDs whose command line names `directory` (our unique temp dir): left-over children."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if directory in cmd and int(entry) != os.getpid() and pid_alive(int(entry)):
            found.append((int(entry), cmd.strip()))
    return found


def mysql_greeting(port):
    """The server version from the MySQL HandshakeV10 on `port`."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        header = s.recv(4)
        body = b""
        length = int.from_bytes(header[:3], "little")
        while len(body) < length:
            chunk = s.recv(length - len(body))
            if not chunk:
                break
            body += chunk
    if not body or body[0] != 10:
        fail(f"no MySQL HandshakeV10 on port {port}: {header + body!r}")
    return body[1:body.index(b"\0", 1)].decode()


def table_rows(text):
    """The data rows of every +---+ table in `text`, as tuples."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| event_time") and not line.startswith("| SNAPSHOT_NAME"):
            rows.append(tuple(cell.strip() for cell in line.strip().strip("|").split("|")))
    return rows


def run_foreground(tmp):
    base = pick_port_base(2)
    directory = os.path.join(tmp, "local")
    cmd = [harness.binary(), "local", "--dir", directory, "--cns", "2", "--port-base", str(base)]
    log("$ " + " ".join(cmd))
    out_path = os.path.join(tmp, "local.out")
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.time() + 180
        text = ""
        while time.time() < deadline and "Ctrl-C stops the cluster" not in text:
            if proc.poll() is not None:
                fail(f"strata local exited with {proc.returncode}:\n{open(out_path).read()}")
            time.sleep(0.2)
            text = open(out_path).read()
        if "Ctrl-C stops the cluster" not in text:
            fail(f"strata local not up within 180 s:\n{text}")
        log("strata local says:\n" + text)
        if f"mysql -h 127.0.0.1 -P {base} -uroot" not in text:
            fail("no connect line for the port base")
        for name in ("fe.log", "cn0.log", "cn1.log"):
            if os.path.join(directory, "log", name) not in text or not os.path.exists(os.path.join(directory, "log", name)):
                fail(f"log {name} not printed or missing")
        version = mysql_greeting(base)
        status, body = http("GET", f"127.0.0.1:{base - 1000}", "/api/cn")
        alive = sorted(n["heartbeat_port"] for n in body.get("nodes", []) if n.get("alive")) if status == 200 else []
        if alive != [base + 20, base + 21]:
            fail(f"/api/cn: {status} {body}")
        pids = [int(p) for p in re.findall(r"(?:fe|cn\d) (\d+)", text.split("pids:")[1].splitlines()[0])]
        if len(pids) != 3 or not all(pid_alive(p) for p in pids):
            fail(f"pids line: {pids}")
        log(f"MySQL greeting '{version}', CNs alive {alive}, child pids {pids}")
        # A second strata local on the same directory, or on the same ports, refuses to start.
        for other_dir, want in ((directory, "another strata local runs in"), (directory + "-2", f"port {base}")):
            second = subprocess.run([harness.binary(), "local", "--dir", other_dir, "--cns", "2", "--port-base",
                                     str(base)], capture_output=True, text=True, timeout=60)
            if second.returncode != 1 or want not in second.stderr:
                fail(f"a second strata local in {other_dir}: exit {second.returncode}, {second.stderr}")
        log("a second strata local on the same directory or ports refuses to start")
        proc.send_signal(signal.SIGINT)
        code = proc.wait(60)
        text = open(out_path).read()
        if code != 0 or "strata local: stopped" not in text:
            fail(f"after SIGINT: exit {code}\n{text}")
        if any(pid_alive(p) for p in pids):
            fail(f"children still alive after strata local stopped: {[p for p in pids if pid_alive(p)]}")
        wait_ports_free(ports_for(base, 2))
        log("SIGINT: strata local stopped its 3 children by PID, exit 0, ports free")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def s3_flags():
    keys = ["ENDPOINT", "BUCKET", "ACCESS_KEY", "SECRET_KEY"]
    env = {k: os.environ.get("STRATA_TEST_S3_" + k, "") for k in keys + ["REGION"]}
    missing = [k for k in keys if not env[k]]
    if missing:
        msg = f"STRATA_TEST_S3_{missing[0]} is not set: no S3 server"
        if os.environ.get("STRATA_TEST_REQUIRE_S3") == "1":
            fail(msg + " but STRATA_TEST_REQUIRE_S3=1")
        log("SKIP: " + msg)
        sys.exit(harness.SKIP)
    prefix = f"e2e-local-demo-{int(time.time())}-{random.SystemRandom().randrange(1 << 30):x}"
    return ["--s3-endpoint", env["ENDPOINT"], "--s3-bucket", f"{env['BUCKET']}/{prefix}",
            "--s3-region", env["REGION"] or "us-east-1",
            "--s3-access-key", env["ACCESS_KEY"], "--s3-secret-key", env["SECRET_KEY"]]


def check_before_restore(text, directory, s3):
    for step in range(1, 6):
        if f"[{step}/7]" not in text:
            fail(f"step {step} not printed")
    for want in ["mysql> CREATE DATABASE IF NOT EXISTS quickstart;", "mysql> CREATE TABLE source_wiki_edit",
                 "Query OK, 3 rows affected", "3 rows in set",
                 'mysql> ADMIN SET FRONTEND CONFIG ("automated_cluster_snapshot_interval_seconds" = "5");',
                 "mysql> ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON STORAGE VOLUME builtin_storage_volume;",
                 "mysql> SELECT * FROM INFORMATION_SCHEMA.CLUSTER_SNAPSHOTS;"]:
        if want not in text:
            fail(f"missing from the output: {want}")
    before = sorted(table_rows(text.split("[3/7]")[0]))
    if before != GUIDE_ROWS:
        fail(f"the first SELECT printed {before}, expected the guide's rows")
    m = re.search(r"STORAGE_PATH = (\S+)", text)
    if not m:
        fail("no STORAGE_PATH printed")
    path = m.group(1)
    if not re.search(r"/meta/image/automated_cluster_snapshot_\d+$", path):
        fail(f"unexpected STORAGE_PATH {path}")
    if not s3 and not (path.startswith(os.path.join(directory, "volume") + "/") and os.path.isdir(path)):
        fail(f"STORAGE_PATH {path} is not a directory in the demo's volume")
    for deleted in ("fe", "cn0"):
        if f"deleted {os.path.join(directory, deleted)} " not in text:
            fail(f"{deleted} directory not deleted before the restore")
    yaml_path = os.path.join(directory, "fe", "cluster_snapshot.yaml")
    with open(yaml_path) as f:
        yaml = f.read()
    if f'cluster_snapshot_path: "{path}"' not in yaml or "storage_volume_name: builtin_storage_volume" not in yaml:
        fail(f"{yaml_path}:\n{yaml}")
    if os.stat(yaml_path).st_mode & 0o077:
        fail(f"{yaml_path} is readable by others")
    if s3 and os.environ.get("STRATA_TEST_S3_SECRET_KEY", "\0") in text:
        fail("the S3 secret key appears in the demo's output")
    log(f"checked steps 1-5: guide rows, snapshot {path}, directories deleted, cluster_snapshot.yaml")
    return path


def check_restore(text):
    for want in ["[6/7]", "[7/7]", "restore state: finished", "new lineage", "the same 3 rows as before the disaster",
                 "strata local demo: OK"]:
        if want not in text:
            fail(f"missing from the output: {want}")
    after = sorted(table_rows(text.split("[7/7]")[1]))
    if after != GUIDE_ROWS:
        fail(f"after the restore SELECT printed {after}")
    m = re.search(r"recovery time: ([0-9.]+) s", text)
    if not m or float(m.group(1)) <= 0:
        fail("no recovery time printed")
    log(f"restore checked: same rows, recovery time {m.group(1)} s")


def run_demo(tmp, s3):
    base = pick_port_base(1)
    directory = os.path.join(tmp, "demo")
    cmd = [harness.binary(), "local", "demo", "--dir", directory, "--port-base", str(base)]
    if s3:
        cmd += s3_flags()
    log("$ " + " ".join(cmd[:7]) + (" --s3-... (Ceph RGW)" if s3 else ""))
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        out, _ = proc.communicate(timeout=DEMO_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # the demo stops its children by PID
        out, _ = proc.communicate(timeout=60)
        fail(f"the demo did not finish within {DEMO_TIMEOUT_S} s:\n{out.decode(errors='replace')}")
    text = out.decode(errors="replace")
    print(text, flush=True)
    log(f"the demo exited with {proc.returncode} after {time.time() - started:.1f} s")
    wait_ports_free(ports_for(base, 1))
    left = processes_under(directory)
    if left:
        fail(f"processes left behind: {left}")
    check_before_restore(text, directory, s3)
    if proc.returncode == EXIT_RESTORE_UNAVAILABLE and "this FE has no restore mode" in text:
        log("SKIP: this build's FE has no restore mode yet; everything before the restore passed")
        sys.exit(harness.SKIP)
    if proc.returncode != 0:
        fail(f"the demo failed with exit code {proc.returncode}")
    check_restore(text)


def main():
    s3 = "--s3" in sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="strata-e2e-local.")
    ok = False
    try:
        if not s3:
            run_foreground(tmp)
        run_demo(tmp, s3)
        ok = True
    except SystemExit as e:  # a skip cleans up too
        ok = e.code == harness.SKIP
        raise
    finally:
        for pid, cmd in processes_under(tmp):  # only after a failure: ours, by PID
            log(f"killing left-over pid {pid}: {cmd}")
            os.kill(pid, signal.SIGKILL)
        if ok and os.environ.get("STRATA_TEST_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp}")


if __name__ == "__main__":
    harness.main(main)

"""Shared by the driver tests: one FE on a local-directory volume, the guide's SQL, checks.

Each driver test starts its own FE (test/e2e/harness.py), talks to its
query_port the way that client does, and ends with "N passed, M failed".
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import harness  # noqa: E402
from harness import Cluster, log  # noqa: E402

GUIDE_DDL = os.path.join(HERE, "guide_ddl.sql")
GUIDE_INSERT = os.path.join(HERE, "guide_insert.sql")


def statements(path):
    """A SQL file split at lines ending with ';'; comment lines stay with the statement after them."""
    out, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if not line.strip() and not cur:
                continue
            cur.append(line)
            if line.rstrip().endswith(";"):
                out.append("\n".join(cur))
                cur = []
    return out


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}", flush=True)
        return ok


def run_with_fe(name, body, env=None):
    """Starts an FE (with `env` added to its environment), runs body(fe, checks), prints the tally; exits 0
    only when all passed."""
    checks = Checks()
    ok = False
    start = time.time()
    c = Cluster(name, None)
    try:
        c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe()
        fe.start(env=env).wait_ready()
        fe.wait_query_port()
        log(f"{name}: FE query_port {fe.query_port}")
        body(fe, checks)
        ok = checks.failed == 0
    except AssertionError as e:
        checks.check(False, "harness", str(e))
    finally:
        c.cleanup(ok)
    log(f"{name}: {time.time() - start:.1f}s")
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    sys.exit(0 if ok and checks.passed > 0 else 1)

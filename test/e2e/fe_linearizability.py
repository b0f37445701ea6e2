"""fe_linearizability: the acceptance test of the metadata log (issue 3).

Three FE processes share one volume (the real S3 server from STRATA_TEST_S3_*,
a unique prefix per run; STRATA_E2E_VOLUME=local runs it on a local directory).
Client threads create uniquely named databases (and drop some they created)
through random FEs while a killer thread kill -9s the current leader every
few seconds and restarts it. Afterwards every FE must hold the same catalog
at the same version, and:
  - every acknowledged create is present exactly once, unless acknowledged dropped;
  - an acknowledged drop is absent;
  - no database exists that no client issued;
  - an unacknowledged operation is either applied or not (never partial: a
    name appears at most once).
Prints the seed (STRATA_TEST_SEED reproduces the schedule) and the leader
take-over times it observed.
"""

import json
import os
import random
import statistics
import threading
import time

import harness
from harness import Cluster, database_names, fail, log

CLIENTS = 7
LOAD_SECONDS = float(os.environ.get("STRATA_E2E_LOAD_SECONDS", "40"))
KILLS = 4
ATTEMPTS_MAX = 10
RETRY_SLEEP_S = 0.25


class Op:
    def __init__(self, name):
        self.name = name
        self.create = "unknown"  # "acked" | "unknown"
        self.drop = None         # None (not issued) | "acked" | "unknown"


class Client(threading.Thread):
    def __init__(self, index, cluster, seed, stop, violations):
        super().__init__(name=f"client{index}", daemon=True)
        self.index, self.cluster, self.stop = index, cluster, stop
        self.rng = random.Random(seed * 1000 + index)
        self.violations = violations
        self.ops = []
        self.stats = {"ok": 0, "retries": 0, "unknown": 0}

    def attempt(self, change):
        """Tries `change` on random FEs: (code or "OK", attempt number) or (None, n) if never answered."""
        for n in range(1, ATTEMPTS_MAX + 1):
            fe = self.rng.choice(self.cluster.fes)
            status, body = fe.change(change, timeout=25)
            if status == 200 and isinstance(body, dict):
                return ("OK" if body.get("ok") else body.get("code")), n
            if status == 400:
                self.violations.append(f"{change}: 400 {body}")
                return None, n
            self.stats["retries"] += 1
            time.sleep(RETRY_SLEEP_S)
        return None, ATTEMPTS_MAX

    def run(self):
        seq = 0
        while not self.stop.is_set():
            op = Op(f"c{self.index}_{seq}")
            seq += 1
            self.ops.append(op)
            code, n = self.attempt({"type": "create_database", "name": op.name})
            if code == "OK" or (code == "AlreadyExists" and n > 1):
                op.create = "acked"  # AlreadyExists on a retry: an earlier attempt committed
                self.stats["ok"] += 1
            elif code is None:
                self.stats["unknown"] += 1
                continue
            else:
                self.violations.append(f"create {op.name}: {code} on attempt {n}")
                continue
            if self.rng.random() < 0.3 and not self.stop.is_set():
                code, n = self.attempt({"type": "drop_database", "name": op.name})
                if code == "OK" or (code == "NotFound" and n > 1):
                    op.drop = "acked"
                elif code is None:
                    op.drop = "unknown"
                else:
                    op.drop = "unknown"
                    self.violations.append(f"drop {op.name}: {code} on attempt {n}")


class Killer(threading.Thread):
    def __init__(self, cluster, seed, stop):
        super().__init__(name="killer", daemon=True)
        self.cluster, self.stop = cluster, stop
        self.rng = random.Random(seed)
        self.takeovers_s = []
        self.error = None

    def run(self):
        try:
            self.kill_loop()
        except AssertionError as e:
            self.error = str(e)

    def kill_loop(self):
        interval = LOAD_SECONDS / (KILLS + 1)
        for _ in range(KILLS):
            if self.stop.wait(interval * self.rng.uniform(0.7, 1.1)):
                return
            leader = self.cluster.leader(timeout=30)
            t0 = time.time()
            leader.kill9()
            log(f"killer: kill -9 fe{leader.index} (leader)")
            new = self.cluster.leader(timeout=30)
            self.takeovers_s.append(time.time() - t0)
            log(f"killer: fe{new.index} took over after {self.takeovers_s[-1]:.2f}s")
            time.sleep(self.rng.uniform(0.2, 1.5))
            leader.start()


def check(cluster, clients):
    for fe in cluster.fes:
        if not fe.running():
            fe.start()
    for fe in cluster.fes:
        fe.wait_ready(timeout=60)
    version = cluster.wait_converged(timeout=60)
    catalogs = [fe.catalog() for fe in cluster.fes]
    texts = {json.dumps(c["catalog"], sort_keys=True) for c in catalogs}
    versions = {c["version"] for c in catalogs}
    if len(texts) != 1 or len(versions) != 1:
        fail(f"FEs disagree: versions {[c['version'] for c in catalogs]}, {len(texts)} distinct catalogs")
    names = database_names(catalogs[0]["catalog"])
    present = set(names)
    if len(present) != len(names):
        dup = sorted(n for n in present if names.count(n) > 1)
        fail(f"databases present more than once: {dup[:10]}")
    ops = {op.name: op for c in clients for op in c.ops}
    unknown_names = present - set(ops)
    if unknown_names:
        fail(f"databases no client issued: {sorted(unknown_names)[:10]}")
    errors = []
    for op in ops.values():
        if op.create == "acked" and op.drop is None and op.name not in present:
            errors.append(f"acknowledged create {op.name} is missing")
        if op.drop == "acked" and op.name in present:
            errors.append(f"acknowledged drop {op.name} is still present")
    if errors:
        fail(f"{len(errors)} violations, e.g. {errors[:10]}")
    acked = sum(1 for op in ops.values() if op.create == "acked")
    dropped = sum(1 for op in ops.values() if op.drop == "acked")
    unknown = sum(1 for op in ops.values() if op.create == "unknown")
    log(f"consistent: {len(cluster.fes)} FEs at version {version}, {len(present)} databases; "
        f"{len(ops)} creates issued ({acked} acked, {unknown} unknown), {dropped} drops acked")


def volume():
    if os.environ.get("STRATA_E2E_VOLUME") == "local":
        return None  # a directory inside the cluster's temp dir
    return harness.s3_volume_or_skip("linearizability")


def test():
    seed = harness.seed_from_env()
    with Cluster("lin", volume()) as cluster:
        if cluster.volume is None:
            cluster.volume = harness.local_volume(os.path.join(cluster.dir, "volume"))
        for _ in range(3):
            cluster.add_fe()
        for fe in cluster.fes:
            fe.start()
        for fe in cluster.fes:
            fe.wait_ready()
        first = cluster.leader()
        log(f"fe{first.index} leads; load for {LOAD_SECONDS:.0f}s with {CLIENTS} clients, {KILLS} leader kills")
        stop = threading.Event()
        violations = []
        clients = [Client(i, cluster, seed, stop, violations) for i in range(CLIENTS)]
        killer = Killer(cluster, seed, stop)
        for t in clients + [killer]:
            t.start()
        time.sleep(LOAD_SECONDS)
        stop.set()
        killer.join(90)
        for c in clients:
            c.join(300)
        if killer.error:
            fail("killer: " + killer.error)
        if violations:
            fail(f"{len(violations)} wrong answers, e.g. {violations[:10]}")
        totals = {k: sum(c.stats[k] for c in clients) for k in clients[0].stats}
        log(f"client totals: {totals}")
        t = killer.takeovers_s
        if t:
            log(f"leader take-over times (s): {[round(x, 2) for x in t]}; "
                f"min {min(t):.2f} median {statistics.median(t):.2f} max {max(t):.2f}")
        check(cluster, clients)


if __name__ == "__main__":
    harness.main(test)

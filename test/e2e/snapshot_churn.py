"""snapshot_churn: cluster snapshots under churn, and failing snapshots, on one FE (local-directory volume).

  1. Churn. Automated snapshots every second (retention 3, vacuum grace 2 s, compaction every 300 ms) while a
     workload thread runs for ~30 s: stream loads into three tables (one range-partitioned), DELETE ... WHERE,
     TRUNCATE TABLE [PARTITION], ALTER TABLE DROP/ADD PARTITION (a rolling window), DROP TABLE and re-CREATE.
     Meanwhile a checker loops `strata snapshot list` and `strata snapshot verify --all`: every retained
     snapshot must be fully readable at every moment (the one race it tolerates: a snapshot that expires while
     verify reads it — see check_once). No job may fail, and no more than retention + 1 manifests are ever
     listed. Then automated snapshots go OFF (purged), vacuum runs after the grace period, and storage is
     exactly the current tablet versions: every tablet directory holds at most one .tm, every .sdf is a rowset
     of that .tm and vice versa, and the number of .tm files equals the number of non-empty tablets in the
     catalog (taken from a manual snapshot `final`, whose manifest counts them and which verify proves are all
     present). Every table's rows equal the workload's model.
  2. Failing snapshots. The FE restarts with STRATA_FAILPOINTS=snapshot.after_image=error and automated
     snapshots ON every second; loads, DELETEs and compaction run for ~10 s. Every new job ends in ERROR,
     /metrics shows strata_snapshot_consecutive_failures > 0, no failed job has a manifest (only `final` is
     listed), and after DELETE + TRUNCATE of every table (and a small reload of sl.x) and the grace period,
     vacuum reclaims everything that `final` (a complete snapshot) does not pin: the objects left are exactly
     `final`'s plus sl.x's one current version, and `final` verifies.
  3. The FE restarts with snapshot.after_manifest=error: a job that fails after writing its manifest (as when
     the manifest's reply is lost) is ERROR and leaves no manifest — nothing pins its files, so a manifest left
     behind would be a listed snapshot that cannot be restored.

Randomness: STRATA_SEED (or STRATA_TEST_SEED) reproduces a run; the seed is printed.
"""

import glob
import json
import os
import random
import subprocess
import threading
import time

import harness
from harness import Cluster, fail, log
from stream_load import sql, stream_load

GRACE_MS = 2000
RETENTION = 3
CHURN_S = 30
FAILING_S = 10
WIDTH = 100_000  # key range of one partition of sl.r


def expect(cond, msg):
    if not cond:
        fail(msg)


def seed():
    env = os.environ.get("STRATA_SEED") or os.environ.get("STRATA_TEST_SEED")
    s = int(env) if env else random.SystemRandom().randrange(1 << 31)
    log(f"seed {s} (reproduce with STRATA_SEED={s})")
    return s


def tool(volume_dir, *args, timeout=120):
    r = subprocess.run([harness.binary(), "snapshot", *args, "--volume", volume_dir], capture_output=True,
                       text=True, timeout=timeout)
    return r


def tool_json(volume_dir, *args):
    r = tool(volume_dir, *args, "--json")
    try:
        return r.returncode, json.loads(r.stdout), r
    except ValueError:
        return r.returncode, None, r


def jobs(fe):
    """name -> (state, error) of every snapshot job the FE remembers."""
    return {r[0]: (r[1], r[2] if len(r) > 2 else "")
            for r in sql(fe, "SELECT SNAPSHOT_NAME, STATE, ERROR_MESSAGE FROM information_schema.cluster_snapshot_jobs")}


def manifests(volume_dir):
    return sorted(os.path.basename(os.path.dirname(p))
                  for p in glob.glob(os.path.join(volume_dir, "*", "meta", "image", "*", "snapshot_meta.json")))


def maintenance(fe, vacuum=True):
    status, r = fe.post("/api/data/maintenance" + ("" if vacuum else "?vacuum=0"), timeout=120)
    expect(status == 200 and r.get("ok") is True, f"maintenance: {status} {r}")
    return r


def check(fe, what):
    status, body = fe.get("/api/data/check", timeout=120)
    expect(status == 200 and body.get("ok") is True, f"{what}: /api/data/check: {status} {body}")


def metric(fe, name):
    status, text = fe.get("/metrics")
    expect(status == 200, f"/metrics: {status}")
    total, found = 0.0, False
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    return total if found else None


# ---------------------------------------------------------------- storage accounting

def parse_tm(data):
    """(tablet_id, version, [data file keys]) of a .tm object (docs/formats/tablet-meta.md)."""
    pos = 0

    def varint():
        nonlocal pos
        shift = value = 0
        while True:
            b = data[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            if b < 0x80:
                return value
            shift += 7

    def string():
        nonlocal pos
        n = varint()
        s = data[pos:pos + n]
        pos += n
        return s.decode()

    expect(data[:4] == b"STM1", "not a .tm object")
    pos = 8
    tablet_id, version = varint(), varint()
    string()  # txn id
    for _ in range(varint()):  # schema
        string()
        varint(), varint(), varint()
        pos += 1
    files = []
    for _ in range(varint()):  # rowsets
        files.append(string())
        varint(), varint(), varint()
    return tablet_id, version, files


def tablet_files(volume_dir):
    """{tablet dir key: ({.tm keys}, {.sdf keys})} for every object under <lineage>/data/tablets/; keys relative
    to the volume root, as .tm rowsets name them."""
    out = {}
    for path in glob.glob(os.path.join(volume_dir, "*", "data", "tablets", "*", "*", "*")):
        key = os.path.relpath(path, volume_dir)
        parts = key.split(os.sep)
        if not (key.endswith(".tm") or key.endswith(".sdf")):
            continue
        entry = out.setdefault("/".join(parts[:4]), (set(), set()))
        (entry[0] if key.endswith(".tm") else entry[1]).add("/".join(parts))
    return out


def count_files(volume_dir):
    return sum(len(tm) + len(sdf) for tm, sdf in tablet_files(volume_dir).values())


def assert_exactly_current(volume_dir, current_versions, what):
    """Storage holds exactly `current_versions` tablet versions and their data files: at most one .tm per
    tablet directory, each .sdf a rowset of that .tm (and each rowset present), and as many .tm as the catalog
    has non-empty tablets (which verify proved are all present, so the sets are equal)."""
    tm_total, sdf_total = 0, 0
    for tablet, (tms, sdfs) in sorted(tablet_files(volume_dir).items()):
        expect(len(tms) <= 1, f"{what}: {tablet} keeps {len(tms)} versions: {sorted(tms)}")
        expect(tms or not sdfs, f"{what}: {tablet} has data files and no version: {sorted(sdfs)}")
        for tm in tms:
            with open(os.path.join(volume_dir, tm), "rb") as f:
                _, _, files = parse_tm(f.read())
            expect(set(files) == sdfs, f"{what}: {tm} lists {sorted(files)}, the directory holds {sorted(sdfs)}")
        tm_total += len(tms)
        sdf_total += len(sdfs)
    expect(tm_total == current_versions,
           f"{what}: {tm_total} tablet versions in storage, the catalog has {current_versions} non-empty tablets")
    return tm_total, sdf_total


def all_files(volume_dir):
    out = set()
    for tms, sdfs in tablet_files(volume_dir).values():
        out |= tms | sdfs
    return out


# ---------------------------------------------------------------- workload

class Workload:
    """Random DDL/DML on sl.r (range partitioned on k), sl.d and sl.x, with a model of their rows (k -> v)."""

    def __init__(self, fe, rng):
        self.fe = fe
        self.rng = rng
        self.rows = {"r": {}, "d": {}, "x": {}}
        self.parts = []  # live partition indexes of sl.r, ascending
        self.next_key = {}  # partition index -> next key offset
        self.d_key = 0
        self.x_exists = False
        self.ops = {}
        self.label = 0

    def create(self):
        sql(self.fe, "CREATE DATABASE sl")
        self.parts = [0, 1, 2, 3]
        parts = ", ".join(self.partition_sql(i) for i in self.parts)
        sql(self.fe, "CREATE TABLE sl.r (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) PARTITION BY RANGE(k) "
                     f"({parts}) DISTRIBUTED BY HASH(k) BUCKETS 2")
        sql(self.fe, "CREATE TABLE sl.d (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
        self.create_x()

    def create_x(self):
        sql(self.fe, "CREATE TABLE sl.x (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1")
        self.x_exists = True
        self.rows["x"] = {}

    @staticmethod
    def partition_sql(i):
        return f"PARTITION p{i} VALUES [({i * WIDTH}), ({(i + 1) * WIDTH}))"

    def count(self, op):
        self.ops[op] = self.ops.get(op, 0) + 1

    def load(self, table, keys):
        rows = {k: self.rng.randrange(10) for k in keys}
        body = "".join(f"{k},{v}\n" for k, v in rows.items())
        self.label += 1
        label = f"w{self.label}-{self.rng.randrange(1 << 30):x}"
        status, r = stream_load(self.fe, body, table=table, label=label, column_separator=",")
        expect(status == 200 and r.get("Status") == "Success" and r.get("NumberLoadedRows") == len(rows),
               f"stream load into sl.{table}: {status} {r}")
        self.rows[table].update(rows)
        self.count("load")

    def r_keys(self, n):
        keys = []
        for _ in range(n):
            i = self.rng.choice(self.parts)
            off = self.next_key.get(i, 0)
            self.next_key[i] = off + 1
            keys.append(i * WIDTH + off)
        return keys

    def delete(self):
        table = self.rng.choice(["r", "d", "x"] if self.x_exists else ["r", "d"])
        kind = self.rng.randrange(3)
        if kind == 0:
            v = self.rng.randrange(10)
            where, pred = f"v = {v}", (lambda k, val: val == v)
        elif kind == 1:
            a, b = self.rng.randrange(10), self.rng.randrange(10)
            where, pred = f"v IN ({a}, {b})", (lambda k, val: val in (a, b))
        else:
            keys = sorted(self.rows[table]) or [0]
            cut = keys[self.rng.randrange(len(keys))]
            where, pred = f"k < {cut} AND v >= 5", (lambda k, val: k < cut and val >= 5)
        part = ""
        if table == "r" and self.rng.random() < 0.4:
            i = self.rng.choice(self.parts)
            part = f" PARTITION (p{i})"
            inner = pred
            pred = lambda k, val: i * WIDTH <= k < (i + 1) * WIDTH and inner(k, val)  # noqa: E731
        sql(self.fe, f"DELETE FROM sl.{table}{part} WHERE {where}")
        self.rows[table] = {k: v for k, v in self.rows[table].items() if not pred(k, v)}
        self.count("delete")

    def truncate(self):
        if self.rng.random() < 0.5:
            i = self.rng.choice(self.parts)
            sql(self.fe, f"TRUNCATE TABLE sl.r PARTITION (p{i})")
            self.rows["r"] = {k: v for k, v in self.rows["r"].items() if not i * WIDTH <= k < (i + 1) * WIDTH}
        else:
            sql(self.fe, "TRUNCATE TABLE sl.d")
            self.rows["d"] = {}
        self.count("truncate")

    def roll_partitions(self):
        old = self.parts.pop(0)
        sql(self.fe, f"ALTER TABLE sl.r DROP PARTITION p{old}")
        self.rows["r"] = {k: v for k, v in self.rows["r"].items() if not old * WIDTH <= k < (old + 1) * WIDTH}
        new = self.parts[-1] + 1
        sql(self.fe, f"ALTER TABLE sl.r ADD {self.partition_sql(new)}")
        self.parts.append(new)
        self.count("drop+add partition")

    def recreate_x(self):
        sql(self.fe, "DROP TABLE sl.x")
        self.x_exists = False
        self.create_x()
        self.count("drop+create table")

    def step(self, ddl=True):
        p = self.rng.random()
        if p < 0.35:
            self.load("r", self.r_keys(self.rng.randrange(5, 60)))
        elif p < 0.60:
            self.load("d", [self.d_key + j for j in range(self.rng.randrange(5, 60))])
            self.d_key += 100
        elif p < 0.70 and self.x_exists:
            base = self.rng.randrange(1 << 40)
            self.load("x", [base + j for j in range(self.rng.randrange(1, 20))])
        elif p < 0.82:
            self.delete()
        elif not ddl:
            self.load("d", [self.d_key + j for j in range(10)])
            self.d_key += 100
        elif p < 0.88:
            self.truncate()
        elif p < 0.94:
            self.roll_partitions()
        else:
            self.recreate_x()

    def run(self, seconds, stop_event, errors, ddl=True):
        deadline = time.time() + seconds
        try:
            while time.time() < deadline and not stop_event.is_set():
                self.step(ddl)
        except AssertionError as e:
            errors.append(f"workload: {e}")
        except Exception as e:  # noqa: BLE001 — reported by the main thread
            errors.append(f"workload: {type(e).__name__}: {e}")

    def check_rows(self, what):
        for table, model in self.rows.items():
            if table == "x" and not self.x_exists:
                continue
            got = {}
            for k, v in sql(self.fe, f"SELECT k, v FROM sl.{table}"):
                expect(int(k) not in got, f"{what}: sl.{table} returns key {k} twice")
                got[int(k)] = int(v)
            if got != model:
                missing = sorted(set(model) - set(got))[:10]
                extra = sorted(set(got) - set(model))[:10]
                fail(f"{what}: sl.{table} has {len(got)} rows, the model {len(model)}; missing {missing}, "
                     f"unexpected {extra}")
        log(f"{what}: rows match the model ({', '.join(f'{t} {len(m)}' for t, m in self.rows.items())})")


# ---------------------------------------------------------------- the checker

class Checker:
    """Loops `strata snapshot list` and `strata snapshot verify --all` while the cluster churns."""

    def __init__(self, fe, volume_dir):
        self.fe = fe
        self.volume_dir = volume_dir
        self.errors = []
        self.runs = 0
        self.verified = 0
        self.tolerated = []
        self.max_listed = 0
        self.seen = set()

    def check_once(self):
        rc, listing, r = tool_json(self.volume_dir, "list")
        if rc != 0 or listing is None:
            self.errors.append(f"snapshot list: exit {rc}\n{r.stdout}\n{r.stderr}")
            return
        if listing["damaged"]:
            self.errors.append(f"snapshot list: damaged manifests {listing['damaged']}")
        names = [s["name"] for s in listing["snapshots"]]
        self.max_listed = max(self.max_listed, len(names))
        if len(names) > RETENTION + 1:
            self.errors.append(f"{len(names)} snapshots listed with retention {RETENTION}: {names}")
        if not names:
            return
        rc, report, r = tool_json(self.volume_dir, "verify", "--all")
        self.runs += 1
        if rc == 0:
            self.verified += len(report["snapshots"])
            self.seen.update(s["name"] for s in report["snapshots"])
            return
        if rc != 1 or report is None:
            self.errors.append(f"snapshot verify --all: exit {rc}\n{r.stdout}\n{r.stderr}")
            return
        # A snapshot may expire (and vacuum may take what only it pinned) while verify reads it: vacuum keeps a
        # snapshot's files while its job is FINISHED, and a job never goes back to FINISHED. So a problem is
        # real when the job is still FINISHED after verify reported it (it was FINISHED all along), or when
        # the snapshot is still listed and fails a second verify of its own.
        states = jobs(self.fe)
        bad = [s for s in report["snapshots"] if not s["ok"]]
        for s in bad:
            name = s["name"]
            state = states.get(name, ("?", ""))[0]
            if state == "FINISHED":
                self.errors.append(f"snapshot {name} (job FINISHED) failed verify: {json.dumps(s)[:2000]}")
                continue
            again = tool(self.volume_dir, "verify", "--name", name)
            _, after, _ = tool_json(self.volume_dir, "list")
            still = after is not None and name in [x["name"] for x in after["snapshots"]]
            if again.returncode != 0 and still:
                self.errors.append(f"snapshot {name} (job {state}) still listed and fails verify:\n{again.stdout}")
            else:
                self.tolerated.append(f"{name} ({state}): {'; '.join(s['problems'])[:300]}")
        for p in report["problems"]:
            # "no complete snapshot": every listed snapshot was deleted before verify listed them again.
            if not p.startswith("no complete snapshot"):
                self.errors.append(f"snapshot verify --all: {p}")
        self.verified += len(report["snapshots"]) - len(bad)

    def run(self, stop_event):
        try:
            while not stop_event.is_set():
                self.check_once()
                time.sleep(0.05)
        except Exception as e:  # noqa: BLE001 — reported by the main thread
            self.errors.append(f"checker: {type(e).__name__}: {e}")


# ---------------------------------------------------------------- the test

def settle(fe, what):
    """Compaction rounds until one commits nothing (no tablet left worth compacting), then the grace period and
    vacuum, twice: every version replaced before that is past its grace period by the second pass."""
    for _ in range(20):
        before = metric(fe, "strata_compaction_committed_total") or 0
        maintenance(fe, vacuum=False)
        if (metric(fe, "strata_compaction_committed_total") or 0) == before:
            break
    else:
        fail(f"{what}: compaction did not settle")
    time.sleep(GRACE_MS / 1000 + 0.5)
    maintenance(fe)
    time.sleep(GRACE_MS / 1000 + 0.5)
    return maintenance(fe)


def churn(c, fe, volume_dir, rng):
    w = Workload(fe, rng)
    w.create()
    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON INTERVAL 1 SECOND")
    stop = threading.Event()
    errors = []
    checker = Checker(fe, volume_dir)
    t_check = threading.Thread(target=checker.run, args=(stop,))
    t_work = threading.Thread(target=w.run, args=(CHURN_S, stop, errors))
    t_check.start()
    t_work.start()
    peak = 0
    while t_work.is_alive():
        t_work.join(1)
        peak = max(peak, count_files(volume_dir))
        if errors or checker.errors:
            break
    stop.set()
    t_work.join()
    t_check.join()
    expect(not errors, "; ".join(errors))
    expect(not checker.errors, "checker:\n" + "\n".join(checker.errors))
    js = jobs(fe)
    automated = {n: s for n, s in js.items() if n.startswith("automated")}
    failed = {n: s for n, s in automated.items() if s[0] == "ERROR"}
    expect(not failed, f"automated snapshot jobs failed under churn: {failed}")
    done = [n for n, s in automated.items() if s[0] in ("FINISHED", "EXPIRED", "DELETED")]
    expect(len(done) >= 5, f"only {len(done)} automated snapshots finished in {CHURN_S}s: {automated}")
    expect(checker.runs >= 5 and len(checker.seen) >= 3,
           f"the checker verified too little: {checker.runs} runs, snapshots {sorted(checker.seen)}")
    log(f"churn: ops {w.ops}; {len(done)} automated snapshots finished; checker: {checker.runs} verify runs, "
        f"{checker.verified} snapshot verifications OK, {len(checker.seen)} distinct snapshots, at most "
        f"{checker.max_listed} listed, {len(checker.tolerated)} tolerated expiry races; peak {peak} data objects")
    for t in checker.tolerated:
        log(f"  tolerated: {t}")

    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF")
    deadline = time.time() + 20
    while time.time() < deadline:
        left = {n: s for n, s in jobs(fe).items() if s[0] not in ("DELETED", "ERROR")}
        if not manifests(volume_dir) and not left:
            break
        time.sleep(0.1)
    expect(not manifests(volume_dir), f"OFF did not purge the automated snapshots: {manifests(volume_dir)}")
    expect(not left, f"automated jobs not DELETED after OFF: {left}")

    r = settle(fe, "after churn")
    check(fe, "after churn")
    w.check_rows("after churn")
    # The catalog's non-empty tablets, counted by a snapshot of it; verify proves each of them present.
    rc = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-e", "CREATE CLUSTER SNAPSHOT final"],
                        capture_output=True, text=True, timeout=180)
    expect(rc.returncode == 0, f"CREATE CLUSTER SNAPSHOT final: {rc.stderr}")
    rc, listing, _ = tool_json(volume_dir, "list")
    expect(rc == 0 and [s["name"] for s in listing["snapshots"]] == ["final"], f"list: {listing}")
    versions = listing["snapshots"][0]["tablet_versions"]
    v = tool(volume_dir, "verify", "--name", "final")
    expect(v.returncode == 0, f"verify final: {v.stdout}{v.stderr}")
    tms, sdfs = assert_exactly_current(volume_dir, versions, "after churn")
    log(f"after churn: storage back to the current versions: {tms} .tm + {sdfs} .sdf (peak {peak}); vacuum {r}")
    return w


def failing(c, fe, volume_dir, w, rng):
    pinned = all_files(volume_dir)  # what `final` pins: the current versions when it was taken
    before_jobs = set(jobs(fe))
    fe.stop()
    fe.start(env={"STRATA_FAILPOINTS": "snapshot.after_image=error"}).wait_ready()
    fe.wait_query_port()
    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON INTERVAL 1 SECOND")
    compactions0 = metric(fe, "strata_compaction_committed_total") or 0
    stop = threading.Event()
    errors = []
    w.run(FAILING_S, stop, errors, ddl=False)
    expect(not errors, "; ".join(errors))
    maintenance(fe, vacuum=False)
    compactions = (metric(fe, "strata_compaction_committed_total") or 0) - compactions0
    expect(compactions > 0, "no compaction ran while snapshots failed")
    w.check_rows("with failing snapshots")
    failures = metric(fe, "strata_snapshot_consecutive_failures")
    expect(failures is not None and failures > 0, f"strata_snapshot_consecutive_failures = {failures}")
    peak = count_files(volume_dir)

    # Everything but `final` and one small table becomes garbage: DELETE, then TRUNCATE every table and reload
    # sl.x (one bucket: one tablet); automated snapshots keep failing meanwhile. (sl.x keeps data because vacuum
    # only sweeps volumes that hold a non-empty tablet: with every table empty it would not run at all — a
    # server bug reported separately, not what this part is about.)
    sql(fe, "DELETE FROM sl.d WHERE v < 5")
    sql(fe, "DELETE FROM sl.r WHERE v >= 5")
    for t in ("r", "d", "x"):
        sql(fe, f"TRUNCATE TABLE sl.{t}")
        w.rows[t] = {}
    w.load("x", [7, 8, 9])
    r = settle(fe, "after truncate")
    check(fe, "after truncate")
    w.check_rows("after truncate")
    left = all_files(volume_dir)
    expect(pinned <= left, f"vacuum deleted what `final` pins: {sorted(pinned - left)[:10]}")
    extra = {t: v for t, v in tablet_files(volume_dir).items() if (v[0] | v[1]) - pinned}
    expect(len(extra) == 1, f"vacuum with failing snapshots left objects of {len(extra)} tablets that neither "
                            f"`final` nor sl.x's one current version needs: {sorted(extra)}")
    (x_tms, x_sdfs), = extra.values()
    expect(len(x_tms) == 1, f"sl.x's tablet keeps {len(x_tms)} versions: {sorted(x_tms)}")
    with open(os.path.join(volume_dir, next(iter(x_tms))), "rb") as f:
        expect(set(parse_tm(f.read())[2]) == x_sdfs, "sl.x's tablet holds data files its version does not list")
    left -= x_tms | x_sdfs
    expect(left == pinned, f"objects left besides sl.x's: {sorted(left - pinned)[:10]}")

    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF")
    deadline = time.time() + 20
    while time.time() < deadline:
        new = {n: s for n, s in jobs(fe).items() if n not in before_jobs}
        if all(s[0] == "ERROR" for s in new.values()):
            break
        time.sleep(0.2)
    expect(len(new) >= 3, f"only {len(new)} automated jobs ran in {FAILING_S}s with the failpoint: {new}")
    not_error = {n: s for n, s in new.items() if s[0] != "ERROR"}
    expect(not not_error, f"jobs that did not fail with snapshot.after_image=error: {not_error}")
    expect(manifests(volume_dir) == ["final"], f"manifests: {manifests(volume_dir)}")
    listed = [row[0] for row in sql(fe, "SELECT SNAPSHOT_NAME FROM information_schema.cluster_snapshots")]
    expect(listed == ["final"], f"information_schema.cluster_snapshots: {listed}")
    rc, listing, _ = tool_json(volume_dir, "list", "--show-debris")
    expect(rc == 0 and [s["name"] for s in listing["snapshots"]] == ["final"], f"list: {listing}")
    v = tool(volume_dir, "verify", "--all")
    expect(v.returncode == 0, f"verify --all: {v.stdout}{v.stderr}")
    log(f"failing snapshots: {len(new)} jobs ERROR ({next(iter(new.values()))[1][:80]}), consecutive failures "
        f"{failures:.0f}, {compactions:.0f} compactions, {len(listing.get('debris', []))} incomplete images "
        f"(debris), peak {peak} data objects -> {len(left)} = exactly what `final` pins (+ sl.x's "
        f"{len(x_tms) + len(x_sdfs)}); vacuum {r}")


def failing_after_manifest(c, fe, volume_dir):
    """A job that fails after its manifest was written (a lost reply looks the same) leaves no snapshot."""
    before_jobs = set(jobs(fe))
    fe.stop()
    fe.start(env={"STRATA_FAILPOINTS": "snapshot.after_manifest=error"}).wait_ready()
    fe.wait_query_port()
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-e", "CREATE CLUSTER SNAPSHOT m1"],
                       capture_output=True, text=True, timeout=180)
    expect(r.returncode != 0, "CREATE CLUSTER SNAPSHOT m1 succeeded with snapshot.after_manifest=error")
    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT ON INTERVAL 1 SECOND")
    deadline = time.time() + 20
    new = {}
    while time.time() < deadline:
        new = {n: s for n, s in jobs(fe).items() if n not in before_jobs}
        if sum(1 for s in new.values() if s[0] == "ERROR") >= 3:
            break
        time.sleep(0.2)
    sql(fe, "ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF")
    while time.time() < deadline:
        new = {n: s for n, s in jobs(fe).items() if n not in before_jobs}
        if all(s[0] == "ERROR" for s in new.values()):
            break
        time.sleep(0.2)
    expect(len(new) >= 3 and all(s[0] == "ERROR" for s in new.values()),
           f"jobs with snapshot.after_manifest=error: {new}")
    expect(manifests(volume_dir) == ["final"], f"a failed job left its manifest: {manifests(volume_dir)}")
    v = tool(volume_dir, "verify", "--all")
    expect(v.returncode == 0, f"verify --all: {v.stdout}{v.stderr}")
    log(f"failing after the manifest: {len(new)} jobs ERROR, no manifest left, `final` verifies")


def run():
    rng = random.Random(seed())
    with Cluster("snapshot-churn", None) as c:
        volume_dir = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(volume_dir)
        fe = c.add_fe(automated_cluster_snapshot_retention_count=RETENTION, vacuum_grace_ms=GRACE_MS,
                      vacuum_interval_ms=1, data_maintenance_interval_ms=300, compaction_min_rowsets=3)
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        t0 = time.time()
        w = churn(c, fe, volume_dir, rng)
        log(f"part 1 (churn) took {time.time() - t0:.1f}s")
        t0 = time.time()
        failing(c, fe, volume_dir, w, rng)
        log(f"part 2 (failing snapshots) took {time.time() - t0:.1f}s")
        t0 = time.time()
        failing_after_manifest(c, fe, volume_dir)
        log(f"part 3 (failing after the manifest) took {time.time() - t0:.1f}s")


if __name__ == "__main__":
    harness.main(run)

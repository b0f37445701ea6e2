"""fe_crash_sweep: the FE killed (SIGKILL) at every failpoint of the commit, checkpoint and start-up paths.

For each scenario (failpoint `name`, hit number `n`), on a fresh local-directory volume (and a subset on the
S3 server too when STRATA_TEST_S3_* is set):
  commit/checkpoint path: one FE starts with STRATA_FAILPOINTS=<name>=crash@<n> and meta_checkpoint_entries=5,
      two client threads submit create_database (and some drop_database of their own acknowledged creates)
      through POST /api/meta/change until the FE dies; it must die by SIGKILL (a failpoint never reached
      is a failure, not a pass).
  start-up path: a clean FE writes state with checkpoints (and entries after the newest image), is
      killed, then starts with the failpoint armed and must die by SIGKILL before it finishes recovery.
Then the FE restarts without failpoints and must: become ready; hold every acknowledged create (with its
acknowledged id) unless its drop was acknowledged; hold no acknowledged drop, nothing unrequested, no change
refused as "not committed"; unacknowledged creates whole or absent; catalog version >= every acknowledged
version. It then takes new writes (crossing a checkpoint) and an on-demand checkpoint whose clean-up must
remove the crash's debris (no warning, no log entry at or below the oldest kept image, no gap above it),
and after one more (clean) restart the catalog JSON is identical (version and term aside: the restart
commits a LeaderChange).
3-FE variant (commit path): fe0 leads with the failpoint armed; clients write through all FEs; fe0 dies at
the failpoint, a follower takes over, fe0 restarts clean; every FE must hold the same catalog satisfying
the checks above, accept writes, and survive a restart of all FEs unchanged (its summary line also shows
the term after the take-over, 2 for a single take-over, and how often a follower had to reload from an
image because the clean-up deleted entries it had not read yet: informational, not checked).

STRATA_TEST_SEED replays the clients' choices; STRATA_CRASH_SWEEP_ONLY=<substring> runs only the
scenarios whose label contains it.
"""

import glob
import http.client
import json
import os
import random
import re
import shutil
import signal
import threading
import time

import harness
from harness import Cluster, database_names, fail, log

CHECKPOINT_ENTRIES = 5
IMAGES_KEPT = 2  # MetaServiceOptions default (not configurable in fe.conf)
CLIENTS = 2
CRASH_WAIT_S = 10.0

# Hits of the commit-path failpoints on a fresh cluster: 1 = the FE's LeaderChange, 2 = the builtin
# storage volume, 3 = the default storage volume, 4.. = client changes (several per entry when batched).
# Checkpoints: one per 5 entries (image 5, 10, 15 ...); each clean-up deletes the log entries at or below
# the oldest kept image (the 1st deletes entries 1..5), and images from the 3rd on (images_kept = 2).
# local.put_if_absent hit 1 is the lineage pointer.
COMMIT_SCENARIOS = [
    ("meta.log.before_append", [1, 3, 6]),
    ("meta.log.after_append", [1, 3, 6]),
    ("meta.service.before_apply", [1, 3, 6]),
    ("meta.image.before_write", [1, 3]),
    ("meta.image.after_write", [1, 3]),
    ("meta.checkpoint.after_image_before_cleanup", [1, 3]),
    ("meta.cleanup.between_images_and_log", [1, 3]),
    # the local-directory store under the same paths (put-if-absent of log entries, images, the lineage;
    # the unlinks of the clean-up: 1 and 3 among entries 1..5 at the 1st checkpoint, 6 right after image 5
    # is deleted at the 3rd, 8 leaves a gap among entries 6..10)
    ("local.put_if_absent.after_fsync", [3, 7]),
    ("local.put_if_absent.after_link", [1, 3, 7]),
    ("local.put_if_absent.after_dir_fsync", [4]),
    ("local.delete.after_unlink", [1, 3, 6, 8]),
]
# (failpoint, n, drop the FE's meta_dir cache first)
STARTUP_SCENARIOS = [
    ("meta.start.after_image_load", 1, False),
    ("meta.start.after_image_load", 1, True),
    ("meta.service.before_apply", 1, False),  # replaying the entries after the newest image
    ("meta.service.before_apply", 2, True),
]
THREE_FE_SCENARIOS = [
    ("meta.log.before_append", 6),
    ("meta.log.after_append", 6),
    ("meta.service.before_apply", 6),
]
S3_COMMIT_SCENARIOS = [(fp, ns) for fp, ns in COMMIT_SCENARIOS if fp.startswith("meta.")]

RECOVERED_RE = re.compile(r": cluster \S+ lineage \S+ at version \d+ \(image \d+\)")
SIGKILLED = -signal.SIGKILL

results = []  # one line per scenario, printed at the end


def expect(cond, msg):
    if not cond:
        fail(msg)


def last_run_log(fe):
    try:
        with open(fe.log_path, errors="replace") as f:
            text = f.read()
    except OSError:
        return ""
    return text.split("---- start")[-1]


def armed(fp, n):
    return {"STRATA_FAILPOINTS": f"{fp}=crash@{n}"}


def wait_http_up(fe, timeout=20.0):
    """True once the FE answers /api/health; False if it exits first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not fe.running():
            return False
        status, _ = fe.get("/api/health", timeout=1)
        if status == 200:
            return True
        time.sleep(0.02)
    fail(f"fe{fe.index}: no HTTP answer {timeout}s after start:\n{fe.log_tail()}")


# ---------------------------------------------------------------------------------------------------------
# What was asked and what was answered


class Op:
    def __init__(self, name):
        self.name = name
        self.create = None  # acked | unknown | not_committed | rejected
        self.create_id = None
        self.create_version = None
        self.drop = None  # None (never sent) | acked | unknown | not_committed | rejected
        self.acked_at = None


class Workload:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = {}
        self.violations = []
        self.max_acked_version = 0
        self.answers = {}  # classification -> count

    def new(self, name):
        with self.lock:
            expect(name not in self.ops, f"name {name} reused")
            op = self.ops[name] = Op(name)
            return op

    def classify(self, kind, name, status, body):
        """acked | unknown | not_committed | rejected; records violations and the version."""
        b = body if isinstance(body, dict) else {}
        if status == 200 and b.get("ok") is True:
            cls = "acked"
        elif status == 200 and b.get("ok") is False:
            cls = "rejected"
            # names are unique and only acknowledged creates are dropped: a rejection means state was lost
            self.violation(f"{kind} {name}: rejected {b.get('code')}: {b.get('message')}")
        elif status == 503 and b.get("code") == "DeadlineExceeded" and b.get("version"):
            cls = "acked"  # committed at V by the leader; this follower is only slow
        elif status == 421 or (status == 503 and b.get("code") == "Unavailable"
                               and "outcome unknown" not in str(b.get("message", ""))):
            cls = "not_committed"
        elif status is None or status == 503:
            cls = "unknown"
        else:
            cls = "unknown"
            self.violation(f"{kind} {name}: unexpected answer {status} {body}")
        with self.lock:
            self.answers[f"{kind}:{cls}"] = self.answers.get(f"{kind}:{cls}", 0) + 1
            if cls == "acked":
                self.max_acked_version = max(self.max_acked_version, int(b.get("version", 0)))
        return cls

    def violation(self, msg):
        with self.lock:
            self.violations.append(msg)

    @staticmethod
    def change(fe, change):
        """fe.change, with an answer cut short by the FE's death as no answer (status None)."""
        try:
            return fe.change(change)
        except http.client.HTTPException as e:  # e.g. IncompleteRead: killed between headers and body
            return None, repr(e)

    def submit_create(self, fe, name):
        op = self.new(name)
        status, body = self.change(fe, {"type": "create_database", "name": name})
        op.create = self.classify("create", name, status, body)
        if op.create == "acked":
            op.create_id = body.get("id")
            op.create_version = body.get("version")
            op.acked_at = time.time()
        return op, status, body

    def submit_drop(self, fe, op):
        op.drop = "unknown"  # in flight
        status, body = self.change(fe, {"type": "drop_database", "name": op.name})
        op.drop = self.classify("drop", op.name, status, body)
        if op.drop == "acked":
            op.acked_at = time.time()
        return status, body

    def counts(self):
        with self.lock:
            ops = list(self.ops.values())
        return {
            "creates": len(ops),
            "acked": sum(o.create == "acked" for o in ops),
            "unknown": sum(o.create == "unknown" for o in ops),
            "not_committed": sum(o.create == "not_committed" for o in ops),
            "drops_acked": sum(o.drop == "acked" for o in ops),
            "drops_unknown": sum(o.drop == "unknown" for o in ops),
        }

    def acks_after(self, t):
        with self.lock:
            return sum(1 for o in self.ops.values() if o.acked_at is not None and o.acked_at > t)


class Client(threading.Thread):
    """Submits changes one at a time to a target FE until stopped or `max_ops` were sent."""

    def __init__(self, index, workload, rng, stop, pick_fe, max_ops):
        super().__init__(daemon=True)
        self.index = index
        self.workload = workload
        self.rng = rng
        self.stop = stop
        self.pick_fe = pick_fe
        self.max_ops = max_ops
        self.sent = 0
        self.error = None

    def run(self):
        try:
            self._run()
        except Exception as e:  # noqa: BLE001 - reported by the scenario
            self.error = f"client {self.index}: {e!r}"

    def _run(self):
        mine = []  # my acknowledged, not (being) dropped creates
        k = 0
        while not self.stop.is_set() and self.sent < self.max_ops:
            fe = self.pick_fe(self.rng)
            if fe is None:
                time.sleep(0.02)
                continue
            self.sent += 1
            if mine and self.rng.random() < 0.2:
                op = mine.pop(self.rng.randrange(len(mine)))
                status, _ = self.workload.submit_drop(fe, op)
                ok = op.drop == "acked"
            else:
                op, status, _ = self.workload.submit_create(fe, f"c{self.index}_{k}")
                k += 1
                ok = op.create == "acked"
                if ok:
                    mine.append(op)
            if not ok:
                time.sleep(0.05 if status is not None else 0.02)


# ---------------------------------------------------------------------------------------------------------
# Checks


def strip_volatile(catalog):
    """The catalog JSON without what a restart legitimately changes (its LeaderChange)."""
    c = dict(catalog)
    for k in ("version", "term", "leader"):
        c.pop(k, None)
    return json.dumps(c, sort_keys=True)


def check_catalog(head, wl, label):
    """Violations of the acknowledged history in one FE's /api/meta/catalog answer."""
    errors = []
    catalog = head["catalog"]
    dbs = catalog.get("databases", [])
    names = database_names(catalog)
    by_name = {d["name"]: d for d in dbs}
    if len(by_name) != len(names):
        errors.append(f"duplicate database names: {sorted(names)}")
    ids = [d.get("id") for d in dbs]
    if len(set(ids)) != len(ids):
        errors.append(f"duplicate database ids: {sorted(ids)}")
    with wl.lock:
        ops = dict(wl.ops)
        max_acked = wl.max_acked_version
    for name in names:
        if name not in ops:
            errors.append(f"unrequested database {name!r}")
    for name, op in ops.items():
        present = name in by_name
        db = by_name.get(name)
        if op.create == "acked":
            if op.drop == "acked":
                if present:
                    errors.append(f"{name}: drop acknowledged, but present")
            elif op.drop == "unknown":
                pass
            elif not present:
                errors.append(f"{name}: create acknowledged (version {op.create_version}, id {op.create_id}) "
                              f"but absent")
            elif db.get("id") != op.create_id:
                errors.append(f"{name}: acknowledged id {op.create_id}, catalog has {db.get('id')}")
        elif op.create == "not_committed" and present:
            errors.append(f"{name}: answered 'not committed', but present: {db}")
        if present and (not isinstance(db.get("id"), int) or db.get("id", 0) <= 0
                        or not isinstance(db.get("create_time_ms"), int) or db.get("tables") != []):
            errors.append(f"{name}: not whole: {db}")
    if head["version"] < max_acked:
        errors.append(f"catalog version {head['version']} < acknowledged version {max_acked}")
    if head["catalog"].get("version") != head["version"]:
        errors.append(f"head version {head['version']} != catalog version {head['catalog'].get('version')}")
    if errors:
        log(f"{label}: {len(errors)} violations: {errors[:20]}")
    return errors


def check_volume_debris(root, cluster_id, version, label):
    """After a clean-up: <= images_kept images, no log entry at or below the oldest one, no gap above it."""
    meta = os.path.join(root, cluster_id, "meta")
    images = sorted(int(os.path.basename(p)[len("image."):]) for p in glob.glob(os.path.join(meta, "image", "image.*"))
                    if re.fullmatch(r"image\.\d{20}", os.path.basename(p)))
    entries = sorted(int(os.path.basename(p)) for p in glob.glob(os.path.join(meta, "log", "*"))
                     if re.fullmatch(r"\d{20}", os.path.basename(p)))
    expect(images, f"{label}: no image on the volume after a checkpoint")
    expect(len(images) <= IMAGES_KEPT, f"{label}: {len(images)} images after clean-up: {images}")
    cut = images[0]
    below = [v for v in entries if v <= cut]
    expect(not below, f"{label}: clean-up left log entries at or below the oldest image {cut}: {below}")
    want = list(range(cut + 1, version + 1))
    expect(entries == want, f"{label}: log entries {entries[:5]}..{entries[-5:]} != {cut + 1}..{version}")


def restart_time(fe, timeout=30.0):
    t = time.time()
    fe.start().wait_ready(timeout)
    return time.time() - t


def after_crash(c, fes, wl, label, root):
    """Restart (fes not running are started clean), check, write, checkpoint, restart again, compare."""
    t = time.time()
    for fe in fes:
        if not fe.running():
            fe.start(env={"STRATA_FAILPOINTS": None})
    for fe in fes:
        fe.wait_ready(30)
    leader = c.leader(15)
    ready_s = time.time() - t
    if len(fes) > 1:
        c.wait_converged(30)
    heads = [fe.catalog() for fe in fes]
    errors = []
    for fe, head in zip(fes, heads):
        errors += [f"fe{fe.index}: {e}" for e in check_catalog(head, wl, f"{label} fe{fe.index} after restart")]
    if len({json.dumps(h["catalog"], sort_keys=True) for h in heads}) != 1:
        errors.append(f"FEs disagree after convergence: versions {[h['version'] for h in heads]}")
    if errors:
        fail(f"{label}: after the crash: {errors[:20]}")
    recovered = heads[0]["version"]

    # New writes through every FE, enough to cross an automatic checkpoint, and a drop.
    post = []
    for i in range(CHECKPOINT_ENTRIES + 2):
        fe = fes[i % len(fes)]
        op, status, body = wl.submit_create(fe, f"post_{i}")
        expect(op.create == "acked", f"{label}: new write after restart via fe{fe.index}: {status} {body}")
        post.append(op)
    status, body = wl.submit_drop(fes[-1], post[0])
    expect(post[0].drop == "acked", f"{label}: drop after restart: {status} {body}")
    status, body = leader.post("/api/meta/checkpoint")
    expect(status == 200 and body.get("ok"), f"{label}: on-demand checkpoint after restart: {status} {body}")
    if len(fes) > 1:
        c.wait_converged(30)
    heads = [fe.catalog() for fe in fes]
    for fe, head in zip(fes, heads):
        errs = check_catalog(head, wl, f"{label} fe{fe.index} after new writes")
        expect(not errs, f"{label}: fe{fe.index} after new writes: {errs[:20]}")
    before = {strip_volatile(h["catalog"]) for h in heads}
    expect(len(before) == 1, f"{label}: FEs disagree after new writes")
    for fe in fes:
        text = last_run_log(fe)
        for bad in ("checkpoint failed", "clean-up behind image", "replay failed", " ERROR ", "steps down"):
            line = next((l for l in text.splitlines() if bad in l), None)
            expect(line is None, f"{label}: fe{fe.index} logged after restart: {line}")
    if root is not None:
        check_volume_debris(root, heads[0]["cluster_id"], heads[0]["version"], label)

    # A clean restart of every FE: the same catalog.
    for fe in fes:
        code = fe.stop()
        expect(code == 0, f"{label}: fe{fe.index} clean stop exited {code}:\n{fe.log_tail()}")
    for fe in fes:
        fe.start()
    for fe in fes:
        fe.wait_ready(30)
    c.leader(15)
    if len(fes) > 1:
        c.wait_converged(30)
    heads2 = [fe.catalog() for fe in fes]
    after = {strip_volatile(h["catalog"]) for h in heads2}
    if after != before:
        a, b = json.loads(next(iter(before))), json.loads(next(iter(after)))
        diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        fail(f"{label}: catalog changed across a clean restart: {str(diff)[:2000]}")
    for fe, head in zip(fes, heads2):
        errs = check_catalog(head, wl, f"{label} fe{fe.index} after 2nd restart")
        expect(not errs, f"{label}: fe{fe.index} after the 2nd restart: {errs[:20]}")
    return ready_s, recovered


# ---------------------------------------------------------------------------------------------------------
# Scenarios


def new_cluster(label, volume):
    c = Cluster(f"crash-{label}", volume)
    root = None
    if c.volume is None:
        root = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(root)
    return c, root


def fe_conf(**extra):
    conf = {"meta_checkpoint_entries": CHECKPOINT_ENTRIES}
    conf.update(extra)
    return conf


def run_clients(wl, seed, pick_fe, max_ops):
    stop = threading.Event()
    clients = [Client(i, wl, random.Random(seed * 7919 + i), stop, pick_fe, max_ops) for i in range(CLIENTS)]
    for cl in clients:
        cl.start()
    return stop, clients


def join_clients(stop, clients, label):
    stop.set()
    for cl in clients:
        cl.join(60)
        expect(not cl.is_alive(), f"{label}: client {cl.index} hangs")
        expect(cl.error is None, f"{label}: {cl.error}")


def expect_sigkill(fe, code, label, sent):
    if code is None:
        fail(f"{label}: failpoint NOT reached: the FE still runs {CRASH_WAIT_S:.0f}s after start, "
             f"{sent} changes sent:\n{fe.log_tail()}")
    expect(code == SIGKILLED, f"{label}: the FE exited {code}, not by SIGKILL at the failpoint:\n{fe.log_tail()}")


def commit_scenario(fp, n, seed, volume, where):
    label = f"{where} {fp}@{n}"
    c, root = new_cluster("commit", volume)
    with c:
        fe = c.add_fe(**fe_conf())
        t0 = time.time()
        fe.start(env=armed(fp, n))
        wl = Workload()
        if wait_http_up(fe):
            stop, clients = run_clients(wl, seed, lambda rng: fe if fe.running() else None, max_ops=60)
            code = fe.wait_exit(CRASH_WAIT_S)
            join_clients(stop, clients, label)
        else:
            code, clients = fe.wait_exit(1), []
        crashed_s = time.time() - t0
        expect_sigkill(fe, code, label, sum(cl.sent for cl in clients))
        c.pids.discard(fe.proc.pid)
        crashed_up = bool(RECOVERED_RE.search(last_run_log(fe)))
        expect(not wl.violations, f"{label}: wrong answers before the crash: {wl.violations[:10]}")
        counts = wl.counts()
        ready_s, version = after_crash(c, [fe], wl, label, root)
        line = (f"{label}: SIGKILL at {crashed_s:.2f}s ({'after' if crashed_up else 'before'} the FE recovered); "
                f"creates {counts['creates']} acked {counts['acked']} unknown {counts['unknown']} "
                f"not-committed {counts['not_committed']}, drops acked {counts['drops_acked']}; "
                f"restart->ready {ready_s:.2f}s at version {version}; OK")
        log(line)
        results.append(line)


def entries_after_image(fe, root):
    """Log entries after the newest image on a local volume (S3: unknown, a large number)."""
    if root is None:
        return 1 << 30
    head = fe.catalog()
    images = [int(p.rsplit(".", 1)[1]) for p in
              glob.glob(os.path.join(root, head["cluster_id"], "meta", "image", "image.*"))]
    return head["version"] - max(images, default=0)


def startup_scenario(fp, n, drop_cache, seed, volume, where):
    label = f"{where} start-up {fp}@{n}{' (no cache)' if drop_cache else ''}"
    c, root = new_cluster("start", volume)
    with c:
        fe = c.add_fe(**fe_conf())
        fe.start().wait_ready()
        c.leader()
        wl = Workload()
        rng = random.Random(seed)
        # State with checkpoints and at least `n` + 1 entries after the newest image.
        i = 0
        while True:
            victims = [o for o in wl.ops.values() if o.create == "acked" and o.drop is None]
            if victims and rng.random() < 0.2:
                wl.submit_drop(fe, rng.choice(victims))
            else:
                wl.submit_create(fe, f"s_{i}")
            i += 1
            expect(not wl.violations, f"{label}: clean writes: {wl.violations}")
            if i >= 12 and entries_after_image(fe, root) >= n + 1:
                time.sleep(0.3)  # a checkpoint follows an acknowledgement closely: let it land, look again
                if entries_after_image(fe, root) >= n + 1:
                    break
            expect(i < 200, f"{label}: cannot set up entries after the newest image")
        expect(wl.counts()["acked"] == wl.counts()["creates"], f"{label}: setup writes not all acked")
        fe.kill9()
        if drop_cache:
            shutil.rmtree(fe.conf["meta_dir"])
        t0 = time.time()
        fe.start(env=armed(fp, n))
        code = fe.wait_exit(CRASH_WAIT_S)
        expect_sigkill(fe, code, label, 0)
        c.pids.discard(fe.proc.pid)
        text = last_run_log(fe)
        expect(not RECOVERED_RE.search(text), f"{label}: the crash came after recovery, not during start-up:\n{text}")
        crashed_s = time.time() - t0
        counts = wl.counts()
        ready_s, version = after_crash(c, [fe], wl, label, root)
        line = (f"{label}: SIGKILL during start-up at {crashed_s:.2f}s; state: {counts['acked']} creates acked, "
                f"{counts['drops_acked']} drops acked; restart->ready {ready_s:.2f}s at version {version}; OK")
        log(line)
        results.append(line)


def three_fe_scenario(fp, n, seed, volume, where):
    label = f"{where} 3-FE {fp}@{n}"
    c, root = new_cluster("3fe", volume)
    with c:
        fes = [c.add_fe(**fe_conf(meta_lease_ms=1000, meta_poll_ms=50)) for _ in range(3)]
        fes[0].start(env=armed(fp, n)).wait_ready()
        expect(c.leader() is fes[0], f"{label}: fe0 should lead")
        for fe in fes[1:]:
            fe.start()
        for fe in fes[1:]:
            fe.wait_ready()
        wl = Workload()

        def pick(rng):
            up = [fe for fe in fes if fe.running()]
            return rng.choice(up) if up else None

        t0 = time.time()
        stop, clients = run_clients(wl, seed, pick, max_ops=10_000)
        code = fes[0].wait_exit(CRASH_WAIT_S)
        crash_at = time.time()
        if code is None:
            join_clients(stop, clients, label)
        expect_sigkill(fes[0], code, label, sum(cl.sent for cl in clients))
        c.pids.discard(fes[0].proc.pid)
        # A follower takes over; the clients keep writing through the survivors.
        new_leader = c.leader(20)
        takeover_s = time.time() - crash_at
        deadline = time.time() + 15
        while wl.acks_after(crash_at + takeover_s) < 4 and time.time() < deadline:
            time.sleep(0.05)
        join_clients(stop, clients, label)
        expect(wl.acks_after(crash_at) >= 4, f"{label}: fewer than 4 changes acknowledged after the take-over")
        expect(not wl.violations, f"{label}: wrong answers: {wl.violations[:10]}")
        counts = wl.counts()
        # Informational (liveness, not correctness): term 2 means one take-over; more means the new leader
        # was deposed at once by the other follower.
        term = fes[1].catalog()["catalog"]["term"]
        reloads = sum(last_run_log(fe).count("fell behind the log's clean-up") for fe in fes[1:])
        ready_s, version = after_crash(c, fes, wl, label, root)
        line = (f"{label}: fe0 SIGKILL at {crash_at - t0:.2f}s of load, fe{new_leader.index} took over in "
                f"{takeover_s:.2f}s (term now {term}; follower image reloads {reloads}); "
                f"creates {counts['creates']} acked {counts['acked']} unknown "
                f"{counts['unknown']} not-committed {counts['not_committed']}, drops acked "
                f"{counts['drops_acked']}; fe0 restart->converged {ready_s:.2f}s at version {version}; OK")
        log(line)
        results.append(line)


def s3_volume_or_none():
    keys = ["ENDPOINT", "BUCKET", "ACCESS_KEY", "SECRET_KEY"]
    if all(os.environ.get("STRATA_TEST_S3_" + k) for k in keys) or os.environ.get("STRATA_TEST_REQUIRE_S3") == "1":
        return harness.s3_volume_or_skip("crash-sweep")  # exits 1 when required but missing
    return None


def test():
    os.environ.pop("STRATA_FAILPOINTS", None)  # only the armed starts carry it
    seed = harness.seed_from_env()
    only = os.environ.get("STRATA_CRASH_SWEEP_ONLY", "")
    plan = []
    for fp, ns in COMMIT_SCENARIOS:
        for n in ns:
            plan.append((f"local {fp}@{n}", commit_scenario, (fp, n), None, "local"))
    for fp, n, drop_cache in STARTUP_SCENARIOS:
        plan.append((f"local start-up {fp}@{n}{' nocache' if drop_cache else ''}", startup_scenario,
                     (fp, n, drop_cache), None, "local"))
    for fp, n in THREE_FE_SCENARIOS:
        plan.append((f"local 3-FE {fp}@{n}", three_fe_scenario, (fp, n), None, "local"))
    s3 = s3_volume_or_none()
    if s3 is not None:
        for fp, ns in S3_COMMIT_SCENARIOS:
            plan.append((f"s3 {fp}@{ns[-1]}", commit_scenario, (fp, ns[-1]), "s3", "s3"))
        plan.append(("s3 start-up meta.start.after_image_load@1", startup_scenario,
                     ("meta.start.after_image_load", 1, True), "s3", "s3"))
    else:
        log("S3 variant skipped: STRATA_TEST_S3_* not set")
    plan = [p for p in plan if only in p[0]]
    expect(plan, f"no scenario matches STRATA_CRASH_SWEEP_ONLY={only!r}")
    log(f"{len(plan)} scenarios")
    for i, (label, fn, args, vol, where) in enumerate(plan):
        volume = None
        if vol == "s3":
            volume = dict(s3)
            volume["aws_s3_path"] = f"{s3['aws_s3_path']}/{i}"
        fn(*args, seed + i, volume, where)
    log(f"summary (seed {seed}):")
    for line in results:
        print("  " + line, flush=True)


if __name__ == "__main__":
    harness.main(test)

"""fe_smoke: one FE on a local-directory volume (and on S3 when STRATA_TEST_S3_* is set).

Creates and drops databases through /api/meta/change, reads the catalog,
restarts the FE (SIGTERM, then kill -9 after a checkpoint) and checks that the
catalog survived; an unknown fe.conf key exits 2 naming the key.
"""

import os
import subprocess
import tempfile
import time

import harness
from harness import Cluster, database_names, fail, log


def expect(cond, msg):
    if not cond:
        fail(msg)


def check_builtin_volume(fe, volume):
    """The FE describes fe.conf's volume as builtin_storage_volume, the default, with secrets masked."""
    deadline = time.time() + 10
    cat = fe.catalog()
    while cat["catalog"].get("default_storage_volume") != "builtin_storage_volume" and time.time() < deadline:
        time.sleep(0.05)
        cat = fe.catalog()
    text = str(cat["catalog"])
    expect("builtin_storage_volume" in text, f"no builtin_storage_volume in {text[:500]}")
    expect(cat["catalog"].get("default_storage_volume") == "builtin_storage_volume",
           f"default volume: {cat['catalog'].get('default_storage_volume')!r}")
    secret = os.environ.get("STRATA_TEST_S3_SECRET_KEY")
    if volume is not None and secret:
        expect(secret not in text, "the S3 secret key appears in the catalog JSON")


def exercise(volume, label):
    with Cluster(f"smoke-{label}", volume) as c:
        if volume is None:
            c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe()
        fe.start().wait_ready()
        c.leader()
        status, body = fe.get("/api/health")
        expect(status == 200 and body == {"status": "OK"}, f"health: {status} {body}")

        for name in ("db1", "db2"):
            status, body = fe.change({"type": "create_database", "name": name})
            expect(status == 200 and body.get("ok") is True, f"create {name}: {status} {body}")
        status, body = fe.change({"type": "create_database", "name": "db1"})
        expect(status == 200 and body.get("ok") is False and body.get("code") == "AlreadyExists"
               and body.get("version", 0) > 0, f"duplicate create: {status} {body}")
        status, body = fe.change("{not json")
        expect(status == 400 and body.get("code") == "InvalidArgument", f"bad body: {status} {body}")
        status, body = fe.change({"type": "drop_database", "name": "db2"})
        expect(status == 200 and body.get("ok") is True, f"drop db2: {status} {body}")

        cat = fe.catalog()
        expect(sorted(database_names(cat["catalog"])) == ["db1"], f"catalog: {cat}")
        check_builtin_volume(fe, volume)
        expect(cat["is_leader"] is True and cat["cluster_id"], f"catalog head: {cat}")
        version = cat["version"]
        status, text = fe.get("/metrics")
        expect(status == 200 and "strata_" in text, f"metrics: {status} {text[:200]}")

        code = fe.stop()
        expect(code == 0, f"SIGTERM exit code {code}:\n{fe.log_tail()}")
        fe.start().wait_ready()
        c.wait_converged()
        cat2 = fe.catalog()
        expect(database_names(cat2["catalog"]) == ["db1"], f"after restart: {cat2}")
        expect(cat2["version"] >= version and cat2["cluster_id"] == cat["cluster_id"], f"after restart: {cat2}")
        log(f"{label}: catalog survived a clean restart at version {cat2['version']}")

        c.leader()
        status, body = fe.post("/api/meta/checkpoint")
        expect(status == 200 and body.get("ok") is True, f"checkpoint: {status} {body}")
        status, body = fe.change({"type": "create_database", "name": "db3"})
        expect(status == 200 and body.get("ok") is True, f"create db3: {status} {body}")
        fe.kill9()
        fe.start().wait_ready()
        cat3 = fe.catalog()
        expect(sorted(database_names(cat3["catalog"])) == ["db1", "db3"], f"after kill -9: {cat3}")
        log(f"{label}: catalog survived checkpoint + kill -9 at version {cat3['version']}")


def bad_conf():
    with tempfile.TemporaryDirectory(prefix="strata-e2e-conf.") as d:
        conf = os.path.join(d, "fe.conf")
        with open(conf, "w") as f:
            f.write(f"http_port = {harness.free_port()}\nstorage_root = {d}/vol\nhttp_prot = 8030\n")
        p = subprocess.run([harness.binary(), "fe", "--conf", conf], capture_output=True, text=True, timeout=30)
        expect(p.returncode == 2, f"unknown key: exit {p.returncode}, stderr {p.stderr!r}")
        expect("http_prot" in p.stderr and "unknown key" in p.stderr, f"unknown key stderr: {p.stderr!r}")
        p = subprocess.run([harness.binary(), "fe", "--conf", os.path.join(d, "missing.conf")],
                           capture_output=True, text=True, timeout=30)
        expect(p.returncode == 2 and "missing.conf" in p.stderr, f"missing conf: {p.returncode} {p.stderr!r}")
        p = subprocess.run([harness.binary(), "fe", "--bogus"], capture_output=True, text=True, timeout=30)
        expect(p.returncode == 2 and "--bogus" in p.stderr, f"bad flag: {p.returncode} {p.stderr!r}")
        log("bad fe.conf / flags exit 2 with the reason")


def test():
    bad_conf()
    exercise(None, "local")
    if os.environ.get("STRATA_TEST_S3_ENDPOINT"):
        exercise(harness.s3_volume_or_skip("smoke"), "s3")
    else:
        log("S3 variant skipped: STRATA_TEST_S3_ENDPOINT is not set")


if __name__ == "__main__":
    harness.main(test)

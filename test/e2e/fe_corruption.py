"""fe_corruption: a damaged catalog makes the FE refuse to start (local-directory volume).

Writes changes (with a checkpoint in between), stops the FE, then in turn:
  a) flips a byte in the newest log entry  -> the FE exits non-zero with DataLoss, serves nothing;
  b) flips a byte in the newest image (fresh meta_dir, so the volume's image
     must be read)                          -> the same;
  c) flips a byte in the meta_dir cache's image only -> the cache is discarded
     and the FE starts from the volume with the full catalog.
After each case the original bytes are put back and the FE must start with
every database.
"""

import glob
import os
import shutil

import harness
from harness import Cluster, database_names, fail, log

NAMES_BEFORE = [f"before{i}" for i in range(5)]
NAMES_AFTER = [f"after{i}" for i in range(3)]


def expect(cond, msg):
    if not cond:
        fail(msg)


def flip_byte(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    expect(len(data) > 0, f"{path} is empty")
    original = bytes(data)
    i = len(data) // 2
    data[i] ^= 0x5A
    with open(path, "wb") as f:
        f.write(data)
    log(f"flipped byte {i} of {len(data)} in {path}")
    return original


def restore(path, original):
    with open(path, "wb") as f:
        f.write(original)


def newest(pattern):
    files = sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
    expect(files, f"no file matches {pattern}")
    return files[-1]


def expect_refusal(fe, what):
    fe.start()
    code = fe.wait_exit(60)
    if code is None:
        fe.kill9()
        fail(f"{what}: the FE is still running 60s after start:\n{fe.log_tail()}")
    text = fe.log_tail(200)
    expect(code != 0, f"{what}: exit code 0")
    expect("DataLoss" in text or "checksum" in text.lower(), f"{what}: no DataLoss/checksum message:\n{text}")
    expect(" up: cluster" not in text.split("---- start")[-1], f"{what}: the FE came up:\n{text}")
    status, _ = fe.get("/api/health", timeout=2)
    expect(status is None, f"{what}: something answers on the FE's port ({status})")
    line = next((l for l in text.splitlines()[::-1] if "DataLoss" in l or "checksum" in l.lower()), "")
    log(f"{what}: refused to start (exit {code}): {line.strip()[:300]}")


def expect_full_catalog(fe, what):
    fe.start().wait_ready()
    names = sorted(database_names(fe.catalog()["catalog"]))
    expect(names == sorted(NAMES_BEFORE + NAMES_AFTER), f"{what}: catalog {names}")
    expect(fe.stop() == 0, f"{what}: clean stop")
    log(f"{what}: starts with all {len(names)} databases")


def test():
    with Cluster("corrupt", None) as c:
        root = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(root)
        fe = c.add_fe()
        fe.start().wait_ready()
        c.leader()
        for name in NAMES_BEFORE:
            status, body = fe.change({"type": "create_database", "name": name})
            expect(status == 200 and body.get("ok"), f"create {name}: {status} {body}")
        status, body = fe.post("/api/meta/checkpoint")
        expect(status == 200 and body.get("ok"), f"checkpoint: {status} {body}")
        for name in NAMES_AFTER:
            status, body = fe.change({"type": "create_database", "name": name})
            expect(status == 200 and body.get("ok"), f"create {name}: {status} {body}")
        cluster_id = fe.catalog()["cluster_id"]
        expect(fe.stop() == 0, "clean stop")
        meta = os.path.join(root, cluster_id, "meta")

        entry = newest(os.path.join(meta, "log", "*"))
        original = flip_byte(entry)
        expect_refusal(fe, "corrupt log entry")
        restore(entry, original)
        expect_full_catalog(fe, "log entry restored")

        image = newest(os.path.join(meta, "image", "image.*"))
        original = flip_byte(image)
        shutil.rmtree(fe.conf["meta_dir"])  # the cache would hide the volume's image
        expect_refusal(fe, "corrupt image")
        restore(image, original)
        expect_full_catalog(fe, "image restored")

        cached = sorted(glob.glob(os.path.join(fe.conf["meta_dir"], "image.*")))
        if cached:
            flip_byte(cached[-1])
            expect_full_catalog(fe, "corrupt cache discarded")
        else:
            log(f"case c skipped: no cached image in {fe.conf['meta_dir']}")


if __name__ == "__main__":
    harness.main(test)

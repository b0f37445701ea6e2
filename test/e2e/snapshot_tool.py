"""snapshot_tool: `strata snapshot list|inspect|verify` on a real FE's local-directory volume.

  1. An FE loads a table and takes CREATE CLUSTER SNAPSHOT s1 (the test is skipped, exit 77, while the
     statement is unsupported).
  2. list shows s1, inspect summarises its catalog, verify exits 0 — with the FE running and after it stopped.
  3. A data file s1 pins is moved away: verify exits 1 naming it; moved back, 0 again.
  4. The image is damaged: verify and inspect exit 1; restored, 0.
  5. A damaged manifest is listed as DAMAGED and fails verify --all; a directory without a manifest is listed
     only with --show-debris and is not a snapshot.
  6. Usage errors exit 2.
"""

import glob
import json
import os
import shutil
import subprocess

import harness
from harness import Cluster, fail, log
from stream_load import sql, stream_load


def expect(cond, msg):
    if not cond:
        fail(msg)


def tool(*args):
    r = subprocess.run([harness.binary(), "snapshot", *args], capture_output=True, text=True, timeout=120)
    log(f"strata snapshot {' '.join(args)} -> {r.returncode}")
    return r


def expect_rc(r, rc, what):
    expect(r.returncode == rc, f"{what}: exit {r.returncode}, wanted {rc}\n{r.stdout}\n{r.stderr}")


def take_snapshot_or_skip(fe):
    r = subprocess.run(["mysql", "-h127.0.0.1", f"-P{fe.query_port}", "-uroot", "-N", "-B", "-e",
                        "CREATE CLUSTER SNAPSHOT s1"], capture_output=True, text=True, timeout=180)
    if r.returncode != 0 and "not supported" in r.stderr.lower():
        log(f"SKIP: CREATE CLUSTER SNAPSHOT is not supported by this build: {r.stderr.strip()}")
        raise SystemExit(harness.SKIP)
    expect(r.returncode == 0, f"CREATE CLUSTER SNAPSHOT s1: {r.stderr.strip()}")


def healthy(volume):
    r = tool("list", "--volume", volume)
    expect_rc(r, 0, "list")
    expect(" s1 " in r.stdout and "MANUAL" in r.stdout, f"list:\n{r.stdout}")
    r = tool("inspect", "--volume", volume, "--name", "s1")
    expect_rc(r, 0, "inspect")
    expect("sl.t" in r.stdout and "builtin_storage_volume" in r.stdout, f"inspect:\n{r.stdout}")
    r = tool("inspect", "--volume", volume, "--name", "s1", "--json")
    expect_rc(r, 0, "inspect --json")
    tables = json.loads(r.stdout)["catalog"]["tables"]
    expect([t["name"] for t in tables] == ["t"] and tables[0]["tablets"] == 2, f"tables: {tables}")
    r = tool("verify", "--volume", volume, "--name", "s1")
    expect_rc(r, 0, "verify")
    expect("verified 1 snapshot: OK" in r.stdout, f"verify:\n{r.stdout}")
    # The FE wrote the snapshot's object index: verify lists instead of reading every version; --deep reads.
    expect("checked by       object index, listed" in r.stdout, f"verify did not use the object index:\n{r.stdout}")
    r = tool("verify", "--volume", volume, "--name", "s1", "--deep")
    expect_rc(r, 0, "verify --deep")
    expect("checked by       tablet versions read" in r.stdout, f"verify --deep:\n{r.stdout}")
    return json.loads(tool("list", "--volume", volume, "--json").stdout)["snapshots"][0]


def missing_data_file(volume):
    files = sorted(glob.glob(os.path.join(volume, "*", "data", "tablets", "*", "data", "*.sdf")))
    expect(files, "no data files")
    victim = files[len(files) // 2]
    shutil.move(victim, victim + ".away")
    r = tool("verify", "--volume", volume)
    expect_rc(r, 1, "verify with a data file missing")
    key = os.path.relpath(victim, volume)
    expect(key in r.stdout and "is missing" in r.stdout, f"verify does not name {key}:\n{r.stdout}")
    r = tool("verify", "--volume", volume, "--deep")
    expect_rc(r, 1, "verify --deep with a data file missing")
    expect(key in r.stdout and "is missing" in r.stdout, f"verify --deep does not name {key}:\n{r.stdout}")
    shutil.move(victim + ".away", victim)
    expect_rc(tool("verify", "--volume", volume), 0, "verify after the file is back")
    log(f"missing {key}: named; restored: OK")


def damaged_image(volume, manifest):
    image = os.path.join(volume, manifest["cluster_id"], "meta", "image", "s1", "image")
    original = open(image, "rb").read()
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0x40
    open(image, "wb").write(bytes(damaged))
    r = tool("verify", "--volume", volume, "--name", "s1", "--cluster-id", manifest["cluster_id"])
    expect_rc(r, 1, "verify with a damaged image")
    expect("is damaged" in r.stdout, f"verify:\n{r.stdout}")
    expect_rc(tool("inspect", "--volume", volume, "--name", "s1"), 1, "inspect with a damaged image")
    open(image, "wb").write(original)
    expect_rc(tool("verify", "--volume", volume, "--all"), 0, "verify after the image is restored")
    log("damaged image: detected; restored: OK")


def damaged_manifest_and_debris(volume, manifest):
    images = os.path.join(volume, manifest["cluster_id"], "meta", "image")
    os.makedirs(os.path.join(images, "s9"))
    open(os.path.join(images, "s9", "snapshot_meta.json"), "w").write("{not json")
    os.makedirs(os.path.join(images, "half"))
    open(os.path.join(images, "half", "image"), "wb").write(b"partial")
    r = tool("list", "--volume", volume)
    expect_rc(r, 0, "list with a damaged manifest")
    expect("DAMAGED" in r.stdout and "s9" in r.stdout and "half" not in r.stdout, f"list:\n{r.stdout}")
    r = tool("list", "--volume", volume, "--show-debris")
    expect("INCOMPLETE" in r.stdout and "/half" in r.stdout, f"list --show-debris:\n{r.stdout}")
    expect_rc(tool("verify", "--volume", volume, "--all"), 1, "verify --all with a damaged manifest")
    r = tool("verify", "--volume", volume, "--name", "half")
    expect_rc(r, 1, "verify of an incomplete snapshot")
    expect("incomplete" in r.stdout, f"verify half:\n{r.stdout}")
    shutil.rmtree(os.path.join(images, "s9"))
    shutil.rmtree(os.path.join(images, "half"))
    log("damaged manifest listed as DAMAGED; debris only with --show-debris")


def usage(volume):
    expect_rc(tool("verify"), 2, "verify without --volume")
    expect_rc(tool("verify", "--volume", "relative/dir"), 2, "a relative volume")
    expect_rc(tool("verify", "--volume", volume, "--name", "s1", "--all"), 2, "--name with --all")
    expect_rc(tool("list", "--volume", volume, "--bogus"), 2, "an unknown flag")


def run():
    with Cluster("snapshot-tool", None) as c:
        volume = os.path.join(c.dir, "volume")
        c.volume = harness.local_volume(volume)
        fe = c.add_fe()
        fe.start().wait_ready()
        fe.wait_query_port()
        c.leader()
        sql(fe, "CREATE DATABASE sl")
        sql(fe, "CREATE TABLE sl.t (k BIGINT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
        for i in range(3):
            body = "".join(f"{k},{k % 10}\n" for k in range(i * 100, i * 100 + 100))
            status, r = stream_load(fe, body, label=f"a{i}", column_separator=",")
            expect(r.get("Status") == "Success", f"load a{i}: {status} {r}")
        take_snapshot_or_skip(fe)
        healthy(volume)
        expect(fe.stop() == 0, "the FE did not stop cleanly")
        manifest = healthy(volume)  # offline
        missing_data_file(volume)
        damaged_image(volume, manifest)
        damaged_manifest_and_debris(volume, manifest)
        usage(volume)


if __name__ == "__main__":
    harness.main(run)

#!/usr/bin/env python3
"""FE process cold start: the time from launching `strata fe --conf ...` until GET /api/ready answers 200,
over the volumes that `meta_bench catalog` left behind (its "start" records in a JSONL file).

  fe_start.py --strata build/programs/strata --results results.jsonl --work DIR [--repeat 3]

For each volume: `repeat` rounds of (no meta_dir cache, then the warm meta_dir that run left). The FE is a
follower of the bench's leader (a long meta_lease_ms keeps it from taking over), so the volume is not changed.
S3 settings come from STRATA_TEST_S3_* (as in test/e2e/harness.py). Output: one JSON object per volume.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port(taken):
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def get(addr, path):
    try:
        with urllib.request.urlopen(f"http://{addr}{path}", timeout=2) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError):
        return None, b""


def volume_conf(rec):
    loc = rec["location"]
    if loc.startswith("s3://"):
        env = os.environ
        return {"cloud_native_storage_type": "S3", "aws_s3_path": loc[len("s3://"):],
                "aws_s3_endpoint": env["STRATA_TEST_S3_ENDPOINT"],
                "aws_s3_region": env.get("STRATA_TEST_S3_REGION", "us-east-1"),
                "aws_s3_access_key": env["STRATA_TEST_S3_ACCESS_KEY"],
                "aws_s3_secret_key": env["STRATA_TEST_S3_SECRET_KEY"]}
    return {"storage_root": loc}


def one_start(strata, work, rec, meta_dir, taken):
    port = free_port(taken)
    conf = {"http_port": port, "rpc_port": free_port(taken), "query_port": free_port(taken),
            "edit_log_port": free_port(taken), "run_mode": "shared_data", "cluster_name": "bench",
            "meta_dir": meta_dir, "host": "127.0.0.1", "meta_lease_ms": 600000, "meta_poll_ms": 100,
            "sys_log_level": "WARN"}
    conf.update(volume_conf(rec))
    conf_path = os.path.join(work, "fe.conf")
    with open(conf_path, "w") as f:
        for k, v in conf.items():
            f.write(f"{k} = {v}\n")
    addr = f"127.0.0.1:{port}"
    log = open(os.path.join(work, "fe.log"), "ab")
    t0 = time.monotonic()
    proc = subprocess.Popen([strata, "fe", "--conf", conf_path], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            cwd=work)
    http_up = None
    try:
        while True:
            if proc.poll() is not None:
                sys.exit(f"fe_start: the FE exited with {proc.returncode}; see {work}/fe.log")
            status, body = get(addr, "/api/ready")
            now = time.monotonic()
            if status is not None and http_up is None:
                http_up = now - t0
            if status == 200:
                ready = now - t0
                version = json.loads(body).get("version", 0)
                break
            if now - t0 > 120:
                sys.exit("fe_start: not ready after 120 s")
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    if version < rec["last_version"]:
        sys.exit(f"fe_start: ready at version {version}, expected >= {rec['last_version']}")
    return ready * 1000, http_up * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    args.strata = os.path.abspath(args.strata)
    records = [json.loads(line) for line in open(args.results) if line.startswith("{")]
    taken = set()
    for rec in (r for r in records if r.get("bench") == "start"):
        work = os.path.join(args.work, f"fe-{rec['backend']}-{rec['tablets']}-{rec['tail_entries']}")
        os.makedirs(work, exist_ok=True)
        cold, warm, http_up = [], [], []
        for r in range(args.repeat):
            meta_dir = os.path.join(work, f"meta-{r}")
            shutil.rmtree(meta_dir, ignore_errors=True)
            ready, up = one_start(args.strata, work, rec, meta_dir, taken)
            cold.append(ready)
            http_up.append(up)
            ready, up = one_start(args.strata, work, rec, meta_dir, taken)
            warm.append(ready)
            http_up.append(up)
        print(json.dumps({"bench": "fe_process", "backend": rec["backend"], "tablets": rec["tablets"],
                          "tail_entries": rec["tail_entries"],
                          "cold_ms": round(statistics.median(cold), 1), "warm_ms": round(statistics.median(warm), 1),
                          "http_up_ms": round(statistics.median(http_up), 1),
                          "cold_runs_ms": [round(x, 1) for x in cold], "warm_runs_ms": [round(x, 1) for x in warm]}),
              flush=True)


if __name__ == "__main__":
    main()

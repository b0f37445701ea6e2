"""fe_handover: a leader FE that stops cleanly hands its lease over (rolling restarts).

Two FE processes share one volume on the real S3 server (STRATA_TEST_S3_*; a
unique prefix per run; STRATA_E2E_VOLUME=local runs it on a local directory).
Both run with an hour-long meta_lease_ms, so within this test a follower can
become leader only through a released lease, never through an expired one.
Twice (so each FE is once the stopped leader and once the successor, as in a
rolling restart): SIGTERM the leader; it must exit 0 and log that it released
the lease; the other FE must become leader, report the take-over as
"released" in /metrics (strata_meta_takeovers_total{reason="released"}), and
accept a DDL; then the stopped FE restarts, follows, and converges.
No assertion depends on elapsed time.
"""

import os
import re
import tempfile

import harness
from harness import Cluster, fail, local_volume, log

HOUR_MS = 3_600_000
WAIT_S = 120  # generous bounds on waiting, not assertions on speed


def metric(fe, name_and_labels):
    status, body = fe.get("/metrics")
    if status != 200 or not isinstance(body, str):
        fail(f"fe{fe.index} /metrics: {status} {body}")
    m = re.search(r"^" + re.escape(name_and_labels) + r" (\S+)$", body, re.M)
    if m is None:
        fail(f"fe{fe.index} /metrics has no {name_and_labels}")
    return float(m.group(1))


def takeovers(fe, reason):
    return int(metric(fe, f'strata_meta_takeovers_total{{reason="{reason}"}}'))


def ddl(fe, name):
    status, body = fe.change({"type": "create_database", "name": name}, timeout=30)
    if status != 200 or not isinstance(body, dict) or not body.get("ok"):
        fail(f"create_database {name} through fe{fe.index}: {status} {body}")
    return body


def hand_over(cluster, round_no):
    old = cluster.leader(timeout=WAIT_S)
    new = next(fe for fe in cluster.fes if fe is not old)
    released_before = takeovers(new, "released")
    expired_before = takeovers(new, "expired")
    ddl(old, f"before_{round_no}")
    cluster.wait_converged(timeout=WAIT_S)
    log(f"round {round_no}: SIGTERM fe{old.index} (leader)")
    code = old.stop(timeout=WAIT_S)
    if code != 0:
        fail(f"fe{old.index} exited with {code} after SIGTERM:\n{old.log_tail()}")
    with open(old.log_path, errors="replace") as f:
        if "released the lease" not in f.read():
            fail(f"fe{old.index} did not log its lease release:\n{old.log_tail()}")
    leader = cluster.leader(timeout=WAIT_S)
    if leader is not new:
        fail(f"fe{leader.index} leads, expected fe{new.index}")
    if takeovers(new, "released") != released_before + 1:
        fail(f"fe{new.index} did not take over a released lease:\n{new.log_tail()}")
    if takeovers(new, "expired") != expired_before:
        fail(f"fe{new.index} took over an expired lease")
    ddl(new, f"after_{round_no}")
    log(f"round {round_no}: fe{new.index} took the released lease and accepted a DDL")
    old.start()
    old.wait_ready(timeout=WAIT_S)
    cluster.wait_converged(timeout=WAIT_S)
    names = harness.database_names(old.catalog()["catalog"])
    for name in (f"before_{round_no}", f"after_{round_no}"):
        if name not in names:
            fail(f"fe{old.index} after its restart lacks database {name}")


def test():
    if os.environ.get("STRATA_E2E_VOLUME") == "local":
        volume = local_volume(tempfile.mkdtemp(prefix="strata-e2e-handover-vol."))
    else:
        volume = harness.s3_volume_or_skip("fe_handover")
    with Cluster("handover", volume) as cluster:
        for _ in range(2):
            cluster.add_fe(meta_lease_ms=HOUR_MS)
        cluster.fes[0].start().wait_ready(timeout=WAIT_S)
        cluster.leader(timeout=WAIT_S)
        cluster.fes[1].start().wait_ready(timeout=WAIT_S)
        for round_no in (1, 2):
            hand_over(cluster, round_no)


if __name__ == "__main__":
    harness.main(test)

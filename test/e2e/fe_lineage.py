"""fe_lineage: lineages are fenced (DESIGN invariant 6).

Two clusters (different cluster_name) on one volume never see each other's
catalog. Then cluster A gets a new lineage (`strata meta new-lineage`, what a
restore does) while its FE is stopped: restarted with its old meta_dir cache,
the FE must follow the new lineage (new cluster_id, empty catalog), not the
cached one; cluster B is untouched. Runs on a local directory, and on S3 too
when STRATA_TEST_S3_* is set.
"""

import os
import subprocess

import harness
from harness import Cluster, database_names, fail, log


def expect(cond, msg):
    if not cond:
        fail(msg)


def create(fe, name):
    status, body = fe.change({"type": "create_database", "name": name})
    expect(status == 200 and body.get("ok"), f"create {name} on fe{fe.index}: {status} {body}")


def exercise(volume, label):
    with Cluster(f"lineage-{label}", volume) as a, Cluster(f"lineage-{label}-b", volume) as b:
        if volume is None:
            a.volume = b.volume = harness.local_volume(os.path.join(a.dir, "volume"))
        fa, fb = a.add_fe(), b.add_fe()
        fa.start()
        fb.start()
        fa.wait_ready()
        fb.wait_ready()
        a.leader()
        b.leader()
        create(fa, "a_only")
        create(fb, "b_only")
        ca, cb = fa.catalog(), fb.catalog()
        expect(database_names(ca["catalog"]) == ["a_only"], f"A sees {ca}")
        expect(database_names(cb["catalog"]) == ["b_only"], f"B sees {cb}")
        expect(ca["cluster_id"] != cb["cluster_id"], "A and B share a cluster_id")
        log(f"{label}: clusters A ({ca['cluster_id']}) and B ({cb['cluster_id']}) are separate")

        expect(fa.stop() == 0, "A clean stop")
        p = subprocess.run([harness.binary(), "meta", "new-lineage", "--conf", fa.conf_path],
                           capture_output=True, text=True, timeout=60)
        expect(p.returncode == 0, f"new-lineage: exit {p.returncode}: {p.stderr}")
        fields = dict(kv.split("=", 1) for kv in p.stdout.split())
        expect(fields.get("previous") == ca["cluster_id"], f"new-lineage output: {p.stdout!r}")
        log(f"{label}: new lineage for A: {p.stdout.strip()}")

        fa.start().wait_ready()
        a.leader()
        ca2 = fa.catalog()
        expect(ca2["cluster_id"] == fields["cluster_id"], f"A follows {ca2['cluster_id']}, not {fields['cluster_id']}")
        expect(database_names(ca2["catalog"]) == [], f"A's new lineage is not empty: {ca2}")
        create(fa, "a_new")
        expect(database_names(fa.catalog()["catalog"]) == ["a_new"], "A's new lineage accepts changes")
        cb2 = fb.catalog()
        expect(cb2["cluster_id"] == cb["cluster_id"] and database_names(cb2["catalog"]) == ["b_only"],
               f"B changed: {cb2}")
        log(f"{label}: A discarded its old-lineage cache and follows the new lineage; B untouched")


def test():
    exercise(None, "local")
    if os.environ.get("STRATA_TEST_S3_ENDPOINT"):
        exercise(harness.s3_volume_or_skip("lineage"), "s3")
    else:
        log("S3 variant skipped: STRATA_TEST_S3_ENDPOINT is not set")


if __name__ == "__main__":
    harness.main(test)

#!/usr/bin/python3
"""Go's database/sql with github.com/go-sql-driver/mysql (test/drivers/go):
server-side prepared statements (interpolateParams=false), against one FE.
The driver is built (and cached under ~/.cache/strata) by build_go_driver.sh.
"""

import os
import subprocess

from driver_util import GUIDE_DDL, GUIDE_INSERT, HERE, run_with_fe

BUILD_TIMEOUT_S = 900
RUN_TIMEOUT_S = 120


def build():
    r = subprocess.run(["bash", os.path.join(HERE, "build_go_driver.sh")], capture_output=True, text=True,
                       timeout=BUILD_TIMEOUT_S)
    if r.returncode != 0:
        return None, r.stderr
    return r.stdout.strip(), ""


def body(fe, checks):
    binary, err = build()
    if not checks.check(binary is not None, "build test/drivers/go", err):
        return
    try:
        r = subprocess.run([binary, "-port", str(fe.query_port), "-guide", GUIDE_DDL, "-insert", GUIDE_INSERT],
                           capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        checks.check(False, "strata-driver-go", f"no exit within {RUN_TIMEOUT_S}s")
        return
    print(r.stdout, end="")
    if r.stderr:
        print(r.stderr, end="")
    checks.check(r.returncode == 0, "strata-driver-go (go-sql-driver/mysql, server-side prepare)",
                 f"exit {r.returncode}")


if __name__ == "__main__":
    run_with_fe("driver-go", body)

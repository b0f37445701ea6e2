#!/usr/bin/python3
"""The real `mysql` command-line client (Debian default-mysql-client) against one FE.

The guide's DDL piped on stdin as a batch file (as the guide's user pastes
it; the client strips the comment lines, as it does by default), single statements with -e,
SHOW and information_schema queries, and error cases whose "ERROR <errno>
(<sqlstate>)" is asserted.
"""

import re
import shutil
import subprocess

from driver_util import GUIDE_DDL, GUIDE_INSERT, run_with_fe

TIMEOUT_S = 30


def mysql(fe, *args, stdin=None):
    cmd = [shutil.which("mysql") or "mysql", "-h", "127.0.0.1", "-P", str(fe.query_port), "-uroot",
           "--connect-timeout=10", *args]
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {TIMEOUT_S}s: {cmd}"
    return r.returncode, r.stdout, r.stderr


def error_code(stderr):
    m = re.search(r"ERROR (\d+) \((\w{5})\)", stderr)
    return (int(m.group(1)), m.group(2)) if m else (None, None)


def lines(stdout):
    return [line for line in stdout.split("\n") if line]


def body(fe, checks):
    if not checks.check(shutil.which("mysql") is not None, "mysql client installed",
                        "apt-get install default-mysql-client (scripts/install-deps.sh)"):
        return
    with open(GUIDE_DDL, encoding="utf-8") as f:
        guide = f.read()
    with open(GUIDE_INSERT, encoding="utf-8") as f:
        insert = f.read()

    # The guide's DDL as a batch on stdin.
    rc, out, err = mysql(fe, stdin=guide)
    checks.check(rc == 0 and err == "", "guide DDL piped on stdin", f"rc={rc} stderr={err!r} stdout={out!r}")

    rc, out, err = mysql(fe, "-N", "-B", "-e", "SHOW DATABASES")
    checks.check(rc == 0 and sorted(lines(out)) == ["information_schema", "quickstart"], "-e SHOW DATABASES",
                 f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = mysql(fe, "-N", "-B", "-D", "quickstart", "-e", "SHOW TABLES; SELECT DATABASE();")
    checks.check(rc == 0 and lines(out) == ["source_wiki_edit", "quickstart"], "-D quickstart: SHOW TABLES; SELECT DATABASE()",
                 f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = mysql(fe, "-B", "-e", "DESC quickstart.source_wiki_edit")
    rows = lines(out)
    checks.check(rc == 0 and len(rows) == 12 and rows[0].split("\t")[0] == "Field"
                 and rows[1].split("\t")[:2] == ["event_time", "DATETIME"]
                 and rows[11].split("\t")[:2] == ["deleted", "INT"], "DESC over -e", f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = mysql(fe, "-N", "-B", "-e",
                         "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM information_schema.columns "
                         "WHERE table_schema = 'quickstart' AND table_name = 'source_wiki_edit' AND ORDINAL_POSITION <= 2 "
                         "ORDER BY ORDINAL_POSITION")
    checks.check(rc == 0 and lines(out) == ["event_time\tdatetime\tNULL", "channel\tvarchar\t32"],
                 "information_schema.columns", f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = mysql(fe, "-N", "-B", "-e", "SHOW PARTITIONS FROM quickstart.source_wiki_edit")
    checks.check(rc == 0 and [r.split("\t")[1] for r in lines(out)] == ["p06", "p12", "p18", "p24"],
                 "SHOW PARTITIONS", f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = mysql(fe, "-B", "-e", "SELECT * FROM INFORMATION_SCHEMA.CLUSTER_SNAPSHOTS; SHOW STORAGE VOLUMES")
    checks.check(rc == 0 and "builtin_storage_volume" in out, "SHOW STORAGE VOLUMES", f"rc={rc} out={out!r} err={err!r}")
    # The client's own `status` command (server version, connection id, character sets).
    rc, out, err = mysql(fe, "-e", "status")
    checks.check(rc == 0 and "8.0.33" in out, "mysql `status` command", f"rc={rc} out={out!r} err={err!r}")

    # Errors: the client prints ERROR <errno> (<sqlstate>) and exits 1. The
    # SQLSTATEs are MySQL's (include/mysql/sql_state.h): 1049 is 42000, 1050 is
    # 42S01 (src/sql/mysql_errors.h SqlStateOf; 1060 ER_DUP_FIELDNAME is 42S21).
    rc, out, err = mysql(fe, "-e", "CREATE DATABASE quickstart")
    checks.check(rc == 1 and error_code(err) == (1007, "HY000"), "CREATE DATABASE quickstart again: ERROR 1007 (HY000)",
                 f"rc={rc} err={err!r}")
    rc, out, err = mysql(fe, "-D", "quickstart", stdin=insert)
    checks.check(rc == 0, "guide INSERT loads", f"rc={rc} err={err!r}")
    rc, out, err = mysql(fe, "-N", "-B", "-D", "quickstart", "-e", "SELECT COUNT(*) FROM source_wiki_edit")
    checks.check(rc == 0 and out.strip() == "3", "guide INSERT: 3 rows visible", f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = mysql(fe, "-e", "SHOW TABLES FROM no_such_db")
    checks.check(rc == 1 and error_code(err) == (1049, "42000"), "SHOW TABLES FROM no_such_db: ERROR 1049 (42000)",
                 f"rc={rc} err={err!r}")
    rc, out, err = mysql(fe, "-D", "no_such_db", "-e", "SELECT 1")
    checks.check(rc == 1 and error_code(err)[0] == 1049, "connect with -D no_such_db: ERROR 1049", f"rc={rc} err={err!r}")
    rc, out, err = mysql(fe, "-uno_such_user", "-e", "SELECT 1")
    checks.check(rc == 1 and error_code(err) == (1045, "28000"), "unknown user: ERROR 1045 (28000)", f"rc={rc} err={err!r}")

    # The guide's CREATE TABLE again: the table exists.
    create = guide[guide.index("-- create table"):guide.index("ADMIN SET")]
    rc, out, err = mysql(fe, "-D", "quickstart", stdin=create)
    checks.check(rc == 1 and error_code(err) == (1050, "42S01"), "guide CREATE TABLE again: ERROR 1050 (42S01)",
                 f"rc={rc} err={err!r}")

    rc, out, err = mysql(fe, "-e", "ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF; DROP DATABASE quickstart FORCE")
    checks.check(rc == 0, "clean up", f"rc={rc} err={err!r}")
    rc, out, err = mysql(fe, "-N", "-B", "-e", "SHOW DATABASES")
    checks.check(rc == 0 and lines(out) == ["information_schema"], "nothing left", f"rc={rc} out={out!r}")

if __name__ == "__main__":
    run_with_fe("driver-mysql-cli", body)

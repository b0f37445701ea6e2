#!/usr/bin/python3
"""SQL logic tests over the MySQL protocol (sqllogictest style).

Starts one `strata fe` (test/e2e/harness.py) on a local-directory volume,
connects to its query_port with PyMySQL as root (empty password) and runs
test/sql/*.test (or the files named on the command line) in order, on that one
FE. Needs Debian's python3-pymysql; run with /usr/bin/python3.

    /usr/bin/python3 test/sql/run_sql_tests.py [FILE.test ...]

Records (separated by blank lines; '#' starts a comment line between records):

    statement ok                      the SQL (the following lines, up to a blank
    SQL...                            line) succeeds; a result set is read and dropped
    statement error 1064              it fails with this MySQL error code (the
    SQL...                            message wording is not checked)
    query ITR [rowsort] [colnames]    the SQL up to '----' returns rows of as many
    SQL...                            columns as there are letters: I integer, R
    ----                              decimal/float, T anything else (text, dates);
    a<TAB>1<TAB>NULL                  expected rows follow, tab-separated, NULL for
                                      NULL, (empty) for an empty string; rowsort
                                      sorts both sides; colnames makes the first
                                      expected line the column names
    restart                           stops the FE (SIGTERM, exit 0), starts it again
                                      and reconnects every open connection (sessions
                                      start afresh: no current database)
    connect USER [PASSWORD]           opens a connection as USER and makes it current
    disconnect                        closes the current connection, back to the one before
    halt                              stops this file here (debugging)

An expected cell '<REGEX>:pat' matches when pat (Python re) matches the whole
cell. ${STORAGE_ROOT}, ${QUERY_PORT}, ${HTTP_PORT}, ${RPC_PORT},
${EDIT_LOG_PORT} in SQL and expected rows are replaced by this FE's values.

Every file must leave no database behind (the runner checks, reports and
drops any). Exit 0 when every record passed; the last line printed is
"N passed, M failed". Every wait is bounded (STRATA_SQL_QUERY_TIMEOUT_S,
default 30 s per statement).
"""

import glob
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import harness  # noqa: E402
from harness import Cluster, log  # noqa: E402

try:
    import pymysql
    from pymysql.constants import FIELD_TYPE
except ImportError:
    print("run_sql_tests: PyMySQL is missing: apt-get install python3-pymysql and run with /usr/bin/python3",
          flush=True)
    sys.exit(2)

QUERY_TIMEOUT_S = int(os.environ.get("STRATA_SQL_QUERY_TIMEOUT_S", "30"))
CONNECT_RETRY_S = 30.0
INTEGER_TYPES = {FIELD_TYPE.TINY, FIELD_TYPE.SHORT, FIELD_TYPE.LONG, FIELD_TYPE.LONGLONG, FIELD_TYPE.INT24,
                 FIELD_TYPE.YEAR}
REAL_TYPES = {FIELD_TYPE.DECIMAL, FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.FLOAT, FIELD_TYPE.DOUBLE}
TYPE_NAMES = {v: k for k, v in vars(FIELD_TYPE).items() if isinstance(v, int)}
RECORDS_MAX = 10000  # per file


class Record:
    def __init__(self, path, line, kind, args, sql, expected):
        self.path, self.line, self.kind, self.args, self.sql, self.expected = path, line, kind, args, sql, expected

    def where(self):
        return f"{os.path.relpath(self.path)}:{self.line}"


class ParseError(Exception):
    pass


def parse_file(path):
    """The records of one .test file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    records = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        start = i + 1
        words = line.split()
        kind, args = words[0], words[1:]
        i += 1
        if kind in ("statement", "query"):
            body = []
            while i < len(lines) and lines[i].strip() and not (kind == "query" and lines[i] == "----"):
                body.append(lines[i])
                i += 1
            if not body:
                raise ParseError(f"{path}:{start}: {kind} without SQL")
            expected = None
            if kind == "query":
                if i >= len(lines) or lines[i] != "----":
                    raise ParseError(f"{path}:{start}: query without '----'")
                i += 1
                expected = []
                while i < len(lines) and lines[i] != "":
                    expected.append(lines[i])
                    i += 1
                if not args or not re.fullmatch(r"[ITR]+", args[0]):
                    raise ParseError(f"{path}:{start}: query needs column types (I, T, R), got {args}")
                bad = [a for a in args[1:] if a not in ("rowsort", "colnames")]
                if bad:
                    raise ParseError(f"{path}:{start}: unknown query option {bad}")
            else:
                if not args or args[0] not in ("ok", "error"):
                    raise ParseError(f"{path}:{start}: statement ok|error <errno>, got {args}")
                if args[0] == "error" and (len(args) != 2 or not args[1].isdigit()):
                    raise ParseError(f"{path}:{start}: statement error needs exactly one MySQL error number")
            records.append(Record(path, start, kind, args, "\n".join(body), expected))
        elif kind in ("restart", "disconnect", "halt"):
            records.append(Record(path, start, kind, args, None, None))
        elif kind == "connect":
            if len(args) not in (1, 2):
                raise ParseError(f"{path}:{start}: connect USER [PASSWORD]")
            records.append(Record(path, start, kind, args, None, None))
        else:
            raise ParseError(f"{path}:{start}: unknown record '{kind}'")
        if len(records) > RECORDS_MAX:
            raise ParseError(f"{path}: more than {RECORDS_MAX} records")
    return records


def cell_text(v):
    if v is None:
        return "NULL"
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode("utf-8", errors="backslashreplace")
    v = str(v)
    if v == "":
        return "(empty)"
    return v.replace("\t", "\\t").replace("\n", "\\n")


def cell_matches(expected, got):
    if expected.startswith("<REGEX>:"):
        return re.fullmatch(expected[len("<REGEX>:"):], got, re.S) is not None
    return expected == got


def type_matches(letter, type_code):
    if letter == "I":
        return type_code in INTEGER_TYPES
    if letter == "R":
        return type_code in REAL_TYPES
    return type_code not in INTEGER_TYPES and type_code not in REAL_TYPES


class Runner:
    def __init__(self, fe):
        self.fe = fe
        self.stack = []  # [(user, password, connection)], the last is current
        self.passed = 0
        self.failed = 0
        self.failures = []

    def subst(self, text):
        conf = self.fe.conf
        for key in ("storage_root", "query_port", "http_port", "rpc_port", "edit_log_port"):
            if key in conf:
                text = text.replace("${" + key.upper() + "}", str(conf[key]))
        return text

    def open(self, user, password):
        deadline = time.time() + CONNECT_RETRY_S
        while True:
            try:
                return pymysql.connect(host="127.0.0.1", port=self.fe.query_port, user=user, password=password,
                                       connect_timeout=10, read_timeout=QUERY_TIMEOUT_S,
                                       write_timeout=QUERY_TIMEOUT_S, conv={}, autocommit=None)
            except pymysql.err.OperationalError as e:
                # 2003: nothing listening yet (just restarted); anything else is the answer.
                if e.args[0] != 2003 or time.time() > deadline:
                    raise

    def close_all(self):
        for _, _, conn in self.stack:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - the connection may already be gone
                pass
        self.stack = []

    def reset(self):
        self.close_all()
        self.stack = [("root", "", self.open("root", ""))]

    def cur(self):
        return self.stack[-1][2]

    def fail(self, rec, what, expected=None, got=None):
        self.failed += 1
        msg = [f"FAIL {rec.where()}: {what}"]
        if rec.sql is not None:
            msg.append("  SQL: " + rec.sql.replace("\n", "\n       "))
        if expected is not None:
            msg.append("  expected:\n" + "\n".join("    " + r for r in expected) if isinstance(expected, list)
                       else f"  expected: {expected}")
        if got is not None:
            msg.append("  got:\n" + "\n".join("    " + r for r in got) if isinstance(got, list) else f"  got: {got}")
        text = "\n".join(msg)
        self.failures.append(text)
        print(text, flush=True)

    def execute(self, sql):
        """(description, rows) or raises pymysql errors."""
        with self.cur().cursor() as c:
            c.execute(sql)
            return c.description, c.fetchall()

    def run_statement(self, rec):
        sql = self.subst(rec.sql)
        try:
            self.execute(sql)
        except pymysql.err.MySQLError as e:
            code = e.args[0] if e.args else None
            if rec.args[0] == "error" and code == int(rec.args[1]):
                self.passed += 1
            elif rec.args[0] == "error":
                self.fail(rec, "wrong error", expected=f"error {rec.args[1]}", got=f"error {code}: {e.args[1:]}")
            else:
                self.fail(rec, "statement failed", expected="ok", got=f"error {code}: {e.args[1:]}")
            return
        if rec.args[0] == "ok":
            self.passed += 1
        else:
            self.fail(rec, "statement succeeded", expected=f"error {rec.args[1]}", got="ok")

    def run_query(self, rec):
        sql = self.subst(rec.sql)
        types, options = rec.args[0], rec.args[1:]
        expected = [self.subst(line) for line in rec.expected]
        try:
            desc, rows = self.execute(sql)
        except pymysql.err.MySQLError as e:
            self.fail(rec, "query failed", expected=expected, got=f"error {e.args[0]}: {e.args[1:]}")
            return
        if desc is None:
            self.fail(rec, "query returned no result set (an OK packet)", expected=expected, got="OK")
            return
        problems = []
        if len(desc) != len(types):
            problems.append(f"{len(desc)} columns, the record declares {len(types)} ({types})")
        else:
            for letter, d in zip(types, desc):
                if not type_matches(letter, d[1]):
                    problems.append(f"column {d[0]!r} has type {TYPE_NAMES.get(d[1], d[1])}, declared {letter}")
        got = ["\t".join(cell_text(v) for v in row) for row in rows]
        if "rowsort" in options:
            got.sort()
        want = list(expected)
        got_full = list(got)
        if "colnames" in options:
            got_full = ["\t".join(d[0] for d in desc)] + got
        if "rowsort" in options:
            head = want[:1] if "colnames" in options else []
            want = head + sorted(want[len(head):])
        if len(want) != len(got_full) or not all(
                len(w.split("\t")) == len(g.split("\t"))
                and all(cell_matches(a, b) for a, b in zip(w.split("\t"), g.split("\t")))
                for w, g in zip(want, got_full)):
            problems.append("rows differ")
        if problems:
            self.fail(rec, "; ".join(problems), expected=want, got=got_full)
        else:
            self.passed += 1

    def run_restart(self, rec):
        users = [(u, p) for u, p, _ in self.stack]
        self.close_all()
        code = self.fe.stop()
        if code != 0:
            self.fail(rec, f"FE exit code {code} after SIGTERM (want 0)")
        self.fe.start().wait_ready()
        self.fe.wait_query_port()
        # Ready serves reads; writes need the lone FE to lead again (it takes
        # its lease back first, which a loaded machine can delay).
        deadline = time.time() + 60
        while time.time() < deadline:
            status, body = self.fe.status()
            if status == 200 and body.get("is_leader"):
                break
            time.sleep(0.05)
        self.stack = [(u, p, self.open(u, p)) for u, p in users]
        self.passed += 1

    def run_connect(self, rec):
        user, password = rec.args[0], (rec.args[1] if len(rec.args) > 1 else "")
        try:
            self.stack.append((user, password, self.open(user, password)))
            self.passed += 1
        except pymysql.err.MySQLError as e:
            self.fail(rec, f"connect {user} failed: error {e.args[0]}: {e.args[1:]}")
            raise

    def run_file(self, path):
        log(f"---- {os.path.relpath(path)}")
        records = parse_file(path)
        self.reset()
        for rec in records:
            if rec.kind == "halt":
                break
            try:
                if rec.kind == "statement":
                    self.run_statement(rec)
                elif rec.kind == "query":
                    self.run_query(rec)
                elif rec.kind == "restart":
                    self.run_restart(rec)
                elif rec.kind == "connect":
                    self.run_connect(rec)
                elif rec.kind == "disconnect":
                    if len(self.stack) < 2:
                        self.fail(rec, "disconnect with no connect before it")
                        continue
                    self.stack.pop()[2].close()
                    self.passed += 1
            except (pymysql.err.MySQLError, AssertionError, OSError) as e:
                # The connection (or the FE) is gone: the rest of this file cannot run.
                self.fail(rec, f"aborting {os.path.relpath(path)}: {type(e).__name__}: {e}")
                break
        self.check_clean(path)

    def check_clean(self, path):
        """Every file drops what it created; anything left is reported and dropped."""
        try:
            self.reset()
            _, rows = self.execute("SHOW DATABASES")
            left = [r[0] for r in rows if str(r[0]).lower() != "information_schema"]
            for db in left:
                self.execute(f"DROP DATABASE `{db}` FORCE")
        except (pymysql.err.MySQLError, AssertionError, OSError) as e:
            self.failed += 1
            print(f"FAIL {os.path.relpath(path)}: cleanup after the file: {e}", flush=True)
            return
        if left:
            self.failed += 1
            print(f"FAIL {os.path.relpath(path)}: left databases behind: {left} (dropped)", flush=True)
        self.close_all()


def main():
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "*.test")))
    if not files:
        print("0 passed, 1 failed (no .test files)")
        return 1
    try:
        parsed = {f: parse_file(f) for f in files}  # syntax errors before any FE starts
    except (ParseError, OSError) as e:
        print(f"run_sql_tests: {e}")
        print("0 passed, 1 failed")
        return 1
    log(f"{len(files)} files, {sum(len(r) for r in parsed.values())} records")
    runner = None
    ok = False
    start = time.time()
    c = Cluster("sql-logic", None)
    try:
        c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe()
        fe.start().wait_ready()
        fe.wait_query_port()
        runner = Runner(fe)
        for f in files:
            runner.run_file(f)
        runner.close_all()
        ok = runner.failed == 0
    except AssertionError as e:  # the harness's fail(): the FE did not start
        print(f"run_sql_tests: {e}", flush=True)
    finally:
        c.cleanup(ok)  # keeps the directory and prints the FE log tail unless all passed
    log(f"done in {time.time() - start:.1f}s")
    if runner is None:
        print("0 passed, 1 failed")
        return 1
    if runner.failures:
        print(f"\n{len(runner.failures)} failure(s):")
        for f in runner.failures:
            print(f.split("\n")[0])
    print(f"{runner.passed} passed, {runner.failed} failed")
    return 0 if runner.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""PyMySQL (Debian python3-pymysql) against one FE: the guide's DDL statement by
statement, SHOW and information_schema queries, parameterized queries
(cursor.execute with %s: PyMySQL interpolates them client-side), select_db
(COM_INIT_DB), ping, and error numbers.
"""

import pymysql
from pymysql.constants import FIELD_TYPE

from driver_util import GUIDE_DDL, GUIDE_INSERT, run_with_fe, statements

TIMEOUT_S = 30


def connect(fe, **kw):
    return pymysql.connect(host="127.0.0.1", port=fe.query_port, user="root", password="", connect_timeout=10,
                           read_timeout=TIMEOUT_S, write_timeout=TIMEOUT_S, **kw)


def errno_of(fn):
    try:
        fn()
    except pymysql.err.MySQLError as e:
        return e.args[0]
    return None


def body(fe, checks):
    conn = connect(fe)
    cur = conn.cursor()
    for i, stmt in enumerate(statements(GUIDE_DDL)):
        name = f"guide statement {i + 1} ({stmt.strip().splitlines()[0]})"
        try:
            cur.execute(stmt)
            if "SELECT * FROM INFORMATION_SCHEMA." in stmt:
                checks.check(cur.description[0][0] == "SNAPSHOT_NAME" and cur.fetchall() == (), name, cur.description)
            else:
                checks.check(True, name)
        except pymysql.err.MySQLError as e:
            checks.check(False, name, e)

    cur.execute("SHOW TABLES")
    checks.check(cur.fetchall() == (("source_wiki_edit",),), "SHOW TABLES after USE quickstart;")
    cur.execute("SHOW CREATE TABLE source_wiki_edit")
    row = cur.fetchone()
    checks.check(row[0] == "source_wiki_edit" and "PARTITION p24 VALUES" in row[1], "SHOW CREATE TABLE", row)

    # Parameterized (client-side interpolation) with typed results.
    cur.execute("SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ORDINAL_POSITION", ("quickstart", "source_wiki_edit"))
    rows = cur.fetchall()
    types = [d[1] for d in cur.description]
    checks.check(len(rows) == 11 and rows[0] == ("event_time", 1, "datetime", None) and rows[1] == ("channel", 2, "varchar", 32),
                 "parameterized information_schema.columns", rows)
    checks.check(types[1] == FIELD_TYPE.LONGLONG and types[0] == FIELD_TYPE.VAR_STRING, "column types", types)
    cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %(db)s", {"db": "quickstart"})
    checks.check(cur.fetchone() == (1,), "parameterized COUNT(*) with a dict")
    cur.execute("SELECT SCHEMA_NAME FROM information_schema.schemata WHERE SCHEMA_NAME = %s", ("it's \\ \"quoted\"",))
    checks.check(cur.fetchall() == (), "parameter with quotes and a backslash (escaped by the client)")
    cur.executemany("SELECT %s", [(1,), (2,)])
    checks.check(cur.fetchall() == ((2,),), "executemany")

    # COM_INIT_DB and COM_PING.
    conn.select_db("information_schema")
    cur.execute("SELECT DATABASE()")
    checks.check(cur.fetchone() == ("information_schema",), "select_db (COM_INIT_DB)")
    checks.check(errno_of(lambda: conn.select_db("no_such_db")) == 1049, "select_db of an unknown database: 1049")
    conn.ping(reconnect=False)
    checks.check(True, "ping (COM_PING)")

    # Errors carry their numbers.
    checks.check(errno_of(lambda: cur.execute("CREATE DATABASE quickstart")) == 1007, "CREATE DATABASE quickstart again: 1007")
    cur.execute("USE quickstart")
    for stmt in statements(GUIDE_INSERT):
        checks.check(cur.execute(stmt) == 3, "guide INSERT: 3 rows affected")
    cur.execute("SELECT COUNT(*) FROM source_wiki_edit")
    checks.check(cur.fetchone()[0] == 3, "guide INSERT: 3 rows visible")
    checks.check(errno_of(lambda: cur.execute("SELEC 1")) == 1064, "syntax error: 1064")
    checks.check(errno_of(lambda: connect(fe, database="no_such_db")) == 1049, "connect to an unknown database: 1049")
    try:
        pymysql.connect(host="127.0.0.1", port=fe.query_port, user="no_such_user", password="x", connect_timeout=10)
        checks.check(False, "unknown user refused", "connected")
    except pymysql.err.OperationalError as e:
        checks.check(e.args[0] == 1045, "unknown user refused: 1045", e)

    # autocommit as PyMySQL sends it, and a connection opened on the database.
    conn.autocommit(True)
    conn2 = connect(fe, database="quickstart", autocommit=False)
    c2 = conn2.cursor()
    c2.execute("SELECT DATABASE(), @@autocommit")
    checks.check(c2.fetchone() == ("quickstart", 0), "connect with database= and autocommit=False")
    conn2.commit()
    conn2.close()

    cur.execute("ADMIN SET AUTOMATED CLUSTER SNAPSHOT OFF")
    cur.execute("DROP DATABASE quickstart FORCE")
    cur.execute("SHOW DATABASES")
    checks.check(cur.fetchall() == (("information_schema",),), "clean up")
    conn.close()


if __name__ == "__main__":
    run_with_fe("driver-pymysql", body)

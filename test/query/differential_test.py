#!/usr/bin/env python3
"""Differential test of the query engine: random tables and random queries,
run on Strata (one `strata fe` over a local volume, through the MySQL
protocol) and on DuckDB (PyPI, in-process); every query must return the same
multiset of rows (numbers compared exactly, except AVG and DOUBLE results,
within 1e-4: Strata's AVG of integers is DECIMAL at scale 4, as MySQL's).

    run_differential.sh [--seed N] [--queries N] [--rows N] [--kinds corr_in,corr_scalar]

The seed is printed first ([seed] STRATA_TEST_SEED=N); STRATA_TEST_SEED or
--seed reproduces a run. Exit 0 when every query matched; the last line is
"N passed, M failed".

What is generated: two tables (t1 range-partitioned on k, three partitions,
two buckets; t2 unpartitioned) with NULLs in every nullable column, loaded
by several INSERTs (several rowsets per tablet); queries over them from
templates (filter/project, GROUP BY with HAVING, global aggregates,
DISTINCT, ORDER BY unique key with LIMIT/OFFSET, inner and left joins, IN
and EXISTS subqueries, correlated [NOT] EXISTS / [NOT] IN / scalar aggregate
subqueries (as conditions, under OR / NOT / IS NULL, in the select list),
derived tables, UNION [ALL]) with random predicates
(comparisons, BETWEEN, IN lists, LIKE, IS [NOT] NULL, AND/OR/NOT) and
expressions (arithmetic, CASE, COALESCE, ABS, UPPER, CONCAT, YEAR, %).
Strings are lower-case ASCII so collations agree; no '/' (MySQL's DECIMAL
division and DuckDB's DOUBLE division differ by design).
"""

import argparse
import decimal
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import harness  # noqa: E402
from harness import Cluster, log  # noqa: E402

import duckdb  # noqa: E402
import pymysql  # noqa: E402

WORDS = ["ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen"]
QUERY_TIMEOUT_S = 60


# ---------------------------------------------------------------- data

def gen_value(rng, kind, null_ratio=0.15):
    if rng.random() < null_ratio:
        return "NULL"
    if kind == "int":
        return str(rng.randint(-20, 40))
    if kind == "bigint":
        return str(rng.randint(-10**12, 10**12))
    if kind == "dec":
        return f"{rng.randint(-99999, 99999) / 100:.2f}"
    if kind == "dec3":
        return f"{rng.randint(-9999, 9999) / 1000:.3f}"
    if kind == "str":
        return "'" + rng.choice(WORDS) + ("" if rng.random() < 0.7 else rng.choice(WORDS)) + "'"
    if kind == "date":
        return f"'2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}'"
    if kind == "double":
        return str(rng.randint(-400, 400) / 4)  # multiples of 0.25: exact sums
    raise ValueError(kind)


T1 = [("k", "int", False), ("a", "int", True), ("b", "bigint", True), ("c", "dec", True), ("s", "str", True),
      ("d", "date", True), ("f", "double", True)]
T2 = [("k", "int", False), ("x", "int", True), ("s", "str", True), ("c", "dec3", True)]
SQL_TYPES = {"int": "INT", "bigint": "BIGINT", "dec": "DECIMAL(10,2)", "dec3": "DECIMAL(8,3)", "str": "VARCHAR(8)",
             "date": "DATE", "double": "DOUBLE"}


def create_tables(cur, duck):
    cols1 = ", ".join(f"{n} {SQL_TYPES[k]}{'' if null else ' NOT NULL'}" for n, k, null in T1)
    cols2 = ", ".join(f"{n} {SQL_TYPES[k]}{'' if null else ' NOT NULL'}" for n, k, null in T2)
    cur.execute("CREATE DATABASE diff")
    cur.execute(f"CREATE TABLE diff.t1 ({cols1}) DUPLICATE KEY(k) PARTITION BY RANGE(k) "
                "(PARTITION p1 VALUES LESS THAN (100), PARTITION p2 VALUES LESS THAN (200), "
                "PARTITION p3 VALUES LESS THAN (1000)) DISTRIBUTED BY HASH(k) BUCKETS 2")
    cur.execute(f"CREATE TABLE diff.t2 ({cols2}) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2")
    duck.execute("CREATE SCHEMA diff")
    duck.execute(f"CREATE TABLE diff.t1 ({cols1})")
    duck.execute(f"CREATE TABLE diff.t2 ({cols2})")


def load(cur, duck, rng, table, cols, keys, batches):
    rows = []
    for k in keys:
        rows.append("(" + ", ".join([str(k)] + [gen_value(rng, kind) for _, kind, _ in cols[1:]]) + ")")
    size = max(1, len(rows) // batches)
    for i in range(0, len(rows), size):
        sql = f"INSERT INTO diff.{table} VALUES " + ", ".join(rows[i:i + size])
        cur.execute(sql)
        duck.execute(sql)


# ---------------------------------------------------------------- queries

class Gen:
    """Random SQL in the dialect both engines read the same way. Each query
    is (strata_sql, duckdb_sql, approx_columns)."""

    KINDS = ["filter", "filter", "group", "group", "global", "distinct", "topn", "join", "left", "in", "exists",
             "derived", "union", "corr_exists", "corr_in", "corr_scalar", "corr_mark", "comma", "comma"]

    def __init__(self, rng, kinds=None):
        self.rng = rng
        self.kinds = kinds or Gen.KINDS

    def const(self, kind):
        v = gen_value(self.rng, kind, null_ratio=0.03)
        return v

    def pred(self, cols, depth=0):
        r = self.rng
        if depth < 2 and r.random() < 0.35:
            op = r.choice(["AND", "OR"])
            a, b = self.pred(cols, depth + 1), self.pred(cols, depth + 1)
            if r.random() < 0.15:
                return f"NOT ({a} {op} {b})"
            return f"({a} {op} {b})"
        name, kind, _ = r.choice(cols)
        choice = r.random()
        if choice < 0.12:
            return f"{name} IS {'NOT ' if r.random() < 0.5 else ''}NULL"
        if choice < 0.24 and kind != "str":
            lo, hi = sorted([self.const(kind), self.const(kind)], key=lambda v: (v == "NULL", v))
            return f"{name} {'NOT ' if r.random() < 0.2 else ''}BETWEEN {lo} AND {hi}"
        if choice < 0.36:
            items = ", ".join(self.const(kind) for _ in range(r.randint(1, 4)))
            return f"{name} {'NOT ' if r.random() < 0.2 else ''}IN ({items})"
        if choice < 0.44 and kind == "str":
            return f"{name} LIKE '{r.choice(WORDS)[0]}%'"
        return f"{name} {r.choice(['=', '!=', '<', '<=', '>', '>='])} {self.const(kind)}"

    def scalar(self, alias=""):
        """(strata, duckdb, approx) for a non-aggregate expression over t1."""
        p = alias
        r = self.rng
        options = [
            (f"{p}a + {p}b", False), (f"{p}a * 3 - {p}k", False), (f"{p}c * 2", False), (f"{p}c + {p}a", False),
            (f"{p}k % 7", False), (f"ABS({p}b)", False), (f"COALESCE({p}a, -1)", False), (f"UPPER({p}s)", False),
            (f"CASE WHEN {p}a > 10 THEN 'hi' WHEN {p}a > 0 THEN 'mid' ELSE 'lo' END", False),
            (f"YEAR({p}d)", False), (f"{p}f * 2", True), (f"-{p}c", False),
            ("CONCAT", False),
        ]
        expr, approx = r.choice(options)
        if expr == "CONCAT":
            return f"CONCAT({p}s, '-', {p}k)", f"({p}s || '-' || CAST({p}k AS VARCHAR))", False
        return expr, expr, approx

    def agg(self):
        r = self.rng
        options = [("COUNT(*)", False), ("COUNT(a)", False), ("COUNT(DISTINCT s)", False), ("SUM(a)", False),
                   ("SUM(c)", False), ("SUM(b)", False), ("MIN(d)", False), ("MAX(s)", False), ("MIN(c)", False),
                   ("MAX(b)", False), ("AVG(a)", True), ("AVG(c)", True), ("SUM(f)", True), ("MAX(f)", True)]
        return r.choice(options)

    def query(self):
        r = self.rng
        kind = r.choice(self.kinds)
        where = self.pred(T1)
        if kind == "filter":
            items = [self.scalar() for _ in range(r.randint(1, 3))]
            s = ", ".join(["k"] + [i[0] for i in items])
            d = ", ".join(["k"] + [i[1] for i in items])
            approx = [False] + [i[2] for i in items]
            return f"SELECT {s} FROM diff.t1 WHERE {where}", f"SELECT {d} FROM diff.t1 WHERE {where}", approx
        if kind in ("group", "global"):
            aggs = [self.agg() for _ in range(r.randint(1, 3))]
            keys = r.sample(["s", "a", "d", "k % 3"], r.randint(1, 2)) if kind == "group" else []
            having = f" HAVING COUNT(*) > {r.randint(0, 3)}" if keys and r.random() < 0.4 else ""
            sel = ", ".join(keys + [a for a, _ in aggs])
            group = f" GROUP BY {', '.join(keys)}" if keys else ""
            w = f" WHERE {where}" if r.random() < 0.7 else ""
            sql = f"SELECT {sel} FROM diff.t1{w}{group}{having}"
            return sql, sql, [False] * len(keys) + [ap for _, ap in aggs]
        if kind == "distinct":
            cols = ", ".join(r.sample(["s", "a", "d", "c"], r.randint(1, 2)))
            sql = f"SELECT DISTINCT {cols} FROM diff.t1 WHERE {where}"
            return sql, sql, [False] * (cols.count(",") + 1)
        if kind == "topn":
            desc = " DESC" if r.random() < 0.5 else ""
            sql = f"SELECT k, s, c FROM diff.t1 WHERE {where} ORDER BY k{desc} LIMIT {r.randint(0, 20)} OFFSET {r.randint(0, 5)}"
            return sql, sql, [False] * 3
        if kind in ("join", "left"):
            join = "JOIN" if kind == "join" else "LEFT JOIN"
            on = r.choice(["t1.a = t2.x", "t1.s = t2.s", "t1.a = t2.x AND t1.s = t2.s", "t1.k = t2.k"])
            w = self.pred([("t1." + n, k, nl) for n, k, nl in T1])
            sql = f"SELECT t1.k, t2.k, t1.s, t2.c FROM diff.t1 {join} diff.t2 ON {on} WHERE {w}"
            if r.random() < 0.4:
                sql = (f"SELECT t1.s, COUNT(*), SUM(t2.c) FROM diff.t1 {join} diff.t2 ON {on} WHERE {w} "
                       "GROUP BY t1.s")
                return sql, sql, [False] * 3
            return sql, sql, [False] * 4
        if kind == "comma":  # FROM a list: the planner orders the joins and picks build sides by size
            w1 = self.pred([("t1." + n, k, nl) for n, k, nl in T1])
            w2 = self.pred([("t2." + n, k, nl) for n, k, nl in T2])
            tables = ["diff.t1", "diff.t2", "diff.t1 AS u"]
            r.shuffle(tables)
            eq = r.choice(["t1.a = t2.x", "t1.k = t2.k", "t1.s = t2.s"])
            uq = r.choice(["u.k = t2.k", "u.a = t1.a", "u.s = t1.s AND u.k = t2.k"])
            uw = self.pred([("u." + n, k, nl) for n, k, nl in T1])
            filters = [w for w in (w1, w2, uw) if r.random() < 0.5]
            if r.random() < 0.5:
                from_ = ", ".join(tables)
                where = " AND ".join([eq, uq] + filters)
            else:  # the same written with JOIN ... ON
                from_ = f"diff.t2 JOIN diff.t1 ON {eq} JOIN diff.t1 AS u ON {uq}"
                where = " AND ".join(filters) or "1 = 1"
            sql = f"SELECT t1.k, t2.k, u.k, t1.s, t2.c FROM {from_} WHERE {where}"
            if r.random() < 0.4:
                sql = f"SELECT t1.s, COUNT(*), SUM(t2.c), MAX(u.k) FROM {from_} WHERE {where} GROUP BY t1.s"
                return sql, sql, [False] * 4
            return sql, sql, [False] * 5
        if kind == "in":
            neg = "NOT " if r.random() < 0.3 else ""
            inner = self.pred(T2)
            sql = f"SELECT k, a FROM diff.t1 WHERE a {neg}IN (SELECT x FROM diff.t2 WHERE {inner}) AND {where}"
            return sql, sql, [False] * 2
        if kind == "exists":
            neg = "NOT " if r.random() < 0.3 else ""
            inner = self.pred(T2)
            sql = f"SELECT k FROM diff.t1 WHERE {neg}EXISTS (SELECT 1 FROM diff.t2 WHERE {inner}) AND {where}"
            return sql, sql, [False]
        if kind in ("corr_exists", "corr_in", "corr_scalar", "corr_mark"):
            return self.correlated(kind, where)
        if kind == "derived":
            sql = (f"SELECT g.s, g.n, g.total FROM (SELECT s, COUNT(*) AS n, SUM(a) AS total FROM diff.t1 "
                   f"WHERE {where} GROUP BY s) AS g WHERE g.n > {r.randint(0, 2)}")
            return sql, sql, [False] * 3
        all_ = " ALL" if r.random() < 0.6 else ""
        sql = (f"SELECT a, s FROM diff.t1 WHERE {where} UNION{all_} "
               f"SELECT x, s FROM diff.t2 WHERE {self.pred(T2)}")
        return sql, sql, [False] * 2


    def correlated(self, kind, where):
        """Subqueries that name t1's columns: semi, anti and null-aware anti
        joins, and joins with a grouped aggregate (COUNT over no rows is 0)."""
        r = self.rng
        corr = r.choice(["t2.x = t1.a", "t2.s = t1.s", "t2.k = t1.k", "t2.x = t1.a AND t2.s = t1.s",
                         "t2.s = t1.s AND t2.c < t1.c", "t2.x > t1.a"])
        inner = f" AND {self.pred(T2)}" if r.random() < 0.6 else ""
        neg = "NOT " if r.random() < 0.4 else ""
        if kind == "corr_exists":
            sql = f"SELECT k FROM diff.t1 WHERE {neg}EXISTS (SELECT 1 FROM diff.t2 WHERE {corr}{inner}) AND {where}"
            return sql, sql, [False]
        if kind == "corr_mark":  # EXISTS / IN inside other expressions: mark joins
            probe, value = r.choice([("a", "x"), ("s", "s"), ("c", "c")])
            corr_in = r.choice(["t2.s = t1.s", "t2.k = t1.k", "t2.c < t1.c"])
            exists = f"EXISTS (SELECT 1 FROM diff.t2 WHERE {corr}{inner})"
            in_ = f"{probe} {neg}IN (SELECT {value} FROM diff.t2 WHERE {corr_in}{inner})"
            if r.random() < 0.5:
                sql = f"SELECT k, {in_}, {exists} FROM diff.t1 WHERE {where}"
                return sql, sql, [False] * 3
            cond = r.choice([f"({exists} OR {where})", f"({in_} OR k < 50)", f"({in_}) IS NULL",
                             f"NOT ({in_} AND {exists})"])
            sql = f"SELECT k, a FROM diff.t1 WHERE {cond}"
            return sql, sql, [False] * 2
        if kind == "corr_in":
            probe, value = r.choice([("a", "x"), ("s", "s"), ("c", "c"), ("a + 1", "x")])
            corr = r.choice(["t2.s = t1.s", "t2.k = t1.k", "t2.x = t1.a", "t2.c < t1.c"])
            sql = (f"SELECT k, a FROM diff.t1 WHERE {probe} {neg}IN (SELECT {value} FROM diff.t2 WHERE {corr}{inner}) "
                   f"AND {where}")
            return sql, sql, [False] * 2
        if "t2.x > t1.a" in corr or "t2.c < t1.c" in corr:
            corr = "t2.s = t1.s"  # a scalar subquery correlates by equalities only
        agg = r.choice(["COUNT(*)", "COUNT(x)", "SUM(x)", "MAX(c)", "MIN(x) + 1", "COUNT(*) * 2", "SUM(c)"])
        sub = f"(SELECT {agg} FROM diff.t2 WHERE {corr}{inner})"
        if r.random() < 0.25:  # no aggregate: t2.k is unique, so at most one row
            sub = f"(SELECT {r.choice(['x', 'c', 'COALESCE(x, 7)'])} FROM diff.t2 WHERE t2.k = t1.k{inner})"
        cond = r.choice([f"a > {sub}", f"{sub} = 0", f"COALESCE(a, 0) <= {sub}", f"c * 3 >= {sub}",
                         f"{sub} IS NULL", f"(k < 100 OR {sub} > 1)"])
        sql = f"SELECT k, a FROM diff.t1 WHERE {cond} AND {where}"
        return sql, sql, [False] * 2


# ---------------------------------------------------------------- comparing

def canon(v):
    """A value as comparable text: numbers without trailing zeros, dates ISO."""
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode()
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        v = repr(v)
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    text = str(v)
    try:
        d = decimal.Decimal(text)
        if d.is_finite():
            return format(d.normalize(), "f") if d != 0 else "0"
    except decimal.InvalidOperation:
        pass
    return text


def row_key(row, approx):
    # Approximate columns stay out of the key (their last digits may differ);
    # the exact columns of these queries tell the rows apart.
    return [(v is None, v or "") for v, ap in zip(row, approx) if not ap]


def same_rows(a, b, approx):
    if len(a) != len(b):
        return False
    a = sorted(a, key=lambda r: row_key(r, approx))
    b = sorted(b, key=lambda r: row_key(r, approx))
    for ra, rb in zip(a, b):
        for x, y, ap in zip(ra, rb, approx):
            if x == y:
                continue
            if ap and x is not None and y is not None:
                fx, fy = float(x), float(y)
                # AVG of integers is DECIMAL at scale 4 on Strata (MySQL), DOUBLE on DuckDB.
                if abs(fx - fy) <= 1e-4 + 1e-9 * max(abs(fx), abs(fy)):
                    continue
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=int(os.environ.get("STRATA_TEST_SEED", "0")) or None)
    ap.add_argument("--queries", type=int, default=int(os.environ.get("STRATA_DIFF_QUERIES", "400")))
    ap.add_argument("--rows", type=int, default=400)
    ap.add_argument("--kinds", default="", help="comma-separated query kinds (default: all of Gen.KINDS)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randint(1, 2**31)
    print(f"[seed] STRATA_TEST_SEED={seed}", flush=True)
    rng = random.Random(seed)

    c = Cluster("query-diff", None)
    ok = False
    passed = failed = 0
    rows_compared = nonempty = 0
    try:
        c.volume = harness.local_volume(os.path.join(c.dir, "volume"))
        fe = c.add_fe()
        fe.start().wait_ready()
        fe.wait_query_port()
        conn = pymysql.connect(host="127.0.0.1", port=fe.query_port, user="root", password="", conv={},
                               read_timeout=QUERY_TIMEOUT_S, autocommit=True)
        cur = conn.cursor()
        duck = duckdb.connect()
        create_tables(cur, duck)
        k1 = rng.sample(range(0, 1000), args.rows)
        k2 = rng.sample(range(0, 300), args.rows // 4)
        load(cur, duck, rng, "t1", T1, k1, batches=4)
        load(cur, duck, rng, "t2", T2, k2, batches=2)
        gen = Gen(rng, [k for k in args.kinds.split(",") if k])
        start = time.time()
        for i in range(args.queries):
            strata_sql, duck_sql, approx = gen.query()
            try:
                cur.execute(strata_sql)
                got = [tuple(canon(v) for v in row) for row in cur.fetchall()]
            except pymysql.err.MySQLError as e:
                failed += 1
                print(f"FAIL #{i} (seed {seed}) Strata error {e.args}: {strata_sql}", flush=True)
                continue
            want = [tuple(canon(v) for v in row) for row in duck.execute(duck_sql).fetchall()]
            if same_rows(got, want, approx):
                passed += 1
                rows_compared += len(got)
                nonempty += 1 if got else 0
            else:
                failed += 1
                print(f"FAIL #{i} (seed {seed}): {strata_sql}\n  strata ({len(got)} rows): {sorted(got, key=str)[:8]}"
                      f"\n  duckdb ({len(want)} rows): {sorted(want, key=str)[:8]}", flush=True)
        log(f"{args.queries} queries in {time.time() - start:.1f}s; {nonempty} returned rows, "
            f"{rows_compared} rows compared")
        cur.execute("DROP DATABASE diff")
        conn.close()
        ok = failed == 0
    finally:
        c.cleanup(ok)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Small TPC-H-shaped data (seeded; values chosen so that every one of the 22
queries' validation parameters selects rows) and each query's expected
result from DuckDB. The query engine's tpch_test.cc loads data/*.tbl into
in-memory tables, runs queries.sql and compares with expected/qNN.txt.

    python3 gen.py            # rewrites data/ and expected/ (needs duckdb)

Files: schema.txt ("table: col TYPE, ..."), data/<table>.tbl ('|'-separated,
no NULLs: TPC-H has none), expected/qNN.txt (one row a line, cells joined by
'|', NULL as NULL, in the query's order).
"""
import datetime
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261129

SCHEMA = {
    "region": [("r_regionkey", "INT"), ("r_name", "VARCHAR(25)"), ("r_comment", "VARCHAR(152)")],
    "nation": [("n_nationkey", "INT"), ("n_name", "VARCHAR(25)"), ("n_regionkey", "INT"), ("n_comment", "VARCHAR(152)")],
    "supplier": [("s_suppkey", "INT"), ("s_name", "VARCHAR(25)"), ("s_address", "VARCHAR(40)"), ("s_nationkey", "INT"),
                 ("s_phone", "VARCHAR(15)"), ("s_acctbal", "DECIMAL(15,2)"), ("s_comment", "VARCHAR(101)")],
    "part": [("p_partkey", "INT"), ("p_name", "VARCHAR(55)"), ("p_mfgr", "VARCHAR(25)"), ("p_brand", "VARCHAR(10)"),
             ("p_type", "VARCHAR(25)"), ("p_size", "INT"), ("p_container", "VARCHAR(10)"),
             ("p_retailprice", "DECIMAL(15,2)"), ("p_comment", "VARCHAR(23)")],
    "partsupp": [("ps_partkey", "INT"), ("ps_suppkey", "INT"), ("ps_availqty", "INT"), ("ps_supplycost", "DECIMAL(15,2)"),
                 ("ps_comment", "VARCHAR(199)")],
    "customer": [("c_custkey", "INT"), ("c_name", "VARCHAR(25)"), ("c_address", "VARCHAR(40)"), ("c_nationkey", "INT"),
                 ("c_phone", "VARCHAR(15)"), ("c_acctbal", "DECIMAL(15,2)"), ("c_mktsegment", "VARCHAR(10)"),
                 ("c_comment", "VARCHAR(117)")],
    "orders": [("o_orderkey", "INT"), ("o_custkey", "INT"), ("o_orderstatus", "VARCHAR(1)"), ("o_totalprice", "DECIMAL(15,2)"),
               ("o_orderdate", "DATE"), ("o_orderpriority", "VARCHAR(15)"), ("o_clerk", "VARCHAR(15)"),
               ("o_shippriority", "INT"), ("o_comment", "VARCHAR(79)")],
    "lineitem": [("l_orderkey", "INT"), ("l_partkey", "INT"), ("l_suppkey", "INT"), ("l_linenumber", "INT"),
                 ("l_quantity", "DECIMAL(15,2)"), ("l_extendedprice", "DECIMAL(15,2)"), ("l_discount", "DECIMAL(15,2)"),
                 ("l_tax", "DECIMAL(15,2)"), ("l_returnflag", "VARCHAR(1)"), ("l_linestatus", "VARCHAR(1)"),
                 ("l_shipdate", "DATE"), ("l_commitdate", "DATE"), ("l_receiptdate", "DATE"),
                 ("l_shipinstruct", "VARCHAR(25)"), ("l_shipmode", "VARCHAR(10)"), ("l_comment", "VARCHAR(44)")],
}

REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4), ("ETHIOPIA", 0),
           ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2), ("IRAN", 4), ("IRAQ", 4), ("JAPAN", 2),
           ("JORDAN", 4), ("KENYA", 0), ("MOROCCO", 0), ("MOZAMBIQUE", 0), ("PERU", 1), ("CHINA", 2),
           ("ROMANIA", 3), ("SAUDI ARABIA", 4), ("VIETNAM", 2), ("RUSSIA", 3), ("UNITED KINGDOM", 3),
           ("UNITED STATES", 1)]
COLORS = ["almond", "antique", "blue", "forest", "green", "khaki", "lime", "navy", "red", "tan"]
TYPES1 = ["STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"]
TYPES2 = ["ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"]
TYPES3 = ["TIN", "NICKEL", "BRASS", "STEEL", "COPPER"]
CONTAINERS1 = ["SM", "LG", "MED", "JUMBO", "WRAP"]
CONTAINERS2 = ["CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
INSTRUCT = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
MODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]
START = datetime.date(1992, 1, 1)


def money(rng, lo, hi):
    return f"{rng.randint(lo * 100, hi * 100) / 100:.2f}"


def generate(rng):
    t = {name: [] for name in SCHEMA}
    t["region"] = [[i, r, f"region {r.lower()}"] for i, r in enumerate(REGIONS)]
    t["nation"] = [[i, n, r, f"nation {i}"] for i, (n, r) in enumerate(NATIONS)]
    n_supp, n_part, n_cust, n_orders = 40, 120, 150, 700
    for s in range(1, n_supp + 1):
        comment = "wary Customer slow Complaints" if s % 13 == 0 else rng.choice(["quick", "bold", "final"]) + " deposits"
        t["supplier"].append([s, f"Supplier#{s:09d}", f"addr{s}", s % 25, f"{rng.randint(10, 34)}-555-{s:04d}",
                              money(rng, -999, 9999), comment])
    for p in range(1, n_part + 1):
        name = " ".join(rng.sample(COLORS, 3))
        if p % 6 == 0 and not name.startswith("forest"):
            name = "forest " + name  # Q20
        ptype = " ".join([rng.choice(TYPES1), rng.choice(TYPES2), rng.choice(TYPES3)])
        if p % 17 == 0:
            ptype = "ECONOMY ANODIZED STEEL"
        elif p % 5 == 0:
            ptype = rng.choice(TYPES1) + " " + rng.choice(TYPES2) + " BRASS"
        brand = f"Brand#{rng.randint(1, 5)}{rng.randint(1, 5)}"
        container = rng.choice(CONTAINERS1) + " " + rng.choice(CONTAINERS2)
        size = rng.choice([1, 3, 5, 9, 10, 14, 15, 15, 19, 23, 36, 45, 49, rng.randint(1, 50)])
        if p % 10 == 0:
            size = 15
        t["part"].append([p, name, f"Manufacturer#{rng.randint(1, 5)}", brand, ptype, size, container,
                          money(rng, 900, 2000), "part comment"])
        for k in range(4):
            s = (p + k * 10) % n_supp + 1
            t["partsupp"].append([p, s, rng.randint(1, 9999), money(rng, 1, 1000), "ps comment"])
    for c in range(1, n_cust + 1):
        nation = c % 25
        comment = "special packages requests" if c % 9 == 0 else "regular accounts"
        t["customer"].append([c, f"Customer#{c:09d}", f"caddr{c}", nation, f"{nation + 10}-{rng.randint(100, 999)}-{c:04d}",
                              money(rng, -999, 9999), rng.choice(SEGMENTS), comment])
    ps = {(r[0]): [] for r in t["partsupp"]}
    for r in t["partsupp"]:
        ps[r[0]].append(r[1])
    for o in range(1, n_orders + 1):
        cust = rng.randint(1, n_cust)
        while cust % 3 == 0:  # a third of the customers have no orders (Q13, Q22)
            cust = rng.randint(1, n_cust)
        odate = START + datetime.timedelta(days=rng.randint(0, 2400))
        lines = []
        nlines = rng.randint(1, 7) if o % 97 else 7  # o % 97 == 0: a large order (Q18)
        for ln in range(1, nlines + 1):
            part = rng.randint(1, n_part)
            supp = rng.choice(ps[part])
            qty = rng.randint(1, 50) if o % 97 else rng.randint(45, 50)
            ship = odate + datetime.timedelta(days=rng.randint(1, 121))
            commit = odate + datetime.timedelta(days=rng.randint(30, 90))
            receipt = ship + datetime.timedelta(days=rng.randint(1, 30))
            rflag = rng.choice("RA") if receipt <= datetime.date(1995, 6, 17) else "N"
            lstatus = "F" if ship <= datetime.date(1995, 6, 17) else "O"
            lines.append([o, part, supp, ln, f"{qty}.00", f"{qty * rng.randint(900, 2000):.2f}",
                          f"0.{rng.randint(0, 10):02d}", f"0.{rng.randint(0, 8):02d}", rflag, lstatus,
                          ship.isoformat(), commit.isoformat(), receipt.isoformat(), rng.choice(INSTRUCT),
                          rng.choice(MODES), "li comment"])
        status = "F" if all(l[9] == "F" for l in lines) else ("O" if all(l[9] == "O" for l in lines) else "P")
        total = sum(float(l[5]) for l in lines)
        comment = "furious special theodolites requests" if o % 7 == 0 else "carefully final"
        t["orders"].append([o, cust, status, f"{total:.2f}", odate.isoformat(), rng.choice(PRIORITIES),
                            f"Clerk#{rng.randint(1, 50):09d}", 0, comment])
        t["lineitem"].extend(lines)
    return t


def write_data(t):
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    with open(os.path.join(HERE, "schema.txt"), "w") as f:
        for name, cols in SCHEMA.items():
            f.write(name + ": " + ", ".join(f"{c} {ty}" for c, ty in cols) + "\n")
    for name, rows in t.items():
        with open(os.path.join(HERE, "data", name + ".tbl"), "w") as f:
            for r in rows:
                f.write("|".join(str(v) for v in r) + "\n")


def read_queries():
    blocks, name = {}, None
    with open(os.path.join(HERE, "queries.sql")) as f:
        for line in f:
            if re.fullmatch(r"-- Q\d\d\s*", line):
                name = line[3:].strip()
                blocks[name] = ""
            elif name and not line.startswith("--"):
                blocks[name] += line
    return {k: v.strip().rstrip(";") for k, v in blocks.items()}


def cell(v):
    if v is None:
        return "NULL"
    return str(v)


def write_expected(t):
    import duckdb
    con = duckdb.connect()
    for name, cols in SCHEMA.items():
        con.execute(f"CREATE TABLE {name} (" + ", ".join(f"{c} {ty}" for c, ty in cols) + ")")
        con.execute(f"INSERT INTO {name} SELECT * FROM read_csv('{os.path.join(HERE, 'data', name + '.tbl')}', "
                    "delim='|', header=false, columns={" + ", ".join(f"'{c}': '{ty}'" for c, ty in cols) + "})")
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    for q, text in read_queries().items():
        rows = con.execute(text).fetchall()
        with open(os.path.join(HERE, "expected", q.lower() + ".txt"), "w") as f:
            for r in rows:
                f.write("|".join(cell(v) for v in r) + "\n")
        print(q, len(rows), "rows")


if __name__ == "__main__":
    tables = generate(random.Random(SEED))
    write_data(tables)
    write_expected(tables)

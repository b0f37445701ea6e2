#!/usr/bin/env python3
"""A TPC-H data generator written for Strata's benchmarks (numpy; not dbgen, no code from it).

    gen.py --sf 1 [--out DIR] [--seed N]      # default DIR ~/.cache/strata/tpch/sf<SF>

Writes one '|'-separated file per table (<table>.tbl, no header, no trailing delimiter) and `done.json`
(row counts, seed) last; a directory with done.json is reused as is. Table sizes, keys and value domains
follow the TPC-H specification's clause 4.2 (sizes: supplier 10,000 x SF, part 200,000 x SF, partsupp 4 per
part, customer 150,000 x SF, orders 1,500,000 x SF with sparse keys, 1..7 lineitems per order; dates
1992-01-01 .. 1998-12-31, CURRENTDATE 1995-06-17; retail price, supplier-of-part and return-flag /
line-status / order-status rules as specified). Free text (comments, addresses) is random words from a
small vocabulary of our own rather than the spec's grammar, with the substrings queries look for
(Q13 'special ... requests', Q16 'Customer ... Complaints') planted at about the specified rates, so the
selectivities are close to the spec's but the exact answers are not dbgen's: results are compared with
DuckDB on the same generated data, never with the published answer sets.

Tables are built as numpy columns, put through DuckDB (in-process) for typing and fast CSV writing.
"""

import argparse
import json
import os
import random
import sys
import time

import duckdb
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from schema import TABLES  # noqa: E402

REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4), ("ETHIOPIA", 0),
           ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2), ("IRAN", 4), ("IRAQ", 4), ("JAPAN", 2),
           ("JORDAN", 4), ("KENYA", 0), ("MOROCCO", 0), ("MOZAMBIQUE", 0), ("PERU", 1), ("CHINA", 2),
           ("ROMANIA", 3), ("SAUDI ARABIA", 4), ("VIETNAM", 2), ("RUSSIA", 3), ("UNITED KINGDOM", 3),
           ("UNITED STATES", 1)]
COLORS = ("almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished "
          "chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick "
          "floral forest frosted gainsboro ghost goldenrod green grey honeydew hot indian ivory khaki lace "
          "lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint misty moccasin "
          "navajo navy olive orange orchid pale papaya peach peru pink plum powder puff purple red rose rosy "
          "royal saddle salmon sandy seashell sienna sky slate smoke snow spring steel tan thistle tomato "
          "turquoise violet wheat white yellow").split()
TYPE1 = ["STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"]
TYPE2 = ["ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"]
TYPE3 = ["TIN", "NICKEL", "BRASS", "STEEL", "COPPER"]
CONT1 = ["SM", "LG", "MED", "JUMBO", "WRAP"]
CONT2 = ["CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
INSTRUCTIONS = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
MODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]
WORDS = ("accounts deposits packages requests ideas foxes theodolites instructions platelets asymptotes pinto "
         "beans dependencies excuses courts dolphins sheaves pains warhorses sentiments frets waters orbits "
         "carefully quickly slyly blithely furiously ironically fluffily regular final express pending bold "
         "silent even ruthless unusual daring stealthy quiet close busy sleep wake haggle nag boost cajole "
         "detect integrate affix among above across after along against beside about").split()

START = np.datetime64("1992-01-01")
END_DAYS = int((np.datetime64("1998-12-31") - START).astype(int))
CURRENT_DAYS = int((np.datetime64("1995-06-17") - START).astype(int))
POOL = 50_000  # distinct free-text strings per column; rows pick from the pool


def text_pool(rng, lo, hi, n=POOL, plant=None, plant_every=0):
    out = []
    for i in range(n):
        target = rng.randrange(lo, hi + 1)
        words = []
        while sum(len(w) + 1 for w in words) < target:
            words.append(WORDS[rng.randrange(len(WORDS))])
        s = " ".join(words)[:target].strip()
        if plant and plant_every and i % plant_every == 0:
            a, b = plant
            s = (a + " " + s + " " + b)[:hi]
            if not s.endswith(b):
                s = a + " " + b
        out.append(s)
    return np.array(out, dtype=object)


def pick(rng_np, pool, n):
    return pool[rng_np.integers(0, len(pool), n)]


def money(rng_np, lo_cents, hi_cents, n):
    return rng_np.integers(lo_cents, hi_cents + 1, n).astype(np.int64)


def phones(rng_np, nation):
    n = len(nation)
    a, b, c = rng_np.integers(100, 1000, n), rng_np.integers(100, 1000, n), rng_np.integers(1000, 10000, n)
    return np.array([f"{k + 10}-{x}-{y}-{z}" for k, x, y, z in zip(nation, a, b, c)], dtype=object)


def names(prefix, keys):
    return np.array([f"{prefix}#{k:09d}" for k in keys], dtype=object)


def supp_of_part(partkey, i, nsupp):
    """The i-th (0..3) supplier of a part (spec 4.2.3, PS_SUPPKEY)."""
    return (partkey + i * (nsupp // 4 + (partkey - 1) // nsupp)) % nsupp + 1


def gen_tables(sf, seed):
    rng, rn = random.Random(seed), np.random.default_rng(seed)
    nsupp, npart, ncust, nord = int(10_000 * sf), int(200_000 * sf), int(150_000 * sf), int(1_500_000 * sf)
    t = {}
    t["region"] = {"r_regionkey": np.arange(5), "r_name": np.array(REGIONS, dtype=object),
                   "r_comment": text_pool(rng, 31, 115, 5)}
    t["nation"] = {"n_nationkey": np.arange(25), "n_name": np.array([n for n, _ in NATIONS], dtype=object),
                   "n_regionkey": np.array([r for _, r in NATIONS]), "n_comment": text_pool(rng, 31, 114, 25)}

    sk = np.arange(1, nsupp + 1)
    snat = rn.integers(0, 25, nsupp)
    scomment = pick(rn, text_pool(rng, 25, 100, min(POOL, nsupp)), nsupp)
    for i in rn.choice(nsupp, size=max(2, nsupp // 1000), replace=False):  # ~5 + 5 per 10,000
        scomment[i] = "Customer " + scomment[i][:60] + (" Complaints" if i % 2 else " Recommends")
    t["supplier"] = {"s_suppkey": sk, "s_name": names("Supplier", sk),
                     "s_address": pick(rn, text_pool(rng, 10, 40), nsupp), "s_nationkey": snat,
                     "s_phone": phones(rn, snat), "s_acctbal": money(rn, -99_999, 999_999, nsupp),
                     "s_comment": scomment}

    pk = np.arange(1, npart + 1)
    cw = np.array(COLORS, dtype=object)
    pname = cw[rn.integers(0, len(COLORS), npart)]
    for _ in range(4):
        pname = pname + " " + cw[rn.integers(0, len(COLORS), npart)]
    m = rn.integers(1, 6, npart)
    types = np.array([f"{a} {b} {c}" for a in TYPE1 for b in TYPE2 for c in TYPE3], dtype=object)
    conts = np.array([f"{a} {b}" for a in CONT1 for b in CONT2], dtype=object)
    price = 90_000 + (pk // 10) % 20_001 + 100 * (pk % 1000)  # cents
    t["part"] = {"p_partkey": pk, "p_name": pname,
                 "p_mfgr": np.array([f"Manufacturer#{x}" for x in range(6)], dtype=object)[m],
                 "p_brand": np.array([f"Brand#{x}{y}" for x in range(6) for y in range(6)], dtype=object)[
                     m * 6 + rn.integers(1, 6, npart)],
                 "p_type": pick(rn, types, npart), "p_size": rn.integers(1, 51, npart),
                 "p_container": pick(rn, conts, npart), "p_retailprice": price,
                 "p_comment": pick(rn, text_pool(rng, 5, 22), npart)}

    ps_part = np.repeat(pk, 4)
    ps_i = np.tile(np.arange(4), npart)
    t["partsupp"] = {"ps_partkey": ps_part, "ps_suppkey": supp_of_part(ps_part, ps_i, nsupp),
                     "ps_availqty": rn.integers(1, 10_000, 4 * npart),
                     "ps_supplycost": money(rn, 100, 100_000, 4 * npart),
                     "ps_comment": pick(rn, text_pool(rng, 49, 198), 4 * npart)}

    ck = np.arange(1, ncust + 1)
    cnat = rn.integers(0, 25, ncust)
    t["customer"] = {"c_custkey": ck, "c_name": names("Customer", ck),
                     "c_address": pick(rn, text_pool(rng, 10, 40), ncust), "c_nationkey": cnat,
                     "c_phone": phones(rn, cnat), "c_acctbal": money(rn, -99_999, 999_999, ncust),
                     "c_mktsegment": pick(rn, np.array(SEGMENTS, dtype=object), ncust),
                     "c_comment": pick(rn, text_pool(rng, 29, 116), ncust)}

    t["orders"], t["lineitem"] = gen_orders(rng, rn, nord, ncust, npart, nsupp, price, sf)
    return t


def gen_orders(rng, rn, nord, ncust, npart, nsupp, price, sf):
    idx = np.arange(nord, dtype=np.int64)
    okey = (idx // 8) * 32 + idx % 8 + 1  # 8 of every 32 keys are used
    cust = rn.integers(1, ncust + 1, nord)
    cust = np.where(cust % 3 == 0, cust - 1, cust)  # every third customer places no orders
    cust = np.where(cust < 1, 1, cust)
    odate = rn.integers(0, END_DAYS - 151 + 1, nord)
    nlines = rn.integers(1, 8, nord)
    n = int(nlines.sum())
    lorder = np.repeat(okey, nlines)
    lodate = np.repeat(odate, nlines)
    first = np.repeat(np.cumsum(nlines) - nlines, nlines)
    lnum = np.arange(n) - first + 1
    lpart = rn.integers(1, npart + 1, n)
    lsupp = supp_of_part(lpart, rn.integers(0, 4, n), nsupp)
    qty = rn.integers(1, 51, n)
    ext = qty * price[lpart - 1]  # cents
    disc = rn.integers(0, 11, n)  # hundredths
    tax = rn.integers(0, 9, n)
    ship = lodate + rn.integers(1, 122, n)
    commit = lodate + rn.integers(30, 91, n)
    receipt = ship + rn.integers(1, 31, n)
    rflag = np.where(receipt <= CURRENT_DAYS, np.where(rn.integers(0, 2, n) == 0, "R", "A"), "N").astype(object)
    lstatus_o = ship > CURRENT_DAYS
    lstatus = np.where(lstatus_o, "O", "F").astype(object)
    # order status: F if every line is F, O if every line is O, else P; total price from the lines
    n_o = np.add.reduceat(lstatus_o.astype(np.int64), np.cumsum(nlines) - nlines)
    ostatus = np.where(n_o == 0, "F", np.where(n_o == nlines, "O", "P")).astype(object)
    line_total = ext * (100 - disc) * (100 + tax)  # cents * 10^4
    total = np.add.reduceat(line_total, np.cumsum(nlines) - nlines)
    total = (total + 5000) // 10_000  # round half up to cents
    nclerk = max(1, int(1000 * sf))
    orders = {"o_orderkey": okey, "o_custkey": cust, "o_orderstatus": ostatus, "o_totalprice": total,
              "o_orderdate": odate, "o_orderpriority": pick(rn, np.array(PRIORITIES, dtype=object), nord),
              "o_clerk": names("Clerk", np.arange(1, nclerk + 1))[rn.integers(0, nclerk, nord)],
              "o_shippriority": np.zeros(nord, dtype=np.int64),
              "o_comment": pick(rn, text_pool(rng, 19, 78, plant=("special", "requests"), plant_every=97), nord)}
    lineitem = {"l_orderkey": lorder, "l_partkey": lpart, "l_suppkey": lsupp, "l_linenumber": lnum,
                "l_quantity": qty * 100, "l_extendedprice": ext, "l_discount": disc, "l_tax": tax,
                "l_returnflag": rflag, "l_linestatus": lstatus, "l_shipdate": ship, "l_commitdate": commit,
                "l_receiptdate": receipt,
                "l_shipinstruct": pick(rn, np.array(INSTRUCTIONS, dtype=object), n),
                "l_shipmode": pick(rn, np.array(MODES, dtype=object), n),
                "l_comment": pick(rn, text_pool(rng, 10, 43), n)}
    return orders, lineitem


def select_list(table):
    """SQL turning the numpy columns (integers: days since 1992-01-01, cents) into the schema's types."""
    out = []
    for name, typ in TABLES[table]:
        if typ == "DATE":
            out.append(f"DATE '1992-01-01' + CAST({name} AS INTEGER) AS {name}")
        elif typ.startswith("DECIMAL"):
            out.append(f"CAST(CAST({name} AS DECIMAL(18,0)) / 100 AS {typ}) AS {name}")
        else:
            out.append(f"CAST({name} AS {typ}) AS {name}")
    return ", ".join(out)


def generate(sf, out, seed=20261129):
    done = os.path.join(out, "done.json")
    if os.path.exists(done):
        with open(done) as f:
            return json.load(f)
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    tables = gen_tables(sf, seed)
    con = duckdb.connect()
    counts = {}
    for name, cols in tables.items():
        con.register("src", {k: np.asarray(v) for k, v in cols.items()})
        path = os.path.join(out, f"{name}.tbl")
        con.execute(f"COPY (SELECT {select_list(name)} FROM src) TO '{path}.tmp' "
                    "(HEADER false, DELIMITER '|', QUOTE '')")
        con.unregister("src")
        os.replace(path + ".tmp", path)
        counts[name] = len(next(iter(cols.values())))
    info = {"sf": sf, "seed": seed, "rows": counts, "seconds": round(time.time() - t0, 1)}
    with open(done, "w") as f:
        json.dump(info, f)
    return info


def default_dir(sf):
    return os.path.join(os.path.expanduser("~"), ".cache", "strata", "tpch", f"sf{sf:g}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", type=float, default=1.0)
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=20261129)
    a = ap.parse_args()
    print(json.dumps(generate(a.sf, a.out or default_dir(a.sf), a.seed)))


if __name__ == "__main__":
    main()

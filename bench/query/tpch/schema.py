"""TPC-H table schemas (TPC-H specification, clause 1.4) in the types Strata and DuckDB both accept, and
the Strata layout of each table (DUPLICATE KEY on the leading key, HASH buckets scaled with the data).

Identifiers are INT/BIGINT, money DECIMAL(15,2), dates DATE, fixed and variable text VARCHAR (Strata has
no CHAR type; the values are the same).
"""

TABLES = {
    "region": [("r_regionkey", "INT"), ("r_name", "VARCHAR(25)"), ("r_comment", "VARCHAR(152)")],
    "nation": [("n_nationkey", "INT"), ("n_name", "VARCHAR(25)"), ("n_regionkey", "INT"),
               ("n_comment", "VARCHAR(152)")],
    "supplier": [("s_suppkey", "INT"), ("s_name", "VARCHAR(25)"), ("s_address", "VARCHAR(40)"),
                 ("s_nationkey", "INT"), ("s_phone", "VARCHAR(15)"), ("s_acctbal", "DECIMAL(15,2)"),
                 ("s_comment", "VARCHAR(101)")],
    "customer": [("c_custkey", "INT"), ("c_name", "VARCHAR(25)"), ("c_address", "VARCHAR(40)"),
                 ("c_nationkey", "INT"), ("c_phone", "VARCHAR(15)"), ("c_acctbal", "DECIMAL(15,2)"),
                 ("c_mktsegment", "VARCHAR(10)"), ("c_comment", "VARCHAR(117)")],
    "part": [("p_partkey", "INT"), ("p_name", "VARCHAR(55)"), ("p_mfgr", "VARCHAR(25)"), ("p_brand", "VARCHAR(10)"),
             ("p_type", "VARCHAR(25)"), ("p_size", "INT"), ("p_container", "VARCHAR(10)"),
             ("p_retailprice", "DECIMAL(15,2)"), ("p_comment", "VARCHAR(23)")],
    "partsupp": [("ps_partkey", "INT"), ("ps_suppkey", "INT"), ("ps_availqty", "INT"),
                 ("ps_supplycost", "DECIMAL(15,2)"), ("ps_comment", "VARCHAR(199)")],
    "orders": [("o_orderkey", "BIGINT"), ("o_custkey", "INT"), ("o_orderstatus", "VARCHAR(1)"),
               ("o_totalprice", "DECIMAL(15,2)"), ("o_orderdate", "DATE"), ("o_orderpriority", "VARCHAR(15)"),
               ("o_clerk", "VARCHAR(15)"), ("o_shippriority", "INT"), ("o_comment", "VARCHAR(79)")],
    "lineitem": [("l_orderkey", "BIGINT"), ("l_partkey", "INT"), ("l_suppkey", "INT"), ("l_linenumber", "INT"),
                 ("l_quantity", "DECIMAL(15,2)"), ("l_extendedprice", "DECIMAL(15,2)"),
                 ("l_discount", "DECIMAL(15,2)"), ("l_tax", "DECIMAL(15,2)"), ("l_returnflag", "VARCHAR(1)"),
                 ("l_linestatus", "VARCHAR(1)"), ("l_shipdate", "DATE"), ("l_commitdate", "DATE"),
                 ("l_receiptdate", "DATE"), ("l_shipinstruct", "VARCHAR(25)"), ("l_shipmode", "VARCHAR(10)"),
                 ("l_comment", "VARCHAR(44)")],
}

# Buckets per table at SF1; smaller scale factors get fewer (at least 1).
BUCKETS_SF1 = {"region": 1, "nation": 1, "supplier": 1, "customer": 4, "part": 4, "partsupp": 4, "orders": 8,
               "lineitem": 8}


def buckets(table, sf):
    return max(1, min(BUCKETS_SF1[table], round(BUCKETS_SF1[table] * sf * 4)))


def strata_ddl(db, table, sf):
    cols = TABLES[table]
    body = ", ".join(f"{n} {t}" + (" NOT NULL" if i == 0 else "") for i, (n, t) in enumerate(cols))
    key = cols[0][0]
    return (f"CREATE TABLE {db}.{table} ({body}) DUPLICATE KEY({key}) "
            f"DISTRIBUTED BY HASH({key}) BUCKETS {buckets(table, sf)}")


def duckdb_ddl(db, table):
    body = ", ".join(f"{n} {t}" for n, t in TABLES[table])
    return f"CREATE TABLE {db}.{table} ({body})"


def duckdb_columns(table):
    """read_csv's columns= argument for a table's .tbl file."""
    return "{" + ", ".join(f"'{n}': '{t}'" for n, t in TABLES[table]) + "}"

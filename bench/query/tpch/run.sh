#!/usr/bin/env bash
# bench/query/tpch: TPC-H (our own generator, data cached in ~/.cache/strata/tpch) on Strata vs DuckDB.
#   STRATA_BIN=build/programs/strata bench/query/tpch/run.sh --sf 0.1 --reps 3            # FE over a local dir
#   . $DATA/env; STRATA_BIN=... bench/query/tpch/run.sh --sf 1 --mode s3   # FE + CN over S3, cold + warm
# (S3: start a server with scripts/s3/start-ceph.sh and source the env file it writes.)
# Uses the cached venv of bench/query/run.sh (DuckDB from PyPI) plus numpy.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(bash "$HERE/../../../scripts/duckdb-venv.sh" numpy)
exec "$PY" "$HERE/bench_tpch.py" "$@"

#!/usr/bin/env bash
# bench/query: Strata vs DuckDB on scan / filter / aggregate / top-N / join
# queries (bench_query.py). DuckDB comes from PyPI in the cached venv that
# bench/load/run.sh uses.
#   STRATA_BIN=build/programs/strata bench/query/run.sh [--rows N] [--reps N]
# TPC-H (SF 1, cold on S3 and warm): bench/query/tpch/run.sh (see bench_tpch.py).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(bash "$HERE/../../scripts/duckdb-venv.sh")
exec "$PY" "$HERE/bench_query.py" "$@"

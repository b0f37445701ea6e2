#!/usr/bin/env bash
# The query engine's differential test (differential_test.py) on a Python
# that has DuckDB (scripts/duckdb-venv.sh: a cached venv with `duckdb` from
# PyPI, created on first use, so CI on a fresh machine gets it).
#   STRATA_BIN=build/programs/strata test/query/run_differential.sh [--seed N] [--queries N]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(bash "$HERE/../../scripts/duckdb-venv.sh")
exec "$PY" "$HERE/differential_test.py" "$@"

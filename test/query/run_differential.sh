#!/usr/bin/env bash
# The query engine's differential test (differential_test.py) on a Python
# that has DuckDB: a venv with --system-site-packages (so Debian's PyMySQL is
# visible) and `duckdb` from PyPI, created on first use — the same recipe and
# default location as bench/load/run.sh, so CI on a fresh machine gets it.
#   STRATA_BIN=build/programs/strata test/query/run_differential.sh [--seed N] [--queries N]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${STRATA_BENCH_VENV:-$HOME/.cache/strata/bench-venv}
if ! "$VENV/bin/python" -c "import duckdb, pymysql" 2>/dev/null; then
  rm -rf "$VENV"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
  "$VENV/bin/pip" install -q duckdb >&2
fi
exec "$VENV/bin/python" "$HERE/differential_test.py" "$@"

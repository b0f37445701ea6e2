#!/usr/bin/env bash
# The Python with DuckDB (PyPI) that the differential test and the benchmarks
# compare against: a venv under ~/.cache/strata/bench-venv (STRATA_BENCH_VENV
# overrides) made with --system-site-packages, so Debian's PyMySQL and boto3
# stay visible; created on first use, so only a new machine pays for it.
# Prints the interpreter's path.
#   PY=$(bash scripts/duckdb-venv.sh [module ...])   # modules pip-installs when missing (e.g. numpy)
set -euo pipefail
VENV=${STRATA_BENCH_VENV:-$HOME/.cache/strata/bench-venv}
if ! "$VENV/bin/python" -c "import duckdb, pymysql" 2>/dev/null; then
  rm -rf "$VENV"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
  "$VENV/bin/pip" install -q duckdb >&2
fi
for module in "$@"; do
  "$VENV/bin/python" -c "import $module" 2>/dev/null || "$VENV/bin/pip" install -q "$module" >&2
done
echo "$VENV/bin/python"

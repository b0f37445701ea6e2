#!/usr/bin/env bash
# bench/query/tpch: TPC-H (our own generator, data cached in ~/.cache/strata/tpch) on Strata vs DuckDB.
#   STRATA_BIN=build/programs/strata bench/query/tpch/run.sh --sf 0.1 --reps 3            # FE over a local dir
#   . $DATA/env; STRATA_BIN=... bench/query/tpch/run.sh --sf 1 --mode s3   # FE + CN over S3, cold + warm
# (S3: start a server with scripts/s3/start-ceph.sh and source the env file it writes.)
# Uses the cached venv of bench/query/run.sh (DuckDB from PyPI) plus numpy.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${STRATA_BENCH_VENV:-$HOME/.cache/strata/bench-venv}
if ! "$VENV/bin/python" -c "import duckdb, pymysql" 2>/dev/null; then
  rm -rf "$VENV"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
  "$VENV/bin/pip" install -q duckdb >&2
fi
"$VENV/bin/python" -c "import numpy" 2>/dev/null || "$VENV/bin/pip" install -q numpy >&2
exec "$VENV/bin/python" "$HERE/bench_tpch.py" "$@"

#!/usr/bin/env bash
# bench/load: stream-load throughput (rows/s, MB/s) of a generated table into a real `strata fe` on a real S3
# server (Ceph RADOS Gateway, started here on 127.0.0.1 on non-default ports and stopped by PID) and on a
# local-directory volume, against DuckDB (PyPI, in a venv under ~/.cache/strata/bench-venv) loading the same
# CSV into a database file on local disk: REPS alternating rounds per backend, medians and ratios.
#   bash bench/load/run.sh                    # 10M rows, writes bench/results/load.md (~20 min on 2 cores)
#   ROWS=1000000 REPS=1 OUT=/tmp/load.md bash bench/load/run.sh     # a quick check
# Knobs: ROWS PARTS (the split loads) REPS SEED BACKENDS (s3,local) MODES (single,seq,conc) OUT;
# RGW_PORT MON_PORT_V2 MON_PORT_V1 OSD_PORT_MIN for the Ceph daemons (defaults here avoid the usual ports);
# S3_ENV=FILE: use an S3 server that is already running (FILE sets STRATA_TEST_S3_*, e.g. /tmp/dev-ceph/env of
# scripts/s3/start-ceph.sh) instead of starting one; STRATA_BIN=PATH: measure that binary instead of building
# build/programs/strata with scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROWS=${ROWS:-10000000}
PARTS=${PARTS:-10}
REPS=${REPS:-3}
SEED=${SEED:-20261128}
BACKENDS=${BACKENDS:-s3,local}
MODES=${MODES:-single,seq,conc}
OUT=${OUT:-bench/results/load.md}
export RGW_PORT=${RGW_PORT:-17480} MON_PORT_V2=${MON_PORT_V2:-13300} MON_PORT_V1=${MON_PORT_V1:-16789}
export OSD_PORT_MIN=${OSD_PORT_MIN:-16800}
COMMAND="ROWS=$ROWS PARTS=$PARTS REPS=$REPS SEED=$SEED BACKENDS=$BACKENDS MODES=$MODES bash bench/load/run.sh"
START=$(date +%s)

bash scripts/install-deps.sh >&2
BUILD_NOTE=""
STRATA_BIN=${STRATA_BIN:-}
if [ -n "$STRATA_BIN" ]; then
  BUILD_NOTE="; the binary $STRATA_BIN built at $(date -u -r "$STRATA_BIN" '+%Y-%m-%d %H:%M') UTC"
elif ! bash scripts/build.sh strata >&2; then  # others may be mid-edit in the shared tree
  [ -x build/programs/strata ] || { echo "run.sh: scripts/build.sh strata failed and there is no binary" >&2; exit 1; }
  BUILD_NOTE="; scripts/build.sh strata failed at the time, so this is the binary built before, of $(date -u -r build/programs/strata '+%Y-%m-%d %H:%M') UTC"
  echo "run.sh: the build failed; measuring the existing build/programs/strata$BUILD_NOTE" >&2
fi
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-load-bench.XXXXXX")
CEPH_STARTED=""
cleanup() {
  if [ -n "$CEPH_STARTED" ]; then DATA=$RUN_DIR/ceph bash "$ROOT/scripts/s3/stop-ceph.sh" >/dev/null 2>&1 || true; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
# The binary as built now: others may rebuild build/programs/strata while this runs.
cp "${STRATA_BIN:-build/programs/strata}" "$RUN_DIR/strata"
STRATA_COMMIT=$(git rev-parse --short HEAD)
[ -n "$(git status --porcelain --untracked-files=no -- src)" ] && STRATA_COMMIT="$STRATA_COMMIT (src/ has uncommitted changes)"

# DuckDB from PyPI in a cached venv; it also sees the system's boto3 (to list and delete the S3 volume).
PY=$(bash scripts/duckdb-venv.sh boto3)

# The CSV: deterministic in (ROWS, SEED); all.csv and the same rows in PARTS files.
c++ -O2 -std=c++20 -o "$RUN_DIR/gen_csv" bench/load/gen_csv.cc
mkdir -p "$RUN_DIR/csv"
echo "generating $ROWS rows, seed $SEED" >&2
GEN=$("$RUN_DIR/gen_csv" --rows "$ROWS" --seed "$SEED" --parts "$PARTS" --out "$RUN_DIR/csv")
CSV_BYTES=$(stat -c %s "$RUN_DIR/csv/all.csv")
CSV_MD5=$(md5sum "$RUN_DIR/csv/all.csv" | cut -d' ' -f1)
echo "$GEN md5 $CSV_MD5" >&2

S3_NOTE="not measured"
if [[ ",$BACKENDS," == *",s3,"* ]] && [ -n "${S3_ENV:-}" ]; then
  # shellcheck disable=SC1090
  source "$S3_ENV"
  S3_NOTE="Ceph RADOS Gateway $(radosgw --version 2>/dev/null | awk '{print $3}') already running at $STRATA_TEST_S3_ENDPOINT (S3_ENV=$S3_ENV), path-style; a fresh prefix of one bucket per measurement"
elif [[ ",$BACKENDS," == *",s3,"* ]]; then
  CEPH_STARTED=1
  DATA=$RUN_DIR/ceph bash scripts/s3/start-ceph.sh >&2
  # shellcheck disable=SC1091
  source "$RUN_DIR/ceph/env"
  S3_NOTE="Ceph RADOS Gateway $(radosgw --version 2>/dev/null | awk '{print $3}') (memstore OSD, one node) started by run.sh on 127.0.0.1:$RGW_PORT, path-style; a fresh prefix of one bucket per measurement"
fi

mkdir -p "$RUN_DIR/work"
"$PY" bench/load/bench_load.py run --strata "$RUN_DIR/strata" --csv-dir "$RUN_DIR/csv" --rows "$ROWS" \
  --work "$RUN_DIR/work" --results "$RUN_DIR/results.jsonl" --backends "$BACKENDS" --reps "$REPS" --modes "$MODES"

ELAPSED=$(( $(date +%s) - START ))
export M_WHEN="$(date -u '+%Y-%m-%d %H:%M') UTC (the run took ${ELAPSED} s)"
export M_MACHINE="nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r); shared with other work, so expect noise"
export M_COMMAND="\`$COMMAND\`"
export M_DATA="$ROWS rows, seed $SEED, all.csv $CSV_BYTES bytes (md5 $CSV_MD5), the same rows split into $PARTS files for the split loads; made by bench/load/gen_csv.cc"
export M_S3="$S3_NOTE"
export M_STRATA="${STRATA_BIN:-build/programs/strata} (RelWithDebInfo) at commit $STRATA_COMMIT$BUILD_NOTE; one FE with fe.conf defaults (sys_log_level WARN), the load runs in the FE (no compute node); table: RANGE(event_time) 4 monthly partitions x HASH(user_id) 8 buckets = 32 tablets, DUPLICATE KEY(event_time, user_id); client: curl -T, one process per load, as StarRocks documents stream load"
export M_DUCKDB="duckdb $("$PY" -c "import duckdb; print(duckdb.__version__)") (PyPI) in its own process, default threads (= cores), the same columns (TIMESTAMP for DATETIME), no keys"
export M_METHOD="per backend, $REPS rounds of: each Strata mode on a fresh FE and a fresh volume, then one DuckDB load into a fresh database file; wall times, medians over the rounds"
"$PY" -c 'import json, os, sys
keys = ["when", "machine", "command", "data", "s3", "strata", "duckdb", "method"]
json.dump({k: os.environ["M_" + k.upper()] for k in keys}, open(sys.argv[1], "w"), indent=1)' "$RUN_DIR/meta.json"
"$PY" bench/load/bench_load.py report "$RUN_DIR/results.jsonl" --meta "$RUN_DIR/meta.json" \
  --notes bench/load/analysis.md > "$OUT"
cat "$OUT"

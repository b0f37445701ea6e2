#!/usr/bin/env bash
# bench/snapshot: snapshot job time and bytes vs catalog size (1k/10k/100k tablets) and vs data size, on the
# local-directory volume and on Ceph RGW (started here on 127.0.0.1, stopped by PID). Results:
# bench/results/snapshot.md (raw JSON lines included).
#   bash bench/snapshot/run.sh
#   REPS=1 TABLETS=1000,10000 ROWS=100000,400000 BACKENDS=local OUT=/tmp/snap.md bash bench/snapshot/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPS=${REPS:-3}
TABLETS=${TABLETS:-1000,10000,100000}
ROWS=${ROWS:-100000,1000000,4000000}
BACKENDS=${BACKENDS:-local,s3}
OUT=${OUT:-bench/results/snapshot.md}
export RGW_PORT=${RGW_PORT:-17480} MON_PORT_V2=${MON_PORT_V2:-13300} MON_PORT_V1=${MON_PORT_V1:-16789}
export OSD_PORT_MIN=${OSD_PORT_MIN:-16800}
COMMAND="REPS=$REPS TABLETS=$TABLETS ROWS=$ROWS BACKENDS=$BACKENDS bash bench/snapshot/run.sh"
bash scripts/install-deps.sh >&2
bash scripts/build.sh strata >&2
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-snapshot-bench.XXXXXX")
CEPH_STARTED=""
cleanup() {
  if [ -n "$CEPH_STARTED" ]; then DATA=$RUN_DIR/ceph bash "$ROOT/scripts/s3/stop-ceph.sh" >/dev/null 2>&1 || true; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
cp build/programs/strata "$RUN_DIR/strata"
if [[ ",$BACKENDS," == *",s3,"* ]]; then
  CEPH_STARTED=1
  DATA=$RUN_DIR/ceph bash scripts/s3/start-ceph.sh >&2
  source "$RUN_DIR/ceph/env"
fi
mkdir -p "$RUN_DIR/work"
START=$(date +%s)
/usr/bin/python3 bench/snapshot/bench_snapshot.py --strata "$RUN_DIR/strata" --work "$RUN_DIR/work" \
  --results "$RUN_DIR/results.jsonl" --backends "$BACKENDS" --reps "$REPS" --tablets "$TABLETS" --rows "$ROWS"
/usr/bin/python3 bench/snapshot/report.py --results "$RUN_DIR/results.jsonl" --command "$COMMAND" \
  --commit "$(git rev-parse --short HEAD)" --seconds "$(( $(date +%s) - START ))" > "$OUT"
echo "wrote $OUT" >&2

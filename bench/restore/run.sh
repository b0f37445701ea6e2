#!/usr/bin/env bash
# bench/restore: time from FE start to restore finished, /api/ready and the first answered SELECT COUNT(*)
# after a cluster-snapshot restore, vs catalog size (1k/10k/100k tablets) and vs data size (0.1M/1M/4M rows),
# on the local-directory volume and on the team's running Ceph RGW (STRATA_TEST_S3_*, from $S3_ENV when not
# set; this script never starts or stops Ceph). Uses the already-built binary (copied, not rebuilt).
# Results: bench/results/restore.md (raw JSON lines included).
#   bash bench/restore/run.sh
#   REPS=1 TABLETS=1000,10000 ROWS=100000 BACKENDS=local OUT=/tmp/restore.md bash bench/restore/run.sh
#   CURVES=loaded LOADED_TABLETS=10000,100000 BACKENDS=s3 ADDRESSES=same bash bench/restore/run.sh
# CURVES: catalog (empty tablets), data (32 tablets, growing data), loaded (N tablets each holding ~8 rows:
# slow to build, one rep by default). MERGE=<results.jsonl of an earlier run> MERGE_COMMAND=<its command>
# puts both runs in one report; KEEP_LOGS=<dir> keeps every restoring FE's log and the results.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
TABLETS=${TABLETS:-1000,10000,100000}
ROWS=${ROWS:-100000,1000000,4000000}
BACKENDS=${BACKENDS:-s3,local}
ADDRESSES=${ADDRESSES:-same,new}
CURVES=${CURVES:-catalog,data}
LOADED_TABLETS=${LOADED_TABLETS:-10000,100000}
LOADED_REPS=${LOADED_REPS:-1}
STRATA=${STRATA:-build/programs/strata}
S3_ENV=${S3_ENV:-/tmp/dev-ceph/env}
OUT=${OUT:-bench/results/restore.md}
COMMAND="REPS=$REPS TABLETS=$TABLETS ROWS=$ROWS BACKENDS=$BACKENDS ADDRESSES=$ADDRESSES CURVES=$CURVES"
if [[ ",$CURVES," == *",loaded,"* ]]; then COMMAND+=" LOADED_TABLETS=$LOADED_TABLETS LOADED_REPS=$LOADED_REPS"; fi
COMMAND+=" bash bench/restore/run.sh"
if [[ ",$BACKENDS," == *",s3,"* && -z "${STRATA_TEST_S3_ENDPOINT:-}" ]]; then
  # shellcheck disable=SC1090
  source "$S3_ENV"
fi
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-restore-bench.XXXXXX")
finish() {
  if [ -n "${KEEP_LOGS:-}" ]; then
    mkdir -p "$KEEP_LOGS" && cp "$RUN_DIR"/logs/*.log "$RUN_DIR"/results.jsonl "$KEEP_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$RUN_DIR"
}
trap finish EXIT
cp "$STRATA" "$RUN_DIR/strata"
if ! [ -x "$RUN_DIR/strata" ] || ! cmp -s "$STRATA" "$RUN_DIR/strata"; then
  echo "bench/restore: $STRATA changed while being copied (a build in progress?); run again" >&2
  exit 1
fi
BINARY_NOTE="$(stat -c '%y' "$STRATA" | cut -d. -f1) build of $STRATA"
mkdir -p "$RUN_DIR/work" "$RUN_DIR/logs"
START=$(date +%s)
/usr/bin/python3 bench/restore/bench_restore.py --strata "$RUN_DIR/strata" --work "$RUN_DIR/work" \
  --results "$RUN_DIR/results.jsonl" --logs "$RUN_DIR/logs" --backends "$BACKENDS" --reps "$REPS" \
  --tablets "$TABLETS" --rows "$ROWS" --addresses "$ADDRESSES" --curves "$CURVES" \
  --loaded-tablets "$LOADED_TABLETS" --loaded-reps "$LOADED_REPS" --profile-steps
REPORT_INPUTS=()
if [ -n "${MERGE:-}" ]; then REPORT_INPUTS+=(--results "$MERGE" --command "${MERGE_COMMAND:-an earlier run}"); fi
REPORT_INPUTS+=(--results "$RUN_DIR/results.jsonl" --command "$COMMAND")
/usr/bin/python3 bench/restore/report.py "${REPORT_INPUTS[@]}" \
  --commit "$(git rev-parse --short HEAD)" --binary "$BINARY_NOTE" --seconds "$(( $(date +%s) - START )) s" > "$OUT"
echo "wrote $OUT" >&2

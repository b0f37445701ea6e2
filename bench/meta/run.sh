#!/usr/bin/env bash
# bench/meta: the metadata service on a real S3 server (Ceph RADOS Gateway, started here on 127.0.0.1 and
# stopped by PID) and on a local-directory volume, side by side in one run:
#   1. commits/s and commit latency with 1, 8, 64 writers (meta_bench commit; floor: meta_bench append)
#   2. image write / load for 1k, 10k, 100k tablets (meta_bench catalog)
#   3. cold start (tail of TAIL entries, and TAIL_WORST for the largest catalog): MetaService::Start (meta_bench catalog) and the real `strata fe` process (fe_start.py)
#   bash bench/meta/run.sh                  # writes bench/results/meta.md
#   DURATION_S=5 TABLETS=1000,10000 REPEAT=2 bash bench/meta/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WRITERS=${WRITERS:-1,8,64}
DURATION_S=${DURATION_S:-10}
TABLETS=${TABLETS:-1000,10000,100000}
TAIL=${TAIL:-100}
TAIL_WORST=${TAIL_WORST:-999}
REPEAT=${REPEAT:-3}
OUT=${OUT:-bench/results/meta.md}
COMMAND="WRITERS=$WRITERS DURATION_S=$DURATION_S TABLETS=$TABLETS TAIL=$TAIL TAIL_WORST=$TAIL_WORST REPEAT=$REPEAT bash bench/meta/run.sh"

bash scripts/install-deps.sh
bash scripts/build.sh meta_bench
FE_NOTE=""
if ! bash scripts/build.sh strata >&2; then  # the FE process test needs it; others may be mid-edit in src/server
  FE_NOTE="Not measured in this run: \`scripts/build.sh strata\` failed."
fi
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-meta-bench.XXXXXX")
trap 'DATA=$RUN_DIR/ceph bash "$ROOT/scripts/s3/stop-ceph.sh" >/dev/null 2>&1 || true; rm -rf "$RUN_DIR"' EXIT

# Another engineer's Ceph on the default ports: wait for it to go (start-ceph.sh itself waits only 10 s).
port_busy() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
for port in "${RGW_PORT:-7480}" "${MON_PORT_V2:-3300}" "${MON_PORT_V1:-6789}" "${OSD_PORT_MIN:-6800}"; do
  for i in $(seq 600); do port_busy "$port" || break; [ "$i" = 1 ] && echo "waiting for port $port" >&2; sleep 1; done
done
DATA=$RUN_DIR/ceph bash scripts/s3/start-ceph.sh
# shellcheck disable=SC1091
source "$RUN_DIR/ceph/env"
export STRATA_BENCH_ACCESS_KEY=$STRATA_TEST_S3_ACCESS_KEY STRATA_BENCH_SECRET_KEY=$STRATA_TEST_S3_SECRET_KEY
mkdir -p "$RUN_DIR/local"
TAG=$(date +%s)
BENCH=build/bench/meta/meta_bench
S3=(--backend s3 --location "s3://$STRATA_TEST_S3_BUCKET/meta-bench" --endpoint "$STRATA_TEST_S3_ENDPOINT"
    --region "$STRATA_TEST_S3_REGION" --tag "$TAG")
LOCAL=(--backend local --location "$RUN_DIR/local" --tag "$TAG")
RESULTS=$RUN_DIR/results.jsonl

run() {  # run BACKEND MODE ARGS...: one meta_bench run on S3 or LOCAL, results appended
  local -n where=$1
  echo "meta_bench $2 ($1) ${*:3}" >&2
  $BENCH "$2" "${where[@]}" "${@:3}" | tee -a "$RESULTS" >&2
}
MAX_TABLETS=${TABLETS##*,}
for backend in S3 LOCAL; do run $backend append --count 200 --changes 64; done
for backend in S3 LOCAL; do run $backend commit --writers "$WRITERS" --duration-s "$DURATION_S"; done
# the same without checkpoints: what the leader's inline checkpoints cost the commit path
for backend in S3 LOCAL; do run $backend commit --writers 1,64 --duration-s "$DURATION_S" --checkpoint-entries 0; done
for backend in S3 LOCAL; do run $backend catalog --tablets "$TABLETS" --tail "$TAIL" --repeat "$REPEAT"; done
# the worst case with default settings: a start just before the next checkpoint replays ~1000 entries
for backend in S3 LOCAL; do
  run $backend catalog --tablets "$MAX_TABLETS" --tail "$TAIL_WORST" --repeat "$REPEAT" --tag "$TAG-worst"
done
if [ -z "$FE_NOTE" ]; then
  echo "fe_start.py" >&2
  /usr/bin/python3 bench/meta/fe_start.py --strata build/programs/strata --results "$RESULTS" \
    --work "$RUN_DIR/fe" --repeat "$REPEAT" | tee -a "$RESULTS" >&2
fi

/usr/bin/python3 bench/meta/report.py "$RESULTS" --command "$COMMAND" --notes bench/meta/analysis.md \
  --fe-note "$FE_NOTE" > "$OUT"
cat "$OUT"

#!/usr/bin/env bash
# bench/objstore: Strata's S3 client against the reference client (boto3) on
# the same real S3 server (Ceph RADOS Gateway, started here on 127.0.0.1 and
# stopped by PID), in alternating rounds of one run, reported as ratios.
#   bash bench/objstore/run.sh                 # writes bench/results/objstore.md
#   ROUNDS=5 COUNTS=300,20 bash bench/objstore/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-4096,16777216}
COUNTS=${COUNTS:-200,10}
OUT=${OUT:-bench/results/objstore.md}

bash scripts/install-deps.sh
bash scripts/build.sh objstore_bench
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench.XXXXXX")
trap 'DATA=$RUN_DIR/ceph bash "$ROOT/scripts/s3/stop-ceph.sh" >/dev/null 2>&1 || true; rm -rf "$RUN_DIR"' EXIT
DATA=$RUN_DIR/ceph bash scripts/s3/start-ceph.sh
# shellcheck disable=SC1091
source "$RUN_DIR/ceph/env"
export STRATA_BENCH_ACCESS_KEY=$STRATA_TEST_S3_ACCESS_KEY STRATA_BENCH_SECRET_KEY=$STRATA_TEST_S3_SECRET_KEY

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  build/bench/objstore/objstore_bench --location "s3://$STRATA_TEST_S3_BUCKET/bench" \
    --endpoint "$STRATA_TEST_S3_ENDPOINT" --region "$STRATA_TEST_S3_REGION" \
    --sizes "$SIZES" --count "$COUNTS" >> "$RUN_DIR/results.jsonl"
  /usr/bin/python3 bench/objstore/boto3_bench.py --endpoint "$STRATA_TEST_S3_ENDPOINT" \
    --bucket "$STRATA_TEST_S3_BUCKET" --prefix bench --region "$STRATA_TEST_S3_REGION" \
    --sizes "$SIZES" --count "$COUNTS" >> "$RUN_DIR/results.jsonl"
done

/usr/bin/python3 bench/objstore/report.py "$RUN_DIR/results.jsonl" \
  --command "ROUNDS=$ROUNDS SIZES=$SIZES COUNTS=$COUNTS bash bench/objstore/run.sh" > "$OUT"
cat "$OUT"

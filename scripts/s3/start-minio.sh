#!/usr/bin/env bash
# Start a throw-away MinIO server bound to 127.0.0.1, create a test bucket, and
# write $DATA/env. Builds MinIO first if it is not cached (scripts/s3/build-minio.sh).
#
#   scripts/s3/start-minio.sh            # prints DATA=<dir> first
#   . "$DATA/env"                        # STRATA_TEST_MINIO_* for the tests
#   scripts/s3/stop-minio.sh "$DATA"     # stops it by the PID in $DATA/pids
#
# Env knobs (defaults):
#   DATA                 data dir; default a fresh `mktemp -d`. An existing dir must be
#                        empty or one this script made before (it is wiped).
#   MINIO_PORT 9700      MINIO_CONSOLE_PORT 9701
#   MINIO_BIN            use this binary instead of build-minio.sh's cached one
#   MINIO_ACCESS_KEY     minioaccesskey   MINIO_SECRET_KEY miniosecretkey   MINIO_BUCKET strata-test
# Exit codes: 0 ready; 1 failed to start; 3 MinIO cannot be built here (see README.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PORT=${MINIO_PORT:-9700}
CONSOLE_PORT=${MINIO_CONSOLE_PORT:-9701}
ACCESS_KEY=${MINIO_ACCESS_KEY:-minioaccesskey}
SECRET_KEY=${MINIO_SECRET_KEY:-miniosecretkey}
BUCKET=${MINIO_BUCKET:-strata-test}
REGION=us-east-1
MARKER=.strata-minio-data
START=$EPOCHREALTIME

elapsed() { awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
die() { echo "start-minio: $*" >&2; exit 1; }

if [ -z "${MINIO_BIN:-}" ]; then
  set +e
  MINIO_BIN=$("$HERE/build-minio.sh" | tail -n 1)
  rc=$?
  set -e
  [ "$rc" = 0 ] || { echo "start-minio: no MinIO binary (build-minio.sh exit $rc)" >&2; exit "$rc"; }
fi
[ -x "$MINIO_BIN" ] || die "$MINIO_BIN is not an executable"

# shellcheck source=scripts/s3/start_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/start_common.sh"
refuse_if_running stop-minio.sh
wait_ports_free 50 "$PORT" "$CONSOLE_PORT"
prepare_data_dir strata-minio
mkdir -p "$DATA/data" "$DATA/log"

on_exit() {
  local rc=$?
  [ "$rc" = 0 ] && return
  echo "start-minio: FAILED after $(elapsed) s; last lines of $DATA/log/minio.out:" >&2
  tail -n 10 "$DATA/log/minio.out" 2>/dev/null >&2 || true
  KEEP_DATA=1 "$HERE/stop-minio.sh" "$DATA" >&2 || true
}
trap on_exit EXIT

# HOME inside DATA: MinIO keeps its client config (~/.minio) there, not in the real home.
env HOME="$DATA" \
  MINIO_ROOT_USER="$ACCESS_KEY" MINIO_ROOT_PASSWORD="$SECRET_KEY" \
  MINIO_SITE_REGION="$REGION" MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off \
  "$MINIO_BIN" server --quiet --anonymous \
    --address "127.0.0.1:$PORT" --console-address "127.0.0.1:$CONSOLE_PORT" \
    "$DATA/data" > "$DATA/log/minio.out" 2>&1 &
PID=$!
echo "minio $PID" > "$DATA/pids"

ENDPOINT=http://127.0.0.1:$PORT
ready() { kill -0 "$PID" 2>/dev/null && curl -sf -m 2 -o /dev/null "$ENDPOINT/minio/health/live"; }
for _ in $(seq 300); do ready && break; kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
ready || die "MinIO did not become live on $ENDPOINT within 30 s"
echo "  $(elapsed) s  live"

/usr/bin/python3 "$HERE/s3_tool.py" mkbucket "$ENDPOINT" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" "$BUCKET"
echo "  $(elapsed) s  bucket $BUCKET created"

cat > "$DATA/env" <<ENV
export STRATA_TEST_MINIO_ENDPOINT=$ENDPOINT
export STRATA_TEST_MINIO_REGION=$REGION
export STRATA_TEST_MINIO_BUCKET=$BUCKET
export STRATA_TEST_MINIO_ACCESS_KEY=$ACCESS_KEY
export STRATA_TEST_MINIO_SECRET_KEY=$SECRET_KEY
export STRATA_TEST_MINIO_DATA=$DATA
ENV
echo "minio ready on $ENDPOINT in $(elapsed) s (bucket $BUCKET); . $DATA/env ; stop: $HERE/stop-minio.sh $DATA"

#!/usr/bin/env bash
# The main job on the embedded default, `strata local`: one FE and compute nodes
# on this machine over a local-directory storage volume (docs/operations/local.md).
#   bash scripts/run.sh          # a local cluster in the foreground until Ctrl-C; data under ./.strata-data
#   bash scripts/run.sh demo     # StarRocks' disaster-recovery walkthrough end to end: create the guide's
#                                # table, snapshot, destroy the cluster, restore, same rows, recovery time;
#                                # under ./.strata-data/demo (wiped at each run)
#   STRATA_DATA=/var/tmp/strata STRATA_QUERY_PORT=19030 STRATA_CNS=2 bash scripts/run.sh
# Then: mysql -h 127.0.0.1 -P 9030 -uroot
# Ports follow STRATA_QUERY_PORT (strata local --port-base): FE http = query - 1000, rpc = query - 10,
# compute node i: heartbeat query + 20 + i, be query + 30 + i, http query - 990 + i.
# S3 instead of the local directory: set AWS_S3_ENDPOINT, AWS_S3_PATH (bucket[/prefix]),
# AWS_S3_ACCESS_KEY and AWS_S3_SECRET_KEY (and AWS_S3_REGION).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-run}
case "$MODE" in
  run | demo) ;;
  *) echo "usage: bash scripts/run.sh [demo]" >&2; exit 2 ;;
esac
if [ -n "${STRATA_HTTP_PORT:-}${STRATA_RPC_PORT:-}" ]; then
  echo "run.sh: STRATA_HTTP_PORT and STRATA_RPC_PORT are no longer read: every port follows STRATA_QUERY_PORT" \
       "(http = query - 1000, rpc = query - 10)" >&2
  exit 2
fi
bash scripts/install-deps.sh
bash scripts/build.sh strata
DATA=${STRATA_DATA:-$PWD/.strata-data}
ARGS=(--cns "${STRATA_CNS:-1}" --port-base "${STRATA_QUERY_PORT:-9030}")
if [ "$MODE" = demo ]; then
  exec build/programs/strata local demo --dir "$DATA/demo" "${ARGS[@]}"
fi
exec build/programs/strata local --dir "$DATA" "${ARGS[@]}"

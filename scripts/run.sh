#!/usr/bin/env bash
# The main job on the embedded default: a local Strata cluster (today one FE)
# over a local-directory storage volume, in the foreground until Ctrl-C.
#   bash scripts/run.sh                               # data under ./.strata-data
#   STRATA_DATA=/var/tmp/strata STRATA_QUERY_PORT=19030 bash scripts/run.sh
# Then: mysql -h 127.0.0.1 -P 9030 -uroot
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh strata
DATA=${STRATA_DATA:-$PWD/.strata-data}
QUERY_PORT=${STRATA_QUERY_PORT:-9030}
HTTP_PORT=${STRATA_HTTP_PORT:-8030}
RPC_PORT=${STRATA_RPC_PORT:-9020}
mkdir -p "$DATA"
cat > "$DATA/fe.conf" <<CONF
# Written by scripts/run.sh: one FE over a local-directory volume (the embedded default).
http_port = $HTTP_PORT
query_port = $QUERY_PORT
rpc_port = $RPC_PORT
meta_dir = $DATA/meta
storage_root = $DATA/volume
CONF
echo "Strata FE: MySQL on 127.0.0.1:$QUERY_PORT, HTTP on 127.0.0.1:$HTTP_PORT, volume $DATA/volume"
echo "Connect with: mysql -h 127.0.0.1 -P $QUERY_PORT -uroot      (Ctrl-C stops the FE)"
echo "Load data:    curl -u root: -H 'column_separator:,' -T file.csv http://127.0.0.1:$HTTP_PORT/api/<db>/<table>/_stream_load"
exec build/programs/strata fe --conf "$DATA/fe.conf"

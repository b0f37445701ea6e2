#!/usr/bin/env bash
# The main job on the embedded default. Until the FE and CN processes land,
# that is the object-store benchmark over a local-directory storage volume
# (the volume a local cluster will use).
#   bash scripts/run.sh                         # volume under ./.strata-data
#   STRATA_DATA=/var/tmp/strata bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh objstore_bench
VOLUME=${STRATA_DATA:-$PWD/.strata-data}/volume
mkdir -p "$VOLUME"
echo "local-directory volume: $VOLUME"
build/bench/objstore/objstore_bench --location "file://$VOLUME" --sizes 4096,16777216 --count 200,10

#!/usr/bin/env bash
# Stop the MinIO server start-minio.sh started, by the PID in $DATA/pids, then
# remove $DATA (KEEP_DATA=1 keeps it).
#
#   scripts/s3/stop-minio.sh DATA       # or DATA=... scripts/s3/stop-minio.sh
set -uo pipefail
DATA=${1:-${DATA:-}}
[ -n "$DATA" ] || { echo "usage: stop-minio.sh DATA (the dir start-minio.sh printed)" >&2; exit 2; }
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/stop-pids.sh" "$DATA" .strata-minio-data

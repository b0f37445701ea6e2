#!/usr/bin/env bash
# Stop the daemons start-ceph.sh started, by the PIDs it recorded in $DATA/pids,
# then remove $DATA (KEEP_DATA=1 keeps it, e.g. to read the logs).
#
#   scripts/s3/stop-ceph.sh DATA        # or DATA=... scripts/s3/stop-ceph.sh
#
# SIGTERM to all, up to STOP_WAIT (3) s, then SIGKILL to whatever is left; waits
# until every process is gone (radosgw alone takes ~11 s to exit gracefully, and
# the cluster is throw-away, so it is not waited for).
set -uo pipefail
DATA=${1:-${DATA:-}}
[ -n "$DATA" ] || { echo "usage: stop-ceph.sh DATA (the dir start-ceph.sh printed)" >&2; exit 2; }
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/stop-pids.sh" "$DATA" .strata-ceph-data

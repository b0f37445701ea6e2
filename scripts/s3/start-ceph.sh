#!/usr/bin/env bash
# Start a throw-away one-node Ceph cluster (mon + osd + radosgw) bound to
# 127.0.0.1, create an S3 user and a test bucket, and write $DATA/env.
#
#   out=$(scripts/s3/start-ceph.sh) && DATA=$(echo "$out" | sed -n 's/^DATA=//p')
#   . "$DATA/env"                        # STRATA_TEST_S3_* for the tests
#   scripts/s3/stop-ceph.sh "$DATA"      # stops by the PIDs recorded in $DATA/pids
#
# Needs Debian's ceph-mon ceph-osd radosgw python3-boto3 (scripts/install-deps.sh).
# Env knobs (defaults):
#   DATA           data dir; default a fresh `mktemp -d`. An existing dir must be
#                  empty or one this script made before (it is wiped).
#   RGW_PORT 7480  MON_PORT_V2 3300  MON_PORT_V1 6789  OSD_PORT_MIN 6800 (daemons bind from here up)
#   OSD_STORE      memstore (in memory, faster start) | bluestore (10 GiB sparse file in $DATA)
#   S3_ACCESS_KEY  testaccesskey    S3_SECRET_KEY testsecretkey    S3_BUCKET strata-test
# Test use only: cephx is off (auth none); nothing listens beyond 127.0.0.1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RGW_PORT=${RGW_PORT:-7480}
MON_PORT_V2=${MON_PORT_V2:-3300}
MON_PORT_V1=${MON_PORT_V1:-6789}
OSD_PORT_MIN=${OSD_PORT_MIN:-6800}
OSD_STORE=${OSD_STORE:-memstore}
ACCESS_KEY=${S3_ACCESS_KEY:-testaccesskey}
SECRET_KEY=${S3_SECRET_KEY:-testsecretkey}
BUCKET=${S3_BUCKET:-strata-test}
REGION=us-east-1
MARKER=.strata-ceph-data
START=$EPOCHREALTIME

elapsed() { awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
die() { echo "start-ceph: $*" >&2; exit 1; }

for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl ss; do
  command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-deps.sh"
done

# --- no earlier run alive; ports free (or freed within 10 s); a fresh data dir -
# shellcheck source=scripts/s3/start_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/start_common.sh"
refuse_if_running stop-ceph.sh
wait_ports_free 100 "$MON_PORT_V2" "$MON_PORT_V1" "$RGW_PORT" "$OSD_PORT_MIN"
prepare_data_dir strata-ceph
mkdir -p "$DATA"/{run,log,mon.a,osd.0,rgw}

# --- config --------------------------------------------------------------------
CONF=$DATA/ceph.conf
FSID=$(cat /proc/sys/kernel/random/uuid)
MON_ADDR="[v2:127.0.0.1:$MON_PORT_V2,v1:127.0.0.1:$MON_PORT_V1]"
cat > "$CONF" <<CONF
[global]
fsid = $FSID
mon host = $MON_ADDR
mon initial members = a
mon data = $DATA/mon.\$id
osd data = $DATA/osd.\$id
run dir = $DATA/run
admin socket = $DATA/run/\$name.asok
log file = $DATA/log/\$name.log
keyring = $DATA/keyring
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.1/32
cluster network = 127.0.0.1/32
ms bind ipv6 = false
ms bind port min = $OSD_PORT_MIN
ms bind port max = $((OSD_PORT_MIN + 99))
debug ms = 0

# no cephx: a throw-away cluster on loopback. Pacific's radosgw wants a 'secure'
# mon session by default, which auth=none cannot give; allow crc as well.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure

# one OSD: pools of size 1, few PGs, no warnings about it
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 1
mon data avail crit = 0

# small and quick on a shared 2-core machine
osd objectstore = $OSD_STORE
memstore device bytes = 4294967296
bluestore block create = true
bluestore block size = 10737418240
osd memory target = 1073741824
osd op num shards = 1
osd op num threads per shard = 2
# without these a one-node start-up takes ~17 s waiting on paxos
paxos propose interval = 0.1
paxos min wait = 0.01

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw data = $DATA/rgw
rgw dns name = localhost
rgw thread pool size = 64
rgw enable usage log = false
rgw gc processor period = 60
CONF
export CEPH_CONF=$CONF

# --- daemons (every PID goes to $DATA/pids; on failure, stop them all) ----------
: > "$DATA/pids"
spawn() {  # spawn NAME CMD... : run in the background, record the PID
  local name=$1; shift
  "$@" > "$DATA/log/$name.out" 2>&1 &
  echo "$name $!" >> "$DATA/pids"
}
wait_for() {  # wait_for SECONDS WHAT CMD... : poll CMD every 0.2 s
  local secs=$1 what=$2; shift 2
  for _ in $(seq $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  "$@" >/dev/null 2>&1 || die "$what did not happen within ${secs} s"
}
on_exit() {
  local rc=$?
  [ "$rc" = 0 ] && return
  echo "start-ceph: FAILED after $(elapsed) s; logs in $DATA/log:" >&2
  tail -n 5 "$DATA"/log/* 2>/dev/null >&2 || true
  KEEP_DATA=1 "$HERE/stop-ceph.sh" "$DATA" >&2 || true
}
trap on_exit EXIT
phase() { echo "  $(elapsed) s  $1"; }

monmaptool --create --fsid "$FSID" --addv a "$MON_ADDR" "$DATA/monmap" >/dev/null
ceph-mon -i a --mkfs --monmap "$DATA/monmap" >/dev/null
spawn mon.a ceph-mon -i a -f
wait_for 20 "mon answering" ceph --connect-timeout 2 mon stat
phase "mon up"

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
ceph osd new "$OSD_UUID" 0 >/dev/null
ceph-osd -i 0 --mkfs --osd-uuid "$OSD_UUID" > "$DATA/log/osd.0.mkfs" 2>&1
spawn osd.0 ceph-osd -i 0 -f
osd_up() { ceph osd dump 2>/dev/null | grep -q '^osd.0 up'; }
wait_for 60 "osd.0 up" osd_up
phase "osd up ($OSD_STORE)"

# The user first: radosgw-admin also makes the default realm/zone and its pools.
radosgw-admin user create --uid=strata-test --display-name="Strata tests" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" > "$DATA/user.json"
spawn rgw.a radosgw -n client.rgw.a -f
RGW_PID=$(awk '$1 == "rgw.a" { print $2 }' "$DATA/pids")
rgw_up() { kill -0 "$RGW_PID" && curl -sf -m 2 "http://127.0.0.1:$RGW_PORT/" | grep -q ListAllMyBucketsResult; }
wait_for 60 "radosgw answering on 127.0.0.1:$RGW_PORT" rgw_up
phase "radosgw answering"

ENDPOINT=http://127.0.0.1:$RGW_PORT
/usr/bin/python3 "$HERE/s3_tool.py" mkbucket "$ENDPOINT" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" "$BUCKET"
phase "bucket $BUCKET created"

cat > "$DATA/env" <<ENV
export STRATA_TEST_S3_ENDPOINT=$ENDPOINT
export STRATA_TEST_S3_REGION=$REGION
export STRATA_TEST_S3_BUCKET=$BUCKET
export STRATA_TEST_S3_ACCESS_KEY=$ACCESS_KEY
export STRATA_TEST_S3_SECRET_KEY=$SECRET_KEY
export STRATA_TEST_S3_DATA=$DATA
ENV
echo "ceph radosgw ready on $ENDPOINT in $(elapsed) s (bucket $BUCKET); . $DATA/env ; stop: $HERE/stop-ceph.sh $DATA"

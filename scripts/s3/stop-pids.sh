#!/usr/bin/env bash
# stop-pids.sh DATA MARKER: shared by stop-ceph.sh and stop-minio.sh.
# Stops exactly the processes listed in DATA/pids ("name pid" lines), then
# removes DATA if it holds MARKER (made by a start script) unless KEEP_DATA=1.
set -uo pipefail
DATA=$1
MARKER=$2
STOP_WAIT=${STOP_WAIT:-3}
if [ ! -f "$DATA/pids" ]; then
  echo "stop: no $DATA/pids; nothing to stop"
else
  pids=$(awk '{ print $2 }' "$DATA/pids")
  # Alive: exists and is not a zombie - or is a zombie whose other threads still
  # run (a multi-threaded daemon may hold its sockets until they exit).
  alive() {
    [ -e "/proc/$1" ] || return 1
    [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ] && return 0
    [ "$(ls "/proc/$1/task" 2>/dev/null | wc -l)" -gt 1 ]
  }
  still() { local p out=""; for p in $pids; do alive "$p" && out="$out $p"; done; echo $out; }
  left=$(still)
  [ -n "$left" ] && kill -TERM $left 2>/dev/null
  for _ in $(seq $((STOP_WAIT * 10))); do left=$(still); [ -z "$left" ] && break; sleep 0.1; done
  if [ -n "$left" ]; then
    kill -KILL $left 2>/dev/null
    for _ in $(seq 100); do left=$(still); [ -z "$left" ] && break; sleep 0.1; done
  fi
  [ -n "$left" ] && { echo "stop: pids still alive: $left" >&2; exit 1; }
  rm -f "$DATA/pids"
  echo "stop: stopped $(echo $pids | wc -w) process(es) from $DATA"
fi
if [ "${KEEP_DATA:-0}" != 1 ] && [ -f "$DATA/$MARKER" ]; then
  rm -rf "$DATA"
fi

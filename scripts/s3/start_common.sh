# Sourced by start-ceph.sh and start-minio.sh: the checks and the data dir
# that every test-server start shares. Needs `die` and MARKER defined first.

# Refuses to start while the processes of an earlier run from $DATA live.
# $1: the stop script to name in the message.
refuse_if_running() {
  if [ -n "${DATA:-}" ] && [ -f "$DATA/pids" ]; then
    while read -r _ pid; do
      kill -0 "$pid" 2>/dev/null && die "a server from $DATA is still running (pid $pid); run $1 $DATA"
    done < "$DATA/pids"
  fi
  return 0
}

# Waits up to $1 tenths of a second for each later argument's port to be free
# (a server that is just stopping), then refuses if one is still taken.
wait_ports_free() {
  local tenths=$1 port
  shift
  port_busy() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
  for port in "$@"; do
    for _ in $(seq "$tenths"); do port_busy "$port" || break; sleep 0.1; done
    port_busy "$port" && die "port 127.0.0.1:$port is in use (see the port variables at the top of the script)"
  done
  return 0
}

# Sets DATA to a fresh temp dir (prefix $1) or empties the given one — only
# if it is empty or was made by this script (it holds $MARKER) — and marks it.
prepare_data_dir() {
  if [ -z "${DATA:-}" ]; then
    DATA=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  else
    mkdir -p "$DATA"
    DATA=$(cd "$DATA" && pwd)
    if [ -n "$(ls -A "$DATA")" ] && [ ! -f "$DATA/$MARKER" ]; then
      die "$DATA is not empty and was not made by this script; refusing to wipe it"
    fi
    find "$DATA" -mindepth 1 -delete
  fi
  touch "$DATA/$MARKER"
  echo "DATA=$DATA"
}

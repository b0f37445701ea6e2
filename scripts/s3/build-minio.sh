#!/usr/bin/env bash
# Build the MinIO server from the Go module proxy and cache the binary, so only
# the first run on a machine pays for the build.
#
#   scripts/s3/build-minio.sh            # prints the binary path on stdout (last line)
#
# Env knobs:
#   MINIO_VERSION   module version to build (default: the pinned one below)
#   STRATA_CACHE    cache root (default ~/.cache/strata)
#   BUILD_JOBS      go build -p / GOMAXPROCS (default 1: the machine is shared)
#
# Exit codes: 0 built or cached; 2 no Go toolchain; 3 the build failed for a
# reason a retry will not fix (module not served, compile error) - one line on stderr.
set -euo pipefail

# MinIO publishes no semver tags the proxy lists, only pseudo-versions; this is
# what `go list -m github.com/minio/minio@latest` returned (go.mod says go 1.24).
MINIO_VERSION=${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}
CACHE=${STRATA_CACHE:-$HOME/.cache/strata}
BIN_DIR=$CACHE/minio/$MINIO_VERSION
BIN=$BIN_DIR/minio
JOBS=${BUILD_JOBS:-1}

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "build-minio: no go toolchain on PATH" >&2; exit 2; }

export GOPATH=$CACHE/go
export GOMODCACHE=$CACHE/go/pkg/mod
export GOCACHE=$CACHE/go/build-cache
export GOFLAGS="-mod=mod -modcacherw -buildvcs=false"
export GOMAXPROCS=$JOBS
export CGO_ENABLED=0
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
mkdir -p "$BIN_DIR" "$GOPATH"
TMP_BIN=$(mktemp -d "$BIN_DIR/.build.XXXXXX")
LOG=$BIN_DIR/build.log
trap 'rm -rf "$TMP_BIN"' EXIT

echo "build-minio: building github.com/minio/minio@$MINIO_VERSION (log: $LOG); this takes a while on first run" >&2
T0=$(date +%s)
if ! GOBIN=$TMP_BIN nice -n 10 go install -p "$JOBS" -trimpath \
      "github.com/minio/minio@$MINIO_VERSION" >"$LOG" 2>&1; then
  reason=$(grep -m1 -E 'not available|404|403|invalid version|cannot find|requires go|error|undefined' "$LOG" || tail -n1 "$LOG")
  echo "build-minio: FAILED: ${reason:-see $LOG}" >&2
  exit 3
fi
mv "$TMP_BIN/minio" "$BIN"
echo "build-minio: built in $(( $(date +%s) - T0 )) s" >&2
echo "$BIN"

#!/usr/bin/env bash
# Builds test/drivers/go (github.com/go-sql-driver/mysql, pinned by go.sum)
# into ~/.cache/strata/bin/strata-driver-go-<hash of its sources> and prints
# that path. Modules come from the Go module proxy into
# ~/.cache/strata/gomod; a second run with the same sources is a no-op.
set -euo pipefail
cd "$(dirname "$0")/go"
CACHE=${STRATA_CACHE_DIR:-$HOME/.cache/strata}
GO=$(command -v go || true)
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
[ -n "$GO" ] || { echo "build_go_driver: 'go' is not installed (Go 1.26 is on the machine image)" >&2; exit 1; }
hash=$(cat go.mod go.sum main.go | sha256sum | cut -c1-16)
out="$CACHE/bin/strata-driver-go-$hash"
if [ ! -x "$out" ]; then
  mkdir -p "$CACHE/bin" "$CACHE/gomod"
  GOMODCACHE="$CACHE/gomod" GOFLAGS=-mod=readonly timeout 600 "$GO" build -o "$out.tmp" . >&2
  mv "$out.tmp" "$out"
fi
echo "$out"

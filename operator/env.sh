# Source this before running go in operator/: keeps the module and build caches under
# ~/.cache/strata/go (shared with scripts/s3/build-minio.sh) so CI can cache one directory.
CACHE=${STRATA_CACHE:-$HOME/.cache/strata}
export GOPATH=$CACHE/go
export GOMODCACHE=$CACHE/go/pkg/mod
export GOCACHE=${STRATA_GOCACHE:-$CACHE/go/build-cache}
export GOFLAGS="-mod=mod -modcacherw -buildvcs=false"
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export CGO_ENABLED=0
# The machine image ships Go in /usr/local/go; a non-login shell may not have it on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH=/usr/local/go/bin:$PATH
fi

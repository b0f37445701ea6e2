#!/usr/bin/env bash
# Builds the kube-apiserver and etcd the integration tests run, from the Go module proxy, and
# caches them under ~/.cache/strata/k8s/<version>/bin. Only the first run on a machine compiles
# (about 10 min on 2 CPUs); later runs find the binaries and return at once.
#
# k8s.io/kubernetes cannot be `go install`ed at a version: its go.mod replaces every staging
# module (k8s.io/api, k8s.io/apiserver, ...) with a local ./staging path, which a module zip does
# not contain. So this builds from a small wrapper module that requires k8s.io/kubernetes and
# replaces each staging module with its published v0.X.Y twin instead. etcd's server
# (go.etcd.io/etcd/server/v3, a main package) is built from the same module, at the version
# kubernetes itself requires.
#
# Prints the bin directory on stdout. STRATA_KUBE_BIN=<dir> skips the build and uses that dir.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"

K8S_VERSION=${K8S_VERSION:-1.37.2}
STAGING_VERSION=0.${K8S_VERSION#1.}
# Bump when the recipe below changes, so cached binaries of an older recipe are rebuilt.
RECIPE=2
CACHE=${STRATA_CACHE:-$HOME/.cache/strata}
out=$CACHE/k8s/v$K8S_VERSION
bin=$out/bin

if [ -n "${STRATA_KUBE_BIN:-}" ]; then
  echo "$STRATA_KUBE_BIN"
  exit 0
fi
built() { [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ] && [ "$(cat "$bin/.recipe" 2>/dev/null)" = "$RECIPE" ]; }
if built; then
  echo "$bin"
  exit 0
fi

log() { echo "build-kube: $*" >&2; }
mkdir -p "$out"
# One build at a time (ctest may start two test scripts that both need it).
exec 9>"$out/.lock"
flock 9
if built; then
  echo "$bin"
  exit 0
fi

start=$(date +%s)
work=$out/src
rm -rf "$work"
mkdir -p "$work"
cd "$work"

log "fetching k8s.io/kubernetes v$K8S_VERSION from the module proxy"
kgomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[ -f "$kgomod" ] || { log "could not download k8s.io/kubernetes v$K8S_VERSION"; exit 1; }

# The staging modules are exactly the `X => ./staging/src/X` replaces.
staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$kgomod")
[ -n "$staging" ] || { log "no staging replaces found in $kgomod"; exit 1; }
goline=$(sed -n 's/^go \(.*\)$/\1/p' "$kgomod")

{
  echo "module strata.local/kube-build"
  echo
  echo "go $goline"
  echo
  echo "require k8s.io/kubernetes v$K8S_VERSION"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m v$STAGING_VERSION"; done
  echo ")"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
GO

log "resolving modules"
GOFLAGS="-mod=mod -modcacherw" go mod tidy -e >/dev/null 2>"$work/tidy.log" || { cat "$work/tidy.log" >&2; exit 1; }
mkdir -p "$bin.tmp"
log "compiling kube-apiserver (nice, several minutes on 2 CPUs)"
minor=${K8S_VERSION#1.}
minor=${minor%%.*}
vpkg=k8s.io/component-base/version
ldflags="-s -X $vpkg.gitVersion=v$K8S_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
nice -n 10 go build -trimpath -ldflags="$ldflags" -o "$bin.tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
log "compiling etcd"
nice -n 10 go build -trimpath -ldflags=-s -o "$bin.tmp/etcd" go.etcd.io/etcd/server/v3
echo "$RECIPE" > "$bin.tmp/.recipe"
rm -rf "$bin"
mv "$bin.tmp" "$bin"
log "built in $(( $(date +%s) - start )) s: $("$bin/kube-apiserver" --version 2>/dev/null), etcd $("$bin/etcd" --version 2>/dev/null | head -1)"
echo "$bin"

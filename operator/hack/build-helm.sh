#!/usr/bin/env bash
# Builds helm from the Go module proxy into ~/.cache/strata/helm/<version>/bin once (a few
# minutes on 2 CPUs) and prints the path of the binary. STRATA_HELM=<path> skips the build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
HELM_VERSION=${HELM_VERSION:-v3.22.0}
CACHE=${STRATA_CACHE:-$HOME/.cache/strata}
bin=$CACHE/helm/$HELM_VERSION/bin
if [ -n "${STRATA_HELM:-}" ]; then
  echo "$STRATA_HELM"
  exit 0
fi
if [ -x "$bin/helm" ]; then
  echo "$bin/helm"
  exit 0
fi
mkdir -p "$bin"
exec 9>"$bin/.lock"
flock 9
if [ ! -x "$bin/helm" ]; then
  start=$(date +%s)
  echo "build-helm: compiling helm $HELM_VERSION (nice, a few minutes on 2 CPUs)" >&2
  GOBIN=$bin.tmp nice -n 10 go install -trimpath -ldflags=-s "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  mv "$bin.tmp/helm" "$bin/helm"
  rmdir "$bin.tmp"
  echo "build-helm: built in $(( $(date +%s) - start )) s: $("$bin/helm" version --short)" >&2
fi
echo "$bin/helm"
